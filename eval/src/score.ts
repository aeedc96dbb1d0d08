// Matching findings to the sites a maintainer changed, recall, findings per kLOC, and precision from hand
// verdicts. Pure functions over plain data: the tests drive them on a tiny synthetic corpus.
import { createHash } from 'node:crypto';
import { CATEGORIES, type Category, type Port, type Site } from './corpus.js';
import type { Units } from './units.js';

/** One ftlint finding as the harness keeps it (from `--format json`), with its line's text. */
export interface EvalFinding {
  rule: string;
  severity: string;
  path: string;
  line: number;
  endLine: number;
  message: string;
  related: { path: string; line: number }[];
  /** The flagged line, whitespace-normalised (never stored in the repository: only its hash is). */
  text: string;
}

/** Which rules answer a category: a finding of another family does not count as pointing at the site. */
export const FAMILIES: Record<Category, { label: string; test: (rule: string) => boolean }> = {
  'module-declaration': { label: 'FT1', test: (r) => /^FT1\d\d$/.test(r) },
  'borrowed-ref': { label: 'FT2', test: (r) => /^FT2\d\d$/.test(r) },
  'global-state': { label: 'FT3, FT504', test: (r) => /^FT3\d\d$/.test(r) || r === 'FT504' },
  'object-state': { label: 'FT4, FT207, FT208', test: (r) => /^FT4\d\d$/.test(r) || r === 'FT207' || r === 'FT208' },
  libc: { label: 'FT6, FT70x', test: (r) => /^FT6\d\d$/.test(r) || /^FT70\d$/.test(r) },
  refcount: { label: 'FT5', test: (r) => /^FT5\d\d$/.test(r) },
  other: { label: 'any rule', test: (r) => /^FT[1-9]\d\d$/.test(r) },
};

/** Lines a finding may be away from a site and still point at it. */
export const WINDOW = 3;

function distance(site: Site, path: string, line: number, endLine = line): number {
  if (path !== site.path) return Infinity;
  if (site.line >= line && site.line <= endLine) return 0;
  return Math.min(Math.abs(site.line - line), Math.abs(site.line - endLine));
}

export interface SiteMatch {
  site: Site;
  /** A finding of the right family in the same file within WINDOW lines (or a related location of one). */
  strict: EvalFinding | null;
  /** A finding of the right family in the same function (or top-level declaration) as the site. */
  sameFunction: EvalFinding | null;
}

/** `units(path)` gives the enclosing units of the BEFORE file (null when the file is not in the tree). */
export function matchSite(site: Site, findings: readonly EvalFinding[], units: (path: string) => Units | null): SiteMatch {
  const family = FAMILIES[site.category].test;
  let strict: EvalFinding | null = null;
  let best = Infinity;
  let sameFunction: EvalFinding | null = null;
  const u = units(site.path);
  const siteUnit = u ? (u[site.line] ?? 0) : 0;
  for (const f of findings) {
    if (!family(f.rule)) continue;
    let d = distance(site, f.path, f.line, f.endLine);
    for (const r of f.related) d = Math.min(d, distance(site, r.path, r.line));
    if (d <= WINDOW && d < best) {
      best = d;
      strict = f;
    }
    if (!sameFunction && siteUnit !== 0 && u) {
      const locs = [{ path: f.path, line: f.line }, ...f.related];
      if (locs.some((l) => l.path === site.path && (u[l.line] ?? 0) === siteUnit)) sameFunction = f;
    }
  }
  // A strict match is also in the same function (or at the same top-level place).
  return { site, strict, sameFunction: sameFunction ?? strict };
}

export interface Tally {
  sites: number;
  strict: number;
  sameFunction: number;
}

export function emptyTally(): Tally {
  return { sites: 0, strict: 0, sameFunction: 0 };
}

export function addMatch(t: Tally, m: SiteMatch): void {
  t.sites++;
  if (m.strict) t.strict++;
  if (m.sameFunction) t.sameFunction++;
}

export function byCategory(matches: readonly SiteMatch[]): Record<Category, Tally> {
  const out = Object.fromEntries(CATEGORIES.map((c) => [c, emptyTally()])) as Record<Category, Tally>;
  for (const m of matches) addMatch(out[m.site.category], m);
  return out;
}

export function ratio(n: number, d: number): number | null {
  return d === 0 ? null : n / d;
}

/** Findings that count for density: rule findings, not FT0xx tool diagnostics and suppression reports. */
export function countable(findings: readonly EvalFinding[]): EvalFinding[] {
  return findings.filter((f) => !/^FT0/.test(f.rule));
}

// ---------------------------------------------------------------------------------------------------------
// Verdicts: eval/verdicts.tsv, one row per judged finding, keyed by port, tree, path, rule and a hash of the
// normalised line text (survives line shifts; the repository holds no code).

export type Tree = 'before' | 'after';
export type VerdictMark = 'T' | 'B' | 'F';

