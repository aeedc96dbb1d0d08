// One-way flow: discover files → parse once & extract facts per file (workers) → project rules over
// the merged facts → one sorted list of findings.
import { artifactRules, checkArtifacts, mergeResults } from '../abi/check.js';
import { projectWheels } from '../abi/load.js';
import { RULES } from '../rules/index.js';
import type { FileRule, ProjectContext, ProjectRule, ReportArgs } from '../rules/types.js';
import { discover, type SourceFileRef } from './discover.js';
import type { FileFacts, ProjectInfo } from './facts.js';
import { defaultJobs, lintAll } from './pool.js';
import { readProjectInfo } from './project-info.js';
import { DEFAULT_MAX_BYTES, readSource } from './read.js';
import { computeLineStarts } from '../parse/source.js';
import { configFilter } from '../config/apply.js';
import type { Config } from '../config/config.js';
import { moduleOwners } from '../rules/_modules.js';
import { Suppressions } from '../suppress/filter.js';
import { cacheSalt, prepareCacheDir, type CacheConfig } from './cache.js';
import { resolve } from 'node:path';
import { buildId, version } from '../version.js';
import { compareFindings, type Finding, type ModuleSummary, type RunResult, type ToolDiagnostic } from './types.js';

export interface RunOptions {
  paths: string[];
  cwd: string;
  /** Rule ids (already resolved from select/ignore). */
  ruleIds: Set<string>;
  jobs?: number;
  maxBytes?: number;
  parseTimeoutMs?: number;
  exclude?: string[];
  /** Override the oldest supported CPython minor (`--target-version`; else the config's `target-version`). */
  minMinor?: number | null;
  /** Configuration: exclude, per-file-ignores, severity overrides, target-version, rule options. */
  config?: Config;
  /** Report suppressions that suppressed nothing (FT002); default: the config's `report-unused-ignores`. */
  reportUnusedIgnores?: boolean;
  /** Run library-only Python rules in tests, scripts and `__main__` blocks too. */
  checkTests?: boolean;
  /** Result cache directory; undefined: `.ftlint_cache` in the cwd; null: no cache. */
  cacheDir?: string | null;
  /** Version that keys the cache (tests change it to prove invalidation). */
  cacheVersion?: string;
  onProgress?: (done: number, total: number, bytes: number) => void;
}

export class MissingPathError extends Error {
  constructor(readonly paths: string[]) {
    super(`path${paths.length > 1 ? 's' : ''} not found: ${paths.join(', ')}`);
  }
}

/** Resolves `--select`/`--ignore` selectors (ids or prefixes such as `FT2`) to rule ids. Throws on unknown selectors. */
export function selectRules(select: string[] | undefined, ignore: string[] | undefined): Set<string> {
  const all = RULES.map((r) => r.meta.id);
  const match = (sel: string) => {
    const s = sel.trim().toUpperCase();
    if (s === 'ALL') return all;
    const hit = all.filter((id) => id.startsWith(s));
    if (hit.length === 0) throw new UnknownRuleError(sel);
    return hit;
  };
  const chosen = new Set(select && select.length > 0 ? select.flatMap(match) : all);
  for (const id of (ignore ?? []).flatMap(match)) chosen.delete(id);
  return chosen;
}

export class UnknownRuleError extends Error {
  constructor(readonly selector: string) {
    super(`unknown rule or prefix '${selector}' (see \`ftlint rules\`)`);
  }
}

export async function run(opts: RunOptions): Promise<RunResult> {
  const cfg = opts.config;
  const disc = discover(opts.paths, opts.cwd, { exclude: opts.exclude ?? [], excludeFrom: cfg && cfg.exclude.length ? [{ base: cfg.base, patterns: cfg.exclude }] : [] });
  if (disc.missing.length > 0) throw new MissingPathError(disc.missing);
  const info = readProjectInfo(opts.paths.length === 1 ? opts.paths[0] as string : opts.cwd);
  const minMinor = opts.minMinor ?? cfg?.targetMinor;
  let project: ProjectInfo = minMinor != null ? { ...info, minMinor } : info;
  if (cfg && Object.keys(cfg.rules).length > 0) project = { ...project, ruleOptions: cfg.rules };
  const result = await lintFiles(disc.files, disc.diagnostics, project, opts);
  // Wheels a directory argument has built (dist/, wheelhouse/) are checked with the FT8 rules too.
  const wheels = artifactRules(opts.ruleIds).length ? projectWheels(opts.paths, opts.cwd) : [];
  if (!wheels.length) return result;
  const artifacts = await checkArtifacts(wheels, [], opts.ruleIds);
  return mergeResults(result, { ...artifacts, findings: configFilter(cfg, opts.cwd, project.minMinor)(artifacts.findings) });
}

