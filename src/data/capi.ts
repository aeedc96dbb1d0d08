// C-API facts ftlint encodes, each from ../shared/reference/free-threading-c-api.md (sources named
// there: the free-threading HOWTO, Doc/data/refcounts.dat, pythoncapi_compat.h, CPython headers).
import type { Remedy } from '../engine/types.js';

export const COMPAT = 'pythoncapi_compat.h';

export interface BorrowedApi {
  name: string;
  /** Which argument is the shared container/object whose mutation kills the borrowed reference. */
  container: number | null;
  remedy: Remedy;
}

const dictRef: Remedy = {
  api: 'PyDict_GetItemRef',
  since: '3.13',
  compat: COMPAT,
  snippet:
    'PyObject *value;\nint rc = PyDict_GetItemRef(dict, key, &value);  /* 1 found, 0 missing, -1 error */\nif (rc < 0) goto error;\n/* … use value … */\nPy_XDECREF(value);',
};

const weakrefRef: Remedy = {
  api: 'PyWeakref_GetRef',
  since: '3.13',
  compat: COMPAT,
  snippet: 'PyObject *obj;\nif (PyWeakref_GetRef(ref, &obj) < 0) goto error;  /* 1 alive, 0 dead */\nif (obj != NULL) { /* … */ Py_DECREF(obj); }',
};

export const BORROWED: Record<string, BorrowedApi> = {
  PyDict_GetItem: { name: 'PyDict_GetItem', container: 0, remedy: dictRef },
  PyDict_GetItemWithError: { name: 'PyDict_GetItemWithError', container: 0, remedy: dictRef },
  PyDict_GetItemString: {
    name: 'PyDict_GetItemString',
    container: 0,
    remedy: {
      api: 'PyDict_GetItemStringRef',
      since: '3.13',
      compat: COMPAT,
      snippet: 'PyObject *value;\nif (PyDict_GetItemStringRef(dict, "key", &value) < 0) goto error;\n/* … */\nPy_XDECREF(value);',
    },
  },
  PyDict_SetDefault: {
    name: 'PyDict_SetDefault',
    container: 0,
    remedy: {
      api: 'PyDict_SetDefaultRef',
      since: '3.13',
      compat: COMPAT,
      snippet: 'PyObject *result;\nif (PyDict_SetDefaultRef(dict, key, default_value, &result) < 0) goto error;\n/* … */\nPy_DECREF(result);',
    },
  },
  PyList_GetItem: {
    name: 'PyList_GetItem',
    container: 0,
    remedy: {
      api: 'PyList_GetItemRef',
      since: '3.13',
      compat: COMPAT,
      snippet: 'PyObject *item = PyList_GetItemRef(list, i);  /* strong reference */\nif (item == NULL) goto error;\n/* … */\nPy_DECREF(item);',
    },
  },
  PyList_GET_ITEM: {
    name: 'PyList_GET_ITEM',
    container: 0,
    remedy: {
      api: 'PyList_GetItemRef',
      since: '3.13',
      compat: COMPAT,
      snippet: 'PyObject *item = PyList_GetItemRef(list, i);  /* bounds-checked, strong reference */\nif (item == NULL) goto error;\n/* … */\nPy_DECREF(item);',
    },
  },
  PyWeakref_GetObject: { name: 'PyWeakref_GetObject', container: 0, remedy: weakrefRef },
  PyWeakref_GET_OBJECT: { name: 'PyWeakref_GET_OBJECT', container: 0, remedy: weakrefRef },
  PyImport_AddModule: {
    name: 'PyImport_AddModule',
    container: null,
    remedy: {
      api: 'PyImport_AddModuleRef',
      since: '3.13',
      compat: COMPAT,
      snippet: 'PyObject *mod = PyImport_AddModuleRef("name");  /* strong reference */\nif (mod == NULL) goto error;\n/* … */\nPy_DECREF(mod);',
    },
  },
  PyImport_AddModuleObject: {
    name: 'PyImport_AddModuleObject',
    container: null,
    remedy: {
      api: 'PyImport_AddModuleRef',
      since: '3.13',
      compat: COMPAT,
      snippet:
        '/* no object-name Ref variant: pass the UTF-8 name, or look up only */\nPyObject *mod = PyImport_AddModuleRef(name_utf8);\n/* or: PyObject *mod = PyImport_GetModule(name);  (strong, 3.7+) */',
    },
  },
  PySys_GetObject: {
    name: 'PySys_GetObject',
    container: null,
    remedy: {
      api: 'PySys_GetOptionalAttrString',
      since: '3.15',
      compat: COMPAT,
      snippet:
        'PyObject *value;\nif (PySys_GetOptionalAttrString("name", &value) < 0) goto error;  /* 1 found, 0 missing */\n/* … */\nPy_XDECREF(value);',
    },
  },
  PyEval_GetBuiltins: {
    name: 'PyEval_GetBuiltins',
    container: null,
    remedy: {
      api: 'PyEval_GetFrameBuiltins',
      since: '3.13',
      compat: null,
      snippet: 'PyObject *builtins = PyEval_GetFrameBuiltins();  /* strong reference: Py_DECREF it */',
    },
  },
  PyEval_GetGlobals: {
    name: 'PyEval_GetGlobals',
    container: null,
    remedy: {
      api: 'PyEval_GetFrameGlobals',
      since: '3.13',
      compat: null,
      snippet: 'PyObject *globals = PyEval_GetFrameGlobals();  /* strong reference: Py_DECREF it */',
    },
  },
  PyEval_GetLocals: {
    name: 'PyEval_GetLocals',
    container: null,
    remedy: {
      api: 'PyEval_GetFrameLocals',
      since: '3.13',
      compat: null,
      snippet: 'PyObject *locals = PyEval_GetFrameLocals();  /* strong reference: Py_DECREF it */',
    },
  },
  PyCell_GET: {
    name: 'PyCell_GET',
    container: 0,
    remedy: {
      api: 'PyCell_Get',
      since: '2.0',
      compat: null,
      snippet: 'PyObject *value = PyCell_Get(cell);  /* strong reference */\nif (value == NULL) goto error;\n/* … */\nPy_DECREF(value);',
    },
  },
};

