import { remedyFor } from '../data/capi.js';
import { checkBorrowed, FT2_NEVER_FREE_THREADED_NOTE } from './_borrowed.js';
import { defineFileRule } from './types.js';

export default defineFileRule({
  meta: {
    id: 'FT206',
    name: 'borrowed-sys-object',
    title: 'PySys_GetObject returns a borrowed reference to a sys attribute any thread can rebind',
    family: 'FT2',
    severity: 'warning',
    why:
      '`PySys_GetObject("stdout")` returns a borrowed reference; any thread can rebind `sys.stdout` (or `sys.path`, …) and free the old object while ' +
      'you use it. `PySys_GetOptionalAttrString` / `PySys_GetAttrString` (3.15) return strong references; pythoncapi_compat.h provides them for older versions.' +
      '\n\n' +
      FT2_NEVER_FREE_THREADED_NOTE,
    bad: 'PyObject *out = PySys_GetObject("stdout");\nPyFile_WriteString("hi", out);',
    good: 'PyObject *out;\nif (PySys_GetOptionalAttrString("stdout", &out) <= 0) return NULL;\nPyFile_WriteString("hi", out);\nPy_DECREF(out);',
    remedy: remedyFor('PySys_GetObject'),
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3.15/c-api/sys.html', 'pythoncapi_compat.h (PySys_GetOptionalAttrString, < 0x030F0000)'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    checkBorrowed(ctx, ['PySys_GetObject'], (api) => `${api}() returns a borrowed reference; another thread can rebind the sys attribute and free it`);
  },
});
