import { reportLibraryCalls } from './_python.js';
import { defineSourceRule } from './types.js';

const NAMES = new Set(['sys.setrecursionlimit', 'sys.set_int_max_str_digits', 'sys.setswitchinterval']);

export default defineSourceRule({
  meta: {
    id: 'FT704',
    name: 'interpreter-setting-change',
    title: 'Library code changes an interpreter-wide setting at run time',
    family: 'FT7',
    severity: 'warning',
    why:
      '`sys.setrecursionlimit()`, `sys.set_int_max_str_digits()` and `sys.setswitchinterval()` change a setting of the whole interpreter. Library code ' +
      'that raises a limit around one call and restores it afterwards races with every other thread doing the same: with threads running in ' +
      'parallel the "restore" puts back another thread\'s value, and the limit another thread relies on changes under it.\n\n' +
      'Only library code at run time is checked (see FT701); an application configuring the interpreter at start-up is fine.',
    bad: 'def deep_copy(tree):\n    old = sys.getrecursionlimit()\n    sys.setrecursionlimit(10_000)\n    try:\n        return _copy(tree)\n    finally:\n        sys.setrecursionlimit(old)',
    good: 'def deep_copy(tree):\n    return _copy_iterative(tree)  # an explicit stack instead of recursion',
    remedy: {
      api: 'set it once in the application entry point; make library code independent of it (iteration instead of deep recursion)',
      since: null,
      compat: null,
      snippet: 'def walk(node):\n    stack = [node]\n    while stack:\n        n = stack.pop()\n        visit(n)\n        stack.extend(n.children)',
    },
    exampleLanguage: 'python',
    references: ['https://docs.python.org/3/library/sys.html#sys.setrecursionlimit', 'https://py-free-threading.github.io/porting/'],
  },
  languages: ['python'],
  check(ctx) {
    if (!/setrecursionlimit|set_int_max_str_digits|setswitchinterval/.test(ctx.code)) return; // cheap pre-check: nothing to look at
    reportLibraryCalls(ctx, NAMES, (name) => `${name}() changes a setting of the whole interpreter at run time; other threads running in parallel see it, and save/restore pairs race`);
  },
});
