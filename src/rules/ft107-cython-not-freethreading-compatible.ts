import { CYTHON_BUILD_REMEDY, CYTHON_MIN, CYTHON_REMEDY } from '../data/bindings.js';
import { parseVersion } from '../engine/versions.js';
import { bindingModules, buildFiles, governing, pinnedBelow, related, reportAt, type BuildAt, type ModuleAt } from './_bindings.js';
import { pushTo } from '../engine/group.js';
import { dirname } from 'node:path';
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
    limitations:
      'Two or more undeclared modules under one build script that cythonizes them (its `directive_defaults[…]` assignments, else its ' +
      '`cythonize(…)` call) are one finding there, with each module as a related location. Directives passed on the command line of a custom build script ftlint does not read, or in a build file outside the checked paths, are not seen.',
  },
  check(ctx) {
    const builds = buildFiles(ctx.files);
    // Modules without a declaration, by the build script that cythonizes them: one root cause, one finding there.
    const undeclared = new Map<BuildAt, ModuleAt[]>();
    // Only the nearest build file: a module under its own CMakeLists.txt is not built by a setup.py further up.
    const setupOf = (path: string) => {
      const gov = governing(builds, path);
      const near = gov[0] ? dirname(gov[0].path) : '';
      return gov.find((b) => dirname(b.path) === near && b.build.cythonSetup);
    };
    const modules = bindingModules(ctx.files);
    for (const ma of modules) {
      const m = ma.module;
      if (m.generator !== 'cython' || m.gil !== 'default') continue;
      if (governing(builds, ma.path).some((b) => b.build.cythonDirective)) continue;
      const setup = setupOf(ma.path);
      if (setup) pushTo(undeclared, setup, ma);
    }
    const grouped = new Set<string>();
    const keyOf = (ma: ModuleAt) => `${ma.path}\0${ma.module.name}`;
    for (const [setup, mods] of undeclared) {
      if (mods.length < 2 || !setup.build.cythonSetup) continue;
      for (const ma of mods) grouped.add(keyOf(ma));
      const old = pinnedBelow(builds, setup.path, 'cython', parseVersion(CYTHON_MIN) as number[]);
      reportAt(ctx, setup.path, setup.build.cythonSetup, {
        message:
          `${mods.length} Cython modules built here do not declare freethreading_compatible: importing any of them re-enables the GIL on free-threaded Python; ` +
          `declare it once for the build (compiler_directives={'freethreading_compatible': True}, Cython ${CYTHON_MIN}) or at the top of each module` +
          (old ? ` (and ${old.req.display}${old.req.spec} cannot build for free-threaded Python)` : ''),
        related: mods.slice(0, 50).map((ma) => related(ma.path, ma.module, `Cython module '${ma.module.name}' has no freethreading_compatible directive`)),
        remedy: CYTHON_BUILD_REMEDY,
      });
    }
    for (const ma of modules) {
      if (grouped.has(keyOf(ma))) continue;
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
