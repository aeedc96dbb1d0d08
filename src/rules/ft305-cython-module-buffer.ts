import { defineSourceRule } from './types.js';

/** A module-level C array in Cython: `cdef char BUFFER[BUF_SIZE]` (not `const`). */
const DECL = /^cdef\s+(?!const\b)(?:(?:unsigned|signed|long|short|struct|public|extern)\s+)*[A-Za-z_]\w*[\s*]+([A-Za-z_]\w*)\s*\[[^\]]*\]\s*(?:#.*)?$/;
const FUNCTION = /^\s*(?:(?:async\s+)?def|cpdef|cdef)\s+(?:[\w.*\[\], ]+\s+)?[A-Za-z_]\w*\s*\(/;
// A lock held while using the buffer (not `cython.critical_section(obj)`: it locks one object, not the module's buffer).
const LOCKING_WITH = /^\s*with\s+(?!cython\s*\.\s*critical_section)[^:]*\b(lock|mutex|_lock|Lock)\b/i;
/** Calls that write into their first argument. */
const WRITER = /\b(?:memcpy|memmove|memset|strcpy|strncpy|strcat|strncat|sprintf|snprintf|fread|read|recv|PyOS_snprintf)\s*\(\s*(?:<[^>]*>\s*)?$/;

export default defineSourceRule({
  meta: {
    id: 'FT305',
    name: 'cython-module-buffer',
    title: 'Module-level C array in Cython used as scratch space at run time',
    family: 'FT3',
    severity: 'warning',
    why:
      'A module-level `cdef char BUFFER[8192]` is one buffer for the whole process. Code that writes into it, or hands it out ' +
      '(`writer.buf = &BUFFER[0]`, `memcpy(BUFFER, …)`), relied on the GIL to keep two calls from using it at once; on free-threaded ' +
      'Python two threads write into the same bytes and each reads the other\'s data. Give each call its own buffer: a local ' +
      '`cdef char buf[8192]` in the function (on the stack), or `PyMem_Malloc` per call.\n\n' +
      'The rule reports a module-level, non-`const` C array that a function body writes an element of, takes the address of, ' +
      'assigns to a pointer or writes into with `memcpy`/`strcpy`/`snprintf`-style calls. Quiet for arrays only read in functions (lookup tables filled at import) and for ' +
      'uses inside a `with …lock…:` block (a critical section on one object does not protect a module-level buffer).',
    bad: 'cdef char BUFFER[8192]\n\ncdef class Writer:\n    cdef char *buf\n\n    def __cinit__(self):\n        self.buf = &BUFFER[0]',
    good: 'cdef class Writer:\n    cdef char *buf\n\n    def __cinit__(self):\n        self.buf = <char *>PyMem_Malloc(8192)',
    remedy: {
      api: 'a local array per call, or PyMem_Malloc',
      since: null,
      compat: null,
      snippet: 'cdef char buf[8192]        # inside the function: private to the call\n# or\ncdef char *buf = <char *>PyMem_Malloc(size)   # per call; PyMem_Free(buf) when done',
    },
    exampleLanguage: 'cython',
    references: ['https://py-free-threading.github.io/porting-extensions/', 'https://cython.readthedocs.io/en/latest/src/userguide/freethreading.html'],
    limitations: 'Text-level, by name: a buffer reached through a pointer stored at import time is not followed.',
  },
  languages: ['cython'],
  check(ctx) {
    const lines = ctx.code.split('\n');
    const buffers = new Map<string, number>(); // name -> line index of the declaration
    for (let i = 0; i < lines.length; i++) {
      const m = DECL.exec(lines[i] as string);
      if (m) buffers.set(m[1] as string, i);
    }
    if (buffers.size === 0) return;
    const starts = ctx.lines.starts; // the code view keeps the text's line breaks
    const reported = new Set<string>();
    let fnName: string | null = null;
    let fnIndent = -1;
    const lockIndents: number[] = [];
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i] as string;
      if (raw.trim() === '') continue;
      const ind = raw.length - raw.trimStart().length;
      if (fnName !== null && ind <= fnIndent) fnName = null;
      while (lockIndents.length && ind <= (lockIndents[lockIndents.length - 1] as number)) lockIndents.pop();
      const f = FUNCTION.exec(raw);
      if (f) {
        fnName = /([A-Za-z_]\w*)\s*\($/.exec(f[0])?.[1] ?? null;
        fnIndent = ind;
        lockIndents.length = 0;
        continue;
      }
      if (fnName === null) continue;
      if (LOCKING_WITH.test(raw)) {
        lockIndents.push(ind);
        continue;
      }
      if (lockIndents.length > 0) continue;
      for (const [name, declLine] of buffers) {
        if (reported.has(name)) continue;
        const re = new RegExp(`\\b${name}\\b`, 'g');
        for (let m = re.exec(raw); m; m = re.exec(raw)) {
          const before = raw.slice(0, m.index);
          const after = raw.slice(m.index + name.length);
          const indexed = /^\s*\[[^\]]*\]/.exec(after);
          const rest = indexed ? after.slice(indexed[0].length) : after;
          const how =
            indexed && /^\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)/.test(rest)
              ? 'writes an element of'
              : /(?:^|[=(,:]|\breturn)\s*&\s*$/.test(before)
                ? 'hands out the address of'
                : !indexed && /(?<![=!<>])=\s*(?:<[^>]*>\s*)?$/.test(before)
                  ? 'stores a pointer to'
                  : !indexed && WRITER.test(before)
                    ? 'writes into'
                    : null;
          if (!how) continue;
          reported.add(name);
          const start = (starts[i] as number) + m.index;
          ctx.report({
            start,
            end: start + name.length,
            message: `${fnName}() ${how} the module-level buffer '${name}': every call in every thread shares it, so concurrent calls overwrite each other's data`,
            related: [{ path: ctx.path, ...ctx.lines.position(starts[declLine] as number), message: `'${name}' is declared at module level` }],
          });
          break;
        }
      }
    }
  },
});
