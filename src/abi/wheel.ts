// Wheel names and metadata: the file-name grammar (binary distribution format spec / PEP 427, tags
// per PEP 425 with compressed tag sets), the WHEEL file, RECORD (CSV), and extension-module suffixes.
import type { ExtensionSuffix, RecordRow, WheelMetadata, WheelName } from './model.js';

const DIST = /^[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?$/;
// PEP 440 (public and local versions), case-insensitive; `-` cannot occur in a wheel name's version.
const VERSION =
  /^v?(?:\d+!)?\d+(?:\.\d+)*(?:[._]?(?:a|b|c|rc|alpha|beta|pre|preview)[._]?\d*)?(?:[._]?(?:post|rev|r)[._]?\d*|_\d+)?(?:[._]?dev[._]?\d*)?(?:\+[a-z0-9]+(?:[._][a-z0-9]+)*)?$/i;
const TAG = /^[A-Za-z0-9_]+$/;

/** Free-threaded CPython builds exist from 3.13 on. */
export const FIRST_FT_MINOR = 13;

export interface ParsedWheelName {
  name: WheelName | null;
  problems: string[];
}

export function parseWheelFileName(fileName: string): ParsedWheelName {
  const problems: string[] = [];
  if (!fileName.endsWith('.whl')) return { name: null, problems: [`'${fileName}' does not end in .whl`] };
  const parts = fileName.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) {
    return {
      name: null,
      problems: [
        `'${fileName}' has ${parts.length} dash-separated parts; a wheel name has 5 or 6: {distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl (a '-' inside the name or version must be written '_')`,
      ],
    };
  }
  const [distribution, version] = parts as [string, string];
  const build = parts.length === 6 ? (parts[2] as string) : null;
  const [py, abi, plat] = parts.slice(-3) as [string, string, string];
  if (!DIST.test(distribution)) problems.push(`distribution '${distribution}' is not a valid (escaped) project name: letters, digits, '_' and '.' only`);
  if (!VERSION.test(version)) problems.push(`version '${version}' is not a PEP 440 version`);
  if (build !== null && !/^\d/.test(build)) problems.push(`build tag '${build}' must start with a digit`);
  const sets = { python: py.split('.'), abi: abi.split('.'), platform: plat.split('.') };
  for (const [kind, tags] of Object.entries(sets)) {
    for (const t of tags) if (!TAG.test(t)) problems.push(`${kind} tag set '${tags.join('.')}' has an invalid tag '${t}' (letters, digits and '_' only; sets are joined with single dots)`);
  }
  for (const t of sets.python) {
    const m = /^cp(\d)(\d+)([a-z]+)$/.exec(t);
    if (m) problems.push(`python tag '${t}' carries ABI flags; the interpreter tag is 'cp${m[1]}${m[2]}' and the '${m[3]}' belongs in the ABI tag (cp${m[1]}${m[2]}-cp${m[1]}${m[2]}${m[3]})`);
  }
  for (const a of sets.abi) {
    const m = /^cp(\d)(\d+)[a-z]*$/.exec(a);
    if (m && !sets.python.some((p) => p.replace(/^(cp\d+)[a-z]+$/, '$1') === `cp${m[1]}${m[2]}`)) {
      problems.push(`ABI tag '${a}' is for CPython ${m[1]}.${m[2]}, but the python tag set '${py}' does not name cp${m[1]}${m[2]}: no interpreter accepts this combination`);
    }
  }
  const name: WheelName = { distribution, version, build, pythonTags: sets.python, abiTags: sets.abi, platformTags: sets.platform };
  return { name: problems.length ? null : name, problems };
}

/** Every tag a wheel name stands for (the product of its compressed tag sets). */
export function expandTags(n: WheelName): string[] {
  const out: string[] = [];
  for (const p of n.pythonTags) for (const a of n.abiTags) for (const pl of n.platformTags) out.push(`${p}-${a}-${pl}`);
  return out;
}

/** PEP 503 normalisation, with `_` as the separator (as in file names). */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '_');
}

