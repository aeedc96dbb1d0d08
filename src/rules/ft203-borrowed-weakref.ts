import { remedyFor } from '../data/capi.js';
import { checkBorrowed, FT2_NEVER_FREE_THREADED_NOTE } from './_borrowed.js';
import { defineFileRule } from './types.js';

export default defineFileRule({
  meta: {
    id: 'FT203',
    name: 'borrowed-weakref-object',
    title: 'PyWeakref_GetObject returns a borrowed reference to an object that can die at any moment',
    family: 'FT2',
    severity: 'error',
    why:
      'The referent of a weak reference is kept alive by nobody: without the GIL it can be freed between `PyWeakref_GetObject` returning and your next ' +
      'instruction. `PyWeakref_GetRef` returns a strong reference (or reports that the referent is dead). `PyWeakref_GetObject` and ' +
      '`PyWeakref_GET_OBJECT` are deprecated since 3.13 and removed in 3.15.' +
      '\n\n' +
      FT2_NEVER_FREE_THREADED_NOTE,
    bad: 'PyObject *obj = PyWeakref_GetObject(self->ref);\nif (obj == Py_None) return NULL;\nreturn Py_NewRef(obj);',
    good: 'PyObject *obj;\nif (PyWeakref_GetRef(self->ref, &obj) <= 0) return NULL;\nreturn obj;',
    remedy: remedyFor('PyWeakref_GetObject'),
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/c-api/weakref.html', 'gh-105927', 'gh-133644'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    checkBorrowed(ctx, ['PyWeakref_GetObject', 'PyWeakref_GET_OBJECT'], (api) =>
      `${api}() returns a borrowed reference to an object another thread can free at any moment (and is removed in Python 3.15)`,
    );
  },
});
