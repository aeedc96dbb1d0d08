// Containers held in object fields (`descr->fields`, `self->cache`): where the project changes them.
//
// A borrowed item of a dict or list is only in danger while something can remove it: a call that changes
// the container in place, or a write that replaces (and releases) the container the field holds. Each file
// records, per field name, the uses that can do either at run time; the project joins them (run.ts,
// `resolveHeld`). A container field nobody changes after its object is built keeps its items alive; one
// that a setter replaces is named in the finding.
import type { LineMap } from '../parse/source.js';
import { isIdChar, type Lowered } from '../parse/lower.js';
import { soleAssignment, type CIndex } from './c-index.js';
import type { Finding } from './types.js';
import { pushTo } from './group.js';

/**
 * Per file. `uses` is flat, 7 entries per use: key (a field name, or `NAME()` for an accessor call such as
 * `PyDataType_FIELDS(d)`), function, kind ('m' changed in place, 'r' replaced or released, 'e' handed
 * somewhere ftlint does not follow, 'p' passed to a project function, 'b' built: any of these on an object the
 * function itself just created, 'o' stores a container it did not make), callee ('' unless 'p'; for 'o' what was
 * stored: '' unknown, `F()` an accessor's container), argument position (-1 unless 'p'), line, column (1-based).
 * `params` is flat, 4 entries per parameter a function changes or passes on: function, position, kind
 * ('m' | 'r' | 'e' | 'p'), then for 'p' `callee:position`, else ''.
 * `accessors` is flat: accessor name, field (`#define F(d) ((T *)(d))->fields`, `static inline … F(…) { return …->fields; }`).
 * `reinit` is flat: function, Python name — functions a method table lists as `__setstate__`/`__init__` (they re-run
 * construction on a live object).
 */
export interface ContainerFacts {
  uses: (string | number)[];
  params: (string | number)[];
  accessors: string[];
  reinit: string[];
}

/** Calls that change the container they get as first argument. */
export const CONTAINER_MUTATORS = new Set([
  'PyDict_SetItem', 'PyDict_SetItemString', 'PyDict_DelItem', 'PyDict_DelItemString', 'PyDict_Clear', 'PyDict_Update',
  'PyDict_Merge', 'PyDict_MergeFromSeq2', 'PyDict_SetDefault', 'PyDict_SetDefaultRef', 'PyDict_Pop', 'PyDict_PopString',
  '_PyDict_SetItem_KnownHash', '_PyDict_DelItem_KnownHash', '_PyDict_Pop',
  'PyList_SetItem', 'PyList_SET_ITEM', 'PyList_Append', 'PyList_Insert', 'PyList_SetSlice', 'PyList_Sort', 'PyList_Reverse',
  'PyList_Clear', 'PyList_Extend', '_PyList_Extend', 'PySequence_SetItem', 'PySequence_DelItem', 'PySequence_SetSlice',
  'PySequence_DelSlice', 'PySequence_InPlaceConcat', 'PyObject_SetItem', 'PyObject_DelItem', 'PyMapping_SetItemString',
  'PyMapping_DelItem', 'PyMapping_DelItemString', 'PySet_Add', 'PySet_Discard', 'PySet_Clear', 'PySet_Pop',
]);
/** Calls that replace or release what the field holds (first argument). */
const RELEASERS = new Set(['Py_SETREF', 'Py_XSETREF', 'Py_CLEAR', 'Py_DECREF', 'Py_XDECREF', 'Py_DecRef', 'Py_XDecRef']);
/**
 * C-API calls that only read the container (or its size, type, items) and keep no reference to it. Any other
 * C-API call that gets it may store it or hand it to Python code (`PyTuple_SET_ITEM`, `PyObject_Call*`, `Py_NewRef`).
 */
const READS =
  /^(?:PyDict_(?:GetItem\w*|Next|Size|GET_SIZE|Contains\w*|Copy|Keys|Values|Items|Check\w*)|PyDictProxy_New|PyList_(?:GET_ITEM|GetItem\w*|GET_SIZE|Size|AsTuple|GetSlice|Check\w*)|PyTuple_(?:GET_ITEM|GetItem|GET_SIZE|Size|GetSlice|Check\w*)|PySequence_(?:Fast|Fast_\w+|Size|Length|GetItem|GetSlice|Contains|Tuple|List|Index|Count|Check|ITEM)|PyObject_(?:Length|Size|Repr|Str|ASCII|Hash|RichCompare\w*|IsTrue|Not|GetItem|GetIter|TypeCheck|IsInstance|IsSubclass|HasAttr\w*|Print|Format|Bytes|Dir)|PyMapping_(?:Keys|Values|Items|Size|Length|GetItemString|GetOptionalItem\w*|HasKey\w*|Check)|Py_(?:X?INCREF|IncRef|XIncRef|IS_TYPE|TYPE|SIZE|REFCNT|VISIT|Is|IsNone|IsTrue|IsFalse)|Py_BEGIN_CRITICAL_SECTION2?|PyIter_\w+|PySet_(?:Contains|Size|GET_SIZE|Check\w*)|PyFrozenSet_\w+|PyAnySet_\w+|PyUnicode_\w+|PyBytes_\w+|PyByteArray_\w+|PyLong_As\w*|PyFloat_As\w*|Py\w*_Check\w*|assert|sizeof|_Py_IsImmortal)$/;
