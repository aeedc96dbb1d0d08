import { MOD_GIL_SLOT_REMEDY } from '../data/capi.js';
import { slotArrayFix } from '../fix/c-fixes.js';
import { hasGilSlot, moduleFiles } from './_modules.js';
import { defineProjectRule } from './types.js';

export default defineProjectRule({
  meta: {
    id: 'FT101',
    name: 'missing-mod-gil-slot',
    title: 'Multi-phase module does not declare Py_mod_gil',
    family: 'FT1',
    severity: 'warning',
    why:
      'On a free-threaded interpreter a module whose `PyModuleDef_Slot` array has no `Py_mod_gil` slot defaults to `Py_MOD_GIL_USED`: importing it ' +
      're-enables the GIL for the whole process (with a `RuntimeWarning`). Once the module is thread-safe, declare `{Py_mod_gil, Py_MOD_GIL_NOT_USED}`; ' +
      'guard it with `#if PY_VERSION_HEX >= 0x030D0000` if you support CPython < 3.13, which rejects unknown slots.\n\n' +
      'Quiet when the slot array contains a macro ftlint cannot see into (it may expand to the slot).',
    bad: 'static PyModuleDef_Slot spam_slots[] = {\n    {Py_mod_exec, spam_exec},\n    {0, NULL}\n};',
    good:
      'static PyModuleDef_Slot spam_slots[] = {\n    {Py_mod_exec, spam_exec},\n#if PY_VERSION_HEX >= 0x030D0000\n    {Py_mod_gil, Py_MOD_GIL_NOT_USED},\n#endif\n    {0, NULL}\n};',
    remedy: MOD_GIL_SLOT_REMEDY,
    exampleLanguage: 'c',
    references: ['https://docs.python.org/3/howto/free-threading-extensions.html#multi-phase-initialization', 'https://docs.python.org/3/c-api/module.html#c.Py_mod_gil'],
  },
  check(ctx) {
    const mods = moduleFiles(ctx.files);
    const slotNames = new Set<string>();
    for (const m of mods) {
      for (const arr of m.facts.slotArrays) {
        slotNames.add(arr.name);
        if (hasGilSlot(arr) || arr.opaque) continue;
        const fix = slotArrayFix(arr, ctx.project.minMinor);
        ctx.report(m.path, {
          line: arr.pos.line,
          column: arr.pos.column,
          message: `module slot array '${arr.name}' has no Py_mod_gil slot: importing this module re-enables the GIL on free-threaded Python`,
          ...(fix ? { fix } : {}),
        });
      }
    }
    // Multi-phase modules whose PyModuleDef has no slot array at all.
    // A definition is created in its own file when that file creates a definition of that name (`static struct
    // PyModuleDef moduledef` is in every file of a large project); only otherwise by the calls of other files.
    const multi = new Set(mods.flatMap((m) => m.facts.creates.filter((c) => c.kind === 'multi').map((c) => c.def)));
    for (const m of mods) {
      for (const def of m.facts.moduleDefs) {
        const own = m.facts.creates.filter((c) => c.def === def.name);
        const isMulti = own.length > 0 ? own.some((c) => c.kind === 'multi') : multi.has(def.name);
        if (!isMulti || def.slots !== null) continue;
        ctx.report(m.path, {
          line: def.pos.line,
          column: def.pos.column,
          message: `module definition '${def.name}' uses multi-phase init without a slot array, so it cannot declare Py_mod_gil: importing it re-enables the GIL on free-threaded Python`,
        });
      }
    }
  },
});
