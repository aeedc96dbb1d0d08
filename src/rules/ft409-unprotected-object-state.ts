import { COMPAT } from '../data/capi.js';
import type { FieldAccess, ObjectFacts, ObjectStruct, SelfCall, SelfFunction } from '../engine/objects.js';
import { forEachSelfFunction, LIFECYCLE_NAME, SKIP_FIELD_NAME, SKIP_FIELD_TYPE, structFields } from '../engine/objects.js';
import { pushTo } from '../engine/group.js';
import { globalModel } from './_globals.js';
import { defineProjectRule } from './types.js';


export default defineProjectRule({
  meta: {
    id: 'FT409',
    name: 'unprotected-object-state',
    title: "Method changes an object's fields without a critical section on the object",
    family: 'FT4',
    severity: 'warning',
    why:
      'With the GIL, a method of an extension type ran alone: `self->count += 1` or `Py_SETREF(self->buf, new)` could not interleave with ' +
      'another thread using the same object. On free-threaded Python two threads can call methods of the same object at once: updates are lost, ' +
      'and a reader can use an object another thread has just replaced and freed. This is the most common change in real ports: wrap the ' +
      "method's access to the object's state in `Py_BEGIN_CRITICAL_SECTION(self)` … `Py_END_CRITICAL_SECTION()` (3.13; no-op on GIL builds; " +
      'pythoncapi_compat.h for older versions), or `@cython.critical_section` in Cython.\n\n' +
      'A field is *mutable* when a function taking the object as `self`, other than allocation, `tp_new`, deallocation, `tp_clear` and ' +
      '`tp_traverse`, writes it. The rule reports a method (a function in a method table, getset or type slot; `tp_init` and a method listed as `__setstate__` count, ' +
      'since Python can call `__init__`/`__setstate__` again, but at info: it races only when called again on an object other threads already use) that writes a field, or reads two or more mutable fields that another method updates together, outside a critical ' +
      'section on that object, a lock, or atomics (readers are not reported when the only writer is `tp_init` or `__setstate__`) — one finding per method, at its first unprotected access, with the others as related ' +
      'locations. Accesses made in a helper the method passes the object to count as the method\'s, reported at the call. Quiet for types ' +
      'whose fields only allocation writes, for lock and atomic fields, and for accesses already under a lock (in the method, around the ' +
      'call, or in the helper).',
    bad: 'static PyObject *\nCounter_incr(CounterObject *self, PyObject *Py_UNUSED(ignored))\n{\n    self->count += 1;\n    return PyLong_FromSsize_t(self->count);\n}',
    good:
      'static PyObject *\nCounter_incr(CounterObject *self, PyObject *Py_UNUSED(ignored))\n{\n    Py_ssize_t n;\n    Py_BEGIN_CRITICAL_SECTION(self);\n    n = ++self->count;\n    Py_END_CRITICAL_SECTION();\n    return PyLong_FromSsize_t(n);\n}',
    remedy: {
      api: 'Py_BEGIN_CRITICAL_SECTION(self)',
      since: '3.13',
      compat: COMPAT,
      snippet: 'Py_BEGIN_CRITICAL_SECTION(self);\n/* read and update self->… */\nPy_END_CRITICAL_SECTION();\n/* Cython (>= 3.1): decorate the method with @cython.critical_section */',
    },
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/howto/free-threading-extensions.html#critical-sections', 'https://py-free-threading.github.io/porting-extensions/'],
    limitations:
      'Accesses are followed into the functions a method passes the object to as their first argument (`resize(self, n)`, ' +
      "Argument Clinic's `foo_impl((FooObject *)self, …)`), through any depth, by name; a call under the object's critical section " +
      'or a lock protects everything the callee does. An object passed in another argument position is not followed. `self` is ' +
      'the first parameter, or a local cast from it. A field written only by functions that allocation or teardown call is not mutable.',
  },
  check(ctx) {
    // Object struct names (with inheritance resolved across files).
    const structs: ObjectStruct[] = ctx.files.flatMap((f) => f.objects?.structs ?? []);
    const objectNames = new Set<string>();
    const fieldTypes = new Map<string, Map<string, string>>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const s of structs) {
        if (s.names.some((n) => objectNames.has(n))) continue;
        if (s.base === null || (s.base !== '' && objectNames.has(s.base))) {
          for (const n of s.names) {
            objectNames.add(n);
            fieldTypes.set(n, new Map(structFields(s)));
          }
          changed = true;
        }
      }
    }
    if (objectNames.size === 0) return;
    const lifecycle = new Set(ctx.files.flatMap((f) => f.objects?.lifecycle ?? []));
    // The same entry points as the FT3 rules' (methods tables, getsets, type slots of defined functions).
    const entry = globalModel(ctx.files).entry;
    // Functions that re-run construction: tp_init, and methods listed as `__setstate__`/`__init__` (by label).
    const initLabel = new Map<string, string>();
    for (const f of ctx.files) {
      for (const n of f.objects?.initFns ?? []) initLabel.set(n, 'tp_init');
      const r = f.containers?.reinit ?? [];
      for (let i = 0; i + 1 < r.length; i += 2) initLabel.set(r[i] as string, r[i + 1] as string);
    }
    const initFns = new Set(initLabel.keys());
    const containerFields = new Set(ctx.files.flatMap((f) => f.objects?.containerFields ?? []));
    // By slot, or by name (`Foo_dealloc`) unless a method table names it (bitarray's `clear()` is `bitarray_clear`).
    const methods = new Set(ctx.files.flatMap((f) => f.objects?.methods ?? []));
    const isLifecycle = (fn: SelfFunction) => lifecycle.has(fn.name) || (LIFECYCLE_NAME.test(fn.name) && !methods.has(fn.name));
    // Whether a field of a type is judged at all (not the object's header, a lock or an atomic): per type and field.
    const judgedCache = new Map<string, Map<string, boolean>>();
    const judged = (selfType: string, field: string): boolean => {
      let byField = judgedCache.get(selfType);
      if (!byField) judgedCache.set(selfType, (byField = new Map()));
      let j = byField.get(field);
      if (j === undefined) {
        const t = fieldTypes.get(selfType)?.get(field);
        j = !SKIP_FIELD_NAME.test(field) && !(t && SKIP_FIELD_TYPE.test(t));
        byField.set(field, j);
      }
      return j;
    };
    const graph = selfCallGraph(ctx.files, objectNames);
    // Functions that run on a live, published object: Python-visible entries other than allocation and teardown,
    // functions nobody in the project passes the object to (their callers are unknown), and what they pass it to.
    const live = (roots: (n: GraphNode) => boolean): Set<GraphNode> => {
      const seen = new Set<GraphNode>();
      const stack = graph.nodes.filter((n) => !isLifecycle(n.fn) && roots(n));
      for (let n = stack.pop(); n; n = stack.pop()) {
        if (seen.has(n)) continue;
        seen.add(n);
        for (const c of n.callees) for (const t of c.targets) if (!isLifecycle(t.fn)) stack.push(t);
      }
      return seen;
    };
    const isRoot = (n: GraphNode) => entry.has(n.fn.name) || !graph.called.has(n);
    const liveAll = live(isRoot);
    // Writers that matter for torn reads: not only reachable from tp_init (re-called on a live object, rare).
    const liveNoInit = live((n) => isRoot(n) && !initFns.has(n.fn.name));
    // Mutable fields per type; candidate partners (writers of several fields, with what they call) per type.
    const mutable = new Map<string, Set<string>>();
    const writersByType = new Map<string, { node: GraphNode; writes: Set<string> }[]>();
    for (const n of liveAll) {
      for (const field of n.fn.writes) {
        if (!n.fn.selfType || !judged(n.fn.selfType, field)) continue;
        let s = mutable.get(n.fn.selfType);
        if (!s) mutable.set(n.fn.selfType, (s = new Set()));
        s.add(field);
      }
    }
    for (const n of liveNoInit) {
      const type = n.fn.selfType || n.callees.flatMap((c) => c.targets.map((t) => t.fn.selfType)).find((t) => t) || '';
      const writes = graph.writes(n);
      if (type && writes.size >= 2) pushTo(writersByType, type, { node: n, writes });
    }
    // One finding per method: a function can hold several nodes (its `PyObject *self` and a local cast from it).
    const reportedFns = new Set<string>();
    for (const n of graph.nodes) {
      const fn = n.fn;
      if (!entry.has(fn.name) || isLifecycle(fn) || reportedFns.has(`${n.file}\0${fn.name}`)) continue;
      // In source order of where the method makes them (its own access, or the call that leads to it).
      const open = graph
        .reach(n)
        .filter((a) => mutable.get(a.type)?.has(a.field) === true && judged(a.type, a.field))
        .sort((a, b) => (a.via ?? a).line - (b.via ?? b).line || (a.via ?? a).column - (b.via ?? b).column);
      if (open.length === 0) continue;
      const type = open[0]?.type as string;
      const writes = open.filter((a) => a.write);
      let first: Reached | undefined = writes[0];
      let why = '';
      // The variable as the reporting function names it (helpers may call it differently).
      const nameOf = (r: Reached) => (fn.selfType ? fn.selfVar : r.selfVar);
      if (first) {
        why = `${first.via ? `calls ${first.via.callee}(), which writes` : 'writes'} ${show(nameOf(first), first.field)}`;
      } else {
        // Reads of several fields that another method updates together.
        const read = [...new Set(open.filter((a) => a.type === type).map((a) => a.field))];
        // Or of one C++ container another method changes through its members: a lookup while it rehashes.
        const cont = read.length < 2 ? read.find((f) => containerFields.has(`${type}.${f}`)) : undefined;
        if (cont !== undefined) {
          const changer = [...liveNoInit].find((o) => o !== n && o.fn.selfType === type && o.fn.writes.includes(cont));
          first = changer ? open.find((a) => a.type === type && a.field === cont) : undefined;
          if (!changer || !first) continue;
          why = `reads ${show(nameOf(first), cont)}${first.via ? ` (in ${first.via.callee}())` : ''}, a container ${changer.fn.name}() changes,`;
        } else if (read.length < 2) continue;
        else {
        // A torn read needs a concurrent writer; tp_init alone (re-called on a live object) is too rare to report readers for.
        // Named after the function that makes the writes itself when there is one (`resize()`, not its callers).
        const candidates = (writersByType.get(type) ?? []).filter((o) => o.node !== n && read.filter((f) => o.writes.has(f)).length >= 2);
        // And one that runs on objects methods receive (an entry, or passed the object by one) before a function whose callers
        // are unknown (it may only ever fill fresh objects).
        const own = (o: { node: GraphNode }) => read.filter((f) => o.node.fn.writes.includes(f)).length >= 2;
        const onShared = (o: { node: GraphNode }) => entry.has(o.node.fn.name) || graph.called.has(o.node);
        const partner =
          candidates.find((o) => own(o) && onShared(o)) ?? candidates.find(onShared) ?? candidates.find(own) ?? candidates[0];
        if (!partner) continue;
        const together = read.filter((f) => partner.writes.has(f));
        first = open.find((a) => a.type === type && together.includes(a.field));
        if (!first) continue;
        // Each field with where the method reads it: itself, or in the function a call leads to.
        const names = together
          .map((f) => {
            const mine = open.find((a) => a.type === type && a.field === f && !a.via);
            const via = open.find((a) => a.type === type && a.field === f && a.via);
            return `${show(first ? nameOf(first) : 'self', f)}${mine || !via ? '' : ` (in ${via.fn}())`}`;
          })
          .join(', ');
        why = `reads ${names}, which ${partner.node.fn.name}() updates together,`;
        }
      }
      const at = first.via ?? first;
      const rest = open.filter((a) => a !== first).slice(0, 20);
      // tp_init runs on a fresh object before anyone else has it; a race needs __init__ called again on an object other
      // threads already use: said so, at info.
      const reinit = initFns.has(fn.name);
      reportedFns.add(`${n.file}\0${fn.name}`);
      ctx.report(n.file, {
        line: at.line,
        column: at.column,
        ...(reinit ? { severity: 'info' as const } : {}),
        message: reinit
          ? `${fn.name}() (${initLabel.get(fn.name)}) ${why} without a critical section on the object: a race only if ${initLabel.get(fn.name) === '__setstate__' ? '__setstate__' : '__init__'} is called again on a ${first.type} other threads already use (it normally runs on a fresh object)`
          : `${fn.name}() ${why} without a critical section on the object: another thread can use the same ${first.type} concurrently`,
        related: [
          // The way from the method to the helper that makes the access: each call between, then the access.
          ...(first.hops ?? []).map((h) => ({ path: h.path, line: h.call.line, column: h.call.column, message: `${h.fn}() calls ${h.call.callee}()` })),
          ...(first.via ? [{ path: first.path, line: first.line, column: first.column, message: `${first.write ? 'writes' : 'reads'} ${show(first.selfVar, first.field)} in ${first.fn}()` }] : []),
          ...rest.map((a) => ({ path: a.path, line: a.line, column: a.column, message: `${a.write ? 'writes' : 'reads'} ${show(a.selfVar, a.field)}${a.via ? ` in ${a.fn}()` : ''}` })),
        ],
      });
    }
  },
});

