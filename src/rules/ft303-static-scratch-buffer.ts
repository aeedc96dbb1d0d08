import { globalModel, related, unprotected } from './_globals.js';
import { defineProjectRule } from './types.js';

export default defineProjectRule({
  meta: {
    id: 'FT303',
    name: 'static-scratch-buffer',
    title: 'Static buffer used as scratch space at run time',
    family: 'FT3',
    severity: 'warning',
    why:
      'A `static char buf[256]` filled with `snprintf`, `strcpy` or element writes while the module is in use is one buffer for all threads: ' +
      'two concurrent calls overwrite each other\'s data, and a caller can return or parse the other thread\'s text. Use a buffer on the stack, ' +
      'or allocate one per call (`PyMem_Malloc`).\n\nQuiet for buffers filled only during module init, writes under a lock, `const` tables, and thread-local buffers.',
    bad: 'static char buf[64];\n\nstatic PyObject *\nformat_id(PyObject *self, PyObject *arg)\n{\n    snprintf(buf, sizeof buf, "id-%ld", PyLong_AsLong(arg));\n    return PyUnicode_FromString(buf);\n}',
    good: 'static PyObject *\nformat_id(PyObject *self, PyObject *arg)\n{\n    char buf[64];  /* one per call */\n    snprintf(buf, sizeof buf, "id-%ld", PyLong_AsLong(arg));\n    return PyUnicode_FromString(buf);\n}',
    remedy: {
      api: 'a stack buffer, or PyMem_Malloc per call',
      since: null,
      compat: null,
      snippet: 'char buf[64];                      /* on the stack: private to the call */\n/* or */\nchar *buf = PyMem_Malloc(size);    /* per call; PyMem_Free(buf) when done */',
    },
    exampleLanguage: 'c',
    references: ['https://py-free-threading.github.io/porting-extensions/', 'python/cpython#120559 (fileutils.c statics)'],
  },
  check(ctx) {
    for (const g of globalModel(ctx.files).globals) {
      if (g.v.kind !== 'buffer' || g.v.isThreadSafe || g.v.isConst) continue;
      const ws = unprotected(g);
      const first = ws[0];
      if (!first) continue;
      ctx.report(first.file, {
        line: first.pos.line,
        column: first.pos.column,
        endLine: first.endPos.line,
        endColumn: first.endPos.column,
        lineText: first.lineText,
        message: `static buffer '${g.v.name}' is written at run time in ${first.fn}(): concurrent calls overwrite each other's data`,
        related: [{ path: g.file, line: g.v.pos.line, column: g.v.pos.column, message: `'${g.v.name}' is declared here` }, ...related(ws, 1, 'also written')],
      });
    }
  },
});
