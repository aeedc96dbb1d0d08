import { condTextsAt } from '../engine/c-index.js';
import { codeView } from '../parse/lower.js';
import { excludesFreeThreaded } from '../engine/guards.js';
import { defineFileRule } from './types.js';

const THREAD_STATE_CALLS = /^(PyGILState_Ensure|PyGILState_Release|PyEval_SaveThread|PyEval_RestoreThread)$/;

export default defineFileRule({
  meta: {
    id: 'FT406',
    name: 'thread-state-calls-removed',
    title: 'Thread-state calls compiled out of the free-threaded build',
    family: 'FT4',
    severity: 'error',
    why:
      '"There is no GIL" does not mean the thread-state API can go: free-threaded Python still needs `Py_BEGIN_ALLOW_THREADS` around blocking ' +
      'calls (so stop-the-world garbage collection and other global pauses can proceed, and critical sections are released) and ' +
      '`PyGILState_Ensure` in threads Python did not create (to attach a thread state). Putting them under `#ifndef Py_GIL_DISABLED` leaves the ' +
      'free-threaded build blocking the whole interpreter, or calling the C API from a thread with no thread state.',
    bad: '#ifndef Py_GIL_DISABLED\nPy_BEGIN_ALLOW_THREADS\n#endif\nn = read(fd, buf, size);\n#ifndef Py_GIL_DISABLED\nPy_END_ALLOW_THREADS\n#endif',
    good: 'Py_BEGIN_ALLOW_THREADS\nn = read(fd, buf, size);\nPy_END_ALLOW_THREADS',
    remedy: { api: 'Py_BEGIN_ALLOW_THREADS / PyGILState_Ensure (unconditionally)', since: null, compat: null, snippet: 'Py_BEGIN_ALLOW_THREADS\nn = read(fd, buf, size);\nPy_END_ALLOW_THREADS' },
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/howto/free-threading-extensions.html#thread-state-and-gil-apis', 'Quansight porting guide: keep Py_BEGIN_ALLOW_THREADS'],
  },
  languages: ['c', 'cpp'],
  // What it reports is, by definition, in code the free-threaded build does not compile: read that code.
  gilView: true,
  check(ctx) {
    const removed = (off: number) => condTextsAt(ctx.lowered, off).some(excludesFreeThreaded);
    // Compiled branches (no target evaluation, or a condition it could not decide): the parsed regions and calls.
    for (const r of ctx.lowered.regions) {
      if (r.kind !== 'allow_threads') continue;
      if (removed(r.begin.start)) ctx.report({ start: r.begin.start, end: r.begin.end, message: message(r.begin.name) });
    }
    for (const c of ctx.index.calls) {
      if (THREAD_STATE_CALLS.test(c.name) && removed(c.start)) ctx.report({ start: c.start, end: c.nameEnd, message: `${c.name}() ${REMOVED}` });
    }
    // Branches blanked from the free-threaded view: read their text (comments and strings excluded).
    if (ctx.lowered.dead.length === 0) return;
    const code = codeView(ctx.text);
    for (const span of ctx.lowered.dead) {
      const re = /\b(Py_BEGIN_ALLOW_THREADS|PyGILState_Ensure|PyGILState_Release|PyEval_SaveThread|PyEval_RestoreThread)\b(\s*\()?/g;
      const body = code.slice(span.start, span.end);
      for (let m = re.exec(body); m; m = re.exec(body)) {
        const start = span.start + m.index;
        const name = m[1] as string;
        if (!removed(start)) continue;
        if (name === 'Py_BEGIN_ALLOW_THREADS') ctx.report({ start, end: start + name.length, message: message(name) });
        else if (m[2]) ctx.report({ start, end: start + name.length, message: `${name}() ${REMOVED}` });
      }
    }
  },
});

const REMOVED = 'is compiled out of the free-threaded build (#ifndef Py_GIL_DISABLED), which still needs it';
const message = (name: string) => `${name} ${REMOVED}`;
