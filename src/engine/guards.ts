// Reading `#if` conditions: is this code compiled only for free-threaded builds, or only for 3.13+?

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

/** Maximum minor version the condition allows, e.g. 12 for `PY_VERSION_HEX < 0x030D0000`; null if unbounded. */
export function maxMinorOf(cond: string): number | null {
  const c = compact(cond);
  const m = /PY_VERSION_HEX<(=?)(0x[0-9a-fA-F]+)/.exec(c);
  if (m) {
    const v = parseInt(m[2] as string, 16);
    const minor = (v >> 16) & 0xff;
    return m[1] === '=' ? minor : (v & 0xffff) === 0 ? minor - 1 : minor;
  }
  const neg = /^!\(PY_VERSION_HEX>=(0x[0-9a-fA-F]+)\)$/.exec(c);
  if (neg) return ((parseInt(neg[1] as string, 16) >> 16) & 0xff) - 1;
  return null;
}

/** True when code under these conditions is compiled only for CPython < 3.13 (so no GIL declaration is needed). */
export function onlyBefore313(conds: string[]): boolean {
  return conds.some((c) => {
    const max = maxMinorOf(c);
    return (max !== null && max < 13) || /PY_MAJOR_VERSION<3|PY_MAJOR_VERSION==2/.test(compact(c));
  });
}
