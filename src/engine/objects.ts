// Extension types and their per-object state: structs that start with PyObject_HEAD, the functions
// that receive such an object as `self`, and every access to `self->field` with whether a critical
// section, lock or atomic protects it. Serialisable: the FT409 project rule joins structs declared in
// headers with methods defined in .c files.
import { CXX_MUTATING_MEMBERS, CXX_OWNER_MEMBERS, CXX_READING_MEMBERS } from '../data/cxx.js';
import type { Node } from '../parse/parser.js';
import type { Lowered } from '../parse/lower.js';
import type { LineMap } from '../parse/source.js';
import { calleeName, lockSpans, normObject, protectedAt, regionsAt, type AssignInfo, type CallInfo, type CIndex, type DeclInfo, type FnInfo } from './c-index.js';
import { pushTo } from './group.js';

export interface ObjectStruct {
  /** Typedef names and `struct` tag of the struct. */
  names: string[];
  /** Field names and types, flat: name, type, name, type, … (see `structFields`). */
  fields: string[];
  /** Name of the first field's type when it is another object struct (inheritance), e.g. `BaseObject`. */
  base: string | null;
}

/** An access to `self->field` that no critical section, lock or atomic protects (1-based position). */
export interface FieldAccess {
  field: string;
  write: boolean;
  line: number;
  column: number;
}

/** A function taking an object as `self`, as `forEachSelfFunction` reads it back from ObjectFacts. */
export interface SelfFunction {
  /** Position among all functions visited in one pass (the same in every pass over the same facts). */
  id: number;
  name: string;
  /** Struct type of `self` (typedef or tag name). */
  selfType: string;
  /** The variable that holds it, as written (`self`, `decoder`, …). */
  selfVar: string;
  /**
   * Whether it is the first parameter (or a cast of it): what a caller's `f(obj, …)` binds. Otherwise an object the function
   * receives another way — a later parameter, a cast of one, or one `PyArg_Parse*` fills (`count_n(module, args)` → `a`).
   */
  bound: boolean;
  /** Fields the function writes (under a lock or not): what makes a field mutable. */
  writes: string[];
  /** Unprotected accesses only (every write, the first reads): what can be reported. Decoded when asked for. */
  accesses(): FieldAccess[];
  /** Calls that pass `self` on to another function. Decoded when asked for. */
  calls(): SelfCall[];
}

/** A call that passes the object on: `resize(self, n)`, `foo_impl((FooObject *)self, …)` (positioned as FieldAccess is). */
export interface SelfCall {
  callee: string;
  /** Argument position that receives the object. */
  arg: number;
  line: number;
  column: number;
  /** Under a critical section on the object, or a lock, at the call. */
  protected: boolean;
}

/** Unprotected reads kept per function: enough to report the first ones and list related locations. */
const MAX_OPEN_READS = 40;

export interface ObjectFacts {
  structs: ObjectStruct[];
  /**
   * Functions taking an object as `self`, flat (a large project has hundreds of thousands, and one object per
   * function and per access was most of its facts' memory): for each, its name, the struct type of `self` ('' when
   * it is an untyped `PyObject *self` only passed on), the variable holding it, 'self' or 'arg' (`bound`), the fields it writes, '', the fields
   * of its unprotected accesses, '', the functions it passes `self` to, ''. Read with `forEachSelfFunction`.
   */
  functions: string[];
  /** Two numbers per unprotected access, in the order of `functions`: line, and column * 2 + 1 for a write (+ 0 for a read). */
  accessAt: number[];
  /** Three numbers per call passing `self` on, in the order of `functions`: line, column * 2 + 1 when protected, argument position. */
  callAt: number[];
  /** Functions named in allocation/teardown slots (tp_new, tp_alloc, tp_dealloc, tp_clear, tp_traverse, …). */
  lifecycle: string[];
  /** Functions named in tp_init slots. */
  initFns: string[];
  /** `Type.field` of fields that hold a C++ standard container, seen used through its members (`self->m->find(k)`). */
  containerFields?: string[];
  /** Functions named in method and getset tables (`{"clear", (PyCFunction)bitarray_clear, …}`): Python methods, whatever their name. */
  methods: string[];
}

/** The (name, type) pairs of a struct's fields. */
export function structFields(s: ObjectStruct): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < s.fields.length; i += 2) out.push([s.fields[i] as string, s.fields[i + 1] as string]);
  return out;
}

