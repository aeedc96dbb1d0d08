// The GitHub Action (composite, action.yml at the root): validated offline with action-validator, and
// run for real by a harness that executes its steps with GitHub's environment, from a copy of the repository
// (so the install step really runs `npm ci --ignore-scripts && npm run build` in the action's directory).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type * as Sarif from 'sarif';
import { parse as parseYaml } from 'yaml';
import { evaluate, runCompositeAction, type ActionRun } from './helpers/action-harness.js';
import { REPO } from './helpers/paths.js';
import { schemaErrors, sarifToolsMissing } from './helpers/sarif.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftlint-action-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const VALIDATOR = join(REPO, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
function validate(file: string) {
  return spawnSync(process.execPath, [VALIDATOR, file], { encoding: 'utf8' });
}

/** The repository as a fresh checkout would have it: tracked and new files, no node_modules, no dist. */
function checkout(): string {
  const dir = join(tmp, 'action');
  const ls = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: REPO, encoding: 'utf8' });
  assert.equal(ls.status, 0, ls.stderr);
  for (const f of ls.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(REPO, f))) continue; // deleted in the work tree
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(REPO, f), join(dir, f));
  }
  return dir;
}

function workspace(fixture: string): string {
  const ws = join(tmp, `ws-${fixture.replace(/\W/g, '_')}-${readdirSync(tmp).length}`);
  cpSync(join(REPO, 'fixtures/projects', fixture), join(ws, 'src'), { recursive: true });
  return ws;
}

describe('action.yml', () => {
  it('passes action-validator, and the validator catches a broken action', () => {
    const r = validate(join(REPO, 'action.yml'));
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const doc = parseYaml(readFileSync(join(REPO, 'action.yml'), 'utf8')) as { runs: { using: string; steps: { uses?: string }[] }; inputs: Record<string, unknown> };
    assert.equal(doc.runs.using, 'composite');
    assert.deepEqual(Object.keys(doc.inputs).sort(), ['args', 'category', 'fail-on', 'path', 'sarif-file', 'upload-sarif']);
    assert.ok(doc.runs.steps.some((s) => s.uses === 'github/codeql-action/upload-sarif@v4'));
    const broken = join(tmp, 'broken.yml');
    cpSync(join(REPO, 'action.yml'), broken);
    const text = readFileSync(broken, 'utf8').replace(/ {6}shell: bash\n/, '');
    spawnSync('bash', ['-c', 'cat > "$1"', '_', broken], { input: text });
    assert.notEqual(validate(broken).status, 0);
  });

  it('the workflows in .github/workflows pass action-validator', () => {
    const dir = join(REPO, '.github/workflows');
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    assert.ok(files.length > 0);
    for (const f of files) {
      const r = validate(join(dir, f));
      assert.equal(r.status, 0, `${f}: ${r.stdout}${r.stderr}`);
    }
  });

  it('the harness evaluates the expressions the action uses', () => {
    const scope = { inputs: { 'upload-sarif': 'true', x: '' }, github: {}, runner: {}, env: {}, steps: { s: { outputs: { 'sarif-written': 'true' }, outcome: 'success', conclusion: 'success' } }, failed: false };
    assert.equal(evaluate("inputs.upload-sarif == 'true' && steps.s.outputs.sarif-written == 'true'", scope), true);
    assert.equal(evaluate("inputs.upload-sarif == 'false' || steps.s.outputs.nope == 'true'", scope), false);
    assert.equal(evaluate("!(inputs.x == '')", scope), false);
  });
});

