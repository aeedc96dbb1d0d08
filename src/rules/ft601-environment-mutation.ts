import { defineFileRule } from './types.js';
import { neverFreeThreadedAt } from '../engine/guards.js';

// Not SetEnvironmentVariable[AW]: Win32 serialises it with GetEnvironmentVariable under the PEB lock, and it does not
// touch the C runtime's copy that getenv() returns pointers into (Microsoft KB 811405 describes the one unlocked reader,
// GetEnvironmentStrings).
const ENV = /^(setenv|putenv|unsetenv|clearenv|_putenv|_wputenv|_putenv_s|_wputenv_s)$/;

export default defineFileRule({
  meta: {
    id: 'FT601',
    name: 'environment-mutation',
    title: 'setenv/putenv/unsetenv while other threads may call getenv',
    family: 'FT6',
    severity: 'warning',
    why:
      '`setenv`, `putenv`, `unsetenv` and `clearenv` modify the process environment without any lock that `getenv` respects: a thread reading ' +
      'the environment (Python\'s `os.environ`, a C library calling `getenv`) can crash or read freed memory. Under the GIL, Python threads were ' +
      'serialised; without it, they are not. Set the environment before any thread starts, or pass an explicit environment to the child process ' +
      '(`posix_spawn`/`execve` envp) instead of changing your own. `SetEnvironmentVariable` (Win32) is not reported: the system serialises it with ' +
      '`GetEnvironmentVariable`, and it does not change the C runtime\'s copy that `getenv` reads.' +
      '\n\nQuiet in code compiled only for GIL builds or CPython < 3.13 (`#ifndef Py_GIL_DISABLED`, `#if PY_VERSION_HEX < 0x030D0000`).',
    bad: 'setenv("TZ", tz, 1);\ntzset();',
    good: '/* set TZ once at start-up, before threads exist; or compute with an explicit zone (e.g. a tz library) */',
    remedy: {
      api: 'set the environment before threads start, or pass envp to posix_spawn/execve',
      since: null,
      compat: null,
      snippet: 'char *envp[] = {"TZ=UTC", NULL};\nposix_spawn(&pid, path, NULL, NULL, argv, envp);  /* the child gets its own environment */',
    },
    exampleLanguage: 'c',
    references: ['python/cpython#83557 (bpo-39375)', 'glibc manual: Environment Access (MT-Unsafe env)', 'SEI CERT CON33-C'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    for (const c of ctx.index.calls) {
      if (!ENV.test(c.name)) continue;
      if (neverFreeThreadedAt(ctx.lowered, c.start)) continue;
      ctx.report({ start: c.start, end: c.nameEnd, message: `${c.name}() changes the process environment while other threads may be reading it with getenv()` });
    }
  },
});