class FlatSelfFunction implements SelfFunction {
  constructor(
    readonly id: number,
    readonly name: string,
    readonly selfType: string,
    readonly selfVar: string,
    readonly bound: boolean,
    readonly writes: string[],
    private readonly facts: ObjectFacts,
    /** Index in `functions` of the first access's field, and in `accessAt` of its line. */
    private readonly field0: number,
    private readonly at0: number,
    private readonly count: number,
    private readonly callee0: number,
    private readonly call0: number,
    private readonly callCount: number,
  ) {}

  calls(): SelfCall[] {
    const out: SelfCall[] = [];
    const { functions: f, callAt: at } = this.facts;
    for (let k = 0; k < this.callCount; k++) {
      const cp = at[this.call0 + 3 * k + 1] as number;
      out.push({ callee: f[this.callee0 + k] as string, line: at[this.call0 + 3 * k] as number, column: cp >> 1, protected: (cp & 1) === 1, arg: at[this.call0 + 3 * k + 2] as number });
    }
    return out;
  }

  accesses(): FieldAccess[] {
    const out: FieldAccess[] = [];
    const { functions: f, accessAt: at } = this.facts;
    for (let k = 0; k < this.count; k++) {
      const cw = at[this.at0 + 2 * k + 1] as number;
      out.push({ field: f[this.field0 + k] as string, line: at[this.at0 + 2 * k] as number, column: cw >> 1, write: (cw & 1) === 1 });
    }
    return out;
  }
}

/**
 * Calls `visit` with each function of each file's ObjectFacts whose `self` type passes `want` (read before
 * anything else is decoded). The records are fresh for every pass; `id` identifies a function across passes.
 */
export function forEachSelfFunction(
  files: readonly { path: string; objects?: ObjectFacts }[],
  want: (selfType: string) => boolean,
  visit: (fn: SelfFunction, path: string) => void,
): void {
  let id = 0;
  for (const file of files) {
    const o = file.objects;
    if (!o) continue;
    const f = o.functions;
    let i = 0;
    let at = 0;
    let callAt = 0;
    while (i < f.length) {
      const selfType = f[i + 1] as string;
      let w = i + 4;
      while (f[w] !== '') w++;
      let a = w + 1;
      while (f[a] !== '') a++;
      const n = a - w - 1;
      let c = a + 1;
      while (f[c] !== '') c++;
      const nc = c - a - 1;
      if (want(selfType)) {
        visit(new FlatSelfFunction(id, f[i] as string, selfType, f[i + 2] as string, f[i + 3] === 'self', f.slice(i + 4, w), o, w + 1, at, n, a + 1, callAt, nc), file.path);
      }
      id++;
      at += 2 * n;
      callAt += 3 * nc;
      i = c + 1;
    }
  }
}

