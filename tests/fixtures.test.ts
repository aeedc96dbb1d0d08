// Every directory under fixtures/rules and fixtures/projects is linted as one project with every rule;
// its findings are compared, both ways, with the `expect:` comments in its files.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { findConfigFile, loadConfig } from '../src/config/config.js';
import { mergeSelection } from '../src/config/resolve.js';
import { discover } from '../src/engine/discover.js';
import { run, selectRules } from '../src/engine/run.js';
import { parseDirectives, parseExpectations, type Expectation } from './helpers/expectations.js';
import { REPO } from './helpers/paths.js';

const ROOTS = ['fixtures/rules', 'fixtures/projects'];

function fixtureDirs(): string[] {
  const out: string[] = [];
  for (const root of ROOTS) {
    let names: string[] = [];
    try {
      names = readdirSync(join(REPO, root)).sort();
    } catch {
      continue;
    }
    for (const n of names) if (statSync(join(REPO, root, n)).isDirectory()) out.push(join(root, n));
  }
  return out;
}

const key = (e: { path: string; line: number; rule: string }) => `${e.path}:${e.line}: ${e.rule}`;

describe('fixtures (closed world)', () => {
  for (const dir of fixtureDirs()) {
    it(dir, async () => {
      const files = discover([dir], REPO).files;
      const expected: Expectation[] = [];
      let directives: Record<string, string> = {};
      for (const f of files) {
        expected.push(...parseExpectations(f.abs, f.display));
        directives = { ...directives, ...parseDirectives(f.abs) };
      }
      // A fixture directory may carry its own configuration (ftlint.toml, or pyproject.toml with [tool.ftlint]).
      const cfgFile = findConfigFile(join(REPO, dir));
      const config = cfgFile && cfgFile.startsWith(`${join(REPO, dir)}/`) ? loadConfig(cfgFile) : undefined;
      const sel = mergeSelection({ select: directives.select?.split(','), ignore: directives.ignore?.split(',') }, config);
      const result = await run({
        paths: [dir],
        cwd: REPO,
        ruleIds: selectRules(sel.select, sel.ignore),
        jobs: 1,
        ...(config ? { config } : {}),
        reportUnusedIgnores: directives['report-unused-ignores'] === 'true',
        checkTests: directives['check-tests'] === 'true',
        cacheDir: null,
      });
      const actual = result.findings.map((f) => ({ path: f.path, line: f.range.start.line, rule: f.rule, column: f.range.start.column }));
      const missing = expected.filter((e) => !actual.some((a) => key(a) === key(e) && (e.column === undefined || e.column === a.column)));
      const unexpected = actual.filter((a) => !expected.some((e) => key(a) === key(e)));
      // Multiplicity: as many findings as expectations per line and rule.
      const count = (xs: { path: string; line: number; rule: string }[]) => {
        const m = new Map<string, number>();
        for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
        return m;
      };
      const ce = count(expected);
      const ca = count(actual);
      const multiplicity = [...ce.keys()].filter((k) => ca.has(k) && ca.get(k) !== ce.get(k)).map((k) => `${k} expected ${ce.get(k)}, got ${ca.get(k)}`);
      const show = (xs: { path: string; line: number; rule: string }[]) => xs.map(key).join('\n  ');
      assert.ok(files.length > 0, `no files under ${relative(REPO, dir)}`);
      assert.deepEqual(
        { missing: show(missing), unexpected: show(unexpected), multiplicity },
        { missing: '', unexpected: '', multiplicity: [] },
        `findings differ from the expect: comments in ${dir}`,
      );
    });
  }
});
