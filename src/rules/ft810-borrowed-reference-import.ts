import { FT_HINT_SYMBOLS, sliceEvidence, targetOf } from '../abi/evidence.js';
import { BORROWED, CRITICAL_SECTION_REMEDY } from '../data/capi.js';
import { allBinaries, fileName } from './_artifacts.js';
import { defineArtifactRule } from './types.js';

/** Borrowed-reference APIs that are real exported functions (the macros leave no symbol). */
const FUNCTIONS = Object.keys(BORROWED).filter((n) => !/_GET(_|$)|_GET_ITEM$|_GET_OBJECT$/.test(n) && n !== 'PyCell_GET');
const ERROR_LEVEL = new Set(['PyWeakref_GetObject']);

export default defineArtifactRule({
  meta: {
    id: 'FT810',
    name: 'borrowed-reference-import',
    title: 'A free-threaded binary imports borrowed-reference APIs',
    family: 'FT8',
    severity: 'warning',
    why:
      'A source-free audit: when only the binary is at hand, its import table still says which thread-unsafe APIs it calls. `PyDict_GetItem`, `PyList_GetItem`, ' +
      '`PyWeakref_GetObject`, `PyImport_AddModule`, `PySys_GetObject` and the other borrowed-reference functions (the FT2 rules) return a pointer another thread can free; ' +
      'each import is reported with the strong-reference replacement. An import of `PyDict_Next` in a binary that imports no critical-section function ' +
      '(`PyCriticalSection_Begin`) means no `PyDict_Next` loop in it holds the dict\'s critical section.\n\n' +
      'Looks at binaries built or tagged for free-threaded Python, and at binaries given directly on the command line; GIL-only wheels are left to FT812. ' +
      'This is evidence, not proof: a call on a dict no other thread can see (keyword arguments, a fresh dict) is safe, and the binary does not say which call it is — check the sources with the FT2 rules.',
    bad: '$ nm -D --undefined-only spam/_core.cpython-313t-x86_64-linux-gnu.so\n                 U PyDict_GetItem\n                 U PyWeakref_GetObject',
    good: '$ nm -D --undefined-only spam/_core.cpython-313t-x86_64-linux-gnu.so\n                 U PyDict_GetItemRef\n                 U PyWeakref_GetRef',
    remedy: BORROWED.PyDict_GetItem?.remedy ?? CRITICAL_SECTION_REMEDY('dict'),
    exampleLanguage: 'text',
    references: ['https://docs.python.org/3/howto/free-threading-extensions.html#borrowed-references', 'Doc/data/refcounts.dat'],
    limitations: 'Calls through function pointers, dlsym or a statically linked CPython leave no import; a borrowed API used only on private objects is still reported.',
  },
  check(ctx) {
    for (const { bin, wheel } of allBinaries(ctx.artifacts)) {
      if (!bin.info) continue;
      const target = targetOf(bin, wheel);
      const ev = bin.info.slices.map(sliceEvidence);
      const builtFt = ev.some((e) => e.verdict === 'free-threaded' || e.verdict === 'mixed' || e.library?.ft === true);
      if (!(target?.ft === true || builtFt || wheel === null)) continue;
      const names = new Set(bin.info.slices.flatMap((s) => s.pythonImports.map((i) => i.name)));
      const name = fileName(bin);
      for (const api of FUNCTIONS) {
        if (!names.has(api)) continue;
        const b = BORROWED[api];
        if (!b) continue;
        ctx.report(bin.path, {
          message: `${name} imports ${api}(), which returns a borrowed reference another thread can free while it is in use`,
          remedy: b.remedy,
          ...(ERROR_LEVEL.has(api) ? { severity: 'error' as const } : {}),
        });
      }
      if (names.has('PyDict_Next') && ![...names].some((n) => FT_HINT_SYMBOLS.has(n)) && (target?.ft === true || builtFt)) {
        ctx.report(bin.path, {
          message: `${name} imports PyDict_Next() but no critical-section function (PyCriticalSection_Begin): none of its dict iterations holds the dict's critical section`,
          remedy: CRITICAL_SECTION_REMEDY('dict'),
        });
      }
    }
  },
});
