// The rule registry. tests/registry.test.ts fails when a rule file under src/rules/ is missing here,
// or when a file name and its rule id disagree.
import ft001 from './ft001-invalid-suppression.js';
import ft002 from './ft002-unused-suppression.js';
import ft101 from './ft101-missing-mod-gil-slot.js';
import ft102 from './ft102-single-phase-no-setgil.js';
import ft103 from './ft103-declares-gil-used.js';
import ft104 from './ft104-broken-gil-shim.js';
import ft105 from './ft105-unguarded-gil-declaration.js';
import ft106 from './ft106-promise-with-open-errors.js';
import ft107 from './ft107-cython-not-freethreading-compatible.js';
import ft108 from './ft108-pybind11-gil-not-used-missing.js';
import ft109 from './ft109-nanobind-not-free-threaded.js';
import ft110 from './ft110-pyo3-gil-used-default.js';
import ft111 from './ft111-binding-not-checked.js';
import ft112 from './ft112-cython-gil-block-as-lock.js';
import ft201 from './ft201-borrowed-dict-item.js';
import ft202 from './ft202-borrowed-list-item.js';
import ft203 from './ft203-borrowed-weakref.js';
import ft204 from './ft204-borrowed-module.js';
import ft205 from './ft205-borrowed-frame-dict.js';
import ft206 from './ft206-borrowed-sys-object.js';
import ft207 from './ft207-dict-next-unlocked.js';
import ft208 from './ft208-sequence-fast-unlocked.js';
import ft209 from './ft209-borrowed-cell.js';
import ft301 from './ft301-lazy-global-cache.js';
import ft302 from './ft302-global-written-at-runtime.js';
import ft303 from './ft303-static-scratch-buffer.js';
import ft304 from './ft304-static-type-mutated.js';
import ft305 from './ft305-cython-module-buffer.js';
import ft401 from './ft401-region-exit.js';
import ft402 from './ft402-unbalanced-region.js';
import ft403 from './ft403-capi-without-thread-state.js';
import ft404 from './ft404-mutex-held-across-python.js';
import ft405 from './ft405-unreleased-on-path.js';
import ft406 from './ft406-gil-calls-removed.js';
import ft407 from './ft407-gilstate-check-as-lock.js';
import ft408 from './ft408-legacy-pythread-lock.js';
import ft409 from './ft409-unprotected-object-state.js';
import ft410 from './ft410-cython-unprotected-object-state.js';
import ft501 from './ft501-refcount-one-check.js';
import ft502 from './ft502-ob-refcnt-access.js';
import ft503 from './ft503-set-refcnt-outside-dealloc.js';
import ft504 from './ft504-type-dict-write.js';
import ft601 from './ft601-environment-mutation.js';
import ft602 from './ft602-non-reentrant-libc.js';
import ft701 from './ft701-os-environ-mutation.js';
import ft702 from './ft702-working-directory-change.js';
import ft703 from './ft703-locale-change.js';
import ft704 from './ft704-interpreter-setting-change.js';
import ft705 from './ft705-warnings-filter-change.js';
import ft706 from './ft706-stdio-redirect.js';
import ft707 from './ft707-global-rebind-race.js';
import ft708 from './ft708-gil-state-assumption.js';
import ft711 from './ft711-abi3-only-build.js';
import ft712 from './ft712-cibuildwheel-no-free-threaded.js';
import ft713 from './ft713-free-threading-classifier-mismatch.js';
import ft714 from './ft714-build-requirement-too-old.js';
import ft715 from './ft715-requires-python-blocks-free-threading.js';
import ft801 from './ft801-invalid-wheel-filename.js';
import ft802 from './ft802-wheel-metadata-mismatch.js';
import ft803 from './ft803-purelib-mismatch.js';
import ft804 from './ft804-binary-tag-mismatch.js';
import ft805 from './ft805-abi3-in-free-threaded-wheel.js';
import ft806 from './ft806-no-free-threaded-build.js';
import ft807 from './ft807-record-mismatch.js';
import ft808 from './ft808-gil-binary-tagged-free-threaded.js';
import ft809 from './ft809-free-threaded-binary-tagged-gil.js';
import ft810 from './ft810-borrowed-reference-import.js';
import ft811 from './ft811-removed-symbol-import.js';
import ft812 from './ft812-missing-free-threaded-wheel.js';
import type { Rule } from './types.js';

export const RULES: readonly Rule[] = [
  ft001, ft002,
  ft101, ft102, ft103, ft104, ft105, ft106, ft107, ft108, ft109, ft110, ft111, ft112,
  ft201, ft202, ft203, ft204, ft205, ft206, ft207, ft208, ft209,
  ft301, ft302, ft303, ft304, ft305,
  ft401, ft402, ft403, ft404, ft405, ft406, ft407, ft408, ft409, ft410,
  ft501, ft502, ft503, ft504,
  ft601, ft602,
  ft701, ft702, ft703, ft704, ft705, ft706, ft707, ft708,
  ft711, ft712, ft713, ft714, ft715,
  ft801, ft802, ft803, ft804, ft805, ft806, ft807, ft808, ft809, ft810, ft811, ft812,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.id, r]));
