import { condTextsAt, lockSpans, protectedAt } from '../engine/c-index.js';
import type { Remedy } from '../engine/types.js';
import { defineFileRule, type CFileContext } from './types.js';
import { neverFreeThreadedAt } from '../engine/guards.js';

interface Alt {
  use: string;
  why: string;
  snippet: string;
}

// Non-reentrant libc functions (POSIX.1-2008 XSH 2.9.1; SEI CERT CON33-C) and what to use instead.
const ALT: Record<string, Alt> = {
  strtok: { use: 'strtok_r', why: 'keeps its position in a static variable', snippet: 'char *save;\nfor (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) { … }' },
  localtime: { use: 'localtime_r', why: 'returns a pointer to a static struct tm', snippet: 'struct tm tm;\nlocaltime_r(&t, &tm);   /* Windows: localtime_s(&tm, &t) */' },
  gmtime: { use: 'gmtime_r', why: 'returns a pointer to a static struct tm', snippet: 'struct tm tm;\ngmtime_r(&t, &tm);   /* Windows: gmtime_s(&tm, &t) */' },
  ctime: { use: 'ctime_r (or strftime into your own buffer)', why: 'returns a pointer to a static buffer', snippet: 'char buf[26];\nctime_r(&t, buf);' },
  asctime: { use: 'asctime_r (or strftime)', why: 'returns a pointer to a static buffer', snippet: 'char buf[26];\nasctime_r(&tm, buf);' },
  rand: { use: 'rand_r with per-thread state, or a lock around rand()', why: 'shares one hidden PRNG state', snippet: 'unsigned int seed = /* per thread */ 1;\nint r = rand_r(&seed);' },
  srand: { use: 'rand_r with per-thread state', why: 'reseeds the one shared PRNG state', snippet: 'unsigned int seed = 42;  /* per thread */\nint r = rand_r(&seed);' },
  random: { use: 'random_r / a per-thread PRNG', why: 'shares one hidden PRNG state', snippet: 'struct random_data rd; char state[64];\ninitstate_r(42, state, sizeof state, &rd);\nint32_t r; random_r(&rd, &r);' },
  drand48: { use: 'erand48 with a caller-owned state', why: 'shares one hidden PRNG state', snippet: 'unsigned short xsubi[3] = {1, 2, 3};\ndouble r = erand48(xsubi);' },
  lrand48: { use: 'nrand48 with a caller-owned state', why: 'shares one hidden PRNG state', snippet: 'unsigned short xsubi[3] = {1, 2, 3};\nlong r = nrand48(xsubi);' },
  strerror: { use: 'strerror_r', why: 'may return a pointer to a static buffer', snippet: 'char buf[128];\nstrerror_r(errno, buf, sizeof buf);   /* or PyErr_SetFromErrno */' },
  getpwnam: { use: 'getpwnam_r', why: 'returns a pointer to a static struct passwd', snippet: 'struct passwd pw, *res; char buf[1024];\ngetpwnam_r(name, &pw, buf, sizeof buf, &res);' },
  getpwuid: { use: 'getpwuid_r', why: 'returns a pointer to a static struct passwd', snippet: 'struct passwd pw, *res; char buf[1024];\ngetpwuid_r(uid, &pw, buf, sizeof buf, &res);' },
  getpwent: { use: 'getpwent_r, or a PyMutex around the getpwent loop', why: 'iterates with a static cursor', snippet: 'static PyMutex pw_lock;\nPyMutex_Lock(&pw_lock);\n/* setpwent(); while (getpwent()) …; endpwent(); */\nPyMutex_Unlock(&pw_lock);' },
  getgrnam: { use: 'getgrnam_r', why: 'returns a pointer to a static struct group', snippet: 'struct group gr, *res; char buf[1024];\ngetgrnam_r(name, &gr, buf, sizeof buf, &res);' },
  getgrgid: { use: 'getgrgid_r', why: 'returns a pointer to a static struct group', snippet: 'struct group gr, *res; char buf[1024];\ngetgrgid_r(gid, &gr, buf, sizeof buf, &res);' },
  getgrent: { use: 'a PyMutex around the getgrent loop', why: 'iterates with a static cursor (python/cpython#127055)', snippet: 'static PyMutex gr_lock;\nPyMutex_Lock(&gr_lock);\n/* setgrent(); while (getgrent()) …; endgrent(); */\nPyMutex_Unlock(&gr_lock);' },
  gethostbyname: { use: 'getaddrinfo', why: 'returns a pointer to a static struct hostent', snippet: 'struct addrinfo *res;\nif (getaddrinfo(host, NULL, &hints, &res) == 0) { …; freeaddrinfo(res); }' },
  gethostbyaddr: { use: 'getnameinfo', why: 'returns a pointer to a static struct hostent', snippet: 'char host[NI_MAXHOST];\ngetnameinfo(sa, salen, host, sizeof host, NULL, 0, 0);' },
  inet_ntoa: { use: 'inet_ntop', why: 'returns a pointer to a static buffer', snippet: 'char buf[INET_ADDRSTRLEN];\ninet_ntop(AF_INET, &addr, buf, sizeof buf);' },
  setlocale: { use: 'uselocale with newlocale (per-thread locale)', why: 'changes the locale of the whole process while other threads format and parse', snippet: 'locale_t loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);\nlocale_t old = uselocale(loc);\n/* … */\nuselocale(old);\nfreelocale(loc);' },
  tmpnam: { use: 'mkstemp', why: 'returns a pointer to a static buffer (and is racy by design)', snippet: 'char path[] = "/tmp/fooXXXXXX";\nint fd = mkstemp(path);' },
  ecvt: { use: 'snprintf', why: 'returns a pointer to a static buffer', snippet: 'char buf[64];\nsnprintf(buf, sizeof buf, "%.*e", ndigit, value);' },
  fcvt: { use: 'snprintf', why: 'returns a pointer to a static buffer', snippet: 'char buf[64];\nsnprintf(buf, sizeof buf, "%.*f", ndigit, value);' },
  gcvt: { use: 'snprintf', why: 'is not required to be thread-safe', snippet: 'char buf[64];\nsnprintf(buf, sizeof buf, "%.*g", ndigit, value);' },
  readdir: { use: 'one DIR* per thread (readdir is safe only on streams no other thread uses)', why: 'shares the directory stream state', snippet: 'DIR *d = opendir(path);   /* private to this call */\nfor (struct dirent *e; (e = readdir(d)) != NULL; ) { … }\nclosedir(d);' },
  strsignal: { use: 'sigdescr_np / a static table of your own', why: 'may return a pointer to a static buffer', snippet: 'const char *s = sigdescr_np(sig);   /* glibc 2.32+ */' },
  ttyname: { use: 'ttyname_r', why: 'returns a pointer to a static buffer', snippet: 'char buf[256];\nttyname_r(fd, buf, sizeof buf);' },
  getlogin: { use: 'getlogin_r', why: 'returns a pointer to a static buffer', snippet: 'char buf[256];\ngetlogin_r(buf, sizeof buf);' },
  ptsname: { use: 'ptsname_r', why: 'returns a pointer to a static buffer', snippet: 'char buf[64];\nptsname_r(fd, buf, sizeof buf);' },
  mbtowc: { use: 'mbrtowc with an mbstate_t of your own', why: 'keeps shift state in a static variable', snippet: 'mbstate_t st = {0};\nmbrtowc(&wc, s, n, &st);' },
  wctomb: { use: 'wcrtomb with an mbstate_t of your own', why: 'keeps shift state in a static variable', snippet: 'mbstate_t st = {0};\nwcrtomb(buf, wc, &st);' },
  getenv: { use: 'read the environment once at start-up', why: 'returns a pointer into the environment that a concurrent setenv can free', snippet: '/* only flagged next to setenv/putenv in the same file */' },
};

