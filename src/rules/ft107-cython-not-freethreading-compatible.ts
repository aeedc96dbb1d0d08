import { CYTHON_MIN, CYTHON_REMEDY } from '../data/bindings.js';
import { parseVersion } from '../engine/versions.js';
import { bindingModules, buildFiles, governing, pinnedBelow, related, reportAt } from './_bindings.js';
import { defineProjectRule } from './types.js';

export default defineProjectRule({
  meta: {
    id: 'FT107',
    name: 'cython-not-freethreading-compatible',
    title: 'Cython module does not declare freethreading_compatible',
    family: 'FT1',
    severity: 'warning',
    why:
      'Cython generates the `Py_mod_gil` slot (and `PyUnstable_Module_SetGIL` on the single-phase path) from the module directive ' +
      '`freethreading_compatible`. Without it the module says nothing, which free-threaded CPython reads as `Py_MOD_GIL_USED`: importing it ' +
      're-enables the GIL for the whole process. The directive is only a declaration — make the module thread-safe first ' +
      '(`cython.critical_section`, `cython.pymutex`), then declare it. It needs Cython 3.1; older Cython cannot build for free-threaded CPython at all.\n\n' +
      'The directive counts wherever it is given: a `# cython: freethreading_compatible=True` header line in the `.pyx`, or for the whole build ' +
      '`compiler_directives={"freethreading_compatible": True}` in `setup.py`, `-Xfreethreading_compatible=True` in meson/CMake, or any mention in ' +
      '`pyproject.toml`, in a build file in the module\'s directory or above it. Quiet when that value is not a literal (it may be chosen per build). ' +
      'A module that sets the directive to `False` is reported as info: it explicitly needs the GIL.',
    bad: '# distutils: language = c\n\ndef total(list xs):\n    return sum(xs)',
    good: '# cython: freethreading_compatible=True\n# distutils: language = c\n\ndef total(list xs):\n    return sum(xs)',
    remedy: CYTHON_REMEDY,
    exampleLanguage: 'cython',
    references: [
      'https://cython.readthedocs.io/en/latest/src/userguide/freethreading.html',
      'https://py-free-threading.github.io/porting-extensions/',
      'cython/cython CHANGES.rst (3.1.0: freethreading_compatible)',
    ],
    limitations: 'Directives passed on the command line of a custom build script ftlint does not read, or in a build file outside the checked paths, are not seen.',
  },
  check(ctx) {
    const builds = buildFiles(ctx.files);
    for (const ma of bindingModules(ctx.files)) {
      const m = ma.module;
      if (m.generator !== 'cython' || m.gil === 'not-used') continue;
      const gov = governing(builds, ma.path).find((b) => b.build.cythonDirective);
      const d = gov?.build.cythonDirective ?? null;
      if (m.gil === 'used' || (m.gil === 'default' && d?.on === false)) {
        reportAt(ctx, ma.path, m, {
          severity: 'info',
          message: `Cython module '${m.name}' sets freethreading_compatible=False${m.gil === 'default' && gov ? ` (in ${gov.path})` : ''}: importing it re-enables the GIL on free-threaded Python`,
        });
        continue;
      }
      if (d) continue; // declared for the whole build (True), or chosen at build time (not a literal)
      const old = pinnedBelow(builds, ma.path, 'cython', parseVersion(CYTHON_MIN) as number[]);
      reportAt(ctx, ma.path, m, {
        message: `Cython module '${m.name}' does not declare freethreading_compatible: importing it re-enables the GIL on free-threaded Python${old ? ` (and ${old.req.display}${old.req.spec} cannot build for free-threaded Python; Cython ${CYTHON_MIN} is needed)` : ''}`,
        ...(old ? { related: [related(old.path, old.req, `build requirement ${old.req.display}${old.req.spec}`)] } : {}),
        ...(m.fix ? { fix: m.fix } : {}),
      });
    }
  },
});
