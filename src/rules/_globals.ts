// Project-wide view of shared C state for the FT3 rules: which functions run only during module init,
// which are reachable from Python, and every write to each global (extern globals across files).
import { forEachCaller, type FileFacts } from '../engine/facts.js';
import { pushTo } from '../engine/group.js';
import type { GlobalVar, GlobalWrite, ParamSummary } from '../engine/globals.js';
import type { Remedy } from '../engine/types.js';
import type { ProjectContext } from './types.js';

export interface GlobalState {
  file: string;
  v: GlobalVar;
  /** Writes outside module init (run time). */
  runtime: (GlobalWrite & { file: string })[];
  /** Writes during module init. */
  init: (GlobalWrite & { file: string })[];
}

export interface GlobalModel {
  globals: GlobalState[];
  initOnly: Set<string>;
  reachable: Set<string>;
  /** Functions Python calls directly (method tables, getsets, type slots) that the project defines. */
  entry: Set<string>;
  /** Calls between the project's own functions, both ways. */
  callees: Map<string, string[]>;
  callers: Map<string, Set<string>>;
}

const cache = new WeakMap<FileFacts[], Map<string, GlobalModel>>();

/** `extraInit`: functions the user says run only during module init (FT302's `init-functions` option). */
export function globalModel(files: FileFacts[], extraInit: readonly string[] = []): GlobalModel {
  const key = extraInit.join('\0');
  let byKey = cache.get(files);
  if (!byKey) cache.set(files, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const callees = new Map<string, string[]>();
  const callers = new Map<string, Set<string>>();
  const defined = new Set<string>();
  for (const f of files) for (const fn of f.module?.functions ?? []) defined.add(fn);
  // Only calls between the project's own functions matter (C-API names would make huge caller sets).
  for (const f of files) {
    forEachCaller(f.module?.calls ?? [], (caller, cs) => {
      const own = cs.filter((c) => defined.has(c));
      if (own.length === 0) return;
      pushTo(callees, caller, ...own);
      for (const c of own) {
        let s = callers.get(c);
        if (!s) callers.set(c, (s = new Set()));
        s.add(caller);
      }
    });
  }
  // Module init: PyInit_* and Py_mod_exec functions, and functions called only from init.
  const initOnly = new Set<string>();
  for (const fn of defined) if (/^PyInit_|^PyModExport_/.test(fn)) initOnly.add(fn);
  for (const f of files) for (const e of f.globals?.execFns ?? []) initOnly.add(e);
  for (const fn of extraInit) initOnly.add(fn);
  // Teardown (m_clear/m_free/m_traverse, Py_AtExit) does not run concurrently with module use either.
  for (const f of files) {
    for (const t of f.globals?.teardownFns ?? []) initOnly.add(t);
    for (const d of f.module?.moduleDefs ?? []) for (const t of d.teardown) initOnly.add(t);
  }
  const externNames = new Set(files.flatMap((f) => f.globals?.externs ?? []));
  const entry = new Set<string>();
  for (const f of files) for (const n of f.globals?.pyEntry ?? []) if (defined.has(n)) entry.add(n);
  // Worklist: when a function becomes init-only, only its callees can change status.
  const isInitOnly = (fn: string) => {
    if (initOnly.has(fn) || entry.has(fn) || !defined.has(fn)) return false;
    const cs = callers.get(fn);
    if (!cs || cs.size === 0) return false;
    for (const c of cs) if (!initOnly.has(c)) return false;
    return true;
  };
  const work = [...initOnly];
  while (work.length) {
    const fn = work.pop() as string;
    for (const c of callees.get(fn) ?? []) {
      if (isInitOnly(c)) {
        initOnly.add(c);
        work.push(c);
      }
    }
  }
  // Reachable from Python: entry points and what they call.
  const reachable = new Set<string>();
  const stack = [...entry];
  while (stack.length) {
    const fn = stack.pop() as string;
    if (reachable.has(fn)) continue;
    reachable.add(fn);
    for (const c of callees.get(fn) ?? []) if (defined.has(c)) stack.push(c);
  }

  // Definitions: file-scope non-extern globals by name (for extern resolution), and function statics.
  const globals: GlobalState[] = [];
  const byName = new Map<string, GlobalState>();
  const staticKey = (file: string, fn: string, name: string) => `${file}\0${fn}\0${name}`;
  const byStatic = new Map<string, GlobalState>();
  const fileStatics = new Map<string, GlobalState>();
  for (const f of files) {
    if (f.globals?.isProgram) continue;
    for (const v of f.globals?.vars ?? []) {
      if (v.isExtern) continue;
      const st: GlobalState = { file: f.path, v, runtime: [], init: [] };
      globals.push(st);
      if (v.fn) byStatic.set(staticKey(f.path, v.fn, v.name), st);
      else if (v.isStatic) fileStatics.set(`${f.path}\0${v.name}`, st);
      else if (!byName.has(v.name)) byName.set(v.name, st);
    }
  }
  const lockedOnly = calledOnlyLocked(files, entry, initOnly);
  const writesParam = paramWrites(files);
  for (const f of files) {
    for (const w of f.globals?.writes ?? []) {
      // `f(&g)` writes g only if f writes through that parameter (its summary, or a known C-API out-parameter).
      // (A function's own address, passed as a callback, is no write.)
      if (w.kind === 'addr' && (defined.has(w.name) || !(w.via && writesParam(w.via.callee, w.via.arg)))) continue;
      const st = w.scopeFn
        ? byStatic.get(staticKey(f.path, w.scopeFn, w.name))
        : (fileStatics.get(`${f.path}\0${w.name}`) ?? (sameFile(f.globals?.vars ?? [], w.name) || externNames.has(w.name) ? byName.get(w.name) : undefined));
      if (!st) continue;
      // A write in a helper every caller calls with a lock held is protected by that lock.
      const held = w.protectedBy === null && lockedOnly.has(w.fn) ? { protectedBy: 'a lock every caller holds' } : {};
      (initOnly.has(w.fn) ? st.init : st.runtime).push({ ...w, ...held, file: f.path });
    }
  }
  const model = { globals, initOnly, reachable, entry, callees, callers };
  byKey.set(key, model);
  return model;
}

/**
 * Functions that only ever run with a lock held: every call site in the project holds a lock, critical section or
 * scoped guard, or sits in a function that itself only runs locked. Functions Python can call directly (method
 * tables) and module init are never in it; nor is a function nothing calls.
 */
function calledOnlyLocked(files: FileFacts[], entry: ReadonlySet<string>, initOnly: ReadonlySet<string>): Set<string> {
  const sites = new Map<string, { caller: string; locked: boolean }[]>();
  const tabled = new Set<string>();
  for (const f of files) {
    for (const n of f.globals?.pyEntry ?? []) tabled.add(n);
    const cs = f.globals?.callSites ?? [];
    for (let i = 0; i + 2 < cs.length; i += 3) pushTo(sites, cs[i + 1] as string, { caller: cs[i] as string, locked: cs[i + 2] === 1 });
  }
  const out = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [fn, list] of sites) {
      if (out.has(fn) || entry.has(fn) || tabled.has(fn) || initOnly.has(fn)) continue;
      if (list.every((s) => s.locked || out.has(s.caller))) {
        out.add(fn);
        changed = true;
      }
    }
  }
  return out;
}

