// Binding generators and build tools: how each declares free-threading support and from which version.
// Facts from ../shared/reference/free-threading-c-api.md §3/§4.8 and, where noted, the tools' own changelogs
// read at the commits given (cython/cython CHANGES.rst @7c6185fb, pybind/pybind11 docs/changelog.md @22bf5b6e,
// wjakob/nanobind docs/changelog.rst @1bd31397 and cmake/nanobind-config.cmake, PyO3/maturin Changelog.md
// @9ad2a8c0, pypa/cibuildwheel docs/changelog.md @8832cf6b, scikit-build/scikit-build-core
// docs/about/changelog.md @120c8dc7, mesonbuild/meson-python docs/how-to-guides/limited-api.rst).
import type { Remedy } from '../engine/types.js';
import type { Version } from '../engine/versions.js';

export interface ToolFact {
  /** Distribution name as pip/Cargo spells it (normalised, lower case). */
  name: string;
  /** Human name. */
  label: string;
  /** First version that can declare/build free-threading support. */
  min: Version;
  what: string;
}

/** Build requirements whose version decides whether a free-threaded build is possible at all. */
export const BUILD_TOOLS: readonly ToolFact[] = [
  { name: 'cython', label: 'Cython', min: [3, 1, 0], what: 'the `freethreading_compatible` directive (older Cython fails to compile for free-threaded CPython)' },
  { name: 'pybind11', label: 'pybind11', min: [2, 13, 0], what: '`py::mod_gil_not_used()`' },
  { name: 'nanobind', label: 'nanobind', min: [2, 2, 0], what: 'the `FREE_THREADED` option of `nanobind_add_module`' },
  { name: 'maturin', label: 'maturin', min: [1, 7, 5], what: 'free-threaded wheels' },
  { name: 'scikit-build-core', label: 'scikit-build-core', min: [0, 9, 4], what: 'free-threaded builds (it skips the stable ABI there)' },
  { name: 'cffi', label: 'CFFI', min: [2, 0, 0], what: 'free-threaded CPython (3.14t and newer only)' },
];

export const CYTHON_MIN = '3.1.0';
/** Cython 3.1 removed support for Python 2.7–3.7 (CHANGES.rst, 3.1.0 alpha notes). */
export const CYTHON_31_MIN_PYTHON_MINOR = 8;
export const PYBIND11_MIN = '2.13.0';
export const NANOBIND_MIN = '2.2.0';
/** `#[pymodule(gil_used = …)]` arrived in PyO3 0.23; since 0.28 modules default to `gil_used = false`. */
export const PYO3_DECLARE: Version = [0, 23];
export const PYO3_DEFAULT_NOT_USED: Version = [0, 28];

/** cibuildwheel milestones (docs/changelog.md). */
export const CIBW = {
  /** v2.18.1: cp313t identifiers, opt-in with `free-threaded-support` / CIBW_FREE_THREADED_SUPPORT. */
  firstFreeThreaded: [2, 18, 1] as Version,
  /** v2.22.0: `enable = ["cpython-freethreading"]` replaces `free-threaded-support`. */
  enableOption: [2, 22, 0] as Version,
  /** v3.0.0: `free-threaded-support` / CIBW_FREE_THREADED_SUPPORT removed. */
  removedFreeThreadedSupport: [3, 0, 0] as Version,
  /** v3.1.0: CPython 3.14 built by default, free-threaded cp314t included (skip with `cp31?t-*`). */
  cp314tDefault: [3, 1, 0] as Version,
  /** v4.0.0: cp313t and `enable = cpython-freethreading` removed. */
  removedCp313t: [4, 0, 0] as Version,
};

/** For every module a build script cythonizes at once. */
export const CYTHON_BUILD_REMEDY: Remedy = {
  api: "compiler_directives={'freethreading_compatible': True}",
  since: '3.13',
  compat: null,
  requires: `Cython ${CYTHON_MIN}`,
  snippet:
    'cythonize(extensions, compiler_directives={"freethreading_compatible": True})\n' +
    '# or, where the script sets directive_defaults:\n' +
    'directive_defaults["freethreading_compatible"] = True',
};

export const CYTHON_REMEDY: Remedy = {
  api: '# cython: freethreading_compatible=True',
  since: '3.13',
  compat: null,
  requires: `Cython ${CYTHON_MIN}`,
  snippet:
    '# cython: freethreading_compatible=True\n' +
    '# (first lines of the .pyx file; or for every module of the build:\n' +
    '#  cythonize(extensions, compiler_directives={"freethreading_compatible": True})\n' +
    "#  meson: cython_args: ['-Xfreethreading_compatible=True'])",
};

export const PYBIND11_REMEDY: Remedy = {
  api: 'py::mod_gil_not_used()',
  since: '3.13',
  compat: null,
  requires: `pybind11 ${PYBIND11_MIN}`,
  snippet: 'PYBIND11_MODULE(example, m, py::mod_gil_not_used()) {\n    m.def("add", &add);\n}',
};

export const NANOBIND_REMEDY: Remedy = {
  api: 'nanobind_add_module(<target> FREE_THREADED …)',
  since: '3.13',
  compat: null,
  requires: `nanobind ${NANOBIND_MIN}`,
  snippet: 'nanobind_add_module(example FREE_THREADED src/example.cpp)',
};

export const PYO3_REMEDY: Remedy = {
  api: '#[pymodule(gil_used = false)]',
  since: '3.13',
  compat: null,
  requires: 'PyO3 0.23',
  snippet: '#[pymodule(gil_used = false)]\nfn example(m: &Bound<\'_, PyModule>) -> PyResult<()> {\n    m.add_function(wrap_pyfunction!(add, m)?)\n}\n// or upgrade to PyO3 0.28+, where gil_used = false is the default',
};

export const UNCHECKED_REMEDY: Remedy = {
  api: "the generator's own free-threading declaration",
  since: '3.13',
  compat: null,
  snippet:
    '# CFFI: cffi >= 2.0 (free-threaded CPython 3.14+ only)\n# mypyc, HPy, Boost.Python, rust-cpython: see the tool\'s documentation;\n# check on python3.14t that importing the module leaves sys._is_gil_enabled() False',
};
