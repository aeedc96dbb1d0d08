import type { Remedy } from '../engine/types.js';
import { buildFiles, governs, reportAt } from './_bindings.js';
import { defineProjectRule } from './types.js';

const SETUPTOOLS: Remedy = {
  api: 'Py_LIMITED_API / py_limited_api only when not sysconfig.get_config_var("Py_GIL_DISABLED")',
  since: '3.13',
  compat: null,
  snippet:
    'import sysconfig\nfree_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))\n\n' +
    'Extension("spam", ["spam.c"], py_limited_api=not free_threaded,\n          define_macros=[] if free_threaded else [("Py_LIMITED_API", "0x03090000")])\n' +
    'setup(..., options={} if free_threaded else {"bdist_wheel": {"py_limited_api": "cp39"}})\n' +
    '# free-threaded interpreters get a version-specific cp313t/cp314t wheel; abi3t (CPython 3.15, PEP 803) will cover both',
};
const MESON: Remedy = {
  api: 'python.allow_limited_api=false for free-threaded builds',
  since: '3.13',
  compat: null,
  requires: 'meson-python (setup-args)',
  snippet:
    '# pyproject.toml: version-specific wheels for the free-threaded builds\n[[tool.cibuildwheel.overrides]]\nselect = "cp31?t-*"\n' +
    'config-settings = { setup-args = ["-Dpython.allow_limited_api=false"] }\n# by hand: python -m build -Csetup-args="-Dpython.allow_limited_api=false"',
};
const C_DEFINE: Remedy = {
  api: '#if !defined(Py_GIL_DISABLED) … #define Py_LIMITED_API',
  since: '3.13',
  compat: null,
  snippet: '#if !defined(Py_GIL_DISABLED)\n#  define Py_LIMITED_API 0x03090000\n#endif\n#include <Python.h>',
};
const CMAKE: Remedy = {
  api: 'USE_SABI ${SKBUILD_SABI_VERSION} (empty for free-threaded builds)',
  since: '3.13',
  compat: null,
  requires: 'scikit-build-core 0.9.4',
  snippet: 'python_add_library(_core MODULE src/core.c WITH_SOABI USE_SABI ${SKBUILD_SABI_VERSION})\n# or: if(NOT Python_SOABI MATCHES "t-") … endif()',
};

export default defineProjectRule({
  meta: {
    id: 'FT711',
    name: 'abi3-only-build',
    title: 'Extensions are built only for the limited API (abi3), which free-threaded CPython cannot use',
    family: 'FT7',
    severity: 'warning',
    why:
      'Free-threaded CPython 3.13 and 3.14 have no stable ABI: `Python.h` stops with `#error "The limited API is not currently supported in the ' +
      'free-threaded build"` when `Py_LIMITED_API` is defined, setuptools\' `bdist_wheel` refuses `py_limited_api` there, and installers never pick an ' +
      '`abi3` wheel for a `t` interpreter. A build configured to produce only abi3 extensions therefore yields nothing for 3.13t/3.14t. Build ' +
      'version-specific wheels for the free-threaded interpreters (keep abi3 for the others); the free-threaded stable ABI, abi3t, arrives with CPython 3.15 (PEP 803).\n\n' +
      'Fires on unconditional settings: `define_macros=[("Py_LIMITED_API", …)]` and `py_limited_api="cp3x"` (bdist_wheel) in setup.py, ' +
      '`[bdist_wheel] py_limited_api` in setup.cfg, `[tool.distutils.bdist_wheel]`, meson-python\'s `limited-api = true` or a literal ' +
      '`limited_api:` in meson.build, `USE_SABI 3.x` or a `Py_LIMITED_API` definition in CMake, and `#define Py_LIMITED_API` in C outside `#if !defined(Py_GIL_DISABLED)`. ' +
      'Quiet when the file mentions `Py_GIL_DISABLED`/free-threading (the setting is taken to be conditional), and for meson when ' +
      '`python.allow_limited_api=false` is passed somewhere. scikit-build-core\'s `wheel.py-api` is not flagged: it skips the stable ABI on free-threaded builds.',
    bad: 'setup(\n    ext_modules=[Extension("spam", ["spam.c"], py_limited_api=True,\n                           define_macros=[("Py_LIMITED_API", "0x03090000")])],\n    options={"bdist_wheel": {"py_limited_api": "cp39"}},\n)',
    good: 'free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))\nsetup(\n    ext_modules=[Extension("spam", ["spam.c"], py_limited_api=not free_threaded,\n                           define_macros=[] if free_threaded else [("Py_LIMITED_API", "0x03090000")])],\n    options={} if free_threaded else {"bdist_wheel": {"py_limited_api": "cp39"}},\n)',
    remedy: SETUPTOOLS,
    exampleLanguage: 'python',
    references: [
      'https://docs.python.org/3/howto/free-threading-extensions.html#limited-c-api-and-stable-abi',
      'https://github.com/python/cpython/issues/111506',
      'https://peps.python.org/pep-0803/',
      'mesonbuild/meson-python docs/how-to-guides/limited-api.rst',
    ],
  },
  check(ctx) {
    const builds = buildFiles(ctx.files);
    const offSwitch = builds.filter((b) => b.build.allowLimitedApiOff).map((b) => b.path);
    for (const b of builds) {
      for (const l of b.build.limitedApi) {
        const meson = l.how.startsWith('[tool.meson-python]') || l.how.startsWith('limited_api:');
        if (meson && offSwitch.some((p) => governs(p, b.path) || governs(b.path, p))) continue;
        const remedy = meson ? MESON : l.how.startsWith('#define') ? C_DEFINE : /USE_SABI|_definitions|add_definitions/.test(l.how) ? CMAKE : SETUPTOOLS;
        reportAt(ctx, b.path, l, {
          remedy,
          message: `${l.how} builds the extensions for the limited API (abi3) only: free-threaded CPython 3.13/3.14 has no stable ABI, so nothing can be built or installed for 3.13t/3.14t`,
        });
      }
    }
  },
});
