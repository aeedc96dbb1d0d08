import { defineBuiltinRule } from './types.js';

// Reported by the suppression pass (src/suppress/filter.ts) with --report-unused-ignores.
export default defineBuiltinRule({
  meta: {
    id: 'FT002',
    name: 'unused-suppression',
    title: 'Suppression comment that suppresses nothing',
    family: 'FT0',
    severity: 'info',
    why:
      'An `ftlint: ignore[FTnnn]` whose rule no longer fires on its line (the code was fixed, or moved) hides the next real problem that ' +
      'appears there. Reported only with `--report-unused-ignores` (or `report-unused-ignores = true` in the configuration), like ruff\'s ' +
      'RUF100 and ESLint\'s `--report-unused-disable-directives`.\n\nQuiet for ids of rules that were not selected in this run: whether they ' +
      'would fire is unknown.',
    bad: 'PyObject *v = PyDict_GetItemRef(d, k, &v);  // ftlint: ignore[FT201]',
    good: 'PyObject *v = PyDict_GetItemRef(d, k, &v);',
    remedy: { api: 'remove the suppression comment', since: null, compat: null, snippet: '/* delete `// ftlint: ignore[FT201]`, or the unused ids in it */' },
    exampleLanguage: 'c',
    references: ['https://docs.astral.sh/ruff/rules/unused-noqa/'],
  },
});
