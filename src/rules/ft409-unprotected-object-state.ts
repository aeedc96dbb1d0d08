import { COMPAT } from '../data/capi.js';
import type { FieldAccess, ObjectStruct, SelfFunction } from '../engine/objects.js';
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
      '`tp_traverse`, writes it. The rule reports a method (a function in a method table, getset or type slot; `__init__` counts, since Python ' +
      'can call it again) that writes a field, or reads two or more mutable fields that another method updates together, outside a critical ' +
      'section on that object, a lock, or atomics (readers are not reported when the only writer is `tp_init`) — one finding per method, at its first unprotected access, with the others as related ' +
      'locations. Quiet for types whose fields only allocation writes, for lock and atomic fields, and for accesses already under a lock.',
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
      'Accesses are followed in the method body only (not into helper functions it calls); `self` is the first parameter, or a local cast from it.',
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
    const initFns = new Set(ctx.files.flatMap((f) => f.objects?.initFns ?? []));
    const isLifecycle = (fn: SelfFunction) => lifecycle.has(fn.name) || LIFECYCLE_NAME.test(fn.name);
    // The methods of object types, file by file (decoded pass by pass: a large project has hundreds of thousands).
    const eachMethod = (visit: (fn: SelfFunction, file: string) => void) => forEachSelfFunction(ctx.files, (t) => objectNames.has(t), visit);
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
    // Mutable fields per type; candidate partners (writers of several fields) per type, so the search stays within one type.
    const mutable = new Map<string, Set<string>>();
    const writersByType = new Map<string, SelfFunction[]>();
    eachMethod((fn) => {
      if (isLifecycle(fn)) return;
      for (const field of fn.writes) {
        if (!judged(fn.selfType, field)) continue;
        let s = mutable.get(fn.selfType);
        if (!s) mutable.set(fn.selfType, (s = new Set()));
        s.add(field);
      }
      if (fn.writes.length >= 2 && !initFns.has(fn.name)) pushTo(writersByType, fn.selfType, fn);
    });
    eachMethod((fn, file) => {
      if (!entry.has(fn.name) || isLifecycle(fn)) return;
      const mut = mutable.get(fn.selfType);
      if (!mut) return;
      const open = fn.accesses().filter((a) => mut.has(a.field) && judged(fn.selfType, a.field));
      const writes = open.filter((a) => a.write);
      let first: FieldAccess | undefined = writes[0];
      let why = '';
      if (first) {
        why = `writes ${fn.selfVar}->${first.field}`;
      } else {
        // Reads of several fields that another method updates together.
        const read = [...new Set(open.map((a) => a.field))];
        if (read.length < 2) return;
        // A torn read needs a concurrent writer; tp_init alone (re-called on a live object) is too rare to report readers for.
        const partner = (writersByType.get(fn.selfType) ?? []).find((o) => o.id !== fn.id && read.filter((f) => o.writes.includes(f)).length >= 2);
        if (!partner) return;
        const together = read.filter((f) => partner.writes.includes(f));
        first = open.find((a) => together.includes(a.field));
        if (!first) return;
        why = `reads ${together.map((f) => `${fn.selfVar}->${f}`).join(', ')}, which ${partner.name}() updates together,`;
      }
      const rest = open.filter((a) => a !== first).slice(0, 20);
      ctx.report(file, {
        line: first.line,
        column: first.column,
        message: `${fn.name}() ${why} without a critical section on the object: another thread can use the same ${fn.selfType} concurrently`,
        related: rest.map((a) => ({ path: file, line: a.line, column: a.column, message: `${a.write ? 'writes' : 'reads'} ${fn.selfVar}->${a.field}` })),
      });
    });
  },
});
