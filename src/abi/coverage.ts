// The free-threading coverage matrix of a wheel set: per distribution and version, for each platform
// and CPython minor that has a GIL wheel, is there a wheel a free-threaded interpreter installs?
//
// What installs where (packaging.tags, per docs/abi.md):
// - cp3Y-cp3Yt-PLAT installs on 3.Yt only; cp3Y-cp3Y-PLAT on GIL 3.Y only;
// - cp3Y-abi3-PLAT installs on GIL 3.Y and later, never on a free-threaded interpreter;
// - cp3Y-abi3t-PLAT / abi3.abi3t (PEP 803) on free-threaded 3.15 and later (3.15 is the first abi3t);
// - *-none-PLAT and *-none-any install everywhere (no CPython ABI).
import type { Wheel } from './model.js';
import { FIRST_FT_MINOR, canonicalName, cpythonAbi, platformInfo } from './wheel.js';

/** Free-threaded minors that have been released; abi3 wheels are expanded to these (and any minor the set names). */
export const RELEASED_FT_MINORS = [13, 14];
export const FIRST_ABI3T_MINOR = 15;

export interface CoverageCell {
  /** A GIL interpreter of this minor has a wheel. */
  gil: boolean;
  /** A free-threaded interpreter of this minor has a wheel. */
  ft: boolean;
  /** Covered by an ABI-independent wheel (`none` ABI or pure). */
  any: boolean;
  /** GIL wheel present, no free-threaded wheel, and a free-threaded build of this minor exists. */
  gap: boolean;
  /** Wheels giving the GIL side (paths), for reporting a gap against them. */
  gilWheels: string[];
}

export interface CoverageTable {
  distribution: string;
  version: string;
  /** Column headers: 3.x minors, ascending. */
  minors: number[];
  /** Row headers: platform keys (`manylinux x86_64`, `win_amd64`, `macosx arm64`). */
  platforms: string[];
  /** cells[row][column]. */
  cells: CoverageCell[][];
  /** Number of wheels in this group. */
  wheels: number;
}

interface Contribution {
  platforms: string[];
  minors: number[] | 'all';
  minFrom: number | null;
  gil: boolean;
  ft: boolean;
  any: boolean;
  ftFrom: number | null;
}

function contributions(w: Wheel): Contribution[] {
  const n = w.name;
  if (!n) return [];
  const out: Contribution[] = [];
  const plats = [...new Set(n.platformTags.flatMap((p) => platformInfo(p).keys))];
  const pyMinors = n.pythonTags.map((t) => /^cp3(\d+)$/.exec(t)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1]));
  for (const abi of n.abiTags) {
    const cp = cpythonAbi(abi);
    if (cp) {
      const ft = cp.flags.includes('t');
      out.push({ platforms: plats, minors: [cp.minor], minFrom: null, gil: !ft, ft, any: false, ftFrom: null });
    } else if (abi === 'abi3' || abi === 'abi3t') {
      const floor = pyMinors.length ? Math.min(...pyMinors) : 2;
      if (abi === 'abi3') out.push({ platforms: plats, minors: [], minFrom: floor, gil: true, ft: false, any: false, ftFrom: null });
      else out.push({ platforms: plats, minors: [], minFrom: null, gil: false, ft: true, any: false, ftFrom: Math.max(floor, FIRST_ABI3T_MINOR) });
    } else if (abi === 'none') {
      out.push({ platforms: plats, minors: 'all', minFrom: null, gil: true, ft: true, any: true, ftFrom: null });
    }
  }
  return out;
}

/** One table per distribution/version that has at least one binary (non-`any`) wheel. */
export function coverageTables(wheels: Wheel[]): CoverageTable[] {
  const groups = new Map<string, Wheel[]>();
  for (const w of wheels) {
    if (!w.name) continue;
    const key = `${canonicalName(w.name.distribution)}\0${w.name.version}`;
    groups.set(key, [...(groups.get(key) ?? []), w]);
  }
  const tables: CoverageTable[] = [];
  for (const group of groups.values()) {
    const first = group[0] as Wheel;
    const contrib = group.map((w) => ({ w, cs: contributions(w) }));
    const binary = contrib.filter(({ cs }) => cs.some((c) => !c.platforms.includes('any')));
    if (binary.length === 0) continue;
    const platforms = [...new Set(contrib.flatMap(({ cs }) => cs.flatMap((c) => c.platforms)).filter((p) => p !== 'any'))].sort();
    const explicit = new Set<number>();
    for (const { cs } of contrib) for (const c of cs) if (c.minors !== 'all') for (const m of c.minors) explicit.add(m);
    const floors = contrib.flatMap(({ cs }) => cs.map((c) => c.minFrom).filter((x): x is number => x !== null));
    const ftFloors = contrib.flatMap(({ cs }) => cs.map((c) => c.ftFrom).filter((x): x is number => x !== null));
    const top = Math.max(...explicit, ...RELEASED_FT_MINORS);
    const minors = new Set(explicit);
    // abi3 wheels: show every released free-threaded minor they would have to serve.
    for (const f of floors) for (const m of RELEASED_FT_MINORS) if (m >= f) minors.add(m);
    for (const f of ftFloors) if (f <= top) minors.add(f);
    const cols = [...minors].sort((a, b) => a - b);
    const cells: CoverageCell[][] = platforms.map(() => cols.map(() => ({ gil: false, ft: false, any: false, gap: false, gilWheels: [] })));
    for (const { w, cs } of contrib) {
      for (const c of cs) {
        const rows = c.platforms.includes('any') ? platforms.map((_, i) => i) : c.platforms.map((p) => platforms.indexOf(p)).filter((i) => i >= 0);
        cols.forEach((m, ci) => {
          const applies = c.minors === 'all' || c.minors.includes(m) || (c.minFrom !== null && m >= c.minFrom) || (c.ftFrom !== null && m >= c.ftFrom);
          if (!applies) return;
          for (const ri of rows) {
            const cell = (cells[ri] as CoverageCell[])[ci] as CoverageCell;
            if (c.any) cell.any = true;
            if (c.gil) {
              cell.gil = true;
              if (!c.any) cell.gilWheels.push(w.path);
            }
            if (c.ft && (c.ftFrom === null || m >= c.ftFrom)) cell.ft = true;
          }
        });
      }
    }
    cols.forEach((m, ci) => {
      for (const row of cells) {
        const cell = row[ci] as CoverageCell;
        cell.gap = cell.gil && !cell.ft && m >= FIRST_FT_MINOR;
      }
    });
    tables.push({ distribution: first.name?.distribution ?? '?', version: first.name?.version ?? '?', minors: cols, platforms, cells, wheels: group.length });
  }
  return tables.sort((a, b) => (a.distribution < b.distribution ? -1 : a.distribution > b.distribution ? 1 : a.version < b.version ? -1 : 1));
}
