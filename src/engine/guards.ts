// Reading `#if` conditions: is this code compiled only for free-threaded builds, or only for 3.13+?
import { balanced, condsAt, type Lowered } from '../parse/lower.js';

const compact = (c: string) => c.replace(/\s+/g, '');

/** The condition holds only on free-threaded builds (`#ifdef Py_GIL_DISABLED`, Cython/nanobind equivalents). */
export function isFreeThreadedOnly(cond: string): boolean {
  const c = compact(cond);
  if (/!\(?(defined\(?)?Py_GIL_DISABLED/.test(c)) return false;
  return /Py_GIL_DISABLED|FREETHREADING|FREE_THREADED/.test(c) && !/\|\|/.test(c);
}

/** The condition excludes the free-threaded build (`#ifndef Py_GIL_DISABLED`). */
export function excludesFreeThreaded(cond: string): boolean {
  const c = compact(cond);
  return /^!\(?(defined\(?)?Py_GIL_DISABLED\)?\)?$/.test(c) || /^Py_GIL_DISABLED==0$/.test(c);
}

/** Minimum CPython minor version the condition requires (3.x), e.g. 13 for `PY_VERSION_HEX >= 0x030D0000`; null if none. */
export function minMinorOf(cond: string): number | null {
  const c = compact(cond);
  let best: number | null = null;
  const hex = /PY_VERSION_HEX>(=?)(0x[0-9a-fA-F]+)/g;
  for (let m = hex.exec(c); m; m = hex.exec(c)) {
    const v = parseInt(m[2] as string, 16);
    if (v >> 24 !== 3) continue;
    const minor = (v >> 16) & 0xff;
    const exact = (v & 0xffff) === 0 && m[1] === '=';
    const atLeast = exact ? minor : m[1] === '=' ? minor : minor; // any 3.13 pre-release counts as 3.13
    best = Math.max(best ?? 0, atLeast);
  }
  const mv = /PY_MINOR_VERSION>(=?)(\d+)/.exec(c);
  if (mv) best = Math.max(best ?? 0, Number(mv[2]) + (mv[1] === '=' ? 0 : 1));
  if (/defined\(Py_mod_gil\)/.test(c) && !/!defined\(Py_mod_gil\)/.test(c)) best = Math.max(best ?? 0, 13);
  return best;
}

/** Splits a compacted condition at top-level `op` (`&&` or `||`), after stripping enclosing parentheses. */
function splitTop(c: string, op: '&&' | '||'): string[] {
  let t = c;
  while (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1);
  const parts: string[] = [];
  let d = 0;
  let from = 0;
  for (let k = 0; k < t.length; k++) {
    const ch = t[k];
    if (ch === '(') d++;
    else if (ch === ')') d--;
    else if (d === 0 && t.startsWith(op, k)) {
      parts.push(t.slice(from, k));
      from = k + 2;
      k++;
    }
  }
  parts.push(t.slice(from));
  return parts;
}

/** Highest minor version a version test admits: `PY_VERSION_HEX < 0x030D0000` → 12, `PY_MINOR_VERSION <= 12` → 12. */
function atomMaxMinor(a: string): number | null {
  const hexMinor = (h: string) => (parseInt(h, 16) >> 16) & 0xff;
  // Alphas/betas/candidates of a minor do not count as that minor: `< 0x030D00A1` (pythoncapi_compat.h's
  // guards) admits 3.12 and 3.13.0a0, which nobody runs; 3.13.0 final is 0x030D00F0.
  const below = (h: string, inclusive: boolean) => {
    const v = parseInt(h, 16);
    if (v >> 24 !== 3) return null;
    const low = v & 0xffff;
    return (inclusive ? low < 0xf0 : low <= 0xf0) ? hexMinor(h) - 1 : hexMinor(h);
  };
  let m = /^PY_VERSION_HEX<(=?)(0x[0-9a-fA-F]+)$/.exec(a) ?? /^(?:\()?(0x[0-9a-fA-F]+)>(=?)PY_VERSION_HEX$/.exec(a);
  if (m) return a.startsWith('PY') ? below(m[2] as string, m[1] === '=') : below(m[1] as string, m[2] === '=');
  m = /^!\(PY_VERSION_HEX>=(0x[0-9a-fA-F]+)\)$/.exec(a);
  if (m) return hexMinor(m[1] as string) - 1;
  m = /^PY_MINOR_VERSION<(=?)(\d+)$/.exec(a);
  if (m) return Number(m[2]) - (m[1] === '=' ? 0 : 1);
  m = /^!\(PY_MINOR_VERSION>=(\d+)\)$/.exec(a);
  if (m) return Number(m[1]) - 1;
  return null;
}

/**
 * Maximum minor version the condition allows, e.g. 12 for `PY_VERSION_HEX < 0x030D0000` or
 * `PY_MAJOR_VERSION == 3 && PY_MINOR_VERSION < 13`; null if unbounded. `A || B` is bounded only when
 * both sides are; `A && B` by the tighter side.
 */
export function maxMinorOf(cond: string): number | null {
  const c = compact(cond);
  const ors = splitTop(c, '||');
  if (ors.length > 1) {
    let best: number | null = -1;
    for (const o of ors) {
      const v = maxMinorOf(o);
      if (v === null) return null;
      best = Math.max(best, v);
    }
    return best;
  }
  const ands = splitTop(c, '&&');
  if (ands.length > 1) {
    let best: number | null = null;
    for (const a of ands) {
      const v = maxMinorOf(a);
      if (v !== null) best = best === null ? v : Math.min(best, v);
    }
    return best;
  }
  return atomMaxMinor(ands[0] as string);
}

/** True when code under these conditions is compiled only for CPython < 3.13 (so no GIL declaration is needed). */
export function onlyBefore313(conds: string[]): boolean {
  return conds.some((c) => {
    const max = maxMinorOf(c);
    return (max !== null && max < 13) || /PY_MAJOR_VERSION<3|PY_MAJOR_VERSION==2/.test(compact(c));
  });
}

/**
 * True when code under these conditions is never compiled for a free-threaded CPython: only for
 * CPython < 3.13 (free threading arrived in 3.13), only for PyPy, only for Python 2, or only for
 * builds with the GIL (`#ifndef Py_GIL_DISABLED`). Borrowed-reference rules stay quiet there.
 */
export function neverFreeThreaded(conds: string[]): boolean {
  return conds.some((c) => neverFt(compact(c)));
}
function neverFt(c: string): boolean {
  const ors = splitTop(c, '||');
  if (ors.length > 1) return ors.every(neverFt);
  const ands = splitTop(c, '&&');
  if (ands.length > 1) return ands.some(neverFt);
  const a = ands[0] as string;
  const max = maxMinorOf(a);
  if (max !== null && max < 13) return true;
  if (/^defined\(?PYPY_VERSION\)?$/.test(a) || /^PY_MAJOR_VERSION(<3|==2|<=2)$/.test(a)) return true;
  return excludesFreeThreaded(a);
}

/** `neverFreeThreaded` for the `#if` context of one offset of a lowered file. */
export function neverFreeThreadedAt(lowered: Lowered, offset: number): boolean {
  return neverFreeThreaded(condsAt(lowered.conds, offset).map((f) => f.cond));
}
