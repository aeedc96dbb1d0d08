// One measurement in a fresh process (so peak RSS is its own): `node measure.js MODE JOBS DIR [cache-dir]`.
//   parse-only: read and parse every .c/.h file with tree-sitter, nothing else;
//   lint:       ftlint end to end as `ftlint --format json` runs it (all rules, the report written to /dev/null), cache
//               off unless a cache dir is given.
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { initParsers, parse } from '../src/parse/parser.js';
import { run, selectRules } from '../src/engine/run.js';
import { jsonChunks } from '../src/report/json.js';

const [mode, jobsArg, dir, cacheDir] = process.argv.slice(2);
const jobs = Number(jobsArg ?? '1');

function listFiles(d: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (/\.(c|h)$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

async function parseOnly(files: string[]): Promise<void> {
  if (jobs <= 1) {
    await initParsers();
    for (const f of files) parse('c', readFileSync(f, 'utf8'))?.delete();
    return;
  }
  const url = new URL('./parse-worker.js', import.meta.url);
  const chunks: string[][] = Array.from({ length: jobs }, () => []);
  files.forEach((f, i) => chunks[i % jobs]?.push(f));
  await Promise.all(chunks.map((c) => new Promise<void>((res, rej) => {
    const w = new Worker(url, { workerData: c });
    w.on('message', () => void w.terminate().then(() => res()));
    w.on('error', rej);
  })));
}

const t0 = performance.now();
const files = listFiles(dir as string);
let findings = 0;
if (mode === 'parse-only') await parseOnly(files);
else {
  const result = await run({ paths: [dir as string], cwd: process.cwd(), ruleIds: selectRules(undefined, undefined), jobs, lineTexts: false, ...(cacheDir ? { cacheDir } : { cacheDir: null }) });
  findings = result.findings.length;
  // Written as the CLI writes a report (chunk by chunk), to the null device.
  const fd = openSync('/dev/null', 'w');
  for (const c of jsonChunks(result, 'bench')) writeSync(fd, c);
  closeSync(fd);
}
const ms = performance.now() - t0;
// CPU time of every thread of the process (JS threads, workers, V8's compiler and GC helpers).
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKB: process.resourceUsage().maxRSS, files: files.length, findings }));
