import type { Remedy } from '../engine/types.js';
import { globalModel, reportAtWrite, unprotected } from './_globals.js';
import { defineProjectRule, ruleOption, type RuleMeta } from './types.js';

const ATOMIC: Remedy = {
  api: 'atomic_fetch_add / atomic_store (C11 <stdatomic.h>)',
  since: null,
  compat: null,
  snippet: '#include <stdatomic.h>\nstatic atomic_long calls;\natomic_fetch_add(&calls, 1);   /* instead of calls++ */\natomic_store(&ready, 1);       /* instead of ready = 1 */',
};

/** The same for C++ files, where <stdatomic.h> is not available before C++23. */
const CXX_ATOMIC: Remedy = {
  api: 'std::atomic (C++11 <atomic>)',
  since: null,
  compat: null,
  snippet: '#include <atomic>\nstatic std::atomic<long> calls{0};\ncalls.fetch_add(1, std::memory_order_relaxed);  // instead of calls++\nready.store(true);                               // instead of ready = true',
};

const CXX_CONTAINER = /\bstd::(?:unordered_map|unordered_set|unordered_multimap|unordered_multiset|map|set|multimap|multiset|vector|deque|list|forward_list)\b/;

const meta: RuleMeta = {
    id: 'FT302',
    name: 'global-written-at-runtime',
    title: 'Mutable global or static variable written at run time without synchronisation',
    family: 'FT3',
    severity: 'warning',
    why:
      'A file-scope or function-`static` variable (a counter, a flag, a setting) written while the module is in use is shared by every thread. ' +
      'Under the GIL the writes were serialised; without it they race: lost updates for counters, torn or stale reads for settings. Use C11 ' +
      'atomics for counters and flags, a `PyMutex` (3.13) for compound state, or per-thread state (`Py_tss_t`, `thread_local`).\n\n' +
      'Quiet for globals written only during module init, writes under a lock / critical section / C++ lock guard, code compiled only for ' +
      'GIL builds, `const`, atomic and thread-local variables, and lock objects themselves. A global pointer to a C++ standard container ' +
      '(`static std::unordered_map<K, V> *cache`) is judged by the container: changing it through its members (`cache->insert(…)`, ' +
      '`(*cache)[k] = v`) at run time is a write.',
    bad: 'static long ncalls = 0;\n\nstatic PyObject *\nspam_call(PyObject *self, PyObject *args)\n{\n    ncalls++;\n    Py_RETURN_NONE;\n}',
    good: '#include <stdatomic.h>\nstatic atomic_long ncalls = 0;\n\nstatic PyObject *\nspam_call(PyObject *self, PyObject *args)\n{\n    atomic_fetch_add(&ncalls, 1);\n    Py_RETURN_NONE;\n}',
    remedy: ATOMIC,
    exampleLanguage: 'c',
    references: ['https://py-free-threading.github.io/porting-extensions/ (global state)', 'https://docs.python.org/3/howto/free-threading-extensions.html#protecting-internal-extension-state'],
    limitations: 'Writes through pointers to a global (`int *p = &flag; *p = 1;`) are not followed.',
    options: {
      'init-functions': {
        type: 'string[]',
        default: [],
        description:
          'Functions that run only while the module is being initialised, before other threads can call into it (for example a setup function ' +
          'called through a pointer ftlint cannot follow); writes in them, and in functions only they call, are treated as init-time writes.',
      },
    },
};

export default defineProjectRule({
  meta,
  check(ctx) {
    const cxx = new Set(ctx.files.filter((f) => f.language === 'cpp').map((f) => f.path));
    for (const g of globalModel(ctx.files, ruleOption<string[]>(ctx.project, meta, 'init-functions')).globals) {
      // A pointer to a C++ standard container (`std::unordered_map<…> *cache`) is judged by the container it points to.
      const pointsToContainer = g.v.isPointer && CXX_CONTAINER.test(g.v.type);
      if (g.v.kind !== 'scalar' && !(g.v.kind === 'other' && !g.v.isPointer && !g.v.isArray) && !pointsToContainer) continue;
      if (g.v.isThreadSafe || g.v.isConst) continue;
      const ws = pointsToContainer ? unprotected(g).filter((w) => w.kind === 'element') : unprotected(g);
      const first = ws[0];
      if (!first) continue;
      const counter = ws.some((w) => w.kind === 'update');
      const where = pointsToContainer
        ? `the ${(CXX_CONTAINER.exec(g.v.type) as RegExpExecArray)[0]} that ${g.v.fn ? `static '${g.v.name}' in ${g.v.fn}()` : `global '${g.v.name}'`} points to`
        : g.v.fn
          ? `static '${g.v.name}' in ${g.v.fn}()`
          : `global '${g.v.name}'`;
      const remedy: Remedy = counter || ws.every((w) => w.kind === 'assign') ? (cxx.has(g.file) ? CXX_ATOMIC : ATOMIC) : { api: 'PyMutex', since: '3.13', compat: null, snippet: 'static PyMutex state_lock;\nPyMutex_Lock(&state_lock);\n/* update the shared state */\nPyMutex_Unlock(&state_lock);' };
      const how = first.via ? `by ${first.via.callee}(${first.via.expr}) ` : '';
      reportAtWrite(ctx, first, `${where} is written at run time ${how}in ${first.fn}() without synchronisation: ${counter ? 'concurrent updates are lost' : 'a data race without the GIL'}`, ws, g, remedy);
    }
  },
});