/** How a field access is written: `self->f`, or `Py_SIZE(self)` for a variable-size object's size. */
const show = (v: string, field: string): string => (field === 'ob_size' ? `Py_SIZE(${v})` : `${v}->${field}`);

/** Accesses kept per function with those of its callees: enough to report and to find two fields read together. */
const MAX_REACHED = 200;

interface GraphNode {
  fn: SelfFunction;
  file: string;
  callees: { call: SelfCall; targets: GraphNode[] }[];
}

/** An unprotected access a function makes, itself or in a function it passes the object to without a lock. */
interface Reached extends FieldAccess {
  path: string;
  type: string;
  selfVar: string;
  /** The function that makes the access. */
  fn: string;
  /** The call in the reporting function through which it is made (absent for its own accesses). */
  via?: SelfCall;
  /** The calls between: in the helpers `via` leads to, from the outermost in, down to the function that makes the access. */
  hops?: { call: SelfCall; path: string; fn: string }[];
}

/**
 * Functions that take an object or pass it on, joined by the calls that pass it (argument position 0, the one a
 * function's facts follow): a callee is found by name, in the caller's file first. `reach` and `writes` follow the
 * calls transitively (unprotected calls only for `reach`: a call under the object's critical section or a lock
 * protects everything the callee does).
 */
