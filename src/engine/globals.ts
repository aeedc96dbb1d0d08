// The shared-state model of one file: file-scope and function-static variables, every write to them,
// and the Python entry points (method tables, type slots) and module-init roots that decide whether a
// write happens at run time. Serialisable: project rules merge it across files (extern globals).
import { CXX_MUTATING_MEMBERS } from '../data/cxx.js';
import { condsAt } from '../parse/lower.js';
import type { Lowered } from '../parse/lower.js';
import type { LineMap } from '../parse/source.js';
import { calleeName, callsNamed, functionName, lockSpans, protectedAt, referencedNotCalled, type CIndex, type DeclInfo, type FnInfo } from './c-index.js';
import { located, matchBrace, type Located } from './facts.js';
import { excludesFreeThreaded, isFreeThreadedOnly, onlyBefore313 } from './guards.js';

export type GlobalKind = 'object' | 'type' | 'buffer' | 'scalar' | 'table' | 'other';

export interface GlobalVar extends Located {
  name: string;
  /** Function name for a function-scope static, null at file scope. */
  fn: string | null;
  type: string;
  kind: GlobalKind;
  isStatic: boolean;
  isExtern: boolean;
  isConst: boolean;
  isThreadSafe: boolean;
  isArray: boolean;
  isPointer: boolean;
}

/** `addr`: the global's address is passed to a function that writes through that parameter (`f(&g)`). */
export type WriteKind = 'assign' | 'element' | 'field' | 'update' | 'copy' | 'parse' | 'setref' | 'addr';

export interface GlobalWrite extends Located {
  name: string;
  /** The function-static's function, or null when the name refers to a file-scope / extern global. */
  scopeFn: string | null;
  fn: string;
  kind: WriteKind;
  /** Lock / critical section / guard protecting the write, or null. */
  protectedBy: string | null;
  /** Compiled out of free-threaded builds (`#ifndef Py_GIL_DISABLED`), or only in them. */
  ftConditional: boolean;
  /** `if (x == NULL) x = …` — a lazily filled cache. */
  lazy: boolean;
  /** For static types: the write happens after `PyType_Ready(&x)` in the same function. */
  afterReady: boolean;
  /** `addr` writes: the function `&name` is passed to and the argument's position; kept only if it writes there. */
  via?: { callee: string; arg: number; expr: string };
}

/**
 * What one function does with its pointer parameters: the positions it writes through (`*p = …`, `p->f = …`,
 * `p[i]++`, `memcpy(p, …)`, `Py_SETREF(*p, …)`), and the calls it passes a parameter on to (callee, argument
 * position, parameter position), so that writes in helpers reach the caller's `&global` (project fixpoint).
 */
export interface ParamSummary {
  fn: string;
  writes: number[];
  forwards: [callee: string, arg: number, param: number][];
}

export interface GlobalFacts {
  vars: GlobalVar[];
  writes: GlobalWrite[];
  /** Functions named in method tables / type slots / getsets: reachable from Python. */
  pyEntry: string[];
  /** Functions named in `{Py_mod_exec, fn}` slots, and functions defined with PyMODINIT_FUNC. */
  execFns: string[];
  /** Module teardown (m_traverse/m_clear/m_free, Py_AtExit callbacks): not concurrent with module use. */
  teardownFns: string[];
  /** Names declared `extern` in this file: writes to them may resolve to another file's global. */
  externs: string[];
  /** The file defines `main`: a program, not an extension; its globals are not checked. */
  isProgram: boolean;
  /** Pointer-parameter summaries of the file's functions (only those that write or forward one). */
  params?: ParamSummary[];
  /**
   * Calls between named functions (not the C API), flat, 3 per call: caller, callee, 1 when a lock, critical
   * section or scoped guard is held at the call (else 0). The project derives which functions only ever run locked.
   */
  callSites?: (string | number)[];
}

const OBJECT_TYPE = /\b(PyObject|Py\w*Object|PyTypeObject)\b/;
const TABLE_TYPE =
  /\b(PyMethodDef|PyMemberDef|PyGetSetDef|PyModuleDef|PyModuleDef_Slot|PyType_Slot|PyType_Spec|PyNumberMethods|PySequenceMethods|PyMappingMethods|PyAsyncMethods|PyBufferProcs|PyStructSequence_Field|PyStructSequence_Desc|_PyArg_Parser|PyArg_Parser)\b/;
