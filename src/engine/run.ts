// One-way flow: discover files → parse once & extract facts per file (workers) → project rules over
// the merged facts → one sorted list of findings.
import { buildScope, scopeOf, type BuildScope } from './scope.js';
import { heldChanges, heldContext, resolveHeld, type HeldTable } from './containers.js';
import { LIFECYCLE_NAME } from './objects.js';
import { globalModel } from '../rules/_globals.js';
import { artifactRules, checkArtifacts, mergeResults } from '../abi/check.js';
import { projectWheels } from '../abi/load.js';
import { RULES } from '../rules/index.js';
import type { FileRule, ProjectContext, ProjectRule, ReportArgs } from '../rules/types.js';
import { discover, type SourceFileRef } from './discover.js';
import type { FileFacts, ProjectInfo } from './facts.js';
import { defaultJobs, lintAll } from './pool.js';
import { readProjectInfo } from './project-info.js';
import { DEFAULT_MAX_BYTES } from './read.js';
import { readFileSync } from 'node:fs';
import { configFilter } from '../config/apply.js';
import type { Config } from '../config/config.js';
import { moduleOwners } from '../rules/_modules.js';
import { Suppressions } from '../suppress/filter.js';
import { cacheFacts, cacheSalt, memoGet, memoKey, memoPut, prepareCacheDir, pruneCache, type CacheConfig, type ProjectMemo } from './cache.js';
import { pushTo } from './group.js';
import { Interner } from './intern.js';
import { lintFile, type FileOutput, type LintOptions } from './lint-file.js';
import { initParsers } from '../parse/parser.js';
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
  /** false: also report in C/C++ files the build compiles into no extension (default: the configuration's, else true). */
  buildScope?: boolean;
  /** Result cache directory; undefined: `.ftlint_cache` in the cwd; null: no cache. */
  cacheDir?: string | null;
  /** Version that keys the cache (tests change it to prove invalidation). */
  cacheVersion?: string;
  onProgress?: (done: number, total: number, bytes: number) => void;
  /**
   * Give project-rule findings the text of their line, which fingerprints hash (SARIF, baselines); that means
   * reading the files they are in again. Default true; the CLI turns it off when no output it writes needs it.
   */
  lineTexts?: boolean;
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
  const timer = phaseTimer();
  const outputs = await lintAll(
    files,
    { rules: fileRules, project, maxBytes, parseTimeoutMs, cache, checkTests: opts.checkTests ?? false },
    opts.jobs ?? defaultJobs(),
    opts.onProgress ? (done, bytes) => opts.onProgress?.(done, files.length, bytes) : undefined,
    opts.jobs === undefined,
  );
  timer?.('files');
  const fileFindings: Finding[] = [];
  const diagnostics: ToolDiagnostic[] = [...preDiagnostics];
  const suppressions = new Suppressions();
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
    for (const f of o.findings) fileFindings.push(intern(f));
    diagnostics.push(...o.diagnostics);
    if (o.bytes > 0) checked++;
    bytes += o.bytes;
    lines += o.lines;
  });

  // Suppression comments and the configuration apply to every finding; rules that read other rules'
  // findings (FT106) see them already filtered.
  const post = configFilter(opts.config, opts.cwd, project.minMinor);
  // Project rules, or what they found last time for exactly these inputs (then no facts are even loaded).
  const paths = files.map((f) => f.display);
  const memoId = cache ? memoKey(cache, outputs.map((o) => o.key ?? null), [[...opts.ruleIds].sort(), opts.config ?? null, opts.cwd, paths, opts.buildScope ?? null]) : null;
  let memo = cache && memoId ? memoGet(cache, paths, memoId) : null;
  let visible: Finding[] | null = null;
  const fresh = !memo;
  if (memo) {
    for (const f of [...memo.before, ...memo.after]) intern(f);
    resolveDeferred(fileFindings, memo.held ?? {}, memo.quietInInit ?? []);
  } else {
    const facts = await loadFacts(files, outputs, { rules: fileRules, project, maxBytes, parseTimeoutMs, cache: null, checkTests: opts.checkTests ?? false });
    timer?.('facts');
    // Findings that hold only if a field's container changes at run time: decided over the whole project.
    const held: HeldTable = {};
    if (fileFindings.some((f) => f.held !== undefined)) {
      const lookup = heldChanges(facts, heldContext(facts, LIFECYCLE_NAME, globalModel(facts)));
      for (const f of fileFindings) if (f.held !== undefined && !(f.held in held)) held[f.held] = lookup(f.held);
    }
    // Findings on a module's own dict in a function only module init runs.
    const initOnly = globalModel(facts).initOnly;
    const quietInInit = [...new Set(fileFindings.flatMap((f) => (f.unlessInitOnly !== undefined && initOnly.has(f.unlessInitOnly) ? [f.unlessInitOnly] : [])))];
    resolveDeferred(fileFindings, held, quietInInit);
    timer?.('held containers');
    const ran = runProjectRules(projectRules, facts, project, fileFindings, (list) => post(suppressions.filter(list)), timer);
    memo = ran.memo;
    memo.held = held;
    memo.quietInInit = quietInInit;
    memo.scope = opts.buildScope ?? opts.config?.buildScope ?? true ? buildScope(facts) : null;
    visible = ran.visible;
    memo.modules = moduleSummaries(facts);
  }
  // Project rules report from facts, which carry no line texts: read them from the files when an output hashes
  // them (a memo stored by a run that did not need them has none either).
  if (opts.lineTexts !== false) fillLineTexts([...memo.before, ...memo.after], files);
  timer?.('line texts, modules');
  if (fresh && cache && memoId) memoPut(cache, paths, memoId, memo);
  if (cache) pruneCache(cache);
  const findings = [...(visible ?? post(suppressions.filter([...fileFindings, ...memo.before]))), ...post(suppressions.filter(memo.after))];
  findings.push(...post(suppressions.problems(opts.ruleIds, opts.reportUnusedIgnores ?? opts.config?.reportUnusedIgnores ?? false)));
  const scoped = applyBuildScope(findings, memo.scope ?? null);
  if (scoped.outside.length > 0) {
    diagnostics.push({
      code: 'FT000',
      path: scoped.outside[0] as string,
      reason: 'skipped',
      severity: 'info',
      message:
        `${scoped.outside.length} C/C++ file${scoped.outside.length === 1 ? '' : 's'} with findings ${scoped.outside.length === 1 ? 'is' : 'are'} compiled into no extension the build declares ` +
        `(${scoped.outside.slice(0, 3).join(', ')}${scoped.outside.length > 3 ? ', …' : ''}): their findings are not shown (--no-build-scope, or build-scope = false, shows them)`,
    });
  }
  if (scoped.kept !== findings) replaceAll(findings, scoped.kept);
  findings.sort(compareFindings);
  diagnostics.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  timer?.('suppressions, config, sort');
  return { findings, diagnostics, filesChecked: checked, bytesChecked: bytes, linesChecked: lines, modules: memo.modules };
}

