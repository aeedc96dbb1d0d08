import { defineSourceRule } from './types.js';

type Kind = 'nogil' | 'prange' | 'gil' | 'lock' | 'def' | 'other';

interface Block {
  indent: number;
  kind: Kind;
  /** prange loop variable(s). */
  loopVars?: string[];
  /** gil blocks: names bound inside the block so far (private to the thread running it). */
  bound?: Set<string>;
  /** gil blocks: a lock was acquired in the block. */
  acquired?: boolean;
  /** def blocks: names declared `global`. */
  globals?: Set<string>;
}

const MUTATORS = 'append|extend|add|update|pop|insert|remove|setdefault|clear|discard|popitem|appendleft|sort|reverse';
const ASSIGN = /^([A-Za-z_]\w*)((?:\.\w+|\[[^\]]*\])*)\s*(=|\+=|-=|\*=|\/=|\/\/=|%=|\*\*=|\|=|&=|\^=|<<=|>>=)(?!=)/;
const CALL = new RegExp(`\\b([A-Za-z_]\\w*)((?:\\.\\w+|\\[[^\\]]*\\])*)\\.(${MUTATORS})\\s*\\(`, 'g');

function lastOf(blocks: Block[], pred: (b: Block) => boolean): number {
  for (let i = blocks.length - 1; i >= 0; i--) if (pred(blocks[i] as Block)) return i;
  return -1;
}

