// `npm run bench [-- DIR]`: ftlint's speed and memory as ratios against the parse-only limit measured in
// the same run, on a deterministic synthetic corpus (1, 10, 50 MB) or on a source tree you name.
// Prints a table and writes bench-results.json. Reports; never asserts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCorpus } from './corpus.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '..', '..');
const measureJs = join(here, 'measure.js');
const cores = availableParallelism();

interface M {
  ms: number;
  /** CPU time of all the process's threads. */
  cpuMs: number;
  maxRssKB: number;
  files: number;
  findings: number;
}

function measure(mode: string, jobs: number, dir: string, cacheDir?: string): M {
  const out = execFileSync(process.execPath, [measureJs, mode, String(jobs), dir, ...(cacheDir ? [cacheDir] : [])], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out) as M;
}

/** Interleaved repetitions (a, b, c, a, b, c, …) so that a slow spell of the machine hits every mode alike; keeps each mode's fastest time and highest RSS. */
function interleaved(specs: { key: string; run: () => M }[], reps: number): Map<string, M> {
  const runs = new Map<string, M[]>();
  for (let i = 0; i < reps; i++) for (const s of specs) runs.set(s.key, [...(runs.get(s.key) ?? []), s.run()]);
  const out = new Map<string, M>();
  for (const [k, list] of runs) {
    const fastest = list.reduce((a, b) => (b.ms < a.ms ? b : a));
    out.set(k, { ...fastest, maxRssKB: Math.max(...list.map((r) => r.maxRssKB)) });
  }
  return out;
}

