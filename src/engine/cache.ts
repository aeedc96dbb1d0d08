// Per-file result cache (`.ftlint_cache/`): keyed by the file's content, its path, ftlint's version, the
// selected rules and the project facts rules read, so an unchanged tree re-lints without parsing.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileOutput } from './lint-file.js';
import { RULES_BY_ID } from '../rules/index.js';
import type { Remedy } from './types.js';

export interface CacheConfig {
  dir: string;
  /** Everything besides the file that decides the result: version, rules, project facts, limits. */
  salt: string;
}

export const CACHE_FORMAT = 'v1';

export function cacheSalt(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify([CACHE_FORMAT, ...parts])).digest('hex');
}

export function prepareCacheDir(dir: string): void {
  mkdirSync(join(dir, CACHE_FORMAT), { recursive: true });
  // Like .ruff_cache: keep the cache out of version control.
  writeFileSync(join(dir, '.gitignore'), '# Automatically created by ftlint.\n*\n');
}

export function cacheKey(cfg: CacheConfig, displayPath: string, text: string): string {
  return createHash('sha256').update(cfg.salt).update('\0').update(displayPath).update('\0').update(text).digest('hex');
}

const entryPath = (cfg: CacheConfig, key: string) => join(cfg.dir, CACHE_FORMAT, key.slice(0, 2), `${key.slice(2)}.json`);

const sameRemedy = (a: Remedy, b: Remedy) => a.api === b.api && a.since === b.since && a.compat === b.compat && a.snippet === b.snippet && a.requires === b.requires;

export function cacheGet(cfg: CacheConfig, key: string): FileOutput | null {
  try {
    const out = JSON.parse(readFileSync(entryPath(cfg, key), 'utf8')) as FileOutput;
    // A rule's default remedy is stored as null (entries stay small); put it back.
    for (const f of out.findings) {
      if (f.remedy === null) {
        const rule = RULES_BY_ID.get(f.rule);
        if (!rule) return null;
        f.remedy = rule.meta.remedy;
      }
    }
    return out;
  } catch {
    return null; // missing or corrupt: recompute
  }
}

export function cachePut(cfg: CacheConfig, key: string, out: FileOutput): void {
  const p = entryPath(cfg, key);
  try {
    mkdirSync(join(cfg.dir, CACHE_FORMAT, key.slice(0, 2)), { recursive: true });
    const tmp = `${p}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const findings = out.findings.map((f) => {
      const rule = RULES_BY_ID.get(f.rule);
      return rule && sameRemedy(f.remedy, rule.meta.remedy) ? { ...f, remedy: null } : f;
    });
    writeFileSync(tmp, JSON.stringify({ ...out, findings }));
    renameSync(tmp, p);
  } catch {
    // A read-only tree or a full disk must not fail the lint.
  }
}
