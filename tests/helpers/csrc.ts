// Small C extension modules written for ftlint's ABI tests (compiled by tests/helpers/native.ts).

const head = '#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n';

function moduleTail(name: string, fn: string): string {
  return `
static PyMethodDef ${name}_methods[] = {{"${fn}", ${fn}, METH_VARARGS, NULL}, {NULL, NULL, 0, NULL}};
static PyModuleDef_Slot ${name}_slots[] = {
#ifdef Py_GIL_DISABLED
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL}};
static struct PyModuleDef ${name}_def = {PyModuleDef_HEAD_INIT, "${name}", NULL, 0, ${name}_methods, ${name}_slots};
PyMODINIT_FUNC PyInit_${name}(void) { return PyModuleDef_Init(&${name}_def); }
`;
}

/** Borrowed-reference calls (PyDict_GetItem, PyList_GetItem, PyWeakref_GetObject), a critical section and Py_DECREF. */
export function borrowedModule(name: string): string {
  return `${head}
static PyObject *
lookup(PyObject *self, PyObject *args)
{
    PyObject *d, *k, *v = NULL;
    if (!PyArg_ParseTuple(args, "OO", &d, &k))
        return NULL;
    Py_BEGIN_CRITICAL_SECTION(d);
    v = PyDict_GetItem(d, k);
    Py_XINCREF(v);
    Py_END_CRITICAL_SECTION();
    PyObject *first = PyList_GetItem(k, 0);
    PyObject *target = PyWeakref_GetObject(first);
    (void)target;
    Py_DECREF(k);
    if (v == NULL)
        Py_RETURN_NONE;
    return v;
}
${moduleTail(name, 'lookup')}`;
}

/** The ported version: strong references only, Py_DECREF, a critical section. */
export function cleanModule(name: string): string {
  return `${head}
static PyObject *
lookup(PyObject *self, PyObject *args)
{
    PyObject *d, *k, *v = NULL;
    if (!PyArg_ParseTuple(args, "OO", &d, &k))
        return NULL;
    Py_BEGIN_CRITICAL_SECTION(d);
    if (PyDict_GetItemRef(d, k, &v) < 0)
        v = NULL;
    Py_END_CRITICAL_SECTION();
    if (v == NULL)
        Py_RETURN_NONE;
    PyObject *r = PyObject_Repr(v);
    Py_DECREF(v);
    return r;
}
${moduleTail(name, 'lookup')}`;
}

/** No reference counting at all: its imports say nothing about the ABI. */
export function norefModule(name: string): string {
  return `${head}
static PyObject *
answer(PyObject *self, PyObject *args)
{
    return PyLong_FromLong(42);
}
${moduleTail(name, 'answer')}`;
}

/** Calls a function CPython 3.13 no longer exports (declared by hand, as old generated code did). */
export function removedModule(name: string): string {
  return `${head}
PyAPI_FUNC(PyObject *) _PyDict_GetItemWithError(PyObject *dp, PyObject *key);
static PyObject *
get(PyObject *self, PyObject *args)
{
    PyObject *d, *k;
    if (!PyArg_ParseTuple(args, "OO", &d, &k))
        return NULL;
    PyObject *v = _PyDict_GetItemWithError(d, k);
    if (v == NULL)
        return NULL;
    return Py_NewRef(v);
}
${moduleTail(name, 'get')}`;
}

/** Iterates a dict with PyDict_Next, with or without a critical section. */
export function dictNextModule(name: string, locked: boolean): string {
  return `${head}
static PyObject *
count(PyObject *self, PyObject *args)
{
    PyObject *d, *key, *value;
    Py_ssize_t pos = 0, n = 0;
    if (!PyArg_ParseTuple(args, "O", &d))
        return NULL;
    ${locked ? 'Py_BEGIN_CRITICAL_SECTION(d);' : ''}
    while (PyDict_Next(d, &pos, &key, &value))
        n++;
    ${locked ? 'Py_END_CRITICAL_SECTION();' : ''}
    Py_DECREF(d);
    return PyLong_FromSsize_t(n);
}
${moduleTail(name, 'count')}`;
}

/** Single-phase init that declares itself free-threading safe (PyUnstable_Module_SetGIL exists only in free-threaded builds). */
export function singlePhaseModule(name: string): string {
  return `${head}
static struct PyModuleDef ${name}_def = {PyModuleDef_HEAD_INIT, "${name}", NULL, -1, NULL};
PyMODINIT_FUNC PyInit_${name}(void)
{
    PyObject *m = PyModule_Create(&${name}_def);
    if (m == NULL)
        return NULL;
#ifdef Py_GIL_DISABLED
    PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
#endif
    return m;
}
`;
}

/** For the "mixed" binary: a helper translation unit that drops a reference (compiled without Py_GIL_DISABLED). */
export const helperUnit = `${head}
void helper_release(PyObject *o) { Py_DECREF(o); }
`;

/** The module half of the mixed binary, calling the helper. */
export function mixedModule(name: string): string {
  return `${head}
void helper_release(PyObject *o);
static PyObject *
drop(PyObject *self, PyObject *args)
{
    PyObject *o;
    if (!PyArg_ParseTuple(args, "O", &o))
        return NULL;
    Py_INCREF(o);
    helper_release(o);
    Py_DECREF(o);
    Py_RETURN_NONE;
}
${moduleTail(name, 'drop')}`;
}
