// `--format json`: the stable contract documented in the README (lines and columns 1-based).
import type { CoverageTable } from '../abi/coverage.js';
import type { Finding, RunResult } from '../engine/types.js';
import { jsonChunks as chunks, joinChunks, LazyArray } from './stream.js';

export interface JsonReport {
  version: string;
  findings: {
    rule: string;
    severity: string;
    path: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    message: string;
    remedy: { api: string; since: string | null; compat: string | null; snippet: string; requires?: string };
    related: { path: string; line: number; column: number; message: string }[];
    /** The extension module the build compiles the file into (only when the build can be read). */
    extension?: string;
  }[];
  diagnostics: { code: string; path: string; message: string; reason: string; severity: string }[];
  /** `ftlint abi` and wheels under dist/: free-threading coverage per distribution/version. */
  coverage?: { distribution: string; version: string; minors: string[]; platforms: { platform: string; cells: { gil: boolean; ft: boolean; any: boolean; gap: boolean }[] }[] }[];
}

function coverageJson(tables: CoverageTable[]): NonNullable<JsonReport['coverage']> {
  return tables.map((t) => ({
    distribution: t.distribution,
    version: t.version,
    minors: t.minors.map((m) => `3.${m}`),
    platforms: t.platforms.map((platform, ri) => ({
      platform,
      cells: (t.cells[ri] ?? []).map((c) => ({ gil: c.gil, ft: c.ft, any: c.any, gap: c.gap })),
    })),
  }));
}

type JsonFinding = JsonReport['findings'][number];

function findingJson(f: Finding): JsonFinding {
  return {
    rule: f.rule,
    severity: f.severity,
    path: f.path,
    line: f.range.start.line,
    column: f.range.start.column,
    endLine: f.range.end.line,
    endColumn: f.range.end.column,
    message: f.message,
    remedy: { api: f.remedy.api, since: f.remedy.since, compat: f.remedy.compat, snippet: f.remedy.snippet, ...(f.remedy.requires ? { requires: f.remedy.requires } : {}) },
    related: f.related.map((r) => ({ path: r.path, line: r.line, column: r.column, message: r.message })),
    ...(f.extension ? { extension: f.extension } : {}),
  };
}

function report<F>(result: RunResult, version: string, findings: F): Omit<JsonReport, 'findings'> & { findings: F } {
  return {
    version,
    findings,
    diagnostics: result.diagnostics.map((d) => ({ code: d.code, path: d.path, message: d.message, reason: d.reason, severity: d.severity })),
    ...(result.coverage?.length ? { coverage: coverageJson(result.coverage) } : {}),
  };
}

export function toJson(result: RunResult, version: string): JsonReport {
  return report(result, version, result.findings.map(findingJson));
}

/** The JSON report in chunks (each finding is written only when its turn comes). */
export function jsonChunks(result: RunResult, version: string): Iterable<string> {
  const remedyText = new Map<Finding['remedy'], string>();
  return chunks(report(result, version, new LazyArray(result.findings, findingJson, (f, indent) => findingText(f, indent, remedyText))));
}

/**
 * `JSON.stringify(findingJson(f), null, 2)` with its lines after the first indented by `indent`, written
 * directly (tests hold it to exactly that); a remedy's text is made once per remedy.
 */
function findingText(f: Finding, indent: string, remedyText: Map<Finding['remedy'], string>): string {
  const i1 = `${indent}  `;
  const i2 = `${i1}  `;
  const q = JSON.stringify;
  let remedy = remedyText.get(f.remedy);
  if (remedy === undefined) {
    const r = f.remedy;
    remedy =
      `{\n${i2}"api": ${q(r.api)},\n${i2}"since": ${q(r.since)},\n${i2}"compat": ${q(r.compat)},\n${i2}"snippet": ${q(r.snippet)}` +
      `${r.requires ? `,\n${i2}"requires": ${q(r.requires)}` : ''}\n${i1}}`;
    remedyText.set(f.remedy, remedy);
  }
  let related = '[]';
  if (f.related.length > 0) {
    const i3 = `${i2}  `;
    related = `[\n${f.related.map((r) => `${i2}{\n${i3}"path": ${q(r.path)},\n${i3}"line": ${q(r.line)},\n${i3}"column": ${q(r.column)},\n${i3}"message": ${q(r.message)}\n${i2}}`).join(',\n')}\n${i1}]`;
  }
  const { start, end } = f.range;
  return (
    `{\n${i1}"rule": ${q(f.rule)},\n${i1}"severity": ${q(f.severity)},\n${i1}"path": ${q(f.path)},\n` +
    `${i1}"line": ${q(start.line)},\n${i1}"column": ${q(start.column)},\n${i1}"endLine": ${q(end.line)},\n${i1}"endColumn": ${q(end.column)},\n` +
    `${i1}"message": ${q(f.message)},\n${i1}"remedy": ${remedy},\n${i1}"related": ${related}` +
    `${f.extension ? `,\n${i1}"extension": ${q(f.extension)}` : ''}\n${indent}}`
  );
}

export function formatJson(result: RunResult, version: string): string {
  return joinChunks(jsonChunks(result, version));
}