function blockKind(stmt: string): Kind {
  if (/^with\b/.test(stmt)) {
    if (/^with\s+(cython\s*\.\s*)?nogil\b/.test(stmt)) return 'nogil';
    if (/^with\s+(cython\s*\.\s*)?gil\b/.test(stmt)) return 'gil';
    if (/critical_section|lock|mutex/i.test(stmt)) return 'lock';
    return 'other';
  }
  if (/^for\b.*\bin\s+(cython\s*\.\s*parallel\s*\.\s*)?prange\s*\(/.test(stmt)) return 'prange';
  if (/^(c?p?def|cdef)\b/.test(stmt) && /\(/.test(stmt)) return 'def';
  return 'other';
}

export default defineSourceRule({
  meta: {
    id: 'FT112',
    name: 'cython-gil-block-as-lock',
    title: '`with gil:` inside a nogil region used to serialise updates of shared Python objects',
    family: 'FT1',
    severity: 'warning',
    why:
      'A common Cython idiom releases the GIL for C work and takes it back to update shared Python state: ' +
      '`with nogil: … with gil: results.append(x)`, or the same inside a `prange` loop. With the GIL, `with gil:` made those updates one at a time. ' +
      'On free-threaded Python `with gil:` only attaches the thread to the interpreter — it excludes nobody — so threads now update the list, dict or ' +
      'attribute concurrently (Cython\'s guide calls `with gil:` inside `prange` "extremely unsafe" there). This is exactly the code that must be made ' +
      'thread-safe before the module declares `freethreading_compatible`.\n\n' +
      'Fires on writes inside `with gil:` (assignment to an attribute or item, augmented assignment, mutating methods such as `.append()`) to an ' +
      'object other threads can reach: `self`, a module-level name or a `global`, and inside `prange` anything not created in the `with gil:` block itself. ' +
      'Quiet under `with cython.critical_section(obj):`, a `with` on something named like a lock, or after an explicit `.acquire()` in the block.',
    bad: 'def collect(self, double[:] xs):\n    cdef Py_ssize_t i\n    for i in prange(xs.shape[0], nogil=True):\n        with gil:\n            self.results.append(xs[i])',
    good: 'def collect(self, double[:] xs):\n    cdef Py_ssize_t i\n    for i in prange(xs.shape[0], nogil=True):\n        with gil:\n            with cython.critical_section(self):\n                self.results.append(xs[i])',
    remedy: {
      api: 'with cython.critical_section(obj): / cython.pymutex',
      since: '3.13',
      compat: null,
      requires: 'Cython 3.1.0',
      snippet: 'cdef cython.pymutex lock  # or: with cython.critical_section(self):\n...\nwith gil:\n    with lock:\n        self.results.append(x)',
    },
    exampleLanguage: 'cython',
    references: ['https://cython.readthedocs.io/en/latest/src/userguide/freethreading.html', 'https://py-free-threading.github.io/porting-extensions/'],
    limitations: 'Read as text, statement by statement: a write split over several lines is seen on its first line; objects passed in as arguments are assumed private outside prange.',
  },
  languages: ['cython'],
  check(ctx) {
    if (!ctx.checkTests && ctx.role === 'test') return;
    const code = ctx.code;
    if (!/\bgil\b/.test(code)) return;
    // Module-level names (assigned or cdef-declared at indentation 0).
    const moduleNames = new Set<string>();
    for (const m of code.matchAll(/^(?:cdef\s+(?:public\s+|readonly\s+)?(?:[\w.]+\s*\**\s+)+)?([A-Za-z_]\w*)\s*(?::\s*[\w.[\], ]+)?\s*=/gm)) moduleNames.add(m[1] as string);
    for (const m of code.matchAll(/^cdef\s+(?:list|dict|set|object)\s+([A-Za-z_]\w*)/gm)) moduleNames.add(m[1] as string);
    const stack: Block[] = [];
    let k = 0;
    while (k < code.length) {
      let e = code.indexOf('\n', k);
      if (e === -1) e = code.length;
      const line = code.slice(k, e);
      const stmt = line.trim();
      const lineStart = k;
      k = e + 1;
      if (stmt === '' || stmt.startsWith('#')) continue;
      const indent = line.length - line.trimStart().length;
      while (stack.length && (stack[stack.length - 1] as Block).indent >= indent) stack.pop();
      const opener = /:\s*$/.test(stmt) ? blockKind(stmt) : null;
      // Where are we: the innermost gil block, under a nogil/prange region, with no lock in between?
      const gi = stack.map((b) => b.kind).lastIndexOf('gil');
      const gil = gi === -1 ? null : (stack[gi] as Block);
      const region = gi === -1 ? -1 : lastOf(stack.slice(0, gi), (b) => b.kind === 'nogil' || b.kind === 'prange');
      if (gil && region !== -1 && !stack.slice(gi + 1).some((b) => b.kind === 'lock') && !gil.acquired) {
        const inPrange = stack.slice(0, gi).some((b) => b.kind === 'prange');
        const loopVars = new Set(stack.flatMap((b) => b.loopVars ?? []));
        const fn = stack[lastOf(stack.slice(0, gi), (b) => b.kind === 'def')];
        const shared = (base: string, plainName: boolean) => {
          if (fn?.globals?.has(base)) return true;
          if (plainName) return false;
          if (base === 'self' || moduleNames.has(base)) return true;
          return inPrange && !(gil.bound as Set<string>).has(base) && !loopVars.has(base);
        };
        const a = ASSIGN.exec(stmt);
        const hits: { at: number; what: string }[] = [];
        const orig = (from: number, len: number) => ctx.text.slice(from, from + len);
        if (a) {
          const base = a[1] as string;
          const path = a[2] as string;
          const plain = path === '';
          if (plain && a[3] === '=') (gil.bound as Set<string>).add(base);
          else if (shared(base, plain)) hits.push({ at: lineStart + indent, what: orig(lineStart + indent, base.length + path.length) });
        }
        if (/\.acquire\s*\(/.test(stmt)) gil.acquired = true;
        CALL.lastIndex = 0;
        for (let c = CALL.exec(stmt); c; c = CALL.exec(stmt)) {
          if (shared(c[1] as string, false) && hits.length === 0) hits.push({ at: lineStart + indent, what: orig(lineStart + indent + c.index, (c[1] as string).length + (c[2] as string).length) });
        }
        const hit = hits[0];
        if (hit && !/^(cdef|return|raise|print|assert)\b/.test(stmt)) {
          ctx.report({
            start: hit.at,
            end: lineStart + line.length,
            message: `'${hit.what}' is updated inside \`with gil:\` in a ${inPrange ? 'prange loop' : 'nogil region'}: on free-threaded Python \`with gil:\` does not serialise threads, so these updates race`,
          });
        }
      }
      if (stmt.startsWith('global ')) {
        const fn = stack[lastOf(stack, (b) => b.kind === 'def')];
        if (fn) for (const n of stmt.slice(7).split(',')) fn.globals?.add(n.trim());
      }
      if (opener) {
        const b: Block = { indent, kind: opener };
        if (opener === 'gil') {
          b.bound = new Set();
          b.acquired = false;
        }
        if (opener === 'def') b.globals = new Set();
        if (opener === 'prange') b.loopVars = (/^for\s+(.+?)\s+in\b/.exec(stmt)?.[1] ?? '').split(',').map((s) => s.trim());
        stack.push(b);
      }
    }
  },
});
