import { COMPAT } from '../data/capi.js';
import { defineFileRule } from './types.js';
import { neverFreeThreadedAt } from '../engine/guards.js';

const RE = /(?:->|\.)\s*ob_refcnt\b/g;

export default defineFileRule({
  meta: {
    id: 'FT502',
    name: 'ob-refcnt-access',
    title: 'Direct access to ob_refcnt',
    family: 'FT5',
    severity: 'error',
    why:
      'Free-threaded builds have no `ob_refcnt` field: the count is split into `ob_ref_local` and `ob_ref_shared`, updated atomically. Code that ' +
      'reads or writes `o->ob_refcnt` does not compile there. Read the count with `Py_REFCNT(o)` and set it with `Py_SET_REFCNT(o, n)` (3.9; ' +
      'pythoncapi_compat.h for older versions) — and do not base ownership decisions on it (FT501).' +
      '\n\nQuiet in code compiled only for GIL builds or CPython < 3.13 (`#ifndef Py_GIL_DISABLED`, `#if PY_VERSION_HEX < 0x030D0000`).',
    bad: 'if (self->ob_refcnt > 1) return NULL;\nop->ob_refcnt = 1;',
    good: 'if (Py_REFCNT(self) > 1) return NULL;\nPy_SET_REFCNT(op, 1);',
    remedy: { api: 'Py_REFCNT / Py_SET_REFCNT', since: '3.9', compat: COMPAT, snippet: 'Py_ssize_t n = Py_REFCNT(op);\nPy_SET_REFCNT(op, 1);' },
    exampleLanguage: 'c',
    references: ['Include/object.h (free-threaded PyObject layout)', 'indygreg/python-zstandard#201'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    RE.lastIndex = 0;
    for (let m = RE.exec(ctx.code); m; m = RE.exec(ctx.code)) {
      // `#ifndef Py_GIL_DISABLED … ob_refcnt …` is the correct way to keep the field for GIL builds.
      if (neverFreeThreadedAt(ctx.lowered, m.index)) continue;
      // Start at the object expression before `->ob_refcnt`.
      let s = m.index;
      while (s > 0 && /[\w.>)\]-]/.test(ctx.code[s - 1] as string) && !(ctx.code[s - 1] === '-' && ctx.code[s] !== '>')) s--;
      ctx.report({ start: s, end: m.index + m[0].length, message: 'ob_refcnt does not exist on free-threaded builds (split into local and shared counts): use Py_REFCNT()/Py_SET_REFCNT()' });
    }
  },
});
