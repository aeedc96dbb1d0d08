// The registry, the rule files and the generated docs agree.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ruleMarkdown, ruleTable } from '../src/report/rule-doc.js';
import { RULES } from '../src/rules/index.js';
import { REPO } from './helpers/paths.js';

describe('rule registry', () => {
  it('registers every rule file under src/rules, and file names match ids', () => {
    const files = readdirSync(join(REPO, 'src/rules')).filter((f) => /^ft\d{3}-.*\.ts$/.test(f));
    const ids = RULES.map((r) => r.meta.id.toLowerCase());
    assert.deepEqual(files.map((f) => f.slice(0, 5)).sort(), [...ids].sort());
    assert.equal(new Set(ids).size, ids.length, 'duplicate rule ids');
  });

  it('gives every rule complete metadata and a remedy that names an API', () => {
    for (const r of RULES) {
      const m = r.meta;
      assert.match(m.id, /^FT\d{3}$/);
      assert.ok(m.id.startsWith(m.family), `${m.id} family`);
      assert.match(m.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${m.id} name`);
      for (const k of ['title', 'why', 'bad', 'good'] as const) assert.ok(m[k].length > 10, `${m.id}.${k}`);
      assert.ok(m.remedy.api.length > 0 && m.remedy.snippet.length > 0, `${m.id} remedy`);
      if (m.remedy.since !== null) assert.match(m.remedy.since, /^\d+\.\d+$/, `${m.id} since`);
    }
  });

  it('has a fixture expecting every rule', () => {
    const all = readAllFixtures(join(REPO, 'fixtures'));
    // Wheel and binary rules (kind 'artifact') have no text fixtures: tests/abi*.test.ts build real
    // binaries and wheels and assert findings as `FT8nn <path>`.
    const abiTests = readdirSync(join(REPO, 'tests')).filter((f) => /^abi.*\.test\.ts$/.test(f)).map((f) => readFileSync(join(REPO, 'tests', f), 'utf8')).join('\n');
    for (const r of RULES) {
      if (r.kind === 'artifact') assert.ok(new RegExp(`['\`]${r.meta.id} `).test(abiTests), `no tests/abi*.test.ts asserts a finding of ${r.meta.id}`);
      else assert.ok(all.includes(`expect: ${r.meta.id}`) || new RegExp(`expect:[^\\n]*${r.meta.id}`).test(all), `no fixture expects ${r.meta.id}`);
    }
  });

  it('docs/rules and the README table are generated from the metadata (run `npm run gen`)', () => {
    for (const r of RULES) {
      const p = join(REPO, 'docs/rules', `${r.meta.id}.md`);
      assert.ok(existsSync(p), `${p} missing`);
      assert.equal(readFileSync(p, 'utf8'), ruleMarkdown(r), `${p} is stale`);
    }
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const m = /<!-- rules:start -->\n([\s\S]*?)\n<!-- rules:end -->/.exec(readme);
    assert.ok(m, 'README has no <!-- rules:start --> … <!-- rules:end --> block');
    assert.equal(m[1], ruleTable(RULES), 'README rule table is stale');
  });
});

function readAllFixtures(dir: string): string {
  let out = '';
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out += readAllFixtures(p);
    else if (e.isFile()) out += readFileSync(p, 'utf8');
  }
  return out;
}
