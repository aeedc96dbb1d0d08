import { lockSpans } from '../engine/c-index.js';
import { defineFileRule } from './types.js';

// Calls that can run arbitrary Python code (__del__, __eq__, properties, imports) or block.
const RUNS_PYTHON =
  /^(PyObject_(Call\w*|Vectorcall\w*|GetAttr\w*|SetAttr\w*|DelAttr\w*|GetItem|SetItem|DelItem|Repr|Str|ASCII|Hash|RichCompare\w*|IsTrue|Not|GetIter|Format|Dir|IsInstance|IsSubclass|Length|Size)|PyNumber_\w+|PySequence_(GetItem|SetItem|DelItem|Contains|Index|Count|List|Tuple|Fast)|PyMapping_\w+|PyIter_Next|PyImport_\w+|PyEval_Call\w*|PyDict_(SetItem|DelItem|GetItemWithError|Contains)|PyErr_WarnE\w*|PyErr_CheckSignals|PyRun_\w+)$/;
const BLOCKS = /^(sleep|usleep|nanosleep|read|write|recv|recvfrom|send|sendto|accept|connect|select|poll|epoll_wait|waitpid|wait|pthread_join|sem_wait|fread|fwrite|fgets|getaddrinfo|Sleep|WaitForSingleObject|WaitForMultipleObjects)$/;

export default defineFileRule({
  meta: {
    id: 'FT404',
    name: 'mutex-held-across-python',
    title: 'PyMutex held across a call that can run Python code or block',
    family: 'FT4',
    severity: 'warning',
    why:
      'A `PyMutex` locked with `PyMutex_Lock` is not released when the thread blocks or runs Python code. If the call under the lock runs ' +
      'arbitrary Python (`PyObject_Call*`, attribute access, comparisons, imports) and that code needs the same lock — or waits on another thread ' +
      'that does, or triggers an import that holds the import lock — the program deadlocks (python/cpython#133296). Critical sections are suspended ' +
      'safely in those situations: use `Py_BEGIN_CRITICAL_SECTION_MUTEX(&m)` (3.14) instead, or copy what you need under the lock and call out ' +
      'after unlocking.\n\nOnly `PyMutex_Lock` spans are checked; `Py_DECREF` under a lock is not reported (ftlint cannot tell which objects ' +
      'have finalizers).',
    bad: 'PyMutex_Lock(&st->lock);\nPyObject *r = PyObject_CallOneArg(st->callback, arg);\nPyMutex_Unlock(&st->lock);',
    good: 'PyMutex_Lock(&st->lock);\nPyObject *cb = Py_XNewRef(st->callback);\nPyMutex_Unlock(&st->lock);\nPyObject *r = cb ? PyObject_CallOneArg(cb, arg) : NULL;\nPy_XDECREF(cb);',
    remedy: {
      api: 'Py_BEGIN_CRITICAL_SECTION_MUTEX',
      since: '3.14',
      compat: null,
      snippet: 'Py_BEGIN_CRITICAL_SECTION_MUTEX(&st->lock);\nPyObject *r = PyObject_CallOneArg(st->callback, arg);   /* suspended safely if it blocks */\nPy_END_CRITICAL_SECTION();',
    },
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/c-api/synchronization.html', 'python/cpython#133296', 'python/cpython#125053'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    const spans = lockSpans(ctx.index).filter((s) => s.call === 'PyMutex_Lock');
    for (const span of spans) {
      const hit = ctx.index.calls.find((c) => c.fn === span.fn && c.start >= span.start && c.start < span.end && (RUNS_PYTHON.test(c.name) || BLOCKS.test(c.name)));
      if (!hit) continue;
      const blocking = BLOCKS.test(hit.name);
      ctx.report({
        start: hit.start,
        end: hit.nameEnd,
        message: `${hit.name}() ${blocking ? 'can block' : 'can run arbitrary Python code'} while PyMutex '${span.lock}' is held: risk of deadlock`,
      });
    }
  },
});