const C_API = /^(?:_?Py|PY)/;
/** A call that makes a new object: a local it assigns is the function's own until published. */
const MAKES_OBJECT =
  /(?:^|_)(?:[A-Z][a-z]*)?(?:New|Alloc|Create|Copy)(?:[A-Z]\w*)?$|(?:^|_)(?:new|alloc|create|copy)$|^(?:malloc|calloc|PyMem_(?:Raw)?(?:Malloc|Calloc)|PyObject_(?:Malloc|Calloc))$|tp_alloc$/;
/** Fields of CPython's own structs. */
const CPYTHON_FIELD = /^(?:tp_|md_|ob_|ht_|func_|ma_|im_|cr_|gi_|f_)/;
/** Calls that return a reference to an existing object, whatever their name says. */
const RETURNS_EXISTING = /^Py_X?NewRef$/;
const makesObject = (callee: string) => MAKES_OBJECT.test(callee) && !RETURNS_EXISTING.test(callee);
/** The function a right-hand side calls (`(T *)type->tp_alloc(type, 0)` → `tp_alloc`), or ''. */
function rhsCallee(rhs: string): string {
  const m = /^\s*(?:\([^()]*\)\s*)*\(?\s*([A-Za-z_]\w*(?:\s*(?:->|\.)\s*\w+)*)\s*\(/.exec(rhs);
  return m ? (m[1] as string).replace(/.*(?:->|\.)\s*/, '') : '';
}
const IDENT = /^[A-Za-z_]\w*$/;
const OBJECT_PARAM = /^(?:const\s+)?(?:struct\s+)?(?:PyObject|Py\w*Object|_object|void)$/;
/** `FOO_FIELDS(d)`-style accessor calls: a one-argument macro or inline function whose name ends in capitals. */
const ACCESSOR_NAME = /^[A-Za-z]\w*?_[A-Z][A-Z0-9_]*$/;
/** `->name` / `.name` where what follows can make it a change, a store or an argument (see `mayMatter`). */
const MEMBER = /(?:->|\.)\s*([A-Za-z_]\w*)\b(?=\s*(?:[,);]|=(?!=)))/g;

type Kind = 'm' | 'r' | 'e' | 'p' | 'b' | 'o' | null;
interface Use {
  kind: Kind;
  callee: string;
  pos: number;
}
/** A write on an object the function just created: the container is built there. */
const BUILT: Use = { kind: 'b', callee: '', pos: -1 };

export function extractContainers(code: string, text: string, lowered: Lowered, index: CIndex, lines: LineMap): ContainerFacts {
  const uses: (string | number)[] = [];
  const params: (string | number)[] = [];
  const fns = index.functions;
  const assignsByFn = new Map<number, CIndex['assigns']>();
  for (const a of index.assigns) if (a.fn >= 0) pushTo(assignsByFn, a.fn, a);
  const valueDecls = new Map<number, string[]>();
  for (const d of index.decls) {
    // Struct values only: not `auto` (a pointer, in C++), references or pointers.
    if (d.fn < 0 || d.isPointer || d.isArray || d.isStatic || /[*&]/.test(d.declarator) || !/^(?:struct\s+)?[A-Za-z_]\w*$/.test(d.type) || /\bauto\b/.test(d.type)) continue;
    pushTo(valueDecls, d.fn, d.name);
  }
  const callsByFn = new Map<number, CIndex['calls']>();
  for (const c of index.calls) if (c.fn >= 0) pushTo(callsByFn, c.fn, c);
  for (let fi = 0; fi < fns.length; fi++) {
    const f = fns[fi];
    if (!f || f.bodyStart < 0) continue;
    const assigns = assignsByFn.get(fi) ?? [];
    const fresh = freshLocals(assigns, f.params);
    // Struct values declared in the function (`PyArray_DescrProto proto;`): their fields are the function's own.
    for (const d of valueDecls.get(fi) ?? []) fresh.add(d);
    const seen = new Set<string>();
    const record = (key: string, u: Use, at: number) => {
      const id = `${key}\0${u.kind}\0${u.callee}\0${u.pos}`;
      if (seen.has(id)) return;
      seen.add(id);
      const p = lines.position(at);
      uses.push(key, f.name, u.kind as string, u.callee, u.pos, p.line, p.column);
    };
    const body = code.slice(f.bodyStart, f.end);
    // Fields: `base->name`, `base.name`.
    MEMBER.lastIndex = 0;
    for (let m = MEMBER.exec(body); m; m = MEMBER.exec(body)) {
      const at = f.bodyStart + m.index;
      if (code[at] === '.' && /[0-9]/.test(code[at - 1] ?? '')) continue; // 1.5e3
      const end = at + m[0].length;
      if (!mayMatter(code, end, f.end)) continue;
      const start = exprStart(code, at, f.bodyStart);
      const base = baseIdent(code.slice(start, at));
      let u = classify(code, start, end, f.bodyStart, f.end, assigns, 0);
      if (!u.kind) continue;
      // What a write stores: a container made here (or NULL) is built; one taken from elsewhere (a module's
      // attribute, an argument) may be shared with code that changes it, whichever function stores it.
      if (u.kind === 'r') {
        const origin = storedOrigin(code, start, end, f.bodyStart, f.end, fresh);
        if (origin !== null && origin !== m[1]) u = { kind: 'o', callee: origin, pos: -1 };
      }
      // On the function's own new object: where the container is built, not a change to a shared one.
      if (u.kind !== 'o' && base !== null && fresh.has(base)) record(m[1] as string, BUILT, at);
      else record(m[1] as string, u, at);
    }
    // Accessor calls: `PyDataType_FIELDS(d)` (from the index's calls: no scan of the text).
    for (const c of callsByFn.get(fi) ?? []) {
      if (c.args.length !== 1 || !ACCESSOR_NAME.test(c.name)) continue;
      const at = c.start;
      const prev = prevNonSpace(code, at - 1, f.bodyStart);
      if (prev >= 0 && code[prev] === '>' && code[prev - 1] === '-') continue;
      if (!mayMatter(code, c.end, f.end)) continue;
      const base = baseIdent((c.args[0] as { text: string }).text);
      const u = classify(code, at, c.end, f.bodyStart, f.end, assigns, 0);
      if (!u.kind) continue;
      if (base !== null && fresh.has(base)) record(`${c.name}()`, BUILT, at);
      else record(`${c.name}()`, u, at);
    }
    // Parameters that the function changes, releases, stores or passes on.
    // One scan of the body for all of them.
    const names = new Map<string, number>();
    // Only object parameters can hold a container (`PyObject *d`, `PyDictObject *d`).
    f.params.forEach((p, pi) => {
      if (IDENT.test(p.name) && OBJECT_PARAM.test(p.type)) names.set(p.name, pi);
    });
    if (names.size > 0) {
      const re = new RegExp(`\\b(?:${[...names.keys()].join('|')})\\b`, 'g');
      const kinds = new Set<string>();
      for (let m = re.exec(body); m; m = re.exec(body)) {
        const at = f.bodyStart + m.index;
        const name = m[0];
        if (!mayMatter(code, at + name.length, f.end)) continue;
        const prev = prevNonSpace(code, at - 1, f.bodyStart);
        if (prev >= 0 && (code[prev] === '.' || (code[prev] === '>' && code[prev - 1] === '-'))) continue; // x->param
        const u = classify(code, at, at + name.length, f.bodyStart, f.end, assigns, 1);
        if (!u.kind) continue;
        const pi = names.get(name) as number;
        const k = `${pi}\0${u.kind === 'p' ? `p\0${u.callee}:${u.pos}` : u.kind}`;
        if (kinds.has(k)) continue;
        kinds.add(k);
        params.push(f.name, pi, u.kind, u.kind === 'p' ? `${u.callee}:${u.pos}` : '');
      }
    }
  }
  // A field exposed in a member table (`{"fields", T_OBJECT, offsetof(T, fields), …}`, also through a macro such as
  // CPython's `#define OFF(x) offsetof(T, x)`): Python code can reach it.
  const member = /\boffsetof\s*\(\s*(?:struct\s+)?\w+\s*,\s*([A-Za-z_]\w*)\s*\)/g;
  for (let m = member.exec(code); m; m = member.exec(code)) {
    const p = lines.position(m.index);
    uses.push(m[1] as string, '', 'e', '', -1, p.line, p.column);
  }
  for (const d of lowered.defines) {
    if (d.params?.length !== 1 || !d.body.includes('offsetof') || !new RegExp(`\\boffsetof\\s*\\([^,]*,\\s*${d.params[0]}\\s*\\)`).test(d.body)) continue;
    const use = new RegExp(`\\b${d.name}\\s*\\(\\s*([A-Za-z_]\\w*)\\s*\\)`, 'g');
    for (let m = use.exec(code); m; m = use.exec(code)) {
      const p = lines.position(m.index);
      uses.push(m[1] as string, '', 'e', '', -1, p.line, p.column);
    }
  }
  // Macros that change a field (`#define RESET(o) Py_CLEAR((o)->cache)`): their uses are not seen one by one, so the
  // field counts as changed at run time.
  for (const d of lowered.defines) {
    if (!d.params || !(d.body.includes('->') || d.body.includes('.'))) continue;
    const body = d.body;
    const re = /(?:->|\.)\s*([A-Za-z_]\w*)\s*\)*\s*(?:=(?!=)|,|\))/g;
    for (let m = re.exec(body); m; m = re.exec(body)) {
      const before = body.slice(0, m.index);
      if (!/(?:Py_X?SETREF|Py_CLEAR|Py_X?DECREF|PyDict_\w+|PyList_\w+|PySet_\w+|PyObject_(?:Set|Del)Item)\s*\(\s*[^;]*$/.test(before) && !/=(?!=)/.test(m[0])) continue;
      const p = lines.position(d.start);
      uses.push(m[1] as string, '', 'r', '', -1, p.line, p.column);
    }
  }
  return { uses, params, accessors: accessorDefs(code, lowered), reinit: reinitMethods(text) };
}

