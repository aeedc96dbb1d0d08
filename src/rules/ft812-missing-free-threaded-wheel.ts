import { coverageTables } from '../abi/coverage.js';
import { defineArtifactRule } from './types.js';

export default defineArtifactRule({
  meta: {
    id: 'FT812',
    name: 'missing-free-threaded-wheel',
    title: 'A Python version and platform with a GIL wheel has no free-threaded wheel',
    family: 'FT8',
    severity: 'warning',
    why:
      'Free-threaded interpreters install only wheels tagged for them: `cp314-cp314t-…`, a wheel without a CPython ABI (`none`), a pure wheel, or — from 3.15 — an `abi3t` wheel ' +
      '(PEP 803). They never install `abi3` wheels. For each distribution and version in the wheel set, the rule builds the coverage matrix (platform × CPython version) and reports ' +
      'every cell with a GIL wheel and no free-threaded one: users of `python3.14t` on that platform get a source build or an install failure. A wheel set that covers `cp313` on six ' +
      'platforms and `cp313t` on one gets five findings. Text output prints the matrix after the findings.\n\n' +
      'A missing 3.13t wheel is info, not a warning: 3.13t was experimental, and cibuildwheel 4 no longer builds it. Quiet for versions before 3.13 (no free-threaded build exists) ' +
      'and for pure wheel sets. `abi3` wheels are checked against the released free-threaded versions (3.13, 3.14) at or above their floor.',
    bad: 'dist/spam-1.0-cp314-cp314-manylinux_2_17_x86_64.whl\ndist/spam-1.0-cp314-cp314-win_amd64.whl\ndist/spam-1.0-cp314-cp314t-manylinux_2_17_x86_64.whl',
    good: 'dist/spam-1.0-cp314-cp314-manylinux_2_17_x86_64.whl\ndist/spam-1.0-cp314-cp314-win_amd64.whl\ndist/spam-1.0-cp314-cp314t-manylinux_2_17_x86_64.whl\ndist/spam-1.0-cp314-cp314t-win_amd64.whl',
    remedy: {
      api: 'cibuildwheel build = "cp314t-*"',
      since: null,
      compat: null,
      snippet: '[tool.cibuildwheel]\n# cibuildwheel >= 3.1 builds cp314t by default; 3.13t needs enable = ["cpython-freethreading"] (2.22-3.x)\nbuild = "cp313-* cp314-* cp314t-*"',
    },
    exampleLanguage: 'text',
    references: ['pypa/packaging src/packaging/tags.py (_abi3_applies is false for free-threaded builds)', 'https://py-free-threading.github.io/ci/', 'PEP 803'],
  },
  check(ctx) {
    for (const t of coverageTables(ctx.artifacts.wheels)) {
      t.minors.forEach((m, ci) => {
        t.platforms.forEach((plat, ri) => {
          const cell = t.cells[ri]?.[ci];
          if (!cell?.gap) return;
          const wheel = [...cell.gilWheels].sort()[0] as string;
          const abi3 = /-abi3-/.test(wheel);
          ctx.report(wheel, {
            message: `no free-threaded wheel of ${t.distribution} ${t.version} for CPython 3.${m}t on ${plat}${abi3 ? ' (free-threaded interpreters never install abi3 wheels)' : ''}: expected a cp3${m}-cp3${m}t wheel next to this one`,
            ...(m === 13 ? { severity: 'info' as const } : {}),
          });
        });
      });
    }
  },
});
