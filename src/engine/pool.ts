// Parallel per-file work across worker threads. Only compact results cross thread boundaries; the
// caller sorts, so output does not depend on the number of jobs.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { initParsers } from '../parse/parser.js';
import type { FileRule } from '../rules/types.js';
import type { SourceFileRef } from './discover.js';
import { unpackFindings } from './cache.js';
import { Interner } from './intern.js';
import { cachedResult, internalError, lintFile, type FileOutput, type LintOptions } from './lint-file.js';

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** Files per message: small enough to balance load, large enough to amortise messaging. */
const BATCH = 4;
/** Source bytes that make one more thread worth starting. */
const BYTES_PER_THREAD = 2 * 1024 * 1024;

export async function lintAll(
  files: SourceFileRef[],
  opts: LintOptions,
  jobs: number,
  onProgress?: (done: number, bytes: number) => void,
  /** `jobs` is the default (the number of cores), not the user's choice: small projects then use fewer threads. */
  auto = false,
): Promise<FileOutput[]> {
  const results: FileOutput[] = new Array(files.length);
  // One copy of each short string across all files' facts and findings (see intern.ts).
  const interner = new Interner(new Set(opts.rules.map((r) => r.meta.remedy)));
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
  // A worker costs ~0.2 s to start and warm up (modules, wasm): by default, one more thread per 2 MB of source at
  // most, so small projects are checked on this thread alone (measured: 1 MB took 0.9 s on one thread, 1.1 s on
  // two). An explicit --jobs is taken as asked.
  const work = todo.reduce((n, i) => n + (files[i]?.size ?? BYTES_PER_THREAD), 0);
  const threads = Math.min(jobs, Math.ceil(todo.length / BATCH), auto ? 1 + Math.floor(work / BYTES_PER_THREAD) : jobs);
  // This thread lints files too: `--jobs N` is this thread and N-1 workers (one isolate fewer to warm up and
  // keep in memory, and its own results need no copying between threads).
  const workers = threads - 1;
  // Files by size, biggest first. Workers take from the front, so the last files to finish are small and no
  // thread waits long for another; this thread takes from the back (the smallest files), so it gets back to its
  // event loop often and the workers' next batches are never held up behind one huge file (CPython's
  // Modules/unicodename_db.h is 2.3 MB).
  const queue = [...todo].sort((a, b) => (files[b]?.size ?? 0) - (files[a]?.size ?? 0));
  let next = 0;
  let end = queue.length;
  // Batches shrink as the queue empties (guided scheduling): the last files spread over all threads.
  const batchSize = () => Math.max(1, Math.min(BATCH, Math.floor((end - next) / (2 * threads))));
  const lintHere = (i: number) => {
    const f = files[i] as SourceFileRef;
    let r: FileOutput;
    try {
      r = lintFile(f, opts);
    } catch (e) {
      r = internalError(f, e);
    }
    // Its strings are slices of the file's text: detached, so finished files do not stay in memory.
    results[i] = interner.deep(r, true);
    bytes += r.bytes;
    onProgress?.(++done, bytes);
  };
  const workerUrl = new URL('./worker.js', import.meta.url);
  const init = { ruleIds: opts.rules.map((r: FileRule) => r.meta.id), options: { project: opts.project, maxBytes: opts.maxBytes, parseTimeoutMs: opts.parseTimeoutMs, cache: opts.cache, checkTests: opts.checkTests } };
  const allDone = new Promise<void>((resolveAll) => {
    if (workers <= 0) resolveAll();
    let live = 0;
    const spawn = (w: number) => {
      live++;
      const worker = new Worker(workerUrl, { workerData: init });
      // Two batches in flight, so a worker always has the next one queued while this thread is busy linting.
      const inflight = new Map<number, number[]>();
      let seq = 0;
      let finished = false;
      const feed = () => {
        while (inflight.size < 2 && next < end) {
          const batch: number[] = [];
          for (let k = batchSize(); k > 0 && next < end; k--) batch.push(queue[next++] as number);
          const id = seq++;
          inflight.set(id, batch);
          worker.postMessage({ id, files: batch.map((i) => files[i]) });
        }
        if (inflight.size === 0 && !finished) {
          finished = true;
          void worker.terminate();
        }
      };
      const lost = (why: string) => {
        // A worker that dies (out of memory, a wasm trap) costs only the files it was holding: report them and
        // carry on with a fresh worker.
        for (const batch of inflight.values()) {
          for (const i of batch) {
            const f = files[i] as SourceFileRef;
            results[i] ??= { findings: [], facts: null, bytes: 0, lines: 0, diagnostics: [{ code: 'FT000', path: f.display, reason: 'parse-limit', severity: 'warning', message: why }] };
            onProgress?.(++done, bytes);
          }
        }
        inflight.clear();
      };
      worker.on('message', (msg: { id?: number; ready?: boolean; results?: FileOutput[] }) => {
        if (msg.results && msg.id !== undefined) {
          const batch = inflight.get(msg.id) ?? [];
          inflight.delete(msg.id);
          msg.results.forEach((r, k) => {
            const i = batch[k] as number;
            unpackFindings(r.findings);
            results[i] = interner.deep(r);
            bytes += r.bytes;
            onProgress?.(++done, bytes);
          });
        }
        feed();
      });
      worker.on('error', (e) => {
        lost(`checking this file stopped its worker (${e instanceof Error ? e.message : String(e)}); skipped`);
        finished = true;
        if (next < end) spawn(w);
      });
      worker.on('exit', () => {
        if (!finished) {
          lost('its worker exited while checking this file; skipped');
          finished = true;
          if (next < end) spawn(w);
        }
        if (--live === 0) resolveAll();
      });
    };
    for (let w = 0; w < workers; w++) spawn(w);
  });
  await initParsers();
  // One file at a time from the shared queue, letting the workers' messages in between.
  while (next < end) {
    lintHere(queue[--end] as number);
    await new Promise<void>((r) => setImmediate(r));
  }
  await allDone;
  return results;
}

