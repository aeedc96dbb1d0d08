import { enclosingWithItems, resolveDotted } from '../engine/py-tree.js';
import { libraryRuntime, pyIndex } from './_python.js';
import { defineSourceRule } from './types.js';

const FILTERS = new Set(['warnings.simplefilter', 'warnings.filterwarnings', 'warnings.resetwarnings']);

export default defineSourceRule({
  meta: {
    id: 'FT705',
    name: 'warnings-filter-change',
    title: 'Library code changes warning filters at run time',
    family: 'FT7',
    severity: 'warning',
    why:
      'Warning filters are global. `warnings.catch_warnings()` saves the module-wide filter list and restores it on exit, so two threads inside ' +
      'it at once lose or leak each other\'s filters; before Python 3.14 it is documented as not thread-safe. `warnings.simplefilter()`, ' +
      '`filterwarnings()` and `resetwarnings()` outside such a block change the filters for every thread. Python 3.14 adds context-aware warnings ' +
      '(`sys.flags.context_aware_warnings`), on by default in free-threaded builds, which make `catch_warnings` safe there.\n\n' +
      'Quiet for `catch_warnings` when the project requires Python 3.14 or newer (`requires-python`); filter calls inside a `catch_warnings` block are ' +
      'covered by the finding on the block. Only library code at run time is checked (see FT701): tests are where `catch_warnings` belongs.',
    bad: 'def load(path):\n    with warnings.catch_warnings():\n        warnings.simplefilter("ignore", DeprecationWarning)\n        return legacy.load(path)',
    good: 'def load(path):\n    # fix or avoid the call that warns; or let the caller decide which warnings to show\n    return modern.load(path)',
    remedy: {
      api: 'warnings.catch_warnings with context-aware warnings (sys.flags.context_aware_warnings)',
      since: '3.14',
      compat: null,
      snippet: '# library code: do not change warning filters; avoid the warning at its source,\n# or let the application / test suite filter it (python -W, pytest filterwarnings).\n# On 3.14+ (free-threaded builds: default) catch_warnings is context-local:\nassert sys.flags.context_aware_warnings',
    },
    exampleLanguage: 'python',
    references: ['https://docs.python.org/3/library/warnings.html#concurrent-safety', 'https://py-free-threading.github.io/testing/'],
  },
  languages: ['python'],
  check(ctx) {
    if (!/catch_warnings|simplefilter|filterwarnings|resetwarnings/.test(ctx.code)) return; // cheap pre-check: nothing to look at
    const idx = pyIndex(ctx);
    const since314 = ctx.project.minMinor !== null && ctx.project.minMinor >= 14;
    for (const c of idx.calls) {
      if (c.name === 'warnings.catch_warnings') {
        if (since314 || !libraryRuntime(ctx, c.node)) continue;
        ctx.report({
          start: c.node.startIndex,
          end: c.node.endIndex,
          message: 'warnings.catch_warnings() saves and restores the process-wide warning filters; before Python 3.14 (context-aware warnings) threads inside it at once corrupt each other\'s filters',
        });
      } else if (c.name && FILTERS.has(c.name)) {
        const inBlock = enclosingWithItems(c.node).some((v) => v.type === 'call' && resolveDotted(v.childForFieldName('function'), idx.aliases) === 'warnings.catch_warnings');
        if (inBlock || !libraryRuntime(ctx, c.node)) continue;
        ctx.report({
          start: c.node.startIndex,
          end: c.node.endIndex,
          message: `${c.name}() changes the warning filters of every thread at run time`,
        });
      }
    }
  },
});
