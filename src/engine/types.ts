// The one diagnostic type set that flows from rules to every reporter.
import type { CoverageTable } from '../abi/coverage.js';

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/**
 * `toml` is pyproject.toml or Cargo.toml; `cmake` CMakeLists.txt / *.cmake; `meson` meson.build; `rust` *.rs;
 * `yaml` GitHub Actions workflows (.github/workflows/*.yml), read for cibuildwheel settings.
 */
export type Language = 'c' | 'cpp' | 'cython' | 'python' | 'toml' | 'setup-cfg' | 'cmake' | 'rust' | 'meson' | 'yaml';

/** What to use instead: the API, the CPython version it arrived in, and the fallback for older versions. */
export interface Remedy {
  /** The API or construct to use instead, e.g. `PyDict_GetItemRef`. */
  api: string;
  /** CPython version that introduced it (e.g. "3.13"), or null when it is not a CPython API. */
  since: string | null;
  /** Where older CPython versions get it from (e.g. "pythoncapi_compat.h"), or null. */
  compat: string | null;
  /** A short code snippet showing the replacement. */
  snippet: string;
  /** The tool the remedy needs, when it is not CPython itself, e.g. "pybind11 2.13.0" (binding generators, build tools). */
  requires?: string;
}

export interface Position {
  /** 1-based line in the user's original file. */
  line: number;
  /** 1-based column, in UTF-16 code units (what editors and SARIF count by default). */
  column: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface RelatedLocation {
  path: string;
  line: number;
  column: number;
  message: string;
}

/** A text edit in the original file, by UTF-16 offsets. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  title: string;
  edits: Edit[];
}

export interface Finding {
  rule: string;
  severity: Severity;
  /** Path as the user gave it / relative to the current directory. */
  path: string;
  range: Range;
  message: string;
  remedy: Remedy;
  related: RelatedLocation[];
  fix?: Fix;
  /** Text of the flagged line, trimmed, used for stable fingerprints. */
  lineText?: string;
  /** The extension module the build compiles this file into, when the build says (build scope, scope.ts). */
  extension?: string;
  /** Internal: the object field whose container the finding depends on, until the project resolves it (run.ts). */
  held?: string;
  /** Internal: dropped when this function runs only during module init (run.ts). */
  unlessInitOnly?: string;
}

/** A problem of the tool itself with one input (unreadable, binary, too large, …). Always code FT000. */
export interface ToolDiagnostic {
  code: 'FT000';
  path: string;
  reason: 'unreadable' | 'binary' | 'not-utf8' | 'empty' | 'too-large' | 'parse-limit' | 'config' | 'malformed' | 'skipped';
  severity: Severity;
  message: string;
}

/** An extension module found in the sources, and the files that belong to it (for per-module summaries). */
export interface ModuleSummary {
  name: string;
  /** File holding its declaration. */
  path: string;
  files: string[];
}

export interface RunResult {
  findings: Finding[];
  diagnostics: ToolDiagnostic[];
  filesChecked: number;
  bytesChecked: number;
  linesChecked: number;
  modules?: ModuleSummary[];
  /** Free-threading wheel coverage, one table per distribution/version (only when wheels were checked). */
  coverage?: CoverageTable[];
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.column - b.range.start.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