/** Drops findings in translation units no extension compiles; names the extension of the others (scope.ts). */
function applyBuildScope(findings: Finding[], scope: BuildScope | null): { kept: Finding[]; outside: string[] } {
  if (!scope) return { kept: findings, outside: [] };
  const included = new Set(scope.included);
  const outside = new Set<string>();
  const kept: Finding[] = [];
  for (const f of findings) {
    const where = scopeOf(scope, f.path, included);
    if (where.outside) {
      outside.add(f.path);
      continue;
    }
    kept.push(where.extension ? { ...f, extension: where.extension } : f);
  }
  return { kept, outside: [...outside].sort() };
}

/**
 * Decides, in place, the file findings that wait for the project (from the facts, or from the memo of a cached run):
 * field containers (`held`, containers.ts) and module dicts in functions only module init runs (`unlessInitOnly`,
 * dropped when the function is one; the marker is stripped from the rest).
 */
function resolveDeferred(findings: Finding[], held: HeldTable, quietInInit: string[]): void {
  const set = new Set(quietInInit);
  replaceAll(
    findings,
    resolveHeld(findings, held).flatMap((f) => {
      if (f.unlessInitOnly === undefined) return [f];
      if (set.has(f.unlessInitOnly)) return [];
      const { unlessInitOnly: _fn, ...rest } = f;
      return [rest];
    }),
  );
}

function replaceAll<T>(list: T[], items: T[]): void {
  list.length = 0;
  for (const x of items) list.push(x);
}

