import { keywordArgs, positionalArgs } from '../engine/py-tree.js';
import { libraryRuntime, pyIndex } from './_python.js';
import { defineSourceRule } from './types.js';

export default defineSourceRule({
  meta: {
    id: 'FT703',
    name: 'locale-change',
    title: 'Library code changes the process locale at run time',
    family: 'FT7',
    severity: 'warning',
    why:
      '`locale.setlocale(category, value)` changes the C locale of the whole process; the C library\'s `setlocale` is not thread-safe, and every ' +
      'thread\'s number formatting, `str.lower()` in C extensions, `time.strftime()` and parsing change with it. The common "set, format, restore" ' +
      'pattern races with other threads doing the same. A one-argument call (or `None` as the value) only queries the locale and stays quiet.\n\n' +
      'Only library code at run time is checked (see FT701); an application setting its locale once at start-up is fine.',
    bad: 'def money(x):\n    old = locale.setlocale(locale.LC_ALL)\n    locale.setlocale(locale.LC_ALL, "de_DE.UTF-8")\n    try:\n        return locale.currency(x)\n    finally:\n        locale.setlocale(locale.LC_ALL, old)',
    good: 'def money(x):\n    # locale-independent formatting, or a library that takes the locale as a parameter (e.g. babel)\n    return babel.numbers.format_currency(x, "EUR", locale="de_DE")',
    remedy: {
      api: 'locale-independent formatting (str.format, babel with an explicit locale); setlocale() once in the application entry point',
      since: null,
      compat: null,
      snippet: '# application entry point, before starting threads:\nlocale.setlocale(locale.LC_ALL, "")\n# library code: take the locale as a parameter instead of switching the process locale',
    },
    exampleLanguage: 'python',
    references: ['https://docs.python.org/3/library/locale.html#locale.setlocale ("not thread-safe")'],
  },
  languages: ['python'],
  check(ctx) {
    if (!/setlocale|resetlocale/.test(ctx.code)) return; // cheap pre-check: nothing to look at
    for (const c of pyIndex(ctx).calls) {
      if (c.name !== 'locale.setlocale' && c.name !== 'locale.resetlocale') continue;
      if (c.name === 'locale.setlocale') {
        const pos = positionalArgs(c.node);
        const value = pos[1] ?? keywordArgs(c.node).get('locale');
        if (!value || value.type === 'none') continue; // a query
      }
      if (!libraryRuntime(ctx, c.node)) continue;
      ctx.report({
        start: c.node.startIndex,
        end: c.node.endIndex,
        message: `${c.name}() changes the locale of the whole process at run time; setlocale() is not thread-safe and other threads format and parse with the new locale`,
      });
    }
  },
});