const ENTRY_TABLE = /\b(?:struct\s+)?(PyMethodDef|PyGetSetDef|PyType_Slot|PyTypeObject|PyNumberMethods|PySequenceMethods|PyMappingMethods|PyAsyncMethods|PyBufferProcs)\s+\w+\s*(?:\[[^\]]*\])?\s*=\s*\{/g;
const COPY_INTO = /^(memcpy|memmove|memset|strcpy|strncpy|strcat|strncat|sprintf|snprintf|vsprintf|vsnprintf|PyOS_snprintf|PyOS_vsnprintf|wcscpy|wcsncpy|wcscat|strftime|wcsftime|strlcpy|strlcat|fgets|read|fread|getcwd|realpath)$/;
const SETREF = /^(Py_SETREF|Py_XSETREF|Py_CLEAR)$/;
/** `x->insert`, `x.push_back`, …: a call's name when it changes a C++ standard container in place (group 1: the container). */
const CXX_CONTAINER_MUTATOR = new RegExp(`^(.+?)(?:->|\\.)(?:${CXX_MUTATING_MEMBERS.join('|')})$`);
const PARSE = /^(PyArg_Parse\w*|PyArg_UnpackTuple|sscanf|fscanf)$/;
const TEARDOWN = /(?:^|_)(clear|free|dealloc|fini|finali[sz]e|cleanup|teardown|traverse)(?:_|$)/i;
/** `if (!x)`, `if (x == NULL)`, `if (NULL == x)`, `if (x)`, `if (x != NULL)` (and `while`): the name checked is one of the groups. */
const NULL_CHECK = /\b(?:if|while)\s*\(\s*(?:!\s*(\w+)\b|(\w+)\s*==\s*(?:NULL|0|nullptr)\b|(?:NULL|0|nullptr)\s*==\s*(\w+)\b|(\w+)\s*(?:!=\s*(?:NULL|0|nullptr))?\s*\))/g;
/** tree-sitter occasionally takes `else if (…) {` after a macro for a function definition named `if`. */
const KEYWORD_FN = /^(if|else|while|for|switch|return|sizeof|do|case)$/;

/**
 * `at` lies in the branch taken when the `PyType_Ready` call at [callStart, callEnd) failed:
 * `if (PyType_Ready(&T) < 0) { T.tp_base = NULL; … }` undoes a failed readying, the type is not in use.
 */
function inReadyFailureBranch(code: string, callStart: number, callEnd: number, at: number): boolean {
  if (!/\bif\s*\(\s*$/.test(code.slice(Math.max(0, callStart - 12), callStart))) return false;
  const m = /^\s*(?:<\s*0|!=\s*0|==\s*-1)?\s*\)\s*/.exec(code.slice(callEnd, callEnd + 40));
  if (!m) return false;
  const body = callEnd + m[0].length;
  if (code[body] === '{') {
    const close = matchBrace(code, body);
    return close !== -1 && at > body && at < close;
  }
  const semi = code.indexOf(';', body);
  return semi !== -1 && at >= body && at < semi;
}

function kindOf(d: DeclInfo): GlobalKind {
  if (TABLE_TYPE.test(d.type)) return 'table';
  if (/\bPyTypeObject\b/.test(d.type) && !d.isPointer) return 'type';
  if (OBJECT_TYPE.test(d.type) && d.isPointer) return 'object';
  const base = d.type.replace(/\b(static|extern|const|volatile|register|unsigned|signed)\b/g, ' ').trim();
  if (d.isArray && !d.isPointer && /^(char|wchar_t|Py_UCS[124]|int|long|long long|short|double|float|u?int\d+_t|size_t|Py_ssize_t|BYTE|TCHAR|WCHAR|)$/.test(base.replace(/\s+/g, ' '))) return 'buffer';
  if (!d.isArray && /^(?:(?:static|extern|volatile|unsigned|signed|register)\s+)*(?:char|short|int|long|long long|float|double|_Bool|bool|size_t|ssize_t|Py_ssize_t|Py_hash_t|u?int\d*_t|uintptr_t|intptr_t|Py_UCS[124]|time_t|pid_t|unsigned|signed|[A-Za-z_]\w*)(?:\s+(?:int|long|char|short))*$/.test(d.type)) return 'scalar';
  return 'other';
}

/** Root identifier of an lvalue: `x`, `x[i]`, `x.f`, `x->f`, `(*x)`, `*x`. */
export function lvalueRoot(lhs: string): { root: string; kind: WriteKind } | null {
  const t = lhs.replace(/\s+/g, '');
  // C++ qualified names (`Registry::count`, `::g`) are one root, as their definitions name them.
  const m = /^[(*]*(?:::)?([A-Za-z_]\w*(?:::[A-Za-z_]\w*)*)/.exec(t);
  if (!m) return null;
  const root = m[1] as string;
  const rest = t.slice((m.index ?? 0) + m[0].length).replace(/^\)+/, '');
  if (rest === '') return { root, kind: t.startsWith('*') ? 'field' : 'assign' };
  if (rest.startsWith('[')) return { root, kind: 'element' };
  if (rest.startsWith('.') || rest.startsWith('->')) return { root, kind: 'field' };
  return null;
}

// Separate functions and a class rather than one function with closures: V8 optimises each part on its own
// when it is hot, and one large function cost its optimising compiler ~100 ms per thread (--trace-opt).
export function extractGlobals(code: string, lowered: Lowered, index: CIndex, lines: LineMap): GlobalFacts {
  const scopes = scopesOf(index);
  const vars = globalVars(index, lines, scopes);
  const writes = new WriteScan(code, lowered, index, lines, scopes).run();
  const params = paramSummaries(code, index);
  const callSites = lockedCallSites(code, lowered, index);
  return { vars, writes, ...entryPoints(code, lowered, index), ...(params.length ? { params } : {}), ...(callSites.length ? { callSites } : {}) };
}

interface Scopes {
  /** Locals (and params) per function, which shadow globals of the same name. */
  locals: Map<number, Set<string>>;
  statics: Map<number, Map<string, DeclInfo>>;
  fileScope: Map<string, DeclInfo>;
}

function scopesOf(index: CIndex): Scopes {
  const locals = new Map<number, Set<string>>();
  const statics = new Map<number, Map<string, DeclInfo>>();
  const fileScope = new Map<string, DeclInfo>();
  index.functions.forEach((f, i) => locals.set(i, new Set(f.params.map((p) => p.name))));
  for (const d of index.decls) {
    if (d.fn >= 0) {
      if (d.isStatic && !d.isExtern) {
        let m = statics.get(d.fn);
        if (!m) statics.set(d.fn, (m = new Map()));
        m.set(d.name, d);
      } else if (!d.isExtern) locals.get(d.fn)?.add(d.name);
    } else if (!fileScope.has(d.name) || !d.isExtern) fileScope.set(d.name, d);
  }
  return { locals, statics, fileScope };
}

function globalVars(index: CIndex, lines: LineMap, { fileScope }: Scopes): GlobalVar[] {
  const vars: GlobalVar[] = [];
  for (const d of index.decls) {
    if (d.fn >= 0 && !(d.isStatic && !d.isExtern)) continue;
    if (d.fn < 0 && fileScope.get(d.name) !== d) continue;
    // Never reported, and not needed to resolve writes: keep them out of the facts that cross threads.
    if (d.isExtern || d.isConst || d.isThreadSafe || kindOf(d) === 'table') continue;
    // A function prototype the index took for a variable (`static PyObject *\nname(T a, U b);`).
    if (/^[\s*]*\w+\s*\(/.test(d.declarator) && !/^\s*\(\s*\*/.test(d.declarator)) continue;
    vars.push({
      ...located(lines, d.nameStart, d.nameStart + d.name.length),
      name: d.name,
      fn: d.fn >= 0 ? functionName(index, d.fn) : null,
      type: d.type,
      kind: kindOf(d),
      isStatic: d.isStatic,
      isExtern: d.isExtern,
      isConst: d.isConst,
      isThreadSafe: d.isThreadSafe,
      isArray: d.isArray,
      isPointer: d.isPointer,
    });
  }
  return vars;
}

/** Every write to a name that can be a global: assignments, updates, copies into it, Py_SETREF, PyArg_Parse outputs. */
class WriteScan {
  private readonly writes: GlobalWrite[] = [];
  private readonly spans: ReturnType<typeof lockSpans>;
  private readonly readySites: CIndex['calls'];
  /**
   * Where the first `if (!x)`, `if (x == NULL)`, `if (x)`, … in a function ends, per name: one scan per function
   * (not a search of the body before every write). A write after such a check fills a lazy cache.
   */
  private readonly nullChecks = new Map<number, Map<string, number>>();

  constructor(
    private readonly code: string,
    private readonly lowered: Lowered,
    private readonly index: CIndex,
    private readonly lines: LineMap,
    private readonly scopes: Scopes,
  ) {
    this.spans = lockSpans(index);
    this.readySites = index.calls.filter((c) => c.name === 'PyType_Ready' || c.name === 'PyType_ReadyStatic');
  }

  run(): GlobalWrite[] {
    const index = this.index;
    for (const a of index.assigns) {
      if (a.isInit || a.fn < 0) continue;
      const lv = lvalueRoot(a.lhs);
      if (!lv) continue;
      this.add(a.fn, lv.root, a.op === '=' ? lv.kind : lv.kind === 'assign' ? 'update' : lv.kind, a.start, a.end);
    }
    for (const u of index.updates) {
      const lv = lvalueRoot(u.target);
      if (lv) this.add(u.fn, lv.root, lv.kind === 'assign' ? 'update' : lv.kind, u.start, u.end);
    }
    for (const c of index.calls) {
      if (c.fn < 0) continue;
      // C++ containers change through their members: `cache->insert(…)`, `Registry::entries.erase(k)`.
      const member = CXX_CONTAINER_MUTATOR.exec(c.name);
      if (member) {
        const lv = lvalueRoot(member[1] as string);
        if (lv) this.add(c.fn, lv.root, 'element', c.start, c.end);
        continue;
      }
      if (COPY_INTO.test(c.name) && c.args[0]) {
        const lv = lvalueRoot(c.args[0].text.replace(/^&/, '').replace(/\s*\+.*$/, ''));
        if (lv) this.add(c.fn, lv.root, 'copy', c.start, c.end);
      } else if (SETREF.test(c.name) && c.args[0]) {
        if (c.name === 'Py_CLEAR' && TEARDOWN.test(functionName(index, c.fn))) continue;
        const lv = lvalueRoot(c.args[0].text);
        if (lv) this.add(c.fn, lv.root, lv.kind === 'assign' ? 'setref' : lv.kind, c.start, c.end);
      } else if (PARSE.test(c.name)) {
        for (const a of c.args.slice(1)) {
          const m = /^&\s*([A-Za-z_]\w*)$/.exec(a.text.trim());
          if (m) this.add(c.fn, m[1] as string, 'parse', c.start, c.end);
        }
      } else {
        // `f(&g)`: a write if f writes through that parameter (decided with the project's summaries).
        const callee = calleeName(c.name);
        if (!callee) continue;
        c.args.forEach((a, i) => {
          const m = ADDR_OF.exec(a.text);
          if (!m) return;
          const decl = this.scopes.statics.get(c.fn)?.get(m[1] as string) ?? this.scopes.fileScope.get(m[1] as string);
          if (decl && (TABLE_TYPE.test(decl.type) || /\bPyTypeObject\b/.test(decl.type))) return;
          this.add(c.fn, m[1] as string, 'addr', c.start, c.end, { callee, arg: i, expr: `&${(m[1] as string) + (m[2] ?? '').replace(/\s+/g, '')}` });
        });
      }
    }
    return this.writes;
  }

  /** Resolves a name used in function `fn` to a global: a function-static, else (unless shadowed) file scope/extern. */
  /**
   * C++ names as the file declares them: `state::counter` for a `counter` declared in `namespace state`, and `count`
   * written in a member function of `Registry` for `Registry::count` (when exactly one such class static exists).
   */
  private cxxName(fn: number, name: string): string {
    const { fileScope, locals, statics } = this.scopes;
    if (fileScope.has(name) || locals.get(fn)?.has(name) || statics.get(fn)?.has(name)) return name;
    if (name.includes('::')) {
      const last = name.slice(name.lastIndexOf('::') + 2);
      return fileScope.has(last) ? last : name;
    }
    let qualified = this.byLastSegment;
    if (!qualified) {
      qualified = new Map();
      for (const k of fileScope.keys()) {
        if (!k.includes('::')) continue;
        const last = k.slice(k.lastIndexOf('::') + 2);
        qualified.set(last, qualified.has(last) ? '' : k);
      }
      this.byLastSegment = qualified;
    }
    return qualified.get(name) || name;
  }

  private byLastSegment: Map<string, string> | null = null;

  private resolve(fn: number, name: string): { scopeFn: string | null } | null {
    const { statics, locals, fileScope } = this.scopes;
    if (statics.get(fn)?.has(name)) return { scopeFn: functionName(this.index, fn) };
    if (locals.get(fn)?.has(name)) return null;
    const fs = fileScope.get(name);
    if (fs) return fs.isThreadSafe || fs.isConst ? null : { scopeFn: null };
    // Not declared in this file: maybe a global of another file (resolved at project level).
    return { scopeFn: null };
  }

  private firstNullCheckEnd(fn: number, f: FnInfo, name: string): number {
    let ends = this.nullChecks.get(fn);
    if (!ends) {
      ends = new Map();
      const body = this.code.slice(f.bodyStart, f.end);
      NULL_CHECK.lastIndex = 0;
      for (let m = NULL_CHECK.exec(body); m; m = NULL_CHECK.exec(body)) {
        const checked = (m[1] ?? m[2] ?? m[3] ?? m[4]) as string;
        if (!ends.has(checked)) ends.set(checked, f.bodyStart + m.index + m[0].length);
      }
      this.nullChecks.set(fn, ends);
    }
    return ends.get(name) ?? Infinity;
  }

  private add(fn: number, rawName: string, kind: WriteKind, start: number, end: number, via?: GlobalWrite['via']): void {
    const { index, code, lowered } = this;
    const name = this.cxxName(fn, rawName);
    if (fn < 0 || KEYWORD_FN.test(functionName(index, fn))) return;
    const r = this.resolve(fn, name);
    if (!r) return;
    const st = this.scopes.statics.get(fn)?.get(name);
    if (st && (st.isThreadSafe || st.isConst)) return;
    const f = index.functions[fn];
    const lazy = kind === 'assign' && f !== undefined && this.firstNullCheckEnd(fn, f, name) <= start;
    const conds = condsAt(lowered.conds, start).map((c) => c.cond);
    this.writes.push({
      ...located(this.lines, start, end),
      name,
      scopeFn: r.scopeFn,
      fn: functionName(index, fn),
      kind,
      protectedBy: protectedAt(index, this.spans, lowered.regions, code, fn, start),
      ftConditional: conds.some((c) => excludesFreeThreaded(c) || isFreeThreadedOnly(c)) || onlyBefore313(conds),
      lazy,
      afterReady: this.readySites.some(
        (c) =>
          c.fn === fn &&
          c.end <= start &&
          !inReadyFailureBranch(code, c.start, c.end, start) &&
          (c.args[0]?.text ?? '').replace(/[&\s()]/g, '').replace(/^\w+\*/, '') === name,
      ),
      ...(via ? { via } : {}),
    });
  }
}

/** `&g`, `&g.field`, `&g.a.b`: the address of a global or of a field in it. */
const ADDR_OF = /^\s*&\s*([A-Za-z_]\w*)((?:\s*\.\s*[A-Za-z_]\w*|\s*\[[^\]]*\])*)\s*$/;
/** ParamSummary for each function with a pointer parameter that it writes through or passes on. */
function paramSummaries(code: string, index: CIndex): ParamSummary[] {
  const out: ParamSummary[] = [];
  const byFn = new Map<number, { writes: Set<number>; forwards: [string, number, number][] }>();
  // Every parameter: only a pointer (or array) can be written through (`*p`, `p->f`, `p[i]`), so the write itself
  // says which are pointers (the index keeps parameter types without their stars).
  // Only functions whose parameters were all read, in order: a position must mean the caller's argument position.
  const pointerParams = index.functions.map((f) => (paramCount(code, f) === f.params.length ? new Map(f.params.map((p, i) => [p.name, i] as const)) : new Map<string, number>()));
  const entry = (fn: number) => {
    let e = byFn.get(fn);
    if (!e) byFn.set(fn, (e = { writes: new Set(), forwards: [] }));
    return e;
  };
  const through = (fn: number, lhs: string) => {
    const lv = lvalueRoot(lhs);
    if (!lv || lv.kind === 'assign') return;
    const i = pointerParams[fn]?.get(lv.root);
    if (i !== undefined) entry(fn).writes.add(i);
  };
  for (const a of index.assigns) if (a.fn >= 0 && !a.isInit) through(a.fn, a.lhs);
  for (const u of index.updates) if (u.fn >= 0) through(u.fn, u.target);
  for (const c of index.calls) {
    if (c.fn < 0 || (pointerParams[c.fn]?.size ?? 0) === 0) continue;
    if ((COPY_INTO.test(c.name) || SETREF.test(c.name)) && c.args[0]) {
      const t = c.args[0].text.trim();
      const i = pointerParams[c.fn]?.get(t.replace(/^[*(&\s]+/, '').replace(/[)\s]+$/, '').split(/->|\.|\[/)[0] ?? '');
      if (i !== undefined && (COPY_INTO.test(c.name) || /^\*|->|\[/.test(t))) entry(c.fn).writes.add(i);
      continue;
    }
    const callee = calleeName(c.name);
    if (!callee) continue;
    c.args.forEach((a, k) => {
      const i = pointerParams[c.fn]?.get(a.text.trim());
      if (i !== undefined) entry(c.fn).forwards.push([callee, k, i]);
    });
  }
  for (const [fn, e] of byFn) {
    if (e.writes.size === 0 && e.forwards.length === 0) continue;
    out.push({ fn: functionName(index, fn), writes: [...e.writes], forwards: e.forwards });
  }
  return out;
}

/** Names declared `extern` at file scope in the code view: `[MACRO] extern T [*]name[[…]];` (no functions). */
function textExterns(code: string): string[] {
  const out: string[] = [];
  const re = /^[ \t]*(?:[A-Z_][A-Z0-9_]*(?:\([^()\n]*\))?[ \t]+)*extern[ \t]+(?!"C")[^;{}()=\n]*?\b([A-Za-z_]\w*)[ \t]*(?:\[[^\]\n]*\][ \t]*)*;/gm;
  for (let m = re.exec(code); m; m = re.exec(code)) out.push(m[1] as string);
  return out;
}

/** Parameters in a definition's head, counted at the top level of its last parenthesised list (`(void)`: 0); -1 if unreadable. */
function paramCount(code: string, f: FnInfo): number {
  const head = code.slice(f.start, f.bodyStart);
  const close = head.lastIndexOf(')');
  if (close < 0) return -1;
  let depth = 0;
  let commas = 0;
  let open = -1;
  for (let k = close; k >= 0; k--) {
    const ch = head[k];
    if (ch === ')') depth++;
    else if (ch === '(' && --depth === 0) {
      open = k;
      break;
    } else if (ch === ',' && depth === 1) commas++;
  }
  if (open < 0) return -1;
  const inner = head.slice(open + 1, close).trim();
  return inner === '' || inner === 'void' ? 0 : commas + 1;
}

/** Calls to named (non C-API) functions, with whether a lock is held there: see `GlobalFacts.callSites`. */
function lockedCallSites(code: string, lowered: Lowered, index: CIndex): (string | number)[] {
  const out: (string | number)[] = [];
  const spans = lockSpans(index);
  for (const c of index.calls) {
    if (c.fn < 0) continue;
    const callee = calleeName(c.name);
    if (!callee || /^(?:_?Py|PY_|Py_)/.test(callee) || KEYWORD_FN.test(callee)) continue;
    out.push(functionName(index, c.fn), callee, protectedAt(index, spans, lowered.regions, code, c.fn, c.start) !== null ? 1 : 0);
  }
  // Calls nobody can see as locked: a function whose address is taken (a callback, a thread's start routine), and
  // one a macro calls (its uses are not followed).
  // (From the index, not a scan of every word: arguments, right-hand sides and initializers that name a function.)
  const own = new Set(index.functions.map((f) => f.name));
  const taken = new Set<string>();
  const named = (t: string) => {
    const n = t.trim().replace(/^\([^()]*\)\s*/, '').replace(/^&\s*/, '');
    if (own.has(n)) taken.add(n);
  };
  for (const c of index.calls) for (const a of c.args) if (a.text.length < 80) named(a.text);
  for (const a of index.assigns) if (a.rhs.length < 80) named(a.rhs.replace(/;$/, ''));
  for (const d of index.decls) if (d.initializer) for (const w of d.initializer.match(/[A-Za-z_]\w*/g) ?? []) if (own.has(w)) taken.add(w);
  for (const name of taken) out.push('', name, 0);
  for (const d of lowered.defines) {
    if (!d.body.includes('(')) continue;
    for (const m of d.body.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
      const name = m[1] as string;
      // Functions only (not other macros in capitals, not the C API), defined here or anywhere in the project.
      if (own.has(name) || (!/^[A-Z0-9_]+$/.test(name) && !/^(?:_?Py|PY_|Py_)/.test(name) && !KEYWORD_FN.test(name))) out.push('', name, 0);
    }
  }
  return out;
}

/** Python entry points and module exec functions, read from the tables' initializers; teardown functions; externs. */
function entryPoints(code: string, lowered: Lowered, index: CIndex): Omit<GlobalFacts, 'vars' | 'writes'> {
  const pyEntry = new Set<string>();
  const execFns = new Set<string>();
  ENTRY_TABLE.lastIndex = 0;
  for (let m = ENTRY_TABLE.exec(code); m; m = ENTRY_TABLE.exec(code)) {
    const open = m.index + m[0].length - 1;
    const close = matchBrace(code, open);
    if (close === -1) continue;
    for (const id of code.slice(open, close).match(/[A-Za-z_]\w*/g) ?? []) pyEntry.add(id);
  }
  const execRe = /\{\s*Py_mod_exec\s*,\s*(?:\([^)]*\)\s*)?&?\s*(?:\w+::)*([A-Za-z_]\w*)\s*\}/g;
  for (let m = execRe.exec(code); m; m = execRe.exec(code)) execFns.add(m[1] as string);
  for (const f of index.functions) if (lowered.modinit.includes(f.start)) execFns.add(f.name);
  const teardownFns = new Set<string>();
  for (const c of index.calls) {
    if (c.name === 'Py_AtExit' || c.name === 'atexit') {
      const t = (c.args[0]?.text ?? '').replace(/^&/, '');
      if (/^[A-Za-z_]\w*$/.test(t)) teardownFns.add(t);
    }
  }
  // Keep names that can be functions; macros (METH_VARARGS) and C-API names (PyCFunction) cannot.
  return {
    pyEntry: [...pyEntry].filter((n) => !/^[A-Z0-9_]+$/.test(n) && !/^_?Py[A-Z]/.test(n)),
    execFns: [...execFns],
    teardownFns: [...teardownFns],
    // From the index, and from the text for declarations the parser could not read (`MACRO extern T name;`).
    externs: [...new Set([...index.decls.filter((d) => d.isExtern).map((d) => d.name), ...textExterns(code)])],
    isProgram: index.functions.some((f) => f.name === 'main' || f.name === 'wmain'),
  };
}

/**
 * Functions of this file that run only while the module initialises: `PyInit_*`/`PyMODINIT_FUNC`
 * functions, `Py_mod_exec` slot functions, and static functions called only from those (never
 * referenced as a pointer). A file-local approximation of the project-wide model in rules/_globals.ts,
 * for file rules.
 */
export function initOnlyFunctions(code: string, lowered: Lowered, index: CIndex): Set<number> {
  const init = new Set<number>();
  const execNames = new Set<string>();
  const execRe = /\{\s*Py_mod_exec\s*,\s*(?:\([^)]*\)\s*)?&?\s*(?:\w+::)*([A-Za-z_]\w*)\s*\}/g;
  for (let m = execRe.exec(code); m; m = execRe.exec(code)) execNames.add(m[1] as string);
  index.functions.forEach((f, i) => {
    if (/^PyInit_/.test(f.name) || execNames.has(f.name) || lowered.modinit.includes(f.start)) init.add(i);
  });
  const referenced = referencedNotCalled(index, code);
  for (let changed = true; changed; ) {
    changed = false;
    index.functions.forEach((f, i) => {
      if (init.has(i) || !f.isStatic) return;
      const calls = callsNamed(index, f.name);
      if (calls.length === 0 || !calls.every((c) => init.has(c.fn))) return;
      if (referenced.has(f.name)) return; // address taken
      init.add(i);
      changed = true;
    });
  }
  return init;
}