/** Every file's facts: from the worker, else from its cache entry, else (entry gone since) by linting it again. */
async function loadFacts(files: SourceFileRef[], outputs: FileOutput[], opts: LintOptions): Promise<FileFacts[]> {
  const interner = new Interner();
  const facts: FileFacts[] = [];
  for (let i = 0; i < outputs.length; i++) {
    const o = outputs[i] as FileOutput;
    if (o.facts) facts.push(o.facts);
    else if (o.cachedFacts) {
      let f = cacheFacts(o.cachedFacts);
      if (f === undefined) {
        await initParsers();
        f = interner.deep(lintFile(files[i] as SourceFileRef, opts).facts, true);
      } else if (f) interner.deep(f);
      if (f) facts.push(f);
    }
  }
  return facts;
}

/**
 * Runs the project rules over the merged facts. Rules marked `after` (FT106) read the other findings as the
 * user will see them, so they run on findings already filtered by `clean`.
 */
function runProjectRules(
  projectRules: ProjectRule[],
  facts: FileFacts[],
  project: ProjectInfo,
  fileFindings: Finding[],
  clean: (list: Finding[]) => Finding[],
  timer: ((phase: string) => void) | null,
): { memo: ProjectMemo; visible: Finding[] | null } {
  const before: Finding[] = [];
  const after: Finding[] = [];
  let visible: Finding[] | null = null;
  const ordered = [...projectRules].sort((a, b) => (a.after ? 1 : 0) - (b.after ? 1 : 0));
  for (const rule of ordered) {
    if (rule.after && visible === null) visible = clean([...fileFindings, ...before]);
    const out = rule.after ? after : before;
    const ctx: ProjectContext = {
      files: facts,
      project,
      findings: rule.after ? (visible as Finding[]) : fileFindings,
      report(path, args) {
        const r: ReportArgs & { line: number; column: number } = args as never;
        out.push({
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
    timer?.(rule.meta.id);
  }
  // Line texts are filled in later on these same objects, so `visible` stays in step with `before`.
  return { memo: { before, after, modules: [] }, visible };
}

/** `FTLINT_TIMINGS=1`: how long each phase took, on stderr (for profiling; not part of any output format). */
function phaseTimer(): ((phase: string) => void) | null {
  if (!process.env.FTLINT_TIMINGS) return null;
  let last = performance.now();
  return (phase) => {
    const now = performance.now();
    if (now - last >= 1) process.stderr.write(`ftlint: ${phase} ${(now - last).toFixed(0)} ms\n`);
    last = now;
  };
}

/**
 * Project rules report from facts, which carry positions but not line texts (they would be most of the facts'
 * size): read the few files those findings are in to give them the text of their line (for fingerprints).
 */
function fillLineTexts(findings: Finding[], files: SourceFileRef[]): void {
  const byPath = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.lineText === undefined) pushTo(byPath, f.path, f);
  }
  if (byPath.size === 0) return;
  const refs = new Map(files.map((f) => [f.display, f]));
  // One file at a time, only its bytes held; lines found by scanning for newlines and decoded one by one.
  for (const [path, list] of byPath) {
    const ref = refs.get(path);
    let buf: Buffer;
    try {
      buf = readFileSync(ref ? ref.abs : path);
    } catch {
      continue;
    }
    list.sort((a, b) => a.range.start.line - b.range.start.line);
    let line = 1;
    let start = 0;
    for (const f of list) {
      while (line < f.range.start.line && start <= buf.length) {
        const nl = buf.indexOf(10, start);
        start = nl < 0 ? buf.length + 1 : nl + 1;
        line++;
      }
      if (start > buf.length) break;
      const nl = buf.indexOf(10, start);
      // trim() also drops a BOM and a CR.
      f.lineText = buf.toString('utf8', start, nl < 0 ? buf.length : nl).trim();
    }
  }
}

/** Each C module definition with the files that belong to it (same directory tree). */
function moduleSummaries(facts: FileFacts[]): ModuleSummary[] {
  const decls = facts.flatMap((f) => (f.module?.moduleDefs ?? []).map((d) => ({ name: d.moduleName ?? d.name, path: f.path })));
  const owners = moduleOwners(decls.map((d) => d.path), facts.map((f) => f.path));
  const filesOf = new Map<string, string[]>();
  for (const f of facts) {
    const owner = owners.get(f.path);
    if (owner !== undefined) pushTo(filesOf, owner, f.path);
  }
  return decls.map((d) => ({ ...d, files: filesOf.get(d.path) ?? [] }));
}
