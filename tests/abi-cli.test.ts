// `ftlint abi` and `ftlint ./project` (wheels under dist/) end to end, through the built CLI.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { scratch } from './helpers/abi.js';
import { ftlint } from './helpers/cli.js';
import { borrowedModule, cleanModule } from './helpers/csrc.js';
import { buildElf, gate } from './helpers/native.js';
import { buildWheel } from './helpers/wheel.js';

const g = gate('elf');
const { root: tmp } = scratch('cli');

const proj = join(tmp, 'proj');
const dist = join(proj, 'dist');
before(() => {
  if (g.skip) return;
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(proj, 'spam.c'), borrowedModule('spam'));
  const gil = readFileSync(buildElf([{ code: cleanModule('_core'), ft: false }]));
  buildWheel(dist, { fileName: 'spam-1.0-cp314-cp314-manylinux_2_17_x86_64.whl', files: [{ name: 'spam/_core.cpython-314-x86_64-linux-gnu.so', data: gil }] });
  buildWheel(dist, { fileName: 'spam-1.0-cp314-cp314-win_amd64.whl', files: [{ name: 'spam/__init__.py', data: Buffer.from('') }] });
  // The GIL binary renamed into a free-threaded wheel.
  buildWheel(dist, { fileName: 'spam-1.0-cp314-cp314t-manylinux_2_17_x86_64.whl', files: [{ name: 'spam/_core.cpython-314t-x86_64-linux-gnu.so', data: gil }] });
  writeFileSync(join(dist, 'notes-1.0-py3-none-any.whl'), 'not a zip');
});

describe('ftlint abi (CLI)', () => {
  it('checks a directory of wheels: findings, FT000, the coverage matrix after them, exit 1', g, () => {
    const r = ftlint(['abi', 'dist'], { cwd: proj });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.deepEqual(lines.filter((l) => /^\S.*:1:1: /.test(l)), [
      'dist/spam-1.0-cp314-cp314-win_amd64.whl:1:1: warning: no free-threaded wheel of spam 1.0 for CPython 3.14t on win_amd64: expected a cp314-cp314t wheel next to this one [FT812]',
      'dist/spam-1.0-cp314-cp314t-manylinux_2_17_x86_64.whl!spam/_core.cpython-314t-x86_64-linux-gnu.so:1:1: error: _core.cpython-314t-x86_64-linux-gnu.so was compiled for the GIL build: it imports _Py_Dealloc and none of the free-threaded refcounting functions (_Py_DecRefShared, _Py_MergeZeroLocalRefcount), but it is tagged for free-threaded Python (suffix .cpython-314t-x86_64-linux-gnu.so) [FT808]',
      'dist/notes-1.0-py3-none-any.whl:1:1: warning: cannot read wheel: not a zip archive (9 bytes, too short for one) [FT000]',
    ]);
    const matrix = r.stdout.indexOf('Free-threading coverage of spam 1.0 (3 wheels):');
    assert.ok(matrix > r.stdout.indexOf('[FT808]') && matrix < r.stdout.indexOf('Found 2 problems'), r.stdout);
    assert.match(r.stdout, /^ {2}manylinux x86_64 +GIL\+FT$/m);
    assert.match(r.stdout, /^ {2}win_amd64 +GIL, no FT !$/m);
    assert.match(r.stdout, /^Found 2 problems \(1 error, 1 warning\) in 3 files\.$/m);
  });

  it('emits JSON with the coverage matrix; --select and --fail-on work as for sources', g, () => {
    const r = ftlint(['abi', 'dist', '-f', 'json', '--select', 'FT812'], { cwd: proj });
    const j = JSON.parse(r.stdout) as { findings: { rule: string; path: string; line: number }[]; diagnostics: { reason: string }[]; coverage: { distribution: string; minors: string[]; platforms: { platform: string; cells: { gap: boolean }[] }[] }[] };
    assert.deepEqual(j.findings.map((f) => `${f.rule} ${f.path} ${f.line}`), ['FT812 dist/spam-1.0-cp314-cp314-win_amd64.whl 1']);
    assert.deepEqual(j.diagnostics.map((d) => d.reason), ['malformed']);
    assert.deepEqual(j.coverage.map((t) => [t.distribution, t.minors, t.platforms.map((p) => `${p.platform}:${p.cells.map((c) => c.gap).join()}`)]), [['spam', ['3.14'], ['manylinux x86_64:false', 'win_amd64:true']]]);
    assert.equal(r.code, 1);
    assert.equal(ftlint(['abi', 'dist/spam-1.0-cp314-cp314-win_amd64.whl', 'dist/spam-1.0-cp314-cp314-manylinux_2_17_x86_64.whl', '--fail-on', 'error'], { cwd: proj }).code, 0);
    assert.equal(ftlint(['abi', 'dist', '--fail-on', 'error'], { cwd: proj }).code, 1);
  });

  it('-q prints findings only; a missing path exits 2', g, () => {
    const q = ftlint(['abi', 'dist', '-q'], { cwd: proj });
    assert.doesNotMatch(q.stdout, /coverage|Found|use instead/);
    mkdirSync(join(tmp, 'empty'), { recursive: true });
    const e = ftlint(['abi', 'empty'], { cwd: tmp });
    assert.equal(e.code, 0, 'nothing to check is not a failure');
    assert.match(e.stdout, /^empty:1:1: info: no wheels \(\.whl\) or extension binaries \(\.so, \.pyd, \.dylib\) found here \[FT000\]$/m);
    const m = ftlint(['abi', 'nowhere.whl'], { cwd: proj });
    assert.equal(m.code, 2);
    assert.match(m.stderr, /path not found: nowhere\.whl/);
  });

  it('ftlint ./project checks the sources and the wheels under dist/', g, () => {
    const r = ftlint(['.', '-f', 'json'], { cwd: proj });
    const rules = (JSON.parse(r.stdout) as { findings: { rule: string; path: string }[] }).findings.map((f) => `${f.rule} ${f.path.replace(/!.*/, '')}`);
    assert.ok(rules.includes('FT203 spam.c'), rules.join('\n'));
    assert.ok(rules.includes('FT808 dist/spam-1.0-cp314-cp314t-manylinux_2_17_x86_64.whl'), rules.join('\n'));
    const src = ftlint(['.', '-f', 'json', '--select', 'FT2'], { cwd: proj });
    assert.ok((JSON.parse(src.stdout) as { findings: { rule: string }[] }).findings.every((f) => f.rule.startsWith('FT2')));
  });

  it('documents the FT8 rules', () => {
    const r = ftlint(['rule', 'FT808']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^# FT808 gil-binary-tagged-free-threaded$/m);
    assert.match(r.stdout, /Scope: wheels and binaries \(`ftlint abi`\)/);
  });
});
