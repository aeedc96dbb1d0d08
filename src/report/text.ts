// Default output: `path:line:col: severity: message [FTnnn]` (gcc-style, so editors and problem
// matchers read it), each finding followed by an indented line with what to use instead.
import { joinChunks, lineChunks } from './stream.js';
import type { Finding, Remedy, RunResult, ToolDiagnostic } from '../engine/types.js';
import { coverageText } from './coverage.js';

export interface TextOptions {
  color: boolean;
  quiet: boolean;
  /** gcc's words: `note` instead of `info` (for `--format gcc`). */
  gcc?: boolean;
}

const C = { red: '\x1b[31m', yellow: '\x1b[33m', blue: '\x1b[36m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

export function remedyLine(r: Remedy): string {
  const parts: string[] = [];
  if (r.requires) parts.push(`${r.requires}+`);
  if (r.since) parts.push(`CPython ${r.since}+`);
  if (r.compat) parts.push(`${r.compat} for older versions`);
  return `use instead: ${r.api}${parts.length ? ` (${parts.join('; ')})` : ''}`;
}

export function formatText(result: RunResult, opts: TextOptions): string {
  return joinChunks(textChunks(result, opts));
}

/** The text report in chunks. */
export function textChunks(result: RunResult, opts: TextOptions): Iterable<string> {
  return lineChunks(textLines(result, opts));
}

function* textLines(result: RunResult, opts: TextOptions): Generator<string> {
  const paint = (code: string, s: string) => (opts.color ? `${code}${s}${C.reset}` : s);
  const sev = (s: string) => paint(s === 'error' ? C.red : s === 'warning' ? C.yellow : C.blue, opts.gcc && s === 'info' ? 'note' : s);
  for (const f of result.findings) {
    yield `${paint(C.bold, `${f.path}:${f.range.start.line}:${f.range.start.column}:`)} ${sev(f.severity)}: ${f.message} ${paint(C.dim, `[${f.rule}]`)}`;
    if (!opts.quiet) {
      yield `    ${paint(C.dim, '=')} ${remedyLine(f.remedy)}`;
      for (const r of f.related.slice(0, 10)) yield `    ${paint(C.dim, '=')} related: ${r.path}:${r.line}:${r.column}: ${r.message}`;
      if (f.related.length > 10) yield `    ${paint(C.dim, '=')} related: … and ${f.related.length - 10} more (see --format json)`;
    }
  }
  for (const d of result.diagnostics) yield formatDiagnostic(d, paint, sev);
  if (!opts.quiet && result.coverage?.length) yield coverageText(result.coverage);
  if (!opts.quiet) yield summaryLine(result);
}

function formatDiagnostic(d: ToolDiagnostic, paint: (c: string, s: string) => string, sev: (s: string) => string): string {
  return `${paint(C.bold, `${d.path}:1:1:`)} ${sev(d.severity)}: ${d.message} ${paint(C.dim, `[${d.code}]`)}`;
}

export function summaryLine(result: RunResult): string {
  const n = result.findings.length;
  const count = (s: string) => result.findings.filter((f) => f.severity === s).length;
  const files = `${result.filesChecked} file${result.filesChecked === 1 ? '' : 's'}`;
  if (n === 0) return `No problems found in ${files}.`;
  const parts = (['error', 'warning', 'info'] as const)
    .map((s) => [s, count(s)] as const)
    .filter(([, k]) => k > 0)
    .map(([s, k]) => `${k} ${s === 'info' ? 'info' : k === 1 ? s : `${s}s`}`);
  return `Found ${n} problem${n === 1 ? '' : 's'} (${parts.join(', ')}) in ${files}.`;
}

export function formatFinding(f: Finding): string {
  return `${f.path}:${f.range.start.line}:${f.range.start.column}: ${f.severity}: ${f.message} [${f.rule}]`;
}
