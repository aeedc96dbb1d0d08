import { UNCHECKED_REMEDY } from '../data/bindings.js';
import { bindingModules, buildFiles, GENERATOR_LABEL, nanobindTargetFor, reportAt } from './_bindings.js';
import { defineProjectRule } from './types.js';

/** Generators whose declaration ftlint cannot check. */
const UNCHECKED = new Set(['hpy', 'boost-python', 'cffi', 'mypyc', 'rust-cpython']);

export default defineProjectRule({
  meta: {
    id: 'FT111',
    name: 'binding-not-checked',
    title: 'Extension module from a binding generator ftlint does not check',
    family: 'FT1',
    severity: 'info',
    why:
      'ftlint checks the free-threading declaration of modules written against the C API and of Cython, pybind11, nanobind and PyO3 modules. ' +
      'For other generators — HPy (`HPy_MODINIT`), Boost.Python (`BOOST_PYTHON_MODULE`), CFFI (`ffibuilder.set_source`, `cffi_modules=`), ' +
      'mypyc (`mypycify`), rust-cpython (`py_module_initializer!`) — it cannot tell whether the module declares free-threading support, so it says so ' +
      'instead of staying silent: no finding is not a pass. The same goes for an `NB_MODULE` whose `nanobind_add_module` call is not among the checked files.\n\n' +
      'Check these modules by hand: on a free-threaded interpreter (`python3.14t`), import the module and confirm `sys._is_gil_enabled()` is still False.',
    bad: 'HPy_MODINIT(example, example_def)',
    good: '/* checked by hand on python3.14t: import example; sys._is_gil_enabled() is False */\nHPy_MODINIT(example, example_def)',
    remedy: UNCHECKED_REMEDY,
    exampleLanguage: 'c',
    references: ['https://py-free-threading.github.io/porting-extensions/', 'https://docs.python.org/3/howto/free-threading-extensions.html'],
  },
  check(ctx) {
    const builds = buildFiles(ctx.files);
    for (const ma of bindingModules(ctx.files)) {
      const m = ma.module;
      if (m.generator === 'nanobind') {
        if (nanobindTargetFor(builds, ma)) continue;
        reportAt(ctx, ma.path, m, {
          message: `nanobind module '${m.name}': no nanobind_add_module() call building it was found in the checked CMake files, so FREE_THREADED was not checked`,
          remedy: { api: 'nanobind_add_module(<target> FREE_THREADED …)', since: '3.13', compat: null, requires: 'nanobind 2.2.0', snippet: 'nanobind_add_module(example FREE_THREADED src/example.cpp)' },
        });
        continue;
      }
      if (!UNCHECKED.has(m.generator)) continue;
      const label = GENERATOR_LABEL[m.generator];
      reportAt(ctx, ma.path, m, {
        message: `${label} module '${m.name}': ftlint does not check ${label} modules for a free-threading declaration (not checked, not a pass)`,
      });
    }
  },
});
