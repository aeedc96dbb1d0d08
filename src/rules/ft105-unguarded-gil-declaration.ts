import { excludesFreeThreaded, isFreeThreadedOnly, minMinorOf } from '../engine/guards.js';
import { condTextsAt } from '../engine/c-index.js';
import { defineFileRule } from './types.js';

export default defineFileRule({
  meta: {
    id: 'FT105',
    name: 'unguarded-gil-declaration',
    title: 'GIL declaration not guarded for builds that do not have it',
    family: 'FT1',
    severity: 'error',
    why:
      '`PyUnstable_Module_SetGIL` is declared and exported only by free-threaded builds: an unguarded call fails to compile or to import on a ' +
      'regular build. Guard it with `#ifdef Py_GIL_DISABLED`. A `Py_mod_gil` slot is unknown to CPython < 3.13, which refuses to create the module; ' +
      'when the project supports older versions (`requires-python`), guard the slot with `#if PY_VERSION_HEX >= 0x030D0000`.',
    bad: 'PyObject *m = PyModule_Create(&def);\nPyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);',
    good: 'PyObject *m = PyModule_Create(&def);\n#ifdef Py_GIL_DISABLED\nPyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);\n#endif',
    remedy: {
      api: '#ifdef Py_GIL_DISABLED',
      since: '3.13',
      compat: null,
      snippet: '#ifdef Py_GIL_DISABLED\nPyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);\n#endif',
    },
    exampleLanguage: 'c',
    references: ['Objects/moduleobject.c (PyUnstable_Module_SetGIL under #ifdef Py_GIL_DISABLED)', 'PEP 820 (unknown slots are rejected)'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    for (const call of ctx.index.calls) {
      if (call.name !== 'PyUnstable_Module_SetGIL') continue;
      const conds = condTextsAt(ctx.lowered, call.start);
      // Guarded by a free-threaded-only condition, or by a project macro we cannot judge: quiet.
      const judged = conds.filter((c) => !isFreeThreadedOnly(c));
      if (conds.some(isFreeThreadedOnly)) continue;
      if (judged.some((c) => minMinorOf(c) === null && !excludesFreeThreaded(c))) continue;
      ctx.report({
        start: call.start,
        end: call.end,
        message: 'PyUnstable_Module_SetGIL() exists only in free-threaded builds; without #ifdef Py_GIL_DISABLED this fails to build or import on regular CPython',
      });
    }
    const min = ctx.project.minMinor;
    if (min === null || min >= 13) return;
    const re = /\{\s*Py_mod_gil\s*,/g;
    for (let m = re.exec(ctx.code); m; m = re.exec(ctx.code)) {
      if (condTextsAt(ctx.lowered, m.index).length > 0) continue;
      const close = ctx.code.indexOf('}', m.index);
      ctx.report({
        start: m.index,
        end: close === -1 ? m.index + m[0].length : close + 1,
        message: `Py_mod_gil slot is not guarded, but the project supports Python 3.${min} (${ctx.project.requiresPython ?? ''}), which rejects unknown slots: wrap it in #if PY_VERSION_HEX >= 0x030D0000`,
        remedy: {
          api: '#if PY_VERSION_HEX >= 0x030D0000',
          since: '3.13',
          compat: null,
          snippet: '#if PY_VERSION_HEX >= 0x030D0000\n    {Py_mod_gil, Py_MOD_GIL_NOT_USED},\n#endif',
        },
      });
    }
  },
});
