import { libraryRuntime, pyIndex, reportLibraryCalls, targetIs, writeTargets } from './_python.js';
import { defineSourceRule } from './types.js';

const REDIRECTS = new Set(['contextlib.redirect_stdout', 'contextlib.redirect_stderr']);
const STREAMS = new Set(['stdout', 'stderr', 'stdin']);

export default defineSourceRule({
  meta: {
    id: 'FT706',
    name: 'stdio-redirect',
    title: 'Library code rebinds sys.stdout/sys.stderr at run time',
    family: 'FT7',
    severity: 'warning',
    why:
      '`contextlib.redirect_stdout()`/`redirect_stderr()` and assignments to `sys.stdout`, `sys.stderr` or `sys.stdin` rebind an attribute of the ' +
      '`sys` module, which every thread shares: while one thread captures output, every other thread\'s `print()` goes into its buffer, and two ' +
      'threads redirecting at once restore each other\'s streams. The `contextlib` documentation calls these helpers unsuitable for threaded code.\n\n' +
      'Only library code at run time is checked (see FT701): tests capturing output and applications setting up their streams are fine.',
    bad: 'def render(obj):\n    buf = io.StringIO()\n    with contextlib.redirect_stdout(buf):\n        obj.show()\n    return buf.getvalue()',
    good: 'def render(obj):\n    buf = io.StringIO()\n    obj.show(file=buf)  # pass the stream explicitly\n    return buf.getvalue()',
    remedy: {
      api: 'print(..., file=stream) / pass the stream as a parameter / logging handlers',
      since: null,
      compat: null,
      snippet: 'def show(self, file=None):\n    print(self.summary(), file=file or sys.stdout)',
    },
    exampleLanguage: 'python',
    references: ['https://docs.python.org/3/library/contextlib.html#contextlib.redirect_stdout ("not suitable for use in library code and most threaded applications")'],
  },
  languages: ['python'],
  check(ctx) {
    if (!/redirect_std|stdout|stderr|stdin/.test(ctx.code)) return; // cheap pre-check: nothing to look at
    const idx = pyIndex(ctx);
    reportLibraryCalls(ctx, REDIRECTS, (name) => `${name}() rebinds a stream of the sys module, shared by every thread: other threads' output is captured too`);
    for (const w of idx.writes) {
      if (w.type !== 'assignment') continue;
      for (const t of writeTargets(w)) {
        const attr = t.type === 'attribute' ? t.childForFieldName('attribute')?.text : undefined;
        if (!attr || !STREAMS.has(attr) || !targetIs(t, 'object', 'sys', idx.aliases) || !libraryRuntime(ctx, w)) continue;
        ctx.report({ start: w.startIndex, end: w.endIndex, message: `assigning sys.${attr} rebinds a stream every thread shares, at run time` });
      }
    }
  },
});
