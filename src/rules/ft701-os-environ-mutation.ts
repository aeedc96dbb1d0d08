import { stringValue } from '../engine/py-tree.js';
import { libraryRuntime, pyIndex, targetIs, writeTargets } from './_python.js';
import { defineSourceRule } from './types.js';

const ENV_METHODS = new Set(['update', 'setdefault', 'pop', 'popitem', 'clear', '__setitem__', '__delitem__']);

export default defineSourceRule({
  meta: {
    id: 'FT701',
    name: 'os-environ-mutation',
    title: 'Library code changes the process environment at run time',
    family: 'FT7',
    severity: 'warning',
    why:
      'The environment is one per process. `os.environ[...] = …`, `del os.environ[...]`, `os.environ.update()`/`pop()`/`clear()`, `os.putenv()` and ' +
      '`os.unsetenv()` call the C library\'s `setenv`/`unsetenv`, which are not thread-safe: with free-threading, another thread calling `getenv` — in ' +
      'C code, a library, a subprocess launch — can read a freed buffer and crash, and every thread sees the change, not just the caller. With the ' +
      'GIL this mostly went unnoticed.\n\n' +
      'Only library code at run time is checked: code in functions, outside tests (`test_*.py`, `*_test.py`, `conftest.py`, `tests/`), scripts ' +
      '(`__main__.py`, `scripts/`, a `#!` line), build files (`setup.py`, `noxfile.py`, `docs/`), `if __name__ == "__main__":` blocks and the `main()` ' +
      'they call. Setting the environment once at import time or in an application\'s entry point is a different matter and stays quiet. ' +
      '`--check-tests` checks tests and scripts too. `PYTHON_GIL` is left to FT708.',
    bad: 'def build(src):\n    os.environ["CC"] = "clang"\n    subprocess.run(["make"], check=True)',
    good: 'def build(src):\n    env = {**os.environ, "CC": "clang"}\n    subprocess.run(["make"], check=True, env=env)',
    remedy: {
      api: 'subprocess.run(..., env={**os.environ, "KEY": value})',
      since: null,
      compat: null,
      snippet:
        '# give a child process its own environment instead of changing this process\'s:\nenv = {**os.environ, "OMP_NUM_THREADS": "1"}\nsubprocess.run(cmd, env=env, check=True)\n' +
        '# configuration read by this process: pass it explicitly, or keep it in a contextvars.ContextVar',
    },
    exampleLanguage: 'python',
    references: ['https://github.com/python/cpython/issues/83557 (setenv/getenv are not thread-safe)', 'https://py-free-threading.github.io/porting/'],
  },
  languages: ['python'],
  check(ctx) {
    if (!/environ|putenv|unsetenv/.test(ctx.code)) return; // cheap pre-check: nothing to look at
    const idx = pyIndex(ctx);
    const report = (n: { startIndex: number; endIndex: number }, what: string) =>
      ctx.report({
        start: n.startIndex,
        end: n.endIndex,
        message: `${what} changes the environment of the whole process at run time; setenv() is not thread-safe, and other threads reading the environment can crash or see the change`,
      });
    for (const w of idx.writes) {
      for (const t of writeTargets(w)) {
        if (t.type !== 'subscript' || !targetIs(t, 'value', 'os.environ', idx.aliases)) continue;
        if (stringValue(t.childForFieldName('subscript')) === 'PYTHON_GIL') continue;
        if (!libraryRuntime(ctx, w)) continue;
        report(w, w.type === 'delete_statement' ? `del ${t.text}` : `${t.text} ${w.type === 'augmented_assignment' ? '+=' : '='} …`);
      }
    }
    for (const c of idx.calls) {
      const name = c.name;
      if (!name) continue;
      const method = name.startsWith('os.environ.') ? name.slice('os.environ.'.length) : null;
      const isEnvCall = (method !== null && ENV_METHODS.has(method)) || name === 'os.putenv' || name === 'os.unsetenv';
      if (!isEnvCall) continue;
      const firstArg = c.node.childForFieldName('arguments')?.namedChildren[0];
      if (stringValue(firstArg) === 'PYTHON_GIL') continue;
      if (!libraryRuntime(ctx, c.node)) continue;
      report(c.node, `${name}()`);
    }
  },
});
