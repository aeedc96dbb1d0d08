// Version arithmetic for packaging checks: PEP 440 specifier sets (pip requirements, requires-python),
// Cargo version requirements, and cibuildwheel's build selectors (fnmatch with brace expansion).

export type Version = number[];

export function parseVersion(s: string): Version | null {
  const m = /^\s*v?(\d+(?:\.\d+)*)/.exec(s);
  return m ? (m[1] as string).split('.').map(Number) : null;
}

export function cmpVersion(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export const fmtVersion = (v: Version) => v.join('.');

/** A version range: `lo` inclusive (null: unbounded), `hi` exclusive unless `hiInclusive` (null: unbounded). */
export interface VersionRange {
  lo: Version | null;
  hi: Version | null;
  hiInclusive: boolean;
}

const ANY: VersionRange = { lo: null, hi: null, hiInclusive: false };

function bump(v: Version, at: number): Version {
  const out = v.slice(0, at + 1);
  while (out.length < at + 1) out.push(0);
  out[at] = (out[at] as number) + 1;
  return out;
}

function tighten(r: VersionRange, lo: Version | null, hi: Version | null, hiInclusive = false): VersionRange {
  const out = { ...r };
  if (lo && (!out.lo || cmpVersion(lo, out.lo) > 0)) out.lo = lo;
  if (hi) {
    const c = out.hi ? cmpVersion(hi, out.hi) : -1;
    if (!out.hi || c < 0 || (c === 0 && !hiInclusive)) {
      out.hi = hi;
      out.hiInclusive = hiInclusive;
    }
  }
  return out;
}

/** The range a PEP 440 specifier set admits, e.g. `>=3.9,<3.13` → [3.9, 3.13). Unknown clauses are ignored. */
export function pep440Range(spec: string): VersionRange {
  let r = ANY;
  for (const raw of spec.split(',')) {
    const s = raw.trim();
    const m = /^(~=|===|==|!=|<=|>=|<|>)\s*v?([0-9][0-9.]*)(\.\*)?/.exec(s);
    if (!m) continue;
    const v = parseVersion(m[2] as string);
    if (!v) continue;
    const wild = m[3] !== undefined;
    switch (m[1]) {
      case '>=':
        r = tighten(r, v, null);
        break;
      case '>':
        r = tighten(r, [...v, 0, 0, 1], null);
        break;
      case '<':
        r = tighten(r, null, v);
        break;
      case '<=':
        r = tighten(r, null, v, true);
        break;
      case '==':
      case '===':
        r = wild ? tighten(r, v, bump(v, v.length - 1)) : tighten(r, v, v, true);
        break;
      case '~=':
        r = tighten(r, v, bump(v, Math.max(0, v.length - 2)));
        break;
      default:
        break;
    }
  }
  return r;
}

/** The range of a Cargo version requirement (`"0.22"` is `^0.22`: [0.22.0, 0.23.0)). */
export function cargoRange(req: string): VersionRange {
  let r = ANY;
  for (const raw of req.split(',')) {
    const s = raw.trim();
    if (s === '' || s === '*') continue;
    const m = /^(\^|~|=|>=|<=|>|<)?\s*v?([0-9][0-9.]*)(\.\*)?/.exec(s);
    if (!m) continue;
    const v = parseVersion(m[2] as string);
    if (!v) continue;
    const op = m[1] ?? '^';
    if (op === '^') {
      // ^X.Y.Z: the left-most non-zero component may not change.
      const i = v.findIndex((x) => x !== 0);
      const at = i === -1 ? v.length - 1 : Math.min(i, v.length - 1);
      r = tighten(r, v, bump(v, at));
    } else if (op === '~') r = tighten(r, v, bump(v, v.length >= 2 ? 1 : 0));
    else if (op === '=') r = m[3] ? tighten(r, v, bump(v, v.length - 1)) : tighten(r, v, v, true);
    else if (op === '>=') r = tighten(r, v, null);
    else if (op === '>') r = tighten(r, [...v, 0, 1], null);
    else if (op === '<') r = tighten(r, null, v);
    else if (op === '<=') r = tighten(r, null, v, true);
  }
  return r;
}

/** Does the range admit any version at or above `min`? */
export function admitsAtLeast(r: VersionRange, min: Version): boolean {
  if (!r.hi) return true;
  const c = cmpVersion(r.hi, min);
  return c > 0 || (c === 0 && r.hiInclusive);
}

/** Is every version the range admits at or above `min`? */
export function onlyAtLeast(r: VersionRange, min: Version): boolean {
  return r.lo !== null && cmpVersion(r.lo, min) >= 0;
}

/** Splits a PEP 508 requirement `Name[extra] >=1,<2 ; marker` into its parts. */
export function parseRequirement(req: string): { name: string; display: string; spec: string; marker: string } | null {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(\(?[^;@]*?\)?)\s*(?:;\s*(.*))?$/.exec(req);
  if (!m) return null;
  return {
    name: (m[1] as string).toLowerCase().replace(/[._]+/g, '-'),
    display: m[1] as string,
    spec: (m[3] as string).replace(/[()\s]/g, ''),
    marker: (m[4] ?? '').trim(),
  };
}

/** Brace expansion as cibuildwheel's selectors allow it: `cp3{10,11}-*` → `cp310-*`, `cp311-*`. */
function expandBraces(p: string): string[] {
  const m = /\{([^{}]*)\}/.exec(p);
  if (!m) return [p];
  const pre = p.slice(0, m.index);
  const post = p.slice(m.index + m[0].length);
  return (m[1] as string).split(',').flatMap((alt) => expandBraces(pre + alt + post));
}

/** fnmatch-style glob (`*`, `?`, `[seq]`), case-insensitive as cibuildwheel matches identifiers. */
export function globMatch(pattern: string, name: string): boolean {
  return expandBraces(pattern).some((p) => {
    let re = '^';
    for (let i = 0; i < p.length; i++) {
      const ch = p[i] as string;
      if (ch === '*') re += '.*';
      else if (ch === '?') re += '.';
      else if (ch === '[') {
        const end = p.indexOf(']', i + 1);
        if (end === -1) re += '\\[';
        else {
          const body = p.slice(i + 1, end).replace(/\\/g, '\\\\');
          re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
          i = end;
        }
      } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
    }
    return new RegExp(`${re}$`, 'i').test(name);
  });
}

/** Space- or comma-separated selector list, as cibuildwheel reads `build`/`skip` (string or TOML array). */
export function selectorList(value: string): string[] {
  return value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}
