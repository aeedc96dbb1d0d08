// "Is this container private to the current call?" — the question that keeps borrowed-reference and
// iteration rules quiet on a dict or list the function just created and has not shared yet.
import { FRESH_CONTAINER_CONSTRUCTORS, KWARGS_NAMES } from '../data/capi.js';
import { callsNamed, normObject, referencedNotCalled, type CIndex } from './c-index.js';

export type Privacy = { private: true; why: string } | { private: false };

const IDENT = /^[A-Za-z_]\w*$/;
const NOT_PRIVATE: Privacy = { private: false };
/** How many calls deep the same-file helper analysis follows a container. */
const MAX_DEPTH = 2;
/** The current thread's own dict: no other thread can reach it through the C API. */
const THREAD_DICT_CALL = /^_?PyThreadState_GetDict\(.*\)$/;
const THREAD_DICT_FNS = new Set(['PyThreadState_GetDict', '_PyThreadState_GetDict']);

function calleeOf(rhs: string): string | null {
  const m = /^\s*(?:\([^()]*\)\s*)?([A-Za-z_]\w*)\s*\(/.exec(rhs);
  return m ? (m[1] as string) : null;
}

/**
 * True when `expr`, at offset `at` inside function `fn`, names a container nobody else can see:
 * a keyword-argument dict parameter, the per-thread dict, a local assigned from a constructor
 * (`PyDict_New`, …) and not stored or passed on between that assignment and `at`, or a parameter of a
 * static function whose every caller in this file passes such a private container.
 */
export function containerPrivacy(index: CIndex, code: string, fn: number, expr: string, at: number, depth = 0): Privacy {
  if (fn < 0) return NOT_PRIVATE;
  const id = normObject(expr);
  if (THREAD_DICT_CALL.test(id)) return { private: true, why: 'the per-thread dict of PyThreadState_GetDict()' };
  if (!IDENT.test(id)) return NOT_PRIVATE;
  const f = index.functions[fn];
  if (!f) return NOT_PRIVATE;
  if (KWARGS_NAMES.has(id) && f.params.some((p) => p.name === id)) return { private: true, why: 'keyword-argument dict of this call' };
  // `(self, args, kwds)`: tp_new, tp_init and METH_VARARGS|METH_KEYWORDS receive their positional arguments as a tuple.
  // Only for a function the file never calls directly (it is reached through a method table or type slot).
  if (
    f.params.length === 3 &&
    f.params[1]?.name === id &&
    KWARGS_NAMES.has(f.params[2]?.name ?? '') &&
    callsNamed(index, f.name).length === 0 &&
    !hasAssignment(index, fn, id, at)
  ) {
    return { private: true, why: 'positional-argument tuple of this call (immutable)' };
  }

  // The last assignment to `id` before `at` in this function.
  let last: (typeof index.assigns)[number] | undefined;
  for (const a of index.assigns) {
    if (a.fn !== fn || a.start >= at) continue;
    if (a.lhs === id && a.op === '=') last = a;
  }
  if (!last) {
    const pi = f.params.findIndex((p) => p.name === id);
    return pi >= 0 && depth < MAX_DEPTH ? privateParameter(index, code, fn, pi, at, depth) : NOT_PRIVATE;
  }
  const callee = calleeOf(last.rhs);
  if (!callee) return NOT_PRIVATE;
  const threadDict = THREAD_DICT_FNS.has(callee);
  const helper = !threadDict && !FRESH_CONTAINER_CONSTRUCTORS.has(callee) && depth < MAX_DEPTH && returnsFresh(index, code, callee, depth + 1);
  if (!threadDict && !helper && !FRESH_CONTAINER_CONSTRUCTORS.has(callee)) return NOT_PRIVATE;
  if (escapes(code, id, last.end, at, { index, depth })) return NOT_PRIVATE;
  if (helper) return { private: true, why: `returned new by ${callee}() and not shared yet` };
  return { private: true, why: threadDict ? `the per-thread dict of ${callee}()` : `created by ${callee}() in this function and not shared yet` };
}

function hasAssignment(index: CIndex, fn: number, id: string, before: number): boolean {
  return index.assigns.some((a) => a.fn === fn && a.start < before && a.lhs === id);
}

/**
 * A function of this file whose every `return` hands back a container it created and did not share (or NULL on
 * an error path): `static PyObject *_commastring(…) { PyObject *list = PyList_New(0); …; return list; }`.
 */
function returnsFresh(index: CIndex, code: string, name: string, depth: number): boolean {
  const fi = index.functions.findIndex((f) => f.name === name);
  if (fi < 0) return false;
  let any = false;
  for (const e of index.exits) {
    if (e.fn !== fi || e.kind !== 'return') continue;
    const value = code.slice(e.start, e.end).replace(/^return\b/, '').replace(/;\s*$/, '').trim();
    if (value === '' || value === 'NULL' || value === '0') continue;
    const v = normObject(value);
    if (IDENT.test(v)) {
      // Created in the helper itself (not a parameter or argument tuple it was given).
      const p = containerPrivacy(index, code, fi, v, e.start, depth);
      if (!p.private || !/^(created by|returned new by)/.test(p.why)) return false;
    } else {
      const c = calleeOf(value);
      if (!c || !FRESH_CONTAINER_CONSTRUCTORS.has(c)) return false;
    }
    any = true;
  }
  return any;
}

/**
 * Parameter `pi` of function `fn` is private at `at` when the function is static, is only ever called
 * directly (never referenced as a pointer, e.g. from a method table), every call in this file passes a
 * private container, and the function does not share the parameter before `at`.
 */
function privateParameter(index: CIndex, code: string, fn: number, pi: number, at: number, depth: number): Privacy {
  const f = index.functions[fn];
  const param = f?.params[pi];
  if (!f || !param || !f.isStatic) return NOT_PRIVATE;
  const calls = callsNamed(index, f.name);
  if (calls.length === 0) return NOT_PRIVATE;
  if (referencedNotCalled(index, code).has(f.name)) return NOT_PRIVATE; // address taken
  if (escapes(code, param.name, f.bodyStart, at, { index, depth })) return NOT_PRIVATE;
  for (const c of calls) {
    if (c.fn < 0) return NOT_PRIVATE;
    const arg = c.args[pi];
    if (!arg) return NOT_PRIVATE;
    if (c.fn === fn && normObject(arg.text) === param.name) continue; // recursion passes it along
    if (!containerPrivacy(index, code, c.fn, arg.text, c.start, depth + 1).private) return NOT_PRIVATE;
  }
  return { private: true, why: `every caller of ${f.name}() in this file passes a container it has not shared` };
}

export interface EscapeContext {
  /** With the file's index, passing the container to a function defined in the same file is followed into it. */
  index?: CIndex;
  depth?: number;
  /** Inside a helper, returning the container hands it to the caller under another name: count it as an escape. */
  returnEscapes?: boolean;
  /** Helper parameters being followed (`name#index`): a recursive call passing the container along is not an escape. */
  visiting?: ReadonlySet<string>;
}

/** Does identifier `id` escape (stored, passed as a non-receiver argument, address taken) within [from, to)? */
export function escapes(code: string, id: string, from: number, to: number, cx: EscapeContext = {}): boolean {
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
      if (passedToPrivateHelper(code, id, s, cx)) continue;
      return true;
    }
    if (/\breturn$/.test(code.slice(Math.max(0, b - 6), b + 1))) {
      // A return leaves the function: code after it on that path never runs, so it cannot share the
      // container with a later call in the same function. A helper returning it does hand it on.
      if (cx.returnEscapes) return true;
      continue;
    }
    if (prev === ',' && passedToPrivateHelper(code, id, s, cx)) continue;
    if (prev === '=' || prev === ',') return true;
    if (prev === '&' && code[b - 1] !== '&') return true; // address taken (`&&` is a logical and)
  }
  return false;
}