export const CRITICAL_SECTION_REMEDY = (obj: string): Remedy => ({
  api: 'Py_BEGIN_CRITICAL_SECTION',
  since: '3.13',
  compat: COMPAT,
  snippet: `Py_BEGIN_CRITICAL_SECTION(${obj});\n/* … the whole loop … */\nPy_END_CRITICAL_SECTION();`,
});

/** Calls that return a new container nobody else can see yet. */
export const FRESH_CONTAINER_CONSTRUCTORS = new Set([
  'PyDict_New',
  'PyDict_Copy',
  '_PyDict_NewPresized',
  'PyList_New',
  'PyList_GetSlice',
  'PySequence_List',
  'PyDict_Keys',
  'PyDict_Values',
  'PyDict_Items',
  'PyMapping_Keys',
  'PyMapping_Values',
  'PyMapping_Items',
  'PyObject_Dir',
  'PySequence_Tuple',
  'PyTuple_New',
  'PyCell_New',
]);

/** Parameter names that hold the per-call keyword-argument dict (private to the call: the HOWTO says safe). */
export const KWARGS_NAMES = new Set(['kwds', 'kwargs', 'kw', 'keywds', 'kwdict', 'kwnames', 'keywords']);

export function remedyFor(name: string): Remedy {
  const api = BORROWED[name];
  if (!api) throw new Error(`no borrowed-API entry for ${name}`);
  return api.remedy;
}

export const MOD_GIL_SLOT_REMEDY: Remedy = {
  api: '{Py_mod_gil, Py_MOD_GIL_NOT_USED}',
  since: '3.13',
  compat: null,
  snippet: '#if PY_VERSION_HEX >= 0x030D0000\n    {Py_mod_gil, Py_MOD_GIL_NOT_USED},\n#endif\n    {0, NULL}',
};

export const SET_GIL_REMEDY: Remedy = {
  api: 'PyUnstable_Module_SetGIL',
  since: '3.13',
  compat: null,
  snippet:
    'PyObject *m = PyModule_Create(&moduledef);\nif (m == NULL) return NULL;\n#ifdef Py_GIL_DISABLED\nPyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);\n#endif\nreturn m;',
};
