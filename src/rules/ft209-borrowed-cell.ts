import { remedyFor } from '../data/capi.js';
import { checkBorrowed, FT2_NEVER_FREE_THREADED_NOTE } from './_borrowed.js';
import { defineFileRule } from './types.js';

export default defineFileRule({
  meta: {
    id: 'FT209',
    name: 'borrowed-cell-contents',
    title: 'PyCell_GET returns a borrowed reference to a cell other threads can rebind',
    family: 'FT2',
    severity: 'warning',
    why: 'Closure cells can be rebound by any thread (`nonlocal`); `PyCell_GET` reads the contents without a reference. `PyCell_Get` returns a strong reference.' +
      '\n\n' +
      FT2_NEVER_FREE_THREADED_NOTE,
    bad: 'PyObject *v = PyCell_GET(cell);\nreturn Py_NewRef(v);',
    good: 'return PyCell_Get(cell);  /* strong reference */',
    remedy: remedyFor('PyCell_GET'),
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/howto/free-threading-extensions.html#borrowed-references'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    checkBorrowed(ctx, ['PyCell_GET'], (api) => `${api}() returns a borrowed reference; another thread can rebind the cell and free the old value`);
  },
});
