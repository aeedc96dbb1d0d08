// One pass over a C/C++ tree that collects what every rule needs (functions, calls, assignments,
// control-flow exits), so rules never walk the tree themselves. Calls inside ERROR nodes are kept:
// macros leave ERROR nodes in most real files, but the calls inside them survive.
import type { Node } from '../parse/parser.js';
import { condsAt, isIdChar, isIdStart, type CondFrame, type Lowered, type Region } from '../parse/lower.js';

export interface Span {
  start: number;
  end: number;
}

export interface Arg extends Span {
  text: string;
}

export interface FnInfo extends Span {
  name: string;
  bodyStart: number;
  params: { name: string; type: string }[];
  /** Return type text (without the declarator's pointer stars). */
  returnType: string;
  isStatic: boolean;
}

export interface CallInfo extends Span {
  name: string;
  nameEnd: number;
  args: Arg[];
  /** Index into functions, or -1 at file scope. */
  fn: number;
}

export interface AssignInfo extends Span {
  /** Left side as written (normalised whitespace). */
  lhs: string;
  lhsStart: number;
  op: string;
  /** Right side text. */
  rhs: string;
  rhsStart: number;
  /** True for `T x = …` declarations. */
  isInit: boolean;
  fn: number;
}

export interface ExitInfo extends Span {
  kind: 'return' | 'goto' | 'break' | 'continue';
  /** goto label. */
  label?: string;
  fn: number;
}

export interface LabelInfo extends Span {
  name: string;
  fn: number;
}

export interface UpdateInfo extends Span {
  target: string;
  fn: number;
}

export interface DeclInfo extends Span {
  name: string;
  /** Type text before the declarator (specifiers and qualifiers), normalised. */
  type: string;
  /** Declarator text without the initializer, e.g. `*cache`, `buf[256]`. */
  declarator: string;
  isStatic: boolean;
  isExtern: boolean;
  /** The object itself is const (`const int x`, `T *const p`). */
  isConst: boolean;
  isArray: boolean;
  isPointer: boolean;
  /** Thread-local, atomic, or a lock object: never a data race by itself. */
  isThreadSafe: boolean;
  initializer: string | null;
  nameStart: number;
  /** Index into functions, or -1 at file scope. */
  fn: number;
}

export interface CIndex {
  functions: FnInfo[];
  /** Variable declarations (not function prototypes, not typedefs). */
  decls: DeclInfo[];
  calls: CallInfo[];
  assigns: AssignInfo[];
  updates: UpdateInfo[];
  exits: ExitInfo[];
  labels: LabelInfo[];
  /** Loops and switches, which `break`/`continue` leave. */
  breakables: (Span & { kind: 'loop' | 'switch' })[];
  /** struct_specifier and type_definition nodes (valid until the tree is deleted). */
  structNodes: Node[];
  /** function_definition nodes, in the order of `functions` before sorting (valid until the tree is deleted). */
  functionNodes: Node[];
  /** The tree has ERROR nodes (usually macros tree-sitter cannot see through). */
  hasError: boolean;
}

const INDEX_TYPES = [
  'function_definition',
  'declaration',
  'call_expression',
  'assignment_expression',
  'init_declarator',
  'update_expression',
  'return_statement',
  'goto_statement',
  'break_statement',
  'continue_statement',
  'labeled_statement',
  'for_statement',
  'for_range_loop',
  'while_statement',
  'do_statement',
  'switch_statement',
  'struct_specifier',
  'type_definition',
];

// descendantsOfType returns nothing at all if one type name is unknown to the grammar, so keep
// only the names each grammar has.
const typesByLanguage = new WeakMap<object, string[]>();
function typesFor(root: Node): string[] {
  const lang = root.tree.language;
  let types = typesByLanguage.get(lang);
  if (!types) {
    types = INDEX_TYPES.filter((t) => lang.idForNodeType(t, true) !== null);
    typesByLanguage.set(lang, types);
  }
  return types;
}

/** Blanks collapsed to one space, none at either end. */
export function norm(s: string): string {
  return isNorm(s) ? s : s.replace(/\s+/g, ' ').trim();
}

/** Already as `norm` makes it (most texts are): one pass, no new string. */
function isNorm(s: string): boolean {
  let prevSpace = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) {
      if (prevSpace) return false;
      prevSpace = true;
    } else if (isSpace(c)) return false;
    else prevSpace = false;
  }
  return !prevSpace || s.length === 0;
}