/**
 * Whether what follows an expression can make it a change, a store or an argument: `=` (not `==`), `,` `)` `;`.
 * Everything else (`->x`, `[i]`, `.x`, `==`, arithmetic) is a read: skipped before the costlier classification.
 */
function mayMatter(code: string, end: number, max: number): boolean {
  const n = nextNonSpace(code, end, max);
  if (n < 0) return false;
  const c = code[n];
  return (c === '=' && code[n + 1] !== '=') || c === ',' || c === ')' || c === ';';
}

/** Locals assigned from a call that makes a new object (`new = PyArray_DescrNew(…)`, `self = type->tp_alloc(type, 0)`). */
function freshLocals(assigns: CIndex['assigns'], params: { name: string }[]): Set<string> {
  const out = new Set<string>();
  const pnames = new Set(params.map((p) => p.name));
  for (const a of assigns) {
    if (a.op !== '=' || !IDENT.test(a.lhs) || pnames.has(a.lhs)) continue;
    const callee = rhsCallee(a.rhs);
    if (callee && makesObject(callee)) out.add(a.lhs);
  }
  // A local also assigned from something else is not known to be fresh.
  for (const a of assigns) {
    if (!out.has(a.lhs) || a.op !== '=') continue;
    const callee = rhsCallee(a.rhs);
    if (!(callee && makesObject(callee)) && !/^\s*NULL\s*$/.test(a.rhs)) out.delete(a.lhs);
  }
  return out;
}

