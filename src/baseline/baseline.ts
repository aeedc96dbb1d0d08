// Baselines: adopt ftlint on a project with known findings, and fail only on new ones.
//
// `--write-baseline FILE` records the current findings by fingerprint (the one SARIF uses:
// rule + path + the flagged line's text + occurrence index, see report/fingerprint.ts), with paths
// relative to the baseline file's directory, so it works from any working directory and survives
// code moving up or down. `--baseline FILE` then drops findings recorded there; a finding whose line
// was edited is new. The file is sorted and stable, so it diffs and merges cleanly.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Finding } from '../engine/types.js';
import { FINGERPRINT_KEY, fingerprints, relativeTo } from '../report/fingerprint.js';

export interface BaselineEntry {
  rule: string;
  path: string;
  fingerprint: string;
  /** For people reading the file; not used for matching. */
  line: number;
  message: string;
}

export interface BaselineFile {
  tool: 'ftlint';
  version: 1;
  fingerprints: typeof FINGERPRINT_KEY;
  findings: BaselineEntry[];
}

export class BaselineError extends Error {}

export function makeBaseline(findings: readonly Finding[], file: string, cwd: string): BaselineFile {
  const root = dirname(resolve(cwd, file));
  const fps = fingerprints(findings, root, cwd);
  const entries = findings.map((f, i) => ({ rule: f.rule, path: relativeTo(root, f.path, cwd), fingerprint: fps[i] as string, line: f.range.start.line, message: f.message }));
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.line - b.line || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) || (a.fingerprint < b.fingerprint ? -1 : 1));
  return { tool: 'ftlint', version: 1, fingerprints: FINGERPRINT_KEY, findings: entries };
}

export function formatBaseline(b: BaselineFile): string {
  const lines = b.findings.map((e) => `    ${JSON.stringify(e)}`);
  return `{\n  "tool": "ftlint",\n  "version": 1,\n  "fingerprints": ${JSON.stringify(b.fingerprints)},\n  "findings": [${lines.length ? `\n${lines.join(',\n')}\n  ` : ''}]\n}\n`;
}

export function readBaseline(file: string, cwd: string): BaselineFile {
  let raw: string;
  try {
    raw = readFileSync(resolve(cwd, file), 'utf8');
  } catch (e) {
    throw new BaselineError(`cannot read --baseline ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let doc: Partial<BaselineFile>;
  try {
    doc = JSON.parse(raw) as Partial<BaselineFile>;
  } catch (e) {
    throw new BaselineError(`--baseline ${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (doc.tool !== 'ftlint' || doc.version !== 1 || !Array.isArray(doc.findings)) {
    throw new BaselineError(`--baseline ${file} is not an ftlint baseline (write one with --write-baseline ${file})`);
  }
  if (doc.fingerprints !== FINGERPRINT_KEY) {
    throw new BaselineError(`--baseline ${file} uses fingerprints '${String(doc.fingerprints)}', this ftlint uses '${FINGERPRINT_KEY}': write it again with --write-baseline`);
  }
  return doc as BaselineFile;
}

/** Findings not in the baseline, and how many baseline entries matched nothing (fixed or changed). */
export function applyBaseline(findings: Finding[], baseline: BaselineFile, file: string, cwd: string): { findings: Finding[]; matched: number; stale: number } {
  const root = dirname(resolve(cwd, file));
  const fps = fingerprints(findings, root, cwd);
  const known = new Map<string, number>();
  for (const e of baseline.findings) known.set(e.fingerprint, (known.get(e.fingerprint) ?? 0) + 1);
  const kept: Finding[] = [];
  let matched = 0;
  findings.forEach((f, i) => {
    const fp = fps[i] as string;
    const left = known.get(fp) ?? 0;
    if (left > 0) {
      known.set(fp, left - 1);
      matched++;
    } else kept.push(f);
  });
  return { findings: kept, matched, stale: baseline.findings.length - matched };
}