function declaratorName(d: Node | null): string | null {
  let cur: Node | null = d;
  for (let depth = 0; cur && depth < 12; depth++) {
    switch (cur.type) {
      case 'identifier':
      case 'field_identifier':
      case 'type_identifier':
        return cur.text;
      case 'qualified_identifier':
      case 'destructor_name':
      case 'operator_name':
        return cur.text;
      case 'function_declarator':
      case 'pointer_declarator':
      case 'reference_declarator':
      case 'array_declarator':
      case 'init_declarator':
      case 'parenthesized_declarator':
      case 'attributed_declarator':
        cur = cur.childForFieldName('declarator') ?? cur.namedChild(0);
        break;
      default:
        return null;
    }
  }
  return null;
}

function findFunctionDeclarator(d: Node | null): Node | null {
  let cur: Node | null = d;
  for (let depth = 0; cur && depth < 12; depth++) {
    if (cur.type === 'function_declarator') return cur;
    cur = cur.childForFieldName('declarator');
  }
  return null;
}

/** Index of the top-level assignment operator in code[s, e), or -1. */
function assignOp(code: string, s: number, e: number): { at: number; op: string } | -1 {
  let depth = 0;
  for (let i = s; i < e; i++) {
    const c = code.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (c === 61 && depth === 0) {
      const next = code.charCodeAt(i + 1);
      if (next === 61) {
        i++;
        continue; // ==
      }
      const prev = code.charCodeAt(i - 1);
      if (prev === 61 || prev === 33) continue; // ==, !=
      let opStart = i;
      if (prev === 60 || prev === 62) {
        // <=, >= are comparisons; <<=, >>= are assignments
        if (code.charCodeAt(i - 2) !== prev) continue;
        opStart = i - 2;
      } else if ('+-*/%&|^'.includes(code[i - 1] as string)) opStart = i - 1;
      return { at: opStart, op: code.slice(opStart, i + 1) };
    }
  }
  return -1;
}

/** Exactly the characters `/\s/` matches, without running a regular expression per character. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 160 || c === 0xfeff || c === 0x2028 || c === 0x2029 || (c >= 0x2000 && c <= 0x200a) || c === 0x1680 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/**
 * What `/([A-Za-z_]\w*)\s*$/.exec(s)` finds (the identifier that ends `s`, blanks after it allowed), by one scan
 * backwards: that regular expression retries from every letter of a long head.
 */
export function trailingIdent(s: string): { index: number; 1: string } | null {
  let r = s.length;
  while (r > 0 && isSpace(s.charCodeAt(r - 1))) r--;
  let q = r;
  while (q > 0 && isIdChar(s.charCodeAt(q - 1))) q--;
  // The leftmost start in the run that is not a digit.
  while (q < r && !isIdStart(s.charCodeAt(q))) q++;
  return q < r ? { index: q, 1: s.slice(q, r) } : null;
}

/** Splits code[s, e) at top-level commas into trimmed argument spans. */
function splitArgSpans(code: string, s: number, e: number): Span[];
/** The same, each span with its original text (`text[start, end)`). */
function splitArgSpans(code: string, s: number, e: number, text: string): Arg[];
function splitArgSpans(code: string, s: number, e: number, text?: string): Span[] {
  const out: (Span | Arg)[] = [];
  let depth = 0;
  let segStart = s;
  const push = (a: number, b: number) => {
    while (a < b && isSpace(code.charCodeAt(a))) a++;
    while (b > a && isSpace(code.charCodeAt(b - 1))) b--;
    if (b > a) out.push(text === undefined ? { start: a, end: b } : { start: a, end: b, text: text.slice(a, b) });
  };
  for (let i = s; i < e; i++) {
    const c = code.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (c === 44 && depth === 0) {
      push(segStart, i);
      segStart = i + 1;
    }
  }
  push(segStart, e);
  return out;
}

const WRAPPER_MACRO = /^(__attribute__|__declspec|Py_GCC_ATTRIBUTE|PyAPI_FUNC|Py_EXPORTED_SYMBOL|Py_LOCAL_SYMBOL|Py_NO_INLINE|alignas|_Alignas|__asm__|asm)$/;
const NOT_A_NAME = /^(if|while|for|switch|return|sizeof|defined|const|volatile|static|inline|extern|struct|union|enum|unsigned|signed|void)$/;

/**
 * `[storage] type *name(T1 a, T2 *b) { … }` read from the code view, or null when the head is not that
 * simple shape (function pointers, wrapper macros with arguments before the name, K&R parameters).
 */
