import { PYO3_REMEDY } from '../data/bindings.js';
import { bindingModules, buildFiles, pyo3Era, pyo3For, related, reportAt } from './_bindings.js';
import { defineProjectRule } from './types.js';

export default defineProjectRule({
  meta: {
    id: 'FT110',
    name: 'pyo3-gil-used-default',
    title: 'PyO3 #[pymodule] does not declare gil_used = false',
    family: 'FT1',
    severity: 'warning',
    why:
      'PyO3 0.23 to 0.27 mark a module free-threading compatible only with `#[pymodule(gil_used = false)]` (or `m.gil_used(false)?` in the module ' +
      'function); otherwise importing the module on free-threaded CPython re-enables the GIL. PyO3 0.28 made `gil_used = false` the default; ' +
      'PyO3 0.22 and older cannot declare it at all. ftlint reads the pyo3 version requirement from the nearest `Cargo.toml` ' +
      '(following `workspace = true` to `[workspace.dependencies]`).\n\n' +
      'Quiet for PyO3 0.28 and newer, and when the module declares `gil_used` either way (`gil_used = true` is reported as info: it needs the GIL). ' +
      'When no Cargo.toml names a pyo3 version the finding is an info: the module re-enables the GIL unless PyO3 is 0.28 or newer. ' +
      'The fix (adding `gil_used = false`) is offered only when the Cargo.toml requirement is 0.23–0.27.',
    bad: '#[pymodule]\nfn example(m: &Bound<\'_, PyModule>) -> PyResult<()> {\n    m.add_function(wrap_pyfunction!(add, m)?)\n}',
    good: '#[pymodule(gil_used = false)]\nfn example(m: &Bound<\'_, PyModule>) -> PyResult<()> {\n    m.add_function(wrap_pyfunction!(add, m)?)\n}',
    remedy: PYO3_REMEDY,
    exampleLanguage: 'rust',
    references: ['https://pyo3.rs/latest/free-threading.html', 'PyO3/pyo3#4588 (0.23: gil_used)', 'PyO3/pyo3#5564 (0.28: gil_used = false by default)'],
    limitations: 'Cargo.lock is not read: a requirement such as ">=0.20" is treated as unknown.',
  },
  check(ctx) {
    const builds = buildFiles(ctx.files);
    for (const ma of bindingModules(ctx.files)) {
      const m = ma.module;
      if (m.generator !== 'pyo3' || m.gil === 'not-used') continue;
      if (m.gil === 'used') {
        reportAt(ctx, ma.path, m, { severity: 'info', message: `PyO3 module '${m.name}' declares gil_used = true: importing it re-enables the GIL on free-threaded Python` });
        continue;
      }
      const dep = pyo3For(builds, ma.path);
      const era = dep ? pyo3Era(dep.spec) : 'unknown';
      if (era === 'default-not-used') continue;
      const rel = dep ? [related(dep.path, dep.at, `pyo3 dependency ${dep.spec ? `'${dep.spec}'` : 'without a version'}`)] : [];
      if (era === 'too-old') {
        reportAt(ctx, ma.path, m, {
          message: `PyO3 module '${m.name}' re-enables the GIL on free-threaded Python, and pyo3 ${dep?.spec} cannot declare otherwise: upgrade to PyO3 0.23+ and add gil_used = false (or 0.28+, where it is the default)`,
          related: rel,
        });
      } else if (era === 'opt-in') {
        reportAt(ctx, ma.path, m, {
          message: `PyO3 module '${m.name}' does not declare gil_used = false: with pyo3 ${dep?.spec} importing it re-enables the GIL on free-threaded Python`,
          related: rel,
          ...(m.fix ? { fix: m.fix } : {}),
        });
      } else {
        reportAt(ctx, ma.path, m, {
          severity: 'info',
          message: `PyO3 module '${m.name}' does not declare gil_used = false and ${dep ? (dep.spec ? `the pyo3 requirement '${dep.spec}' does not fix a version` : 'the pyo3 dependency has no version (git/path)') : 'no Cargo.toml with a pyo3 dependency was found'}: before PyO3 0.28 importing it re-enables the GIL on free-threaded Python`,
          related: rel,
        });
      }
    }
  },
});
