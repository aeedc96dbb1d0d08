// What a binary's imports say about the ABI it was compiled for, and what its name and wheel say it
// is for. Symbol facts verified on this machine (docs/abi.md, "Symbol facts"): the same C compiled
// against CPython 3.13 headers with and without -DPy_GIL_DISABLED=1, read with `nm -D --undefined-only`,
// and the header declarations guarded by Py_GIL_DISABLED.
import type { ArtifactBinary, BinarySlice, Wheel } from './model.js';
import { cpythonAbi } from './wheel.js';

/**
 * Declared only `#if defined(Py_GIL_DISABLED)` in the 3.13 headers and exported only by free-threaded
 * interpreters: an import proves free-threaded headers, and a GIL interpreter cannot load the binary.
 * `_Py_DecRefShared`/`_Py_MergeZeroLocalRefcount` come from the inline Py_DECREF.
 */
export const FT_ONLY_SYMBOLS = new Set(['_Py_DecRefShared', '_Py_DecRefSharedDebug', '_Py_MergeZeroLocalRefcount', '_Py_GetThreadLocal_Addr', 'PyUnstable_Module_SetGIL']);

/** Exported by both builds, but the Py_BEGIN_CRITICAL_SECTION macros call them only in free-threaded builds. */
export const FT_HINT_SYMBOLS = new Set([
  'PyCriticalSection_Begin', 'PyCriticalSection_End', 'PyCriticalSection2_Begin', 'PyCriticalSection2_End',
  'PyCriticalSection_BeginMutex', 'PyCriticalSection2_BeginMutex',
]);

/**
 * The inline Py_DECREF of a GIL build (and of the limited API before 3.12) calls `_Py_Dealloc`; the
 * free-threaded Py_DECREF never does. Free-threaded interpreters still export it, so on its own it is
 * evidence, not proof: code can call it explicitly.
 */
export const GIL_SYMBOLS = new Set(['_Py_Dealloc']);

export type AbiVerdict = 'free-threaded' | 'gil' | 'mixed' | 'unknown';

export interface PythonLibrary {
  name: string;
  /** 3.x minor, or null for the stable-ABI library (python3.dll / python3t.dll). */
  minor: number | null;
  ft: boolean;
}

export interface SliceEvidence {
  arch: string;
  verdict: AbiVerdict;
  /** Imported free-threaded-only symbols (strong evidence). */
  ftSymbols: string[];
  /** Imported critical-section functions (free-threaded hint). */
  ftHints: string[];
  gilSymbols: string[];
  /** The CPython library it links, if any (python313t.dll, libpython3.13.so.1.0, …). */
  library: PythonLibrary | null;
}

export function pythonLibrary(name: string): PythonLibrary | null {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  let m = /^python3(\d+)(t?)(?:_d)?\.dll$/i.exec(base);
  if (m) return { name: base, minor: Number(m[1]), ft: m[2]?.toLowerCase() === 't' };
  m = /^python3(t?)(?:_d)?\.dll$/i.exec(base);
  if (m) return { name: base, minor: null, ft: m[1]?.toLowerCase() === 't' };
  m = /^libpython3\.(\d+)(t?)d?\.(?:so|dylib)/.exec(base);
  if (m) return { name: base, minor: Number(m[1]), ft: m[2] === 't' };
  return null;
}

export function sliceEvidence(s: BinarySlice): SliceEvidence {
  const strong = s.pythonImports.filter((i) => !i.weak);
  const ftSymbols = strong.filter((i) => FT_ONLY_SYMBOLS.has(i.name)).map((i) => i.name);
  const ftHints = strong.filter((i) => FT_HINT_SYMBOLS.has(i.name)).map((i) => i.name);
  const gilSymbols = strong.filter((i) => GIL_SYMBOLS.has(i.name)).map((i) => i.name);
  let library: PythonLibrary | null = null;
  for (const l of s.libraries) library ??= pythonLibrary(l);
  const ft = ftSymbols.length > 0;
  const gil = gilSymbols.length > 0;
  const verdict: AbiVerdict = ft && gil ? 'mixed' : ft ? 'free-threaded' : gil && ftHints.length === 0 ? 'gil' : gil ? 'mixed' : 'unknown';
  return { arch: s.arch, verdict, ftSymbols, ftHints, gilSymbols, library };
}

export interface Target {
  /** True: free-threaded; false: GIL; null: both or unknown. */
  ft: boolean | null;
  /** 3.x minor when one is named. */
  minor: number | null;
  abi3: boolean;
  /** Where this came from, for messages: "suffix .cpython-313t-…", "wheel tag cp313t". */
  label: string;
}

/** The interpreter a binary is meant for: its file-name suffix first, then its wheel's ABI tags, then the CPython DLL it links. */
export function targetOf(bin: ArtifactBinary, wheel: Wheel | null): Target | null {
  const s = bin.suffix;
  if (s?.kind === 'cpython' && s.minor !== null) return { ft: s.flags.includes('t'), minor: s.minor, abi3: false, label: `suffix ${s.text}` };
  if (s?.kind === 'abi3') return { ft: false, minor: null, abi3: true, label: `suffix ${s.text}` };
  if (s?.kind === 'abi3t') return { ft: true, minor: null, abi3: true, label: `suffix ${s.text}` };
  if (s?.kind === 'other') return null;
  const w = wheel?.name ? wheelTarget(wheel.name.abiTags) : null;
  if (w) return w;
  if (wheel) return null;
  for (const slice of bin.info?.slices ?? []) {
    for (const l of slice.libraries) {
      const lib = pythonLibrary(l);
      if (lib) return { ft: lib.ft, minor: lib.minor, abi3: lib.minor === null, label: `linked library ${lib.name}` };
    }
  }
  return null;
}

/** What a wheel's ABI tag set targets, or null if it mixes builds or names no CPython ABI. */
export function wheelTarget(abiTags: string[]): Target | null {
  const cp = abiTags.map(cpythonAbi);
  if (cp.length > 0 && cp.every((c) => c !== null)) {
    const fts = new Set(cp.map((c) => c?.flags.includes('t')));
    const minors = new Set(cp.map((c) => c?.minor));
    if (fts.size !== 1) return null;
    return { ft: [...fts][0] as boolean, minor: minors.size === 1 ? ([...minors][0] as number) : null, abi3: false, label: `wheel tag ${abiTags.join('.')}` };
  }
  if (abiTags.length === 1 && abiTags[0] === 'abi3') return { ft: false, minor: null, abi3: true, label: 'wheel tag abi3' };
  if (abiTags.length === 1 && abiTags[0] === 'abi3t') return { ft: true, minor: null, abi3: true, label: 'wheel tag abi3t' };
  return null;
}

/** Oldest minor a wheel's CPython python tags name (cp311 → 11), or null. */
export function wheelMinor(wheel: Wheel | null): number | null {
  const ms = (wheel?.name?.pythonTags ?? []).map((t) => /^cp3(\d+)$/.exec(t)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1]));
  return ms.length ? Math.min(...ms) : null;
}