const LIFECYCLE_SLOTS = /^(tp_new|tp_alloc|tp_dealloc|tp_clear|tp_traverse|tp_finalize|tp_free|tp_del|tp_is_gc)$/;
const LIFECYCLE_NAME = /(?:^|_)(new|alloc|dealloc|clear|traverse|finalize|finalise|free|del|destroy|gc_traverse)$/i;
// Positional PyTypeObject initializer fields after the head: their index → slot name.
const TYPE_FIELDS = [
  'tp_name', 'tp_basicsize', 'tp_itemsize', 'tp_dealloc', 'tp_vectorcall_offset', 'tp_getattr', 'tp_setattr', 'tp_as_async',
  'tp_repr', 'tp_as_number', 'tp_as_sequence', 'tp_as_mapping', 'tp_hash', 'tp_call', 'tp_str', 'tp_getattro', 'tp_setattro',
  'tp_as_buffer', 'tp_flags', 'tp_doc', 'tp_traverse', 'tp_clear', 'tp_richcompare', 'tp_weaklistoffset', 'tp_iter',
  'tp_iternext', 'tp_methods', 'tp_members', 'tp_getset', 'tp_base', 'tp_dict', 'tp_descr_get', 'tp_descr_set',
  'tp_dictoffset', 'tp_init', 'tp_alloc', 'tp_new', 'tp_free', 'tp_is_gc', 'tp_bases', 'tp_mro', 'tp_cache', 'tp_subclasses',
  'tp_weaklist', 'tp_del', 'tp_version_tag', 'tp_finalize', 'tp_vectorcall',
];
/** Fields the runtime manages or that are synchronisation objects themselves. */
const SKIP_FIELD_TYPE = /\b(PyMutex|_Atomic|atomic_\w+|std::atomic|PyThread_type_lock|pthread_mutex_t|Py_tss_t)\b/;
const SKIP_FIELD_NAME = /^(weakreflist|in_weakreflist|dict|ob_base|ob|vectorcall)$/;
const WRITER_CALL = /\b(Py_X?SETREF|Py_CLEAR|memcpy|memmove|memset|strcpy|strncpy|PyArg_Parse\w*)\s*\(\s*(?:[^,()]*,\s*)*&?\s*$/;

/** `v->field` (and `&v->field`) for a variable name; compiled once per name (it is nearly always `self`). */
/** A regex per variable name, compiled once per name (it is nearly always `self`) and rewound for each use. */
function perVarRe(cache: Map<string, RegExp>, v: string, source: (v: string) => string): RegExp {
  let re = cache.get(v);
  if (!re) {
    if (cache.size > 256) cache.clear();
    re = new RegExp(source(v), 'g');
    cache.set(v, re);
  }
  re.lastIndex = 0;
  return re;
}

/** `v->field` (and `&v->field`). */
const accessRes = new Map<string, RegExp>();
const fieldAccessRe = (v: string) => perVarRe(accessRes, v, (x) => `(&\\s*)?\\b${x}\\s*->\\s*(\\w+)`);
/** `Py_SIZE(v)`, `Py_SET_SIZE(v, n)`, with or without a cast. */
const sizeRes = new Map<string, RegExp>();
const sizeAccessRe = (v: string) =>
  perVarRe(sizeRes, v, (x) => `\\b(Py_SIZE|Py_SET_SIZE)\\s*\\(\\s*(?:\\([^()]*\\)\\s*)?(?:\\(\\s*${x}\\s*\\)|${x})\\s*[,)]`);

/** `(T *)p` or `(struct T *)(p)`: the type and the variable cast. */
const CAST_OF = /^\(\s*(?:struct\s+)?(\w+)\s*\*\s*\)\s*\(?\s*(\w+)\s*\)?$/;
const castOf = (expr: string) => CAST_OF.exec(expr.trim());

// Separate functions rather than one with closures: V8 optimises each part on its own when it is hot, and the
// one large function cost its optimising compiler ~50 ms per thread (--trace-opt).
export function extractObjects(code: string, lowered: Lowered, index: CIndex, lines: LineMap): ObjectFacts {
  const structs = objectStructs(index);
  const { lifecycle, initFns } = lifecycleFunctions(code);
  const containerFields = new Set<string>();
  const { functions, accessAt, callAt } = selfFunctions(code, lowered, index, lines, containerFields);
  return {
    structs,
    functions,
    accessAt,
    callAt,
    lifecycle,
    initFns,
    methods: methodFunctions(code),
    ...(containerFields.size ? { containerFields: [...containerFields] } : {}),
  };
}

/** Structs that start with an object header (or, `base`, with another struct: resolved at project level). */
function objectStructs(index: CIndex): ObjectStruct[] {
  const structs: ObjectStruct[] = [];
  const byNode = new Map<number, ObjectStruct>();
  const nodes = index.structNodes;
  // Structs first: a typedef comes before its struct in document order.
  for (const node of [...nodes.filter((n) => n?.type === 'struct_specifier'), ...nodes.filter((n) => n?.type === 'type_definition')]) {
    if (!node) continue;
    if (node.type === 'struct_specifier') {
      const body = node.childForFieldName('body');
      if (!body) continue;
      const fieldsDecl = body.namedChildren.filter((c): c is Node => c !== null && c.type === 'field_declaration');
      // C++: `struct CMessage : public ContainerBase { … }` extends its base class like a first member would.
      const baseClass = node.namedChildren.find((c) => c?.type === 'base_class_clause')?.namedChildren.find((c) => c?.type === 'type_identifier' || c?.type === 'qualified_identifier');
      const first = fieldsDecl[0];
      if (!first && !baseClass) continue;
      const headType = first?.childForFieldName('type')?.text ?? '';
      const headName = first?.childForFieldName('declarator')?.text ?? '';
      const isHead = (t: string, n: string) => /^(PyObject|PyVarObject|PyObject_HEAD|PyObject_VAR_HEAD)$/.test(t) && !/^\*/.test(n);
      const baseName = baseClass?.text.replace(/^.*::/, '') ?? '';
      // An object header as the first member wins (`struct C : NonCopyable { PyObject_HEAD … }`); else a base class
      // that is an object (`struct C : PyObject`) or may be one (resolved at project level).
      const isObject = isHead(headType, headName) || /^(PyObject|PyVarObject)$/.test(baseName);
      const firstType = isObject ? 'PyObject' : baseClass ? baseName : headType;
      const firstName = isObject || baseClass ? '' : headName;
      const fields = fieldsDecl.flatMap((f) => {
        const type = f.childForFieldName('type')?.text ?? '';
        return f.childrenForFieldName('declarator').filter((d): d is Node => d !== null).flatMap((d) => [d.text.replace(/^[*\s]+/, '').replace(/\[.*$/, ''), type]);
      });
      const tag = node.childForFieldName('name')?.text;
      const st: ObjectStruct = { names: tag ? [tag] : [], fields, base: isObject ? null : /^\w+$/.test(firstType) && !/^\*/.test(firstName) ? firstType : '' };
      if (isObject || st.base) {
        structs.push(st);
        byNode.set(node.startIndex, st);
      }
    } else {
      const type = node.childForFieldName('type');
      const st = type ? byNode.get(type.startIndex) : undefined;
      if (!st) continue;
      for (const d of node.childrenForFieldName('declarator')) if (d && d.type === 'type_identifier') st.names.push(d.text);
    }
  }
  // `base: ''` marks a struct whose first field is not an object header: kept only if resolved later (project level).
  return structs.filter((s) => s.base !== '' && s.names.length > 0);
}

/** Functions named in the type slots that allocate, initialise or tear down objects. */
function lifecycleFunctions(code: string): { lifecycle: string[]; initFns: string[] } {
  const lifecycle = new Set<string>();
  const initFns = new Set<string>();
  const slotRe = /\{\s*Py_(tp_\w+)\s*,\s*(?:\([^)]*\)\s*)?&?\s*(\w+)\s*\}/g;
  for (let m = slotRe.exec(code); m; m = slotRe.exec(code)) {
    if (LIFECYCLE_SLOTS.test(m[1] as string)) lifecycle.add(m[2] as string);
    if (m[1] === 'tp_init') initFns.add(m[2] as string);
  }
  const desigRe = /\.(tp_\w+)\s*=\s*(?:\([^)]*\)\s*)?&?\s*(\w+)/g;
  for (let m = desigRe.exec(code); m; m = desigRe.exec(code)) {
    if (LIFECYCLE_SLOTS.test(m[1] as string)) lifecycle.add(m[2] as string);
    if (m[1] === 'tp_init') initFns.add(m[2] as string);
  }
  const staticType = /\bPyTypeObject\s+\w+\s*=\s*\{\s*(?:PyVarObject_HEAD_INIT|PyObject_HEAD_INIT)\s*\([^)]*\)\s*,?/g;
  for (let m = staticType.exec(code); m; m = staticType.exec(code)) {
    let depth = 1;
    let k = m.index + m[0].length;
    let field = 0;
    let cur = '';
    for (; k < code.length && depth > 0; k++) {
      const ch = code[k] as string;
      if (ch === '{' || ch === '(') depth++;
      else if (ch === '}' || ch === ')') depth--;
      if ((ch === ',' && depth === 1) || depth === 0) {
        const slot = TYPE_FIELDS[field];
        const val = cur.trim().replace(/^\([^)]*\)\s*/, '').replace(/^&/, '');
        if (slot && LIFECYCLE_SLOTS.test(slot) && /^[A-Za-z_]\w*$/.test(val) && val !== 'NULL') lifecycle.add(val);
        if (slot === 'tp_init' && /^[A-Za-z_]\w*$/.test(val) && val !== 'NULL') initFns.add(val);
        if (cur.trim().startsWith('.')) break; // designated from here on: handled above
        field++;
        cur = '';
      } else cur += ch;
    }
  }
  return { lifecycle: [...lifecycle], initFns: [...initFns] };
}

