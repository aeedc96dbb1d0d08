import { remedyFor } from '../data/capi.js';
import { checkBorrowed, FT2_HELD_NOTE, FT2_NEVER_FREE_THREADED_NOTE } from './_borrowed.js';
import { defineFileRule } from './types.js';

export default defineFileRule({
  meta: {
    id: 'FT202',
    name: 'borrowed-list-item',
    title: 'Borrowed reference from a list that other threads can mutate',
    family: 'FT2',
    severity: 'warning',
    why:
      '`PyList_GetItem` and `PyList_GET_ITEM` return a borrowed reference. Without the GIL another thread can replace the item (or shrink the list: ' +
      '`PyList_GET_ITEM` does no bounds check) and free the object while you use it. `PyList_GetItemRef` returns a strong reference.\n\n' +
      'Quiet when the list was created in this function (`PyList_New`, `PySequence_List`, …) and not shared yet (a static helper whose every caller ' +
      'in the file passes such a list counts too), when the result is only compared with NULL, and inside ' +
      '`Py_BEGIN_CRITICAL_SECTION(list)` on the same list.\n\n' +
      FT2_HELD_NOTE + FT2_NEVER_FREE_THREADED_NOTE,
    bad: 'PyObject *first = PyList_GetItem(self->items, 0);\nreturn Py_NewRef(first);',
    good: 'PyObject *first = PyList_GetItemRef(self->items, 0);\nreturn first;  /* strong reference or NULL with IndexError */',
    remedy: remedyFor('PyList_GetItem'),
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/howto/free-threading-extensions.html#borrowed-references', 'python/cpython#137043', 'libgit2/pygit2#1434'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    checkBorrowed(ctx, ['PyList_GetItem', 'PyList_GET_ITEM'], (api, l) =>
      `${api}() returns a borrowed reference; another thread can replace or remove the item of '${l}' and free it while you use it`,
      { presenceTestIsSafe: true },
    );
  },
});
