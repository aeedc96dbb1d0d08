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
import type { Rule } from './types.js';

export const RULES: readonly Rule[] = [
  ft001, ft002,
  ft101, ft102, ft103, ft104, ft105, ft106,
  ft201, ft202, ft203, ft204, ft205, ft206, ft207, ft208, ft209,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.id, r]));
