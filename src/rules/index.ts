// The rule registry. tests/registry.test.ts fails when a rule file under src/rules/ is missing here,
// or when a file name and its rule id disagree.
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
import ft701 from './ft701-environment-mutation.js';
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
import type { Rule } from './types.js';

export const RULES: readonly Rule[] = [
  ft101, ft102, ft103, ft104, ft105, ft106, ft107, ft108, ft109, ft110, ft111, ft112,
  ft201, ft202, ft203, ft204, ft205, ft206, ft207, ft208, ft209,
  ft701, ft702, ft703, ft704, ft705, ft706, ft707, ft708,
  ft711, ft712, ft713, ft714, ft715,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.id, r]));
