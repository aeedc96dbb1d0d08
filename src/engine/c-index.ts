// One pass over a C/C++ tree that collects what every rule needs (functions, calls, assignments,
// control-flow exits), so rules never walk the tree themselves. Calls inside ERROR nodes are kept:
// macros leave ERROR nodes in most real files, but the calls inside them survive.
import type { Node } from '../parse/parser.js';
import { condsAt, type CondFrame, type Lowered, type Region } from '../parse/lower.js';

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

export function norm(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
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

export function buildCIndex(root: Node): CIndex {
  const functions: FnInfo[] = [];
  const decls: DeclInfo[] = [];
  const calls: CallInfo[] = [];
  const assigns: AssignInfo[] = [];
  const updates: UpdateInfo[] = [];
  const exits: ExitInfo[] = [];
  const labels: LabelInfo[] = [];
  const breakables: (Span & { kind: 'loop' | 'switch' })[] = [];

  const nodes = root.descendantsOfType(typesFor(root));
  // Functions first (they are needed to attribute everything else).
  for (const node of nodes) {
    if (node.type !== 'function_definition') continue;
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
    let isStatic = false;
    for (const ch of node.children) {
      if (ch?.type === 'storage_class_specifier' && ch.text === 'static') isStatic = true;
    }
    functions.push({
      name,
      start: node.startIndex,
      end: node.endIndex,
      bodyStart: body.startIndex,
      params,
      returnType: norm(node.childForFieldName('type')?.text ?? ''),
      isStatic,
    });
  }
  functions.sort((a, b) => a.start - b.start);
  const fnAt = (offset: number) => functionIndexAt(functions, offset);

  for (const node of nodes) {
    switch (node.type) {
      case 'declaration': {
        const fn = fnAt(node.startIndex);
        // A file-scope declaration that error recovery produced from a broken function body is not a global.
        if (fn >= 0 || FILE_SCOPE_PARENTS.has(node.parent?.type ?? '')) collectDecl(node, fn, decls);
        break;
      }
      case 'call_expression': {
        const f = node.childForFieldName('function');
        if (!f) break;
        let name: string;
        if (f.type === 'identifier') name = f.text;
        else if (f.type === 'field_expression' || f.type === 'qualified_identifier' || f.type === 'template_function') name = f.text;
        else break;
        const argList = node.childForFieldName('arguments');
        const args: Arg[] = [];
        if (argList) {
          for (const a of argList.namedChildren) {
            if (!a || a.type === 'comment') continue;
            args.push({ text: a.text, start: a.startIndex, end: a.endIndex });
          }
        }
        calls.push({ name, start: node.startIndex, end: node.endIndex, nameEnd: f.endIndex, args, fn: fnAt(node.startIndex) });
        break;
      }
      case 'assignment_expression': {
        const l = node.childForFieldName('left');
        const r = node.childForFieldName('right');
        const op = node.childForFieldName('operator')?.text ?? node.child(1)?.text ?? '=';
        if (!l || !r) break;
        assigns.push({
          start: node.startIndex,
          end: node.endIndex,
          lhs: norm(l.text),
          lhsStart: l.startIndex,
          op,
          rhs: r.text,
          rhsStart: r.startIndex,
          isInit: false,
          fn: fnAt(node.startIndex),
        });
        break;
      }
      case 'init_declarator': {
        const v = node.childForFieldName('value');
        const name = declaratorName(node.childForFieldName('declarator'));
        if (!v || !name) break;
        assigns.push({
          start: node.startIndex,
          end: node.endIndex,
          lhs: name,
          lhsStart: node.startIndex,
          op: '=',
          rhs: v.text,
          rhsStart: v.startIndex,
          isInit: true,
          fn: fnAt(node.startIndex),
        });
        break;
      }
      case 'update_expression': {
        const arg = node.childForFieldName('argument');
        if (arg) updates.push({ start: node.startIndex, end: node.endIndex, target: norm(arg.text), fn: fnAt(node.startIndex) });
        break;
      }
      case 'return_statement':
        exits.push({ kind: 'return', start: node.startIndex, end: node.endIndex, fn: fnAt(node.startIndex) });
        break;
      case 'goto_statement':
        exits.push({
          kind: 'goto',
          start: node.startIndex,
          end: node.endIndex,
          label: node.childForFieldName('label')?.text ?? '',
          fn: fnAt(node.startIndex),
        });
        break;
      case 'break_statement':
        exits.push({ kind: 'break', start: node.startIndex, end: node.endIndex, fn: fnAt(node.startIndex) });
        break;
      case 'continue_statement':
        exits.push({ kind: 'continue', start: node.startIndex, end: node.endIndex, fn: fnAt(node.startIndex) });
        break;
      case 'labeled_statement': {
        const label = node.childForFieldName('label');
        if (label) labels.push({ name: label.text, start: node.startIndex, end: node.endIndex, fn: fnAt(node.startIndex) });
        break;
      }
      case 'for_statement':
      case 'for_range_loop':
      case 'while_statement':
      case 'do_statement':
        breakables.push({ kind: 'loop', start: node.startIndex, end: node.endIndex });
        break;
      case 'switch_statement':
        breakables.push({ kind: 'switch', start: node.startIndex, end: node.endIndex });
        break;
    }
  }
  return { functions, decls, calls, assigns, updates, exits, labels, breakables, hasError: root.hasError };
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
  /\b(_Thread_local|thread_local|__thread|Py_THREAD_LOCAL|\w+_TLS|_Atomic|atomic_\w+|std::atomic|std::once_flag|once_flag|PyMutex|PyThread_type_lock|Py_tss_t|pthread_mutex_t|pthread_rwlock_t|pthread_once_t|pthread_key_t|std::mutex|std::shared_mutex|std::recursive_mutex|CRITICAL_SECTION|SRWLOCK|INIT_ONCE|mtx_t|tss_t|PyThread_type_key)\b|__declspec\s*\(\s*thread\s*\)/;

function collectDecl(node: Node, fn: number, out: DeclInfo[]): void {
  let isStatic = false;
  let isExtern = false;
  let constBase = false;
  const typeParts: string[] = [];
  const declarators: Node[] = [];
  for (const ch of node.namedChildren) {
    if (!ch) continue;
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

/** Spans between a lock call and the matching unlock call (same lock argument) in the same function. */
export function lockSpans(index: CIndex): LockSpan[] {
  const spans: LockSpan[] = [];
  const open = new Map<string, CallInfo>();
  let fn = -2;
  for (const c of index.calls) {
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
      if (o) {
        spans.push({ start: o.end, end: c.start, call: o.name, lock: lockArg(o), fn: c.fn });
        open.delete(lockArg(o));
      }
    } else if (LOCK_CALL.test(base)) {
      open.set(lockArg(c), c);
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
const GUARD_DECL = /\b(?:std::)?(?:lock_guard|unique_lock|scoped_lock|shared_lock)\b|\bft_lock_guard\b|\bft_object_guard\b|\bscoped_critical_section\b|\bPyCriticalSection_Begin\b/;

/** Whether `offset` in function `fn` is protected by a lock: a lock span, a critical section, or a C++ scoped guard before it. */
export function protectedAt(index: CIndex, spans: LockSpan[], regions: Region[], code: string, fn: number, offset: number): string | null {
  for (const s of spans) if (s.fn === fn && s.start <= offset && offset < s.end) return s.call;
  for (const r of regionsAt(regions, offset)) if (r.kind !== 'allow_threads') return r.begin.name;
  const f = index.functions[fn];
  if (f && GUARD_DECL.test(code.slice(f.bodyStart, offset))) return 'a scoped lock guard';
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
