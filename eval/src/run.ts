// One evaluation: export each port's BEFORE and AFTER trees from its mirror, run the ftlint CLI on both as a
// user would (`ftlint <scope> -f json --no-cache`), match the BEFORE findings to the sites, judge with the
// verdicts file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Port } from './corpus.js';
import { exportTree, extensionKloc, findMirror } from './export.js';
import { countable, judge, matchSite, type EvalFinding, type Judged, type SiteMatch, type Tree, type Verdict } from './score.js';
import { unitsOf, type Units } from './units.js';

export interface TreeRun {
  tree: Tree;
  commit: string;
  /** All findings ftlint reported (FT0xx included). */
  findings: EvalFinding[];
  kloc: number;
  files: number;
  missingBlobs: string[];
  seconds: number;
  diagnostics: number;
  judged: Judged[];
}

export interface PortRun {
  port: Port;
  before: TreeRun;
  after: TreeRun;
  matches: SiteMatch[];
  /** Sites whose path is not in the BEFORE tree or whose line is past its end: errors in the corpus. */
  badSites: { site: Port['sites'][number]; why: string }[];
}

export interface PortFailure {
  port: Port;
  error: string;
}

export interface RunOptions {
  mirrors: string;
  work: string;
  cli: string;
  verdicts: ReadonlyMap<string, Verdict>;
  /** Other ports of each repository (their verdicts are shared, see judge()). */
  siblings?: (port: Port) => string[];
  jobs?: number;
  log?: (line: string) => void;
}

interface CliJson {
  findings: { rule: string; severity: string; path: string; line: number; endLine: number; message: string; related: { path: string; line: number }[] }[];
  diagnostics: unknown[];
}

function lineOf(cache: Map<string, string[] | null>, root: string, path: string, line: number): string {
  let lines = cache.get(path);
  if (lines === undefined) {
    const file = join(root, path);
    lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : null;
    cache.set(path, lines);
  }
  return lines?.[line - 1] ?? '';
}

/** Runs the CLI on an exported tree; throws with ftlint's own message when it fails (exit 2). */
export function lintTree(cli: string, root: string, scope: string[] | undefined, jobs?: number): { json: CliJson; seconds: number } {
  const out = `${root}.findings.json`;
  rmSync(out, { force: true });
  const args = [cli, ...(scope ?? ['.']), '-f', 'json', '--no-cache', '-o', out, ...(jobs ? ['--jobs', String(jobs)] : [])];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw new Error(`could not run ftlint: ${r.error.message}`);
  if (r.status !== 0 && r.status !== 1) throw new Error(`ftlint exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 5).join(' / ')}`);
  return { json: JSON.parse(readFileSync(out, 'utf8')) as CliJson, seconds };
}

function runTree(port: Port, tree: Tree, gitDir: string, opts: RunOptions): TreeRun {
  const commit = tree === 'before' ? port.before : port.after;
  const dest = join(opts.work, port.project, `${tree}-${commit.slice(0, 12)}`);
  mkdirSync(join(opts.work, port.project), { recursive: true });
  const exp = exportTree(gitDir, commit, dest);
  const { json, seconds } = lintTree(opts.cli, dest, port.scope, opts.jobs);
  const texts = new Map<string, string[] | null>();
  const findings: EvalFinding[] = json.findings.map((f) => ({
    rule: f.rule,
    severity: f.severity,
    path: f.path,
    line: f.line,
    endLine: f.endLine,
    message: f.message,
    related: f.related.map((r) => ({ path: r.path, line: r.line })),
    text: lineOf(texts, dest, f.path, f.line),
  }));
  return {
    tree,
    commit,
    findings,
    kloc: extensionKloc(dest, port.scope),
    files: exp.files,
    missingBlobs: exp.missing,
    seconds,
    diagnostics: json.diagnostics.length,
    judged: judge(port.project, tree, countable(findings), opts.verdicts, opts.siblings?.(port) ?? []),
  };
}

export function runPort(port: Port, opts: RunOptions): PortRun | PortFailure {
  const gitDir = findMirror(opts.mirrors, port.repo);
  if (!gitDir) return { port, error: `no mirror of ${port.repo} under the mirrors directory (expected ${port.repo.replace('/', '+')}/)` };
  try {
    opts.log?.(`${port.project}: before ${port.before.slice(0, 12)}`);
    const before = runTree(port, 'before', gitDir, opts);
    opts.log?.(`${port.project}: after ${port.after.slice(0, 12)}`);
    const after = runTree(port, 'after', gitDir, opts);
    const root = join(opts.work, port.project, `before-${port.before.slice(0, 12)}`);
    const unitCache = new Map<string, Units | null>();
    const units = (path: string) => {
      if (!unitCache.has(path)) {
        const file = join(root, path);
        unitCache.set(path, existsSync(file) ? unitsOf(readFileSync(file, 'utf8'), path) : null);
      }
      return unitCache.get(path) ?? null;
    };
    const matches = port.sites.map((s) => matchSite(s, before.findings, units));
    const badSites: PortRun['badSites'] = [];
    for (const site of port.sites) {
      // Files ftlint does not read (numpy's .c.src templates, say) are not exported: ask git for them.
      const file = join(root, site.path);
      const text = existsSync(file) ? readFileSync(file, 'utf8') : blobText(gitDir, port.before, site.path);
      if (text === null) badSites.push({ site, why: 'not in the BEFORE tree' });
      else {
        const lines = text.split('\n').length;
        if (site.line > lines) badSites.push({ site, why: `line past the end (${lines} lines)` });
      }
    }
    return { port, before, after, matches, badSites };
  } catch (e) {
    return { port, error: e instanceof Error ? e.message : String(e) };
  }
}

function blobText(gitDir: string, commit: string, path: string): string | null {
  const r = spawnSync('git', ['--git-dir', gitDir, 'cat-file', 'blob', `${commit}:${path}`], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return r.status === 0 ? r.stdout : null;
}

export function isFailure(r: PortRun | PortFailure): r is PortFailure {
  return 'error' in r;
}
