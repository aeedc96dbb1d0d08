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

export interface CIndex {
  functions: FnInfo[];
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
  return { functions, calls, assigns, updates, exits, labels, breakables, hasError: root.hasError };
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