/** Functions named in `{"name", (cast) fn, …}` entries: method, getset and member tables. */
function methodFunctions(code: string): string[] {
  const out = new Set<string>();
  const re = /\{\s*"[^"\n]*"\s*,\s*(?:\(\s*\w+\s*\**\s*\)\s*)?(?:\(\s*\w+\s*\**\s*\)\s*)?&?\s*([A-Za-z_]\w*)\s*[,}]/g;
  for (let m = re.exec(code); m; m = re.exec(code)) if (!/^[A-Z0-9_]+$/.test(m[1] as string)) out.add(m[1] as string);
  return [...out];
}

interface AccessContext {
  code: string;
  lowered: Lowered;
  index: CIndex;
  lines: LineMap;
  spans: ReturnType<typeof lockSpans>;
}

type Access = FieldAccess & { protectedBy: string | null; start: number };

/**
 * Functions with a typed `self`: first parameter `T *self`, or a local `T *s = (T *)self;`; and functions with an
 * untyped `PyObject *self` that pass it on (Argument Clinic's wrapper calling `foo_impl((FooObject *)self, …)`).
 */
function selfFunctions(
  code: string,
  lowered: Lowered,
  index: CIndex,
  lines: LineMap,
  containerFields: Set<string>,
): Pick<ObjectFacts, 'functions' | 'accessAt' | 'callAt'> {
  const ctx: AccessContext = { code, lowered, index, lines, spans: lockSpans(index) };
  const functions: string[] = [];
  const accessAt: number[] = [];
  const callAt: number[] = [];
  // Pointer locals with an initializer, by function (`T *s = (T *)self;`).
  const castLocals = new Map<number, DeclInfo[]>();
  for (const d of index.decls) if (d.fn >= 0 && d.isPointer && d.initializer) pushTo(castLocals, d.fn, d);
  const callsByFn = new Map<number, CallInfo[]>();
  for (const c of index.calls) if (c.fn >= 0 && c.args.length > 0) pushTo(callsByFn, c.fn, c);
  // Pointer locals and assignments, by function (read for objects received other than as self).
  const pointerDecls = new Map<number, DeclInfo[]>();
  for (const d of index.decls) if (d.fn >= 0 && d.isPointer && !d.isArray) pushTo(pointerDecls, d.fn, d);
  const assignsByFn = new Map<number, AssignInfo[]>();
  for (const a of index.assigns) if (a.fn >= 0 && !a.isInit) pushTo(assignsByFn, a.fn, a);
  for (let fi = 0; fi < index.functions.length; fi++) {
    const f = index.functions[fi] as FnInfo;
    const p0 = f.params[0];
    if (!p0 || !p0.name) continue;
    const selfVars = new Map<string, { type: string; bound: boolean }>();
    const typed = !/^(PyObject|void)$/.test(p0.type) && /^(?:struct\s+)?\w+$/.test(p0.type);
    selfVars.set(p0.name, { type: typed ? p0.type.replace(/^struct\s+/, '') : '', bound: true });
    for (const d of castLocals.get(fi) ?? []) {
      const m = castOf(d.initializer ?? '');
      if (m && m[2] === p0.name) selfVars.set(d.name, { type: m[1] as string, bound: true });
    }
    const received = argObjects(code, f, castLocals.get(fi) ?? [], pointerDecls.get(fi) ?? [], assignsByFn.get(fi) ?? [], callsByFn.get(fi) ?? []);
    for (const [v, type] of received) if (!selfVars.has(v)) selfVars.set(v, { type, bound: false });
    const body = code.slice(f.bodyStart, f.end);
    const calls = callsByFn.get(fi) ?? [];
    for (const [v, { type, bound }] of selfVars) {
      const accesses = type ? selfAccesses(ctx, f, fi, body, v, (field) => containerFields.add(`${type}.${field}`)) : [];
      const passes = selfCalls(ctx, fi, calls, v);
      if (accesses.length === 0 && passes.length === 0) continue;
      const writes = [...new Set(accesses.filter((a) => a.write).map((a) => a.field))];
      let reads = 0;
      const open = accesses.filter((a) => a.protectedBy === null && (a.write || reads++ < MAX_OPEN_READS));
      functions.push(f.name, type, v, bound ? 'self' : 'arg', ...writes, '');
      for (const a of open) {
        functions.push(a.field);
        accessAt.push(a.line, a.column * 2 + (a.write ? 1 : 0));
      }
      functions.push('');
      for (const c of passes) {
        functions.push(c.callee);
        callAt.push(c.line, c.column * 2 + (c.protected ? 1 : 0), c.arg);
      }
      functions.push('');
    }
  }
  return { functions, accessAt, callAt };
}

