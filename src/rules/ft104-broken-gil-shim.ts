import { defineFileRule } from './types.js';

const NUMERIC = /^\(?\s*(?:\(\s*void\s*\*\s*\)\s*)?\(?\s*(\d+|NULL|nullptr)\s*\)?\s*\)?$/;

function valueOf(body: string): string | null {
  const m = NUMERIC.exec(body.replace(/\/\*.*?\*\//g, '').trim());
  if (!m) return null;
  return m[1] === 'NULL' || m[1] === 'nullptr' ? '0' : (m[1] as string);
}

export default defineFileRule({
  meta: {
    id: 'FT104',
    name: 'broken-gil-shim',
    title: 'A compatibility #define of Py_mod_gil or Py_MOD_GIL_* has the wrong value',
    family: 'FT1',
    severity: 'error',
    why:
      'Shims for CPython < 3.13 sometimes define the slot themselves. `#define Py_mod_gil 0` makes the slot id 0 — the array terminator — so every ' +
      'slot after it is silently dropped; ids 1–3 collide with `Py_mod_create`, `Py_mod_exec` and `Py_mod_multiple_interpreters`. ' +
      '`Py_MOD_GIL_NOT_USED` must be `((void *)1)`: defining it as 0/NULL declares the opposite. The right shim is none at all: guard the slot ' +
      'with `#if PY_VERSION_HEX >= 0x030D0000` so older versions never see it.',
    bad: '#ifndef Py_mod_gil\n#define Py_mod_gil 0\n#define Py_MOD_GIL_NOT_USED NULL\n#endif',
    good: 'static PyModuleDef_Slot slots[] = {\n    {Py_mod_exec, exec},\n#if PY_VERSION_HEX >= 0x030D0000\n    {Py_mod_gil, Py_MOD_GIL_NOT_USED},\n#endif\n    {0, NULL}\n};',
    remedy: {
      api: '#if PY_VERSION_HEX >= 0x030D0000',
      since: '3.13',
      compat: null,
      snippet: '#if PY_VERSION_HEX >= 0x030D0000\n    {Py_mod_gil, Py_MOD_GIL_NOT_USED},\n#endif',
    },
    exampleLanguage: 'c',
    references: ['Include/moduleobject.h (Py_mod_gil 4, Py_MOD_GIL_USED ((void *)0), Py_MOD_GIL_NOT_USED ((void *)1))', 'PEP 820 (slot ids)'],
  },
  languages: ['c', 'cpp'],
  // Shims live in branches only older or GIL builds compile (`#ifndef Py_mod_gil`).
  gilView: true,
  check(ctx) {
    for (const d of ctx.lowered.defines) {
      const v = valueOf(d.body);
      if (v === null) continue;
      let problem: string | null = null;
      if (d.name === 'Py_mod_gil') {
        if (v === '0') problem = 'slot id 0 is the array terminator: every slot after it is silently dropped';
        else if (v === '1' || v === '2' || v === '3') problem = `slot id ${v} is already ${['', 'Py_mod_create', 'Py_mod_exec', 'Py_mod_multiple_interpreters'][Number(v)]}`;
        else if (v !== '4') problem = `slot id ${v} is not Py_mod_gil (4)`;
      } else if (d.name === 'Py_MOD_GIL_NOT_USED' && v !== '1') {
        problem = `Py_MOD_GIL_NOT_USED must be ((void *)1); ${v === '0' ? '0/NULL is Py_MOD_GIL_USED, the opposite' : `${v} is not a valid value`}`;
      } else if (d.name === 'Py_MOD_GIL_USED' && v !== '0') {
        problem = `Py_MOD_GIL_USED must be ((void *)0); ${v} is a different value`;
      }
      if (!problem) continue;
      ctx.report({ start: d.start, end: d.end, message: `broken compatibility shim '#define ${d.name} ${d.body}': ${problem}` });
    }
  },
});
