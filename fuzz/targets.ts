// Fuzz targets: each takes an input, runs one part of ftlint on it, and checks the invariants that must
// hold for any input: no exception escapes, positions stay inside the file, output stays well-formed.
// Used by `npm run fuzz` (time-bounded, coverage of many inputs) and by tests/fuzz.test.ts (a fixed,
// seeded number of runs in CI). Crashers are saved under fixtures/fuzz-crashers/ as regression inputs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { run, selectRules } from '../src/engine/run.js';
import { lowerC, codeView } from '../src/parse/lower.js';
import { formatJson } from '../src/report/json.js';
import { runAbi } from '../src/abi/check.js';
import { readProjectInfo } from '../src/engine/project-info.js';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { commentSpans, extractSuppressions } from '../src/suppress/comments.js';
import { buildElf, missing } from '../tests/helpers/native.js';
import { wheelEntries } from '../tests/helpers/wheel.js';
import { zipBytes } from '../tests/helpers/zip.js';

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

// ---- wheels and binaries -------------------------------------------------------------------------------

/** Seed binaries: a real ELF extension built with gcc against the 3.13 headers when a compiler is here. */
function seedBinaries(): Buffer[] {
  const seeds: Buffer[] = [];
  try {
    if (missing('elf').length === 0) {
      const so = buildElf([{ code: '#include <Python.h>\nPyObject *f(PyObject *d, PyObject *k) { PyObject *v = PyDict_GetItem(d, k); Py_XINCREF(v); Py_DECREF(d); return v; }\n', ft: true }]);
      seeds.push(readFileSync(so));
    }
  } catch {
    // no toolchain: the synthetic seed below still exercises the readers
  }
  // A minimal 64-bit little-endian ELF header (and nothing else) always works as a seed.
  const elf = Buffer.alloc(64);
  elf.write('\x7fELF', 0, 'latin1');
  elf[4] = 2;
  elf[5] = 1;
  elf[6] = 1;
  elf.writeUInt16LE(3, 16);
  elf.writeUInt16LE(62, 18);
  elf.writeUInt16LE(64, 52);
  seeds.push(elf);
  const pe = Buffer.alloc(256);
  pe.write('MZ', 0, 'latin1');
  pe.writeUInt32LE(64, 60);
  pe.write('PE\0\0', 64, 'latin1');
  seeds.push(pe);
  const macho = Buffer.alloc(64);
  macho.writeUInt32LE(0xfeedfacf, 0);
  seeds.push(macho);
  return seeds;
}

let binarySeeds: Buffer[] | null = null;

const bytesMutation = (seeds: () => Buffer[]) =>
  fc
    .tuple(
      fc.nat(),
      fc.array(
        fc.oneof(
          fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
          fc.record({ op: fc.constant('u32' as const), at: fc.nat(), v: fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 0x10000, 64) }),
          fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
          fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
        ),
        { maxLength: 8 },
      ),
    )
    .map(([pickSeed, ops]) => {
      const all = seeds();
      let b = Buffer.from(all[pickSeed % all.length] as Buffer);
      for (const o of ops) {
        if (b.length === 0) break;
        const at = o.at % b.length;
        if (o.op === 'flip') b[at] = (b[at] as number) ^ (1 << o.bit);
        else if (o.op === 'u32' && at + 4 <= b.length) b.writeUInt32LE(o.v, at);
        else if (o.op === 'truncate') b = b.subarray(0, at);
        else if (o.op === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(o.bytes), b.subarray(at)]);
      }
      return b;
    });

async function checkArtifact(name: string, bytes: Buffer): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ftlint-fuzz-abi-'));
  try {
    writeFileSync(join(dir, name), bytes);
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    const { result } = await runAbi([join(dir, name)], dir, selectRules(undefined, undefined));
    const ms = performance.now() - t0;
    if (ms > PER_INPUT_MS) throw new Error(`took ${ms.toFixed(0)} ms`);
    const grew = process.memoryUsage().rss - before;
    if (grew > 512 * 1024 * 1024) throw new Error(`memory grew by ${(grew / 1048576).toFixed(0)} MB`);
    if (result.diagnostics.some((d) => /internal error/.test(d.message))) throw new Error(result.diagnostics.map((d) => d.message).join('; '));
    JSON.parse(formatJson(result, 'fuzz'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** ELF, PE and Mach-O readers on bit-flipped, truncated and stretched binaries. */
export const binaries: Target<Buffer> = {
  name: 'binary-readers',
  arbitrary: bytesMutation(() => (binarySeeds ??= seedBinaries())),
  ext: 'so',
  bytes: (b) => b,
  check: (b) => checkArtifact('mod.cpython-313t-x86_64-linux-gnu.so', b),
};

/** The wheel (zip) reader and wheel checks on mutated wheels built around the seed binaries. */
export const wheels: Target<Buffer> = {
  name: 'wheel-reader',
  arbitrary: bytesMutation(() => {
    binarySeeds ??= seedBinaries();
    return binarySeeds.map((so) =>
      zipBytes(
        wheelEntries({
          fileName: 'spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl',
          files: [
            { name: 'spam/mod.cpython-313t-x86_64-linux-gnu.so', data: so },
            { name: 'spam/__init__.py', data: Buffer.from('') },
          ],
        }),
      ),
    );
  }),
  ext: 'whl',
  bytes: (b) => b,
  check: (b) => checkArtifact('spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl', b),
};

// ---- Python sources and packaging metadata ------------------------------------------------------------

const PY_SEEDS = [
  'import os\nimport warnings\n\ndef configure(level):\n    os.environ["LEVEL"] = level\n    warnings.simplefilter("ignore")\n',
  'import sys\n_cache = None\n\ndef get():\n    global _cache\n    if _cache is None:\n        _cache = {}\n    return _cache\n',
];
const TOML_SEEDS = [
  '[project]\nname = "spam"\nrequires-python = ">=3.9"\nclassifiers = ["Programming Language :: Python :: Free Threading :: 2 - Beta"]\n\n[tool.cibuildwheel]\nbuild = "cp3*"\nskip = "cp31?t-*"\n',
  '[build-system]\nrequires = ["setuptools>=64", "cython>=3.0"]\n[tool.setuptools]\next-modules = [{name = "spam", sources = ["spam.c"], py-limited-api = true}]\n',
];
const textMutation = (seeds: string[], tokens: string[]) =>
  fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(
        fc.oneof(
          fc.record({ op: fc.constant('insert' as const), at: fc.nat(), tok: fc.constantFrom(...tokens) }),
          fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.nat({ max: 20 }) }),
          fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
        ),
        { maxLength: 10 },
      ),
    )
    .map(([seed, ops]) => {
      let s = seed;
      for (const o of ops) {
        const at = s.length === 0 ? 0 : o.at % (s.length + 1);
        if (o.op === 'insert') s = s.slice(0, at) + o.tok + s.slice(at);
        else if (o.op === 'delete') s = s.slice(0, at) + s.slice(at + o.len);
        else s = s.slice(0, at);
      }
      return s;
    });