const idCharAt = (code: string, k: number) => k >= 0 && isIdChar(code.charCodeAt(k));

/** Steps back over casts ending at `p` (`(PyObject *)x`): the position before them. */
function skipCasts(code: string, p: number, min: number): number {
  while (p >= min && code[p] === ')') {
    let d = 0;
    let k = p;
    for (; k >= min; k--) {
      if (code[k] === ')') d++;
      else if (code[k] === '(' && --d === 0) break;
    }
    if (k < min || !/^\(\s*(?:const\s+)?(?:struct\s+)?[A-Za-z_]\w*\s*\*+\s*\)$/.test(code.slice(k, p + 1))) return p;
    p = prevNonSpace(code, k - 1, min);
  }
  return p;
}

function prevNonSpace(code: string, k: number, min: number): number {
  while (k >= min && /\s/.test(code[k] as string)) k--;
  return k >= min ? k : -1;
}

function nextNonSpace(code: string, k: number, max: number): number {
  while (k < max && /\s/.test(code[k] as string)) k++;
  return k < max ? k : -1;
}

/** Start of the postfix expression that ends just before `at` (`((T *)x)->a[i].b`). */
function exprStart(code: string, at: number, min: number): number {
  let k = at - 1;
  for (;;) {
    while (k >= min && /\s/.test(code[k] as string)) k--;
    if (k < min) return min;
    const c = code[k] as string;
    if (c === ')' || c === ']') {
      const open = c === ')' ? '(' : '[';
      let d = 0;
      for (; k >= min; k--) {
        if (code[k] === c) d++;
        else if (code[k] === open && --d === 0) break;
      }
      k--;
      // a call or a cast: `f(x)->y`, `((T *)x)->y`
      while (k >= min && /\s/.test(code[k] as string)) k--;
      if (idCharAt(code, k)) while (k >= min && idCharAt(code, k)) k--;
    } else if (idCharAt(code, k)) {
      while (k >= min && idCharAt(code, k)) k--;
    } else return k + 1;
    const p = prevNonSpace(code, k, min);
    if (p >= 0 && code[p] === '>' && code[p - 1] === '-') k = p - 2;
    else if (p >= 0 && code[p] === '.' ) k = p - 1;
    else return k + 1;
  }
}

const MADE_HERE = /^(?:NULL|nullptr|0|Py_None|Py_NewRef\(Py_None\)|Py_XNewRef\(NULL\))$/;

/**
 * What the write at `code[start, end)` (`x->f = …`, `Py_SETREF(x->f, …)`, `&x->f` handed to a call) stores:
 * null when it is a container made here (a constructor call, a local holding one, NULL); the field name for the
 * same field of another object (`a->f = b->f`); `F()` for an accessor's container; '' when it comes from elsewhere.
 */
