import { analyzeFunction, THREAD_RESOURCES } from '../engine/flow.js';
import type { Remedy } from '../engine/types.js';
import { defineFileRule } from './types.js';

const RELEASE: Record<string, { call: string; remedy: Remedy; what: string }> = {
  PyGILState_Ensure: {
    call: 'PyGILState_Release',
    what: 'the thread state from PyGILState_Ensure() is never released',
    remedy: { api: 'PyGILState_Release', since: null, compat: null, snippet: 'PyGILState_STATE st = PyGILState_Ensure();\n/* … every path … */\nPyGILState_Release(st);\nreturn result;' },
  },
  PyEval_SaveThread: {
    call: 'PyEval_RestoreThread',
    what: 'the thread state detached by PyEval_SaveThread() is never restored',
    remedy: { api: 'PyEval_RestoreThread', since: null, compat: null, snippet: 'PyThreadState *ts = PyEval_SaveThread();\n/* … blocking work … */\nPyEval_RestoreThread(ts);   /* on every path, before any C-API call or return */' },
  },
  PyMutex_Lock: {
    call: 'PyMutex_Unlock',
    what: 'the PyMutex stays locked',
    remedy: { api: 'PyMutex_Unlock', since: '3.13', compat: null, snippet: 'PyMutex_Lock(&st->lock);\nint rc = update(st);\nPyMutex_Unlock(&st->lock);   /* on every path */\nreturn rc;' },
  },
};

export default defineFileRule({
  meta: {
    id: 'FT405',
    name: 'unreleased-on-path',
    title: 'PyGILState_Ensure, PyMutex_Lock or PyEval_SaveThread not released on every path',
    family: 'FT4',
    severity: 'error',
    why:
      'A function that calls `PyGILState_Release`, `PyMutex_Unlock` or `PyEval_RestoreThread` on some paths but can return on another path ' +
      'while still holding what it acquired leaks it: a thread state that is never released, a mutex every later caller blocks on, a thread ' +
      'that keeps running Python code detached. The rule follows the paths through the function body (if/else, switch, loops, forward gotos, ' +
      '`#if` branches).\n\nQuiet for functions that never release what they acquire (lock wrappers such as `acquire_foo()`), and for paths ' +
      'through macros it cannot see.',
    bad: 'PyGILState_STATE st = PyGILState_Ensure();\nif (callback == NULL)\n    return -1;         /* st is never released */\nPyObject_CallNoArgs(callback);\nPyGILState_Release(st);\nreturn 0;',
    good: 'PyGILState_STATE st = PyGILState_Ensure();\nint rc = -1;\nif (callback != NULL && PyObject_CallNoArgs(callback) != NULL)\n    rc = 0;\nPyGILState_Release(st);\nreturn rc;',
    remedy: RELEASE.PyGILState_Ensure?.remedy as Remedy,
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/c-api/init.html#c.PyGILState_Ensure', 'https://docs.python.org/3/c-api/synchronization.html#c.PyMutex_Lock'],
    limitations: 'Backward gotos, longjmp and exits hidden in macros are not followed; conditions correlated across branches are treated as independent.',
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    const fns = new Set<number>();
    const releasesIn = new Map<number, Set<string>>();
    const acquiredIn = new Map<number, Set<string>>();
    const inverted = new Map<number, Set<string>>();
    const add = (m: Map<number, Set<string>>, fn: number, key: string) => {
      let s = m.get(fn);
      if (!s) m.set(fn, (s = new Set()));
      s.add(key);
    };
    for (const c of ctx.index.calls) {
      if (c.fn < 0) continue;
      const args = c.args.map((a) => a.text);
      const rel = THREAD_RESOURCES.release(c.name, args);
      if (rel !== null) {
        // Released before it is ever acquired: the function is entered holding it (e.g. called detached, and
        // re-attaching around a callback with PyEval_RestoreThread … PyEval_SaveThread). Not ours to release.
        if (!acquiredIn.get(c.fn)?.has(rel)) add(inverted, c.fn, rel);
        add(releasesIn, c.fn, rel);
      }
      const acq = THREAD_RESOURCES.acquire(c.name, args);
      if (acq !== null) {
        fns.add(c.fn);
        add(acquiredIn, c.fn, acq);
      }
    }
    if (fns.size === 0) return;
    for (const node of ctx.index.functionNodes) {
      if (!node) continue;
      const fi = ctx.index.functions.findIndex((f) => f.start === node.startIndex);
      if (fi < 0 || !fns.has(fi)) continue;
      const released = releasesIn.get(fi);
      if (!released) continue;
      const body = node.childForFieldName('body');
      if (!body) continue;
      for (const exit of analyzeFunction(body, THREAD_RESOURCES)) {
        for (const key of exit.held) {
          if (!released.has(key)) continue; // a wrapper that never releases it: intended
          if (inverted.get(fi)?.has(key)) continue;
          const kind = key.replace(/\(.*$/, '');
          const info = RELEASE[kind];
          if (!info) continue;
          const start = exit.kind === 'end' ? exit.node.endIndex - 1 : exit.node.startIndex;
          ctx.report({
            start,
            end: exit.kind === 'end' ? exit.node.endIndex : exit.node.endIndex,
            message: `${exit.kind === 'end' ? 'the function ends' : 'this return is reached'} on a path where ${info.what} (${info.call}() is skipped)`,
            remedy: info.remedy,
          });
        }
      }
    }
  },
});
