// Mach-O reader: thin and fat (universal) files; per architecture the load commands (LC_SYMTAB,
// LC_DYSYMTAB, LC_LOAD_DYLIB & co.) and the undefined external symbols with the library each binds
// to (two-level namespace ordinal), plus exported PyInit_… names.
import { isPythonSymbol, type BinaryInfo, type BinarySlice, type ImportedSymbol } from './model.js';
import { MalformedError, type ByteSource } from './source.js';

const MH_MAGIC = 0xfeedface;
const MH_MAGIC_64 = 0xfeedfacf;
const MH_CIGAM = 0xcefaedfe;
const MH_CIGAM_64 = 0xcffaedfe;
const FAT_MAGIC = 0xcafebabe;
const FAT_MAGIC_64 = 0xcafebabf;
const LC_SYMTAB = 0x2;
const LC_DYSYMTAB = 0xb;
const LC_REQ_DYLD = 0x80000000;
const DYLIB_COMMANDS = new Set([0xc, 0x18 | LC_REQ_DYLD, 0x1f | LC_REQ_DYLD, 0x20, 0x23 | LC_REQ_DYLD]);
const MAX_FAT_ARCHS = 32; // Java class files share FAT_MAGIC; their "count" is a class-file version (≥ 45)
const MAX_COMMANDS = 65_536;
const MAX_SYMBOLS = 4_000_000;

const CPU: Record<number, string> = {
  7: 'i686', 0x01000007: 'x86_64', 12: 'arm', 0x0100000c: 'aarch64', 0x0200000c: 'arm64_32', 18: 'ppc', 0x01000012: 'ppc64',
};

export function isMachO(head: Buffer): boolean {
  if (head.length < 8) return false;
  const be = head.readUInt32BE(0);
  const le = head.readUInt32LE(0);
  if (be === FAT_MAGIC || be === FAT_MAGIC_64) return head.readUInt32BE(4) > 0 && head.readUInt32BE(4) <= MAX_FAT_ARCHS;
  return le === MH_MAGIC || le === MH_MAGIC_64 || le === MH_CIGAM || le === MH_CIGAM_64;
}

export async function readMachO(src: ByteSource): Promise<BinaryInfo> {
  if (src.size < 8) throw new MalformedError(`truncated Mach-O header (${src.size} bytes)`);
  const head = await src.read(0, 8);
  const be = head.readUInt32BE(0);
  if (be === FAT_MAGIC || be === FAT_MAGIC_64) {
    const n = head.readUInt32BE(4);
    if (n === 0 || n > MAX_FAT_ARCHS) throw new MalformedError(`corrupt fat header: ${n} architectures`);
    const entSize = be === FAT_MAGIC_64 ? 32 : 20;
    if (8 + n * entSize > src.size) throw new MalformedError('truncated fat header');
    const table = await src.read(8, n * entSize);
    const archs: { offset: number; size: number }[] = [];
    for (let i = 0; i < n; i++) {
      const o = i * entSize;
      const offset = be === FAT_MAGIC_64 ? Number(table.readBigUInt64BE(o + 8)) : table.readUInt32BE(o + 8);
      const size = be === FAT_MAGIC_64 ? Number(table.readBigUInt64BE(o + 16)) : table.readUInt32BE(o + 12);
      if (offset + size > src.size) throw new MalformedError(`fat architecture ${i + 1} (offset ${offset}, ${size} bytes) points past the end of the file (${src.size} bytes)`);
      archs.push({ offset, size });
    }
    archs.sort((a, b) => a.offset - b.offset); // one forward pass over a streamed entry
    const slices: BinarySlice[] = [];
    let bits: 32 | 64 = 32;
    for (const a of archs) {
      const s = await readThin(src, a.offset, a.size);
      slices.push(s.slice);
      if (s.bits === 64) bits = 64;
    }
    return { format: 'macho', bits, slices };
  }
  const s = await readThin(src, 0, src.size);
  return { format: 'macho', bits: s.bits, slices: [s.slice] };
}

