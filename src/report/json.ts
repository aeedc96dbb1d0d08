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

/** The JSON report in chunks (each finding is built only when written). */
export function jsonChunks(result: RunResult, version: string): Iterable<string> {
  return chunks(report(result, version, new LazyArray(result.findings, findingJson)));
}

export function formatJson(result: RunResult, version: string): string {
  return joinChunks(jsonChunks(result, version));
}