/** `cp313t` → { minor: 13, flags: 't' }; null for anything else. */
export function cpythonAbi(tag: string): { minor: number; flags: string } | null {
  const m = /^cp3(\d+)([a-z]*)$/.exec(tag);
  return m ? { minor: Number(m[1]), flags: m[2] as string } : null;
}

export function cpythonPython(tag: string): number | null {
  const m = /^cp3(\d+)$/.exec(tag);
  return m ? Number(m[1]) : null;
}

/** Parses the RFC 822-style WHEEL file. */
export function parseWheelFile(member: string, text: string): WheelMetadata {
  const md: WheelMetadata = { member, wheelVersion: null, rootIsPurelib: null, tags: [], build: null };
  for (const raw of text.split(/\r?\n/)) {
    const m = /^([A-Za-z0-9-]+):\s*(.*?)\s*$/.exec(raw);
    if (!m) continue;
    const key = (m[1] as string).toLowerCase();
    const value = m[2] as string;
    if (key === 'wheel-version') md.wheelVersion = value;
    else if (key === 'root-is-purelib') md.rootIsPurelib = value.toLowerCase() === 'true' ? true : value.toLowerCase() === 'false' ? false : null;
    else if (key === 'tag') md.tags.push(value);
    else if (key === 'build') md.build = value;
  }
  return md;
}

/** Parses RECORD (Python's csv dialect: `,` separated, `"` quoted, `""` escapes). Bad rows are returned as problems. */
export function parseRecord(text: string): { rows: RecordRow[]; problems: { line: number; message: string }[] } {
  const rows: RecordRow[] = [];
  const problems: { line: number; message: string }[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let atStart = true;
    for (; i < text.length; i++) {
      const c = text[i] as string;
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else quoted = false;
        } else {
          if (c === '\n') line++;
          field += c;
        }
        continue;
      }
      if (c === '"' && atStart) {
        quoted = true;
        atStart = false;
        continue;
      }
      if (c === ',') {
        fields.push(field);
        field = '';
        atStart = true;
        continue;
      }
      if (c === '\r' && text[i + 1] === '\n') continue;
      if (c === '\n') {
        i++;
        line++;
        break;
      }
      field += c;
      atStart = false;
    }
    fields.push(field);
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    if (fields.length !== 3) {
      problems.push({ line: startLine, message: `RECORD line ${startLine} has ${fields.length} fields; each line is path,hash,size` });
      continue;
    }
    const [path, hash, size] = fields as [string, string, string];
    rows.push({ path, hash, size: size === '' ? null : /^\d+$/.test(size) ? Number(size) : NaN, line: startLine });
  }
  return { rows, problems };
}

/** What a binary's file name says about the interpreter it is for; null if it is not an extension-module name. */
export function parseExtensionSuffix(fileName: string): ExtensionSuffix | null {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  let m = /^([^.]+)(\.cpython-3(\d+)([a-z]*)(?:-([A-Za-z0-9_-]+))?\.so)$/.exec(base);
  if (m) return { text: m[2] as string, module: m[1] as string, kind: 'cpython', minor: Number(m[3]), flags: m[4] as string, platform: m[5] ?? null, ext: '.so' };
  m = /^([^.]+)(\.cp3(\d+)([a-z]*)-([A-Za-z0-9_]+)\.pyd)$/i.exec(base);
  if (m) return { text: m[2] as string, module: m[1] as string, kind: 'cpython', minor: Number(m[3]), flags: (m[4] as string).toLowerCase(), platform: (m[5] as string).toLowerCase(), ext: '.pyd' };
  m = /^([^.]+)(\.(abi3t?)\.so)$/.exec(base);
  if (m) return { text: m[2] as string, module: m[1] as string, kind: m[3] === 'abi3t' ? 'abi3t' : 'abi3', minor: null, flags: '', platform: null, ext: '.so' };
  m = /^([^.]+)(\.(?:pypy|graalpy)[^.]*\.so)$/.exec(base);
  if (m) return { text: m[2] as string, module: m[1] as string, kind: 'other', minor: null, flags: '', platform: null, ext: '.so' };
  m = /^([^.]+)(\.(so|pyd))$/i.exec(base);
  if (m) return { text: m[2] as string, module: m[1] as string, kind: 'plain', minor: null, flags: '', platform: null, ext: `.${(m[3] as string).toLowerCase()}` };
  return null;
}