async function readThin(src: ByteSource, base: number, size: number): Promise<{ slice: BinarySlice; bits: 32 | 64 }> {
  if (size < 28) throw new MalformedError(`truncated Mach-O header (${size} bytes)`);
  const magic = (await src.read(base, 4)).readUInt32LE(0);
  if (magic !== MH_MAGIC && magic !== MH_MAGIC_64 && magic !== MH_CIGAM && magic !== MH_CIGAM_64) throw new MalformedError(`not a Mach-O header (magic 0x${magic.toString(16)})`);
  const is64 = magic === MH_MAGIC_64 || magic === MH_CIGAM_64;
  const le = magic === MH_MAGIC || magic === MH_MAGIC_64;
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const hsize = is64 ? 32 : 28;
  if (size < hsize) throw new MalformedError(`truncated Mach-O header (${size} bytes)`);
  const h = await src.read(base, hsize);
  const cputype = u32(h, 4);
  const ncmds = u32(h, 16);
  const sizeofcmds = u32(h, 20);
  if (ncmds > MAX_COMMANDS) throw new MalformedError(`corrupt Mach-O header: ${ncmds} load commands`);
  if (hsize + sizeofcmds > size) throw new MalformedError(`the load commands (${sizeofcmds} bytes) run past the end of the file`);
  const cmds = await src.read(base + hsize, sizeofcmds);
  const libraries: string[] = [];
  let symtab: { symoff: number; nsyms: number; stroff: number; strsize: number } | null = null;
  let dysym: { iext: number; next: number; iundef: number; nundef: number } | null = null;
  let p = 0;
  for (let i = 0; i < ncmds; i++) {
    if (p + 8 > cmds.length) throw new MalformedError(`load command ${i + 1} of ${ncmds} runs past the load-command area`);
    const cmd = u32(cmds, p);
    const cmdsize = u32(cmds, p + 4);
    if (cmdsize < 8 || p + cmdsize > cmds.length) throw new MalformedError(`load command ${i + 1} of ${ncmds} has a bad size (${cmdsize})`);
    if (cmd === LC_SYMTAB && cmdsize >= 24) symtab = { symoff: u32(cmds, p + 8), nsyms: u32(cmds, p + 12), stroff: u32(cmds, p + 16), strsize: u32(cmds, p + 20) };
    else if (cmd === LC_DYSYMTAB && cmdsize >= 80) dysym = { iext: u32(cmds, p + 16), next: u32(cmds, p + 20), iundef: u32(cmds, p + 24), nundef: u32(cmds, p + 28) };
    else if (DYLIB_COMMANDS.has(cmd) && cmdsize >= 24) {
      const nameOff = u32(cmds, p + 8);
      const end = cmds.indexOf(0, p + nameOff);
      libraries.push(nameOff < cmdsize ? cmds.toString('utf8', p + nameOff, end < 0 || end > p + cmdsize ? p + cmdsize : end) : '<bad name>');
    }
    p += cmdsize;
  }
  const arch = CPU[cputype] ?? `cpu-0x${cputype.toString(16)}`;
  if (!symtab) return { slice: { arch, pythonImports: [], importCount: 0, libraries, moduleInits: [] }, bits: is64 ? 64 : 32 };
  const entSize = is64 ? 16 : 12;
  if (symtab.nsyms > MAX_SYMBOLS) throw new MalformedError(`LC_SYMTAB claims ${symtab.nsyms} symbols`);
  // With LC_DYSYMTAB read only the external (defined and undefined) symbols.
  let first = 0;
  let count = symtab.nsyms;
  if (dysym && dysym.iext + dysym.next <= symtab.nsyms && dysym.iundef + dysym.nundef <= symtab.nsyms) {
    const lo = Math.min(dysym.next ? dysym.iext : dysym.iundef, dysym.nundef ? dysym.iundef : dysym.iext);
    const hi = Math.max(dysym.iext + dysym.next, dysym.iundef + dysym.nundef);
    first = lo;
    count = Math.max(0, hi - lo);
  }
  const symRange = { offset: base + symtab.symoff + first * entSize, length: count * entSize };
  const strRange = { offset: base + symtab.stroff, length: symtab.strsize };
  if (symtab.symoff + (first + count) * entSize > size) throw new MalformedError(`the symbol table (${symtab.nsyms} entries at offset ${symtab.symoff}) points past the end of the file`);
  if (symtab.stroff + symtab.strsize > size) throw new MalformedError(`the string table (offset ${symtab.stroff}, ${symtab.strsize} bytes) points past the end of the file`);
  const [syms, strs] = (await src.readMany([symRange, strRange])) as [Buffer, Buffer];
  const imports: ImportedSymbol[] = [];
  const inits: string[] = [];
  let importCount = 0;
  for (let i = 0; i < count; i++) {
    const o = i * entSize;
    const strx = u32(syms, o);
    const type = syms[o + 4] as number;
    const desc = u16(syms, o + 6);
    if (type & 0xe0) continue; // debugging (stab) entry
    if (!(type & 0x01)) continue; // not external
    const kind = type & 0x0e;
    if (strx >= strs.length) continue;
    const end = strs.indexOf(0, strx);
    const raw = strs.toString('utf8', strx, end < 0 ? strs.length : end);
    const name = raw.startsWith('_') ? raw.slice(1) : raw;
    if (kind === 0x0) {
      importCount++;
      if (!isPythonSymbol(name)) continue;
      const ordinal = (desc >> 8) & 0xff;
      const library = ordinal >= 1 && ordinal <= libraries.length ? (libraries[ordinal - 1] as string) : null;
      imports.push({ name, library, weak: (desc & 0x0040) !== 0 });
    } else if (kind === 0xe && /^(PyInit_|PyModExport_)/.test(name)) inits.push(name);
  }
  imports.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { slice: { arch, pythonImports: imports, importCount, libraries, moduleInits: inits.sort() }, bits: is64 ? 64 : 32 };
}
