// A bounded, seeded fuzz run in CI, plus every saved crasher as a regression input.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TARGETS } from '../fuzz/targets.js';
import { REPO } from './helpers/paths.js';

describe('fuzz (bounded)', () => {
  for (const t of TARGETS) {
    it(`${t.name}: 150 seeded inputs keep every invariant`, async () => {
      await fc.assert(fc.asyncProperty(t.arbitrary, (input) => t.check(input)), { numRuns: 150, seed: 20261122 });
    });
  }
  it('replays saved crashers', async () => {
    const dir = join(REPO, 'fixtures', 'fuzz-crashers');
    let files: string[] = [];
    try {
      files = readdirSync(dir);
    } catch {
      return;
    }
    for (const f of files) {
      const t = TARGETS.find((x) => f.startsWith(`${x.name}-`));
      if (!t) continue;
      const raw = readFileSync(join(dir, f));
      await t.check((t.ext === 'c' ? raw.toString('utf8') : raw) as never);
    }
  });
});