function firstCFile(dir: string): string {
  const list = execFileSync('find', [dir, '-type', 'f', '-name', '*.c'], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n').filter(Boolean).sort();
  return list[0] as string;
}

function corpusStats(dir: string): { bytes: number; lines: number } {
  let bytes = 0;
  let lines = 0;
  const walk = (d: string) => {
    for (const e of execFileSync('find', [d, '-type', 'f', '(', '-name', '*.c', '-o', '-name', '*.h', ')'], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n')) {
      if (!e) continue;
      const t = readFileSync(e);
      bytes += t.length;
      for (const b of t) if (b === 10) lines++;
    }
  };
  walk(dir);
  return { bytes, lines };
}

const args = process.argv.slice(2);
const targets: { name: string; dir: string }[] = [];
if (args[0]) targets.push({ name: args[0], dir: resolve(args[0]) });
else {
  const base = join(repo, '.bench-corpus');
  for (const [name, mb] of [['1MB', 1], ['10MB', 10], ['50MB', 50]] as const) {
    const dir = join(base, name);
    const stamp = join(dir, '.complete');
    if (!existsSync(stamp)) {
      rmSync(dir, { recursive: true, force: true });
      writeCorpus(dir, mb * 1024 * 1024);
      writeFileSync(stamp, '');
    }
    targets.push({ name, dir });
  }
}

const results: Record<string, unknown>[] = [];
const fmt = (n: number, d = 2) => n.toFixed(d);
console.log(`ftlint benchmark — ${cores} core(s), node ${process.version}`);
console.log(`each figure: the fastest of ${process.env.BENCH_REPS ?? 3} interleaved runs (peak RSS: the highest)`);
console.log('corpus   files     MB    parse j1   parse jN    lint j1    lint jN  warm cache  warm 1 chg | lint/parse j1  j1/jN  warm/cold  1chg/cold  RSS parse  RSS lint');
for (const t of targets) {
  const { bytes, lines } = corpusStats(t.dir);
  const reps = Number(process.env.BENCH_REPS ?? 3);
  const main = interleaved(
    [
      { key: 'p1', run: () => measure('parse-only', 1, t.dir) },
      { key: 'pN', run: () => measure('parse-only', cores, t.dir) },
      { key: 'l1', run: () => measure('lint', 1, t.dir) },
      { key: 'lN', run: () => measure('lint', cores, t.dir) },
    ],
    reps,
  );
  const [p1, pN, l1, lN] = (['p1', 'pN', 'l1', 'lN'] as const).map((k) => main.get(k) as M) as [M, M, M, M];
  // The cache: cold (empty cache), warm (nothing changed) and warm after one file changed (that file is
  // parsed again, every other file's facts come from the cache and the project rules run again).
  const cacheDir = join(repo, '.bench-corpus', `.cache-${t.name}`);
  const touched = firstCFile(t.dir);
  const original = readFileSync(touched);
  const cacheRuns = interleaved(
    [
      {
        key: 'cold',
        run: () => {
          rmSync(cacheDir, { recursive: true, force: true });
          mkdirSync(cacheDir, { recursive: true });
          return measure('lint', cores, t.dir, cacheDir);
        },
      },
      { key: 'warm', run: () => measure('lint', cores, t.dir, cacheDir) },
      {
        key: 'warm1',
        run: () => {
          writeFileSync(touched, Buffer.concat([original, Buffer.from(`\n/* bench edit ${Date.now()} */\n`)]));
          try {
            return measure('lint', cores, t.dir, cacheDir);
          } finally {
            writeFileSync(touched, original);
            measure('lint', cores, t.dir, cacheDir); // back to the unchanged tree's cache state
          }
        },
      },
    ],
    reps,
  );
  const [cold, warm, warm1] = (['cold', 'warm', 'warm1'] as const).map((k) => cacheRuns.get(k) as M) as [M, M, M];
  rmSync(cacheDir, { recursive: true, force: true });
  const mb = bytes / 1024 / 1024;
  const row = {
    corpus: t.name,
    files: p1.files,
    bytes,
    lines,
    parseOnly: { j1: p1, jN: pN },
    lint: { j1: l1, jN: lN, cacheCold: cold, cacheWarm: warm, cacheWarmOneFileChanged: warm1 },
    jobs: cores,
    mbPerSec: { parseJ1: mb / (p1.ms / 1000), lintJ1: mb / (l1.ms / 1000), lintJN: mb / (lN.ms / 1000) },
    linesPerSec: { lintJ1: lines / (l1.ms / 1000), lintJN: lines / (lN.ms / 1000) },
    ratios: {
      lintOverParseJ1: l1.ms / p1.ms,
      lintOverParseJN: lN.ms / pN.ms,
      speedupJN: l1.ms / lN.ms,
      warmOverCold: warm.ms / cold.ms,
      warmOneChangedOverCold: warm1.ms / cold.ms,
    },
    // What more threads cost in total: compiles and garbage collection on V8's helper threads are free while a
    // core is idle, and compete with the checking threads when every core is busy.
    cpuSeconds: { parseJ1: p1.cpuMs / 1000, parseJN: pN.cpuMs / 1000, lintJ1: l1.cpuMs / 1000, lintJN: lN.cpuMs / 1000 },
    peakRssMB: { parseJ1: p1.maxRssKB / 1024, parseJN: pN.maxRssKB / 1024, lintJ1: l1.maxRssKB / 1024, lintJN: lN.maxRssKB / 1024, cacheWarm: warm.maxRssKB / 1024 },
    repetitions: reps,
  };
  results.push(row);
  console.log(
    `${t.name.padEnd(7)} ${String(p1.files).padStart(6)} ${fmt(mb, 1).padStart(6)} ${fmt(p1.ms / 1000).padStart(9)}s ${fmt(pN.ms / 1000).padStart(9)}s ${fmt(l1.ms / 1000).padStart(9)}s ${fmt(lN.ms / 1000).padStart(9)}s ${fmt(warm.ms / 1000).padStart(9)}s ${fmt(warm1.ms / 1000).padStart(10)}s |` +
      ` ${fmt(row.ratios.lintOverParseJ1).padStart(12)}x ${fmt(row.ratios.speedupJN).padStart(5)}x ${fmt(row.ratios.warmOverCold).padStart(9)}x ${fmt(row.ratios.warmOneChangedOverCold).padStart(9)}x ${fmt(p1.maxRssKB / 1024, 0).padStart(8)}MB ${fmt(Math.max(l1.maxRssKB, lN.maxRssKB) / 1024, 0).padStart(7)}MB`,
  );
  const more = (a: M, b: M) => `${b.cpuMs >= a.cpuMs ? '+' : ''}${fmt(((b.cpuMs - a.cpuMs) / a.cpuMs) * 100, 0)} %`;
  console.log(
    `${''.padEnd(7)} CPU, all threads: parse j1 ${fmt(p1.cpuMs / 1000, 1)}s, jN ${fmt(pN.cpuMs / 1000, 1)}s (${more(p1, pN)}); lint j1 ${fmt(l1.cpuMs / 1000, 1)}s, jN ${fmt(lN.cpuMs / 1000, 1)}s (${more(l1, lN)})`,
  );
}
const r10 = results.find((r) => r.corpus === '10MB') as { lint: { j1: M } } | undefined;
const r50 = results.find((r) => r.corpus === '50MB') as { lint: { j1: M } } | undefined;
const scaling = r10 && r50 ? r50.lint.j1.ms / r10.lint.j1.ms : null;
if (scaling !== null) console.log(`scaling: lint j1 time 50MB / 10MB = ${fmt(scaling)} (5.00 is linear)`);
// Issue 6: peak memory while checking a ~30 MB wheel (bench/abi-memory.ts, in its own processes).
let abiMemory: unknown[] = [];
if (!args[0]) {
  try {
    const raw = execFileSync(process.execPath, [join(here, 'abi-memory.js'), '30'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    abiMemory = raw.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as unknown);
    console.log(raw.slice(raw.indexOf('\ncase')).trimEnd());
  } catch (e) {
    console.log(`abi memory benchmark skipped: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}
const out = join(process.cwd(), 'bench-results.json');
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), cores, node: process.version, results, scaling50over10: scaling, abiMemory }, null, 2)}\n`);
console.log(`wrote ${out}`);