function storedOrigin(code: string, start: number, end: number, min: number, max: number, fresh: Set<string>): string | null {
  let rhsStart = -1;
  const n = nextNonSpace(code, end, max);
  if (n >= 0 && code[n] === '=' && code[n + 1] !== '=') rhsStart = n + 1;
  else {
    const p = skipCasts(code, prevNonSpace(code, start - 1, min), min);
    if (p >= 0 && code[p] === '&') return '';
    const call = p >= 0 && code[p] === '(' ? enclosingCall(code, start, min) : null;
    if (!call || !/^Py_X?SETREF$/.test(call.name) || code[n] !== ',') return null; // Py_CLEAR, Py_DECREF: a release
    rhsStart = n + 1;
  }
  let d = 0;
  let k = rhsStart;
  for (; k < max; k++) {
    const c = code[k] as string;
    if (c === '(' || c === '[' || c === '{') d++;
    else if (c === ')' || c === ']' || c === '}') {
      if (d === 0) break;
      d--;
    } else if ((c === ';' || c === ',') && d === 0) break;
  }
  const rhs = code.slice(rhsStart, k).replace(/\s+/g, '').replace(/^(?:\((?:const)?(?:struct)?\w+\*+\))+/, '');
  if (MADE_HERE.test(rhs)) return null;
  const call = /^\(?([A-Za-z_]\w*(?:(?:->|\.)\w+)*)\(/.exec(rhs);
  if (call) {
    const callee = (call[1] as string).replace(/.*(?:->|\.)/, '');
    if (makesObject(callee)) return null;
    if (ACCESSOR_NAME.test(callee) && /^\(?\w+\([^,()]*\)\)?$/.test(rhs)) return `${callee}()`;
    return '';
  }
  const v = rhs.replace(/^Py_X?NewRef\((.*)\)$/, '$1').replace(/^\((.*)\)$/, '$1');
  if (IDENT.test(v)) return fresh.has(v) ? null : '';
  const same = /(?:->|\.)([A-Za-z_]\w*)$/.exec(v);
  return same ? (same[1] as string) : '';
}

/** The variable an expression is built on: `x` for `x`, `x->a`, `((T *)x)`, `F(x)`. */
function baseIdent(expr: string): string | null {
  const t = expr.replace(/\(\s*(?:const\s+)?(?:struct\s+)?\w+\s*\*+\s*\)/g, '').replace(/[()\s]/g, '');
  const m = /^(?:[A-Za-z_]\w*\()?([A-Za-z_]\w*)/.exec(t);
  return m ? (m[1] as string) : null;
}

/**
 * What the expression `code[start, end)` is used for. `depth` 0 follows one local alias (`PyObject *f = d->fields;`).
 */
function classify(code: string, start: number, end: number, min: number, max: number, assigns: CIndex['assigns'], depth: number): Use {
  const none: Use = { kind: null, callee: '', pos: -1 };
  const n = nextNonSpace(code, end, max);
  const nc = n >= 0 ? (code[n] as string) : '';
  const n2 = n >= 0 ? (code[n + 1] as string) : '';
  if (nc === '[' || nc === '.' || (nc === '-' && n2 === '>')) return none; // a member or element of it
  if (nc === '=' && n2 !== '=') return { kind: 'r', callee: '', pos: -1 };
  const p = skipCasts(code, prevNonSpace(code, start - 1, min), min);
  const pc = p >= 0 ? (code[p] as string) : '';
  if (pc === '&' && code[p - 1] !== '&') return { kind: 'r', callee: '', pos: -1 }; // its address: an out-parameter
  if (pc === '*' && /[=(,;{}]/.test(code[prevNonSpace(code, p - 1, min)] ?? ';')) return none; // *x: the pointee
  // `return x;`
  if (pc === 'n' && /\breturn$/.test(code.slice(Math.max(min, p - 6), p + 1)) && nc === ';') return { kind: 'e', callee: '', pos: -1 };
  // A whole argument of a call.
  if ((pc === '(' || pc === ',') && (nc === ')' || nc === ',')) {
    const call = enclosingCall(code, start, min);
    if (!call) return none;
    const { name, pos } = call;
    if (CONTAINER_MUTATORS.has(name)) return pos === 0 ? { kind: 'm', callee: '', pos: -1 } : { kind: 'e', callee: '', pos: -1 };
    if (RELEASERS.has(name)) return pos === 0 ? { kind: 'r', callee: '', pos: -1 } : { kind: 'e', callee: '', pos: -1 };
    if (READS.test(name)) return none;
    if (C_API.test(name)) return { kind: 'e', callee: '', pos: -1 };
    if (/^(?:if|while|for|switch|return|sizeof)$/.test(name)) return none;
    return { kind: 'p', callee: name, pos };
  }
  // `lhs = x;` / `T *lhs = x;`
  if (pc === '=' && !/[=!<>]/.test(code[p - 1] ?? '') && (nc === ';' || nc === ',' || nc === ')')) {
    const lhsEnd = prevNonSpace(code, p - 1, min);
    const lhsStart = exprStart(code, lhsEnd + 1, min);
    const lhs = code.slice(lhsStart, lhsEnd + 1).trim();
    // A local (followed once), or anything else the container is stored into.
    if (IDENT.test(lhs) && depth === 0) return aliasUse(code, lhs, end, min, max, assigns);
    return { kind: 'e', callee: '', pos: -1 };
  }
  return none;
}

/** Uses of a local that holds the container (`fields = d->fields;`), until it is assigned again. */
function aliasUse(code: string, name: string, from: number, min: number, max: number, assigns: CIndex['assigns']): Use {
  let until = max;
  for (const a of assigns) if (a.lhs === name && a.start > from && a.start < until) until = a.start;
  const re = new RegExp(`\\b${name}\\b`, 'g');
  const body = code.slice(from, until);
  let worst: Use = { kind: null, callee: '', pos: -1 };
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const at = from + m.index;
    const pv = prevNonSpace(code, at - 1, min);
    if (pv >= 0 && (code[pv] === '.' || (code[pv] === '>' && code[pv - 1] === '-'))) continue;
    const u = classify(code, at, at + name.length, min, max, assigns, 1);
    if (u.kind === 'r' && nextIsAssign(code, at + name.length, max)) continue; // reassigned: handled by `until`
    if (u.kind && rank(u.kind) > rank(worst.kind)) worst = u;
    if (worst.kind === 'm') break;
  }
  return worst;
}

const nextIsAssign = (code: string, end: number, max: number) => {
  const n = nextNonSpace(code, end, max);
  return n >= 0 && code[n] === '=' && code[n + 1] !== '=';
};
const rank = (k: Kind) => (k === 'm' ? 4 : k === 'r' ? 3 : k === 'e' ? 2 : k === 'p' ? 1 : 0);

/** The call whose argument starts at `start`: its name and the argument's position. */
function enclosingCall(code: string, start: number, min: number): { name: string; pos: number } | null {
  let d = 0;
  let pos = 0;
  for (let k = start - 1; k >= min; k--) {
    const c = code[k] as string;
    if (c === ')' || c === ']' || c === '}') d++;
    else if (c === '(' || c === '[' || c === '{') {
      if (d === 0) {
        if (c !== '(') return null;
        const e = prevNonSpace(code, k - 1, min);
        if (e < 0 || !idCharAt(code, e)) return null;
        let s = e;
        while (s > min && idCharAt(code, s - 1)) s--;
        return { name: code.slice(s, e + 1), pos };
      }
      d--;
    } else if (c === ',' && d === 0) pos++;
    else if (c === ';') return null;
  }
  return null;
}

/** `#define F(d) (((T *)(d))->field)` and `static inline T F(U *d) { return ((V *)d)->field; }`, and X-macros
 * such as `#define ACCESSOR(NAME, field, …) … PyDataType_##NAME(…) { return …->field; }` with their uses. */
function accessorDefs(code: string, lowered: Lowered): string[] {
  const out: string[] = [];
  const generators: { name: string; params: string[]; prefix: string; nameParam: number; fieldParam: number }[] = [];
  for (const d of lowered.defines) {
    if (!d.params) continue;
    const body = d.body.replace(/\\\n/g, ' ');
    if (d.params.length === 1) {
      const m = /(?:->|\.)\s*([A-Za-z_]\w*)\s*\)*\s*$/.exec(body);
      if (m && !/[;{]/.test(body)) out.push(d.name, m[1] as string);
      continue;
    }
    const gen = /\b([A-Za-z_]\w*)\s*##\s*([A-Za-z_]\w*)\s*\(/.exec(body);
    if (gen) {
      const nameParam = d.params.indexOf(gen[2] as string);
      const rets = [...body.slice(gen.index).matchAll(/\breturn\b[^;]*(?:->|\.)\s*([A-Za-z_]\w*)\s*\)*\s*;/g)].map((r) => r[1] as string);
      const fieldParam = rets.map((r) => d.params?.indexOf(r) ?? -1).find((i) => i >= 0) ?? -1;
      if (nameParam >= 0 && fieldParam >= 0) generators.push({ name: d.name, params: d.params, prefix: gen[1] as string, nameParam, fieldParam });
    }
  }
  const inline = /\b([A-Za-z_]\w*)\s*\(\s*(?:const\s+)?[A-Za-z_]\w*\s*\*\s*[A-Za-z_]\w*\s*\)\s*\{\s*return\s+([^;{}]*?)(?:->|\.)\s*([A-Za-z_]\w*)\s*\)*\s*;\s*\}/g;
  for (let m = inline.exec(code); m; m = inline.exec(code)) out.push(m[1] as string, m[3] as string);
  for (const g of generators) {
    const use = new RegExp(`^[ \\t]*${g.name}\\s*\\(([^()\\n]*)\\)`, 'gm');
    for (let m = use.exec(code); m; m = use.exec(code)) {
      const args = (m[1] as string).split(',').map((s) => s.trim());
      const n = args[g.nameParam];
      const fld = args[g.fieldParam];
      if (n && fld && IDENT.test(n) && IDENT.test(fld)) out.push(g.prefix + n, fld);
    }
  }
  return out;
}

/** Functions a method table lists as `__setstate__` or `__init__`: they re-run construction on a live object. */
function reinitMethods(text: string): string[] {
  const out: string[] = [];
  const re = /\{\s*"(__setstate__|__init__)"\s*,\s*(?:\(\s*\w+\s*\**\s*\)\s*)*&?\s*([A-Za-z_]\w*)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[2] as string, m[1] as string);
  return out;
}

/** Where the container a borrowed call reads is held: a field (`d->fields`, `d.fields`), an accessor (`F(d)`), or a local
 * last assigned from one of those before `at`. Null for anything else. */
export function heldKey(index: CIndex, fn: number, expr: string, at: number): string | null {
  const direct = heldExpr(expr);
  if (direct || fn < 0) return direct;
  const id = expr.replace(/[()\s]/g, '');
  if (!IDENT.test(id)) return null;
  // Only a local assigned once in the function (`if (…) d = other; else d = self->cache;` may be either).
  const only = soleAssignment(index, fn, id, at);
  return only ? heldExpr(only.rhs) : null;
}

function heldExpr(expr: string): string | null {
  const t = expr.replace(/\s+/g, '').replace(/;$/, '').replace(/\((?:const)?(?:struct)?\w+\*+\)/g, '');
  const field = /(?:->|\.)([A-Za-z_]\w*)\)*$/.exec(t);
  // CPython's own structs (a type's tp_dict, a module's md_dict): Python code changes those containers.
  if (field && CPYTHON_FIELD.test(field[1] as string)) return null;
  if (field && /^[\w().[\]]+$/.test(t.replace(/->/g, '.'))) return field[1] as string;
  const acc = /^\(*([A-Za-z_]\w*)\([^,]*\)\)*$/.exec(t);
  return acc && ACCESSOR_NAME.test(acc[1] as string) ? `${acc[1]}()` : null;
}

