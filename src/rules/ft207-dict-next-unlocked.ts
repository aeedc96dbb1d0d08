import { CRITICAL_SECTION_REMEDY } from '../data/capi.js';
import { checkUnlockedIteration, FT2_HELD_NOTE, FT2_NEVER_FREE_THREADED_NOTE } from './_borrowed.js';
import { defineFileRule } from './types.js';

export default defineFileRule({
  meta: {
    id: 'FT207',
    name: 'dict-next-unlocked',
    title: 'PyDict_Next iterates a dict without holding its critical section',
    family: 'FT2',
    severity: 'warning',
    why:
      '`PyDict_Next` is the one dict API that does not lock internally (it stopped in 3.13, python/cpython#120858): the keys and values it yields are ' +
      'borrowed, and another thread can resize the dict under the loop. Wrap the whole loop in `Py_BEGIN_CRITICAL_SECTION(dict)` … ' +
      '`Py_END_CRITICAL_SECTION()`, and `Py_NewRef` keys/values that must outlive it.\n\n' +
      'Quiet for a dict created in this function and not shared yet (filling it through a helper in the same file that does not keep it is fine), ' +
      'for the keyword-argument dict of the call, the per-thread dict, and inside a critical section on that dict.\n\n' +
      FT2_HELD_NOTE + FT2_NEVER_FREE_THREADED_NOTE,
    bad: 'Py_ssize_t pos = 0;\nPyObject *k, *v;\nwhile (PyDict_Next(self->dict, &pos, &k, &v)) {\n    total += PyLong_AsLong(v);\n}',
    good:
      'Py_ssize_t pos = 0;\nPyObject *k, *v;\nPy_BEGIN_CRITICAL_SECTION(self->dict);\nwhile (PyDict_Next(self->dict, &pos, &k, &v)) {\n    total += PyLong_AsLong(v);\n}\nPy_END_CRITICAL_SECTION();',
    remedy: CRITICAL_SECTION_REMEDY('dict'),
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/howto/free-threading-extensions.html#pydict-next', 'python/cpython#120858', 'python/cpython#138098'],
    limitations: 'A critical section taken by a caller is not seen; the section must be in the same function.',
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    checkUnlockedIteration(
      ctx,
      ['PyDict_Next'],
      (call) => (call.args[0] ? [call.args[0].text] : []),
      (api, d) => `${api}() iterates '${d}' without a critical section on it; another thread can mutate the dict during the loop`,
    );
  },
});