async function checkSourceFile(name: string, text: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ftlint-fuzz-src-'));
  try {
    writeFileSync(join(dir, name), text);
    const t0 = performance.now();
    const result = await run({ paths: [dir], cwd: dir, ruleIds: selectRules(undefined, undefined), jobs: 1, cacheDir: null });
    if (performance.now() - t0 > PER_INPUT_MS) throw new Error('too slow');
    if (result.diagnostics.some((d) => /internal error/.test(d.message))) throw new Error(result.diagnostics.map((d) => d.message).join('; '));
    assertPositions(text, result.findings.filter((f) => f.path.endsWith(name)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const pythonSources: Target<string> = {
  name: 'python-source',
  arbitrary: textMutation(PY_SEEDS, ['(', ')', ':', '\n', '    ', 'global ', 'os.environ[', '"', "'''", '\\\n', 'é', '\t', 'def f(', 'with ', 'lambda: ']),
  ext: 'py',
  bytes: (s) => Buffer.from(s, 'utf8'),
  check: (s) => checkSourceFile('lib.py', s),
};

export const pyprojectToml: Target<string> = {
  name: 'pyproject-toml',
  arbitrary: textMutation(TOML_SEEDS, ['[', ']', '"', '=', '\n', '{', '}', ',', '[[', ']]', "'''", '#', 'é', 'true', '1e999']),
  ext: 'toml',
  bytes: (s) => Buffer.from(s, 'utf8'),
  check: async (s) => {
    await checkSourceFile('pyproject.toml', s);
    // The project facts reader (requires-python) must not throw either.
    const dir = mkdtempSync(join(tmpdir(), 'ftlint-fuzz-toml-'));
    try {
      writeFileSync(join(dir, 'pyproject.toml'), s);
      readProjectInfo(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

// ---- configuration and suppression comments -----------------------------------------------------------

const CONFIG_SEEDS = [
  '[tool.ftlint]\nselect = ["FT2", "FT101"]\nignore = ["FT207"]\ntarget-version = "3.9"\n\n[tool.ftlint.per-file-ignores]\n"tests/*" = ["FT3"]\n\n[tool.ftlint.severity]\nFT201 = "error"\n',
  '[tool.ftlint]\nexclude = ["build/"]\nfail-on = "error"\n[tool.ftlint.rules.FT302]\ninit-functions = ["setup"]\n',
];

/** `[tool.ftlint]` parsing and validation: a clean ConfigError or a result, never a crash. */
export const configToml: Target<string> = {
  name: 'config',
  arbitrary: textMutation(CONFIG_SEEDS, ['[', ']', '"', '=', '\n', '{', '}', ',', '3.', 'FT', 'FT9', '-1', 'true', '"*"', '[tool.ftlint.rules.FT999]\n', 'é']),
  ext: 'toml',
  bytes: (s) => Buffer.from(s, 'utf8'),
  check: async (s) => {
    const dir = mkdtempSync(join(tmpdir(), 'ftlint-fuzz-cfg-'));
    try {
      writeFileSync(join(dir, 'pyproject.toml'), s);
      try {
        loadConfig(join(dir, 'pyproject.toml'));
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        if (!/pyproject\.toml/.test(e.message)) throw new Error(`config error does not name the file: ${e.message}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** Suppression comments in C and Python: parsing never throws, spans stay in the file. */
export const suppressionComments: Target<string> = {
  name: 'suppressions',
  arbitrary: textMutation(
    ['int f(void) { return g(); }  // ftlint: ignore[FT201]\n/* ftlint: ignore-next-line[FT201, FT202] */\nh();\n', 'x = 1  # ftlint: ignore[FT701]\n# ftlint: ignore\n'],
    ['//', '/*', '*/', '#', 'ftlint:', 'ignore', '[', ']', ',', 'FT', '\n', '"', "'", '\\\n', 'ignore-next-line'],
  ),
  ext: 'c',
  bytes: (s) => Buffer.from(s, 'utf8'),
  check: async (s) => {
    for (const lang of ['c', 'python'] as const) {
      for (const [a, b] of commentSpans(s, lang)) if (!(a >= 0 && a <= b && b <= s.length)) throw new Error(`comment span ${a}-${b} outside the text`);
      extractSuppressions(s, lang);
    }
  },
};

export const TARGETS: Target<unknown>[] = [frontEnd, binaries, wheels, pythonSources, pyprojectToml, configToml, suppressionComments] as Target<unknown>[];
