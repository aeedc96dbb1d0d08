import { COMPAT } from '../data/capi.js';
import type { Region } from '../parse/lower.js';
import { onPath } from '../engine/c-index.js';
import { defineFileRule } from './types.js';

const CS_REMEDY = {
  api: 'Py_END_CRITICAL_SECTION',
  since: '3.13',
  compat: COMPAT,
  snippet: 'Py_BEGIN_CRITICAL_SECTION(self);\nif (error) {\n    result = NULL;\n    goto done;          /* jump to a label inside the section */\n}\n/* … */\ndone:\nPy_END_CRITICAL_SECTION();\nreturn result;',
};
const THREADS_REMEDY = {
  api: 'Py_BLOCK_THREADS',
  since: null,
  compat: null,
  snippet: 'Py_BEGIN_ALLOW_THREADS\nn = read(fd, buf, size);\nif (n < 0) {\n    Py_BLOCK_THREADS      /* re-attach before leaving the region */\n    return PyErr_SetFromErrno(PyExc_OSError);\n}\nPy_END_ALLOW_THREADS',
};

export default defineFileRule({
  meta: {
    id: 'FT401',
    name: 'region-exit',
    title: 'return, goto, break or continue leaves a critical section or allow-threads region without its END',
    family: 'FT4',
    severity: 'error',
    why:
      '`Py_BEGIN_CRITICAL_SECTION(op)` opens a block that `Py_END_CRITICAL_SECTION()` closes; on free-threaded builds the END releases the ' +
      'object\'s lock. Leaving the block any other way — `return`, a `goto` to a label outside it, `break`/`continue` of a loop that encloses it — ' +
      'skips the END: the lock stays held and the next thread to touch the object deadlocks. Likewise leaving a `Py_BEGIN_ALLOW_THREADS` region ' +
      'without `Py_END_ALLOW_THREADS` (or `Py_BLOCK_THREADS` first) returns to Python code with no attached thread state.\n\n' +
      'Quiet for `goto` to a label inside the region (CPython\'s own `goto exit; … exit: Py_END_CRITICAL_SECTION();` idiom), for `break`/`continue` ' +
      'of loops inside the region, and for exits from an allow-threads region after `Py_BLOCK_THREADS`.',
    bad: 'Py_BEGIN_CRITICAL_SECTION(self);\nif (self->closed) {\n    return NULL;   /* the lock is never released */\n}\nPy_END_CRITICAL_SECTION();',
    good: 'PyObject *res = NULL;\nPy_BEGIN_CRITICAL_SECTION(self);\nif (!self->closed) {\n    res = compute(self);\n}\nPy_END_CRITICAL_SECTION();\nreturn res;',
    remedy: CS_REMEDY,
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/c-api/synchronization.html#python-critical-section-api', 'Include/cpython/critical_section.h', 'https://docs.python.org/3/c-api/init.html#c.Py_BEGIN_ALLOW_THREADS'],
    limitations: 'Regions come from the macros (and project macros defined as them); longjmp and exits hidden inside other macros are not seen.',
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    const { regions, threadToggles } = ctx.lowered;
    const closed = regions.filter((r): r is Region & { end: NonNullable<Region['end']> } => r.end !== null);
    if (closed.length === 0) return;
    const inside = (r: (typeof closed)[number], off: number) => r.begin.end <= off && off < r.end.start;
    for (const exit of ctx.index.exits) {
      // The innermost region the exit leaves.
      const leaving: (typeof closed)[number][] = [];
      for (const r of closed) {
        if (!inside(r, exit.start)) continue;
        if (exit.kind === 'goto') {
          const label = ctx.index.labels.find((l) => l.fn === exit.fn && l.name === exit.label);
          if (!label || inside(r, label.start) || label.start === r.end.start) continue;
          // `label: Py_END_CRITICAL_SECTION();` — the label sits right before the END.
          if (/^\s*\}/.test(ctx.code.slice(label.start + label.name.length + 1, r.end.start + 1)) && label.start < r.end.start) continue;
        } else if (exit.kind === 'break' || exit.kind === 'continue') {
          // The loop (or switch, for break) the statement belongs to: innermost one containing it.
          const target = ctx.index.breakables
            .filter((b) => b.start <= exit.start && exit.start < b.end && (exit.kind === 'break' || b.kind === 'loop'))
            .sort((a, b) => b.start - a.start)[0];
          if (!target || target.start >= r.begin.start) continue; // the loop is inside the region
        }
        if (r.kind === 'allow_threads') {
          // Py_BLOCK_THREADS between the region start and the exit re-attaches the thread state.
          const toggles = threadToggles.filter((t) => t.start > r.begin.start && t.start < exit.start && onPath(ctx.code, t.end, exit.start));
          const last = toggles[toggles.length - 1];
          if (last && last.name === 'Py_BLOCK_THREADS') continue;
        }
        leaving.push(r);
      }
      const r = leaving.sort((a, b) => b.begin.start - a.begin.start)[0];
      if (!r) continue;
      const what = exit.kind === 'goto' ? `goto ${exit.label}` : exit.kind;
      const threads = r.kind === 'allow_threads';
      ctx.report({
        start: exit.start,
        end: exit.end,
        message: threads
          ? `'${what}' leaves the ${r.begin.name} region without ${r.end.name}: the thread state is never re-attached`
          : `'${what}' leaves the critical section opened by ${r.begin.name}(${r.begin.args.join(', ')}) without ${r.end.name}(): the lock stays held`,
        remedy: threads ? THREADS_REMEDY : CS_REMEDY,
        related: [{ path: ctx.path, ...ctx.lines.position(r.begin.start), message: `${r.begin.name} is here` }],
      });
    }
  },
});
