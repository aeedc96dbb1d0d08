import { onPath } from '../engine/c-index.js';
import { defineFileRule } from './types.js';

// C-API that needs no attached thread state (documented: PyMem_Raw*, PyThread_*, PyMutex_*; pure macros and OS helpers).
const SAFE = /^(PyMem_Raw\w+|PyThread_\w+|PyMutex_\w+|Py_ARRAY_LENGTH|Py_MIN|Py_MAX|Py_ABS|Py_SAFE_DOWNCAST|Py_CHARMASK|Py_IS\w+|Py_TOLOWER|Py_TOUPPER|Py_MEMCPY|Py_UNUSED|Py_STRINGIFY|Py_FatalError|Py_UNREACHABLE|PyOS_snprintf|PyOS_vsnprintf|PyOS_mystrn?icmp|PyOS_strtou?l|Py_BUILD_ASSERT\w*|Py_RETURN_\w+|_Py_atomic_\w+|Py_DEPRECATED|PyBuffer_IsContiguous|PyBytes_AS_STRING|PyByteArray_AS_STRING|PyBytes_GET_SIZE|PyUnicode_DATA|PyUnicode_KIND|PyUnicode_GET_LENGTH|PyUnicode_READ|PyUnicode_WRITE|PyGILState_Ensure|PyGILState_Release|PyGILState_Check|PyEval_RestoreThread|PyEval_SaveThread|PyEval_AcquireThread|PyThreadState_\w+|PyInterpreterState_\w+|Py_IsInitialized|Py_IsFinalizing|PyCapsule_GetPointer|Py_AddPendingCall|PyTraceMalloc_Track|PyTraceMalloc_Untrack|PyOS_\w+)$/;

const PUBLIC_CAPI = /^Py[A-Z][A-Za-z]*_[A-Za-z]\w*$|^Py_(X?DECREF|X?INCREF|CLEAR|X?SETREF|X?NewRef|BuildValue|DecRef|IncRef|VaBuildValue)$/;

export default defineFileRule({
  meta: {
    id: 'FT403',
    name: 'capi-without-thread-state',
    title: 'Python C-API call inside a Py_BEGIN_ALLOW_THREADS region',
    family: 'FT4',
    severity: 'error',
    why:
      'Between `Py_BEGIN_ALLOW_THREADS` and `Py_END_ALLOW_THREADS` the thread has no attached thread state. Calling the C API there — creating ' +
      'objects, `Py_DECREF`, raising exceptions — touches interpreter state without being attached: on free-threaded builds it races with the ' +
      'garbage collector\'s stop-the-world pauses and other threads. Move the call out of the region, or re-attach with `Py_BLOCK_THREADS` … ' +
      '`Py_UNBLOCK_THREADS` around it.\n\nQuiet for APIs documented to work without a thread state (`PyMem_Raw*`, `PyThread_*`, `PyMutex_*`, ' +
      '`PyGILState_*`), pure macros (`Py_MIN`, `Py_ARRAY_LENGTH`, `PyBytes_AS_STRING` …), and calls after `Py_BLOCK_THREADS`.',
    bad: 'Py_BEGIN_ALLOW_THREADS\nn = read(fd, buf, size);\nif (n < 0) PyErr_SetFromErrno(PyExc_OSError);\nPy_END_ALLOW_THREADS',
    good: 'Py_BEGIN_ALLOW_THREADS\nn = read(fd, buf, size);\nPy_END_ALLOW_THREADS\nif (n < 0) return PyErr_SetFromErrno(PyExc_OSError);',
    remedy: { api: 'Py_END_ALLOW_THREADS', since: null, compat: null, snippet: 'Py_BEGIN_ALLOW_THREADS\nresult = blocking_call();\nPy_END_ALLOW_THREADS\n/* C-API calls only after re-attaching */' },
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/c-api/init.html#releasing-the-gil-from-extension-code', 'https://docs.python.org/3/howto/free-threading-extensions.html#thread-state-and-gil-apis'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    const regions = ctx.lowered.regions.filter((r) => r.kind === 'allow_threads' && r.end !== null);
    if (regions.length === 0) return;
    for (const c of ctx.index.calls) {
      // Public C API only: private `_Py*` helpers and project functions named `Py_Something` have their own contracts.
      if (!PUBLIC_CAPI.test(c.name) || SAFE.test(c.name)) continue;
      const r = regions.find((x) => x.begin.end <= c.start && c.start < (x.end as { start: number }).start);
      if (!r) continue;
      // Re-attached with Py_BLOCK_THREADS (and not detached again) before the call?
      const toggles = ctx.lowered.threadToggles.filter((t) => t.start > r.begin.start && t.start < c.start && onPath(ctx.code, t.end, c.start));
      if (toggles[toggles.length - 1]?.name === 'Py_BLOCK_THREADS') continue;
      ctx.report({ start: c.start, end: c.nameEnd, message: `${c.name}() is called inside ${r.begin.name} … ${r.end?.name}, where the thread has no attached thread state` });
    }
  },
});
