// Build scope: which C/C++ sources the build compiles into which extension module.
//
// Read from the build files' facts (setup.py `Extension(…, sources=[…])`, CMake `Python_add_library` /
// `pybind11_add_module` / `nanobind_add_module`). A build file speaks for the files under its directory; the nearest
// one that declares extensions decides. Its scope is known only when every way it compiles code is read and literal;
// otherwise (a variable or glob in a source list, meson, CMake `add_library`, setup.py `libraries=[…]`, extensions
// built by a helper) it is unknown and every file under it is checked, as before.
import { posix } from 'node:path';
import type { FileFacts } from './facts.js';

export interface BuildScope {
  /** Per directory holding build files that declare extensions: null when unknown, else the sources they compile (display paths) with their extension ('' when several). */
  dirs: Record<string, Record<string, string> | null>;
  /** Base names of files other files include (`#include "x.c"`, Cython `cdef extern from "x.c"`): compiled with them. */
  included: string[];
}

/** C and C++ translation units (headers are never judged out of scope: ftlint does not know the include paths). */
export const TRANSLATION_UNIT = /\.(?:c|cc|cpp|cxx|c\+\+|m|mm|c\.src)$/i;

const slash = (p: string) => p.replace(/\\/g, '/');

export function buildScope(files: FileFacts[]): BuildScope | null {
  const dirs: Record<string, Record<string, string> | null> = {};
  for (const f of files) {
    const b = f.bindings?.build;
    if (!b || (!b.opaqueBuild && !(b.extensions?.length))) continue;
    const dir = posix.dirname(slash(f.path));
    if (dirs[dir] === null) continue;
    if (b.opaqueBuild || (b.extensions ?? []).some((e) => e.sources === null)) {
      dirs[dir] = null;
      continue;
    }
    const compiled = (dirs[dir] ??= {});
    for (const e of b.extensions ?? []) {
      for (const s of e.sources ?? []) {
        const p = posix.normalize(posix.join(dir, slash(s)));
        compiled[p] = compiled[p] !== undefined && compiled[p] !== e.name ? '' : e.name;
      }
    }
  }
  // Sources named relative to something other than the build file (a `package_dir`, a CMake variable): if a build's
  // list matches none of the files checked under it, it is not understood.
  const paths = new Set(files.map((f) => slash(f.path)));
  for (const [dir, compiled] of Object.entries(dirs)) {
    if (compiled && !Object.keys(compiled).some((p) => paths.has(p))) dirs[dir] = null;
  }
  if (!Object.values(dirs).some((d) => d !== null)) return null;
  const included = [...new Set(files.flatMap((f) => f.includes ?? []))];
  // A file that includes through a macro may include any file.
  if (included.includes('*')) return null;
  return { dirs, included };
}

/**
 * The build's word on a file: its extension ('' when unknown or several), or `outside` when no extension compiles it.
 * Every build at or above the file's directory counts: one that compiles it keeps it, one that cannot be read keeps
 * it (it may compile it), and it is outside only when some build is read and none of them compiles it.
 */
export function scopeOf(scope: BuildScope, path: string, included: Set<string>): { outside: boolean; extension: string } {
  const p = posix.normalize(slash(path));
  let known = false;
  for (let dir = posix.dirname(p); ; dir = posix.dirname(dir)) {
    if (dir in scope.dirs) {
      const compiled = scope.dirs[dir];
      if (!compiled) return { outside: false, extension: '' };
      const ext = compiled[p];
      if (ext !== undefined) return { outside: false, extension: ext };
      known = true;
    }
    if (dir === '.' || dir === '/' || dir === posix.dirname(dir)) break;
  }
  return { outside: known && TRANSLATION_UNIT.test(p) && !included.has(posix.basename(p)), extension: '' };
}
