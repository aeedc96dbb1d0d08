import { COMPAT } from '../data/capi.js';
import { defineFileRule } from './types.js';

export default defineFileRule({
  meta: {
    id: 'FT402',
    name: 'unbalanced-region',
    title: 'Unbalanced or mismatched BEGIN/END of a critical section or allow-threads region',
    family: 'FT4',
    severity: 'error',
    why:
      'Each `Py_BEGIN_CRITICAL_SECTION` must be closed by `Py_END_CRITICAL_SECTION()` in the same scope, each `Py_BEGIN_CRITICAL_SECTION2` by ' +
      '`Py_END_CRITICAL_SECTION2()`, each `Py_BEGIN_ALLOW_THREADS` by `Py_END_ALLOW_THREADS`. A mismatch compiles on GIL builds, where the macros ' +
      'are plain braces, but on free-threaded builds releases the wrong lock structure or none. `Py_END_CRITICAL_SECTION` takes no argument ' +
      '(a common mistake copied from a guide). A BEGIN in one `#if` branch must be matched in every branch.',
    bad: 'Py_BEGIN_CRITICAL_SECTION2(a, b);\n/* … */\nPy_END_CRITICAL_SECTION();',
    good: 'Py_BEGIN_CRITICAL_SECTION2(a, b);\n/* … */\nPy_END_CRITICAL_SECTION2();',
    remedy: { api: 'Py_END_CRITICAL_SECTION2', since: '3.13', compat: COMPAT, snippet: 'Py_BEGIN_CRITICAL_SECTION2(a, b);\n/* … */\nPy_END_CRITICAL_SECTION2();' },
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/c-api/synchronization.html#python-critical-section-api', 'Quansight porting guide (the Py_END_CRITICAL_SECTION(obj) typo)'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    const fnOf = (off: number) => ctx.index.functions.findIndex((f) => f.start <= off && off < f.end);
    for (const m of ctx.lowered.mismatches) {
      let message: string;
      switch (m.kind) {
        case 'unclosed':
          message = `${m.at.name} is never closed`;
          break;
        case 'unopened':
          message = `${m.at.name} closes a region that was never opened`;
          break;
        case 'mismatched':
          message = `${m.at.name} closes the region opened by ${m.other?.name ?? 'another macro'}`;
          break;
        case 'branches-disagree':
          message = `${m.at.name} is opened or closed in only some #if branches`;
          break;
        case 'end-has-args':
          message = `${m.at.name}() takes no argument (got '${m.at.args.join(', ')}'): this does not compile`;
          break;
      }
      ctx.report({ start: m.at.start, end: m.at.end, message, related: m.other ? [{ path: ctx.path, ...ctx.lines.position(m.other.start), message: `${m.other.name} is here` }] : [] });
    }
    // A region must start and end in the same function.
    for (const r of ctx.lowered.regions) {
      if (!r.end) continue;
      const a = fnOf(r.begin.start);
      const b = fnOf(r.end.start);
      if (a !== b) ctx.report({ start: r.begin.start, end: r.begin.end, message: `${r.begin.name} and its ${r.end.name} are in different functions` });
    }
  },
});
