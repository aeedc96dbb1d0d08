import { globalModel, reportAtWrite, unprotected } from './_globals.js';
import { defineProjectRule } from './types.js';

export default defineProjectRule({
  meta: {
    id: 'FT301',
    name: 'global-object-cache',
    title: 'Global object pointer filled lazily or replaced at run time',
    family: 'FT3',
    severity: 'warning',
    why:
      'A global `PyObject *` (or other pointer) cache such as `if (cache == NULL) cache = PyImport_ImportModule(...)` was safe under the GIL. ' +
      'Without it two threads can both see NULL, both initialise it — leaking one object — and a reader can see the pointer before the object is ' +
      'fully built; replacing the pointer (`Py_XSETREF(cache, …)`) can free an object another thread is using. Move the cache to module state and ' +
      'fill it in the `Py_mod_exec` slot, or guard the first use with a `PyMutex` (3.13) or `Py_BEGIN_CRITICAL_SECTION_MUTEX` (3.14).\n\n' +
      'Quiet when every run-time write is under a lock, a critical section or a C++ lock guard, when the global is written only during module ' +
      'init (`PyInit_*`, `Py_mod_exec` functions and functions called only from them), when the write is compiled only for builds with the GIL ' +
      '(`#ifndef Py_GIL_DISABLED`), and for thread-local or atomic globals.',
    bad: 'static PyObject *json_loads = NULL;\n\nstatic PyObject *\nparse(PyObject *self, PyObject *s)\n{\n    if (json_loads == NULL) {\n        PyObject *json = PyImport_ImportModule("json");\n        json_loads = PyObject_GetAttrString(json, "loads");\n        Py_DECREF(json);\n    }\n    return PyObject_CallOneArg(json_loads, s);\n}',
    good:
      'typedef struct { PyObject *json_loads; } module_state;\n\nstatic int\nexec_module(PyObject *m)  /* Py_mod_exec: runs once, before other threads can see the module */\n{\n    module_state *st = PyModule_GetState(m);\n    PyObject *json = PyImport_ImportModule("json");\n    if (json == NULL) return -1;\n    st->json_loads = PyObject_GetAttrString(json, "loads");\n    Py_DECREF(json);\n    return st->json_loads ? 0 : -1;\n}',
    remedy: {
      api: 'PyMutex',
      since: '3.13',
      compat: null,
      snippet:
        '/* Preferred: module state filled in the Py_mod_exec slot (PyModule_GetState). Otherwise: */\nstatic PyMutex cache_lock;  /* zero-initialised */\nPyMutex_Lock(&cache_lock);\nif (cache == NULL) {\n    cache = create();\n}\nPyObject *obj = Py_XNewRef(cache);\nPyMutex_Unlock(&cache_lock);',
    },
    exampleLanguage: 'c',
    references: ['https://py-free-threading.github.io/porting-extensions/ (global caches)', 'https://docs.python.org/3/howto/free-threading-extensions.html', 'python/cpython#129983'],
    limitations:
      'Whether a function runs only during module init is derived from the call graph of the scanned files; functions called through pointers ' +
      'other than method tables and type slots are treated as run time.',
  },
  check(ctx) {
    for (const g of globalModel(ctx.files).globals) {
      if (g.v.kind !== 'object' && !(g.v.isPointer && g.v.kind === 'other')) continue;
      if (g.v.isThreadSafe || g.v.isConst) continue;
      const ws = unprotected(g).filter((w) => w.kind === 'assign' || w.kind === 'setref' || w.kind === 'addr');
      const first = ws.find((w) => w.lazy) ?? ws[0];
      if (!first) continue;
      const what = first.lazy
        ? `is filled lazily at run time in ${first.fn}()`
        : first.via
          ? `is stored into at run time by ${first.via.callee}(${first.via.expr}), called in ${first.fn}(),`
          : `is replaced at run time in ${first.fn}()`;
      reportAtWrite(ctx, first, `global '${g.v.name}' ${what} without a lock: threads can initialise it twice, leak, or use an object another thread frees`, ws, g);
    }
  },
});
