import { CIBW } from '../data/bindings.js';
import type { CibwFacts, Setting } from '../engine/bindings.js';
import { cmpVersion, fmtVersion, globMatch, parseVersion, selectorList, type Version } from '../engine/versions.js';
import { buildFiles, configRoot, declaresUnder, reportAt } from './_bindings.js';
import { defineProjectRule, type ProjectContext } from './types.js';

const PLATFORMS = ['manylinux_x86_64', 'manylinux_aarch64', 'musllinux_x86_64', 'win_amd64', 'macosx_arm64', 'macosx_x86_64'];
const ids = (minors: number[], t: boolean) => minors.flatMap((m) => PLATFORMS.map((p) => `cp3${m}${t ? 't' : ''}-${p}`));

export default defineProjectRule({
  meta: {
    id: 'FT712',
    name: 'cibuildwheel-no-free-threaded',
    title: 'cibuildwheel configuration builds no free-threaded wheels',
    family: 'FT7',
    severity: 'warning',
    why:
      'Free-threaded interpreters only install wheels tagged `cp313t`/`cp314t`. cibuildwheel 3.1 and newer build `cp314t-*` by default; older ' +
      'versions build free-threaded wheels only when asked (`free-threaded-support = true` from 2.18.1, `enable = ["cpython-freethreading"]` from ' +
      '2.22.0, both for `cp313t`), and 4.0 removed `cp313t` and the `cpython-freethreading` value altogether. A configuration that skips ' +
      '`cp31?t-*`, selects only GIL identifiers with `build`, or pins a cibuildwheel that needs an opt-in without giving it ships no free-threaded wheels: ' +
      'users of `python3.14t` then build from source or cannot install.\n\n' +
      'Reads `[tool.cibuildwheel]` in pyproject.toml (with its per-platform tables) and `CIBW_BUILD`/`CIBW_SKIP`/`CIBW_ENABLE`/`CIBW_FREE_THREADED_SUPPORT` ' +
      'and the cibuildwheel version (`pypa/cibuildwheel@v…`, `cibuildwheel==…`) in `.github/workflows/*.yml`. Also reports options that the pinned ' +
      'version removed. The finding is a warning when a module of the project declares free-threading support (or a Free Threading classifier is set), an info otherwise: ' +
      'skipping free-threaded wheels is then a decision, but one worth revisiting.',
    bad: '[tool.cibuildwheel]\nskip = ["pp*", "cp31?t-*"]',
    good: '[tool.cibuildwheel]\nskip = ["pp*"]  # cibuildwheel 3.1+ builds cp314t-* by default',
    remedy: {
      api: 'cibuildwheel 3.1+ (builds cp314t-* by default); do not skip "cp31?t-*"',
      since: '3.13',
      compat: null,
      requires: 'cibuildwheel 3.1.0',
      snippet:
        '# .github/workflows/wheels.yml\n- uses: pypa/cibuildwheel@v3.1.4   # or newer\n# pyproject.toml: nothing to enable for cp314t; for cp313t with cibuildwheel 2.22–3.x:\n[tool.cibuildwheel]\nenable = ["cpython-freethreading"]',
    },
    exampleLanguage: 'toml',
    references: ['https://cibuildwheel.pypa.io/en/stable/options/#enable', 'pypa/cibuildwheel docs/changelog.md (2.18.1, 2.22.0, 3.0.0, 3.1.0, 4.0.0)', 'https://py-free-threading.github.io/ci/'],
    limitations: 'Workflow matrices that compute CIBW_BUILD/CIBW_SKIP (`${{ … }}`) are not expanded.',
  },
  check(ctx) {
    const cfgs = buildFiles(ctx.files)
      .filter((b) => b.build.cibuildwheel)
      .map((b) => ({ path: b.path, c: b.build.cibuildwheel as CibwFacts, root: configRoot(b.path) }));
    // A workflow configures the repository below it: pyproject settings join the nearest workflow root above them.
    const workflowRoots = [...new Set(cfgs.filter((x) => x.path.includes('.github/workflows/')).map((x) => x.root))];
    const groups = new Map<string, typeof cfgs>();
    for (const x of cfgs) {
      const owner = workflowRoots.filter((r) => r === '' || x.root.startsWith(r)).sort((a, b) => b.length - a.length)[0] ?? x.root;
      groups.set(owner, [...(groups.get(owner) ?? []), x]);
    }
    for (const [root, group] of groups) checkGroup(ctx, root, group);
  },
});

