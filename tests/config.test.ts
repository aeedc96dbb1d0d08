// Configuration: discovery, validation (errors name file and key, exit 2), and its effect on a run.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, findConfigFile, loadConfig } from '../src/config/config.js';
import { trimRemedy } from '../src/config/apply.js';
import { mergeSelection } from '../src/config/resolve.js';
import type { ProjectInfo } from '../src/engine/facts.js';
import { ruleOption, type RuleMeta } from '../src/rules/types.js';
import { ftlint } from './helpers/cli.js';
import { REPO } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftlint-config-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function project(files: Record<string, string>): string {
  const dir = join(tmp, `p${n++}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const BORROW = '#include <Python.h>\nPyObject *f(PyObject *d, PyObject *k) { return PyDict_GetItem(d, k); }\n';
const json = (args: string[], cwd: string) => {
  const r = ftlint([...args, '-f', 'json'], { cwd });
  return { code: r.code, stderr: r.stderr, findings: r.stdout ? (JSON.parse(r.stdout) as { findings: { rule: string; severity: string; path: string; remedy: { compat: string | null } }[] }).findings : [] };
};

describe('configuration files', () => {
  it('is found upward from the scanned path; ftlint.toml before pyproject.toml; pyproject.toml only with [tool.ftlint]', () => {
    const dir = project({ 'pyproject.toml': '[tool.ftlint]\nignore = ["FT2"]\n', 'sub/pyproject.toml': '[project]\nname = "x"\n', 'sub/deep/a.c': BORROW });
    assert.equal(findConfigFile(join(dir, 'sub/deep/a.c')), join(dir, 'pyproject.toml'));
    writeFileSync(join(dir, 'sub/ftlint.toml'), 'ignore = []\n');
    writeFileSync(join(dir, 'sub/pyproject.toml'), '[tool.ftlint]\nignore = ["FT1"]\n');
    assert.equal(findConfigFile(join(dir, 'sub/deep')), join(dir, 'sub/ftlint.toml'));
  });

  it('applies select/ignore, and the command line wins', () => {
    const dir = project({ 'ftlint.toml': 'ignore = ["FT201"]\n', 'a.c': BORROW });
    assert.deepEqual(json(['.'], dir).findings, []);
    assert.equal(json(['.', '--isolated'], dir).findings.length, 1);
    assert.equal(json(['.', '--select', 'FT201'], dir).findings.length, 1, '--select replaces the configured selection');
    assert.deepEqual(mergeSelection({ ignore: ['FT207'] }, { ...loadConfig(join(dir, 'ftlint.toml')) }), { ignore: ['FT201', 'FT207'] });
  });

  it('--config names a file explicitly, and fail-on can be configured', () => {
    const dir = project({ 'conf/strict.toml': 'fail-on = "error"\n', 'a.c': BORROW });
    assert.equal(json(['.'], dir).code, 1);
    assert.equal(json(['.', '--config', 'conf/strict.toml'], dir).code, 0);
    assert.equal(json(['.', '--config', 'conf/strict.toml', '--fail-on', 'warning'], dir).code, 1);
  });

  it('severity overrides change the level and the exit code; the most specific selector wins', () => {
    const r = json(['fixtures/projects/configured'], REPO);
    const sev = Object.fromEntries(r.findings.map((f) => [f.rule, f.severity]));
    assert.deepEqual(sev, { FT201: 'info', FT207: 'error', FT203: 'info' });
  });

  it('target-version (config or --target-version) drops the pythoncapi_compat.h fallback only when not needed', () => {
    const dir = project({ 'pyproject.toml': '[project]\nrequires-python = ">=3.8"\n', 'a.c': BORROW });
    assert.equal(json(['.'], dir).findings[0]?.remedy.compat, 'pythoncapi_compat.h');
    assert.equal(json(['.', '--target-version', '3.13'], dir).findings[0]?.remedy.compat, null);
    writeFileSync(join(dir, 'pyproject.toml'), '[project]\nrequires-python = ">=3.8"\n[tool.ftlint]\ntarget-version = "py314"\n');
    assert.equal(json(['.'], dir).findings[0]?.remedy.compat, null);
    assert.equal(trimRemedy({ api: 'X', since: '3.13', compat: 'c.h', snippet: '' }, 12).compat, 'c.h');
    assert.equal(trimRemedy({ api: 'X', since: null, compat: 'c.h', snippet: '' }, 20).compat, 'c.h');
  });

  it('exclude / extend-exclude are relative to the configuration file', () => {
    const dir = project({ 'ftlint.toml': 'exclude = ["gen/"]\n', 'gen/a.c': BORROW, 'src/gen.c': BORROW });
    const paths = json(['src', 'gen'], dir).findings.map((f) => f.path);
    assert.deepEqual(paths, ['src/gen.c']);
    assert.deepEqual(json(['.', '--exclude', 'src'], dir).findings, []);
  });

  it('FT302 init-functions: writes in the named functions count as init-time', () => {
    const lines = (args: string[]) => json(['fixtures/rules/ft302-options', '--select', 'FT302', ...args], REPO).findings.map((f) => (f as unknown as { line: number }).line);
    assert.deepEqual(lines([]), [13, 19]);
    assert.deepEqual(lines(['--isolated']), [7, 13], 'without the option, set_defaults() is a run-time writer');
  });

  it('passes rule options to rules, with their defaults', () => {
    const meta = { id: 'FT999', options: { 'init-only-quiet': { type: 'boolean', default: true, description: '' } } } as unknown as RuleMeta;
    const info: ProjectInfo = { root: null, requiresPython: null, minMinor: null, source: null };
    assert.equal(ruleOption(info, meta, 'init-only-quiet'), true);
    assert.equal(ruleOption({ ...info, ruleOptions: { FT999: { 'init-only-quiet': false } } }, meta, 'init-only-quiet'), false);
  });
});

describe('configuration errors: exit 2, naming the file and the key', () => {
  const cases: [string, string, RegExp][] = [
    ['ftlint.toml', 'selct = ["FT2"]\n', /^ftlint: error: ftlint\.toml: selct: unknown key \(known keys: select, /],
    ['pyproject.toml', '[tool.ftlint]\nselect = ["FT9"]\n', /pyproject\.toml: tool\.ftlint\.select: unknown rule or prefix 'FT9'/],
    ['pyproject.toml', '[tool.ftlint]\nseverity = { FT201 = "fatal" }\n', /tool\.ftlint\.severity\.FT201: must be one of "error", "warning", "info" \(got "fatal"\)/],
    ['ftlint.toml', 'target-version = 3.9\n', /ftlint\.toml: target-version: must be a CPython version such as "3\.9"/],
    ['ftlint.toml', '[per-file-ignores]\n"a/*" = "FT201x"\n', /per-file-ignores\."a\/\*": unknown rule or prefix 'FT201x'/],
    ['ftlint.toml', 'report-unused-ignores = "yes"\n', /report-unused-ignores: must be true or false/],
    ['ftlint.toml', '[rules.FT201]\nfoo = 1\n', /rules\.FT201\.foo: unknown option of FT201 \(it has none\)/],
    ['ftlint.toml', '[rules.FT777]\n', /rules\.FT777: unknown rule 'FT777'/],
    ['ftlint.toml', 'select = ["FT2"\n', /^ftlint: error: ftlint\.toml: not valid TOML \(line \d+, column \d+\)/],
  ];
  for (const [name, text, re] of cases) {
    it(`${name}: ${text.trim().split('\n').pop()}`, () => {
      const dir = project({ [name]: text, 'a.c': BORROW });
      const r = ftlint(['.'], { cwd: dir });
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stderr, re);
      assert.match(r.stderr, /^ftlint: error: /);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.throws(() => loadConfig(join(dir, name)), ConfigError);
    });
  }

  it('a bad --target-version or --config is a usage error', () => {
    const dir = project({ 'a.c': BORROW });
    assert.equal(ftlint(['.', '--target-version', '2.7'], { cwd: dir }).code, 2);
    const r = ftlint(['.', '--config', 'nope.toml'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nope\.toml: cannot read configuration: ENOENT/);
  });

  it('copies of the configured fixture behave the same from another directory', () => {
    const dir = join(tmp, 'copy');
    cpSync(join(REPO, 'fixtures/projects/configured'), dir, { recursive: true });
    const r = json(['.'], dir);
    assert.deepEqual(r.findings.map((f) => f.path).sort(), ['src/cfg.c', 'src/cfg.c', 'tests/t.c']);
  });
});
