// Parallel per-file work across worker threads. Only compact results cross thread boundaries; the
// caller sorts, so output does not depend on the number of jobs.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { initParsers } from '../parse/parser.js';
import type { FileRule } from '../rules/types.js';
import type { SourceFileRef } from './discover.js';
import { Interner } from './intern.js';
import { cachedResult, lintFile, type FileOutput, type LintOptions } from './lint-file.js';

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** Files per message: small enough to balance load, large enough to amortise messaging. */
const BATCH = 4;

export async function lintAll(
  files: SourceFileRef[],
  opts: LintOptions,
  jobs: number,
  onProgress?: (done: number, bytes: number) => void,
): Promise<FileOutput[]> {
  const results: FileOutput[] = new Array(files.length);
  // One copy of each short string across all files' facts and findings (see intern.ts).
  const interner = new Interner();
  let done = 0;
  let bytes = 0;
  // Cache hits are served here, without parsers or workers; only misses are parsed.
  let todo = files.map((_, i) => i);
  if (opts.cache) {
    todo = [];
    files.forEach((f, i) => {
      const hit = cachedResult(f, opts);
      if (hit) {
        results[i] = interner.deep(hit);
        bytes += hit.bytes;
        onProgress?.(++done, bytes);
      } else todo.push(i);
    });
    if (todo.length === 0) return results;
  }
  // Workers cost ~100 ms to start and warm up; for a handful of files one thread is faster.
  const workers = Math.min(jobs, Math.ceil(todo.length / BATCH));
  if (workers <= 1) {
    await initParsers();
    for (const i of todo) {
      // A structured clone, as a worker's message would make: strings sliced from the file's text (V8 keeps the
      // whole text alive behind a slice) become flat copies, so finished files do not stay in memory.
      const r = interner.deep(structuredClone(lintFile(files[i] as SourceFileRef, opts)));
      results[i] = r;
      bytes += r.bytes;
      onProgress?.(++done, bytes);
    }
    return results;
  }
  const workerUrl = new URL('./worker.js', import.meta.url);
  const init = { ruleIds: opts.rules.map((r: FileRule) => r.meta.id), options: { project: opts.project, maxBytes: opts.maxBytes, parseTimeoutMs: opts.parseTimeoutMs, cache: opts.cache, checkTests: opts.checkTests } };
  let next = 0;
  const queue = todo;
  await new Promise<void>((resolveAll) => {
    let live = 0;
    const spawn = (w: number) => {
      live++;
      // A bounded young generation keeps short-lived garbage (trees' JS wrappers, texts) from inflating RSS.
      const worker = new Worker(workerUrl, { workerData: init });
      let inflight: number[] = [];
      let finished = false;
      const feed = () => {
        if (next >= queue.length) {
          finished = true;
          void worker.terminate();
          return;
        }
        inflight = [];
        for (let k = 0; k < BATCH && next < queue.length; k++) inflight.push(queue[next++] as number);
        worker.postMessage({ id: w, files: inflight.map((i) => files[i]) });
      };
      worker.on('message', (msg: { ready?: boolean; results?: FileOutput[] }) => {
        if (msg.results) {
          msg.results.forEach((r, k) => {
            const i = inflight[k] as number;
            results[i] = interner.deep(r);
            bytes += r.bytes;
            onProgress?.(++done, bytes);
          });
          inflight = [];
        }
        feed();
      });
      worker.on('error', (e) => {
        // A worker that dies (out of memory, a wasm trap) costs only the files it was holding: report them and
        // carry on with a fresh worker.
        for (const i of inflight) {
          const f = files[i] as SourceFileRef;
          results[i] = { findings: [], facts: null, bytes: 0, lines: 0, diagnostics: [{ code: 'FT000', path: f.display, reason: 'parse-limit', severity: 'warning', message: `checking this file stopped its worker (${e instanceof Error ? e.message : String(e)}); skipped` }] };
          onProgress?.(++done, bytes);
        }
        inflight = [];
        finished = true;
        if (next < queue.length) spawn(w);
      });
      worker.on('exit', () => {
        if (!finished) {
          for (const i of inflight) {
            const f = files[i] as SourceFileRef;
            results[i] ??= { findings: [], facts: null, bytes: 0, lines: 0, diagnostics: [{ code: 'FT000', path: f.display, reason: 'parse-limit', severity: 'warning', message: 'its worker exited while checking this file; skipped' }] };
          }
          inflight = [];
          if (next < queue.length) spawn(w);
        }
        if (--live === 0) resolveAll();
      });
    };
    for (let w = 0; w < workers; w++) spawn(w);
  });
  return results;
}
