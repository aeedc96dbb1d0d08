// File discovery: recursive, honours .gitignore files (nested ones too), skips VCS, build and
// virtualenv directories, never follows a symlinked directory twice.
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { Language, ToolDiagnostic } from './types.js';

export interface SourceFileRef {
  abs: string;
  /** Path shown to the user: relative to the cwd when inside it, else absolute; always with `/`. */
  display: string;
  language: Language;
  /** Size in bytes when discovery saw it (to schedule big files first), else undefined. */
  size?: number;
}

const SKIP_DIRS = new Set([
  '.git', '.hg', '.svn', 'node_modules', 'build', 'dist', '__pycache__', '.tox', '.nox', '.venv', 'venv', 'env', '.env',
  '.mypy_cache', '.pytest_cache', '.ruff_cache', '.ftlint_cache', 'site-packages', '.eggs', 'wheelhouse', 'target',
]);

const BY_EXT: Record<string, Language> = {
  '.c': 'c', '.h': 'c',
  '.cc': 'cpp', '.cpp': 'cpp', '.cxx': 'cpp', '.c++': 'cpp', '.hpp': 'cpp', '.hh': 'cpp', '.hxx': 'cpp', '.inl': 'cpp',
  '.pyx': 'cython', '.pxd': 'cython', '.pxi': 'cython',
  '.py': 'python',
  '.rs': 'rust',
  '.cmake': 'cmake',
};
/** C templates of numpy.distutils/numpy's meson build (`conv_template`): `*.c.src`, `*.h.src`. */
export const TEMPLATE = /\.(?:c|h)\.src$/i;

const BY_NAME: Record<string, Language> = {
  'pyproject.toml': 'toml', 'Cargo.toml': 'toml', 'setup.cfg': 'setup-cfg', 'CMakeLists.txt': 'cmake', 'meson.build': 'meson',
};

/** stat() that follows a symlink; null for a dangling one or an unreadable entry. */
export function statFollow(abs: string): Stats | null {
  try {
    const st = lstatSync(abs);
    return st.isSymbolicLink() ? statSync(abs) : st;
  } catch {
    return null;
  }
}

export function languageOf(path: string): Language | null {
  const name = basename(path);
  const ext = extname(name).toLowerCase();
  const byName = Object.hasOwn(BY_NAME, name) ? BY_NAME[name] : Object.hasOwn(BY_EXT, ext) ? BY_EXT[ext] : undefined;
  if (byName) return byName;
  // NumPy-style templates (`foo.c.src`, expanded by the build into foo.c): C with `@name@` placeholders.
  if (TEMPLATE.test(name)) return 'c';
  // GitHub Actions workflows: read for cibuildwheel settings (CIBW_* variables, the action's version).
  if (/\.ya?ml$/i.test(name) && /(^|[\\/])\.github[\\/]workflows[\\/][^\\/]+$/.test(path)) return 'yaml';
  return null;
}

export function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  const shown = rel === '' ? '.' : rel.startsWith('..') ? abs : rel;
  return sep === '/' ? shown : shown.split(sep).join('/');
}

export interface Discovery {
  files: SourceFileRef[];
  missing: string[];
  diagnostics: ToolDiagnostic[];
}

export interface DiscoverOptions {
  /** Extra glob patterns (gitignore syntax) to exclude, relative to the cwd. */
  exclude?: string[];
  /** More patterns, relative to another directory (the configuration file's). */
  excludeFrom?: { base: string; patterns: string[] }[];
}

export function discover(paths: string[], cwd: string, opts: DiscoverOptions = {}): Discovery {
  const files: SourceFileRef[] = [];
  const missing: string[] = [];
  const diagnostics: ToolDiagnostic[] = [];
  const seen = new Set<string>();
  const seenDirs = new Set<string>();
  const excl = [{ base: cwd, ig: ignore().add(opts.exclude ?? []) }, ...(opts.excludeFrom ?? []).map((e) => ({ base: e.base, ig: ignore().add(e.patterns) }))];
  const isExcluded = (abs: string, dir: boolean) =>
    excl.some(({ base, ig }) => {
      const rel = relative(base, abs).split(sep).join('/');
      if (!rel || rel.startsWith('..')) return false;
      return ig.ignores(dir ? `${rel}/` : rel);
    });

  const add = (abs: string, explicit: boolean, size?: number) => {
    const lang = languageOf(abs);
    const display = displayPath(abs, cwd);
    if (!lang) {
      if (explicit) diagnostics.push({ code: 'FT000', path: display, reason: 'skipped', severity: 'info', message: 'not a C, C++, Cython, Python, Rust, CMake, Meson or packaging file; skipped' });
      return;
    }
    let real = abs;
    try {
      real = realpathSync(abs);
    } catch {
      // dangling symlink: reported as unreadable when read
    }
    if (seen.has(real)) return;
    seen.add(real);
    files.push({ abs, display, language: lang, ...(size !== undefined ? { size } : {}) });
  };

  const walk = (dir: string, ignores: { base: string; ig: Ignore }[]) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (seenDirs.has(real)) return; // symlink loop or the same tree twice
    seenDirs.add(real);
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch (e) {
      diagnostics.push({ code: 'FT000', path: displayPath(dir, cwd), reason: 'unreadable', severity: 'warning', message: `cannot read directory: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
      return;
    }
    let stack = ignores;
    if (entries.includes('.gitignore')) {
      try {
        stack = [...ignores, { base: dir, ig: ignore().add(readFileSync(join(dir, '.gitignore'), 'utf8')) }];
      } catch {
        // unreadable .gitignore: ignore it
      }
    }
    const ignored = (abs: string, isDir: boolean) =>
      stack.some(({ base, ig }) => {
        const rel = relative(base, abs).split(sep).join('/');
        return rel !== '' && !rel.startsWith('..') && ig.ignores(isDir ? `${rel}/` : rel);
      });
    for (const name of entries) {
      const abs = join(dir, name);
      const st = statFollow(abs);
      if (!st) continue; // dangling symlink
      if (st.isDirectory()) {
        if (SKIP_DIRS.has(name) || name.endsWith('.egg-info') || existsSync(join(abs, 'pyvenv.cfg'))) continue;
        if (ignored(abs, true) || isExcluded(abs, true)) continue;
        walk(abs, stack);
      } else if (st.isFile()) {
        if (!languageOf(abs) || ignored(abs, false) || isExcluded(abs, false)) continue;
        // A template whose expansion sits beside it (an in-tree build) is read once, as the expansion.
        if (TEMPLATE.test(name) && entries.includes(name.slice(0, -4))) continue;
        add(abs, false, st.size);
      }
    }
  };

  for (const p of paths) {
    const abs = resolve(cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) walk(abs, []);
    else if (st.isFile()) add(abs, true, st.size);
    else diagnostics.push({ code: 'FT000', path: displayPath(abs, cwd), reason: 'unreadable', severity: 'warning', message: 'not a regular file (device, FIFO or socket); skipped' });
  }
  return { files, missing, diagnostics };
}
