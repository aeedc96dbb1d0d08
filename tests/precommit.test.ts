// The pre-commit hook (.pre-commit-hooks.yaml, language: node), installed and run by Debian's
// pre-commit from a local hook repository made of the working tree (pre-commit runs `npm install`,
// `npm pack` and installs the tarball: the build must not print to stdout, nor need install scripts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { REPO } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftlint-precommit-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const preCommitMissing = spawnSync('pre-commit', ['--version']).status === 0 ? false : 'pre-commit is not installed (apt-get install pre-commit; .ci/run does)';

const git = (cwd: string, ...args: string[]) => {
  const r = spawnSync('git', ['-c', 'user.email=ci@example.invalid', '-c', 'user.name=ci', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

describe('.pre-commit-hooks.yaml', () => {
  it('declares the ftlint hook: node, the bin of package.json, C/C++/Cython/Python files', () => {
    const hooks = parseYaml(readFileSync(join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; entry: string; language: string; types_or: string[]; pass_filenames?: boolean }[];
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
    const h = hooks.find((x) => x.id === 'ftlint');
    assert.ok(h);
    assert.equal(h.language, 'node');
    assert.ok(h.entry in pkg.bin);
    assert.deepEqual([...h.types_or].sort(), ['c', 'c++', 'cython', 'python']);
    assert.notEqual(h.pass_filenames, false);
    assert.equal(pkg.scripts.prepare, undefined, 'build in prepack, not prepare (prepare is an install script for git installs)');
    assert.ok(pkg.scripts.prepack);
  });
});

describe('the hook, run by pre-commit', { skip: preCommitMissing, timeout: 300_000 }, () => {
  const hookRepo = join(tmp, 'hook-repo');
  const project = join(tmp, 'project');
  const env = { ...process.env, PRE_COMMIT_HOME: join(tmp, 'pre-commit-home'), NO_COLOR: '1', npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' };
  const run = (...args: string[]) => spawnSync('pre-commit', ['run', '--color', 'never', ...args], { cwd: project, env, encoding: 'utf8', timeout: 300_000 });
  let first: ReturnType<typeof run>;

  before(() => {
    // The hook repository: the working tree's files, committed (what a `rev:` would check out).
    const ls = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: REPO, encoding: 'utf8' });
    for (const f of ls.stdout.split('\0').filter(Boolean)) {
      if (!existsSync(join(REPO, f))) continue;
      mkdirSync(dirname(join(hookRepo, f)), { recursive: true });
      cpSync(join(REPO, f), join(hookRepo, f));
    }
    git(hookRepo, 'init', '-q');
    git(hookRepo, 'add', '-A');
    git(hookRepo, 'commit', '-qm', 'hook');
    const rev = git(hookRepo, 'rev-parse', 'HEAD');
    // A project with an unported module, a clean helper file and a Python file.
    mkdirSync(join(project, 'lib'), { recursive: true });
    cpSync(join(REPO, 'fixtures/projects/spam/spammodule.c'), join(project, 'spammodule.c'));
    writeFileSync(join(project, 'lib/util.c'), '#include <Python.h>\nPyObject *get(PyObject *d, PyObject *k) {\n    PyObject *v;\n    return PyDict_GetItemRef(d, k, &v) < 0 ? NULL : v;\n}\n');
    writeFileSync(join(project, 'setup.py'), 'from setuptools import setup\nsetup(name="p")\n');
    writeFileSync(join(project, 'notes.txt'), 'PyDict_GetItem is not checked in text files\n');
    writeFileSync(
      join(project, '.pre-commit-config.yaml'),
      `repos:\n- repo: ${hookRepo}\n  rev: ${rev}\n  hooks:\n  - id: ftlint\n  - id: ftlint\n    name: ftlint FT2 only\n    args: [--select, FT2, --quiet]\n`,
    );
    git(project, 'init', '-q');
    git(project, 'add', '-A');
    first = run('--all-files');
  });

  it('installs (npm install, npm pack, the build) and fails on findings across many files', () => {
    assert.doesNotMatch(first.stdout + first.stderr, /An unexpected error has occurred|ENOENT/, first.stdout + first.stderr);
    assert.equal(first.status, 1, first.stdout + first.stderr);
    assert.match(first.stdout, /^ftlint \(free-threading checks\)\.+Failed$/m);
    assert.match(first.stdout, /^spammodule\.c:17:23: warning: .*\[FT201\]$/m);
    assert.match(first.stdout, /^spammodule\.c:109:19: warning: .*\[FT102\]$/m);
    assert.match(first.stdout, /Found 5 problems \(1 error, 4 warnings\) in 3 files\./, 'spammodule.c, lib/util.c and setup.py in one call; notes.txt not passed');
  });

  it('passes hook args before the file names', () => {
    const section = first.stdout.split(/^ftlint FT2 only/m)[1] ?? '';
    assert.match(section, /\[FT201\]/);
    assert.doesNotMatch(section, /\[FT102\]|Found/);
  });

  it('passes once the files are clean', () => {
    const r = run('--files', 'lib/util.c', 'setup.py');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ftlint \(free-threading checks\)\.+Passed$/m);
  });
});
