import { defineFileRule } from './types.js';

export default defineFileRule({
  meta: {
    id: 'FT407',
    name: 'gilstate-check-as-lock',
    title: 'PyGILState_Check() used to decide whether it is safe to touch shared state',
    family: 'FT4',
    severity: 'warning',
    why:
      '`PyGILState_Check()` tells whether the current thread has an attached thread state. With the GIL that implied "no other Python thread ' +
      'is running"; on free-threaded Python many threads are attached at once, so branching on it proves nothing about exclusive access. Use a ' +
      'critical section or a `PyMutex` for mutual exclusion.\n\nQuiet inside `assert(…)`, where it checks the calling convention.',
    bad: 'if (PyGILState_Check()) {\n    cache_size++;   /* "we hold the GIL, so this is safe" */\n}',
    good: 'PyMutex_Lock(&cache_lock);\ncache_size++;\nPyMutex_Unlock(&cache_lock);',
    remedy: { api: 'PyMutex', since: '3.13', compat: null, snippet: 'static PyMutex lock;\nPyMutex_Lock(&lock);\n/* exclusive access */\nPyMutex_Unlock(&lock);' },
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/c-api/init.html#c.PyGILState_Check', 'https://docs.python.org/3/howto/free-threading-extensions.html'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    for (const c of ctx.index.calls) {
      if (c.name !== 'PyGILState_Check') continue;
      const before = ctx.code.slice(Math.max(0, c.start - 120), c.start);
      if (/\bassert\s*\([^;]*$/.test(before)) continue;
      if (!/\b(if|while)\s*\([^;{}]*$/.test(before) && !/[?]\s*$/.test(ctx.code.slice(c.end, c.end + 10))) continue;
      ctx.report({ start: c.start, end: c.end, message: 'PyGILState_Check() does not prove exclusive access on free-threaded Python: other threads are attached too' });
    }
  },
});
