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
  maxRssKB: number;
  files: number;
  findings: number;
}

function measure(mode: string, jobs: number, dir: string, cacheDir?: string): M {
  const out = execFileSync(process.execPath, [measureJs, mode, String(jobs), dir, ...(cacheDir ? [cacheDir] : [])], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out) as M;
}

function best(mode: string, jobs: number, dir: string, reps: number, cacheDir?: string): M {
  const runs: M[] = [];
  for (let i = 0; i < reps; i++) runs.push(measure(mode, jobs, dir, cacheDir));
  const fastest = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
  return { ...fastest, maxRssKB: Math.max(...runs.map((r) => r.maxRssKB)) };
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
console.log('corpus   files     MB    parse j1   parse jN    lint j1    lint jN  warm cache | lint/parse j1  j1/jN  warm/cold  RSS parse  RSS lint');
for (const t of targets) {
  const { bytes, lines } = corpusStats(t.dir);
  const reps = bytes < 5 * 1024 * 1024 ? 3 : 1;
  const p1 = best('parse-only', 1, t.dir, reps);
  const pN = best('parse-only', cores, t.dir, reps);
  const l1 = best('lint', 1, t.dir, reps);
  const lN = best('lint', cores, t.dir, reps);
  const cacheDir = join(repo, '.bench-corpus', `.cache-${t.name}`);
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  const cold = measure('lint', cores, t.dir, cacheDir);
  const warm = best('lint', cores, t.dir, reps, cacheDir);
  rmSync(cacheDir, { recursive: true, force: true });
  const mb = bytes / 1024 / 1024;
  const row = {
    corpus: t.name,
    files: p1.files,
    bytes,
    lines,
    parseOnly: { j1: p1, jN: pN },
    lint: { j1: l1, jN: lN, cacheCold: cold, cacheWarm: warm },
    jobs: cores,
    mbPerSec: { parseJ1: mb / (p1.ms / 1000), lintJ1: mb / (l1.ms / 1000), lintJN: mb / (lN.ms / 1000) },
    linesPerSec: { lintJ1: lines / (l1.ms / 1000), lintJN: lines / (lN.ms / 1000) },
    ratios: {
      lintOverParseJ1: l1.ms / p1.ms,
      lintOverParseJN: lN.ms / pN.ms,
      speedupJN: l1.ms / lN.ms,
      warmOverCold: warm.ms / cold.ms,
    },
    peakRssMB: { parseJ1: p1.maxRssKB / 1024, lintJ1: l1.maxRssKB / 1024, lintJN: lN.maxRssKB / 1024 },
  };
  results.push(row);
  console.log(
    `${t.name.padEnd(7)} ${String(p1.files).padStart(6)} ${fmt(mb, 1).padStart(6)} ${fmt(p1.ms / 1000).padStart(9)}s ${fmt(pN.ms / 1000).padStart(9)}s ${fmt(l1.ms / 1000).padStart(9)}s ${fmt(lN.ms / 1000).padStart(9)}s ${fmt(warm.ms / 1000).padStart(9)}s |` +
      ` ${fmt(row.ratios.lintOverParseJ1).padStart(12)}x ${fmt(row.ratios.speedupJN).padStart(5)}x ${fmt(row.ratios.warmOverCold).padStart(9)}x ${fmt(p1.maxRssKB / 1024, 0).padStart(8)}MB ${fmt(Math.max(l1.maxRssKB, lN.maxRssKB) / 1024, 0).padStart(7)}MB`,
  );
}
const r10 = results.find((r) => r.corpus === '10MB') as { lint: { j1: M } } | undefined;
const r50 = results.find((r) => r.corpus === '50MB') as { lint: { j1: M } } | undefined;
const scaling = r10 && r50 ? r50.lint.j1.ms / r10.lint.j1.ms : null;
if (scaling !== null) console.log(`scaling: lint j1 time 50MB / 10MB = ${fmt(scaling)} (5.00 is linear)`);
const out = join(process.cwd(), 'bench-results.json');
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), cores, node: process.version, results, scaling50over10: scaling }, null, 2)}\n`);
console.log(`wrote ${out}`);