function selfCallGraph(files: readonly { path: string; objects?: ObjectFacts }[], objectNames: Set<string>) {
  const nodes: GraphNode[] = [];
  const byName = new Map<string, GraphNode[]>();
  forEachSelfFunction(files, (t) => t === '' || objectNames.has(t), (fn, file) => {
    const n: GraphNode = { fn, file, callees: [] };
    nodes.push(n);
    pushTo(byName, fn.name, n);
  });
  const called = new Set<GraphNode>();
  for (const n of nodes) {
    for (const call of n.fn.calls()) {
      if (call.arg !== 0) continue;
      const all = (byName.get(call.callee) ?? []).filter(
        (t) => t !== n && t.fn.bound && (t.fn.selfType === '' || n.fn.selfType === '' || t.fn.selfType === n.fn.selfType),
      );
      const local = all.filter((t) => t.file === n.file);
      const targets = local.length > 0 ? local : new Set(all.map((t) => t.file)).size === 1 ? all : [];
      if (targets.length === 0) continue;
      n.callees.push({ call, targets });
      for (const t of targets) called.add(t);
    }
  }
  // What a function does itself and through the calls it follows (every call for `writes`; for `reach`, only calls
  // outside the object's critical section or a lock), with a project-wide copy budget so a pathological call graph
  // stops growing.
  let budget = 200_000;
  const reach = closure<Reached[]>(
    (n) => (n.fn.selfType ? n.fn.accesses().map((a) => ({ ...a, path: n.file, type: n.fn.selfType, selfVar: n.fn.selfVar, fn: n.fn.name })) : []),
    (c) => !c.call.protected,
    (out, from, c, t) => {
      for (const x of from) {
        if (out.length >= MAX_REACHED) break;
        const hops = x.via ? [{ call: x.via, path: t.file, fn: t.fn.name }, ...(x.hops ?? [])] : x.hops;
        out.push({ ...x, via: c.call, ...(hops ? { hops } : {}) });
      }
    },
    () => [],
    (out) => (budget -= out.length) > 0,
  );
  const writes = closure<Set<string>>(
    (n) => new Set(n.fn.writes),
    () => true,
    (out, from) => {
      for (const w of from) out.add(w);
    },
    () => new Set(),
  );
  return { nodes, called, reach, writes };
}

