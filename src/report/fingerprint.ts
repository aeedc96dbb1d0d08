// Stable finding identities, shared by SARIF `partialFingerprints` and the baseline file.
//
// A fingerprint hashes: the rule id, the file's path relative to a root (with `/`), the flagged line's
// text with whitespace collapsed, and the occurrence index among findings that agree on all three.
// Line numbers are left out on purpose, so code moving up or down (an edit elsewhere in the file) keeps
// every fingerprint; editing the flagged line itself, renaming the file or changing the rule gives a new one.
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { compareFindings, type Finding } from '../engine/types.js';

/** Fingerprint scheme version, part of SARIF's `partialFingerprints` key and of the baseline file. */
export const FINGERPRINT_KEY = 'ftlint/v1';

export function normaliseLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `path` (as shown, relative to `cwd` or absolute) relative to `root`, with `/` separators. */
export function relativeTo(root: string, path: string, cwd: string): string {
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  const rel = relative(root, abs);
  return sep === '/' ? rel : rel.split(sep).join('/');
}

function hash(parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

/**
 * One fingerprint per finding (same order as `findings`). Occurrences are counted in the canonical
 * order (path, line, column, rule), so the k-th identical line in a file keeps index k.
 */
export function fingerprints(findings: readonly Finding[], root: string, cwd: string): string[] {
  const order = findings.map((f, i) => ({ f, i })).sort((a, b) => compareFindings(a.f, b.f));
  const seen = new Map<string, number>();
  const out: string[] = new Array(findings.length);
  for (const { f, i } of order) {
    const base = [f.rule, relativeTo(root, f.path, cwd), normaliseLine(f.lineText ?? f.message)];
    const k = base.join('\0');
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    out[i] = hash([...base, String(n)]);
  }
  return out;
}
