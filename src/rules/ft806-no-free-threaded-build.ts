import { pythonLibrary } from '../abi/evidence.js';
import { cpythonAbi, FIRST_FT_MINOR } from '../abi/wheel.js';
import { allBinaries, fileName } from './_artifacts.js';
import { defineArtifactRule } from './types.js';

export default defineArtifactRule({
  meta: {
    id: 'FT806',
    name: 'no-free-threaded-build',
    title: 'Free-threaded (t) tag for a Python version that has no free-threaded build',
    family: 'FT8',
    severity: 'error',
    why:
      'CPython has a free-threaded build (`--disable-gil`, ABI flag `t`) from 3.13 on. A `cp312t` ABI tag, a `.cpython-312t-…` suffix or a `python312t.dll` import names an interpreter ' +
      'that does not exist: no installer picks the wheel and no interpreter imports the file. It usually comes from a build matrix that appends `t` to every version.\n\n' +
      'Quiet for `t` on 3.13 and later.',
    bad: 'dist/spam-1.0-cp312-cp312t-manylinux_2_17_x86_64.whl',
    good: 'dist/spam-1.0-cp312-cp312-manylinux_2_17_x86_64.whl\ndist/spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl',
    remedy: {
      api: 'cp313t',
      since: '3.13',
      compat: null,
      snippet: '# cibuildwheel: free-threaded identifiers exist for 3.13 and later only\n[tool.cibuildwheel]\nbuild = "cp312-* cp313-* cp313t-* cp314-* cp314t-*"',
    },
    exampleLanguage: 'text',
    references: ['PEP 703', 'https://docs.python.org/3/howto/free-threading-extensions.html'],
  },
  check(ctx) {
    for (const w of ctx.artifacts.wheels) {
      for (const a of w.name?.abiTags ?? []) {
        const cp = cpythonAbi(a);
        if (cp && cp.flags.includes('t') && cp.minor < FIRST_FT_MINOR) ctx.report(w.path, { message: `ABI tag ${a}: CPython 3.${cp.minor} has no free-threaded build (the first is 3.${FIRST_FT_MINOR}t)` });
      }
    }
    for (const { bin } of allBinaries(ctx.artifacts)) {
      const s = bin.suffix;
      if (s?.kind === 'cpython' && s.minor !== null && s.minor < FIRST_FT_MINOR && s.flags.includes('t')) {
        ctx.report(bin.path, { message: `${fileName(bin)} is named for CPython 3.${s.minor}t (${s.text}), which does not exist (the first free-threaded CPython is 3.${FIRST_FT_MINOR}t)` });
      }
      for (const l of new Set(bin.info?.slices.flatMap((x) => x.libraries) ?? [])) {
        const lib = pythonLibrary(l);
        if (lib?.ft && lib.minor !== null && lib.minor < FIRST_FT_MINOR) ctx.report(bin.path, { message: `${fileName(bin)} links ${lib.name}, which no CPython ships (the first free-threaded CPython is 3.${FIRST_FT_MINOR}t)` });
      }
    }
  },
});
