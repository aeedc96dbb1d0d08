import { defineFileRule } from './types.js';
import { neverFreeThreadedAt } from '../engine/guards.js';
import { functionName } from '../engine/c-index.js';

export default defineFileRule({
  meta: {
    id: 'FT503',
    name: 'set-refcnt-outside-dealloc',
    title: 'Py_SET_REFCNT on an object that other threads may hold',
    family: 'FT5',
    severity: 'warning',
    why:
      '`Py_SET_REFCNT` overwrites the count non-atomically. On free-threaded builds other threads update the shared part of the count ' +
      'concurrently, so setting it on a live, shared object corrupts it (and values above UINT32_MAX make the object immortal). It is legitimate ' +
      'only while resurrecting an object inside its own deallocator or finalizer, or on an object no other thread can see yet.\n\nQuiet inside ' +
      'functions that look like deallocators/finalizers (`*dealloc*`, `*finalize*`, `*_del`, `tp_finalize`), and in code compiled only for GIL builds or CPython < 3.13 (`#ifndef Py_GIL_DISABLED`, `#if PY_VERSION_HEX < 0x030D0000`).',
    bad: 'Py_SET_REFCNT(cached, 1);  /* "reset" a shared object */',
    good: '/* let the reference count be: use Py_INCREF / Py_DECREF, or a fresh object */\nPyObject *fresh = make_object();',
    remedy: { api: 'Py_INCREF / Py_DECREF', since: null, compat: null, snippet: 'Py_INCREF(obj);   /* take a reference */\nPy_DECREF(obj);   /* release it */' },
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/c-api/refcounting.html#c.Py_SET_REFCNT', 'cython/cython#7439'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    for (const c of ctx.index.calls) {
      if (c.name !== 'Py_SET_REFCNT') continue;
      if (neverFreeThreadedAt(ctx.lowered, c.start)) continue;
      const fn = functionName(ctx.index, c.fn);
      if (/dealloc|finali[sz]e|_del$|__del__|resurrect|tp_free/i.test(fn)) continue;
      ctx.report({ start: c.start, end: c.end, message: `Py_SET_REFCNT() in ${fn || 'file scope'} overwrites a reference count other threads may be updating` });
    }
  },
});