describe('the action, run with GitHub\'s environment', { timeout: 240_000 }, () => {
  let actionPath = '';
  let first: ActionRun;
  const env = { npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' };

  before(() => {
    actionPath = checkout();
    first = runCompositeAction({ actionPath, workspace: workspace('spam'), inputs: { path: 'src' }, env });
  });

  it('installs from its own checkout, with no install scripts', () => {
    const install = first.steps[0];
    assert.equal(install?.status, 'success', `${install?.stdout}\n${install?.stderr}`);
    assert.ok(existsSync(join(actionPath, 'dist/src/cli/main.js')));
  });

  it('writes SARIF, the job summary and annotations, uploads, and fails the step on warnings', () => {
    const run = first;
    const ftlintStep = run.steps.find((s) => s.id === 'ftlint');
    assert.equal(ftlintStep?.status, 'success', ftlintStep?.stderr);
    assert.deepEqual(run.outputs, { 'sarif-file': 'ftlint.sarif', findings: '5', 'exit-code': '1' });
    const upload = run.steps.find((s) => s.uses === 'github/codeql-action/upload-sarif@v4');
    assert.equal(upload?.status, 'success');
    assert.deepEqual(upload?.with, { sarif_file: 'ftlint.sarif', category: 'ftlint' });
    // Annotations: most severe first, with file and position.
    assert.deepEqual(
      run.annotations.map((a) => `${a.level} ${a.props.file}:${a.props.line}:${a.props.col} ${a.props.title}`),
      [
        'error src/spammodule.c:83:21 ftlint FT203',
        'warning src/spammodule.c:17:23 ftlint FT201',
        'warning src/spammodule.c:35:12 ftlint FT207',
        'warning src/spammodule.c:52:23 ftlint FT202',
        'warning src/spammodule.c:109:19 ftlint FT102',
      ],
    );
    assert.match(run.annotations[0]?.message ?? '', /\nuse instead: PyWeakref_GetRef/);
    // The log shows the human-readable report too.
    assert.match(ftlintStep?.stdout ?? '', /^src\/spammodule\.c:17:23: warning: .*\[FT201\]$/m);
    // Summary.
    assert.match(run.summary, /^## ❌ ftlint$/m);
    assert.match(run.summary, /Found 5 problems \(1 error, 4 warnings\) in 2 files\./);
    // Verdict.
    const verdict = run.steps[run.steps.length - 1];
    assert.equal(verdict?.status, 'failure');
    assert.equal(verdict?.exitCode, 1);
    assert.equal(run.status, 'failure');
  });

  it('writes valid SARIF with URIs relative to the workspace', { skip: sarifToolsMissing ?? false }, () => {
    const ws = workspace('spam');
    const run = runCompositeAction({ actionPath, workspace: ws, inputs: { path: 'src', 'sarif-file': 'out/r.sarif', 'fail-on': 'never', 'upload-sarif': 'false' }, env });
    assert.equal(run.steps.find((s) => s.id === 'ftlint')?.outputs['sarif-written'], undefined, 'out/ does not exist: ftlint cannot write there');
    mkdirSync(join(ws, 'out'));
    const again = runCompositeAction({ actionPath, workspace: ws, inputs: { path: 'src', 'sarif-file': 'out/r.sarif', 'fail-on': 'never', 'upload-sarif': 'false' }, env });
    assert.equal(again.status, 'success');
    const log = JSON.parse(readFileSync(join(ws, 'out/r.sarif'), 'utf8')) as Sarif.Log;
    assert.deepEqual(schemaErrors(log), []);
    assert.equal(log.runs[0]?.results?.[0]?.locations?.[0]?.physicalLocation?.artifactLocation?.uri, 'src/spammodule.c');
    assert.equal(again.steps.find((s) => s.uses)?.status, 'skipped', 'upload-sarif: false skips the upload');
    assert.equal(run.status, 'failure', 'an unwritable SARIF path fails the step');
  });

  it('passes on a clean project, honours fail-on and category, and passes args through', () => {
    const clean = runCompositeAction({ actionPath, workspace: workspace('ported'), inputs: { path: 'src', category: 'ftlint-ported' }, env });
    assert.equal(clean.status, 'success');
    assert.equal(clean.outputs.findings, '0');
    assert.deepEqual(clean.annotations, []);
    assert.match(clean.summary, /^## ✅ ftlint\n\nNo problems found in 2 files\.$/m);
    assert.equal(clean.steps.find((s) => s.uses)?.with?.category, 'ftlint-ported');

    const onlyErrors = runCompositeAction({ actionPath, workspace: workspace('spam'), inputs: { path: 'src', args: '--select FT2 --ignore FT203', 'fail-on': 'error' }, env });
    assert.equal(onlyErrors.outputs.findings, '3');
    assert.equal(onlyErrors.outputs['exit-code'], '0');
    assert.equal(onlyErrors.status, 'success');
  });

  it('fails with an error annotation and no upload when ftlint cannot run', () => {
    const bad = runCompositeAction({ actionPath, workspace: workspace('spam'), inputs: { path: 'src', args: '--select FT999' }, env });
    assert.equal(bad.status, 'failure');
    assert.equal(bad.outputs['exit-code'], '2');
    assert.equal(bad.steps.find((s) => s.uses)?.status, 'skipped');
    assert.ok(bad.annotations.some((a) => a.level === 'error' && /could not run \(exit code 2\)/.test(a.message)));
    assert.match(bad.steps.find((s) => s.id === 'ftlint')?.stderr ?? '', /unknown rule or prefix 'FT999'/);
    const badFailOn = runCompositeAction({ actionPath, workspace: workspace('spam'), inputs: { path: 'src', 'fail-on': 'sometimes' }, env });
    assert.equal(badFailOn.status, 'failure');
    assert.ok(badFailOn.annotations.some((a) => /fail-on must be error, warning, info or never/.test(a.message)));
  });

  it('a second use in the same job reuses the build', () => {
    const again = runCompositeAction({ actionPath, workspace: workspace('ported'), inputs: { path: 'src' }, env });
    assert.match(again.steps[0]?.stdout ?? '', /already built/);
  });
});
