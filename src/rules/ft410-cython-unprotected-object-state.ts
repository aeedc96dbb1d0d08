import { COMPAT } from '../data/capi.js';
import { defineSourceRule } from './types.js';

interface Access {
  attr: string;
  write: boolean;
  start: number;
  locked: boolean;
}

interface Method {
  name: string;
  kind: 'def' | 'cpdef' | 'cdef';
  start: number;
  decoratedLocked: boolean;
  accesses: Access[];
  /** `self.helper(…)` calls, where they are and whether a lock or critical section is held there. */
  calls: { name: string; start: number; locked: boolean }[];
}

const ALLOCATION = /^(__cinit__|__dealloc__|__del__)$/;
/** Methods that (re)initialise an object: normally called once, on a fresh object. */
const REINIT = /^(__init__|__setstate__)$/;
const METHOD = /^(?:(?:async\s+)?def|cpdef|cdef)\s+(?:[\w.*\[\], ]+\s+)?([A-Za-z_]\w*)\s*\(\s*self\b/;
const LOCKING_WITH = /^with\s+[^:]*\b(critical_section|lock|mutex|_lock|Lock)\b/i;
/**
 * `with phil:` — a bare module-level name (no call, no attribute) as a context manager is a lock: files, contexts and
 * the like are entered through a call (`with open(…):`). `nogil`/`gil` are Cython's, not locks.
 */
const BARE_NAME_WITH = /^with\s+(?!(?:nogil|gil)\s*:)([A-Za-z_]\w*)\s*:/;
const LOCK_DECORATOR = /^@\s*(cython\s*\.\s*)?critical_section\b/;
/** `@with_phil`: a decorator named after a lock the file also takes with `with phil:` (or lock-like by name). */
const WITH_DECORATOR = /^@\s*with_([A-Za-z_]\w*)\s*$/;
const ATTR = /\bself\s*\.\s*([A-Za-z_]\w*)/g;

function lockDecorator(stmt: string, bareLocks: Set<string>): boolean {
  const m = WITH_DECORATOR.exec(stmt);
  return m !== null && (bareLocks.has(m[1] as string) || /lock|mutex/i.test(m[1] as string));
}

export default defineSourceRule({
  meta: {
    id: 'FT410',
    name: 'cython-unprotected-object-state',
    title: "cdef class method changes the object's attributes without a critical section",
    family: 'FT4',
    severity: 'warning',
    why:
      'A `cdef class` keeps its attributes in a C struct, exactly like a hand-written extension type: on free-threaded Python two threads can run ' +
      'methods of the same object at once, losing updates (`self.count += 1`) and reading attributes another method updates together. Decorate ' +
      'the method with `@cython.critical_section` (Cython >= 3.1: it locks `self` for the whole call), or wrap the accesses in ' +
      '`with cython.critical_section(self):`.\n\nAn attribute is *mutable* when a method other than `__cinit__`/`__dealloc__` assigns it; ' +
      '`__init__` counts, since Python can call it again. The rule reports each `def`/`cpdef` method that assigns an attribute (itself, or in a ' +
      '`cdef` helper it calls on `self` outside a lock: reported at the call), or reads two or ' +
      'more attributes another method (other than `__init__`) assigns together, outside a critical section, a `with …lock…:` block, a `with NAME:` on a bare name (a module-level lock such as h5py\'s `phil`) or a `@with_NAME` decorator for such a lock — one finding per method. `__init__` and `__setstate__` are reported at ' +
      'info: they normally run on a fresh object, and race only when called again on an object other threads already use. Plain ' +
      'Python classes in `.pyx` files are not checked (their attributes live in a dict, which locks itself).',
    bad: 'cdef class Counter:\n    cdef long count\n\n    def incr(self):\n        self.count += 1\n        return self.count',
    good: 'cimport cython\n\ncdef class Counter:\n    cdef long count\n\n    @cython.critical_section\n    def incr(self):\n        self.count += 1\n        return self.count',
    remedy: {
      api: '@cython.critical_section',
      since: '3.13',
      compat: COMPAT,
      snippet: 'cimport cython\n\n@cython.critical_section\ndef method(self):\n    ...  # self is locked for the whole call',
      requires: 'Cython 3.1',
    },
    exampleLanguage: 'cython',
    references: ['https://cython.readthedocs.io/en/latest/src/userguide/freethreading.html', 'https://py-free-threading.github.io/porting-extensions/'],
    limitations: 'Text-level: methods and blocks are found by indentation; attributes reached through other names than `self` are not followed.',
  },
  languages: ['cython'],
  check(ctx) {
    const lines = ctx.code.split('\n');
    const starts = ctx.lines.starts; // the code view keeps the text's line breaks
    const indentOf = (l: string) => l.length - l.trimStart().length;
    // Module-level names (assigned at column 0, or imported) this file enters bare (`with phil:`): locks, and what
    // `@with_phil` decorators take. A local (`fh = open(…)`; `with fh:`) is not one.
    const moduleNames = new Set<string>();
    for (const l of lines) {
      const a = /^([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)/.exec(l);
      if (a) moduleNames.add(a[1] as string);
      const imp = /^\s*(?:from\s+\S+\s+)?c?import\s+(.+)$/.exec(l);
      if (imp) for (const part of (imp[1] as string).replace(/[()]/g, '').split(',')) {
        const name = /(?:\bas\s+)?([A-Za-z_]\w*)\s*$/.exec(part.trim())?.[1];
        if (name) moduleNames.add(name);
      }
    }
    const bareLocks = new Set<string>();
    for (const l of lines) {
      const m = BARE_NAME_WITH.exec(l.trim());
      if (m && moduleNames.has(m[1] as string)) bareLocks.add(m[1] as string);
    }
    for (let i = 0; i < lines.length; i++) {
      const cls = /^(\s*)cdef\s+(?:public\s+|readonly\s+|final\s+)*class\s+(\w+)/.exec(lines[i] as string);
      if (!cls) continue;
      const classIndent = (cls[1] as string).length;
      const methods: Method[] = [];
      let current: Method | null = null;
      let methodIndent = -1;
      let pendingLock = false;
      const lockBlocks: number[] = []; // indents of open `with …lock…:` blocks
      let j = i + 1;
      for (; j < lines.length; j++) {
        const raw = lines[j] as string;
        const stmt = raw.trim();
        if (stmt === '') continue;
        const ind = indentOf(raw);
        if (ind <= classIndent) break;
        while (lockBlocks.length && ind <= (lockBlocks[lockBlocks.length - 1] as number)) lockBlocks.pop();
        if (current && ind <= methodIndent) current = null;
        if (LOCK_DECORATOR.test(stmt) || lockDecorator(stmt, bareLocks)) {
          pendingLock = true;
          continue;
        }
        const m = METHOD.exec(stmt);
        if (m) {
          current = { name: m[1] as string, kind: stmt.startsWith('cpdef') ? 'cpdef' : stmt.startsWith('cdef') ? 'cdef' : 'def', start: starts[j] as number, decoratedLocked: pendingLock, accesses: [], calls: [] };
          methods.push(current);
          methodIndent = ind;
          pendingLock = false;
          lockBlocks.length = 0;
          continue;
        }
        if (!stmt.startsWith('@')) pendingLock = false;
        if (!current) continue;
        if (LOCKING_WITH.test(stmt) || bareLocks.has(BARE_NAME_WITH.exec(stmt)?.[1] ?? '')) {
          lockBlocks.push(ind);
          continue;
        }
        ATTR.lastIndex = 0;
        for (let a = ATTR.exec(raw); a; a = ATTR.exec(raw)) {
          const after = raw.slice(a.index + a[0].length);
          // `self.helper(…)`: a call (followed if helper is a method); also a read of `self.helper`, in case it is an attribute
          // holding a callable (`self.cb(*self.args)`).
          if (/^\s*\(/.test(after)) current.calls.push({ name: a[1] as string, start: (starts[j] as number) + a.index, locked: current.decoratedLocked || lockBlocks.length > 0 });
          const write = /^\s*(?:[-+*/%&|^@]|\/\/|\*\*|<<|>>)?=(?!=)/.test(after);
          current.accesses.push({ attr: a[1] as string, write, start: (starts[j] as number) + a.index, locked: current.decoratedLocked || lockBlocks.length > 0 });
        }
      }
      // Mutable attributes: assigned by any method other than allocation.
      const mutable = new Set(methods.filter((mm) => !ALLOCATION.test(mm.name)).flatMap((mm) => mm.accesses.filter((a) => a.write).map((a) => a.attr)));
      // What each method assigns, itself or in the methods it calls on self (a cdef helper), unless it calls them locked.
      const byName = new Map(methods.map((mm) => [mm.name, mm]));
      const assigns = (mm: Method, seen: Set<Method>): Access[] => {
        if (seen.has(mm)) return [];
        seen.add(mm);
        return [
          ...mm.accesses.filter((a) => a.write && !a.locked),
          ...mm.calls.filter((c) => !c.locked).flatMap((c) => {
            const callee = byName.get(c.name);
            return callee && !ALLOCATION.test(callee.name) ? assigns(callee, seen) : [];
          }),
        ];
      };
      for (const mm of methods) {
        if (mm.kind === 'cdef' || ALLOCATION.test(mm.name)) continue;
        const open = mm.accesses.filter((a) => !a.locked && mutable.has(a.attr));
        let first = open.find((a) => a.write);
        let why = first ? `assigns self.${first.attr}` : '';
        // A helper called on self without a lock that assigns attributes: reported at the call.
        let helperWrites: Access[] = [];
        const helperCall = first
          ? undefined
          : mm.calls.find((c) => {
              const callee = byName.get(c.name);
              if (c.locked || !callee || callee === mm || ALLOCATION.test(callee.name)) return false;
              helperWrites = assigns(callee, new Set([mm]));
              return helperWrites.length > 0;
            });
        if (helperCall && helperWrites[0]) {
          first = { attr: helperWrites[0].attr, write: true, start: helperCall.start, locked: false };
          why = `calls self.${helperCall.name}(), which assigns self.${[...new Set(helperWrites.map((a) => a.attr))].join(', self.')},`;
        }
        if (!first) {
          const read = [...new Set(open.map((a) => a.attr))];
          // A torn read needs a concurrent writer; __init__ alone (re-called on a live object) is too rare to report readers for.
          const partner = methods.find((o) => o !== mm && !ALLOCATION.test(o.name) && o.name !== '__init__' && read.filter((r) => o.accesses.some((a) => a.write && a.attr === r)).length >= 2);
          if (!partner) continue;
          const together = read.filter((r) => partner.accesses.some((a) => a.write && a.attr === r));
          first = open.find((a) => together.includes(a.attr));
          why = `reads self.${together.join(', self.')}, which ${partner.name}() assigns together,`;
        }
        if (!first) continue;
        // __init__ and __setstate__ run on a fresh object before anyone else has it; a race needs them called again
        // on an object other threads already use: said so, at info.
        const reinit = REINIT.test(mm.name);
        ctx.report({
          start: first.start,
          end: first.start + 5 + first.attr.length,
          ...(reinit ? { severity: 'info' as const } : {}),
          message: reinit
            ? `${cls[2]}.${mm.name}() ${why} without a critical section on self: a race only if ${mm.name}() is called again on an object other threads already use (it normally runs on a fresh object)`
            : `${cls[2]}.${mm.name}() ${why} without a critical section on self: another thread can use the same object concurrently`,
          related: [
            ...helperWrites.slice(0, 5).map((a) => ({ path: ctx.path, ...ctx.lines.position(a.start), message: `assigns self.${a.attr} in ${helperCall?.name ?? ''}()` })),
            ...open.filter((a) => a !== first).slice(0, 20).map((a) => ({ path: ctx.path, ...ctx.lines.position(a.start), message: `${a.write ? 'assigns' : 'reads'} self.${a.attr}` })),
          ],
        });
      }
      i = j - 1;
    }
  },
});