const NOT_AN_OBJECT = /^(?:PyObject|PyTypeObject|void|char|int|long|short|unsigned|signed|float|double|size_t|Py_ssize_t|Py_UCS[124]|Py_buffer|FILE|\w+_t)$/;

/**
 * Objects a function receives other than as its first parameter, by variable and struct type: typed pointer parameters
 * after the first, pointer locals cast from a parameter (`a = (bitarrayobject *)obj;`), and pointer locals a
 * `PyArg_Parse*`/`PyArg_UnpackTuple` call fills (`&a`). Only those the body reaches into (`a->…`).
 */
function argObjects(code: string, f: FnInfo, locals: DeclInfo[], pointers: DeclInfo[], assigns: AssignInfo[], calls: CallInfo[]): Map<string, string> {
  const out = new Map<string, string>();
  const body = code.slice(f.bodyStart, f.end);
  const reaches = (v: string) => new RegExp(`\\b${v}\\s*->`).test(body);
  const params = new Set(f.params.map((p) => p.name));
  for (const p of f.params.slice(1)) {
    const t = p.type.replace(/^(?:const\s+)?(?:struct\s+)?/, '');
    if (p.name && /^\w+$/.test(t) && !NOT_AN_OBJECT.test(t) && reaches(p.name)) out.set(p.name, t);
  }
  for (const d of locals) {
    const m = castOf(d.initializer ?? '');
    if (m && params.has(m[2] as string) && !NOT_AN_OBJECT.test(m[1] as string) && reaches(d.name)) out.set(d.name, m[1] as string);
  }
  const declared = new Map<string, string>();
  for (const d of pointers) if (/^\w+$/.test(d.type) && !NOT_AN_OBJECT.test(d.type)) declared.set(d.name, d.type);
  if (declared.size === 0) return out;
  for (const a of assigns) {
    if (!declared.has(a.lhs)) continue;
    const m = castOf(a.rhs);
    if (m && params.has(m[2] as string) && reaches(a.lhs)) out.set(a.lhs, declared.get(a.lhs) as string);
  }
  for (const c of calls) {
    if (!/^PyArg_(?:Parse\w*|UnpackTuple)$/.test(c.name)) continue;
    for (const arg of c.args) {
      const m = /&\s*(\w+)\s*\)?$/.exec(arg.text.replace(/^\(\s*PyObject\s*\*\*\s*\)\s*/, ''));
      const v = m?.[1];
      if (v && declared.has(v) && reaches(v)) out.set(v, declared.get(v) as string);
    }
  }
  return out;
}

