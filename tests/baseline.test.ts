// Baselines: record current findings, then report only new ones; line shifts keep entries matching.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { run, selectRules } from '../src/engine/run.js';
import { FINGERPRINT_KEY, fingerprints } from '../src/report/fingerprint.js';
import { ftlint } from './helpers/cli.js';
import { REPO } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftlint-baseline-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const rulesOf = (stdout: string) => (JSON.parse(stdout) as { findings: { rule: string; line: number }[] }).findings.map((f) => `${f.rule}@${f.line}`);

describe('baseline', () => {
  const dir = join(tmp, 'spam');
  cpSync(join(REPO, 'fixtures/projects/spam'), dir, { recursive: true });
  const src = join(dir, 'spammodule.c');
  const original = readFileSync(src, 'utf8');

  it('fingerprints hash the flagged line (project findings too) in SARIF, --report sarif and baselines', async () => {
    // FT102 is a project rule: its line text is read again only when an output needs fingerprints.
    const expected = fingerprints((await run({ paths: ['.'], cwd: dir, ruleIds: selectRules(undefined, undefined), cacheDir: null })).findings, dir, dir);
    assert.ok(expected.length === 5);
    const sarifFps = (text: string) => (JSON.parse(text) as { runs: { results: { partialFingerprints: Record<string, string> }[] }[] }).runs[0]?.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    assert.deepEqual(sarifFps(ftlint(['.', '-f', 'sarif', '--no-cache'], { cwd: dir }).stdout), expected);
    ftlint(['.', '-f', 'json', '--report', 'sarif:out.sarif', '--no-cache'], { cwd: dir });
    assert.deepEqual(sarifFps(readFileSync(join(dir, 'out.sarif'), 'utf8')), expected);
    ftlint(['.', '--write-baseline', 'fp.json', '--no-cache'], { cwd: dir });
    const b = JSON.parse(readFileSync(join(dir, 'fp.json'), 'utf8')) as { findings: { fingerprint: string }[] };
    assert.deepEqual(b.findings.map((e) => e.fingerprint).sort(), [...expected].sort());
    rmSync(join(dir, 'out.sarif'));
    rmSync(join(dir, 'fp.json'));
  });

  it('--write-baseline records every finding, sorted, and exits 0', () => {
    const w = ftlint(['.', '--write-baseline', 'ftlint-baseline.json'], { cwd: dir });
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stderr, /wrote 5 findings to the baseline ftlint-baseline\.json/);
    const b = JSON.parse(readFileSync(join(dir, 'ftlint-baseline.json'), 'utf8')) as { tool: string; version: number; fingerprints: string; findings: { rule: string; path: string; line: number; fingerprint: string }[] };
    assert.equal(b.tool, 'ftlint');
    assert.equal(b.fingerprints, 'ftlint/v1');
    assert.deepEqual(b.findings.map((e) => `${e.path}:${e.line} ${e.rule}`), ['spammodule.c:17 FT201', 'spammodule.c:35 FT207', 'spammodule.c:52 FT202', 'spammodule.c:83 FT203', 'spammodule.c:109 FT102']);
    const again = ftlint(['.', '--write-baseline', 'b2.json'], { cwd: dir });
    assert.equal(again.code, 0);
    assert.equal(readFileSync(join(dir, 'b2.json'), 'utf8'), readFileSync(join(dir, 'ftlint-baseline.json'), 'utf8'), 'deterministic');
  });

  it('--baseline hides known findings, also after lines shift and from another directory', () => {
    const r = ftlint(['.', '--baseline', 'ftlint-baseline.json', '-f', 'json'], { cwd: dir });
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(rulesOf(r.stdout), []);
    writeFileSync(src, `/* moved */\n\n${original}`);
    const shifted = ftlint(['spam', '--baseline', 'spam/ftlint-baseline.json', '-f', 'json'], { cwd: tmp });
    assert.deepEqual(rulesOf(shifted.stdout), []);
    assert.equal(shifted.code, 0);
  });

  it('reports new findings, and a new copy of a known line, but not the known ones', () => {
    const added = original.replace(
      '/* spam.total(mapping)',
      'static PyObject *spam_again(PyObject *self, PyObject *args)\n{\n    PyObject *value = PyDict_GetItem(registry, name);\n    return PyWeakref_GetObject(value);\n}\n\n/* spam.total(mapping)',
    );
    writeFileSync(src, added);
    const r = ftlint(['.', '--baseline', 'ftlint-baseline.json', '-f', 'json'], { cwd: dir });
    assert.equal(r.code, 1);
    // The copy of line 17 (`PyObject *value = PyDict_GetItem(registry, name);`) is the second occurrence: new.
    assert.deepEqual(rulesOf(r.stdout).sort(), ['FT201@26', 'FT203@27']);
  });

  it('notes baseline entries that no longer occur', () => {
    writeFileSync(src, original.replace('PyWeakref_GetObject(ref)', 'PyWeakref_GetRef(ref)'));
    const r = ftlint(['.', '--baseline', 'ftlint-baseline.json'], { cwd: dir });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /1 finding of the baseline ftlint-baseline\.json no longer occurs/);
  });

  it('a missing or foreign baseline file is an error (exit 2)', () => {
    mkdirSync(join(tmp, 'x'), { recursive: true });
    writeFileSync(join(tmp, 'x', 'not.json'), '{"findings": []}');
    for (const [file, re] of [['nope.json', /cannot read --baseline nope\.json: ENOENT/], ['x/not.json', /is not an ftlint baseline/]] as const) {
      const r = ftlint([dir, '--baseline', file], { cwd: tmp });
      assert.equal(r.code, 2);
      assert.match(r.stderr, re);
    }
  });
});
