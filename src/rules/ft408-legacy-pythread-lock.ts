import { defineFileRule } from './types.js';

export default defineFileRule({
  meta: {
    id: 'FT408',
    name: 'legacy-pythread-lock',
    title: 'PyThread_type_lock used where PyMutex or a critical section fits',
    family: 'FT4',
    severity: 'info',
    why:
      '`PyThread_allocate_lock`/`PyThread_acquire_lock` are obsolete since 3.13: they need allocation and error handling, and a blocking ' +
      'acquire does not cooperate with the runtime unless wrapped in `Py_BEGIN_ALLOW_THREADS`. `PyMutex` (3.13) is one byte, zero-initialised, ' +
      'never fails, and detaches the thread while it waits; to protect an object\'s fields, a critical section on the object is simpler still.',
    bad: 'self->lock = PyThread_allocate_lock();\nif (self->lock == NULL) return PyErr_NoMemory();\nPyThread_acquire_lock(self->lock, WAIT_LOCK);',
    good: 'PyMutex lock;        /* in the object struct, zero-initialised */\nPyMutex_Lock(&self->lock);\n/* … */\nPyMutex_Unlock(&self->lock);',
    remedy: { api: 'PyMutex', since: '3.13', compat: null, snippet: 'typedef struct { PyObject_HEAD PyMutex lock; /* … */ } MyObject;\nPyMutex_Lock(&self->lock);\n/* … */\nPyMutex_Unlock(&self->lock);' },
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/c-api/synchronization.html#legacy-locking-apis', 'numpy/numpy#27011'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    for (const c of ctx.index.calls) {
      if (c.name !== 'PyThread_allocate_lock') continue;
      ctx.report({ start: c.start, end: c.end, message: 'PyThread_allocate_lock() is obsolete since 3.13: a PyMutex (or a critical section on the object) needs no allocation and cannot fail' });
    }
  },
});
