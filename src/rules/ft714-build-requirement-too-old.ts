import { BUILD_TOOLS } from '../data/bindings.js';
import { admitsAtLeast, fmtVersion, pep440Range } from '../engine/versions.js';
import { buildFiles, reportAt } from './_bindings.js';
import { defineProjectRule } from './types.js';

export default defineProjectRule({
  meta: {
    id: 'FT714',
    name: 'build-requirement-too-old',
    title: 'Build requirement pins a binding generator or backend too old for free-threaded builds',
    family: 'FT7',
    severity: 'warning',
    why:
      'Declaring free-threading support needs a recent generator: Cython 3.1.0 (`freethreading_compatible`; older Cython does not even compile for ' +
      'free-threaded CPython), pybind11 2.13.0 (`py::mod_gil_not_used()`), nanobind 2.2.0 (`FREE_THREADED`). Building free-threaded wheels needs ' +
      'maturin 1.7.5, scikit-build-core 0.9.4 (which also skips the stable ABI there), and CFFI 2.0.0 (free-threaded 3.14+ only). A build requirement ' +
      'whose upper bound or pin excludes those versions makes every remedy of FT107–FT110 impossible.\n\n' +
      'Reads `[build-system] requires` (pyproject.toml), `setup_requires` (setup.py, setup.cfg) and `FetchContent_Declare(… GIT_TAG vX.Y.Z)` for ' +
      'pybind11/nanobind in CMake. Quiet for lower bounds (`>=`: the newest version is picked) and for requirements limited to old Pythons by a ' +
      '`python_version <` marker.',
    bad: '[build-system]\nrequires = ["setuptools", "Cython>=0.29,<3.1"]',
    good: '[build-system]\nrequires = ["setuptools", "Cython>=3.1"]',
    remedy: {
      api: 'Cython>=3.1 / pybind11>=2.13 / nanobind>=2.2 / maturin>=1.7.5 / scikit-build-core>=0.9.4 / cffi>=2.0',
      since: '3.13',
      compat: null,
      snippet: '[build-system]\nrequires = ["setuptools>=68", "Cython>=3.1"]\n# keep an old pin only for old Pythons:\n#   "Cython<3.1; python_version < \'3.8\'", "Cython>=3.1; python_version >= \'3.8\'"',
    },
    exampleLanguage: 'toml',
    references: ['cython/cython CHANGES.rst (3.1.0)', 'pybind/pybind11 docs/changelog.md (2.13.0)', 'wjakob/nanobind docs/changelog.rst (2.2.0)', 'PyO3/maturin Changelog.md (1.7.5)', 'scikit-build/scikit-build-core docs/about/changelog.md (0.9.4)'],
  },
  check(ctx) {
    for (const b of buildFiles(ctx.files)) {
      for (const r of b.build.requirements) {
        const tool = BUILD_TOOLS.find((t) => t.name === r.name);
        if (!tool || r.spec === '') continue;
        if (/python_(full_)?version\s*<|python_version\s*<=/.test(r.marker)) continue;
        if (admitsAtLeast(pep440Range(r.spec), tool.min)) continue;
        reportAt(ctx, b.path, r, {
          message:
            r.source === 'cmake'
              ? `${tool.label} is fetched at ${r.spec.replace(/^==/, '')}, older than ${fmtVersion(tool.min)}, the first version with ${tool.what}`
              : `build requirement '${r.display}${r.spec}' excludes ${tool.label} ${fmtVersion(tool.min)}, the first version with ${tool.what}`,
          remedy: { api: `${tool.name}>=${fmtVersion(tool.min)}`, since: '3.13', compat: null, requires: `${tool.label} ${fmtVersion(tool.min)}`, snippet: `"${tool.name}>=${fmtVersion(tool.min)}"` },
        });
      }
    }
  },
});
