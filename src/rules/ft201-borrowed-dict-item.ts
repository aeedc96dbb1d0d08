import { remedyFor } from '../data/capi.js';
import { checkBorrowed, FT2_HELD_NOTE, FT2_NEVER_FREE_THREADED_NOTE } from './_borrowed.js';
import { defineFileRule } from './types.js';

const NAMES = ['PyDict_GetItem', 'PyDict_GetItemWithError', 'PyDict_GetItemString', 'PyDict_SetDefault'] as const;

export default defineFileRule({
  meta: {
    id: 'FT201',
    name: 'borrowed-dict-item',
    title: 'Borrowed reference from a dict that other threads can mutate',
    family: 'FT2',
    severity: 'warning',
    why:
      '`PyDict_GetItem`, `PyDict_GetItemWithError`, `PyDict_GetItemString` and `PyDict_SetDefault` return a borrowed reference to the value. ' +
      'Without the GIL another thread can replace or delete the key and drop the last reference while you still use the pointer: a use-after-free. ' +
      'Even `Py_INCREF` right after the call is too late. The `…Ref` variants return a strong reference, taken while the dict is locked internally.\n\n' +
      'Quiet when the dict cannot be shared yet (created in this function by `PyDict_New`/`PyDict_Copy`/… and not stored or passed on before the call; ' +
      'passing it to a helper in the same file that does not keep it is fine, and so is a static helper whose every caller passes such a dict), ' +
      'when it is the keyword-argument dict of the current call (`kwds`/`kwargs` parameter) or the per-thread dict (`PyThreadState_GetDict()`), ' +
      'when the result is only compared with NULL (`if (PyDict_GetItem(d, k) != NULL)`, `assert(PyDict_GetItemString(d, "x"))`), ' +
      'and inside `Py_BEGIN_CRITICAL_SECTION(dict)` on the same dict.\n\n' +
      FT2_HELD_NOTE +
      FT2_NEVER_FREE_THREADED_NOTE,
    bad: 'PyObject *v = PyDict_GetItem(self->cache, key);\nif (v == NULL) return NULL;\nreturn Py_NewRef(v);',
    good: 'PyObject *v;\nif (PyDict_GetItemRef(self->cache, key, &v) <= 0) return NULL;\nreturn v;  /* already a strong reference */',
    remedy: remedyFor('PyDict_GetItem'),
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/howto/free-threading-extensions.html#borrowed-references', 'Doc/data/refcounts.dat', 'pythoncapi_compat.h'],
    limitations:
      'Sharing is judged inside one function: a dict created elsewhere and passed in as a parameter is assumed shared. ' +
      'Field containers are matched by field name across the project, so two types with a field of the same name count as one.',
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    checkBorrowed(ctx, NAMES, (api, d) =>
      `${api}() returns a borrowed reference; another thread can delete the entry from '${d}' and free it while you use it`,
      { presenceTestIsSafe: true },
    );
  },
});
