import { PYBIND11_MIN, PYBIND11_REMEDY } from '../data/bindings.js';
import { parseVersion } from '../engine/versions.js';
import { bindingModules, buildFiles, pinnedBelow, related, reportAt } from './_bindings.js';
import { defineProjectRule } from './types.js';

export default defineProjectRule({
  meta: {
    id: 'FT108',
    name: 'pybind11-gil-not-used-missing',
    title: 'PYBIND11_MODULE does not pass py::mod_gil_not_used()',
    family: 'FT1',
    severity: 'warning',
    why:
      'pybind11 declares a module free-threading compatible only when `PYBIND11_MODULE` gets the `py::mod_gil_not_used()` tag (pybind11 2.13.0 and newer). ' +
      'Without it free-threaded CPython treats the module as needing the GIL and re-enables the GIL for the whole process when it is imported. ' +
      'The tag is a promise: protect shared state first (`py::scoped_critical_section`, `std::mutex`, `gil_safe_call_once_and_store`).\n\n' +
      'Quiet when the tag is present. `py::mod_gil_not_used(false)` or `py::mod_gil_used()` (explicitly needs the GIL) is reported as info. ' +
      'The fix adds the tag; when the build requires a pybind11 older than 2.13 the finding says so and offers no fix.',
    bad: 'PYBIND11_MODULE(example, m) {\n    m.def("add", &add);\n}',
    good: 'PYBIND11_MODULE(example, m, py::mod_gil_not_used()) {\n    m.def("add", &add);\n}',
    remedy: PYBIND11_REMEDY,
    exampleLanguage: 'cpp',
    references: ['https://pybind11.readthedocs.io/en/stable/advanced/misc.html#free-threading-support', 'pybind/pybind11 docs/changelog.md (2.13.0: mod_gil_not_used)'],
    limitations: 'A PYBIND11_MODULE hidden behind a project macro is not seen.',
  },
  check(ctx) {
    const builds = buildFiles(ctx.files);
    for (const ma of bindingModules(ctx.files)) {
      const m = ma.module;
      if (m.generator !== 'pybind11' || m.gil === 'not-used') continue;
      if (m.gil === 'used') {
        reportAt(ctx, ma.path, m, { severity: 'info', message: `pybind11 module '${m.name}' explicitly declares that it needs the GIL: importing it re-enables the GIL on free-threaded Python` });
        continue;
      }
      const old = pinnedBelow(builds, ma.path, 'pybind11', parseVersion(PYBIND11_MIN) as number[]);
      reportAt(ctx, ma.path, m, {
        message: old
          ? `pybind11 module '${m.name}' does not declare py::mod_gil_not_used(), and the build pins ${old.req.display}${old.req.spec}, which cannot: importing it re-enables the GIL on free-threaded Python (pybind11 ${PYBIND11_MIN} is needed)`
          : `pybind11 module '${m.name}' does not pass py::mod_gil_not_used(): importing it re-enables the GIL on free-threaded Python`,
        ...(old ? { related: [related(old.path, old.req, `build requirement ${old.req.display}${old.req.spec}`)] } : m.fix ? { fix: m.fix } : {}),
      });
    }
  },
});