export interface HeldChange {
  /** The field whose container changes (an accessor key resolved to its field). */
  field: string;
  path: string;
  line: number;
  column: number;
  fn: string;
  kind: 'm' | 'r' | 'e' | 'o';
  /** Only a re-initialising method (`tp_init`, `__setstate__`) does it. */
  reinit: boolean;
}

export interface HeldContext {
  /** Allocation and teardown functions (type slots, and by name). */
  lifecycle: (fn: string) => boolean;
  /** Module init/exec functions, and the functions only they reach. */
  init: ReadonlySet<string>;
  /** `tp_init`, `__setstate__`, `__init__`. */
  reinit: Set<string>;
}

/**
 * The project's run-time changes to the container a field holds, by field key: null when nothing is known (an
 * accessor whose definition was not found, a field the project never fills), [] when nothing changes it after its
 * object is built.
 */
export function heldChanges(
  files: { path: string; module?: { functions: string[] } | null; containers?: ContainerFacts }[],
  ctx: HeldContext,
): (key: string) => HeldChange[] | null {
  const accessors = new Map<string, string>();
  const defined = new Set<string>();
  const params = new Map<string, { kind: string; to: string; path: string }[]>();
  const byField = new Map<string, { path: string; rec: (string | number)[] }[]>();
  for (const f of files) {
    // A container passed to a function the project does not define is handed away.
    for (const n of f.module?.functions ?? []) defined.add(n);
    const c = f.containers;
    if (!c) continue;
    for (let i = 0; i + 1 < c.accessors.length; i += 2) accessors.set(c.accessors[i] as string, c.accessors[i + 1] as string);
    for (let i = 0; i + 3 < c.params.length; i += 4) {
      pushTo(params, `${c.params[i]}:${c.params[i + 1]}`, { kind: c.params[i + 2] as string, to: c.params[i + 3] as string, path: f.path });
    }
    for (let i = 0; i + 6 < c.uses.length; i += 7) pushTo(byField, c.uses[i] as string, { path: f.path, rec: c.uses.slice(i, i + 7) });
  }
  // Does a function change (or hand away) what it gets at a parameter position? Cycles count as no.
  const paramMemo = new Map<string, boolean>();
  const paramChanges = (fn: string, pos: number, seen: Set<string>): boolean => {
    const key = `${fn}:${pos}`;
    const known = paramMemo.get(key);
    if (known !== undefined) return known;
    if (!defined.has(fn)) return true; // not in the project: ftlint cannot see what it does
    if (seen.has(key)) return false;
    seen.add(key);
    let out = false;
    for (const p of params.get(key) ?? []) {
      if (p.kind !== 'p') out = true;
      else {
        const [g, j] = p.to.split(':');
        out = paramChanges(g as string, Number(j), seen);
      }
      if (out) break;
    }
    if (seen.size === 1 || out) paramMemo.set(key, out);
    return out;
  };
  const memo = new Map<string, HeldChange[] | null>();
  return (key: string) => {
    const known = memo.get(key);
    if (known !== undefined) return known;
    let field = key;
    if (key.endsWith('()')) {
      const f = accessors.get(key.slice(0, -2));
      if (!f) {
        memo.set(key, null);
        return null;
      }
      field = f;
    }
    const keys = [field, ...[...accessors].filter(([, f]) => f === field).map(([a]) => `${a}()`)];
    const out: HeldChange[] = [];
    let built = false;
    for (const k of keys) {
      for (const { path, rec } of byField.get(k) ?? []) {
        const [, fn, kind, callee, pos, line, column] = rec as [string, string, string, string, number, number, number];
        if (kind === 'o') {
          // Stores another field's or accessor's container: the same container under this field's name.
          if (callee === field || (callee.endsWith('()') && accessors.get(callee.slice(0, -2)) === field)) {
            built = true;
            continue;
          }
          out.push({ field, path, line, column, fn, kind: 'o', reinit: false });
          continue;
        }
        if (kind === 'b' || (fn && (ctx.lifecycle(fn) || ctx.init.has(fn)))) {
          built = true;
          continue;
        }
        if (kind === 'r') built = true;
        if (kind === 'p' && !paramChanges(callee, pos, new Set())) continue;
        out.push({ field, path, line, column, fn, kind: kind === 'p' ? 'm' : (kind as 'm' | 'r' | 'e'), reinit: ctx.reinit.has(fn) });
      }
    }
    // A field the project never fills: its container comes from somewhere ftlint does not see.
    const result = built || out.length > 0 ? out : null;
    memo.set(key, result);
    return result;
  };
}

