import { defineFileRule } from './types.js';
import { neverFreeThreadedAt } from '../engine/guards.js';
import { initOnlyFunctions } from '../engine/globals.js';

const DICT_WRITERS = /^(PyDict_SetItem|PyDict_SetItemString|PyDict_DelItem|PyDict_DelItemString|PyDict_Update|PyDict_Merge|PyDict_Clear|PyDict_SetDefault|PyDict_SetDefaultRef|PyDict_Pop|PyDict_PopString)$/;

export default defineFileRule({
  meta: {
    id: 'FT504',
    name: 'type-dict-write',
    title: "Writing into a type's tp_dict directly",
    family: 'FT5',
    severity: 'warning',
    why:
      "Adding attributes by writing into `Type->tp_dict` (or `Type.tp_dict`) with `PyDict_SetItem…` bypasses the type's attribute-cache " +
      'invalidation and, on free-threaded builds, the type lock: other threads can keep using stale lookups or race with the write. Set class ' +
      'attributes with `PyObject_SetAttrString((PyObject *)type, name, value)` (which locks and invalidates caches), or define them before ' +
      '`PyType_Ready` (in `tp_members`/`tp_getset`, or in the spec of a heap type).' +
      '\n\nQuiet during module init (`PyInit_*`, `Py_mod_exec` functions and static functions only they call), before other threads can see the type, ' +
      'and in code compiled only for GIL builds or CPython < 3.13 (`#ifndef Py_GIL_DISABLED`, `#if PY_VERSION_HEX < 0x030D0000`).',
    bad: 'PyDict_SetItemString(SpamType.tp_dict, "VERSION", version);',
    good: 'PyObject_SetAttrString((PyObject *)&SpamType, "VERSION", version);',
    remedy: {
      api: 'PyObject_SetAttrString',
      since: null,
      compat: null,
      snippet: 'if (PyObject_SetAttrString((PyObject *)type, "NAME", value) < 0) goto error;',
    },
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/c-api/typeobj.html#c.PyTypeObject.tp_dict ("not safe to modify tp_dict with PyDict_SetItem")'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    // During module init no other thread can see the type yet (worked out only for files that touch tp_dict).
    let initFns: Set<number> | undefined;
    const init = () => (initFns ??= initOnlyFunctions(ctx.code, ctx.lowered, ctx.index));
    for (const c of ctx.index.calls) {
      if (!DICT_WRITERS.test(c.name)) continue;
      const target = (c.args[0]?.text ?? '').replace(/\s+/g, '');
      if (!/(?:->|\.)tp_dict$/.test(target)) continue;
      if (neverFreeThreadedAt(ctx.lowered, c.start) || init().has(c.fn)) continue;
      ctx.report({ start: c.start, end: c.end, message: `${c.name}() writes into ${target} directly, bypassing the type's lock and attribute cache` });
    }
    for (const a of ctx.index.assigns) {
      if (a.isInit || !/(?:->|\.)tp_dict$/.test(a.lhs.replace(/\s+/g, ''))) continue;
      if (neverFreeThreadedAt(ctx.lowered, a.start) || init().has(a.fn)) continue;
      ctx.report({ start: a.start, end: a.end, message: `assigning ${a.lhs} replaces a type's dict behind the runtime's back` });
    }
  },
});
