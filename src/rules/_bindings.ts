// Shared by the binding and packaging project rules (FT107–FT111, FT711–FT715): joining per-file binding
// facts into modules and the build files that govern them.
import { basename, dirname } from 'node:path';
import type { BindingModule, BuildFacts, Requirement } from '../engine/bindings.js';
import type { FileFacts, Located } from '../engine/facts.js';
import { admitsAtLeast, cargoRange, cmpVersion, pep440Range, type Version } from '../engine/versions.js';
import { PYO3_DECLARE, PYO3_DEFAULT_NOT_USED } from '../data/bindings.js';
import type { ProjectContext } from './types.js';

export interface ModuleAt {
  path: string;
  module: BindingModule;
}

export interface BuildAt {
  path: string;
  build: BuildFacts;
}

export function bindingModules(files: FileFacts[]): ModuleAt[] {
  // A .pyx pulled into another one with `include "x.pyx"` is part of that module, not a module of its own —
  // unless the build also makes a module of it (rapidfuzz's metrics_cpp.pyx, included by metrics_cpp_avx2.pyx).
  const built = new Set(files.flatMap((f) => f.bindings?.build?.cythonTargets ?? []).map((t) => `${t}.pyx`));
  const included = new Set(files.flatMap((f) => f.bindings?.cythonIncludes ?? []).filter((n) => !built.has(n)));
  return files.flatMap((f) =>
    (f.bindings?.modules ?? []).filter((m) => !(m.generator === 'cython' && included.has(basename(f.path)))).map((module) => ({ path: f.path, module })),
  );
}

export function buildFiles(files: FileFacts[]): BuildAt[] {
  return files.filter((f) => f.bindings?.build).map((f) => ({ path: f.path, build: f.bindings?.build as BuildFacts }));
}

const dirOf = (p: string) => {
  const d = dirname(p);
  return d === '.' ? '' : `${d}/`;
};

/** Is the build file at `buildPath` in the directory of `path` or one of its ancestors? */
export function governs(buildPath: string, path: string): boolean {
  const d = dirOf(buildPath);
  return d === '' || path.startsWith(d);
}

/** Build files governing `path`, nearest first. */
export function governing(builds: BuildAt[], path: string): BuildAt[] {
  return builds.filter((b) => governs(b.path, path)).sort((a, b) => dirOf(b.path).length - dirOf(a.path).length);
}

/** Reports a finding at a located fact. */
export function reportAt(
  ctx: ProjectContext,
  path: string,
  at: Located,
  args: Omit<Parameters<ProjectContext['report']>[1], 'line' | 'column' | 'endLine' | 'endColumn' | 'lineText'>,
): void {
  ctx.report(path, { ...args, line: at.pos.line, column: at.pos.column, endLine: at.endPos.line, endColumn: at.endPos.column });
}

export const related = (path: string, at: Located, message: string) => ({ path, line: at.pos.line, column: at.pos.column, message });

/** The requirement on `name` in the build files governing `path` (nearest first), if any. */
export function requirementFor(builds: BuildAt[], path: string, name: string): { path: string; req: Requirement } | null {
  for (const b of governing(builds, path)) {
    const req = b.build.requirements.find((r) => r.name === name);
    if (req) return { path: b.path, req };
  }
  // CMake fetches a dependency for the whole CMake project, wherever the .cmake file sits.
  for (const b of builds) {
    const req = b.build.requirements.find((r) => r.name === name && r.source === 'cmake');
    if (req) return { path: b.path, req };
  }
  return null;
}

/** True when the governing requirement on `name` cannot reach `min` (an upper bound or pin below it). */
export function pinnedBelow(builds: BuildAt[], path: string, name: string, min: Version): { path: string; req: Requirement } | null {
  const r = requirementFor(builds, path, name);
  if (!r || r.req.spec === '') return null;
  return admitsAtLeast(pep440Range(r.req.spec), min) ? null : r;
}

/** Cargo.toml facts for a Rust file: the nearest governing pyo3 dependency, resolved through the workspace. */
export function pyo3For(builds: BuildAt[], path: string): { path: string; at: Located; spec: string } | null {
  const cargos = governing(builds, path).filter((b) => basename(b.path) === 'Cargo.toml');
  const own = cargos.find((b) => b.build.pyo3);
  if (!own) return null;
  const dep = own.build.pyo3 as NonNullable<BuildFacts['pyo3']>;
  if (!dep.workspace) return { path: own.path, at: dep, spec: dep.value };
  const ws = cargos.find((b) => b.build.workspacePyo3);
  if (!ws) return { path: own.path, at: dep, spec: '' };
  const w = ws.build.workspacePyo3 as NonNullable<BuildFacts['workspacePyo3']>;
  return { path: ws.path, at: w, spec: w.value };
}

export type Pyo3Era = 'too-old' | 'opt-in' | 'default-not-used' | 'unknown';