/** What each field key resolved to, kept in the project memo so a cached run resolves findings the same way. */
export type HeldTable = Record<string, HeldChange[] | null>;

const HOW: Record<HeldChange['kind'], string> = {
  m: 'changes the container in',
  r: 'replaces (and releases) the container in',
  e: 'hands the container in',
  o: 'stores a container it did not create (other code may change it) in',
};

/**
 * Findings that depend on a field's container (`held`): dropped when nothing changes that container after its
 * object is built; at info when only a re-initialising method (`tp_init`, `__setstate__`) does; otherwise kept
 * with the places that change it as related locations. Unknown accessors keep the finding as it is.
 */
export function resolveHeld(findings: Finding[], table: HeldTable): Finding[] {
  const out: Finding[] = [];
  for (let f of findings) {
    const key = f.held;
    if (key === undefined) {
      out.push(f);
      continue;
    }
    // A copy without the marker: the object may be the one a cache entry is written from.
    const { held: _held, ...rest } = f;
    f = rest;
    const changes = table[key];
    if (changes === null || changes === undefined) {
      out.push(f);
      continue;
    }
    if (changes.length === 0) continue;
    const field = `'${(changes[0] as HeldChange).field}'`;
    // Changes at run time first, re-initialisation after.
    const once = new Set<string>();
    const shown = [...changes.filter((c) => !c.reinit), ...changes.filter((c) => c.reinit)].filter((c) => {
      const id = `${c.fn}\0${c.kind}`;
      return once.has(id) ? false : (once.add(id), true);
    });
    const related = shown.slice(0, 3).map((c) => ({
      path: c.path,
      line: c.line,
      column: c.column,
      message: c.fn
        ? `${c.fn}() ${HOW[c.kind]} ${field}${c.kind === 'e' ? ' to code ftlint does not follow' : ''}`
        : c.kind === 'e'
          ? `${field} is exposed to Python code in a member table`
          : `a macro defined here changes the container in ${field}`,
    }));
    if (changes.every((c) => c.reinit)) {
      const names = [...new Set(changes.map((c) => `${c.fn}()`))].join(', ');
      out.push({
        ...f,
        severity: 'info',
        message: `${f.message} — only ${names} (re-initialisation) changes the container in ${field}: a race only if it runs again on an object other threads use`,
        related: [...f.related, ...related],
      });
    } else out.push({ ...f, related: [...f.related, ...related] });
  }
  return out;
}

