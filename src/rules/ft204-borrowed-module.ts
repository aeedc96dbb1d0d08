import { remedyFor } from '../data/capi.js';
import { checkBorrowed, FT2_NEVER_FREE_THREADED_NOTE } from './_borrowed.js';
import { defineFileRule } from './types.js';

export default defineFileRule({
  meta: {
    id: 'FT204',
    name: 'borrowed-module',
    title: 'PyImport_AddModule returns a module borrowed from sys.modules',
    family: 'FT2',
    severity: 'warning',
    why:
      'The module returned by `PyImport_AddModule`/`PyImport_AddModuleObject` is borrowed from `sys.modules`; another thread can delete that entry ' +
      'and free the module. `PyImport_AddModuleRef` (3.13) returns a strong reference; for look-ups only, `PyImport_GetModule` (3.7) does too.' +
      '\n\n' +
      FT2_NEVER_FREE_THREADED_NOTE,
    bad: 'PyObject *main = PyImport_AddModule("__main__");\nPyObject *d = PyModule_GetDict(main);',
    good: 'PyObject *main = PyImport_AddModuleRef("__main__");\nif (main == NULL) return NULL;\n/* … */\nPy_DECREF(main);',
    remedy: remedyFor('PyImport_AddModule'),
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/howto/free-threading-extensions.html#borrowed-references', 'gh-105922'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    checkBorrowed(ctx, ['PyImport_AddModule', 'PyImport_AddModuleObject'], (api) =>
      `${api}() returns a reference borrowed from sys.modules; another thread can remove the module and free it`,
    );
  },
});