export async function lintFiles(files: SourceFileRef[], preDiagnostics: ToolDiagnostic[], project: ProjectInfo, opts: RunOptions): Promise<RunResult> {
  const fileRules = RULES.filter((r): r is FileRule => r.kind === 'file' && opts.ruleIds.has(r.meta.id));
  const projectRules = RULES.filter((r): r is ProjectRule => r.kind === 'project' && opts.ruleIds.has(r.meta.id));
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const parseTimeoutMs = opts.parseTimeoutMs ?? 20_000;
  let cache: CacheConfig | null = null;
  if (opts.cacheDir !== null) {
    const dir = resolve(opts.cwd, opts.cacheDir ?? '.ftlint_cache');
    try {
      prepareCacheDir(dir);
      cache = { dir, salt: cacheSalt([opts.cacheVersion ?? `${version()}+${buildId()}`, fileRules.map((r) => r.meta.id).sort(), project, maxBytes, parseTimeoutMs, opts.checkTests ?? false]) };
    } catch {
      cache = null; // unwritable: run without a cache
    }
  }
  const outputs = await lintAll(
    files,
    { rules: fileRules, project, maxBytes, parseTimeoutMs, cache, checkTests: opts.checkTests ?? false },
    opts.jobs ?? defaultJobs(),
    opts.onProgress ? (done, bytes) => opts.onProgress?.(done, files.length, bytes) : undefined,
  );
  let findings: Finding[] = [];
  const diagnostics: ToolDiagnostic[] = [...preDiagnostics];
  const suppressions = new Suppressions();
  const facts: FileFacts[] = [];
  let bytes = 0;
  let lines = 0;
  let checked = 0;
  // Findings arrive from workers and the cache with a copy of their remedy each: share one object per remedy.
  const remedies = new Map<string, Finding['remedy']>();
  const intern = (f: Finding): Finding => {
    const key = `${f.remedy.api}\0${f.remedy.since}\0${f.remedy.compat}\0${f.remedy.requires ?? ''}\0${f.remedy.snippet}`;
    const known = remedies.get(key);
    if (known) f.remedy = known;
    else remedies.set(key, f.remedy);
    return f;
  };
  outputs.forEach((o, i) => {
    if (o.suppressions) suppressions.add((files[i] as SourceFileRef).display, o.suppressions);
    for (const f of o.findings) findings.push(intern(f));
    diagnostics.push(...o.diagnostics);
    if (o.facts) facts.push(o.facts);
    if (o.bytes > 0) checked++;
    bytes += o.bytes;
    lines += o.lines;
  });
  // Suppression comments and the configuration apply to every finding; rules that read other rules'
  // findings (FT106) see them already filtered.
  const post = configFilter(opts.config, opts.cwd, project.minMinor);
  const clean = (list: Finding[]) => post(suppressions.filter(list));
  let cleaned = -1;
  const ordered = [...projectRules].sort((a, b) => (a.after ? 1 : 0) - (b.after ? 1 : 0));
  for (const rule of ordered) {
    if (rule.after && cleaned < 0) {
      findings = clean(findings);
      cleaned = findings.length;
    }
    const ctx: ProjectContext = {
      files: facts,
      project,
      findings,
      report(path, args) {
        const r: ReportArgs & { line: number; column: number } = args as never;
        findings.push({
          rule: rule.meta.id,
          severity: r.severity ?? rule.meta.severity,
          path,
          range: {
            start: { line: r.line, column: r.column },
            end: { line: args.endLine ?? r.line, column: args.endColumn ?? r.column },
          },
          message: r.message,
          remedy: r.remedy ?? rule.meta.remedy,
          related: r.related ?? [],
          ...(args.lineText !== undefined ? { lineText: args.lineText } : {}),
          ...(args.fix ? { fix: args.fix } : {}),
        });
      },
    };
    rule.check(ctx);
  }
  findings = cleaned < 0 ? clean(findings) : [...findings.slice(0, cleaned), ...clean(findings.slice(cleaned))];
  fillLineTexts(findings, files);
  findings.push(...post(suppressions.problems(opts.ruleIds, opts.reportUnusedIgnores ?? opts.config?.reportUnusedIgnores ?? false)));
  findings.sort(compareFindings);
  diagnostics.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { findings, diagnostics, filesChecked: checked, bytesChecked: bytes, linesChecked: lines, modules: moduleSummaries(facts) };
}

/**
 * Project rules report from facts, which carry positions but not line texts (they would be most of the facts'
 * size): read the few files those findings are in to give them the text of their line (for fingerprints).
 */
function fillLineTexts(findings: Finding[], files: SourceFileRef[]): void {
  const byPath = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.lineText !== undefined) continue;
    const list = byPath.get(f.path);
    if (list) list.push(f);
    else byPath.set(f.path, [f]);
  }
  if (byPath.size === 0) return;
  const refs = new Map(files.map((f) => [f.display, f]));
  // One file at a time, so only one file's text is held.
  for (const [path, list] of byPath) {
    const ref = refs.get(path);
    const read = ref ? readSource(ref.abs, ref.display, Number.MAX_SAFE_INTEGER) : null;
    if (!read?.ok) continue;
    const text = read.text.charCodeAt(0) === 0xfeff ? read.text.slice(1) : read.text;
    const starts = computeLineStarts(text);
    for (const f of list) {
      const start = starts[f.range.start.line - 1];
      if (start === undefined) continue;
      const next = starts[f.range.start.line];
      // A flat copy: a slice would keep the whole file's text alive.
      f.lineText = flat(text.slice(start, next === undefined ? text.length : next).trim());
    }
  }
}

/** A copy of `s` that does not share memory with the string it was sliced from. */
function flat(s: string): string {
  return s.length < 13 ? s : structuredClone(s);
}

/** Each C module definition with the files that belong to it (same directory tree). */
function moduleSummaries(facts: FileFacts[]): ModuleSummary[] {
  const decls = facts.flatMap((f) => (f.module?.moduleDefs ?? []).map((d) => ({ name: d.moduleName ?? d.name, path: f.path })));
  const owners = moduleOwners(decls.map((d) => d.path), facts.map((f) => f.path));
  return decls.map((d) => ({ ...d, files: facts.map((f) => f.path).filter((p) => owners.get(p) === d.path) }));
}
