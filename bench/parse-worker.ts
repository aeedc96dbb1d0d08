import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { initParsers, parse } from '../src/parse/parser.js';

await initParsers();
for (const f of workerData as string[]) parse('c', readFileSync(f, 'utf8'))?.delete();
parentPort?.postMessage('done');
