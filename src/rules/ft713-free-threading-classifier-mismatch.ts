import { dirname } from 'node:path';
import type { Located } from '../engine/facts.js';
import { buildFiles, declaredModules, governs, related, reportAt } from './_bindings.js';
import { defineProjectRule } from './types.js';

const MAX_RELATED = 20;

export default defineProjectRule({
  meta: {
    id: 'FT713',
    name: 'free-threading-classifier-mismatch',
    title: 'Free Threading trove classifier and module declarations disagree',
    family: 'FT7',
    severity: 'warning',
    why:
      'The trove classifier `Programming Language :: Python :: Free Threading :: <level>` (levels `1 - Unstable`, `2 - Beta`, `3 - Stable`, ' +
      '`4 - Resilient`) tells users and trackers that a package supports free-threaded Python. It should agree with the code: a classifier on a ' +
      'package whose extension modules re-enable the GIL on import misleads users (warning); modules that declare `Py_MOD_GIL_NOT_USED` ' +
      '(or the Cython, pybind11, nanobind, PyO3 equivalents) in a package without the classifier hide the support from them (info).\n\n' +
      'Reads `classifiers` in `[project]` (pyproject.toml), `setup()` (setup.py, literal lists) and `[metadata]` (setup.cfg); the modules are those ' +
      'in the directory of that file and below. The info is given only to projects that list classifiers at all. Quiet when classifiers are ' +
      '`dynamic` or not literals, for pure-Python packages, and for modules whose declaration ftlint cannot see.',
    bad: '[project]\nname = "spam"\nclassifiers = ["Programming Language :: Python :: Free Threading :: 2 - Beta"]\n# … while spam.c has no Py_mod_gil slot',
    good: '[project]\nname = "spam"\nclassifiers = ["Programming Language :: Python :: Free Threading :: 2 - Beta"]\n# … and spam.c declares {Py_mod_gil, Py_MOD_GIL_NOT_USED}',
    remedy: {
      api: 'Programming Language :: Python :: Free Threading :: 2 - Beta',
      since: null,
      compat: null,
      snippet: '[project]\nclassifiers = [\n    "Programming Language :: Python :: Free Threading :: 2 - Beta",\n]',
    },
    exampleLanguage: 'toml',
    references: ['https://py-free-threading.github.io/porting/#documenting-thread-safety', 'https://pypi.org/classifiers/'],
  },
  check(ctx) {
    const meta = buildFiles(ctx.files).filter((b) => b.build.metadataAt);
    const byDir = new Map<string, typeof meta>();
    for (const m of meta) byDir.set(dirname(m.path), [...(byDir.get(dirname(m.path)) ?? []), m]);
    const mods = declaredModules(ctx.files);
    const dirs = [...byDir.keys()];
    for (const [dir, files] of byDir) {
      if (files.every((f) => f.build.classifierLevels === null)) continue;
      const levels = files.flatMap((f) => f.build.classifierLevels ?? []);
      const here = (p: string) => {
        // the nearest metadata directory above p must be this one
        const owners = dirs.filter((d) => governs(`${d}/x`, p)).sort((a, b) => b.length - a.length);
        return owners[0] === dir;
      };
      const own = mods.filter((m) => here(m.path));
      const at = files.find((f) => f.build.classifiersAt) ?? files.find((f) => f.path.endsWith('pyproject.toml')) ?? (files[0] as (typeof files)[number]);
      const where = (at.build.classifiersAt ?? at.build.metadataAt) as Located;
      const gil = own.filter((m) => m.state === 'gil');
      const ok = own.filter((m) => m.state === 'not-used');
      if (levels.length > 0 && gil.length > 0) {
        reportAt(ctx, at.path, where, {
          message: `the classifiers declare 'Free Threading :: ${levels[0] || '…'}', but ${gil.length} module${gil.length === 1 ? '' : 's'} re-enable${gil.length === 1 ? 's' : ''} the GIL on import (${gil[0]?.label} in ${gil[0]?.path})`,
          related: gil.slice(0, MAX_RELATED).map((m) => related(m.path, m.at, `${m.label} does not declare free-threading support`)),
        });
      } else if (levels.length === 0 && ok.length > 0 && gil.length === 0 && files.some((f) => f.build.classifiersAt)) {
        reportAt(ctx, at.path, where, {
          severity: 'info',
          message: `${ok.length === 1 ? `${ok[0]?.label} declares` : `all ${ok.length} modules declare`} free-threading support, but the classifiers carry no 'Programming Language :: Python :: Free Threading' level`,
          related: ok.slice(0, MAX_RELATED).map((m) => related(m.path, m.at, `${m.label} declares free-threading support`)),
        });
      }
    }
  },
});
