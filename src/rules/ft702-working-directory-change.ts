import { reportLibraryCalls } from './_python.js';
import { defineSourceRule } from './types.js';

const NAMES = new Set(['os.chdir', 'os.fchdir', 'contextlib.chdir']);

export default defineSourceRule({
  meta: {
    id: 'FT702',
    name: 'working-directory-change',
    title: 'Library code changes the working directory of the process at run time',
    family: 'FT7',
    severity: 'warning',
    why:
      'The current working directory belongs to the process, not to a thread. `os.chdir()`, `os.fchdir()` and `contextlib.chdir()` (3.11) change it ' +
      'for every thread at once: another thread opening a relative path while the directory is changed opens the wrong file. Without the GIL the ' +
      'window is wide open. `contextlib.chdir` restores the directory afterwards but is just as process-wide while it is active.\n\n' +
      'Only library code at run time is checked (functions outside tests, scripts, build files and `__main__` blocks; see FT701); `--check-tests` ' +
      'checks the rest too.',
    bad: 'def compile_all(pkg_dir):\n    os.chdir(pkg_dir)\n    for name in os.listdir("."):\n        compile_one(name)',
    good: 'def compile_all(pkg_dir):\n    for name in os.listdir(pkg_dir):\n        compile_one(os.path.join(pkg_dir, name))',
    remedy: {
      api: 'absolute paths (os.path.join(base, name)), subprocess.run(..., cwd=path), dir_fd=',
      since: null,
      compat: null,
      snippet: 'path = os.path.join(base_dir, name)          # instead of os.chdir(base_dir); open(name)\nsubprocess.run(cmd, cwd=base_dir, check=True)  # a child process gets its own directory\nos.open(name, os.O_RDONLY, dir_fd=dir_fd)       # relative to an open directory',
    },
    exampleLanguage: 'python',
    references: ['https://docs.python.org/3/library/contextlib.html#contextlib.chdir ("not suitable for use in threaded contexts")', 'https://py-free-threading.github.io/porting/'],
  },
  languages: ['python'],
  check(ctx) {
    if (!/chdir/.test(ctx.code)) return; // cheap pre-check: nothing to look at
    reportLibraryCalls(ctx, NAMES, (name) => `${name}() changes the working directory of every thread at run time; relative paths opened by other threads resolve against it`);
  },
});
