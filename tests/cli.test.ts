// End to end: the built CLI, spawned as a user would run it.
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ftlint } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftlint-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('ftlint CLI', () => {
  it('reports findings with remedies on the sample extension and exits 1', () => {
    const r = ftlint(['fixtures/projects/spam']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^fixtures\/projects\/spam\/spammodule\.c:17:23: warning: PyDict_GetItem\(\) returns a borrowed reference.* \[FT201\]$/m);
    assert.match(r.stdout, /^ {4}= use instead: PyDict_GetItemRef \(CPython 3\.13\+; pythoncapi_compat\.h for older versions\)$/m);
    assert.match(r.stdout, /\[FT102\]/);
    assert.match(r.stdout, /^Found 5 problems \(1 error, 4 warnings\) in 2 files\.$/m);
    assert.equal(r.stderr, '');
  });

  it('exits 0 with a clean message on an already-ported module', () => {
    const r = ftlint(['fixtures/projects/ported']);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^No problems found in 2 files\.$/m);
  });

  it('emits the documented JSON contract', () => {
    const r = ftlint(['fixtures/projects/spam', '--format', 'json']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout) as { version: string; findings: Record<string, unknown>[]; diagnostics: unknown[] };
    assert.match(j.version, /^\d+\.\d+\.\d+/);
    assert.ok(Array.isArray(j.diagnostics));
    const f = j.findings.find((x) => x.rule === 'FT201');
    assert.deepEqual(Object.keys(f ?? {}).sort(), ['column', 'endColumn', 'endLine', 'extension', 'line', 'message', 'path', 'related', 'remedy', 'rule', 'severity'].sort());
    // The sample's setup.py compiles spammodule.c into the extension 'spam'.
    assert.equal(f?.extension, 'spam');
    assert.deepEqual(
      { path: f?.path, line: f?.line, column: f?.column, endLine: f?.endLine, endColumn: f?.endColumn, severity: f?.severity },
      { path: 'fixtures/projects/spam/spammodule.c', line: 17, column: 23, endLine: 17, endColumn: 53, severity: 'warning' },
    );
    assert.deepEqual(Object.keys(f?.remedy as object).sort(), ['api', 'compat', 'since', 'snippet']);
    assert.equal((f?.remedy as { api: string }).api, 'PyDict_GetItemRef');
  });

  it('filters with --select and --ignore (ids and prefixes)', () => {
    const r = ftlint(['fixtures/projects/spam', '--select', 'FT2', '--ignore', 'FT207,FT203', '-f', 'json']);
    const rules = (JSON.parse(r.stdout) as { findings: { rule: string }[] }).findings.map((f) => f.rule).sort();
    assert.deepEqual(rules, ['FT201', 'FT202']);
  });

  it('honours --fail-on', () => {
    assert.equal(ftlint(['fixtures/rules/ft207', '--fail-on', 'error']).code, 0);
    assert.equal(ftlint(['fixtures/rules/ft207', '--fail-on', 'warning']).code, 1);
    assert.equal(ftlint(['fixtures/rules/ft103', '--fail-on', 'warning']).code, 0, 'info findings do not fail by default');
    assert.equal(ftlint(['fixtures/rules/ft103', '--fail-on', 'info']).code, 1);
  });

  it('--quiet prints findings only', () => {
    const r = ftlint(['fixtures/rules/ft207', '-q']);
    assert.doesNotMatch(r.stdout, /use instead|Found/);
    assert.equal(r.stdout.trim().split('\n').length, 2);
  });

  it('exits 2 with a message, not a stack trace, on usage errors', () => {
    for (const args of [['no/such/path'], ['--select', 'FT999', '.'], ['--format', 'xml'], ['--bogus-flag'], ['rule', 'FT999'], ['--jobs', '0', '.']]) {
      const r = ftlint(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /ftlint: error: |Unknown argument|Invalid values/, args.join(' '));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('writes --output atomically and reports a missing directory', () => {
    const out = join(tmp, 'report.json');
    assert.equal(ftlint(['fixtures/projects/spam', '-f', 'json', '-o', out]).code, 1);
    assert.ok(JSON.parse(readFileSync(out, 'utf8')).findings.length > 0);
    const bad = ftlint(['fixtures/projects/spam', '-o', join(tmp, 'missing', 'r.txt')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /does not exist/);
  });

  it('is built executable, as `npx ftlint` and the package bin run it', () => {
    assert.ok((statSync(join('dist', 'src', 'cli', 'main.js')).mode & 0o111) !== 0, 'npm run build sets the execute bit');
  });

  it('writes into a device and through a symbolic link instead of replacing them', () => {
    // `-o /dev/null` once replaced the device with a regular file (a rename over it), as root.
    assert.equal(ftlint(['fixtures/projects/spam', '-f', 'json', '-o', '/dev/null']).code, 1);
    const st = statSync('/dev/null');
    if (!st.isCharacterDevice() && process.getuid?.() === 0) {
      rmSync('/dev/null', { force: true });
      spawnSync('mknod', ['-m', '666', '/dev/null', 'c', '1', '3']);
    }
    assert.ok(st.isCharacterDevice(), '/dev/null is still a device');
    const real = join(tmp, 'real-report.json');
    const link = join(tmp, 'link-report.json');
    writeFileSync(real, '');
    symlinkSync(real, link);
    assert.equal(ftlint(['fixtures/projects/spam', '-f', 'json', '-o', link]).code, 1);
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link stays a link');
    assert.ok(JSON.parse(readFileSync(real, 'utf8')).findings.length > 0, 'the report went to the file it points to');
  });

  it('documents rules: `ftlint rules` and `ftlint rule FT201`', () => {
    const list = ftlint(['rules']);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^FT201 {2}warning {2}borrowed-dict-item/m);
    const doc = ftlint(['rule', 'ft201']);
    assert.equal(doc.code, 0);
    assert.match(doc.stdout, /^# FT201 borrowed-dict-item/);
    assert.match(doc.stdout, /PyDict_GetItemRef/);
  });

  it('prints --version and --help', () => {
    assert.match(ftlint(['--version']).stdout, /^\d+\.\d+\.\d+/);
    const h = ftlint(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /--select/);
  });

  it('reports bad files as FT000 and still checks the others', () => {
    const dir = join(tmp, 'bad');
    mkdirSync(dir);
    writeFileSync(join(dir, 'empty.c'), '');
    writeFileSync(join(dir, 'binary.c'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));
    writeFileSync(join(dir, 'latin1.c'), Buffer.from('/* caf\xe9 */\nint x;\n', 'latin1'));
    writeFileSync(join(dir, 'big.c'), `/* ${'x'.repeat(5000)} */\n`);
    // Truncated mid-call: no finding can be trusted there, but it must not crash or hide the others.
    writeFileSync(join(dir, 'truncated.c'), 'static PyObject *f(PyObject *d, PyObject *k) {\n    return PyDict_GetItem(d, k');
    writeFileSync(join(dir, 'good.c'), 'PyObject *g(PyObject *d, PyObject *k) { return PyDict_GetItem(d, k); }\n');
    const r = ftlint([dir, '-f', 'json', '--max-file-size', '4000']);
    const j = JSON.parse(r.stdout) as { findings: { path: string; rule: string }[]; diagnostics: { path: string; code: string; reason: string }[] };
    const reasons = Object.fromEntries(j.diagnostics.map((d) => [d.path.split('/').pop(), `${d.code} ${d.reason}`]));
    assert.deepEqual(reasons, { 'big.c': 'FT000 too-large', 'binary.c': 'FT000 binary', 'empty.c': 'FT000 empty', 'latin1.c': 'FT000 not-utf8' });
    assert.deepEqual(j.findings.map((f) => `${f.path.split('/').pop()} ${f.rule}`).sort(), ['good.c FT201']);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('gives the same output with one job and with several', () => {
    const one = ftlint(['fixtures', '-f', 'json', '-j', '1']);
    const two = ftlint(['fixtures', '-f', 'json', '-j', '2']);
    assert.equal(one.stdout, two.stdout);
  });
});

describe('README', () => {
  it('shows exactly what the quick-start command prints', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = readme.slice(readme.indexOf('The first command prints:')).split('```text\n')[1]?.split('```')[0];
    assert.equal(ftlint(['fixtures/projects/spam', '--no-cache']).stdout, block);
  });
});