function functionFromText(code: string, start: number, end: number): FnInfo | null {
  // Body: the first `{` at parenthesis depth 0.
  let depth = 0;
  let open = -1;
  let firstParen = -1;
  let firstClose = -1;
  for (let i = start; i < end; i++) {
    const c = code.charCodeAt(i);
    if (c === 40) {
      if (depth === 0 && firstParen === -1) firstParen = i;
      depth++;
    } else if (c === 41) {
      depth--;
      if (depth === 0 && firstClose === -1) firstClose = i;
    } else if (c === 123 && depth === 0) {
      open = i;
      break;
    } else if (c === 59 && depth === 0) return null;
  }
  if (open === -1 || firstParen === -1 || firstClose === -1) return null;
  // Only whitespace between the parameter list and the body (no K&R declarations, no second list).
  if (code.slice(firstClose + 1, open).trim() !== '') return null;
  const head = code.slice(start, firstParen);
  const nm = trailingIdent(head);
  if (!nm || NOT_A_NAME.test(nm[1] as string) || WRAPPER_MACRO.test(nm[1] as string)) return null;
  if (/[()]/.test(head)) return null;
  const params: { name: string; type: string }[] = [];
  for (const p of splitArgSpans(code, firstParen + 1, firstClose)) {
    const t = code.slice(p.start, p.end);
    if (t === 'void' || t === '...') continue;
    if (/[()]/.test(t)) return null; // function-pointer parameter: let the tree read it
    const bracket = t.indexOf('[');
    const base = bracket === -1 ? t : t.slice(0, bracket);
    const pm = trailingIdent(base);
    if (!pm) return null;
    const type = norm(base.slice(0, pm.index).replace(/[*&\s]+$/, ''));
    if (type === '') return null; // K&R or a bare type: let the tree decide
    params.push({ name: pm[1] as string, type });
  }
  const returnType = norm(head.slice(0, nm.index).replace(/\b(static|inline|extern|__inline|__inline__|__forceinline)\b/g, '').replace(/[*&\s]+$/, ''));
  return {
    name: nm[1] as string,
    start,
    end,
    bodyStart: open,
    params,
    returnType,
    isStatic: /^\s*(?:[A-Za-z_]\w*\s+)*?static\b/.test(head),
  };
}

/**
 * A local declaration without storage class, read from its text: `T *a = init, b[4];`. Returns false when
 * the text is not that simple shape (the caller then uses the tree).
 */
function localDecl(code: string, text: string, s: number, e: number, fn: number, out: DeclInfo[]): boolean {
  const src = code.slice(s, e);
  if (/^\s*(static|extern|typedef|thread_local|_Thread_local|__thread)\b/.test(src) || src.includes('(*') || !src.trimEnd().endsWith(';')) return false;
  const pieces = splitArgSpans(code, s, e - 1 - (src.length - src.trimEnd().length));
  if (pieces.length === 0) return false;
  let typeEnd = -1;
  pieces.forEach((p, i) => {
    const op = assignOp(code, p.start, p.end);
    const declEnd = op === -1 ? p.end : op.at;
    const head = code.slice(p.start, declEnd);
    const bracket = head.indexOf('[');
    const beforeBracket = bracket === -1 ? head : head.slice(0, bracket);
    const nm = trailingIdent(beforeBracket);
    if (!nm) return;
    const nameStart = p.start + nm.index;
    if (i === 0) typeEnd = nameStart;
    const declarator = code.slice(i === 0 ? nameStart : p.start, declEnd);
    const isPointer = i === 0 ? /\*\s*$/.test(code.slice(s, nameStart)) : /\*/.test(declarator);
    let init: string | null = null;
    if (op !== -1) {
      let rs = op.at + 1;
      while (rs < p.end && /\s/.test(code[rs] as string)) rs++;
      init = text.slice(rs, p.end);
    }
    out.push({
      name: nm[1] as string,
      nameStart,
      start: s,
      end: e,
      type: norm(code.slice(s, typeEnd).replace(/\*+\s*$/, '')),
      declarator: norm(declarator),
      isStatic: false,
      isExtern: false,
      isConst: false,
      isArray: bracket !== -1,
      isPointer,
      isThreadSafe: false,
      initializer: init,
      fn,
    });
  });
  return typeEnd !== -1;
}