export interface Verdict {
  port: string;
  tree: Tree;
  path: string;
  rule: string;
  key: string;
  verdict: VerdictMark;
  cause: string;
  note: string;
  /** Line when judged: for the reader only, not part of the key. */
  line: number;
}

export const VERDICT_HEADER = ['port', 'tree', 'path', 'rule', 'text_hash', 'line', 'verdict', 'cause', 'note'] as const;

export function normaliseText(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export function textHash(text: string): string {
  return createHash('sha256').update(normaliseText(text)).digest('hex').slice(0, 16);
}

export function verdictKey(port: string, tree: Tree, path: string, rule: string, hash: string): string {
  return `${port}\t${tree}\t${path}\t${rule}\t${hash}`;
}

export class VerdictError extends Error {}

export function parseVerdicts(tsv: string, file = 'verdicts.tsv'): Map<string, Verdict> {
  const out = new Map<string, Verdict>();
  const rows = tsv.split(/\r?\n/);
  rows.forEach((row, i) => {
    if (row.trim() === '' || row.startsWith('#')) return;
    const cols = row.split('\t');
    if (i === 0 && cols[0] === 'port') return;
    const where = `${file}:${i + 1}`;
    if (cols.length < 7) throw new VerdictError(`${where}: expected ${VERDICT_HEADER.length} tab-separated columns, found ${cols.length}`);
    const [port, tree, path, rule, key, line, verdict, cause = '', note = ''] = cols as [string, string, string, string, string, string, string, string?, string?];
    if (tree !== 'before' && tree !== 'after') throw new VerdictError(`${where}: tree must be before or after, not '${tree}'`);
    if (verdict !== 'T' && verdict !== 'B' && verdict !== 'F') throw new VerdictError(`${where}: verdict must be T, B or F, not '${verdict}'`);
    if (!/^[0-9a-f]{16}$/.test(key)) throw new VerdictError(`${where}: text_hash must be 16 hex digits`);
    if (verdict === 'F' && cause.trim() === '') throw new VerdictError(`${where}: an F verdict needs a cause`);
    const k = verdictKey(port, tree, path, rule, key);
    if (out.has(k)) throw new VerdictError(`${where}: a verdict for this finding is already given`);
    out.set(k, { port, tree, path, rule, key, verdict, cause: cause.trim(), note: note.trim(), line: Number(line) || 0 });
  });
  return out;
}

export function verdictRow(v: Verdict): string {
  const clean = (s: string) => s.replace(/[\t\r\n]+/g, ' ');
  return [v.port, v.tree, v.path, v.rule, v.key, String(v.line), v.verdict, clean(v.cause), clean(v.note)].join('\t');
}

export interface Judged {
  finding: EvalFinding;
  port: string;
  tree: Tree;
  key: string;
  verdict: Verdict | null;
}

/**
 * Verdicts for `findings` of one tree of `port`. `siblings` are the other ports of the same repository: a
 * verdict given there for the same tree, path, rule and line text answers here too (their trees are a few
 * commits apart; a line whose verdict changes between them must be judged under each port's own name, which
 * wins).
 */
export function judge(port: string, tree: Tree, findings: readonly EvalFinding[], verdicts: ReadonlyMap<string, Verdict>, siblings: readonly string[] = []): Judged[] {
  return findings.map((f) => {
    const key = textHash(f.text);
    let verdict = verdicts.get(verdictKey(port, tree, f.path, f.rule, key)) ?? null;
    for (const s of siblings) verdict ??= verdicts.get(verdictKey(s, tree, f.path, f.rule, key)) ?? null;
    return { finding: f, port, tree, key, verdict };
  });
}

export interface Precision {
  findings: number;
  judged: number;
  T: number;
  B: number;
  F: number;
  /** (T+B)/judged */
  right: number | null;
  /** T/judged */
  live: number | null;
}

export function precision(items: readonly Judged[]): Precision {
  const p = { findings: items.length, judged: 0, T: 0, B: 0, F: 0 };
  for (const j of items) {
    if (!j.verdict) continue;
    p.judged++;
    p[j.verdict.verdict]++;
  }
  return { ...p, right: ratio(p.T + p.B, p.judged), live: ratio(p.T, p.judged) };
}

/**
 * The BEFORE findings to judge: a fixed pseudo-random sample of `size` (the same on every run for the same
 * findings; a finding's rank depends only on its own key, so new findings do not reshuffle the rest).
 */
export function sampleBefore(items: readonly Judged[], size: number): Judged[] {
  const rank = (j: Judged) => createHash('sha256').update(`sample\t${j.port}\t${j.finding.path}\t${j.finding.rule}\t${j.key}`).digest('hex');
  return [...items].map((j) => ({ j, r: rank(j) })).sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : 0)).slice(0, size).map((x) => x.j);
}

export function causes(items: readonly Judged[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const j of items) if (j.verdict?.verdict === 'F') counts.set(j.verdict.cause, (counts.get(j.verdict.cause) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export function siteCount(ports: readonly Port[]): number {
  return ports.reduce((n, p) => n + p.sites.length, 0);
}