/**
 * A per-function result over the call graph: its own part, with what `add` takes from each callee the calls that
 * `follow` accepts lead to. Memoised only when complete: a result computed while a caller on the stack was still open
 * (a cycle of helpers) is recomputed from that caller, so every member of a cycle sees the whole cycle's part.
 * `more` (after each result) returning false stops further growth: later results are left empty.
 */
function closure<T>(
  own: (n: GraphNode) => T,
  follow: (c: GraphNode['callees'][number]) => boolean,
  add: (out: T, from: T, c: GraphNode['callees'][number], target: GraphNode) => void,
  empty: () => T,
  more: (out: T) => boolean = () => true,
): (n: GraphNode) => T {
  const memo = new Map<GraphNode, T>();
  const open = new Set<GraphNode>();
  let stopped = false;
  const visit = (n: GraphNode): { out: T; partial: boolean } => {
    const known = memo.get(n);
    if (known) return { out: known, partial: false };
    if (open.has(n) || stopped) return { out: empty(), partial: true };
    open.add(n);
    let partial = false;
    const out = own(n);
    for (const c of n.callees) {
      if (!follow(c)) continue;
      for (const t of c.targets) {
        const r = visit(t);
        partial ||= r.partial;
        add(out, r.out, c, t);
      }
    }
    if (!more(out)) stopped = true;
    open.delete(n);
    if (!partial || open.size === 0) memo.set(n, out);
    return { out, partial };
  };
  return (n) => visit(n).out;
}
