// Engine invariants that hold whatever the number of jobs: every finding (file and project rules) carries
// the text of its own line, and results do not depend on --jobs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { run, selectRules } from '../src/engine/run.js';
import { REPO } from './helpers/paths.js';

const lint = (jobs: number) => run({ paths: [join(REPO, 'fixtures')], cwd: REPO, ruleIds: selectRules(undefined, undefined), jobs, cacheDir: null });

describe('engine', () => {
  it('gives every finding, project rules included, the text of the line it is on', async () => {
    const r = await lint(1);
    const projectRules = new Set(['FT101', 'FT102', 'FT106', 'FT301', 'FT302', 'FT409']);
    assert.ok(r.findings.some((f) => projectRules.has(f.rule)), 'the fixtures have project-rule findings');
    const texts = new Map<string, string[]>();
    for (const f of r.findings) {
      if (!/\.(c|h|cc|cpp|hpp|pyx)$/.test(f.path)) continue;
      let lines = texts.get(f.path);
      if (!lines) texts.set(f.path, (lines = readFileSync(join(REPO, f.path), 'utf8').replace(/^\uFEFF/, '').split('\n')));
      assert.equal(f.lineText, (lines[f.range.start.line - 1] ?? '').trim(), `${f.rule} at ${f.path}:${f.range.start.line}`);
    }
  });

  it('finds the same things with one job and with several', async () => {
    const [one, two] = [await lint(1), await lint(3)];
    assert.deepEqual(two.findings, one.findings);
    assert.deepEqual(two.diagnostics, one.diagnostics);
  });
});
