import { CYTHON_31_MIN_PYTHON_MINOR } from '../data/bindings.js';
import { admitsAtLeast, pep440Range } from '../engine/versions.js';
import { bindingModules, buildFiles, configRoot, declaresUnder, governs, reportAt } from './_bindings.js';
import { defineProjectRule } from './types.js';

export default defineProjectRule({
  meta: {
    id: 'FT715',
    name: 'requires-python-blocks-free-threading',
    title: 'requires-python rules out free-threaded interpreters, or the generator versions free-threading needs',
    family: 'FT7',
    severity: 'info',
    why:
      'Two ways `requires-python` / `python_requires` stands in the way. (1) An upper bound below 3.14 (`<3.13`, `~=3.11.0`, `==3.12.*`) means ' +
      'no free-threaded interpreter can install the package at all — 3.14t is the supported free-threaded build, 3.13t is being dropped by ' +
      'tooling. (2) A lower bound at Python 3.7 or older in a project with Cython modules: `freethreading_compatible` needs Cython 3.1, which ' +
      'supports Python 3.8 and newer only, so builds for 3.7 then need an older Cython behind a `python_version` marker, or the bound must rise.\n\n' +
      'Info by default; the upper-bound case is a warning when the project declares free-threading support somewhere (a module or a classifier). ' +
      'Quiet for the lower-bound case when a Cython build requirement already carries a `python_version` marker.',
    bad: '[project]\nrequires-python = ">=3.9,<3.13"',
    good: '[project]\nrequires-python = ">=3.9"',
    remedy: {
      api: 'requires-python without an upper bound (">=3.9")',
      since: '3.13',
      compat: null,
      snippet: '[project]\nrequires-python = ">=3.9"\n# Cython projects still building for 3.7:\n# [build-system] requires = ["Cython>=3.1; python_version >= \'3.8\'", "Cython<3.1; python_version < \'3.8\'"]',
    },
    exampleLanguage: 'toml',
    references: ['https://packaging.python.org/en/latest/guides/dropping-older-python-versions/', 'cython/cython CHANGES.rst (3.1.0: Python 2.7–3.7 support removed)'],
  },
  check(ctx) {
    const builds = buildFiles(ctx.files);
    const cython = bindingModules(ctx.files).filter((m) => m.module.generator === 'cython');
    for (const b of builds) {
      const rp = b.build.requiresPython;
      if (!rp) continue;
      const r = pep440Range(rp.value);
      if (!admitsAtLeast(r, [3, 14])) {
        const from = admitsAtLeast(r, [3, 13]) ? '3.14' : '3.13';
        reportAt(ctx, b.path, rp, {
          severity: declaresUnder(ctx.files, configRoot(b.path)) ? 'warning' : 'info',
          message: `requires-python '${rp.value}' excludes Python ${from} and newer: ${from === '3.14' ? 'the supported free-threaded build, 3.14t, cannot install this project' : 'no free-threaded interpreter (3.13t, 3.14t) can install this project'}`,
        });
        continue;
      }
      const lo = r.lo;
      if (!lo || (lo[0] ?? 0) !== 3 || (lo[1] ?? 0) >= CYTHON_31_MIN_PYTHON_MINOR) continue;
      if (!cython.some((m) => governs(b.path, m.path))) continue;
      const marked = builds.some((x) => x.build.requirements.some((q) => q.name === 'cython' && /python_(full_)?version/.test(q.marker)));
      if (marked) continue;
      reportAt(ctx, b.path, rp, {
        message: `requires-python '${rp.value}' admits Python 3.${lo[1] ?? 0}, but Cython 3.1 — needed to declare freethreading_compatible — supports Python 3.${CYTHON_31_MIN_PYTHON_MINOR}+: raise the bound or keep an older Cython for old Pythons with a python_version marker`,
      });
    }
  },
});