const CALLEE = /(?:::\s*)?([A-Za-z_]\w*(?:\s*(?:->|\.|::)\s*~?[A-Za-z_]\w*)*)\s*\(/y;

/**
 * One pass over the tree (a single native `descendantsOfType`), then details from the node spans and the
 * code view (comments and string contents blanked) rather than per-node tree calls: crossing into wasm
 * per field is what costs. `text` is the lowered source (same offsets), for argument texts with strings.
 */
export function buildCIndex(root: Node, code: string, text: string): CIndex {
  const functions: FnInfo[] = [];
  const decls: DeclInfo[] = [];
  const calls: CallInfo[] = [];
  const assigns: AssignInfo[] = [];
  const updates: UpdateInfo[] = [];
  const exits: ExitInfo[] = [];
  const labels: LabelInfo[] = [];
  const breakables: (Span & { kind: 'loop' | 'switch' })[] = [];
  const structNodes: Node[] = [];
  const functionNodes: Node[] = [];

  const all = root.descendantsOfType(typesFor(root));
  // Read each node's type once (every getter is a call into wasm).
  const nodes: Node[] = [];
  const nodeTypes: string[] = [];
  const fnNodes: Node[] = [];
  for (const node of all) {
    if (!node) continue;
    const type = node.type;
    if (type === 'struct_specifier' || type === 'type_definition') structNodes.push(node);
    else if (type === 'function_definition') fnNodes.push(node);
    else {
      nodes.push(node);
      nodeTypes.push(type);
    }
  }
  for (const node of fnNodes) {
    // The common shape is read from text; anything unusual falls back to the tree.
    const fast = functionFromText(code, node.startIndex, node.endIndex);
    if (fast) {
      functions.push(fast);
      functionNodes.push(node);
      continue;
    }
    const decl = node.childForFieldName('declarator');
    const fdecl = findFunctionDeclarator(decl);
    const body = node.childForFieldName('body');
    if (!fdecl || !body) continue;
    const name = declaratorName(fdecl.childForFieldName('declarator'));
    if (!name) continue;
    const params: { name: string; type: string }[] = [];
    const plist = fdecl.childForFieldName('parameters');
    if (plist) {
      for (const p of plist.namedChildren) {
        if (!p || p.type !== 'parameter_declaration') continue;
        const pname = declaratorName(p.childForFieldName('declarator'));
        const ptype = p.childForFieldName('type')?.text ?? '';
        if (pname) params.push({ name: pname, type: norm(ptype) });
      }
    }
    const head = code.slice(node.startIndex, body.startIndex);
    functions.push({
      name,
      start: node.startIndex,
      end: node.endIndex,
      bodyStart: body.startIndex,
      params,
      returnType: norm(node.childForFieldName('type')?.text ?? ''),
      isStatic: /^\s*(?:[A-Za-z_]\w*\s+)*?static\b/.test(head),
    });
    functionNodes.push(node);
  }
  functions.sort((a, b) => a.start - b.start);
  const fnAt = (offset: number) => functionIndexAt(functions, offset);

  for (let k = 0; k < nodes.length; k++) {
    const node = nodes[k] as Node;
    const type = nodeTypes[k] as string;
    const s = node.startIndex;
    const e = node.endIndex;
    switch (type) {
      case 'declaration': {
        const fn = fnAt(s);
        // Plain locals are read from text (only their names matter); statics and file scope from the tree.
        if (fn >= 0 && localDecl(code, text, s, e, fn, decls)) break;
        // A file-scope declaration that error recovery produced from a broken function body is not a global.
        if (fn >= 0 || FILE_SCOPE_PARENTS.has(node.parent?.type ?? '')) collectDecl(node, fn, decls);
        break;
      }
      case 'call_expression': {
        CALLEE.lastIndex = s;
        const m = CALLEE.exec(code);
        if (!m) break;
        const open = s + m[0].length - 1;
        const nameEnd = s + m[0].indexOf(m[1] as string) + (m[1] as string).length; // after a leading `::`
        if (code.charCodeAt(e - 1) !== 41) break;
        const args = splitArgSpans(code, open + 1, e - 1, text);
        calls.push({ name: (m[1] as string).replace(/\s+/g, ''), start: s, end: e, nameEnd, args, fn: fnAt(s) });
        break;
      }
      case 'assignment_expression': {
        const op = assignOp(code, s, e);
        if (op === -1) break;
        let rs = op.at + op.op.length;
        while (rs < e && /\s/.test(code[rs] as string)) rs++;
        assigns.push({ start: s, end: e, lhs: norm(code.slice(s, op.at)), lhsStart: s, op: op.op, rhs: text.slice(rs, e), rhsStart: rs, isInit: false, fn: fnAt(s) });
        break;
      }
      case 'init_declarator': {
        const op = assignOp(code, s, e);
        if (op === -1 || op.op !== '=') break;
        const nm = /^[\s*&(]*([A-Za-z_]\w*)/.exec(code.slice(s, op.at));
        if (!nm) break;
        let rs = op.at + 1;
        while (rs < e && /\s/.test(code[rs] as string)) rs++;
        assigns.push({ start: s, end: e, lhs: nm[1] as string, lhsStart: s, op: '=', rhs: text.slice(rs, e), rhsStart: rs, isInit: true, fn: fnAt(s) });
        break;
      }
      case 'update_expression':
        updates.push({ start: s, end: e, target: norm(code.slice(s, e).replace(/\+\+|--/g, '')), fn: fnAt(s) });
        break;
      case 'return_statement':
        exits.push({ kind: 'return', start: s, end: e, fn: fnAt(s) });
        break;
      case 'goto_statement':
        exits.push({ kind: 'goto', start: s, end: e, label: /goto\s+(\w+)/.exec(code.slice(s, e))?.[1] ?? '', fn: fnAt(s) });
        break;
      case 'break_statement':
        exits.push({ kind: 'break', start: s, end: e, fn: fnAt(s) });
        break;
      case 'continue_statement':
        exits.push({ kind: 'continue', start: s, end: e, fn: fnAt(s) });
        break;
      case 'labeled_statement': {
        const lm = /^\s*([A-Za-z_]\w*)\s*:/.exec(code.slice(s, Math.min(e, s + 200)));
        if (lm) labels.push({ name: lm[1] as string, start: s, end: e, fn: fnAt(s) });
        break;
      }
      case 'for_statement':
      case 'for_range_loop':
      case 'while_statement':
      case 'do_statement':
        breakables.push({ kind: 'loop', start: s, end: e });
        break;
      case 'switch_statement':
        breakables.push({ kind: 'switch', start: s, end: e });
        break;
    }
  }
  return { functions, decls, calls, assigns, updates, exits, labels, breakables, structNodes, functionNodes, hasError: root.hasError };
}

/** Name of the function with index `i` in `index.functions`, or '' (file scope, -1). */
/** A plain callee name, or a C++ qualified one reduced to its last part (`ns::f` → `f`); null for `p->f`, `o.f`. */
export function calleeName(name: string): string | null {
  if (/^[A-Za-z_]\w*$/.test(name)) return name;
  const m = /^(?:[A-Za-z_]\w*)?(?:::[A-Za-z_]\w*)*::([A-Za-z_]\w*)$/.exec(name);
  return m ? (m[1] as string) : null;
}

export function functionName(index: CIndex, i: number): string {
  return i >= 0 ? (index.functions[i]?.name ?? '') : '';
}

export function functionIndexAt(functions: FnInfo[], offset: number): number {
  let lo = 0;
  let hi = functions.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = functions[mid] as FnInfo;
    if (f.start <= offset) {
      if (offset < f.end) found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Strips casts, parentheses, `&`/`*` decoration and whitespace, so `(PyObject *)self` == `self`. */
export function normObject(expr: string): string {
  let t = expr.replace(/\s+/g, '');
  for (let k = 0; k < 6; k++) {
    const before = t;
    t = t.replace(/^\((?:const)?(?:struct)?[A-Za-z_]\w*\**\)/, ''); // (PyObject*)x
    t = t.replace(/^_?PyObject_CAST\((.*)\)$/, '$1').replace(/^_Py_CAST\([^,]*,(.*)\)$/, '$1');
    if (t.startsWith('(') && t.endsWith(')')) {
      let d = 0;
      let ok = true;
      for (let i = 0; i < t.length - 1; i++) {
        if (t[i] === '(') d++;
        else if (t[i] === ')') d--;
        if (d === 0) {
          ok = false;
          break;
        }
      }
      if (ok) t = t.slice(1, -1);
    }
    if (t === before) break;
  }
  return t;
}

/** Regions (innermost last) that contain `offset` strictly between their BEGIN and END. */
export function regionsAt(regions: Region[], offset: number): Region[] {
  const out: Region[] = [];
  for (const r of regions) {
    if (r.begin.end <= offset && (r.end === null ? false : offset < r.end.start)) out.push(r);
  }
  return out;
}

/** True when a critical section held at `offset` locks `obj` (compared after normalisation). */
export function lockedAt(regions: Region[], offset: number, obj: string): boolean {
  const target = normObject(obj);
  for (const r of regionsAt(regions, offset)) {
    if (r.kind === 'allow_threads') continue;
    if (r.kind === 'cs_mutex' || r.kind === 'cs2_mutex') continue;
    if (r.begin.args.some((a) => normObject(a) === target)) return true;
  }
  return false;
}

export function condTextsAt(lowered: Lowered, offset: number): string[] {
  return condsAt(lowered.conds, offset).map((f: CondFrame) => f.cond);
}

const FILE_SCOPE_PARENTS = new Set([
  'translation_unit',
  'preproc_if',
  'preproc_ifdef',
  'preproc_else',
  'preproc_elif',
  'preproc_elifdef',
  'linkage_specification',
  'declaration_list',
]);

const THREAD_SAFE_TYPE =
  /\b(_Thread_local|thread_local|__thread|Py_THREAD_LOCAL|_Py_thread_local|\w+_TLS|_Atomic|atomic_\w+|std::atomic|std::once_flag|once_flag|PyMutex|PyThread_type_lock|Py_tss_t|pthread_mutex_t|pthread_rwlock_t|pthread_once_t|pthread_key_t|std::mutex|std::shared_mutex|std::recursive_mutex|CRITICAL_SECTION|SRWLOCK|INIT_ONCE|mtx_t|tss_t|PyThread_type_key)\b|__declspec\s*\(\s*thread\s*\)/;

function collectDecl(node: Node, fn: number, out: DeclInfo[]): void {
  let isStatic = false;
  let isExtern = false;
  let constBase = false;
  const typeParts: string[] = [];
  const declarators: Node[] = [];
  const typeStart = node.childForFieldName('type')?.startIndex ?? -1;
  for (const ch of node.namedChildren) {
    if (!ch) continue;
    // C++: `std::mutex Registry::mu;` names a class static by its qualified name (the declarator, not the type).
    if (ch.type === 'qualified_identifier' && ch.startIndex !== typeStart) {
      declarators.push(ch);
      continue;
    }
    switch (ch.type) {
      case 'storage_class_specifier':
        if (ch.text === 'static') isStatic = true;
        else if (ch.text === 'extern') isExtern = true;
        typeParts.push(ch.text);
        break;
      case 'type_qualifier':
        if (ch.text === 'const' || ch.text === 'constexpr') constBase = true;
        typeParts.push(ch.text);
        break;
      case 'identifier':
      case 'init_declarator':
      case 'pointer_declarator':
      case 'array_declarator':
      case 'function_declarator':
      case 'parenthesized_declarator':
      case 'reference_declarator':
      case 'attributed_declarator':
        declarators.push(ch);
        break;
      default:
        typeParts.push(ch.text);
    }
  }
  const type = norm(typeParts.join(' '));
  const threadSafeType = THREAD_SAFE_TYPE.test(type);
  for (const d of declarators) {
    const inner = d.type === 'init_declarator' ? d.childForFieldName('declarator') : d;
    if (!inner) continue;
    // A function prototype (not a function-pointer variable) is not a variable.
    let cur: Node | null = inner;
    let isPointer = false;
    let isArray = false;
    let isFunction = false;
    let outerPointerConst = false;
    let first = true;
    for (let depth = 0; cur && depth < 12; depth++) {
      if (cur.type === 'pointer_declarator') {
        isPointer = true;
        if (first && cur.namedChildren.some((c) => c?.type === 'type_qualifier' && c.text === 'const')) outerPointerConst = true;
      } else if (cur.type === 'array_declarator') isArray = true;
      else if (cur.type === 'function_declarator') {
        if (!isPointer) isFunction = true;
      } else if (cur.type === 'parenthesized_declarator') {
        // (*fp)(…): pointer to function
      } else break;
      first = false;
      cur = cur.childForFieldName('declarator') ?? (cur.type === 'parenthesized_declarator' ? cur.namedChild(0) : null);
    }
    if (isFunction) continue;
    const nameNode = findName(inner);
    if (!nameNode) continue;
    const value = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
    out.push({
      name: nameNode.text,
      nameStart: nameNode.startIndex,
      start: node.startIndex,
      end: node.endIndex,
      type,
      declarator: norm(inner.text),
      isStatic,
      isExtern,
      isConst: isPointer ? outerPointerConst : constBase,
      isArray,
      isPointer,
      isThreadSafe: threadSafeType || THREAD_SAFE_TYPE.test(node.text.slice(0, Math.max(0, nameNode.startIndex - node.startIndex))),
      initializer: value ? value.text : null,
      fn,
    });
  }
}

function findName(d: Node): Node | null {
  let cur: Node | null = d;
  for (let depth = 0; cur && depth < 12; depth++) {
    if (cur.type === 'identifier' || cur.type === 'field_identifier') return cur;
    if (cur.type === 'qualified_identifier') return cur;
    cur = cur.childForFieldName('declarator') ?? cur.namedChild(0);
  }
  return null;
}

const LOCK_CALL = /(?:^|_)(?:lock|acquire|wrlock|enter)(?:_timed)?$|^(?:PyMutex_Lock|pthread_mutex_lock|pthread_rwlock_wrlock|pthread_rwlock_rdlock|PyThread_acquire_lock(?:_timed)?|EnterCriticalSection|AcquireSRWLockExclusive|AcquireSRWLockShared|mtx_lock|ACQUIRE_LOCK|LOCK|ENTER_\w+)$/i;
const UNLOCK_CALL = /(?:^|_)(?:unlock|release|leave)$|^(?:PyMutex_Unlock|pthread_mutex_unlock|pthread_rwlock_unlock|PyThread_release_lock|LeaveCriticalSection|ReleaseSRWLockExclusive|ReleaseSRWLockShared|mtx_unlock|RELEASE_LOCK|UNLOCK|LEAVE_\w+)$/i;
const NOT_A_LOCK = /allocate|alloc|free|init|new|create|destroy|is_?locked|trylock|_clear|Py_?GILState/i;

export interface LockSpan extends Span {
  /** The lock call, e.g. `PyMutex_Lock(&state->mutex)`. */
  call: string;
  lock: string;
  fn: number;
}

const spanCache = new WeakMap<CIndex, LockSpan[]>();
const guardCache = new WeakMap<CIndex, Map<number, [number, number][]>>();

/** Spans between a lock call and the matching unlock call (same lock argument) in the same function. Memoised per index. */
export function lockSpans(index: CIndex): LockSpan[] {
  let spans = spanCache.get(index);
  if (!spans) spanCache.set(index, (spans = computeLockSpans(index)));
  return spans;
}

function computeLockSpans(index: CIndex): LockSpan[] {
  const spans: LockSpan[] = [];
  const open = new Map<string, CallInfo>();
  let fn = -2;
  const calls = index.calls;
  const exits = index.exits;
  let ei = 0;
  // `unlock(m); return NULL;` on an error path releases the lock for that path only: the span goes on after it.
  const earlyExit = (k: number, c: CallInfo): boolean => {
    while (ei < exits.length && (exits[ei] as ExitInfo).start < c.end) ei++;
    const e = exits[ei];
    if (!e || e.fn !== c.fn || (e.kind !== 'return' && e.kind !== 'goto') || e.start - c.end > 24) return false;
    // Only when the same lock is released again later in the function (the path that goes on).
    const key = lockArg(c);
    for (let j = k + 1; j < calls.length && (calls[j] as CallInfo).fn === c.fn; j++) {
      const d = calls[j] as CallInfo;
      if (UNLOCK_CALL.test(d.name.replace(/^.*[.>:]/, '')) && lockArg(d) === key) return true;
    }
    return false;
  };
  for (let k = 0; k < calls.length; k++) {
    const c = calls[k] as CallInfo;
    if (c.fn !== fn) {
      for (const o of open.values()) spans.push({ start: o.end, end: index.functions[o.fn]?.end ?? o.end, call: o.name, lock: lockArg(o), fn: o.fn });
      open.clear();
      fn = c.fn;
    }
    if (c.fn < 0 || NOT_A_LOCK.test(c.name)) continue;
    const base = c.name.replace(/^.*[.>:]/, '');
    if (UNLOCK_CALL.test(base)) {
      const key = lockArg(c);
      const o = open.get(key) ?? (open.size === 1 ? [...open.values()][0] : undefined);
      if (o && !earlyExit(k, c)) {
        spans.push({ start: o.end, end: c.start, call: o.name, lock: lockArg(o), fn: c.fn });
        open.delete(lockArg(o));
      }
    } else if (LOCK_CALL.test(base)) {
      // Taken again while a span is still open (after an early-return unlock): the earlier span ends here.
      const key = lockArg(c);
      const prev = open.get(key);
      if (prev) spans.push({ start: prev.end, end: c.start, call: prev.name, lock: key, fn: prev.fn });
      open.set(key, c);
    }
  }
  for (const o of open.values()) spans.push({ start: o.end, end: index.functions[o.fn]?.end ?? o.end, call: o.name, lock: lockArg(o), fn: o.fn });
  return spans;
}

function lockArg(c: CallInfo): string {
  const a = c.args[0]?.text ?? c.name.replace(/[.>-]+\w+$/, '');
  return normObject(a.replace(/^&/, ''));
}

/** C++ scoped guards: `std::lock_guard<…> g(m);`, `std::unique_lock`, `std::scoped_lock`, `nb::ft_lock_guard`, `py::scoped_critical_section`. */
const GUARD_DECL_ALL = /\b(?:std::)?(?:lock_guard|unique_lock|scoped_lock|shared_lock)\b|\bft_lock_guard\b|\bft_object_guard\b|\bscoped_critical_section\b|\bPyCriticalSection_Begin\b/g;

/** Whether `offset` in function `fn` is protected by a lock: a lock span, a critical section, or a C++ scoped guard before it. */
export function protectedAt(index: CIndex, spans: LockSpan[], regions: Region[], code: string, fn: number, offset: number): string | null {
  for (const s of spans) if (s.fn === fn && s.start <= offset && offset < s.end) return s.call;
  for (const r of regionsAt(regions, offset)) if (r.kind !== 'allow_threads') return r.begin.name;
  // C++ scoped guards hold from their declaration to the end of the block that declares them (once per function).
  let guards = guardCache.get(index);
  if (!guards) guardCache.set(index, (guards = new Map()));
  let spansOf = guards.get(fn);
  if (spansOf === undefined) {
    spansOf = [];
    const f = index.functions[fn];
    if (f) {
      const body = code.slice(f.bodyStart, f.end);
      const re = GUARD_DECL_ALL;
      re.lastIndex = 0;
      for (let m = re.exec(body); m; m = re.exec(body)) {
        const at = f.bodyStart + m.index;
        const stmtEnd = code.indexOf(';', at);
        const decl = code.slice(at, stmtEnd < 0 ? f.end : stmtEnd);
        // Not holding: `std::unique_lock l(m, std::defer_lock)` / `try_to_lock` (may not hold), and a guard declared in an
        // `if (…; …)` / `switch (…; …)` head (it ends with that statement, which this span would overrun).
        if (/\b(?:defer_lock|try_to_lock)\b/.test(decl) || /\b(?:if|switch)\s*\(\s*$/.test(code.slice(Math.max(f.bodyStart, at - 40), at).replace(/(?:const\s+)?(?:std::)?$/, ''))) continue;
        let depth = 0;
        let open = -1;
        for (let k = at - 1; k >= f.bodyStart; k--) {
          const ch = code.charCodeAt(k);
          if (ch === 125) depth++;
          else if (ch === 123) {
            if (depth === 0) {
              open = k;
              break;
            }
            depth--;
          }
        }
        let close = f.end;
        if (open >= 0) {
          let d = 0;
          for (let k = open; k < f.end; k++) {
            const ch = code.charCodeAt(k);
            if (ch === 123) d++;
            else if (ch === 125 && --d === 0) {
              close = k;
              break;
            }
          }
        }
        // `lock.unlock()` on a unique_lock ends it early.
        const v = /^[^;(]*?>?\s*([A-Za-z_]\w*)\s*[({]/.exec(decl.replace(/^[\w:]+(?:\s*<[^;]*?>)?\s*/, (x) => x + ' '))?.[1];
        const unlockAt = v ? code.slice(at, close).search(new RegExp(`\\b${v}\\s*(?:\\.|->)\\s*unlock\\s*\\(`)) : -1;
        spansOf.push([at, unlockAt >= 0 ? at + unlockAt : close]);
      }
    }
    guards.set(fn, spansOf);
  }
  for (const [a, b] of spansOf) if (a < offset && offset < b) return 'a scoped lock guard';
  return null;
}

/** True when no block that contains `from` closes before `to`: a statement at `from` is on the path to `to`. */
export function onPath(code: string, from: number, to: number): boolean {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const ch = code.charCodeAt(i);
    if (ch === 123) depth++;
    else if (ch === 125 && --depth < 0) return false;
  }
  return true;
}

const byName = new WeakMap<CIndex, Map<string, CallInfo[]>>();

/** The calls of a file to `name`, in document order (grouped once per index). */
/** The one `id = …` assignment of a local in function `fn`, when it has exactly one and it comes before `at`. */
export function soleAssignment(index: CIndex, fn: number, id: string, at: number): AssignInfo | undefined {
  const all = index.assigns.filter((a) => a.fn === fn && a.lhs === id);
  const only = all.length === 1 ? all[0] : undefined;
  return only && only.start < at && only.op === '=' ? only : undefined;
}

export function callsNamed(index: CIndex, name: string): CallInfo[] {
  let m = byName.get(index);
  if (!m) {
    m = new Map();
    for (const c of index.calls) {
      const list = m.get(c.name);
      if (list) list.push(c);
      else m.set(c.name, [c]);
    }
    byName.set(index, m);
  }
  return m.get(name) ?? [];
}

const referenced = new WeakMap<CIndex, Set<string>>();

/**
 * Words of the code view that appear somewhere not followed by `(` (within 40 characters of blanks): a function
 * named there has its address taken (a method table, a callback). One scan per index instead of one per function;
 * `code` must be the code view the index was built from (the result is kept with the index).
 */
export function referencedNotCalled(index: CIndex, code: string): Set<string> {
  let s = referenced.get(index);
  if (!s) {
    s = new Set();
    const word = /\w+/g;
    for (let m = word.exec(code); m; m = word.exec(code)) {
      const w = m[0];
      if (s.has(w)) continue;
      let k = m.index + w.length;
      const stop = k + 40;
      while (k < stop && k < code.length && isSpace(code.charCodeAt(k))) k++;
      if (k >= stop || code.charCodeAt(k) !== 40) s.add(w);
    }
    referenced.set(index, s);
  }
  return s;
}
