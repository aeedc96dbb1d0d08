import { sliceEvidence, targetOf } from '../abi/evidence.js';
import { allBinaries, BUILD_GIL, fileName } from './_artifacts.js';
import { defineArtifactRule } from './types.js';

const list = (xs: string[]) => [...new Set(xs)].join(', ');

export default defineArtifactRule({
  meta: {
    id: 'FT809',
    name: 'free-threaded-binary-tagged-gil',
    title: 'A binary compiled for free-threaded Python is tagged for the GIL build',
    family: 'FT8',
    severity: 'error',
    why:
      '`_Py_DecRefShared`, `_Py_MergeZeroLocalRefcount`, `_Py_GetThreadLocal_Addr` and `PyUnstable_Module_SetGIL` are declared only under `Py_GIL_DISABLED` and exported only by ' +
      'free-threaded interpreters. A binary that imports them was compiled for free-threaded Python; in a `cp313` or `abi3` wheel (or named `.cpython-313-…`) a GIL interpreter ' +
      'refuses to load it (`undefined symbol: _Py_DecRefShared`). The same holds for a Windows extension linking `python313t.dll` in a GIL wheel. ' +
      'It happens when a build directory or a cached object file is reused between the two builds, or when `-DPy_GIL_DISABLED=1` leaks into the GIL build\'s flags.\n\n' +
      'Quiet when the binary imports none of them; the critical-section functions alone do not fire it (both builds export them).',
    bad: '# dist/spam-1.0-cp313-cp313-manylinux_2_17_x86_64.whl\n$ nm -D --undefined-only spam/_core.cpython-313-x86_64-linux-gnu.so\n                 U _Py_DecRefShared',
    good: '# dist/spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl\n$ nm -D --undefined-only spam/_core.cpython-313t-x86_64-linux-gnu.so\n                 U _Py_DecRefShared',
    remedy: BUILD_GIL,
    exampleLanguage: 'text',
    references: ['Include/object.h, Include/moduleobject.h (3.13): declarations under Py_GIL_DISABLED', 'docs/abi.md (symbol facts, verified with gcc and nm)'],
  },
  check(ctx) {
    for (const { bin, wheel } of allBinaries(ctx.artifacts)) {
      if (!bin.info) continue;
      const target = targetOf(bin, wheel);
      if (!target || target.ft !== false) continue;
      const ev = bin.info.slices.map(sliceEvidence);
      const ft = ev.filter((e) => e.ftSymbols.length > 0);
      const name = fileName(bin);
      const where = target.abi3 ? `the GIL build's stable ABI (${target.label})` : `GIL Python (${target.label})`;
      if (ft.length) {
        const syms = list(ft.flatMap((e) => e.ftSymbols));
        const archs = bin.info.slices.length > 1 ? ` (${ft.map((e) => e.arch).join(', ')} code)` : '';
        ctx.report(bin.path, {
          message: `${name} was compiled for free-threaded Python${archs}: it imports ${syms}, which only free-threaded CPython exports, but it is tagged for ${where}; a GIL interpreter fails to load it (undefined symbol)`,
        });
        continue;
      }
      const lib = ev.map((e) => e.library).find((l) => l?.ft);
      if (lib) ctx.report(bin.path, { message: `${name} links ${lib.name}, the free-threaded build's library, but is tagged for ${where}` });
    }
  },
});
