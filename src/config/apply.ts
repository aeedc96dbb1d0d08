// Configuration applied to findings after the rules ran: per-file-ignores, severity overrides, and
// remedies trimmed to what the project needs (no pythoncapi_compat.h when every supported CPython has the API).
import { relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { Finding, Remedy, Severity } from '../engine/types.js';
import type { Config } from './config.js';

export interface FindingFilter {
  (findings: Finding[]): Finding[];
}

const matches = (selectors: string[], rule: string) => selectors.some((s) => s === 'ALL' || rule.startsWith(s));

/** Builds the post-processing step for one run; `cwd` is what finding paths are relative to. */
export function configFilter(cfg: Config | undefined, cwd: string, minMinor: number | null): FindingFilter {
  const pfi: { ig: Ignore; rules: string[] }[] = (cfg?.perFileIgnores ?? []).map((p) => ({ ig: ignore().add(p.pattern), rules: p.rules }));
  const sevSelectors = Object.keys(cfg?.severity ?? {}).sort((a, b) => b.length - a.length);
  const ignoredFor = (f: Finding): boolean => {
    if (pfi.length === 0 || !cfg) return false;
    const rel = relative(cfg.base, resolve(cwd, f.path)).split(sep).join('/');
    if (rel.startsWith('..') || rel === '') return false;
    return pfi.some((p) => matches(p.rules, f.rule) && p.ig.ignores(rel));
  };
  const severityOf = (f: Finding): Severity => {
    const sel = sevSelectors.find((s) => f.rule.startsWith(s));
    return sel ? (cfg?.severity[sel] as Severity) : f.severity;
  };
  return (findings) =>
    findings.filter((f) => !ignoredFor(f)).map((f) => {
      const severity = severityOf(f);
      const remedy = trimRemedy(f.remedy, minMinor);
      return severity === f.severity && remedy === f.remedy ? f : { ...f, severity, remedy };
    });
}

/** Drops the compat fallback when the oldest supported CPython already has the API. */
export function trimRemedy(r: Remedy, minMinor: number | null): Remedy {
  if (minMinor === null || r.compat === null || r.since === null) return r;
  const m = /^3\.(\d+)$/.exec(r.since);
  return m && Number(m[1]) <= minMinor ? { ...r, compat: null } : r;
}
