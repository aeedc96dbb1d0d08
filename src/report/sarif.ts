// `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
//
// One run, no `automationDetails` (so upload-sarif's `category` applies), every rule described in
// `tool.driver.rules`, URIs relative to the root (`%SRCROOT%`, the current directory by default),
// regions in UTF-16 columns, stable `partialFingerprints`, `fixes` where a fix is known. No
// `security-severity`: these are correctness findings, not security alerts. GitHub's limits are kept:
// at most 25,000 results per run (errors first) and 100 related locations per result.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { Edit, Finding, Range, RunResult, Severity, ToolDiagnostic } from '../engine/types.js';
import { RULES } from '../rules/index.js';
import type { Rule } from '../rules/types.js';
import { FINGERPRINT_KEY, fingerprints, relativeTo } from './fingerprint.js';
import { HOMEPAGE, ruleDocUrl } from './links.js';
import { ruleMarkdown } from './rule-doc.js';
import { remedyLine } from './text.js';
import { jsonChunks, joinChunks, LazyArray } from './stream.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const MAX_RESULTS = 25_000;
export const MAX_RELATED = 100;
const SRCROOT = '%SRCROOT%';

export interface SarifOptions {
  version: string;
  /** Directory URIs are made relative to (absolute). */
  root: string;
  /** Directory the findings' paths are relative to (absolute). */
  cwd: string;
  /** Resolves a fix's edit (UTF-16 offsets) to a region and the text in the file's line endings; null when the file cannot be read. */
  resolveEdit?: (path: string, edit: Edit) => { range: Range; text: string } | null;
}

const LEVEL: Record<Severity, Sarif.Result.level> = { error: 'error', warning: 'warning', info: 'note' };
const PROBLEM: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'recommendation' };

/** First paragraph of a rule's `why`, within SARIF/GitHub's 1024-character limit. */
function fullDescription(rule: Rule): string {
  const first = rule.meta.why.split(/\n\s*\n/)[0] ?? rule.meta.why;
  return first.length <= 1024 ? first : `${first.slice(0, 1021)}...`;
}

function helpText(rule: Rule): string {
  const m = rule.meta;
  return `${m.title}\n\n${m.why}\n\n${remedyLine(m.remedy)}\n\n${m.remedy.snippet}\n\nSee ${ruleDocUrl(m.id)}`;
}

export function reportingDescriptor(rule: Rule): Sarif.ReportingDescriptor {
  const m = rule.meta;
  return {
    id: m.id,
    name: m.name,
    shortDescription: { text: m.title },
    fullDescription: { text: fullDescription(rule) },
    help: { text: helpText(rule), markdown: ruleMarkdown(rule) },
    helpUri: ruleDocUrl(m.id),
    defaultConfiguration: { level: LEVEL[m.severity] },
    properties: {
      tags: ['free-threading', 'correctness', m.family, ...(rule.kind === 'file' ? rule.languages : ['project'])].slice(0, 20),
      precision: 'high',
      'problem.severity': PROBLEM[m.severity],
    },
  };
}

type LogWith<R> = Omit<Sarif.Log, 'runs'> & { runs: (Omit<Sarif.Run, 'results'> & { results: R })[] };
type Kept = { f: Finding; fp: string };

export function toSarif(result: RunResult, opts: SarifOptions): Sarif.Log {
  return build(result, opts, (kept, toResult) => kept.map(toResult));
}

/** The SARIF log in chunks (each result is built only when written). */
export function sarifChunks(result: RunResult, opts: SarifOptions): Iterable<string> {
  return jsonChunks(build(result, opts, (kept, toResult) => new LazyArray(kept, toResult)));
}

