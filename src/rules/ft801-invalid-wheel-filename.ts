import { defineArtifactRule } from './types.js';

export default defineArtifactRule({
  meta: {
    id: 'FT801',
    name: 'invalid-wheel-filename',
    title: 'Wheel file name does not follow the wheel naming grammar',
    family: 'FT8',
    severity: 'error',
    why:
      'Installers decide whether a wheel fits the running interpreter from its file name alone: `{distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl`, ' +
      'each tag part a compressed set joined with dots (PEP 427, PEP 425). A name that does not parse is refused or, worse, matched to the wrong interpreter. ' +
      'The rule also catches a free-threaded flag in the wrong place (`cp313t-cp313t`: the python tag has no `t`, the ABI tag carries it) ' +
      'and an ABI tag whose CPython version is not among the python tags (`cp313-cp314t`), which no interpreter installs.\n\n' +
      'Quiet for every name that parses and whose CPython ABI tags name a version listed in its python tags.',
    bad: 'dist/spam-1.0-cp313t-cp313t-manylinux_2_17_x86_64.whl\ndist/spam-1.0-2-cp313-cp314t-win_amd64.whl',
    good: 'dist/spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl\ndist/spam-1.0-2-cp314-cp314t-win_amd64.whl',
    remedy: {
      api: '{distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl',
      since: null,
      compat: null,
      snippet: '# Let the build backend name the wheel; for a free-threaded build the ABI tag carries the t:\nspam-1.0-cp313-cp313t-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
    },
    exampleLanguage: 'text',
    references: ['https://packaging.python.org/en/latest/specifications/binary-distribution-format/', 'https://packaging.python.org/en/latest/specifications/platform-compatibility-tags/', 'PEP 427', 'PEP 425'],
  },
  check(ctx) {
    for (const w of ctx.artifacts.wheels) for (const p of w.nameProblems) ctx.report(w.path, { message: p });
  },
});
