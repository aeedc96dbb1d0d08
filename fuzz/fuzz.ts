// `npm run fuzz [-- SECONDS [TARGET,…]]`: property-based fuzzing of every target (or the named ones) for a
// time budget (default 60 s per target). Prints iterations per target; a failing input is shrunk, saved under fixtures/fuzz-crashers/,
// and the run exits 1.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { TARGETS } from './targets.js';

const seconds = Number(process.argv[2] ?? process.env.FUZZ_SECONDS ?? 60);
const repo = fileURLToPath(new URL('../../', import.meta.url));
let failed = 0;
const only = process.argv[3]?.split(',');
for (const t of TARGETS.filter((x) => !only || only.includes(x.name))) {
  let iterations = 0;
  const started = Date.now();
  const result = await fc.check(
    fc.asyncProperty(t.arbitrary, async (input) => {
      iterations++;
      await t.check(input);
    }),
    { numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false, seed: Date.now() },
  );
  const secs = (Date.now() - started) / 1000;
  if (result.failed && result.counterexample) {
    failed++;
    const input = result.counterexample[0];
    const bytes = t.bytes(input);
    const dir = join(repo, 'fixtures', 'fuzz-crashers');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${t.name}-${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}.${t.ext}`);
    writeFileSync(file, bytes);
    console.log(`${t.name}: FAILED after ${iterations} inputs (seed ${result.seed}): ${String(result.errorInstance)}\n  saved ${file}`);
  } else {
    console.log(`${t.name}: ${iterations} inputs in ${secs.toFixed(0)} s, no failure`);
  }
}
process.exitCode = failed ? 1 : 0;
