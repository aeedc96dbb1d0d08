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
import ft401 from './ft401-region-exit.js';
import ft402 from './ft402-unbalanced-region.js';
import ft403 from './ft403-capi-without-thread-state.js';
import ft404 from './ft404-mutex-held-across-python.js';
import ft405 from './ft405-unreleased-on-path.js';
import ft406 from './ft406-gil-calls-removed.js';
import ft407 from './ft407-gilstate-check-as-lock.js';
import ft408 from './ft408-legacy-pythread-lock.js';
import ft409 from './ft409-unprotected-object-state.js';
import ft501 from './ft501-refcount-one-check.js';
import ft502 from './ft502-ob-refcnt-access.js';
import ft503 from './ft503-set-refcnt-outside-dealloc.js';
import ft504 from './ft504-type-dict-write.js';
import ft601 from './ft601-environment-mutation.js';
import ft602 from './ft602-non-reentrant-libc.js';
import type { Rule } from './types.js';

export const RULES: readonly Rule[] = [
  ft001, ft002,
  ft101, ft102, ft103, ft104, ft105, ft106,
  ft201, ft202, ft203, ft204, ft205, ft206, ft207, ft208, ft209,
  ft301, ft302, ft303, ft304,
  ft401, ft402, ft403, ft404, ft405, ft406, ft407, ft408, ft409,
  ft501, ft502, ft503, ft504,
  ft601, ft602,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.id, r]));