/**
 * `id` at offset `s` is an argument of a call to a function defined in this file that neither stores,
 * returns nor passes on the corresponding parameter (followed up to MAX_DEPTH calls deep).
 */
function passedToPrivateHelper(code: string, id: string, s: number, cx: EscapeContext): boolean {
  const index = cx.index;
  const depth = cx.depth ?? 0;
  if (!index) return false;
  let call: CIndex['calls'][number] | undefined;
  for (const c of index.calls) {
    if (c.start <= s && s < c.end && (!call || c.start >= call.start)) call = c;
  }
  if (!call) return false;
  const ai = call.args.findIndex((arg) => arg.start <= s && s < arg.end);
  const arg = call.args[ai];
  if (!arg || normObject(arg.text) !== id) return false;
  const name = call.name;
  const callee = index.functions.find((f) => f.name === name);
  const param = callee?.params[ai];
  if (!callee || !param || callee.params.length !== call.args.length) return false;
  const key = `${name}#${ai}`;
  if (cx.visiting?.has(key)) return true;
  if (depth >= MAX_DEPTH) return false;
  const visiting = new Set(cx.visiting ?? []).add(key);
  return !escapes(code, param.name, callee.bodyStart, callee.end, { index, depth: depth + 1, returnEscapes: true, visiting });
}

/**
 * The call's result is only compared with NULL/0/Py_None or used as a bare condition
 * (`if (PyDict_GetItem(d, k))`, `!PyDict_GetItem(d, k)`, `assert(PyDict_GetItemString(d, "x"))`),
 * so the borrowed pointer is never dereferenced.
 */
export function onlyTestedAgainstNull(code: string, start: number, end: number): boolean {
  let b = start - 1;
  while (b >= 0 && /\s/.test(code[b] as string)) b--;
  let a = end;
  while (a < code.length && /\s/.test(code[a] as string)) a++;
  const after = code.slice(a, a + 16);
  if (/^[!=]=\s*(?:NULL|0|nullptr|Py_None)\b/.test(after)) return true;
  const before = code.slice(Math.max(0, b - 16), b + 1);
  if (/\b(?:NULL|0|nullptr|Py_None)\s*[!=]=$/.test(before)) return true;
  if (code[b] === '!' && code[b + 1] !== '=') return true;
  if (code[b] === '(' && code[a] === ')') {
    let c = b - 1;
    while (c >= 0 && /\s/.test(code[c] as string)) c--;
    if (/\b(?:if|while|assert)$/.test(code.slice(Math.max(0, c - 6), c + 1))) return true;
  }
  return false;
}
