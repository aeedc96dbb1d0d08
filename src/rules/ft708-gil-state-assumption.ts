import type { Node } from '../parse/parser.js';
import { stringValue } from '../engine/py-tree.js';
import { notTestCode, pyIndex, targetIs, writeTargets } from './_python.js';
import { defineSourceRule } from './types.js';

/** Is `n` guarded against Python < 3.13 (hasattr/getattr/version check, or a try that catches AttributeError)? */
function guarded(n: Node): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'module') break;
    if (p.type === 'if_statement' || p.type === 'elif_clause' || p.type === 'conditional_expression' || p.type === 'boolean_operator' || p.type === 'while_statement') {
      const t = (p.type === 'if_statement' || p.type === 'elif_clause' || p.type === 'while_statement' ? p.childForFieldName('condition')?.text : p.text) ?? '';
      if (/hasattr\s*\(\s*sys|version_info|hexversion|_is_gil_enabled.*is not None/.test(t)) return true;
    }
    if (p.type === 'try_statement') {
      for (const c of p.namedChildren) {
        if (c.type !== 'except_clause') continue;
        const caught = c.namedChildren.find((x) => x.type !== 'block')?.text ?? '';
        if (caught === '' || /AttributeError|Exception|BaseException/.test(caught)) return true;
      }
    }
  }
  return false;
}

export default defineSourceRule({
  meta: {
    id: 'FT708',
    name: 'gil-state-assumption',
    title: 'Code assumes how the GIL is controlled at run time',
    family: 'FT7',
    severity: 'warning',
    why:
      'Two common mistakes about the GIL switch. (1) Setting `PYTHON_GIL` from Python (`os.environ["PYTHON_GIL"] = "0"`, `os.putenv`) has no effect ' +
      'on the running interpreter: it is read once at start-up, like `-X gil=0`; only child processes see it. (2) `sys._is_gil_enabled()` exists only ' +
      'on Python 3.13 and newer; called unguarded it raises `AttributeError` on the older versions the project still supports.\n\n' +
      'The `PYTHON_GIL` case stays quiet in files that start processes (`subprocess`, `multiprocessing`, `os.exec*`/`os.spawn*`), where setting it for ' +
      'the children is the point. The `_is_gil_enabled` case is quiet when `requires-python` is 3.13 or newer, or when the call is guarded by ' +
      '`hasattr(sys, …)`, a `sys.version_info` test, or a `try` that catches `AttributeError`. Tests are skipped unless `--check-tests`.',
    bad: 'import os\nos.environ["PYTHON_GIL"] = "0"  # too late: the interpreter is already running\n\ndef gil_enabled():\n    return sys._is_gil_enabled()',
    good: '# run as: PYTHON_GIL=0 python app.py   (or python -X gil=0 app.py)\n\ndef gil_enabled():\n    return getattr(sys, "_is_gil_enabled", lambda: True)()',
    remedy: {
      api: 'getattr(sys, "_is_gil_enabled", lambda: True)(); PYTHON_GIL / -X gil at interpreter start-up',
      since: '3.13',
      compat: null,
      snippet: 'def gil_enabled() -> bool:\n    return getattr(sys, "_is_gil_enabled", lambda: True)()\n# disable the GIL when starting the interpreter: PYTHON_GIL=0 python … / python -X gil=0 …',
    },
    exampleLanguage: 'python',
    references: ['https://docs.python.org/3/using/cmdline.html#envvar-PYTHON_GIL', 'https://docs.python.org/3/library/sys.html#sys._is_gil_enabled'],
  },
  languages: ['python'],
  check(ctx) {
    if (!/PYTHON_GIL|_is_gil_enabled/.test(ctx.text)) return; // cheap pre-check: nothing to look at
    const idx = pyIndex(ctx);
    if (!notTestCode(ctx, ctx.root as Node)) return;
    const spawns = /\b(subprocess|multiprocessing|concurrent\.futures\.process|os\.exec\w*|os\.spawn\w*|os\.posix_spawn|Popen)\b/.test(ctx.code);
    const gilEnv = (n: Node, how: string) =>
      ctx.report({ start: n.startIndex, end: n.endIndex, message: `${how} has no effect on the running interpreter: PYTHON_GIL is read once at start-up (only child processes see the change)` });
    if (!spawns) {
      for (const w of idx.writes) {
        if (w.type !== 'assignment') continue;
        for (const t of writeTargets(w)) {
          if (t.type === 'subscript' && targetIs(t, 'value', 'os.environ', idx.aliases) && stringValue(t.childForFieldName('subscript')) === 'PYTHON_GIL') gilEnv(w, 'setting os.environ["PYTHON_GIL"]');
        }
      }
      for (const c of idx.calls) {
        if (c.name !== 'os.putenv' && c.name !== 'os.environ.setdefault') continue;
        if (stringValue(c.node.childForFieldName('arguments')?.namedChildren[0]) === 'PYTHON_GIL') gilEnv(c.node, `${c.name}("PYTHON_GIL", …)`);
      }
    }
    if (ctx.project.minMinor !== null && ctx.project.minMinor >= 13) return;
    for (const c of idx.calls) {
      if (c.name !== 'sys._is_gil_enabled' || guarded(c.node)) continue;
      ctx.report({
        start: c.node.startIndex,
        end: c.node.endIndex,
        message: `sys._is_gil_enabled() exists only on Python 3.13+; unguarded, it raises AttributeError on the older versions ${ctx.project.requiresPython ? `requires-python '${ctx.project.requiresPython}' admits` : 'the project may support'}`,
      });
    }
  },
});
