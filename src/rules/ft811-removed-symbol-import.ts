import { REMOVED_BY_313 } from '../abi/data/removed-symbols.js';
import { targetOf } from '../abi/evidence.js';
import { allBinaries, fileName } from './_artifacts.js';
import { defineArtifactRule } from './types.js';

const MAX_LISTED = 8;

export default defineArtifactRule({
  meta: {
    id: 'FT811',
    name: 'removed-symbol-import',
    title: 'A binary for CPython 3.13+ imports a symbol CPython 3.13 no longer exports',
    family: 'FT8',
    severity: 'error',
    why:
      'CPython 3.13 — the first version with a free-threaded build — stopped exporting hundreds of private and long-deprecated symbols (`_PyObject_CallMethodId`, ' +
      '`_PyDict_GetItemWithError`, `_PyArg_ParseStack_SizeT`, `PyUnicode_AsUnicode`, …). A binary that imports one was compiled against older headers (an old Cython, a vendored ' +
      'pre-3.13 copy of a generated file) and the dynamic loader refuses it on every 3.13+ interpreter, GIL or free-threaded: `undefined symbol`. The list is generated from ' +
      'the real export tables of CPython 3.7–3.12 and 3.13.0 (`scripts/gen-cpython-exports.mjs`).\n\n' +
      'Applies to binaries tagged for CPython 3.13 or later (file name, wheel tag or linked DLL). Weak imports are ignored. Quiet for symbols 3.13 still exports.',
    bad: '$ nm -D --undefined-only spam/_core.cpython-313t-x86_64-linux-gnu.so\n                 U _PyObject_CallMethodId',
    good: '$ nm -D --undefined-only spam/_core.cpython-313t-x86_64-linux-gnu.so\n                 U PyObject_CallMethodObjArgs',
    remedy: {
      api: 'the public C API of CPython 3.13',
      since: '3.13',
      compat: 'pythoncapi_compat.h',
      snippet: '# Rebuild against the 3.13 headers with a current generator (Cython >= 3.1 for free-threaded builds),\n# and replace private calls with public ones, e.g.\n#   _PyObject_CallMethodId(obj, &PyId_close, NULL)  ->  PyObject_CallMethod(obj, "close", NULL)',
    },
    exampleLanguage: 'text',
    references: ['https://docs.python.org/3/whatsnew/3.13.html#c-api-changes', 'scripts/gen-cpython-exports.mjs (nm -D of libpython3.7–3.13)'],
    limitations: 'Built from the export tables of CPython up to 3.13.0; symbols removed later (3.14+) are not known yet.',
  },
  check(ctx) {
    for (const { bin, wheel } of allBinaries(ctx.artifacts)) {
      if (!bin.info) continue;
      const target = targetOf(bin, wheel);
      const minor = target?.minor ?? (wheel?.name?.pythonTags.map((t) => /^cp3(\d+)$/.exec(t)?.[1]).filter(Boolean).map(Number).sort((a, b) => a - b)[0] ?? null);
      if (!target || minor === null || minor < 13) continue;
      const gone = [...new Set(bin.info.slices.flatMap((s) => s.pythonImports.filter((i) => !i.weak && REMOVED_BY_313.has(i.name)).map((i) => i.name)))].sort();
      if (!gone.length) continue;
      const shown = gone.slice(0, MAX_LISTED).join(', ') + (gone.length > MAX_LISTED ? ` and ${gone.length - MAX_LISTED} more` : '');
      ctx.report(bin.path, {
        message: `${fileName(bin)} imports ${shown}, which CPython 3.13 no longer exports: CPython 3.${minor}${target.ft ? 't' : ''} cannot load it (undefined symbol)`,
      });
    }
  },
});
