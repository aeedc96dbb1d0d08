import { pythonLibrary, wheelTarget } from '../abi/evidence.js';
import { allBinaries, fileName } from './_artifacts.js';
import { defineArtifactRule } from './types.js';

export default defineArtifactRule({
  meta: {
    id: 'FT805',
    name: 'abi3-in-free-threaded-wheel',
    title: 'A stable-ABI (abi3) binary inside a free-threaded wheel',
    family: 'FT8',
    severity: 'error',
    why:
      'The limited API and stable ABI `abi3` assume the GIL build\'s object layout: in 3.13 and 3.14 `Python.h` refuses `Py_LIMITED_API` together with `Py_GIL_DISABLED`, ' +
      'and installers never give a free-threaded interpreter an `abi3` wheel. Yet CPython 3.13t/3.14t still import a `.abi3.so` by its suffix — and crash in it ' +
      '(python/cpython#111870, #120901). A `cp313t` wheel holding `mod.abi3.so`, or a Windows extension linking the GIL stable-ABI `python3.dll`, is such a crash waiting for an import.\n\n' +
      'Quiet for abi3 binaries in GIL wheels, and for `.abi3t.so` (PEP 803, 3.15+), which is built for free-threaded interpreters.',
    bad: '# dist/spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl\nspam/_core.abi3.so',
    good: '# dist/spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl\nspam/_core.cpython-313t-x86_64-linux-gnu.so',
    remedy: {
      api: 'py_limited_api',
      since: null,
      compat: null,
      snippet: '# setup.py: no limited API for free-threaded builds (3.13/3.14)\nimport sysconfig\nExtension("spam._core", ["src/core.c"],\n          py_limited_api=not sysconfig.get_config_var("Py_GIL_DISABLED"))',
    },
    exampleLanguage: 'text',
    references: ['https://docs.python.org/3/howto/free-threading-extensions.html#limited-c-api-and-stable-abi', 'python/cpython#111870', 'python/cpython#120901', 'PEP 803'],
  },
  check(ctx) {
    for (const { bin, wheel } of allBinaries(ctx.artifacts)) {
      const t = wheel?.name ? wheelTarget(wheel.name.abiTags) : null;
      if (!wheel || !t || t.ft !== true || t.abi3) continue;
      if (bin.suffix?.kind === 'abi3') {
        ctx.report(bin.path, {
          message: `${fileName(bin)} is a stable-ABI (abi3) extension in a free-threaded wheel (${wheel.name?.abiTags.join('.')}): free-threaded CPython still imports .abi3.so files, and the GIL stable ABI crashes it`,
        });
        continue;
      }
      const stable = (bin.info?.slices.flatMap((s) => s.libraries) ?? []).map(pythonLibrary).find((l) => l && l.minor === null && !l.ft);
      if (stable) ctx.report(bin.path, { message: `${fileName(bin)} links ${stable.name}, the GIL build's stable-ABI DLL, inside a free-threaded wheel (${wheel.name?.abiTags.join('.')})` });
    }
  },
});