function build<R>(result: RunResult, opts: SarifOptions, makeResults: (kept: Kept[], toResult: (k: Kept) => Sarif.Result) => R): LogWith<R> {
  const rules = RULES.map(reportingDescriptor);
  const ruleIndex = new Map(RULES.map((r, i) => [r.meta.id, i]));
  const artifact = (path: string): Sarif.ArtifactLocation => {
    const rel = relativeTo(opts.root, path, opts.cwd);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return { uri: pathToFileURL(resolve(opts.cwd, path)).href };
    return { uri: encodeURI(rel), uriBaseId: SRCROOT };
  };
  const region = (r: Range): Sarif.Region => {
    const out: Sarif.Region = { startLine: r.start.line, startColumn: r.start.column };
    if (r.end.line > r.start.line || (r.end.line === r.start.line && r.end.column > r.start.column)) {
      out.endLine = r.end.line;
      out.endColumn = r.end.column;
    }
    return out;
  };

  // Errors first, so that a cut at GitHub's limit drops the least important results.
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  const fps = fingerprints(result.findings, opts.root, opts.cwd);
  const indexed = result.findings.map((f, i) => ({ f, fp: fps[i] as string }));
  const kept = indexed.length > MAX_RESULTS ? [...indexed].sort((a, b) => rank[a.f.severity] - rank[b.f.severity]).slice(0, MAX_RESULTS) : indexed;
  const dropped = indexed.length - kept.length;

  const toResult = ({ f, fp }: Kept): Sarif.Result => {
    const r: Sarif.Result = {
      ruleId: f.rule,
      level: LEVEL[f.severity],
      message: { text: `${f.message}. ${capitalise(remedyLine(f.remedy))}.` },
      locations: [{ physicalLocation: { artifactLocation: artifact(f.path), region: region(f.range) } }],
      partialFingerprints: { [FINGERPRINT_KEY]: fp },
    };
    const idx = ruleIndex.get(f.rule);
    if (idx !== undefined) r.ruleIndex = idx;
    if (f.related.length > 0) {
      r.relatedLocations = f.related.slice(0, MAX_RELATED).map((rl, k) => ({
        id: k + 1,
        physicalLocation: { artifactLocation: artifact(rl.path), region: { startLine: rl.line, startColumn: rl.column } },
        message: { text: rl.message },
      }));
    }
    const fix = f.fix && sarifFix(f, artifact(f.path), opts);
    if (fix) r.fixes = [fix];
    return r;
  };

  const notifications: Sarif.Notification[] = result.diagnostics.map((d) => notification(d, artifact(d.path)));
  if (dropped > 0) {
    notifications.push({
      level: 'warning',
      message: { text: `${dropped} findings were left out of this SARIF file to stay within GitHub's limit of ${MAX_RESULTS} results per run (the least severe ones).` },
      descriptor: { id: 'FT000' },
    });
  }
  const run: Omit<Sarif.Run, 'results'> & { results: R } = {
    tool: {
      driver: {
        name: 'ftlint',
        version: opts.version,
        semanticVersion: opts.version,
        informationUri: HOMEPAGE,
        rules,
      },
    },
    originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(opts.root.endsWith('/') ? opts.root : `${opts.root}/`).href } },
    columnKind: 'utf16CodeUnits',
    invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
    results: makeResults(kept, toResult),
  };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function notification(d: ToolDiagnostic, loc: Sarif.ArtifactLocation): Sarif.Notification {
  return {
    level: d.severity === 'info' ? 'note' : d.severity,
    message: { text: `${d.message} (${d.reason})` },
    descriptor: { id: d.code },
    locations: [{ physicalLocation: { artifactLocation: loc } }],
  };
}

function sarifFix(f: Finding, loc: Sarif.ArtifactLocation, opts: SarifOptions): Sarif.Fix | null {
  if (!f.fix || !opts.resolveEdit) return null;
  const replacements: Sarif.Replacement[] = [];
  for (const e of f.fix.edits) {
    const resolved = opts.resolveEdit(f.path, e);
    if (!resolved) return null;
    const r = resolved.range;
    replacements.push({
      deletedRegion: { startLine: r.start.line, startColumn: r.start.column, endLine: r.end.line, endColumn: r.end.column },
      ...(resolved.text !== '' ? { insertedContent: { text: resolved.text } } : {}),
    });
  }
  return { description: { text: f.fix.title }, artifactChanges: [{ artifactLocation: loc, replacements }] };
}

export function formatSarif(result: RunResult, opts: SarifOptions): string {
  return joinChunks(sarifChunks(result, opts));
}
