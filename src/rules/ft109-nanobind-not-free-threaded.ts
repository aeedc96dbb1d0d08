import { NANOBIND_MIN, NANOBIND_REMEDY } from '../data/bindings.js';
import { parseVersion } from '../engine/versions.js';
import { bindingModules, buildFiles, nanobindTargetFor, pinnedBelow, related, reportAt } from './_bindings.js';
import { defineProjectRule } from './types.js';

export default defineProjectRule({
  meta: {
    id: 'FT109',
    name: 'nanobind-not-free-threaded',
    title: 'nanobind module built without FREE_THREADED',
    family: 'FT1',
    severity: 'warning',
    why:
      'nanobind declares free-threading support from the build, not the source: `nanobind_add_module(<name> FREE_THREADED …)` (nanobind 2.2.0 and newer) ' +
      'compiles the module with `NB_FREE_THREADED`, which emits `Py_MOD_GIL_NOT_USED` and turns on nanobind\'s own locking. Without the option the ' +
      '`NB_MODULE` re-enables the GIL when imported on free-threaded CPython. The option is ignored when the interpreter is not free-threaded. ' +
      'Like every declaration it is a promise: protect shared state (`nb::ft_mutex`, `nb::ft_lock_guard`, `nb::arg("x").lock()`).\n\n' +
      'ftlint reads `CMakeLists.txt` and `*.cmake` files and matches each `NB_MODULE(name, m)` to the `nanobind_add_module` call whose target is `name` ' +
      '(or that lists the source file). The finding sits on that call. Quiet when the call\'s arguments come from variables ftlint cannot expand. ' +
      'An `NB_MODULE` whose build call is not found is reported by FT111 (not checked).',
    bad: 'nanobind_add_module(example src/example.cpp)',
    good: 'nanobind_add_module(example FREE_THREADED src/example.cpp)',
    remedy: NANOBIND_REMEDY,
    exampleLanguage: 'cmake',
    references: ['https://nanobind.readthedocs.io/en/latest/free_threaded.html', 'wjakob/nanobind cmake/nanobind-config.cmake (nanobind_add_module options)'],
  },
  check(ctx) {
    const builds = buildFiles(ctx.files);
    for (const ma of bindingModules(ctx.files)) {
      if (ma.module.generator !== 'nanobind') continue;
      const t = nanobindTargetFor(builds, ma);
      if (!t || t.target.opaque || t.target.freeThreaded) continue;
      const old = pinnedBelow(builds, t.path, 'nanobind', parseVersion(NANOBIND_MIN) as number[]);
      reportAt(ctx, t.path, t.target, {
        message: `nanobind_add_module(${t.target.target} …) builds NB_MODULE '${ma.module.name}' without FREE_THREADED: importing it re-enables the GIL on free-threaded Python${old ? ` (and nanobind ${old.req.spec.replace(/^==/, '')} is pinned; the option needs nanobind ${NANOBIND_MIN})` : ''}`,
        related: [related(ma.path, ma.module, `NB_MODULE(${ma.module.name}, …)`), ...(old ? [related(old.path, old.req, `nanobind pinned at ${old.req.spec}`)] : [])],
      });
    }
  },
});
