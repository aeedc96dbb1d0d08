import { sliceEvidence, targetOf } from '../abi/evidence.js';
import { allBinaries, BUILD_FREE_THREADED, fileName } from './_artifacts.js';
import { defineArtifactRule } from './types.js';

const list = (xs: string[]) => [...new Set(xs)].join(', ');

export default defineArtifactRule({
  meta: {
    id: 'FT808',
    name: 'gil-binary-tagged-free-threaded',
    title: 'A binary compiled for the GIL build is tagged free-threaded',
    family: 'FT8',
    severity: 'error',
    why:
      'The two builds have different object layouts, so a binary must be compiled against the headers of the build that loads it. The symbols it imports show which: ' +
      'compiled with `Py_GIL_DISABLED`, the inline `Py_DECREF` calls `_Py_MergeZeroLocalRefcount` and `_Py_DecRefShared`; without it, `_Py_Dealloc`. ' +
      'A `cp313t` wheel (or a `.cpython-313t-…` file name) whose binary imports `_Py_Dealloc` and none of the free-threaded functions was built for the GIL build and renamed: ' +
      'CPython 3.13t fails to import it (`SystemError: init function … returned uninitialized object`) or corrupts reference counts. The same holds for a Windows extension linking ' +
      '`python313.dll` instead of `python313t.dll`, and for a binary mixing both (an object file or static library compiled without `Py_GIL_DISABLED`).\n\n' +
      'This is evidence, not proof: a binary that never decrements a reference shows neither symbol, and the rule stays quiet about it. ' +
      'Quiet when the evidence agrees with the tag, and for binaries whose target is unknown (untagged names outside a wheel) unless they mix both ABIs.',
    bad: '$ nm -D --undefined-only spam/_core.cpython-313t-x86_64-linux-gnu.so\n                 U PyModuleDef_Init\n                 U _Py_Dealloc',
    good: '$ nm -D --undefined-only spam/_core.cpython-313t-x86_64-linux-gnu.so\n                 U PyModuleDef_Init\n                 U _Py_DecRefShared\n                 U _Py_MergeZeroLocalRefcount',
    remedy: BUILD_FREE_THREADED,
    exampleLanguage: 'text',
    references: ['Include/object.h (3.13): Py_DECREF under Py_GIL_DISABLED', 'https://docs.python.org/3/howto/free-threading-extensions.html#building-extensions-for-the-free-threaded-build', 'docs/abi.md (symbol facts, verified with gcc and nm)'],
    limitations: 'Symbols show how the code that refers to them was compiled; a stripped or statically linked CPython hides them, and a binary without reference counting shows nothing.',
  },
  check(ctx) {
    for (const { bin, wheel } of allBinaries(ctx.artifacts)) {
      if (!bin.info) continue;
      const target = targetOf(bin, wheel);
      if (target && target.ft !== true) continue;
      const ev = bin.info.slices.map(sliceEvidence);
      const note = (archs: string[]) => (bin.info && bin.info.slices.length > 1 ? ` (${archs.join(', ')} code)` : '');
      const mixed = ev.filter((e) => e.verdict === 'mixed');
      const gil = ev.filter((e) => e.verdict === 'gil');
      const name = fileName(bin);
      if (mixed.length) {
        const ft = list(mixed.flatMap((e) => [...e.ftSymbols, ...e.ftHints]));
        ctx.report(bin.path, {
          message: `${name} mixes both ABIs${note(mixed.map((e) => e.arch))}: it imports ${ft} (free-threaded build) and ${list(mixed.flatMap((e) => e.gilSymbols))} (GIL build); part of it was compiled without Py_GIL_DISABLED${target ? `, yet it is tagged for free-threaded Python (${target.label})` : ''}`,
        });
        continue;
      }
      if (!target) continue;
      if (gil.length) {
        ctx.report(bin.path, {
          message: `${name} was compiled for the GIL build${note(gil.map((e) => e.arch))}: it imports ${list(gil.flatMap((e) => e.gilSymbols))} and none of the free-threaded refcounting functions (_Py_DecRefShared, _Py_MergeZeroLocalRefcount), but it is tagged for free-threaded Python (${target.label})`,
        });
        continue;
      }
      const lib = ev.map((e) => e.library).find((l) => l && !l.ft && l.minor !== null);
      if (lib) {
        const t = lib.name.replace(/^(python3\d+|libpython3\.\d+)/i, '$1t');
        ctx.report(bin.path, { message: `${name} links ${lib.name}, the GIL build's library, but is tagged for free-threaded Python (${target.label}); a free-threaded build links ${t}` });
      }
    }
  },
});