/** C-API and libc functions that store into the object an argument points to (positions from 0). */
const OUT_PARAMS: Record<string, number[]> = {
  PyDict_GetItemRef: [2],
  PyDict_GetItemStringRef: [2],
  PyDict_SetDefaultRef: [3],
  PyDict_Pop: [2],
  PyDict_PopString: [2],
  PyMapping_GetOptionalItem: [2],
  PyMapping_GetOptionalItemString: [2],
  PyObject_GetOptionalAttr: [2],
  PyObject_GetOptionalAttrString: [2],
  PyWeakref_GetRef: [1],
  PyErr_Fetch: [0, 1, 2],
  PyErr_NormalizeException: [0, 1, 2],
  PyErr_GetExcInfo: [0, 1, 2],
  time: [0],
  localtime_r: [1],
  gmtime_r: [1],
};

/** Which (function, argument position) pairs write through the argument: summaries, then the known out-parameters. */
function paramWrites(files: FileFacts[]): (callee: string, arg: number) => boolean {
  return throughParams(files, (s) => s.writes, (callee, arg) => OUT_PARAMS[callee]?.includes(arg) === true);
}

/**
 * (function, parameter position) pairs for which something holds, from the project's parameter summaries:
 * positions `seed` names, positions `external` names (functions ftlint has no body for), and every parameter a
 * function passes on to such a position (`forwards`), closed to a fixpoint over the project's calls.
 */
export function throughParams(
  files: FileFacts[],
  seed: (s: ParamSummary) => readonly number[],
  external: (fn: string, arg: number) => boolean,
): (fn: string, arg: number) => boolean {
  const known = new Map<string, Set<number>>();
  const add = (fn: string, arg: number) => {
    let set = known.get(fn);
    if (!set) known.set(fn, (set = new Set()));
    set.add(arg);
  };
  const forwards: [fn: string, callee: string, arg: number, param: number][] = [];
  for (const f of files) {
    for (const s of f.globals?.params ?? []) {
      for (const i of seed(s)) add(s.fn, i);
      for (const [callee, arg, param] of s.forwards) forwards.push([s.fn, callee, arg, param]);
    }
  }
  const has = (fn: string, arg: number) => known.get(fn)?.has(arg) === true || external(fn, arg);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [fn, callee, arg, param] of forwards) {
      if (!has(fn, param) && has(callee, arg)) {
        add(fn, param);
        changed = true;
      }
    }
  }
  return has;
}

function sameFile(vars: GlobalVar[], name: string): boolean {
  return vars.some((v) => v.name === name && !v.fn);
}

/** Run-time writes that nothing protects (no lock, no critical section, not compiled out of free-threaded builds). */
export function unprotected(g: GlobalState): (GlobalWrite & { file: string })[] {
  return g.runtime.filter((w) => w.protectedBy === null && !w.ftConditional);
}

export function related(ws: (GlobalWrite & { file: string })[], skip: number, what: string) {
  return ws.slice(skip, skip + 20).map((w) => ({ path: w.file, line: w.pos.line, column: w.pos.column, message: `${what} in ${w.fn}()` }));
}

type Write = GlobalWrite & { file: string };

/** Reports a global at its first bad write, with its declaration and the other writes as related locations. */
export function reportAtWrite(
  ctx: ProjectContext,
  first: Write,
  message: string,
  others: Write[],
  decl: GlobalState | null,
  remedy?: Remedy,
  what = 'also written',
): void {
  ctx.report(first.file, {
    line: first.pos.line,
    column: first.pos.column,
    endLine: first.endPos.line,
    endColumn: first.endPos.column,
    message,
    ...(remedy ? { remedy } : {}),
    related: [
      ...(decl ? [{ path: decl.file, line: decl.v.pos.line, column: decl.v.pos.column, message: `'${decl.v.name}' is declared here` }] : []),
      ...related(others.filter((w) => w !== first), 0, what),
    ],
  });
}
