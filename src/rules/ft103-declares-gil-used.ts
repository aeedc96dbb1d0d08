import { MOD_GIL_SLOT_REMEDY } from '../data/capi.js';
import { moduleFiles } from './_modules.js';
import { defineProjectRule } from './types.js';

export default defineProjectRule({
  meta: {
    id: 'FT103',
    name: 'declares-gil-used',
    title: 'Module explicitly declares that it needs the GIL',
    family: 'FT1',
    severity: 'info',
    why:
      '`{Py_mod_gil, Py_MOD_GIL_USED}` (or `PyUnstable_Module_SetGIL(m, Py_MOD_GIL_USED)`) is a conscious choice: importing the module re-enables the ' +
      'GIL on free-threaded Python. Listed so the choice stays visible; switch to `Py_MOD_GIL_NOT_USED` once the module is thread-safe.',
    bad: '    {Py_mod_gil, Py_MOD_GIL_USED},',
    good: '    {Py_mod_gil, Py_MOD_GIL_NOT_USED},',
    remedy: { ...MOD_GIL_SLOT_REMEDY, snippet: '{Py_mod_gil, Py_MOD_GIL_NOT_USED},  /* once the module is thread-safe */' },
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/c-api/module.html#c.Py_mod_gil'],
  },
  check(ctx) {
    for (const m of moduleFiles(ctx.files)) {
      for (const arr of m.facts.slotArrays) {
        for (const e of arr.entries) {
          if (e.slot !== 'Py_mod_gil' || e.value !== 'Py_MOD_GIL_USED') continue;
          ctx.report(m.path, {
            line: e.pos.line,
            column: e.pos.column,
            endLine: e.endPos.line,
            endColumn: e.endPos.column,
            message: `module slot array '${arr.name}' declares Py_MOD_GIL_USED: importing it re-enables the GIL on free-threaded Python`,
          });
        }
      }
      for (const s of m.facts.setGils) {
        if (s.value !== 'Py_MOD_GIL_USED') continue;
        ctx.report(m.path, {
          line: s.pos.line,
          column: s.pos.column,
          endLine: s.endPos.line,
          endColumn: s.endPos.column,
          message: `${s.fn}() declares Py_MOD_GIL_USED: importing the module re-enables the GIL on free-threaded Python`,
        });
      }
    }
  },
});