/** Names of files that may be native code. */
export function looksBinary(name: string): boolean {
  return /\.(so|pyd|dylib|dll)$/i.test(name) || /\.so(\.\d+)+$/.test(name);
}

export type Os = 'linux' | 'macos' | 'windows' | 'other';

export interface PlatformInfo {
  os: Os;
  /** Normalised architectures the tag covers (universal2 covers two); empty when unknown. */
  archs: string[];
  libc: 'gnu' | 'musl' | null;
  /** Row label for the coverage matrix, e.g. `manylinux x86_64`. */
  keys: string[];
}

export function normArch(a: string): string {
  const x = a.toLowerCase();
  if (x === 'amd64' || x === 'x86_64' || x === 'x64') return 'x86_64';
  if (x === 'i386' || x === 'i686' || x === 'x86' || x === 'win32') return 'i686';
  if (x === 'arm64' || x === 'aarch64') return 'aarch64';
  if (/^armv[67]/.test(x) || x === 'arm' || x === 'armhf') return 'arm';
  if (x === 'powerpc64le') return 'ppc64le';
  return x;
}

export function platformInfo(tag: string): PlatformInfo {
  let m: RegExpExecArray | null;
  if (tag === 'any') return { os: 'other', archs: [], libc: null, keys: ['any'] };
  if ((m = /^(manylinux|musllinux)(?:1|2010|2014|_\d+_\d+)_(.+)$/.exec(tag))) {
    const arch = normArch(m[2] as string);
    return { os: 'linux', archs: [arch], libc: m[1] === 'musllinux' ? 'musl' : 'gnu', keys: [`${m[1]} ${arch}`] };
  }
  if ((m = /^linux_(.+)$/.exec(tag))) {
    const arch = normArch(m[1] as string);
    return { os: 'linux', archs: [arch], libc: null, keys: [`linux ${arch}`] };
  }
  if ((m = /^macosx_\d+_\d+_(.+)$/.exec(tag))) {
    const a = m[1] as string;
    const archs = a === 'universal2' ? ['x86_64', 'aarch64'] : a === 'intel' ? ['i686', 'x86_64'] : a === 'universal' ? ['i686', 'x86_64', 'ppc'] : [normArch(a)];
    return { os: 'macos', archs, libc: null, keys: archs.map((x) => `macosx ${x === 'aarch64' ? 'arm64' : x}`) };
  }
  if (tag === 'win32') return { os: 'windows', archs: ['i686'], libc: null, keys: ['win32'] };
  if ((m = /^win_(.+)$/.exec(tag))) return { os: 'windows', archs: [normArch(m[1] as string)], libc: null, keys: [tag] };
  return { os: 'other', archs: [], libc: null, keys: [tag] };
}

/** What the platform part of an extension suffix says (`x86_64-linux-gnu`, `darwin`, `win_amd64`). */
export function suffixPlatform(p: string): { os: Os; arch: string | null; libc: 'gnu' | 'musl' | null } {
  if (p === 'darwin') return { os: 'macos', arch: null, libc: null };
  if (/^win/.test(p)) return platformInfo(p).archs.length ? { os: 'windows', arch: platformInfo(p).archs[0] as string, libc: null } : { os: 'windows', arch: null, libc: null };
  const m = /^([a-z0-9_]+)-linux-(gnu|musl)/.exec(p);
  if (m) {
    const raw = m[1] as string;
    const arch = raw === 'i386' ? 'i686' : raw === 'powerpc64le' ? 'ppc64le' : raw === 'arm' ? 'arm' : normArch(raw);
    return { os: 'linux', arch, libc: m[2] as 'gnu' | 'musl' };
  }
  return { os: 'other', arch: null, libc: null };
}