/** Calls in function `fi` that pass `v` itself (possibly cast) as an argument to a named function. */
function selfCalls(ctx: AccessContext, fi: number, calls: CallInfo[], v: string): SelfCall[] {
  const out: SelfCall[] = [];
  for (const c of calls) {
    const callee = calleeName(c.name);
    if (!callee || !/^[A-Za-z_]/.test(callee) || NOT_A_HELPER.test(callee)) continue;
    const arg = c.args.findIndex((a) => a.text.includes(v) && normObject(a.text) === v);
    if (arg < 0) continue;
    const acc = fieldAccess(ctx, fi, v, '', false, c.start);
    out.push({ callee, arg, line: acc.line, column: acc.column, protected: acc.protectedBy !== null });
  }
  return out;
}

/** Members that change a C++ standard container (or smart pointer) in place. */
const CXX_MUTATOR = new RegExp(`^\\s*(?:->|\\.)\\s*(?:${[...CXX_MUTATING_MEMBERS, ...CXX_OWNER_MEMBERS].join('|')})\\s*\\(`);

/** Members that read a C++ standard container (and `for (auto &x : *self->m)`): its state must not change meanwhile. */
const CXX_READER = new RegExp(`^\\s*(?:->|\\.)\\s*(?:${CXX_READING_MEMBERS.join('|')})\\s*\\(`);