/** The function roles `heldChanges` needs, from every file's facts and the project's call graph. */
export function heldContext(
  files: { objects?: { lifecycle: string[]; initFns: string[]; methods: string[] }; containers?: ContainerFacts }[],
  lifecycleName: RegExp,
  graph: { initOnly: ReadonlySet<string>; entry: ReadonlySet<string>; callees: ReadonlyMap<string, string[]>; callers: ReadonlyMap<string, ReadonlySet<string>> },
): HeldContext {
  const slots = new Set<string>();
  const methods = new Set<string>();
  const reinit = new Set<string>();
  for (const f of files) {
    for (const n of f.objects?.lifecycle ?? []) slots.add(n);
    for (const n of f.objects?.methods ?? []) methods.add(n);
    for (const n of f.objects?.initFns ?? []) reinit.add(n);
    const r = f.containers?.reinit ?? [];
    for (let i = 0; i < r.length; i += 2) reinit.add(r[i] as string);
  }
  // Allocation and teardown: a type slot, or a function named so (`Foo_dealloc`) that no method table lists — and, either
  // way, one that no other function calls except allocation and teardown themselves (a `tp_clear` a method also calls,
  // a helper `cache_del()` a method calls, run on live objects).
  const candidates = new Set<string>(slots);
  for (const fn of graph.callees.keys()) if (lifecycleName.test(fn) && !methods.has(fn)) candidates.add(fn);
  for (const fn of graph.callers.keys()) if (lifecycleName.test(fn) && !methods.has(fn)) candidates.add(fn);
  const lifecycle = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const fn of candidates) {
      if (lifecycle.has(fn)) continue;
      const cs = graph.callers.get(fn);
      if (!cs || [...cs].every((x) => lifecycle.has(x) || x === fn)) {
        lifecycle.add(fn);
        changed = true;
      }
    }
  }
  // A name that looks like teardown, in no call graph at all (defined and never called): allocation or teardown too.
  const direct = (fn: string) => lifecycle.has(fn) || (!candidates.has(fn) && lifecycleName.test(fn) && !methods.has(fn) && !graph.callers.has(fn));
  // Grows `set` with the helpers only its members (or `alsoFrom`) call, never a function Python calls directly.
  const spread = (set: Set<string>, alsoFrom: (fn: string) => boolean) => {
    const work = [...set];
    while (work.length) {
      const fn = work.pop() as string;
      for (const c of graph.callees.get(fn) ?? []) {
        if (set.has(c) || lifecycle.has(c) || reinit.has(c) || graph.entry.has(c) || methods.has(c)) continue;
        const cs = graph.callers.get(c);
        if (!cs || [...cs].some((x) => !set.has(x) && !alsoFrom(x))) continue;
        set.add(c);
        work.push(c);
      }
    }
  };
  // Helpers that only allocation/teardown reach (`Foo_new` → `foo_fill(self)`) build the object too…
  spread(lifecycle, direct);
  // …and helpers only re-initialisation reaches (`tp_init` → `builder_create(&self->b)`) re-initialise.
  spread(reinit, (x) => lifecycle.has(x) || direct(x));
  return { lifecycle: (fn) => lifecycle.has(fn) || direct(fn), init: graph.initOnly, reinit };
}
