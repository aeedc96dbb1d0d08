// Project facts ftlint reads (never executes): the oldest supported CPython, from pyproject.toml's
// `requires-python`, setup.cfg's or setup.py's `python_requires`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { ProjectInfo } from './facts.js';

/** Oldest 3.x minor a PEP 440 specifier set admits, e.g. ">=3.9,<4" → 9; null if unbounded below. */
export function minMinorFromSpecifier(spec: string): number | null {
  let best: number | null = null;
  for (const raw of spec.split(',')) {
    const s = raw.trim();
    const m = /^(>=|>|~=|==|===)\s*3\.(\d+)/.exec(s);
    if (!m) continue;
    const minor = Number(m[2]) + (m[1] === '>' && !/^>\s*3\.\d+\.\d/.test(s) ? 1 : 0);
    best = best === null ? minor : Math.max(best, minor);
  }
  return best;
}

/** `start` if it is a directory, else the directory holding it. */
export function startDirectory(start: string): string {
  const dir = resolve(start);
  try {
    return statSync(dir).isDirectory() ? dir : dirname(dir);
  } catch {
    return dirname(dir);
  }
}

/** Finds the nearest directory at or above `start` holding pyproject.toml, setup.cfg or setup.py. */
export function findProjectRoot(start: string): string | null {
  let dir = startDirectory(start);
  for (;;) {
    if (['pyproject.toml', 'setup.cfg', 'setup.py'].some((f) => existsSync(join(dir, f)))) return dir;
    if (existsSync(join(dir, '.git'))) return null;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

function readText(p: string): string | null {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

export function readProjectInfo(start: string): ProjectInfo {
  const root = findProjectRoot(start);
  const none: ProjectInfo = { root, requiresPython: null, minMinor: null, source: null };
  if (!root) return none;
  const pyproject = readText(join(root, 'pyproject.toml'));
  if (pyproject !== null) {
    try {
      const doc = parseToml(pyproject) as { project?: { 'requires-python'?: unknown } };
      const rp = doc.project?.['requires-python'];
      if (typeof rp === 'string') return { root, requiresPython: rp, minMinor: minMinorFromSpecifier(rp), source: join(root, 'pyproject.toml') };
    } catch {
      // malformed pyproject.toml: reported by the packaging rules / config loader, not here
    }
  }
  const cfg = readText(join(root, 'setup.cfg'));
  const cm = cfg && /^\s*python_requires\s*=\s*(.+)$/m.exec(cfg);
  if (cm) {
    const rp = (cm[1] as string).trim();
    return { root, requiresPython: rp, minMinor: minMinorFromSpecifier(rp), source: join(root, 'setup.cfg') };
  }
  const setup = readText(join(root, 'setup.py'));
  const sm = setup && /python_requires\s*=\s*(['"])([^'"]+)\1/.exec(setup);
  if (sm) {
    const rp = sm[2] as string;
    return { root, requiresPython: rp, minMinor: minMinorFromSpecifier(rp), source: join(root, 'setup.py') };
  }
  return none;
}