/** Calls that receive an object but never reach into an extension's struct: the C API, refcounting, locks, libc. */
const NOT_A_HELPER = /^(?:_?Py[A-Z_]|PY_|pthread_|(?:assert|sizeof|free|malloc|realloc|memcpy|memmove|memset|printf|fprintf)$)/;

/** Every `v->field` in the body of function `fi`, with whether it writes and what protects it. */
function selfAccesses(ctx: AccessContext, f: FnInfo, fi: number, body: string, v: string, container: (field: string) => void): Access[] {
  const accesses: Access[] = [];
  const re = fieldAccessRe(v);
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const start = f.bodyStart + m.index + (m[1]?.length ?? 0);
    const field = m[2] as string;
    const after = body.slice(m.index + m[0].length, m.index + m[0].length + 40);
    // C++ containers held in a field change through their members: `self->m->insert(…)`, `self->v.push_back(…)`,
    // `(*self->m)[k]` (operator[] inserts). Their state is the field's.
    if (CXX_MUTATOR.test(after) || (/^\s*\)\s*\[/.test(after) && /\(\s*\*\s*$/.test(body.slice(Math.max(0, m.index - 8), m.index)))) {
      container(field);
      accesses.push(fieldAccess(ctx, fi, v, field, true, start));
      continue;
    }
    if (CXX_READER.test(after) || /:\s*\*\s*$/.test(body.slice(Math.max(0, m.index - 8), m.index))) container(field);
    // `self->f->g = …` mutates another object, not a field of self.
    if (/^\s*->/.test(after) && !/^\s*->\s*\w+\s*\[/.test(after)) {
      accesses.push(fieldAccess(ctx, fi, v, field, false, start));
      continue;
    }
    const tail = after.replace(/^\s*(\[[^\]]*\]|\.\s*\w+)*/, '');
    const before = body.slice(Math.max(0, m.index - 60), m.index);
    const write =
      /^\s*([-+*/%&|^]|<<|>>)?=(?!=)/.test(tail) ||
      /^\s*(\+\+|--)/.test(tail) ||
      /(\+\+|--)\s*$/.test(before) ||
      (WRITER_CALL.test(before) && (m[1] !== undefined || /Py_X?SETREF|Py_CLEAR/.test(before.replace(/.*\b(Py_X?SETREF|Py_CLEAR|memcpy|memmove|memset|strcpy|strncpy|PyArg_Parse\w*)\s*\(/, '$1('))));
    if (m[1] !== undefined && !write) continue; // &self->f passed somewhere (locks, atomics): not an access we judge
    accesses.push(fieldAccess(ctx, fi, v, field, write, start));
  }
  // The size of a variable-size object is state too: `Py_SIZE(self)` reads it, `Py_SET_SIZE(self, n)` writes it.
  if (body.includes('SIZE')) {
    const sizeRe = sizeAccessRe(v);
    for (let m = sizeRe.exec(body); m; m = sizeRe.exec(body)) {
      const write = m[1] === 'Py_SET_SIZE' || /^\s*=(?!=)/.test(body.slice(m.index + m[0].length, m.index + m[0].length + 8));
      accesses.push(fieldAccess(ctx, fi, v, 'ob_size', write, f.bodyStart + m.index));
    }
    if (accesses.length > 1) accesses.sort((a, b) => a.start - b.start);
  }
  return accesses;
}


function fieldAccess({ code, lowered, index, lines, spans }: AccessContext, fi: number, v: string, field: string, write: boolean, start: number): Access {
  let prot = protectedAt(index, spans, lowered.regions, code, fi, start);
  if (prot !== null) {
    // A critical section protects self only if it locks self (or is a mutex-based section).
    const cs = regionsAt(lowered.regions, start).filter((r) => r.kind !== 'allow_threads');
    const onSelf = cs.some((r) => r.kind === 'cs_mutex' || r.kind === 'cs2_mutex' || r.begin.args.some((a) => normObject(a) === v));
    const lockOnly = spans.some((s) => s.fn === fi && s.start <= start && start < s.end);
    if (cs.length > 0 && !onSelf && !lockOnly && prot === cs[cs.length - 1]?.begin.name) prot = null;
  }
  const pos = lines.position(start);
  return { field, write, start, line: pos.line, column: pos.column, protectedBy: prot };
}

export { LIFECYCLE_NAME, SKIP_FIELD_NAME, SKIP_FIELD_TYPE };
