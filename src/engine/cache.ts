// Result cache (`.ftlint_cache/`), in two layers:
//  - per file: keyed by the file's bytes, its path, ftlint's version, the selected rules and the project
//    facts rules read, so an unchanged file is never parsed again. An entry is two JSON lines: the file's own
//    results (findings, suppressions, diagnostics), then its facts, which are read only when project rules
//    have to run again;
//  - per project: the project rules' findings, keyed by every file's key (and the configuration), so a tree
//    where nothing changed skips the project rules and never loads any file's facts.
// Entries no run has used for 30 days are removed (at most one scan a day), and so are earlier formats.
import type { BuildScope } from './scope.js';
import type { HeldTable } from './containers.js';
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { jsonChunks, LazyArray, writeFileAtomic } from '../report/stream.js';
import { join } from 'node:path';
import type { FileFacts } from './facts.js';
import type { FileOutput } from './lint-file.js';
import { RULES_BY_ID } from '../rules/index.js';
import type { Finding, ModuleSummary, Remedy } from './types.js';

export interface CacheConfig {
  dir: string;
  /** Everything besides the file that decides the result: version, rules, project facts, limits. */
  salt: string;
}

export const CACHE_FORMAT = 'v7';

const sha = (...parts: (string | Buffer)[]) => {
  const h = createHash('sha256');
  parts.forEach((p, i) => {
    if (i > 0) h.update('\0');
    h.update(p);
  });
  return h.digest('hex');
};

export function cacheSalt(parts: unknown[]): string {
  return sha(JSON.stringify([CACHE_FORMAT, ...parts]));
}

export function prepareCacheDir(dir: string): void {
  mkdirSync(join(dir, CACHE_FORMAT), { recursive: true });
  // Entries of earlier cache formats can never be read again: remove them (ftlint's own `v<N>` directories only).
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && /^v\d+$/.test(e.name) && e.name !== CACHE_FORMAT) rmSync(join(dir, e.name), { recursive: true, force: true });
  }
  // Like .ruff_cache: keep the cache out of version control.
  writeFileSync(join(dir, '.gitignore'), '# Automatically created by ftlint.\n*\n');
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Entries (and project memos) not used for this long are removed: edited files leave their old entries behind. */
export const MAX_UNUSED_DAYS = 30;

/**
 * Reads a cache file and marks it used: its modification time is moved to now when it is more than a day old,
 * so at most one metadata write per entry and day (`pruneCache` goes by that time).
 */
function readUsed(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const mtime = fstatSync(fd).mtimeMs;
    const text = readFileSync(fd, 'utf8');
    if (Date.now() - mtime > DAY_MS) {
      try {
        utimesSync(path, new Date(), new Date());
      } catch {
        // a read-only cache still serves hits
      }
    }
    return text;
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes entries and project memos of the current format that no run has used for `MAX_UNUSED_DAYS`; the
 * directory is scanned at most once a day (the mtime of `.pruned` records when).
 */
export function pruneCache(cfg: CacheConfig): void {
  const now = Date.now();
  const dir = join(cfg.dir, CACHE_FORMAT);
  const marker = join(dir, '.pruned');
  try {
    if (now - statSync(marker).mtimeMs < DAY_MS) return;
  } catch {
    // A cache seen for the first time is scanned a day from now (a new one has nothing old in it).
    try {
      writeFileSync(marker, '');
    } catch {
      // never fails the lint
    }
    return;
  }
  const old = (path: string) => {
    try {
      return now - statSync(path).mtimeMs > MAX_UNUSED_DAYS * DAY_MS;
    } catch {
      return false;
    }
  };
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory() && /^[0-9a-f]{2}$/.test(e.name)) {
        const names = readdirSync(path);
        let left = names.length;
        for (const n of names) {
          // Entries, and temporary files a killed run left behind.
          if ((n.endsWith('.json') || n.endsWith('.tmp')) && old(join(path, n))) {
            rmSync(join(path, n), { force: true });
            left--;
          }
        }
        if (left === 0) rmSync(path, { recursive: true, force: true });
      } else if (e.isFile() && /^project-[0-9a-f]+\.json(\.[^/]*\.tmp)?$/.test(e.name) && old(path)) {
        rmSync(path, { force: true });
      }
    }
    writeFileSync(marker, '');
  } catch {
    // like every cache write: never fails the lint
  }
}

/** Hash of a dependency's bytes (FileOutput.deps). */
export const contentHash = (buf: Buffer): string => sha(buf).slice(0, 32);

