// PE/COFF reader: headers, section table, the import directory with the DLL each name binds to, and
// the export directory's names (for PyInit_…). Reads only the sections those directories live in.
// Delay-load imports are not read: a DLL that exports data (python3XY.dll exports _Py_NoneStruct,
// which every extension imports) cannot be delay-loaded (lld-link: "cannot delay-load … due to import
// of data"), so CPython extensions never delay-load it.
import { isPythonSymbol, type BinaryInfo, type ImportedSymbol } from './model.js';
import { MalformedError, type ByteSource } from './source.js';

const MACHINES: Record<number, string> = { 0x14c: 'i686', 0x8664: 'x86_64', 0xaa64: 'aarch64', 0x1c4: 'arm', 0xa641: 'arm64ec' };
const MAX_IMPORT_DLLS = 4096;
const MAX_NAMES = 1_000_000;

interface Section {
  va: number;
  vsize: number;
  rawPtr: number;
  rawSize: number;
}

export function isPe(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a; // MZ
}

export async function readPe(src: ByteSource): Promise<BinaryInfo> {
  if (src.size < 64) throw new MalformedError(`truncated DOS header (${src.size} bytes)`);
  const dos = await src.read(0, 64);
  const lfanew = dos.readUInt32LE(0x3c);
  if (lfanew + 24 > src.size) throw new MalformedError(`PE header offset ${lfanew} points past the end of the file (${src.size} bytes)`);
  const coff = await src.read(lfanew, 24);
  if (coff.readUInt32LE(0) !== 0x00004550) throw new MalformedError('MZ file without a PE signature (a DOS program, or a corrupt header)');
  const machine = coff.readUInt16LE(4);
  const nsec = coff.readUInt16LE(6);
  const optSize = coff.readUInt16LE(20);
  if (optSize < 2) throw new MalformedError('PE file has no optional header (an object file, not a DLL)');
  const optOff = lfanew + 24;
  const secOff = optOff + optSize;
  if (secOff + nsec * 40 > src.size) throw new MalformedError('the PE section table points past the end of the file');
  const [opt, secTable] = await src.readMany([
    { offset: optOff, length: optSize },
    { offset: secOff, length: nsec * 40 },
  ]);
  const o = opt as Buffer;
  const magic = o.readUInt16LE(0);
  if (magic !== 0x10b && magic !== 0x20b) throw new MalformedError(`corrupt PE optional header (magic 0x${magic.toString(16)})`);
  const plus = magic === 0x20b;
  const ddBase = plus ? 112 : 96;
  const nrva = ddBase <= o.length ? o.readUInt32LE(ddBase - 4) : 0;
  const dir = (i: number): { rva: number; size: number } | null => {
    if (i >= nrva || ddBase + i * 8 + 8 > o.length) return null;
    const rva = o.readUInt32LE(ddBase + i * 8);
    const size = o.readUInt32LE(ddBase + i * 8 + 4);
    return rva === 0 ? null : { rva, size };
  };
  const sections: Section[] = [];
  for (let i = 0; i < nsec; i++) {
    const s = (secTable as Buffer).subarray(i * 40, i * 40 + 40);
    sections.push({ vsize: s.readUInt32LE(8), va: s.readUInt32LE(12), rawSize: s.readUInt32LE(16), rawPtr: s.readUInt32LE(20) });
  }
  const cache = new Map<Section, Buffer>();
  const sectionOf = (rva: number) => sections.find((s) => rva >= s.va && rva < s.va + Math.max(s.vsize, s.rawSize));
  const load = async (s: Section): Promise<Buffer> => {
    let b = cache.get(s);
    if (!b) {
      if (s.rawPtr + s.rawSize > src.size) throw new MalformedError(`a PE section (offset ${s.rawPtr}, ${s.rawSize} bytes) points past the end of the file (${src.size} bytes)`);
      b = await src.read(s.rawPtr, s.rawSize);
      cache.set(s, b);
    }
    return b;
  };
  /** Bytes at an RVA (as many as the section holds, up to `max`). */
  const at = async (rva: number, what: string): Promise<{ buf: Buffer; off: number }> => {
    const s = sectionOf(rva);
    if (!s) throw new MalformedError(`${what} (RVA 0x${rva.toString(16)}) is in no section`);
    const buf = await load(s);
    const off = rva - s.va;
    if (off >= buf.length) throw new MalformedError(`${what} (RVA 0x${rva.toString(16)}) points past its section's data`);
    return { buf, off };
  };
  const str = async (rva: number, what: string): Promise<string> => {
    const { buf, off } = await at(rva, what);
    const end = buf.indexOf(0, off);
    return buf.toString('latin1', off, end < 0 ? buf.length : end);
  };
  // Load the sections the directories live in, in file order, before chasing pointers.
  const dirs = [dir(0), dir(1)].filter((d): d is { rva: number; size: number } => d !== null);
  const needed = [...new Set(dirs.map((d) => sectionOf(d.rva)).filter((s): s is Section => s !== undefined))].sort((a, b) => a.rawPtr - b.rawPtr);
  for (const s of needed) await load(s);

  const imports: ImportedSymbol[] = [];
  const libraries: string[] = [];
  let importCount = 0;
  const thunkSize = plus ? 8 : 4;
  const readThunks = async (lib: string, tableRva: number) => {
    for (let i = 0; i < MAX_NAMES; i++) {
      const { buf, off } = await at(tableRva + i * thunkSize, `import lookup table of ${lib}`);
      if (off + thunkSize > buf.length) throw new MalformedError(`import lookup table of ${lib} runs past its section`);
      const v = plus ? buf.readBigUInt64LE(off) : BigInt(buf.readUInt32LE(off));
      if (v === 0n) return;
      importCount++;
      const byOrdinal = plus ? (v & (1n << 63n)) !== 0n : (v & 0x80000000n) !== 0n;
      if (byOrdinal) continue;
      const name = await str(Number(v & 0x7fffffffn) + 2, `an imported name of ${lib}`);
      if (isPythonSymbol(name)) imports.push({ name, library: lib, weak: false });
    }
    throw new MalformedError(`import lookup table of ${lib} has no terminator`);
  };

  const imp = dir(1);
  if (imp) {
    for (let i = 0; i < MAX_IMPORT_DLLS; i++) {
      const { buf, off } = await at(imp.rva + i * 20, 'the import directory');
      if (off + 20 > buf.length) throw new MalformedError('the import directory runs past its section');
      const oft = buf.readUInt32LE(off);
      const nameRva = buf.readUInt32LE(off + 12);
      const ft = buf.readUInt32LE(off + 16);
      if (oft === 0 && nameRva === 0 && ft === 0) break;
      const lib = await str(nameRva, 'an imported DLL name');
      libraries.push(lib);
      await readThunks(lib, oft !== 0 ? oft : ft);
    }
  }
  const inits: string[] = [];
  const exp = dir(0);
  if (exp) {
    const { buf, off } = await at(exp.rva, 'the export directory');
    if (off + 40 > buf.length) throw new MalformedError('the export directory runs past its section');
    const nNames = buf.readUInt32LE(off + 24);
    const namesRva = buf.readUInt32LE(off + 32);
    if (nNames > MAX_NAMES) throw new MalformedError(`the export directory claims ${nNames} names`);
    for (let i = 0; i < nNames; i++) {
      const t = await at(namesRva + i * 4, 'the export name table');
      if (t.off + 4 > t.buf.length) throw new MalformedError('the export name table runs past its section');
      const name = await str(t.buf.readUInt32LE(t.off), 'an exported name');
      if (/^(PyInit_|PyModExport_)/.test(name)) inits.push(name);
    }
  }
  imports.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    format: 'pe',
    bits: plus ? 64 : 32,
    slices: [{ arch: MACHINES[machine] ?? `machine-0x${machine.toString(16)}`, pythonImports: imports, importCount, libraries, moduleInits: inits.sort() }],
  };
}
