import { COMPAT } from '../data/capi.js';
import { defineFileRule } from './types.js';
import { neverFreeThreadedAt } from '../engine/guards.js';

// Py_REFCNT(x) == 1, 1 == Py_REFCNT(x), Py_REFCNT(x) <= 1, Py_REFCNT(x) != 1, Py_REFCNT(x) > 1, x->ob_refcnt == 1
const RE = /\b(Py_REFCNT\s*\(([^()]*(?:\([^()]*\))?[^()]*)\)|([A-Za-z_][\w.>-]*?)\s*(?:->|\.)\s*ob_refcnt)\s*(==|!=|<=|>|<|>=)\s*([12])\b|\b([12])\s*(==|!=|>=|<|>|<=)\s*(Py_REFCNT\s*\(([^()]*)\))/g;

export default defineFileRule({
  meta: {
    id: 'FT501',
    name: 'refcount-one-check',
    title: 'Py_REFCNT(o) == 1 used to decide that an object is not shared',
    family: 'FT5',
    severity: 'warning',
    why:
      'Code that mutates an object in place when `Py_REFCNT(o) == 1` assumes nobody else can see it. On free-threaded builds the reference ' +
      'count is split between the owning thread and other threads, and a count of 1 does not prove another thread holds no reference (or is not ' +
      'about to take one). `PyUnstable_Object_IsUniquelyReferenced(o)` (3.14) answers the question correctly on both builds; for function ' +
      'arguments, `PyUnstable_Object_IsUniqueReferencedTemporary` (3.14).' +
      '\n\nQuiet in code compiled only for GIL builds or CPython < 3.13 (`#ifndef Py_GIL_DISABLED`, `#if PY_VERSION_HEX < 0x030D0000`).',
    bad: 'if (Py_REFCNT(s) == 1) {\n    /* resize the string in place */\n}',
    good: 'if (PyUnstable_Object_IsUniquelyReferenced(s)) {\n    /* resize the string in place */\n}',
    remedy: {
      api: 'PyUnstable_Object_IsUniquelyReferenced',
      since: '3.14',
      compat: COMPAT,
      snippet: 'if (PyUnstable_Object_IsUniquelyReferenced(obj)) {\n    /* safe to mutate in place */\n}',
    },
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3.14/c-api/object.html#c.PyUnstable_Object_IsUniquelyReferenced', 'numpy/numpy#29649', 'ronaldoussoren/pyobjc#648'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    RE.lastIndex = 0;
    for (let m = RE.exec(ctx.code); m; m = RE.exec(ctx.code)) {
      if (neverFreeThreadedAt(ctx.lowered, m.index)) continue;
      // assert(Py_REFCNT(x) == 1) documents an invariant; it decides nothing at run time.
      if (/\bassert\s*\([^;]*$/.test(ctx.code.slice(Math.max(0, m.index - 80), m.index))) continue;
      ctx.report({ start: m.index, end: m.index + m[0].length, message: `'${m[0].replace(/\s+/g, ' ')}' does not prove the object is unshared on free-threaded Python` });
    }
  },
});
