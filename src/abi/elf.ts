// ELF reader: header, section headers, the dynamic symbol table (.dynsym + its string table) and
// DT_NEEDED. Falls back to the PT_DYNAMIC segment when section headers are stripped. Reads only
// those tables, never the code.
import { isPythonSymbol, type BinaryInfo, type ImportedSymbol } from './model.js';
import { MalformedError, type ByteSource } from './source.js';

const MACHINES: Record<number, string> = {
  3: 'i686', 8: 'mips', 20: 'ppc', 21: 'ppc64', 22: 's390x', 40: 'arm', 62: 'x86_64', 183: 'aarch64', 243: 'riscv64', 258: 'loongarch64',
};

const SHT_DYNAMIC = 6;
const SHT_DYNSYM = 11;
const SHT_NOBITS = 8;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_HASH = 4;
const DT_STRTAB = 5;
const DT_SYMTAB = 6;
const DT_STRSZ = 10;
const DT_SYMENT = 11;
const DT_GNU_HASH = 0x6ffffef5;
const MAX_SECTIONS = 65_536;
const MAX_SYMBOLS = 4_000_000;

interface Reader {
  u8(b: Buffer, o: number): number;
  u16(b: Buffer, o: number): number;
  u32(b: Buffer, o: number): number;
  addr(b: Buffer, o: number): number;
}

function reader(is64: boolean, le: boolean): Reader {
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  return {
    u8: (b, o) => b.readUInt8(o),
    u16: (b, o) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o)),
    u32,
    addr: is64
      ? (b, o) => {
          const v = le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o);
          return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
        }
      : u32,
  };
}

function cstr(buf: Buffer, off: number): string | null {
  if (off >= buf.length) return null;
  const end = buf.indexOf(0, off);
  return buf.toString('utf8', off, end < 0 ? buf.length : end);
}

