// Safe fixes (--fix, --diff): apply, re-lint, and check that the fixed finding is gone, nothing else
// changed, the files still parse (tree-sitter, and gcc against CPython 3.13 headers when available),
// line endings and BOM are kept, and a second run changes nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type * as Sarif from 'sarif';
import { lowerC } from '../src/parse/lower.js';
import { initParsers, parse } from '../src/parse/parser.js';
import { ftlint } from './helpers/cli.js';
import { REPO } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftlint-fix-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

type J = { findings: { rule: string; path: string; line: number; message: string }[] };
const lint = (cwd: string, args: string[] = []) => JSON.parse(ftlint(['.', '-f', 'json', ...args], { cwd }).stdout) as J;
/** Findings without their line numbers (fixes move code down). */
const keyed = (j: J) => j.findings.map((f) => `${f.path} ${f.rule} ${f.message}`).sort();

const INCLUDE = '/root/.pyenv/versions/3.13.0/include/python3.13';
const gccMissing = spawnSync('gcc', ['--version']).status === 0 && existsSync(join(INCLUDE, 'Python.h')) ? false : 'gcc or CPython 3.13 headers not available';

/** ERROR/MISSING nodes, except the `#if`/`#endif` lines inside initializers that tree-sitter-c cannot place (gcc checks those). */
function errorNodes(text: string): number {
  const tree = parse('c', lowerC(text).text);
  assert.ok(tree);
  let n = 0;
  const walk = tree.rootNode.walk();
  for (;;) {
    if ((walk.nodeType === 'ERROR' && !/^#\s*(if|ifdef|ifndef|elif|else|endif)\b[^\n]*$/.test(walk.nodeText.trim())) || walk.nodeIsMissing) n++;
    if (walk.gotoFirstChild()) continue;
    while (!walk.gotoNextSibling()) {
      if (!walk.gotoParent()) {
        tree.delete();
        return n;
      }
    }
  }
}

function copy(name: string): string {
  const dir = join(tmp, name);
  cpSync(join(REPO, 'fixtures/fixes', name), dir, { recursive: true });
  return dir;
}

const cFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.c'));

describe('--fix', () => {
  before(() => initParsers());

  it('adds the slot (version-guarded) and the guarded SetGIL call; the findings go, nothing else changes', () => {
    const dir = copy('guarded');
    const beforeText = Object.fromEntries(cFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    const beforeFindings = lint(dir);
    assert.deepEqual(beforeFindings.findings.map((f) => `${f.rule}@${f.line}`).sort(), ['FT101@12', 'FT101@6', 'FT102@13', 'FT102@23', 'FT102@30', 'FT102@37', 'FT102@45', 'FT201@34'].sort());

    const r = ftlint(['.', '--fix', '-f', 'json'], { cwd: dir });
    assert.match(r.stderr, /fixed 6 problems in 2 files/);
    assert.deepEqual((JSON.parse(r.stdout) as J).findings.map((f) => f.rule).sort(), ['FT102', 'FT201'], 'the report shows what is left');

    const afterFindings = lint(dir);
    assert.deepEqual(keyed(afterFindings), keyed(beforeFindings).filter((k) => !/ FT10[12] /.test(k) || / FT102 .*PyInit_k/.test(k)));
    for (const f of cFiles(dir)) {
      const now = readFileSync(join(dir, f), 'utf8');
      assert.equal(errorNodes(now), errorNodes(beforeText[f] as string), `${f} parses as before`);
      // Insertions only (but for the `return PyModule_Create()` rewrite): every original line is still there, in order.
      const old = (beforeText[f] as string).split('\n').filter((l) => !/return PyModule_Create\(&f_def\)|a_exec\}, \{0, NULL\}/.test(l));
      const lines = now.split('\n');
      let k = 0;
      for (const l of lines) if (l === old[k]) k++;
      assert.equal(k, old.length, `${f}: original lines kept`);
    }
    const slots = readFileSync(join(dir, 'slots.c'), 'utf8');
    assert.match(slots, /\{Py_mod_exec, a_exec\},\n#if PY_VERSION_HEX >= 0x030D0000\n {4}\{Py_mod_gil, Py_MOD_GIL_NOT_USED\},\n#endif\n {4}\{0, NULL\}\n\};/);
    const single = readFileSync(join(dir, 'single.c'), 'utf8');
    assert.match(single, / {4}if \(!m\) \{\n {8}return NULL;\n {4}\}\n#ifdef Py_GIL_DISABLED\n {4}PyUnstable_Module_SetGIL\(m, Py_MOD_GIL_NOT_USED\);\n#endif\n {4}return m;/);
    assert.match(single, /\tPyObject \*module = PyModule_Create\(&e_def\);\n#ifdef Py_GIL_DISABLED\n\tif \(module != NULL\) \{\n\t\tPyUnstable_Module_SetGIL\(module, Py_MOD_GIL_NOT_USED\);\n\t\}\n#endif\n\treturn module;/);
    assert.match(single, / {4}PyObject \*module = PyModule_Create\(&f_def\);\n#ifdef Py_GIL_DISABLED\n[^]*?#endif\n {4}return module;/);

    const again = ftlint(['.', '--fix'], { cwd: dir });
    assert.doesNotMatch(again.stderr, /fixed/, 'a second run has nothing to fix');
  });

  it('fixed files still compile against CPython 3.13 headers, GIL and free-threaded', { skip: gccMissing }, () => {
    const dir = copy('guarded');
    ftlint(['.', '--fix'], { cwd: dir });
    for (const f of cFiles(dir)) {
      for (const defs of [[], ['-DPy_GIL_DISABLED=1']]) {
        const r = spawnSync('gcc', ['-fsyntax-only', '-Werror', '-Wno-unused-function', ...defs, '-I', INCLUDE, join(dir, f)], { encoding: 'utf8' });
        assert.equal(r.status, 0, `${f} ${defs.join(' ')}: ${r.stderr}`);
      }
    }
  });

  it('adds the slot without a version guard when every supported CPython is 3.13+', () => {
    const dir = copy('py313');
    ftlint(['.', '--fix'], { cwd: dir });
    const text = readFileSync(join(dir, 'mod.c'), 'utf8');
    assert.match(text, /\{Py_mod_exec, h_exec\},\n {4}\{Py_mod_gil, Py_MOD_GIL_NOT_USED\},\n {4}\{0, NULL\},\n/);
    assert.doesNotMatch(text, /PY_VERSION_HEX/);
    assert.deepEqual(lint(dir).findings, []);
  });

  it('keeps CRLF line endings and the BOM', () => {
    const dir = copy('guarded');
    for (const f of cFiles(dir)) writeFileSync(join(dir, f), `\ufeff${readFileSync(join(dir, f), 'utf8').replace(/\n/g, '\r\n')}`);
    const before = lint(dir);
    ftlint(['.', '--fix'], { cwd: dir });
    for (const f of cFiles(dir)) {
      const raw = readFileSync(join(dir, f), 'utf8');
      assert.ok(raw.startsWith('\ufeff#') || raw.startsWith('\ufeff/*'), `${f} BOM`);
      assert.doesNotMatch(raw, /[^\r]\n/, `${f}: no bare LF`);
      assert.doesNotMatch(raw, /\r\r/);
    }
    assert.deepEqual(lint(dir).findings.map((f) => f.rule).sort(), ['FT102', 'FT201']);
    assert.equal(before.findings.length, 8);
  });
});

describe('--fix on binding declarations (Cython, pybind11, PyO3)', () => {
  // FT713 (classifiers vs modules) counts the undeclared modules, so its message changes with the fix.
  for (const [name, rules] of [['cython-pkg', ['FT107']], ['pybind11-pkg', ['FT108', 'FT713']], ['pyo3-workspace', ['FT110']]] as const) {
    it(`${name}: the undeclared modules are declared, nothing else changes`, () => {
      const dir = join(tmp, `b-${name}`);
      cpSync(join(REPO, 'fixtures/projects', name), dir, { recursive: true });
      const before = lint(dir, ['--no-cache']);
      const fixable = before.findings.filter((f) => (rules as readonly string[]).includes(f.rule));
      const r = ftlint(['.', '--fix', '--no-cache'], { cwd: dir });
      assert.match(r.stderr, /fixed \d+ problems? in \d+ files?/);
      const after = lint(dir, ['--no-cache']);
      const fixed = keyed(before).filter((k) => !keyed(after).includes(k));
      assert.ok(fixed.length > 0 && fixed.every((k) => (rules as readonly string[]).some((id) => k.includes(` ${id} `))), `fixed: ${fixed.join('; ')}`);
      assert.ok(fixable.length > 0);
      const where = (j: J) => j.findings.map((f) => `${f.path} ${f.rule}`);
      assert.deepEqual(where(after).filter((k) => !where(before).includes(k)), [], 'no new findings');
      assert.equal(ftlint(['.', '--diff', '--no-cache'], { cwd: dir }).stdout, '', 'nothing left to fix');
    });
  }
});

describe('--diff', () => {
  it('prints a unified diff that applies to give the --fix result, and writes nothing', () => {
    const a = copy('guarded');
    const b = join(tmp, 'guarded-b');
    cpSync(a, b, { recursive: true });
    const original = readFileSync(join(a, 'slots.c'), 'utf8');
    const d = ftlint(['.', '--diff'], { cwd: a });
    assert.equal(d.code, 1);
    assert.match(d.stdout, /^--- a\/single\.c\n\+\+\+ b\/single\.c\n@@ -14,6 \+14,9 @@\n/);
    assert.equal(readFileSync(join(a, 'slots.c'), 'utf8'), original, '--diff does not write');
    const applied = spawnSync('git', ['apply', '-p1', '-'], { cwd: a, input: d.stdout, encoding: 'utf8' });
    assert.equal(applied.status, 0, applied.stderr);
    ftlint(['.', '--fix'], { cwd: b });
    for (const f of cFiles(a)) assert.equal(readFileSync(join(a, f), 'utf8'), readFileSync(join(b, f), 'utf8'), f);
    assert.equal(ftlint(['.', '--diff'], { cwd: b }).stdout, '', 'nothing left to fix');
    assert.equal(ftlint(['.', '--diff'], { cwd: b }).code, 0);
  });
});

describe('fixes in SARIF', () => {
  it('carry artifactChanges with regions and the inserted text', () => {
    const dir = copy('guarded');
    const log = JSON.parse(ftlint(['.', '-f', 'sarif'], { cwd: dir }).stdout) as Sarif.Log;
    const results = log.runs[0]?.results ?? [];
    const withFix = results.filter((r) => r.fixes?.length);
    assert.deepEqual(withFix.map((r) => r.ruleId).sort(), ['FT101', 'FT101', 'FT102', 'FT102', 'FT102', 'FT102']);
    const a = withFix.find((r) => r.ruleId === 'FT101' && r.locations?.[0]?.physicalLocation?.region?.startLine === 6);
    const change = a?.fixes?.[0]?.artifactChanges[0];
    assert.equal(change?.artifactLocation.uri, 'slots.c');
    assert.deepEqual(change?.replacements[0]?.deletedRegion, { startLine: 8, startColumn: 1, endLine: 8, endColumn: 1 });
    assert.equal(change?.replacements[0]?.insertedContent?.text, '#if PY_VERSION_HEX >= 0x030D0000\n    {Py_mod_gil, Py_MOD_GIL_NOT_USED},\n#endif\n');
  });
});