/** Which PyO3 behaviour a version requirement selects: no declaration (< 0.23), opt-in (0.23–0.27), default not-used (≥ 0.28). */
export function pyo3Era(spec: string): Pyo3Era {
  if (spec.trim() === '') return 'unknown';
  const r = cargoRange(spec);
  if (!admitsAtLeast(r, PYO3_DECLARE)) return 'too-old';
  if (r.lo && cmpVersion(r.lo, PYO3_DEFAULT_NOT_USED) >= 0) return 'default-not-used';
  if (r.lo && cmpVersion(r.lo, PYO3_DECLARE) >= 0 && r.hi && cmpVersion(r.hi, PYO3_DEFAULT_NOT_USED) <= 0) return 'opt-in';
  return 'unknown';
}

/** The nanobind_add_module() target that builds an NB_MODULE: by target name, else by source file. */
export function nanobindTargetFor(builds: BuildAt[], m: ModuleAt): { path: string; target: BuildFacts['nanobindTargets'][number] } | null {
  const all = builds.flatMap((b) => b.build.nanobindTargets.map((target) => ({ path: b.path, target })));
  return all.find((t) => t.target.target === m.module.name) ?? all.find((t) => t.target.sources.includes(basename(m.path))) ?? null;
}

/** How a module of the project stands, all generators and raw C together (for the packaging rules). */
export interface DeclaredModule {
  path: string;
  at: Located;
  label: string;
  /** not-used: the module declares free-threading support; gil: it re-enables the GIL; unknown: ftlint cannot tell. */
  state: 'not-used' | 'gil' | 'unknown';
}

export const GENERATOR_LABEL: Record<BindingModule['generator'], string> = {
  cython: 'Cython',
  pybind11: 'pybind11',
  nanobind: 'nanobind',
  pyo3: 'PyO3',
  hpy: 'HPy',
  'boost-python': 'Boost.Python',
  cffi: 'CFFI',
  mypyc: 'mypyc',
  'rust-cpython': 'rust-cpython',
};

/** The directory a build file configures: its own, or for a GitHub workflow the repository root above `.github/`. */
export function configRoot(path: string): string {
  const i = path.indexOf('.github/workflows/');
  if (i !== -1) return path.slice(0, i);
  return dirOf(path);
}

/** Does any module under `root` declare free-threading support, or any build file there set a Free Threading classifier? */
export function declaresUnder(files: FileFacts[], root: string): boolean {
  const under = (p: string) => root === '' || p.startsWith(root);
  return (
    declaredModules(files).some((m) => m.state === 'not-used' && under(m.path)) ||
    buildFiles(files).some((b) => under(b.path) && (b.build.classifierLevels ?? []).length > 0)
  );
}

export function declaredModules(files: FileFacts[]): DeclaredModule[] {
  const builds = buildFiles(files);
  const out: DeclaredModule[] = [];
  for (const f of files) {
    const m = f.module;
    if (!m) continue;
    for (const arr of m.slotArrays) {
      const gil = arr.entries.find((e) => e.slot === 'Py_mod_gil');
      out.push({ path: f.path, at: arr, label: `slot array '${arr.name}'`, state: gil ? (gil.value === 'Py_MOD_GIL_NOT_USED' ? 'not-used' : 'gil') : arr.opaque ? 'unknown' : 'gil' });
    }
    for (const c of m.creates.filter((x) => x.kind === 'single')) {
      const set = m.setGils.some((s) => s.value === 'Py_MOD_GIL_NOT_USED');
      out.push({ path: f.path, at: c, label: `module created in ${c.fn}()`, state: set ? 'not-used' : 'gil' });
    }
  }
  for (const ma of bindingModules(files)) {
    const { module: mod } = ma;
    let state: DeclaredModule['state'] = mod.gil === 'not-used' ? 'not-used' : 'gil';
    if (mod.gil === 'default') {
      if (mod.generator === 'cython') {
        const d = governing(builds, ma.path).find((b) => b.build.cythonDirective)?.build.cythonDirective;
        if (d) state = d.on === true ? 'not-used' : d.on === null ? 'unknown' : 'gil';
      } else if (mod.generator === 'nanobind') {
        const t = nanobindTargetFor(builds, ma);
        state = !t || t.target.opaque ? 'unknown' : t.target.freeThreaded ? 'not-used' : 'gil';
      } else if (mod.generator === 'pyo3') {
        const p = pyo3For(builds, ma.path);
        const era = p ? pyo3Era(p.spec) : 'unknown';
        state = era === 'default-not-used' ? 'not-used' : era === 'unknown' ? 'unknown' : 'gil';
      } else if (mod.generator !== 'pybind11') state = 'unknown';
    }
    out.push({ path: ma.path, at: mod, label: `${GENERATOR_LABEL[mod.generator]} module '${mod.name}'`, state });
  }
  return out;
}

