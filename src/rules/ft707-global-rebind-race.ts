import type { Node } from '../parse/parser.js';
import { descendants, enclosingFunction, enclosingWithItems } from '../engine/py-tree.js';
import { libraryRuntime, pyIndex } from './_python.js';
import { defineSourceRule } from './types.js';

const CONSTANT = new Set(['true', 'false', 'none', 'integer', 'float', 'string']);
const LOCKISH = /lock|mutex|\bcond(ition)?\b|semaphore|critical|synchroni[sz]ed/i;

/** Does an `if`/`while` between `n` and `fn` test `name` (`if _cache is None:`)? */
function guardedByCheckOf(n: Node, fn: Node, name: string): boolean {
  for (let p = n.parent; p && p.id !== fn.id; p = p.parent) {
    if (p.type !== 'if_statement' && p.type !== 'elif_clause' && p.type !== 'while_statement') continue;
    const cond = p.childForFieldName('condition');
    if (!cond) continue;
    // the name itself, read as a variable (not inside a string, not an attribute of something else)
    const ids = cond.type === 'identifier' ? [cond] : descendants(cond, new Set(['identifier']));
    if (ids.some((i) => i.text === name && i.parent?.type !== 'attribute' && i.parent?.type !== 'keyword_argument')) return true;
  }
  return false;
}

export default defineSourceRule({
  meta: {
    id: 'FT707',
    name: 'global-rebind-race',
    title: 'Function updates a module global non-atomically (read-modify-write or check-then-set)',
    family: 'FT7',
    severity: 'warning',
    why:
      'A function that declares `global counter` and does `counter += 1` reads, adds and writes back in separate steps; with threads running in ' +
      'parallel, increments are lost. `global _cache` with `if _cache is None: _cache = build()` lets several threads see None and build (and ' +
      'publish) different objects: callers can hold different "singletons", and expensive or side-effecting initialisation runs more than once. ' +
      'The GIL made these windows rare; free-threading makes them routine.\n\n' +
      'Fires on augmented assignments to a `global` name, and on plain assignments to one under an `if`/`while` that tests the same name. Quiet inside ' +
      'a `with` block whose context manager looks like a lock (`with _lock:`), in functions decorated as synchronised, and outside library code at ' +
      'run time (see FT701). A plain unconditional rebinding (`_config = new`) is an atomic publication and stays quiet, and so is a checked ' +
      'store of a constant (`if not _warned: _warned = True`, a one-shot flag: every thread stores the same value).',
    bad: '_cache = None\n\ndef registry():\n    global _cache\n    if _cache is None:\n        _cache = _load_registry()\n    return _cache',
    good: '_cache = None\n_lock = threading.Lock()\n\ndef registry():\n    global _cache\n    with _lock:\n        if _cache is None:\n            _cache = _load_registry()\n    return _cache\n\n# or: @functools.cache def registry(): return _load_registry()',
    remedy: {
      api: 'threading.Lock around the update; functools.cache for lazy initialisation; itertools.count() for counters',
      since: null,
      compat: null,
      snippet: '_lock = threading.Lock()\n\ndef next_id():\n    global _counter\n    with _lock:\n        _counter += 1\n        return _counter',
    },
    exampleLanguage: 'python',
    references: ['https://py-free-threading.github.io/porting/', 'https://docs.python.org/3/howto/free-threading-python.html'],
  },
  languages: ['python'],
  check(ctx) {
    if (!/\bglobal\b/.test(ctx.code)) return; // cheap pre-check: nothing to look at
    const idx = pyIndex(ctx);
    // Names each function declares `global` (nested functions keep their own).
    const globalsOf = new Map<number, { fn: Node; names: Set<string> }>();
    for (const g of idx.globals) {
      const fn = enclosingFunction(g);
      if (!fn) continue;
      const e = globalsOf.get(fn.id) ?? { fn, names: new Set<string>() };
      for (const id of g.namedChildren) if (id.type === 'identifier') e.names.add(id.text);
      globalsOf.set(fn.id, e);
    }
    if (globalsOf.size === 0) return;
    for (const w of idx.writes) {
      if (w.type === 'delete_statement') continue;
      const fnOf = enclosingFunction(w);
      const entry = fnOf ? globalsOf.get(fnOf.id) : undefined;
      if (!entry) continue;
      const { fn, names: globals } = entry;
      const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent.text.slice(0, fn.startIndex - fn.parent.startIndex) : '';
      if (LOCKISH.test(decorated)) continue;
      const left = w.childForFieldName('left');
      if (left?.type !== 'identifier' || !globals.has(left.text)) continue;
      const name = left.text;
      const rmw = w.type === 'augmented_assignment';
      if (!rmw && !guardedByCheckOf(w, fn, name)) continue;
      // `if not _warned: _warned = True` — every thread stores the same constant: a one-shot flag, not a lazy object.
      if (!rmw && CONSTANT.has(w.childForFieldName('right')?.type ?? '')) continue;
      if (enclosingWithItems(w).some((v) => LOCKISH.test(v.text))) continue;
      if (!libraryRuntime(ctx, w)) continue;
      ctx.report({
        start: w.startIndex,
        end: w.endIndex,
        message: rmw
          ? `'${name}' is a module global updated by read-modify-write ('${w.text.replace(/\s+/g, ' ').slice(0, 40)}'): threads running in parallel lose updates`
          : `module global '${name}' is set after checking it (check-then-set): several threads can initialise it at once and callers see different objects`,
      });
    }
  },
});