export function isElf(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

export async function readElf(src: ByteSource): Promise<BinaryInfo> {
  if (src.size < 52) throw new MalformedError(`truncated ELF header (${src.size} bytes)`);
  const ident = await src.read(0, 16);
  const cls = ident[4];
  const data = ident[5];
  if (cls !== 1 && cls !== 2) throw new MalformedError(`corrupt ELF header: unknown class ${cls}`);
  if (data !== 1 && data !== 2) throw new MalformedError(`corrupt ELF header: unknown byte order ${data}`);
  const is64 = cls === 2;
  const r = reader(is64, data === 1);
  const ehsize = is64 ? 64 : 52;
  if (src.size < ehsize) throw new MalformedError(`truncated ELF header (${src.size} bytes)`);
  const eh = await src.read(0, ehsize);
  const machine = r.u16(eh, 18);
  const arch = MACHINES[machine] === 'ppc64' && data === 1 ? 'ppc64le' : (MACHINES[machine] ?? `machine-${machine}`);
  const phoff = r.addr(eh, is64 ? 32 : 28);
  const shoff = r.addr(eh, is64 ? 40 : 32);
  const phentsize = r.u16(eh, is64 ? 54 : 42);
  let phnum = r.u16(eh, is64 ? 56 : 44);
  const shentsize = r.u16(eh, is64 ? 58 : 46);
  let shnum = r.u16(eh, is64 ? 60 : 48);
  const shdrSize = is64 ? 64 : 40;
  const phdrSize = is64 ? 56 : 32;

  let dynsym: { offset: number; size: number; entsize: number; strOffset: number; strSize: number } | null = null;
  let dynamic: { offset: number; size: number; strOffset: number | null; strSize: number } | null = null;

  if (shoff !== 0) {
    if (shentsize !== shdrSize) throw new MalformedError(`corrupt ELF header: section header size ${shentsize}, expected ${shdrSize}`);
    if (shnum === 0) {
      const s0 = await src.read(shoff, shdrSize); // extended numbering: the count is in section 0
      shnum = r.addr(s0, is64 ? 32 : 20);
    }
    if (shnum > MAX_SECTIONS) throw new MalformedError(`corrupt ELF header: ${shnum} sections`);
    if (shnum > 0) {
      const table = await readRange(src, shoff, shnum * shdrSize, 'the section header table');
      const sec = (i: number) => {
        const o = i * shdrSize;
        return {
          type: r.u32(table, o + 4),
          offset: r.addr(table, o + (is64 ? 24 : 16)),
          size: r.addr(table, o + (is64 ? 32 : 20)),
          link: r.u32(table, o + (is64 ? 40 : 24)),
          entsize: r.addr(table, o + (is64 ? 56 : 36)),
        };
      };
      for (let i = 0; i < shnum; i++) {
        const s = sec(i);
        if (s.type === SHT_DYNSYM && !dynsym) {
          if (s.link >= shnum) throw new MalformedError(`section .dynsym links to string table ${s.link}, which does not exist`);
          const str = sec(s.link);
          if (str.type === SHT_NOBITS) throw new MalformedError('the dynamic string table has no data');
          dynsym = { offset: s.offset, size: s.size, entsize: s.entsize || (is64 ? 24 : 16), strOffset: str.offset, strSize: str.size };
        } else if (s.type === SHT_DYNAMIC && !dynamic) {
          const str = s.link < shnum ? sec(s.link) : null;
          dynamic = { offset: s.offset, size: s.size, strOffset: str ? str.offset : null, strSize: str ? str.size : 0 };
        }
      }
    }
  }

  // No section headers (stripped with sstrip or similar): use the PT_DYNAMIC segment.
  let segments: { vaddr: number; offset: number; filesz: number }[] | null = null;
  const vaddrToOffset = (v: number): number | null => {
    for (const s of segments ?? []) if (v >= s.vaddr && v < s.vaddr + s.filesz) return s.offset + (v - s.vaddr);
    return null;
  };
  let dynEntries: { tag: number; val: number }[] | null = null;
  const readDynamic = async (offset: number, size: number) => {
    const entSize = is64 ? 16 : 8;
    const buf = await readRange(src, offset, size - (size % entSize), 'the dynamic section');
    const out: { tag: number; val: number }[] = [];
    for (let o = 0; o + entSize <= buf.length; o += entSize) {
      const tag = is64 ? Number((data === 1 ? buf.readBigInt64LE(o) : buf.readBigInt64BE(o)) & 0xffffffffn) : r.u32(buf, o);
      if (tag === DT_NULL) break;
      out.push({ tag, val: r.addr(buf, o + (is64 ? 8 : 4)) });
    }
    return out;
  };
  if (!dynsym) {
    if (phoff === 0 || phnum === 0) {
      if (shoff === 0) throw new MalformedError('ELF file has neither section headers nor program headers');
      return { format: 'elf', bits: is64 ? 64 : 32, slices: [{ arch, pythonImports: [], importCount: 0, libraries: [], moduleInits: [] }] };
    }
    if (phentsize !== phdrSize) throw new MalformedError(`corrupt ELF header: program header size ${phentsize}, expected ${phdrSize}`);
    if (phnum === 0xffff) phnum = Math.min(phnum, 4096);
    const ph = await readRange(src, phoff, phnum * phdrSize, 'the program header table');
    segments = [];
    let dynSeg: { offset: number; filesz: number } | null = null;
    for (let i = 0; i < phnum; i++) {
      const o = i * phdrSize;
      const type = r.u32(ph, o);
      const offset = r.addr(ph, o + (is64 ? 8 : 4));
      const vaddr = r.addr(ph, o + (is64 ? 16 : 8));
      const filesz = r.addr(ph, o + (is64 ? 32 : 16));
      if (type === PT_LOAD) segments.push({ vaddr, offset, filesz });
      if (type === PT_DYNAMIC) dynSeg = { offset, filesz };
    }
    if (!dynSeg) return { format: 'elf', bits: is64 ? 64 : 32, slices: [{ arch, pythonImports: [], importCount: 0, libraries: [], moduleInits: [] }] };
    dynEntries = await readDynamic(dynSeg.offset, dynSeg.filesz);
    const get = (tag: number) => dynEntries?.find((d) => d.tag === tag)?.val ?? null;
    const strtab = get(DT_STRTAB);
    const symtab = get(DT_SYMTAB);
    const strsz = get(DT_STRSZ) ?? 0;
    const syment = get(DT_SYMENT) ?? (is64 ? 24 : 16);
    const strOff = strtab === null ? null : vaddrToOffset(strtab);
    const symOff = symtab === null ? null : vaddrToOffset(symtab);
    if (strOff === null || symOff === null) throw new MalformedError('the dynamic segment has no usable symbol or string table address');
    const count = await symbolCount(src, r, is64, get(DT_HASH), get(DT_GNU_HASH), vaddrToOffset);
    dynsym = { offset: symOff, size: count * syment, entsize: syment, strOffset: strOff, strSize: strsz };
    dynamic = null;
  }

  // Symbols, their names and DT_NEEDED: one ascending pass.
  const want = [
    { offset: dynsym.offset, length: dynsym.size },
    { offset: dynsym.strOffset, length: dynsym.strSize },
  ];
  if (dynamic && dynamic.size > 0) want.push({ offset: dynamic.offset, length: dynamic.size - (dynamic.size % (is64 ? 16 : 8)) });
  checkRanges(src, want, ['section .dynsym', 'the dynamic string table', 'section .dynamic']);
  const [symBuf, strBuf, dynBuf] = await src.readMany(want);
  const syms = symBuf as Buffer;
  const strs = strBuf as Buffer;
  if (dynamic && dynBuf) {
    const entSize = is64 ? 16 : 8;
    dynEntries = [];
    for (let o = 0; o + entSize <= dynBuf.length; o += entSize) {
      const tag = is64 ? Number((data === 1 ? dynBuf.readBigInt64LE(o) : dynBuf.readBigInt64BE(o)) & 0xffffffffn) : r.u32(dynBuf, o);
      if (tag === DT_NULL) break;
      dynEntries.push({ tag, val: r.addr(dynBuf, o + (is64 ? 8 : 4)) });
    }
  }
  // DT_NEEDED names index the dynamic section's own string table (normally the same as .dynstr).
  let neededStrs = strs;
  if (dynamic && dynamic.strOffset !== null && dynamic.strOffset !== dynsym.strOffset) neededStrs = await readRange(src, dynamic.strOffset, dynamic.strSize, 'the dynamic string table');
  const libraries = (dynEntries ?? []).filter((d) => d.tag === DT_NEEDED).map((d) => cstr(neededStrs, d.val) ?? `<bad name offset ${d.val}>`);

  const entsize = dynsym.entsize;
  if (entsize < (is64 ? 24 : 16)) throw new MalformedError(`section .dynsym has entries of ${entsize} bytes`);
  const n = Math.floor(syms.length / entsize);
  if (n > MAX_SYMBOLS) throw new MalformedError(`section .dynsym claims ${n} symbols`);
  const imports: ImportedSymbol[] = [];
  const inits: string[] = [];
  let importCount = 0;
  for (let i = 1; i < n; i++) {
    const o = i * entsize;
    const nameOff = r.u32(syms, o);
    const info = r.u8(syms, o + (is64 ? 4 : 12));
    const shndx = r.u16(syms, o + (is64 ? 6 : 14));
    const bind = info >> 4;
    if (bind !== 1 && bind !== 2) continue; // GLOBAL, WEAK
    const undefined_ = shndx === 0;
    if (undefined_) importCount++;
    const name = cstr(strs, nameOff);
    if (name === null || name === '') continue;
    if (undefined_) {
      if (isPythonSymbol(name)) imports.push({ name, library: null, weak: bind === 2 });
    } else if (/^(PyInit_|PyModExport_)/.test(name)) inits.push(name);
  }
  imports.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { format: 'elf', bits: is64 ? 64 : 32, slices: [{ arch, pythonImports: dedupe(imports), importCount, libraries, moduleInits: inits.sort() }] };
}

function dedupe(xs: ImportedSymbol[]): ImportedSymbol[] {
  return xs.filter((x, i) => i === 0 || xs[i - 1]?.name !== x.name);
}

function checkRanges(src: ByteSource, ranges: { offset: number; length: number }[], names: string[]): void {
  ranges.forEach((r, i) => {
    if (r.offset + r.length > src.size || r.offset < 0) throw new MalformedError(`${names[i]} (offset ${r.offset}, ${r.length} bytes) points past the end of the file (${src.size} bytes)`);
  });
}

async function readRange(src: ByteSource, offset: number, length: number, what: string): Promise<Buffer> {
  if (offset < 0 || offset + length > src.size) throw new MalformedError(`${what} (offset ${offset}, ${length} bytes) points past the end of the file (${src.size} bytes)`);
  return src.read(offset, length);
}

/** Number of dynamic symbols from DT_HASH (nchain) or by walking DT_GNU_HASH. */
async function symbolCount(
  src: ByteSource,
  r: Reader,
  is64: boolean,
  hash: number | null,
  gnuHash: number | null,
  toOffset: (v: number) => number | null,
): Promise<number> {
  const h = hash === null ? null : toOffset(hash);
  if (h !== null) return r.u32(await readRange(src, h, 8, 'DT_HASH'), 4);
  const g = gnuHash === null ? null : toOffset(gnuHash);
  if (g === null) throw new MalformedError('the dynamic segment has neither DT_HASH nor DT_GNU_HASH: cannot count its symbols');
  const hdr = await readRange(src, g, 16, 'DT_GNU_HASH');
  const nbuckets = r.u32(hdr, 0);
  const symoffset = r.u32(hdr, 4);
  const bloomSize = r.u32(hdr, 8);
  if (nbuckets > MAX_SYMBOLS || bloomSize > MAX_SYMBOLS) throw new MalformedError('corrupt DT_GNU_HASH table');
  const bucketsOff = g + 16 + bloomSize * (is64 ? 8 : 4);
  const buckets = await readRange(src, bucketsOff, nbuckets * 4, 'DT_GNU_HASH buckets');
  let max = 0;
  for (let i = 0; i < nbuckets; i++) max = Math.max(max, r.u32(buckets, i * 4));
  if (max < symoffset) return symoffset;
  const chainOff = bucketsOff + nbuckets * 4;
  let idx = max;
  for (;;) {
    const v = r.u32(await readRange(src, chainOff + (idx - symoffset) * 4, 4, 'DT_GNU_HASH chain'), 0);
    idx++;
    if (v & 1 || idx > MAX_SYMBOLS) break;
  }
  return idx;
}
