import { canonicalName, expandTags } from '../abi/wheel.js';
import { defineArtifactRule } from './types.js';

export default defineArtifactRule({
  meta: {
    id: 'FT802',
    name: 'wheel-metadata-mismatch',
    title: "The wheel's .dist-info/WHEEL file disagrees with its file name",
    family: 'FT8',
    severity: 'error',
    why:
      'The `WHEEL` file inside a wheel repeats what the file name says: one `Tag:` line per tag the name stands for, and the build tag. ' +
      'Tools that re-tag or repair wheels (auditwheel, delocate, delvewheel, `wheel tags`) rewrite both; a wheel renamed by hand — the usual way a GIL build ends up called `cp313t` — keeps the old `Tag:` lines. ' +
      'The mismatch is the first sign the binaries inside were built for another interpreter. The rule also reports a missing `.dist-info` directory or `WHEEL` file, ' +
      'a `.dist-info` directory named for another project or version, and a `Wheel-Version` an installer refuses.\n\n' +
      'Quiet when the `Tag:` lines are exactly the tags the file name expands to (compressed sets expanded), and the build tags agree.',
    bad: '# dist/spam-1.0-cp313-cp313t-linux_x86_64.whl, spam-1.0.dist-info/WHEEL:\nWheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp313-cp313-linux_x86_64',
    good: '# dist/spam-1.0-cp313-cp313t-linux_x86_64.whl, spam-1.0.dist-info/WHEEL:\nWheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp313-cp313t-linux_x86_64',
    remedy: {
      api: 'WHEEL Tag: lines',
      since: null,
      compat: null,
      snippet: '# Re-tag with a tool that rewrites the file name and WHEEL together, never by renaming:\npython -m wheel tags --abi-tag cp313t dist/spam-1.0-cp313-cp313-linux_x86_64.whl\n# …and only when the binaries inside really are free-threaded builds (see FT808).',
    },
    exampleLanguage: 'text',
    references: ['https://packaging.python.org/en/latest/specifications/binary-distribution-format/'],
  },
  check(ctx) {
    for (const w of ctx.artifacts.wheels) {
      if (!w.readable || !w.name) continue;
      const n = w.name;
      if (!w.distInfo) {
        ctx.report(w.path, { message: 'the wheel has no .dist-info directory: installers refuse it' });
        continue;
      }
      const expected = `${canonicalName(n.distribution)}-${n.version.toLowerCase()}`;
      const di = w.distInfo.replace(/\.dist-info$/, '');
      const dash = di.lastIndexOf('-');
      const got = dash < 0 ? canonicalName(di) : `${canonicalName(di.slice(0, dash))}-${di.slice(dash + 1).toLowerCase()}`;
      if (got !== expected) ctx.report(w.path, { message: `the metadata directory ${w.distInfo} does not match the file name's ${n.distribution}-${n.version}` });
      if (!w.members.some((m) => m.name === `${w.distInfo}/WHEEL`)) {
        ctx.report(w.path, { message: `${w.distInfo}/WHEEL is missing: installers refuse the wheel` });
        continue;
      }
      const md = w.wheel;
      if (!md) continue; // unreadable: an FT000 diagnostic says why
      const at = `${w.path}!${md.member}`;
      if (md.wheelVersion === null) ctx.report(at, { message: 'WHEEL has no Wheel-Version line' });
      else if (!/^1\.\d+$/.test(md.wheelVersion)) ctx.report(at, { message: `Wheel-Version ${md.wheelVersion}: installers only accept 1.x` });
      const want = expandTags(n);
      if (md.tags.length === 0) {
        ctx.report(at, { message: `WHEEL has no Tag: lines; the file name says ${want.join(', ')}` });
      } else {
        const have = new Set(md.tags);
        const missing = want.filter((t) => !have.has(t));
        const extra = [...have].filter((t) => !want.includes(t));
        if (missing.length || extra.length) {
          const parts = [];
          if (extra.length) parts.push(`WHEEL lists Tag: ${extra.join(', ')}, which the file name does not`);
          if (missing.length) parts.push(`the file name says ${missing.join(', ')}, which WHEEL does not list`);
          ctx.report(at, { message: `${parts.join('; ')} (a wheel renamed without rebuilding?)` });
        }
      }
      if ((md.build ?? null) !== n.build) ctx.report(at, { message: `WHEEL says Build: ${md.build ?? '(none)'}, the file name's build tag is ${n.build ?? '(none)'}` });
    }
  },
});
