// Fuzz targets: each takes an input, runs one part of ftlint on it, and checks the invariants that must
// hold for any input: no exception escapes, positions stay inside the file, output stays well-formed.
// Used by `npm run fuzz` (time-bounded, coverage of many inputs) and by tests/fuzz.test.ts (a fixed,
// seeded number of runs in CI). Crashers are saved under fixtures/fuzz-crashers/ as regression inputs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { run, selectRules } from '../src/engine/run.js';
import { lowerC, codeView } from '../src/parse/lower.js';
import { formatJson } from '../src/report/json.js';

export interface Target<T> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** Throws (assertion) when an invariant breaks. */
  check(input: T): Promise<void>;
  /** The input as file bytes, to save a crasher. */
  bytes(input: T): Buffer;
  ext: string;
}

const SEEDS = [
  '#include <Python.h>\nstatic PyObject *f(PyObject *self, PyObject *d) {\n    PyObject *v = PyDict_GetItem(d, self);\n    return Py_NewRef(v);\n}\n',
  'static PyModuleDef_Slot slots[] = {\n    {Py_mod_exec, exec},\n#if PY_VERSION_HEX >= 0x030D0000\n    {Py_mod_gil, Py_MOD_GIL_NOT_USED},\n#endif\n    {0, NULL}\n};\n',
  'static int g(PyObject *o) {\n    Py_BEGIN_CRITICAL_SECTION(o);\n    if (x) goto done;\n    while (PyDict_Next(o, &pos, &k, &v)) { break; }\ndone:\n    Py_END_CRITICAL_SECTION();\n    return 0;\n}\n',
  'static long counter;\nstatic PyObject *cache;\nstatic PyObject *m(PyObject *s, PyObject *a) {\n    if (cache == NULL) cache = PyDict_New();\n    counter++;\n    Py_BEGIN_ALLOW_THREADS\n    read(0, buf, 1);\n    Py_END_ALLOW_THREADS\n    return NULL;\n}\n',
  'typedef struct { PyObject_HEAD int n; PyObject *x; } O;\nstatic PyObject *meth(O *self, PyObject *a) { self->n++; Py_XSETREF(self->x, a); return NULL; }\nstatic PyMethodDef ms[] = {{"m", (PyCFunction)meth, METH_O, NULL}, {NULL}};\n',
  'PyMODINIT_FUNC PyInit_x(void) {\n    PyObject *m = PyModule_Create(&def);\n#ifdef Py_GIL_DISABLED\n    PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);\n#endif\n    return m;\n}\n',
];

const TOKENS = [
  '{', '}', '(', ')', ';', '"', "'", '/*', '*/', '//', '\\\n', '\n', '\r\n', '#if X\n', '#else\n', '#endif\n', '#define Py_mod_gil 0\n',
  'Py_BEGIN_CRITICAL_SECTION(o);', 'Py_END_CRITICAL_SECTION();', 'Py_BEGIN_CRITICAL_SECTION2(a, b);', 'Py_END_CRITICAL_SECTION2();',
  'Py_BEGIN_ALLOW_THREADS', 'Py_END_ALLOW_THREADS', 'Py_BLOCK_THREADS', 'PyObject_HEAD', 'PyMODINIT_FUNC', 'return NULL;', 'goto out;',
  'out:', 'break;', 'PyDict_GetItem(d, k)', 'PyGILState_Ensure()', 'PyMutex_Lock(&m);', 'self->x = 1;', 'static int q;', 'é', '日本', '😀',
  '\u2028', '\0', '\ufeff', 'R"(', ')"', '0x030D0000', '{Py_mod_gil, Py_MOD_GIL_NOT_USED},',
];

/** Real-looking extension code, mutated: spans deleted, duplicated, tokens inserted, text truncated. */
export const cSource: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.constantFrom(...SEEDS), { minLength: 1, maxLength: 4 }),
    fc.array(
      fc.oneof(
        fc.record({ op: fc.constant('insert' as const), at: fc.nat(), tok: fc.constantFrom(...TOKENS) }),
        fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.nat({ max: 40 }) }),
        fc.record({ op: fc.constant('dup' as const), at: fc.nat(), len: fc.nat({ max: 80 }) }),
        fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
        fc.record({ op: fc.constant('nest' as const), depth: fc.nat({ max: 300 }) }),
      ),
      { maxLength: 12 },
    ),
  )
  .map(([seeds, ops]) => {
    let s = seeds.join('\n');
    for (const o of ops) {
      const at = s.length === 0 ? 0 : ('at' in o ? o.at : 0) % (s.length + 1);
      if (o.op === 'insert') s = s.slice(0, at) + o.tok + s.slice(at);
      else if (o.op === 'delete') s = s.slice(0, at) + s.slice(at + o.len);
      else if (o.op === 'dup') s = s.slice(0, at + o.len) + s.slice(at, at + o.len) + s.slice(at + o.len);
      else if (o.op === 'truncate') s = s.slice(0, at);
      else s += `int deep(void) { return ${'('.repeat(o.depth)}1${')'.repeat(o.depth)}; }\n${'{'.repeat(o.depth)}${'}'.repeat(o.depth)}\n`;
    }
    return s;
  });

const PER_INPUT_MS = 10_000;

function assertPositions(text: string, findings: { range: { start: { line: number; column: number }; end: { line: number; column: number } } }[]): void {
  const lines = text.replace(/^\ufeff/, '').split('\n');
  for (const f of findings) {
    for (const p of [f.range.start, f.range.end]) {
      if (!(p.line >= 1 && p.line <= lines.length)) throw new Error(`line ${p.line} outside 1..${lines.length}`);
      const len = (lines[p.line - 1] ?? '').length;
      if (!(p.column >= 1 && p.column <= len + 1)) throw new Error(`column ${p.column} outside 1..${len + 1} on line ${p.line}`);
    }
  }
}

/** The whole C front end and every rule, through the public engine, on one file. */
export const frontEnd: Target<string> = {
  name: 'c-front-end',
  arbitrary: cSource,
  ext: 'c',
  bytes: (s) => Buffer.from(s, 'utf8'),
  async check(text) {
    // Lowering keeps every offset: same length, and newlines where they were.
    const low = lowerC(text);
    if (low.text.length !== text.length) throw new Error('lowering changed the length');
    const cv = codeView(low.text);
    if (cv.length !== text.length) throw new Error('code view changed the length');
    for (let i = 0; i < text.length; i++) if ((text.charCodeAt(i) === 10) !== (low.text.charCodeAt(i) === 10)) throw new Error(`newline moved at ${i}`);
    const dir = mkdtempSync(join(tmpdir(), 'ftlint-fuzz-'));
    try {
      writeFileSync(join(dir, 'input.c'), text);
      const t0 = performance.now();
      const result = await run({ paths: [dir], cwd: dir, ruleIds: selectRules(undefined, undefined), jobs: 1, cacheDir: null });
      const ms = performance.now() - t0;
      if (ms > PER_INPUT_MS) throw new Error(`took ${ms.toFixed(0)} ms (bound ${PER_INPUT_MS} ms)`);
      if (result.diagnostics.some((d) => /internal error/.test(d.message))) throw new Error(result.diagnostics.map((d) => d.message).join('; '));
      assertPositions(text, result.findings);
      JSON.parse(formatJson(result, 'fuzz'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const TARGETS: Target<unknown>[] = [frontEnd as Target<unknown>];
