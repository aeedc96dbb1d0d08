// A deterministic synthetic corpus of extension-style C: types with PyObject_HEAD, method tables,
// dict/list access, critical sections, allow-threads regions, globals and module definitions, in files
// of 8–64 KB. The same seed and size always give the same bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

function typeBlock(r: () => number, mod: string, t: number): string {
  const T = `${mod}_T${t}`;
  const fields = ['count', 'size', 'pos', 'flags', 'limit'].slice(0, 2 + Math.floor(r() * 4));
  const methods: string[] = [];
  const bodies: string[] = [];
  const nMethods = 4 + Math.floor(r() * 8);
  for (let m = 0; m < nMethods; m++) {
    const name = `${T}_m${m}`;
    methods.push(`    {"m${m}", (PyCFunction)${name}, METH_O, "method ${m} of ${T}"},`);
    const f = pick(r, fields);
    const kind = Math.floor(r() * 6);
    let body: string;
    switch (kind) {
      case 0:
        body = `    PyObject *v = PyDict_GetItem(self->dict, arg);\n    if (v == NULL) {\n        Py_RETURN_NONE;\n    }\n    return Py_NewRef(v);`;
        break;
      case 1:
        body = `    PyObject *res = NULL;\n    Py_BEGIN_CRITICAL_SECTION(self);\n    self->${f} += 1;\n    res = PyLong_FromSsize_t(self->${f});\n    Py_END_CRITICAL_SECTION();\n    return res;`;
        break;
      case 2:
        body = `    Py_ssize_t pos = 0;\n    PyObject *key, *value;\n    long total = 0;\n    while (PyDict_Next(self->dict, &pos, &key, &value)) {\n        total += PyLong_AsLong(value);\n        if (total < 0 && PyErr_Occurred()) {\n            return NULL;\n        }\n    }\n    return PyLong_FromLong(total);`;
        break;
      case 3:
        body = `    Py_ssize_t n;\n    char buf[256];\n    Py_BEGIN_ALLOW_THREADS\n    n = (Py_ssize_t)snprintf(buf, sizeof buf, "%ld", (long)${m});\n    Py_END_ALLOW_THREADS\n    return PyUnicode_FromStringAndSize(buf, n);`;
        break;
      case 4:
        body = `    PyObject *list = PyList_New(0);\n    if (list == NULL) {\n        return NULL;\n    }\n    for (Py_ssize_t i = 0; i < self->${f}; i++) {\n        PyObject *item = PyLong_FromSsize_t(i * ${m + 1});\n        if (item == NULL || PyList_Append(list, item) < 0) {\n            Py_XDECREF(item);\n            Py_DECREF(list);\n            return NULL;\n        }\n        Py_DECREF(item);\n    }\n    return list;`;
        break;
      default:
        body = `    /* ${'x'.repeat(Math.floor(r() * 60))} */\n    if (!PyLong_Check(arg)) {\n        PyErr_SetString(PyExc_TypeError, "expected an int for ${name}");\n        return NULL;\n    }\n    self->${f} = PyLong_AsSsize_t(arg);\n    Py_RETURN_NONE;`;
    }
    bodies.push(`static PyObject *\n${name}(${T}Object *self, PyObject *arg)\n{\n${body}\n}\n`);
  }
  return [
    `typedef struct {\n    PyObject_HEAD\n    PyObject *dict;\n${fields.map((f) => `    Py_ssize_t ${f};`).join('\n')}\n} ${T}Object;\n`,
    ...bodies,
    `static PyMethodDef ${T}_methods[] = {\n${methods.join('\n')}\n    {NULL, NULL, 0, NULL}\n};\n`,
    `static PyType_Slot ${T}_slots[] = {\n    {Py_tp_methods, ${T}_methods},\n    {0, NULL}\n};\n`,
  ].join('\n');
}

function fileText(r: () => number, idx: number, targetBytes: number): string {
  const mod = `mod${idx}`;
  const parts = [
    `/* ${mod}.c — synthetic extension module for ftlint's benchmark */\n#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n#include <string.h>\n`,
    `static PyObject *${mod}_cache = NULL;\nstatic long ${mod}_calls = 0;\n`,
  ];
  let size = parts.join('').length;
  let t = 0;
  while (size < targetBytes - 600) {
    const block = typeBlock(r, mod, t++);
    parts.push(block);
    size += block.length;
  }
  parts.push(
    `static int\n${mod}_exec(PyObject *m)\n{\n    ${mod}_cache = PyDict_New();\n    return ${mod}_cache == NULL ? -1 : 0;\n}\n`,
    `static PyModuleDef_Slot ${mod}_slots[] = {\n    {Py_mod_exec, ${mod}_exec},\n#if PY_VERSION_HEX >= 0x030D0000\n    {Py_mod_gil, Py_MOD_GIL_NOT_USED},\n#endif\n    {0, NULL}\n};\n`,
    `static struct PyModuleDef ${mod}_def = {\n    PyModuleDef_HEAD_INIT, "${mod}", NULL, 0, NULL, ${mod}_slots,\n};\n\nPyMODINIT_FUNC\nPyInit_${mod}(void)\n{\n    return PyModuleDef_Init(&${mod}_def);\n}\n`,
  );
  return parts.join('\n');
}

/** Writes ~`totalBytes` of C into `dir`; returns the number of files and bytes written. */
export function writeCorpus(dir: string, totalBytes: number, seed = 42): { files: number; bytes: number } {
  mkdirSync(dir, { recursive: true });
  const r = rng(seed);
  let bytes = 0;
  let files = 0;
  while (bytes < totalBytes) {
    const size = 8_000 + Math.floor(r() * 56_000);
    const text = fileText(r, files, size);
    writeFileSync(join(dir, `mod${String(files).padStart(5, '0')}.c`), text);
    bytes += Buffer.byteLength(text);
    files++;
  }
  return { files, bytes };
}
