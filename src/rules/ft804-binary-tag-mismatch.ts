import { pythonLibrary } from '../abi/evidence.js';
import type { ArtifactBinary, Wheel } from '../abi/model.js';
import { cpythonAbi, platformInfo, suffixPlatform, type Os } from '../abi/wheel.js';
import { allBinaries, EXT_SUFFIX_REMEDY, fileName } from './_artifacts.js';
import { defineArtifactRule } from './types.js';

const FORMAT_OS: Record<string, Os> = { elf: 'linux', pe: 'windows', macho: 'macos' };
const OS_NAME: Record<Os, string> = { linux: 'Linux', windows: 'Windows', macos: 'macOS', other: 'another OS' };
const ver = (minor: number, t: boolean) => `3.${minor}${t ? 't' : ''}`;

function problems(bin: ArtifactBinary, w: Wheel): string[] {
  const n = w.name;
  if (!n) return [];
  const out: string[] = [];
  const name = fileName(bin);
  const abis = n.abiTags.map((a) => ({ tag: a, cp: cpythonAbi(a) }));
  const cpAbis = abis.filter((a) => a.cp !== null);
  const s = bin.suffix;
  // The suffix names an interpreter: the wheel's ABI tags must admit it.
  if (s?.kind === 'cpython' && s.minor !== null) {
    const sft = s.flags.includes('t');
    const want = `cp3${s.minor}${s.flags}`;
    if (cpAbis.length && !cpAbis.some((a) => a.cp?.minor === s.minor && a.cp.flags.includes('t') === sft)) {
      const tagged = cpAbis.map((a) => a.tag).join('.');
      const one = cpAbis[0]?.cp;
      const why =
        one && one.minor === s.minor
          ? sft
            ? `a GIL CPython ${ver(s.minor, false)} does not import ${s.text} files`
            : `CPython ${ver(s.minor, true)} does not import it (it looks for .cpython-3${s.minor}t-…, .abi3.so and .so)`
          : `CPython ${ver(one?.minor ?? 0, one?.flags.includes('t') ?? false)} does not import a ${ver(s.minor, sft)} module`;
      out.push(`${name} is named for CPython ${ver(s.minor, sft)} (${s.text}), but the wheel is tagged ${tagged}: ${why}`);
    } else if (!cpAbis.length && n.abiTags.includes('abi3')) {
      out.push(`the wheel is tagged abi3 (any CPython ≥ the python tag), but ${name} is named ${s.text}: only CPython ${ver(s.minor, sft)} imports it`);
    } else if (n.abiTags.every((a) => a === 'none')) {
      out.push(`the wheel has ABI tag 'none', but ${name} is a CPython ${ver(s.minor, sft)} extension (${want}): installers put it on interpreters that cannot import it`);
    }
  }
  // The suffix names a platform: it must be one of the wheel's.
  const plats = n.platformTags.map(platformInfo).filter((p) => p.os !== 'other');
  if (s?.platform && plats.length) {
    const sp = suffixPlatform(s.platform);
    if (sp.os !== 'other') {
      const fits = plats.some((p) => p.os === sp.os && (sp.arch === null || p.archs.includes(sp.arch)) && (sp.libc === null || p.libc === null || p.libc === sp.libc));
      if (!fits) out.push(`${name} is named for ${s.platform}, but the wheel is for ${n.platformTags.join('.')}`);
    }
  }
  // The binary itself: format and architecture against the platform tags.
  const info = bin.info;
  if (info && plats.length) {
    const os = FORMAT_OS[info.format] as Os;
    if (!plats.some((p) => p.os === os)) {
      out.push(`${name} is a${info.format === 'elf' ? 'n ELF' : info.format === 'pe' ? ' PE (Windows)' : ' Mach-O'} binary, which does not load on ${[...new Set(plats.map((p) => OS_NAME[p.os]))].join('/')} (${n.platformTags.join('.')})`);
    } else {
      const have = new Set(info.slices.map((x) => x.arch));
      for (const p of plats.filter((q) => q.os === os && q.archs.length)) {
        const missing = p.archs.filter((a) => !have.has(a));
        const tag = n.platformTags[plats.indexOf(p)] ?? '';
        if (p.archs.length > 1 && missing.length && missing.length < p.archs.length) {
          out.push(`the wheel is ${tag}, but ${name} has no ${missing.join('/')} code (it has ${[...have].join(', ')})`);
        } else if (missing.length === p.archs.length) {
          out.push(`${name} is built for ${[...have].join(', ')}, but the wheel is for ${tag}`);
        }
      }
    }
  }
  // A Windows DLL link names a version.
  for (const l of [...new Set(info?.slices.flatMap((x) => x.libraries) ?? [])]) {
    const lib = pythonLibrary(l);
    if (!lib || lib.minor === null || !cpAbis.length) continue;
    if (!cpAbis.some((a) => a.cp?.minor === lib.minor)) out.push(`${name} links ${lib.name} (CPython 3.${lib.minor}), but the wheel is tagged ${cpAbis.map((a) => a.tag).join('.')}`);
  }
  return out;
}

export default defineArtifactRule({
  meta: {
    id: 'FT804',
    name: 'binary-tag-mismatch',
    title: "A binary's file name, format or architecture disagrees with its wheel's tags",
    family: 'FT8',
    severity: 'error',
    why:
      "An interpreter imports an extension only through a file name it looks for: CPython 3.13t looks for `.cpython-313t-x86_64-linux-gnu.so`, `.abi3.so` and `.so` " +
      '(`.cp313t-win_amd64.pyd` and `.pyd` on Windows, `.cpython-313t-darwin.so` on macOS). A `cp313t` wheel holding `mod.cpython-313-x86_64-linux-gnu.so` installs fine ' +
      'and then fails with `ModuleNotFoundError`; the reverse fails the same way on GIL 3.13. The rule compares every binary in a wheel with the wheel\'s tags: ' +
      'the suffix\'s CPython version and `t` flag against the ABI tags, the suffix\'s platform, the binary format (ELF, PE, Mach-O) and architectures ' +
      '(a `universal2` wheel needs both x86_64 and arm64 code) against the platform tags, and the `python3XY.dll` a Windows extension links against the version.\n\n' +
      'Quiet for untagged names (`mod.so`, `mod.pyd`), for `.abi3.so` in GIL wheels (FT805 handles free-threaded ones), and for interpreters other than CPython.',
    bad: '# dist/spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl\nspam/_core.cpython-313-x86_64-linux-gnu.so',
    good: '# dist/spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl\nspam/_core.cpython-313t-x86_64-linux-gnu.so',
    remedy: EXT_SUFFIX_REMEDY,
    exampleLanguage: 'text',
    references: ['https://docs.python.org/3/howto/free-threading-extensions.html#building-extensions-for-the-free-threaded-build', 'python/cpython#109740 (t in ABIFLAGS and EXT_SUFFIX)', 'https://packaging.python.org/en/latest/specifications/platform-compatibility-tags/'],
  },
  check(ctx) {
    for (const { bin, wheel } of allBinaries(ctx.artifacts)) {
      if (!wheel) continue;
      for (const message of problems(bin, wheel)) ctx.report(bin.path, { message });
    }
  },
});
