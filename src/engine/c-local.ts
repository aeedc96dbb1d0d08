// "Is this container private to the current call?" — the question that keeps borrowed-reference and
// iteration rules quiet on a dict or list the function just created and has not shared yet.
import { FRESH_CONTAINER_CONSTRUCTORS, KWARGS_NAMES } from '../data/capi.js';
import { normObject, type CIndex } from './c-index.js';

export type Privacy = { private: true; why: string } | { private: false };

const IDENT = /^[A-Za-z_]\w*$/;

function calleeOf(rhs: string): string | null {
  const m = /^\s*(?:\([^()]*\)\s*)?([A-Za-z_]\w*)\s*\(/.exec(rhs);
  return m ? (m[1] as string) : null;
}

/**
 * True when `expr`, at offset `at` inside function `fn`, names a container nobody else can see:
 * a keyword-argument dict parameter, or a local assigned from a constructor (`PyDict_New`, …) and not
 * stored, returned or passed on between that assignment and `at`.
 */
export function containerPrivacy(index: CIndex, code: string, fn: number, expr: string, at: number): Privacy {
  if (fn < 0) return { private: false };
  const id = normObject(expr);
  if (!IDENT.test(id)) return { private: false };
  const f = index.functions[fn];
  if (!f) return { private: false };
  if (KWARGS_NAMES.has(id) && f.params.some((p) => p.name === id)) return { private: true, why: 'keyword-argument dict of this call' };

  // The last assignment to `id` before `at` in this function.
  let last: (typeof index.assigns)[number] | undefined;
  for (const a of index.assigns) {
    if (a.fn !== fn || a.start >= at) continue;
    if (a.lhs === id && a.op === '=') last = a;
  }
  if (!last) return { private: false };
  const callee = calleeOf(last.rhs);
  if (!callee || !FRESH_CONTAINER_CONSTRUCTORS.has(callee)) return { private: false };
  if (escapes(code, id, last.end, at)) return { private: false };
  return { private: true, why: `created by ${callee}() in this function and not shared yet` };
}

/** Does identifier `id` escape (stored, returned, passed as a non-receiver argument) within [from, to)? */
export function escapes(code: string, id: string, from: number, to: number): boolean {
  const re = new RegExp(`\\b${id}\\b`, 'g');
  re.lastIndex = from;
  for (let m = re.exec(code); m && m.index < to; m = re.exec(code)) {
    const s = m.index;
    const e = s + id.length;
    // What comes before: skip spaces and casts.
    let b = s - 1;
    while (b >= 0 && /\s/.test(code[b] as string)) b--;
    let prev = code[b] ?? '';
    if (prev === ')' ) {
      // a cast like (PyObject *)id — look before it
      const open = code.lastIndexOf('(', b);
      if (open !== -1 && /^\(\s*[A-Za-z_]\w*\s*\**\s*\)$/.test(code.slice(open, b + 1))) {
        b = open - 1;
        while (b >= 0 && /\s/.test(code[b] as string)) b--;
        prev = code[b] ?? '';
      }
    }
    let a = e;
    while (a < code.length && /\s/.test(code[a] as string)) a++;
    const next = code[a] ?? '';
    const next2 = code.slice(a, a + 2);
    if (next === '-' && code[a + 1] === '>') continue; // id->field: a read
    if (next === '[') continue; // id[i]
    if (next2 === '==' || next2 === '!=') continue;
    if (next === '=' && next2 !== '==') return false; // reassigned: a different object from here on
    if (prev === '!' || (prev === '=' && (code[b - 1] === '=' || code[b - 1] === '!'))) continue;
    if (prev === '(') {
      // First argument of a call, or a parenthesised condition.
      let c = b - 1;
      while (c >= 0 && /\s/.test(code[c] as string)) c--;
      let w = c;
      while (w >= 0 && /\w/.test(code[w] as string)) w--;
      const callee = code.slice(w + 1, c + 1);
      if (callee === 'if' || callee === 'while' || callee === 'sizeof' || callee === '') continue;
      if (/^(Py_X?DECREF|Py_CLEAR|Py_SIZE|Py_TYPE|Py_REFCNT|assert)$/.test(callee)) continue;
      // The receiver of a C-API container call (PyDict_SetItem(id, …), PyList_Append(id, …)) is not shared by it.
      if (/^_?Py[A-Z][A-Za-z]*_\w+$/.test(callee) && (next === ',' || next === ')')) continue;
      return true;
    }
    if (prev === '=' || prev === ',' || /\breturn$/.test(code.slice(Math.max(0, b - 6), b + 1))) return true;
    if (prev === '&') return true; // address taken
  }
  return false;
}
