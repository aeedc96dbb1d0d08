// Worker thread entry: initialises tree-sitter once, then lints the files it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { initParsers } from '../parse/parser.js';
import { RULES } from '../rules/index.js';
import type { FileRule } from '../rules/types.js';
import type { SourceFileRef } from './discover.js';
import { packFindings } from './cache.js';
import { internalError, lintFile, type LintOptions } from './lint-file.js';

interface WorkerInit {
  ruleIds: string[];
  options: Omit<LintOptions, 'rules'>;
}

const init = workerData as WorkerInit;
const ids = new Set(init.ruleIds);
const opts: LintOptions = { ...init.options, rules: RULES.filter((r): r is FileRule => r.kind === 'file' && ids.has(r.meta.id)) };

await initParsers();
parentPort?.on('message', (msg: { id: number; files: SourceFileRef[] }) => {
  const results = msg.files.map((f) => {
    let out;
    try {
      out = lintFile(f, opts);
    } catch (e) {
      out = internalError(f, e);
    }
    // Default remedies travel as null (they are most of a finding's size); the main thread puts them back.
    return { ...out, findings: packFindings(out.findings) };
  });
  parentPort?.postMessage({ id: msg.id, results });
});
parentPort?.postMessage({ ready: true });
