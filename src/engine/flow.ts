// A small path analysis over one C function body: which acquired resources (PyGILState_Ensure,
// PyMutex_Lock, PyEval_SaveThread) may still be held when the function returns.
//
// It walks the statement tree once, carrying the set of resources that may be held (a union over
// paths): `if`/`else` and `#if` branches are joined, loops are joined with their entry, `switch` cases
// with the switch entry, forward `goto`s flow into their labels, `break` into the end of its loop.
// Not modelled (and kept quiet rather than noisy): backward gotos, longjmp, exits hidden in macros,
// conditions correlated across branches.
import type { Node } from '../parse/parser.js';
import { normObject } from './c-index.js';

export interface Transfer {
  /** Resource key acquired by this call, or null. */
  acquire(name: string, args: string[]): string | null;
  /** Resource key released by this call, or null. */
  release(name: string, args: string[]): string | null;
}

export interface ExitState {
  node: Node;
  kind: 'return' | 'end';
  held: Set<string>;
}

type State = Set<string> | null; // null: unreachable

const join = (a: State, b: State): State => {
  if (a === null) return b === null ? null : new Set(b);
  if (b === null) return new Set(a);
  return new Set([...a, ...b]);
};

export function analyzeFunction(body: Node, t: Transfer, maxNodes = 50_000): ExitState[] {
  const exits: ExitState[] = [];
  const pendingGoto = new Map<string, State>();
  const breakStack: State[][] = [];
  let budget = maxNodes;

  const applyCalls = (node: Node, s: State): State => {
    if (s === null) return null;
    let cur = s;
    const calls = node.type === 'call_expression' ? [node] : node.descendantsOfType('call_expression');
    for (const c of calls) {
      if (!c) continue;
      const f = c.childForFieldName('function');
      if (!f || f.type !== 'identifier') continue;
      const args = (c.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => a !== null).map((a) => a.text);
      const rel = t.release(f.text, args);
      if (rel !== null && cur.has(rel)) {
        cur = new Set(cur);
        cur.delete(rel);
      }
      const acq = t.acquire(f.text, args);
      if (acq !== null) cur = new Set([...cur, acq]);
    }
    return cur;
  };

  const walk = (node: Node | null, s: State): State => {
    if (!node || --budget < 0) return s;
    switch (node.type) {
      case 'compound_statement':
      case 'translation_unit':
      case 'ERROR': {
        let cur = s;
        for (const ch of node.namedChildren) cur = walk(ch, cur);
        return cur;
      }
      case 'if_statement': {
        const cond = applyCalls(node.childForFieldName('condition') ?? node, s);
        const a = walk(node.childForFieldName('consequence'), cond);
        const alt = node.childForFieldName('alternative');
        const b = alt ? walk(alt.type === 'else_clause' ? alt.namedChild(0) : alt, cond) : cond;
        return join(a, b);
      }
      case 'else_clause':
        return walk(node.namedChild(0), s);
      case 'while_statement':
      case 'for_statement':
      case 'for_range_loop':
      case 'do_statement': {
        let entry = s;
        for (const field of ['initializer', 'condition']) {
          const n = node.childForFieldName(field);
          if (n) entry = applyCalls(n, entry);
        }
        breakStack.push([]);
        const out = walk(node.childForFieldName('body'), entry);
        const breaks = breakStack.pop() ?? [];
        let res = join(entry, out);
        for (const b of breaks) res = join(res, b);
        // An infinite loop (`for (;;)`, `while (1)`) is left only by break/return/goto.
        const c = node.childForFieldName('condition');
        if ((node.type === 'for_statement' && !c) || (c && /^\(\s*(1|true)\s*\)$/.test(c.text))) {
          res = breaks.reduce<State>((acc, b) => join(acc, b), null);
        }
        return res;
      }
      case 'switch_statement': {
        const entry = applyCalls(node.childForFieldName('condition') ?? node, s);
        breakStack.push([]);
        let cur: State = null;
        const body = node.childForFieldName('body');
        let sawDefault = false;
        for (const ch of body?.namedChildren ?? []) {
          if (!ch) continue;
          if (ch.type === 'case_statement') {
            if (!ch.childForFieldName('value')) sawDefault = true;
            cur = join(cur, entry);
            for (const st of ch.namedChildren) {
              if (st && st !== ch.childForFieldName('value')) cur = walk(st, cur);
            }
          } else cur = walk(ch, cur);
        }
        const breaks = breakStack.pop() ?? [];
        let res = sawDefault ? cur : join(cur, entry);
        for (const b of breaks) res = join(res, b);
        return res;
      }
      case 'return_statement': {
        const after = applyCalls(node, s);
        if (after !== null) exits.push({ node, kind: 'return', held: after });
        return null;
      }
      case 'goto_statement': {
        const label = node.childForFieldName('label')?.text ?? '';
        pendingGoto.set(label, join(pendingGoto.get(label) ?? null, s));
        return null;
      }
      case 'labeled_statement': {
        const label = node.childForFieldName('label')?.text ?? '';
        const cur = join(s, pendingGoto.get(label) ?? null);
        pendingGoto.delete(label);
        let out = cur;
        for (const ch of node.namedChildren) if (ch && ch.type !== 'statement_identifier') out = walk(ch, out);
        return out;
      }
      case 'break_statement': {
        const top = breakStack[breakStack.length - 1];
        if (top && s !== null) top.push(s);
        return null;
      }
      case 'continue_statement':
        return null;
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_else':
      case 'preproc_elif':
      case 'preproc_elifdef': {
        // Branches are alternatives: walk this branch's statements, then the alternative from the same entry.
        let cur = s;
        const alt = node.childForFieldName('alternative');
        for (const ch of node.namedChildren) {
          if (!ch || ch === alt || ch === node.childForFieldName('condition') || ch.type === 'identifier') continue;
          cur = walk(ch, cur);
        }
        return alt ? join(cur, walk(alt, s)) : node.type === 'preproc_if' || node.type === 'preproc_ifdef' ? join(cur, s) : cur;
      }
      default:
        return applyCalls(node, s);
    }
  };

  const end = walk(body, new Set());
  if (end !== null) exits.push({ node: body, kind: 'end', held: end });
  return exits;
}

/** The resources the FT4 path rules track. */
export const THREAD_RESOURCES: Transfer = {
  acquire(name, args) {
    if (name === 'PyGILState_Ensure') return 'PyGILState_Ensure';
    if (name === 'PyEval_SaveThread') return 'PyEval_SaveThread';
    if (name === 'PyMutex_Lock') return `PyMutex_Lock(${normObject((args[0] ?? '').replace(/^&/, ''))})`;
    return null;
  },
  release(name, args) {
    if (name === 'PyGILState_Release') return 'PyGILState_Ensure';
    if (name === 'PyEval_RestoreThread') return 'PyEval_SaveThread';
    if (name === 'PyMutex_Unlock') return `PyMutex_Lock(${normObject((args[0] ?? '').replace(/^&/, ''))})`;
    return null;
  },
};