function checkGroup(ctx: ProjectContext, root: string, cfgs: { path: string; c: CibwFacts }[]): void {
  const severity = declaresUnder(ctx.files, root) ? 'warning' : 'info';
  const say = (path: string, s: Setting, message: string) => reportAt(ctx, path, s, { severity, message });
  const pins = cfgs.flatMap(({ path, c }) => c.version.map((s) => ({ path, s, v: parseVersion(s.value) as Version })));
  const oldest = pins.reduce<(typeof pins)[number] | null>((a, p) => (!a || cmpVersion(p.v, a.v) < 0 ? p : a), null);
  const v = oldest?.v ?? null;
  const before = (x: Version) => v !== null && cmpVersion(v, x) < 0;
  // Free-threaded identifiers this version can build at all.
  const ftMinors = v === null ? [14, 15] : before(CIBW.firstFreeThreaded) ? [] : before(CIBW.cp314tDefault) ? [13] : before(CIBW.removedCp313t) ? [13, 14] : [14, 15];
  const ftIds = ids(ftMinors.length ? ftMinors : [13, 14], true);
  const opaque = (s: Setting) => s.value.includes('${');

  for (const { path, c } of cfgs) {
    for (const s of c.skip) {
      if (opaque(s)) continue;
      const hit = selectorList(s.value).find((p) => ftIds.some((id) => globMatch(p, id)) && !ids([13, 14, 15], false).some((id) => globMatch(p, id)));
      if (hit) say(path, s, `skip selector '${hit}' excludes the free-threaded builds (cp3xxt-*): no wheel for free-threaded Python is built`);
    }
    for (const s of c.build) {
      if (opaque(s)) continue;
      const pats = selectorList(s.value);
      const anyFt = pats.some((p) => ids([13, 14, 15], true).some((id) => globMatch(p, id)));
      const anyCp = pats.some((p) => ids([9, 10, 11, 12, 13, 14], false).some((id) => globMatch(p, id)));
      if (!anyFt && anyCp) say(path, s, `build selector '${s.value}' selects no free-threaded identifier (cp3xxt-*): no wheel for free-threaded Python is built`);
    }
    if (v !== null && !before(CIBW.removedFreeThreadedSupport)) {
      for (const s of c.freeThreadedSupport.filter((x) => /^(true|1|yes)$/i.test(x.value.trim()))) {
        say(path, s, `free-threaded-support was removed in cibuildwheel 3.0 (pinned: ${fmtVersion(v)}); cp314t is built by default from 3.1, cp313t needs enable = ["cpython-freethreading"] (until 4.0)`);
      }
    }
    if (v !== null && !before(CIBW.removedCp313t)) {
      for (const s of c.enable.filter((x) => /cpython-freethreading/.test(x.value))) {
        say(path, s, `enable = "cpython-freethreading" was removed in cibuildwheel 4.0 (pinned: ${fmtVersion(v)}) together with cp313t; cp314t is built by default`);
      }
    }
  }
  if (!oldest || v === null) return;
  const ftSupport = cfgs.some(({ c }) => c.freeThreadedSupport.some((s) => /^(true|1|yes)$/i.test(s.value.trim())));
  const enable = cfgs.some(({ c }) => c.enable.some((s) => /cpython-freethreading/.test(s.value)));
  if (before(CIBW.firstFreeThreaded)) {
    say(oldest.path, oldest.s, `cibuildwheel ${fmtVersion(v)} cannot build free-threaded wheels (cp313t arrived in 2.18.1, cp314t by default in 3.1): upgrade`);
  } else if (before(CIBW.cp314tDefault)) {
    const optIn = (ftSupport && before(CIBW.removedFreeThreadedSupport)) || (enable && !before(CIBW.enableOption));
    if (!optIn) {
      say(
        oldest.path,
        oldest.s,
        `cibuildwheel ${fmtVersion(v)} builds free-threaded wheels only when opted in (${before(CIBW.enableOption) ? 'free-threaded-support = true' : 'enable = ["cpython-freethreading"]'}), and this configuration does not: upgrade to 3.1+, which builds cp314t by default`,
      );
    }
  }
}