// Functions the Microsoft CRT makes thread-safe (thread-local buffers): quiet under #ifdef _WIN32 / MS_WINDOWS.
const WIN_SAFE = new Set(['strtok', 'localtime', 'gmtime', 'ctime', 'asctime', 'strerror', 'rand', 'srand', 'tmpnam', 'ecvt', 'fcvt']);

/** `readdir(d)` where `d` was opened by `opendir`/`fdopendir` in the same function: a stream no other thread has. */
function ownDirStream(ctx: CFileContext, c: CFileContext['index']['calls'][number]): boolean {
  const d = (c.args[0]?.text ?? '').trim();
  if (!/^[A-Za-z_]\w*$/.test(d)) return false;
  let from: string | null = null;
  for (const a of ctx.index.assigns) {
    if (a.fn === c.fn && a.start < c.start && a.lhs === d && a.op === '=') from = a.rhs;
  }
  return from !== null && /^\s*(?:\([^()]*\)\s*)?(?:opendir|fdopendir|_Py_opendir)\s*\(/.test(from);
}

export default defineFileRule({
  meta: {
    id: 'FT602',
    name: 'non-reentrant-libc',
    title: 'Non-reentrant C library function',
    family: 'FT6',
    severity: 'warning',
    why:
      'Functions such as `strtok`, `localtime`, `gmtime`, `ctime`, `asctime`, `rand`, `strerror`, `getpwnam`, `getgrnam`, `gethostbyname`, ' +
      '`setlocale`, `tmpnam` and `ecvt` keep state in static storage (a buffer, a cursor, a PRNG state). Under the GIL, Python threads could not ' +
      'call them at the same time; without it, one thread\'s result is overwritten by another\'s. Each finding names the reentrant variant ' +
      '(`localtime_r`, `strtok_r`, `getpwnam_r`, `getaddrinfo`, …) or a lock.\n\nQuiet when the call is under a lock or critical section, and ' +
      'for the functions the Microsoft C runtime makes thread-safe when the call is under `#ifdef _WIN32`/`MS_WINDOWS`, and for `readdir` on a stream the function opened itself. `getenv` is reported only ' +
      'in files that also call `setenv`/`putenv`. Quiet in code compiled only for GIL builds or CPython < 3.13 (`#ifndef Py_GIL_DISABLED`, `#if PY_VERSION_HEX < 0x030D0000`).',
    bad: 'struct tm *tm = localtime(&t);\nreturn PyUnicode_FromFormat("%d", tm->tm_year);',
    good: 'struct tm tm;\nlocaltime_r(&t, &tm);\nreturn PyUnicode_FromFormat("%d", tm.tm_year);',
    remedy: { api: 'the _r variant (localtime_r, strtok_r, getpwnam_r, …) or a PyMutex', since: null, compat: null, snippet: 'struct tm tm;\nlocaltime_r(&t, &tm);' },
    exampleLanguage: 'c',
    references: ['POSIX.1-2008 XSH 2.9.1 (thread-unsafe functions)', 'SEI CERT CON33-C', 'python/cpython#127055'],
  },
  languages: ['c', 'cpp'],
  check(ctx) {
    const spans = lockSpans(ctx.index);
    const mutatesEnv = ctx.index.calls.some((c) => /^(setenv|putenv|unsetenv|clearenv|_putenv)$/.test(c.name));
    for (const c of ctx.index.calls) {
      const alt = Object.hasOwn(ALT, c.name) ? ALT[c.name] : undefined;
      if (!alt) continue;
      if (c.name === 'getenv' && !mutatesEnv) continue;
      if (c.fn < 0) continue;
      if (neverFreeThreadedAt(ctx.lowered, c.start)) continue;
      if (protectedAt(ctx.index, spans, ctx.lowered.regions, ctx.code, c.fn, c.start)) continue;
      if (c.name === 'readdir' && ownDirStream(ctx, c)) continue;
      if (WIN_SAFE.has(c.name) && condTextsAt(ctx.lowered, c.start).some((k) => /\b(_WIN32|MS_WINDOWS|_MSC_VER|WIN32)\b/.test(k) && !/^!/.test(k))) continue;
      const remedy: Remedy = { api: alt.use, since: null, compat: null, snippet: alt.snippet };
      ctx.report({ start: c.start, end: c.nameEnd, message: `${c.name}() ${alt.why}: not thread-safe without the GIL (instead: ${alt.use})`, remedy });
    }
  },
});
