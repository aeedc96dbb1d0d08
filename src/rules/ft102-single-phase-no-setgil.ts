import { SET_GIL_REMEDY } from '../data/capi.js';
import { onlyBefore313 } from '../engine/guards.js';
import { throughParams } from './_globals.js';
import { callersOf, moduleFiles } from './_modules.js';
import { defineProjectRule, type ProjectContext } from './types.js';

export default defineProjectRule({
  meta: {
    id: 'FT102',
    name: 'single-phase-no-setgil',
    title: 'Single-phase module never calls PyUnstable_Module_SetGIL',
    family: 'FT1',
    severity: 'warning',
    why:
      'A module created with `PyModule_Create` (single-phase init) cannot carry a `Py_mod_gil` slot; unless `PyInit_*` calls ' +
      '`PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED)`, a free-threaded interpreter re-enables the GIL when it is imported. The function exists only ' +
      'in free-threaded builds, so guard the call with `#ifdef Py_GIL_DISABLED`.\n\nQuiet when the call is in the creating function or in a function ' +
      'that calls it, when a helper the module is passed to makes the call on it (`setup(m)`, at any depth), and for creation code compiled ' +
      'only for CPython < 3.13.',
    bad: 'PyMODINIT_FUNC PyInit_spam(void) {\n    return PyModule_Create(&spam_module);\n}',
    good:
      'PyMODINIT_FUNC PyInit_spam(void) {\n    PyObject *m = PyModule_Create(&spam_module);\n    if (m == NULL) return NULL;\n#ifdef Py_GIL_DISABLED\n    PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);\n#endif\n    return m;\n}',
    remedy: SET_GIL_REMEDY,
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/howto/free-threading-extensions.html#single-phase-initialization', 'https://docs.python.org/3/c-api/module.html#c.PyUnstable_Module_SetGIL'],
  },
  check(ctx) {
    const mods = moduleFiles(ctx.files);
    const fnsWithSetGil = new Set(mods.flatMap((m) => m.facts.setGils.map((s) => s.fn)));
    const declares = moduleDeclaringParams(ctx.files);
    for (const m of mods) {
      for (const c of m.facts.creates) {
        if (c.kind !== 'single' || !c.fn) continue;
        if (fnsWithSetGil.has(c.fn)) continue;
        if ([...callersOf(mods, c.fn)].some((f) => fnsWithSetGil.has(f))) continue;
        // Declared by a helper the module is passed to (`setup(m)` → `PyUnstable_Module_SetGIL(mod, …)`), at any depth.
        if ((c.passedTo ?? []).some(([callee, arg]) => declares(callee, arg))) continue;
        if (onlyBefore313(c.conds)) continue;
        ctx.report(m.path, {
          line: c.pos.line,
          column: c.pos.column,
          endLine: c.endPos.line,
          endColumn: c.endPos.column,
          ...(c.setGilFix ? { fix: c.setGilFix } : {}),
          message: `module created by single-phase init in ${c.fn}() never calls PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED): importing it re-enables the GIL on free-threaded Python`,
        });
      }
    }
  },
});

const SET_GIL = new Set(['PyUnstable_Module_SetGIL', 'PyModule_ExperimentalSetGIL']);

/** (function, parameter position) pairs whose argument ends up as the module of a SetGIL call, at any depth. */
function moduleDeclaringParams(files: ProjectContext['files']): (fn: string, arg: number) => boolean {
  return throughParams(files, () => [], (fn, arg) => SET_GIL.has(fn) && arg === 0);
}
