import { defineFileRule } from './types.js';

const ENV = /^(setenv|putenv|unsetenv|clearenv|_putenv|_wputenv|_putenv_s|_wputenv_s|SetEnvironmentVariableA|SetEnvironmentVariableW|SetEnvironmentVariable)$/;

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
      '(`posix_spawn`/`execve` envp) instead of changing your own.',
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
      ctx.report({ start: c.start, end: c.nameEnd, message: `${c.name}() changes the process environment while other threads may be reading it with getenv()` });
    }
  },
});
