// The error contract (README "Exit codes" and "Tool diagnostics"): one test per row.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { ftlint } from './helpers/cli.js';
import { CLI } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftlint-bad-'));
chmodSync(tmp, 0o755);
after(() => rmSync(tmp, { recursive: true, force: true }));

type J = { findings: { path: string; rule: string; line: number; column: number }[]; diagnostics: { path: string; reason: string; code: string }[] };
const json = (args: string[], cwd = tmp): { code: number | null; j: J; stderr: string } => {
  const r = ftlint([...args, '-f', 'json', '--no-cache'], { cwd });
  return { code: r.code, j: r.stdout ? (JSON.parse(r.stdout) as J) : { findings: [], diagnostics: [] }, stderr: r.stderr };
};
const GOOD = 'PyObject *g(PyObject *d, PyObject *k) { return PyDict_GetItem(d, k); }\n';
const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .*:\d+:\d+\)?\n/, 'no stack trace');

describe('bad input', () => {
  const asNobody = process.getuid?.() === 0;

  it('unreadable file: FT000 unreadable, the other files are checked', { skip: !asNobody && 'needs root to drop to another user' }, () => {
    const dir = join(tmp, 'unreadable');
    mkdirSync(dir);
    writeFileSync(join(dir, 'secret.c'), GOOD);
    chmodSync(join(dir, 'secret.c'), 0o000);
    writeFileSync(join(dir, 'ok.c'), GOOD);
    chmodSync(join(dir, 'ok.c'), 0o644);
    chmodSync(dir, 0o755);
    const r = spawnSync(process.execPath, [CLI, dir, '-f', 'json', '--no-cache'], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: '/' });
    const j = JSON.parse(r.stdout) as J;
    assert.deepEqual(j.diagnostics.map((d) => [d.path.split('/').pop(), d.reason]), [['secret.c', 'unreadable']]);
    assert.deepEqual(j.findings.map((f) => f.path.split('/').pop()), ['ok.c']);
    assert.equal(r.status, 1);
    noStack(r.stderr);
  });

  it('directory without permission: FT000 unreadable, the rest is checked', { skip: !asNobody && 'needs root to drop to another user' }, () => {
    const dir = join(tmp, 'lockeddir');
    mkdirSync(join(dir, 'private'), { recursive: true });
    writeFileSync(join(dir, 'private', 'x.c'), GOOD);
    writeFileSync(join(dir, 'ok.c'), GOOD);
    chmodSync(join(dir, 'private'), 0o000);
    const r = spawnSync(process.execPath, [CLI, dir, '-f', 'json', '--no-cache'], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: '/' });
    chmodSync(join(dir, 'private'), 0o755);
    const j = JSON.parse(r.stdout) as J;
    assert.deepEqual(j.diagnostics.map((d) => [d.path.split('/').pop(), d.reason]), [['private', 'unreadable']]);
    assert.deepEqual(j.findings.map((f) => f.path.split('/').pop()), ['ok.c']);
    noStack(r.stderr);
  });

  it('CRLF and BOM files keep positions right', () => {
    const dir = join(tmp, 'crlf');
    mkdirSync(dir);
    writeFileSync(join(dir, 'crlf.c'), '/* é */\r\nPyObject *g(PyObject *d, PyObject *k)\r\n{\r\n    return PyDict_GetItem(d, k);\r\n}\r\n');
    writeFileSync(join(dir, 'bom.c'), `\ufeff${GOOD}`);
    const { j } = json([dir]);
    const pos = Object.fromEntries(j.findings.map((f) => [f.path.split('/').pop(), `${f.line}:${f.column}`]));
    assert.deepEqual(pos, { 'bom.c': '1:48', 'crlf.c': '4:12' });
  });

  it('a 10 MB single-line file is checked without hanging', () => {
    const dir = join(tmp, 'oneline');
    mkdirSync(dir);
    writeFileSync(join(dir, 'long.c'), `static const char blob[] = "${'x'.repeat(10 * 1024 * 1024)}"; PyObject *g(PyObject *d, PyObject *k) { return PyDict_GetItem(d, k); }`);
    const { j, code } = json([dir, '--max-file-size', String(16 * 1024 * 1024)]);
    assert.equal(code, 1);
    assert.deepEqual(j.findings.map((f) => [f.rule, f.line, f.column]), [['FT201', 1, 10 * 1024 * 1024 + 79]]);
  });

  it('10,000-deep nesting does not overflow', () => {
    const dir = join(tmp, 'deep');
    mkdirSync(dir);
    const d = 10_000;
    writeFileSync(join(dir, 'deep.c'), `int f(void) {\n${'{'.repeat(d)}\n${'}'.repeat(d)}\n  return ${'('.repeat(d)}1${')'.repeat(d)};\n}\n${GOOD}`);
    const { j, stderr } = json([dir]);
    assert.deepEqual(j.diagnostics, []);
    assert.deepEqual(j.findings.map((f) => f.rule), ['FT201']);
    noStack(stderr);
  });

  it('unterminated comment and string do not crash', () => {
    const dir = join(tmp, 'unterminated');
    mkdirSync(dir);
    writeFileSync(join(dir, 'comment.c'), `${GOOD}/* never closed\nPyDict_GetItem(a, b);\n`);
    writeFileSync(join(dir, 'string.c'), `${GOOD}const char *s = "never closed;\n`);
    const { j, stderr } = json([dir]);
    assert.deepEqual(j.findings.map((f) => `${f.path.split('/').pop()}:${f.line}`).sort(), ['comment.c:1', 'string.c:1']);
    noStack(stderr);
  });

  it('a malformed pyproject.toml does not stop the run', () => {
    const dir = join(tmp, 'badtoml');
    mkdirSync(dir);
    writeFileSync(join(dir, 'pyproject.toml'), '[project\nrequires-python = ">=3.9"\n');
    writeFileSync(join(dir, 'x.c'), GOOD);
    const r = ftlint([dir, '--no-cache']);
    noStack(r.stderr);
    assert.ok(r.code === 1 || r.code === 2, `exit ${r.code}`);
  });

  it('a symlink loop is detected and walked once', () => {
    const dir = join(tmp, 'loop');
    mkdirSync(join(dir, 'a'), { recursive: true });
    writeFileSync(join(dir, 'a', 'x.c'), GOOD);
    symlinkSync('..', join(dir, 'a', 'up'));
    const { j } = json([dir]);
    assert.deepEqual(j.findings.map((f) => f.path.split('/').pop()), ['x.c']);
  });

  it('exit codes: unknown rule, missing path, output in a missing directory are usage errors (2)', () => {
    for (const args of [['--select', 'FT999'], ['does/not/exist'], ['-o', join(tmp, 'nope', 'out.json')]]) {
      const r = ftlint([tmp, ...args.filter((a) => a !== 'does/not/exist'), ...(args.includes('does/not/exist') ? ['does/not/exist'] : [])], { cwd: tmp });
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^ftlint: error: /m);
      noStack(r.stderr);
    }
  });
});
