import { remedyFor } from '../data/capi.js';
import { checkBorrowed, FT2_NEVER_FREE_THREADED_NOTE } from './_borrowed.js';
import { defineFileRule } from './types.js';

export default defineFileRule({
  meta: {
    id: 'FT205',
    name: 'borrowed-frame-namespace',
    title: 'PyEval_GetBuiltins/GetGlobals/GetLocals return borrowed references',
    family: 'FT2',
    severity: 'info',
    why:
      '`PyEval_GetBuiltins`, `PyEval_GetGlobals` and `PyEval_GetLocals` return borrowed references to the current frame\'s namespaces; ' +
      'they are deprecated since 3.13 (PEP 667), and a borrowed reference that outlives the frame is a hazard once threads share frames\' ' +
      'namespaces. It is an info finding: a deprecation with a race behind it rather than a race on its own. `PyEval_GetFrameBuiltins`, `PyEval_GetFrameGlobals` and `PyEval_GetFrameLocals` ' +
      'return strong references — remember to `Py_DECREF` them; a plain rename leaks. pythoncapi_compat.h has no fallback: keep the old call under ' +
      '`#if PY_VERSION_HEX < 0x030D0000`.' +
      '\n\n' +
      FT2_NEVER_FREE_THREADED_NOTE,
    bad: 'PyObject *globals = PyEval_GetGlobals();\nPyObject *v = PyObject_GetItem(globals, name);',
    good: 'PyObject *globals = PyEval_GetFrameGlobals();\nif (globals == NULL) return NULL;\nPyObject *v = PyObject_GetItem(globals, name);\nPy_DECREF(globals);',
    remedy: remedyFor('PyEval_GetGlobals'),
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/c-api/reflection.html', 'PEP 667'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    checkBorrowed(ctx, ['PyEval_GetBuiltins', 'PyEval_GetGlobals', 'PyEval_GetLocals'], (api) =>
      `${api}() returns a borrowed reference (deprecated since 3.13); use the strong-reference frame API`,
    );
  },
});
