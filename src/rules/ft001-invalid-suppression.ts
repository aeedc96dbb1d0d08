import { defineBuiltinRule } from './types.js';

// Reported by the suppression pass (src/suppress/filter.ts), not by a check of its own.
export default defineBuiltinRule({
  meta: {
    id: 'FT001',
    name: 'invalid-suppression',
    title: 'Suppression comment without rule ids, or with an unknown id',
    family: 'FT0',
    severity: 'warning',
    why:
      'A suppression must say what it suppresses: `ftlint: ignore[FT201]`, not a bare `ftlint: ignore`, so that a later, different problem on ' +
      'the same line is still reported and a reader knows which warning was judged harmless. A bare ignore suppresses nothing, and an unknown ' +
      'rule id (a typo, a rule that was renumbered) suppresses nothing either; both are reported so they can be fixed.\n\n' +
      'Quiet for well-formed suppressions, used or not (see FT002 for unused ones).',
    bad: 'PyObject *v = PyDict_GetItem(d, k);  // ftlint: ignore',
    good: 'PyObject *v = PyDict_GetItem(d, k);  // ftlint: ignore[FT201] d is private to this call',
    remedy: { api: 'ftlint: ignore[FTnnn]', since: null, compat: null, snippet: '// ftlint: ignore[FT201] reason\n// ftlint: ignore-next-line[FT201, FT207] reason\n# ftlint: ignore[FT701] reason   (Python, Cython, TOML)' },
    exampleLanguage: 'c',
    references: ['https://docs.astral.sh/ruff/rules/blanket-noqa/', 'https://clang.llvm.org/extra/clang-tidy/#suppressing-undesired-diagnostics'],
  },
});