/** Every dependency the entry was computed with is still as it was. */
function depsUnchanged(deps: { path: string; hash: string }[] | undefined): boolean {
  if (!deps) return true;
  for (const d of deps) {
    try {
      if (contentHash(readFileSync(d.path)) !== d.hash) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The key of a file's entry: its bytes as read (no decoding needed to look it up), path and the salt. */
export function cacheKey(cfg: CacheConfig, displayPath: string, bytes: Buffer): string {
  return sha(cfg.salt, displayPath, bytes);
}

const entryPath = (cfg: CacheConfig, key: string) => join(cfg.dir, CACHE_FORMAT, key.slice(0, 2), `${key.slice(2)}.json`);

const sameRemedy = (a: Remedy, b: Remedy) => a.api === b.api && a.since === b.since && a.compat === b.compat && a.snippet === b.snippet && a.requires === b.requires;

/** A rule's default remedy is stored (and sent between threads) as null: entries and messages stay small. */
export function packFinding(f: Finding): Finding {
  const rule = RULES_BY_ID.get(f.rule);
  return rule && (f.remedy === rule.meta.remedy || sameRemedy(f.remedy, rule.meta.remedy)) ? { ...f, remedy: null as unknown as Remedy } : f;
}

export const packFindings = (findings: Finding[]): Finding[] => findings.map(packFinding);

/** Puts default remedies back; false when a finding names a rule this version does not have. */
export function unpackFindings(findings: Finding[]): boolean {
  for (const f of findings) {
    if (f.remedy === null) {
      const rule = RULES_BY_ID.get(f.rule);
      if (!rule) return false;
      f.remedy = rule.meta.remedy;
    }
  }
  return true;
}

/** A file's cached results, without its facts (`cachedFacts` says where they are), or null. */
export function cacheGet(cfg: CacheConfig, key: string): FileOutput | null {
  const path = entryPath(cfg, key);
  try {
    const text = readUsed(path);
    const nl = text.indexOf('\n');
    if (nl < 0) return null;
    const out = JSON.parse(text.slice(0, nl)) as FileOutput;
    if (!depsUnchanged(out.deps) || !unpackFindings(out.findings)) return null;
    out.facts = null;
    if (text.length > nl + 1 && !text.startsWith('null', nl + 1)) out.cachedFacts = path;
    out.key = key;
    return out;
  } catch {
    return null; // missing or corrupt: recompute
  }
}

/** The facts of a cache entry (FileOutput.cachedFacts), or undefined when it cannot be read any more. */
export function cacheFacts(path: string): FileFacts | null | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    return JSON.parse(text.slice(text.indexOf('\n') + 1)) as FileFacts | null;
  } catch {
    return undefined;
  }
}

export function cachePut(cfg: CacheConfig, key: string, out: FileOutput): void {
  try {
    mkdirSync(join(cfg.dir, CACHE_FORMAT, key.slice(0, 2)), { recursive: true });
    const { facts, ...own } = out;
    writeFileAtomic(entryPath(cfg, key), [`${JSON.stringify({ ...own, findings: packFindings(out.findings) })}\n`, JSON.stringify(facts)]);
  } catch {
    // A read-only tree or a full disk must not fail the lint.
  }
}

/** What the project rules found for one exact set of inputs. */
export interface ProjectMemo {
  /** Findings of the project rules that run before suppressions are applied, then of those that run after. */
  before: Finding[];
  after: Finding[];
  modules: ModuleSummary[];
  /** How each object field's container resolved (containers.ts), for the file findings that depend on it. */
  held?: HeldTable;
  /** Functions that run only during module init, among those file findings depend on (`unlessInitOnly`). */
  quietInInit?: string[];
  /** The build scope the findings were filtered by (scope.ts), or null when the build could not be read. */
  scope?: BuildScope | null;
}

/**
 * One slot per set of paths checked (so the cache does not grow with every edit), holding the memo for the
 * last inputs seen there: `inputs` is the key of every file and everything else the project rules depend on.
 */
const memoPath = (cfg: CacheConfig, paths: string[]) => join(cfg.dir, CACHE_FORMAT, `project-${sha(cfg.salt, ...paths).slice(0, 32)}.json`);

export function memoKey(cfg: CacheConfig, fileKeys: (string | null)[], extra: unknown): string {
  return sha(cfg.salt, JSON.stringify(extra), ...fileKeys.map((k) => k ?? '-'));
}

export function memoGet(cfg: CacheConfig, paths: string[], key: string): ProjectMemo | null {
  try {
    const m = JSON.parse(readUsed(memoPath(cfg, paths))) as ProjectMemo & { key: string };
    if (m.key !== key || !unpackFindings(m.before) || !unpackFindings(m.after)) return null;
    return { before: m.before, after: m.after, modules: m.modules, ...(m.held ? { held: m.held } : {}), quietInInit: m.quietInInit ?? [], scope: m.scope ?? null };
  } catch {
    return null;
  }
}

export function memoPut(cfg: CacheConfig, paths: string[], key: string, memo: ProjectMemo): void {
  // Written in chunks, finding by finding: a large project's memo never exists as one string.
  const packed = (list: Finding[]) => new LazyArray(list, packFinding);
  try {
    writeFileAtomic(memoPath(cfg, paths), jsonChunks({ key, before: packed(memo.before), after: packed(memo.after), modules: memo.modules, held: memo.held ?? {}, quietInInit: memo.quietInInit ?? [], scope: memo.scope ?? null }));
  } catch {
    // as cachePut: never fails the lint
  }
}
