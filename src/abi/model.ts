// The artifact model the FT8 rules read: wheels (name, WHEEL, RECORD, members) and binaries (format,
// architecture, imported Python symbols, linked libraries). Built once by load.ts; rules never do I/O.

export type BinaryFormat = 'elf' | 'pe' | 'macho';

/** One symbol a binary takes from outside (a dynamic import). */
export interface ImportedSymbol {
  /** C name (Mach-O's leading underscore removed). */
  name: string;
  /** Library it binds to when the format says (PE DLL, Mach-O two-level namespace), else null. */
  library: string | null;
  weak: boolean;
}

/** One architecture's view of a binary (a fat Mach-O has several; ELF and PE have one). */
export interface BinarySlice {
  /** Normalised architecture: x86_64, i686, aarch64, arm, ppc64le, s390x, riscv64, … */
  arch: string;
  /** Imported symbols whose names look like CPython's (`Py…`, `_Py…`), sorted by name. */
  pythonImports: ImportedSymbol[];
  /** Count of all imported symbols (Python or not). */
  importCount: number;
  /** DT_NEEDED, PE DLL names, Mach-O LC_LOAD_DYLIB paths, in file order. */
  libraries: string[];
  /** Exported module init functions: `PyInit_…`, `PyModExport_…`. */
  moduleInits: string[];
}

export interface BinaryInfo {
  format: BinaryFormat;
  bits: 32 | 64;
  slices: BinarySlice[];
}

/** What an extension file name says (`mod.cpython-313t-x86_64-linux-gnu.so`, `mod.cp313t-win_amd64.pyd`, `mod.abi3.so`). */
export interface ExtensionSuffix {
  /** The suffix as written, e.g. `.cpython-313t-x86_64-linux-gnu.so`. */
  text: string;
  /** Module name before the suffix. */
  module: string;
  kind: 'cpython' | 'abi3' | 'abi3t' | 'plain' | 'other';
  /** For `cpython`: 3.x minor. */
  minor: number | null;
  /** ABI flags after the version (`t`, `d`, `m`, …). */
  flags: string;
  /** Platform part: `x86_64-linux-gnu`, `darwin`, `win_amd64`, or null. */
  platform: string | null;
  /** `.so`, `.pyd`, `.dylib`, `.dll`. */
  ext: string;
}

export interface ArtifactBinary {
  /** Display path: `dist/x.whl!pkg/mod.so` inside a wheel, or the file's own path. */
  path: string;
  /** Member name inside the wheel, or null for a file on disk. */
  member: string | null;
  suffix: ExtensionSuffix | null;
  /** Parsed headers and symbols, or null when unreadable (a diagnostic says why). */
  info: BinaryInfo | null;
  /** Inside a wheel: the content digest in RECORD's algorithm (`sha256=…`), computed while verifying the entry's size. */
  digest?: string;
}

export interface WheelName {
  distribution: string;
  version: string;
  build: string | null;
  pythonTags: string[];
  abiTags: string[];
  platformTags: string[];
}

export interface WheelMetadata {
  /** Member path of the WHEEL file. */
  member: string;
  wheelVersion: string | null;
  rootIsPurelib: boolean | null;
  tags: string[];
  build: string | null;
}

export interface RecordRow {
  path: string;
  hash: string;
  size: number | null;
  /** 1-based line in RECORD. */
  line: number;
}

export interface WheelMember {
  name: string;
  /** Uncompressed size from the central directory. */
  size: number;
}

export interface Wheel {
  path: string;
  /** File name only. */
  fileName: string;
  /** Null when the file name does not follow the wheel grammar (FT801 says why). */
  name: WheelName | null;
  /** Problems with the file name (for FT801), in order. */
  nameProblems: string[];
  /** False when the archive could not be read at all (an FT000 diagnostic says why). */
  readable: boolean;
  members: WheelMember[];
  /** `<name>-<version>.dist-info` directory found in the archive, or null. */
  distInfo: string | null;
  wheel: WheelMetadata | null;
  /** Null when RECORD is missing or unreadable. */
  record: { member: string; rows: RecordRow[] } | null;
  binaries: ArtifactBinary[];
}

export interface ArtifactSet {
  wheels: Wheel[];
  /** Binaries given directly (not inside a wheel). */
  binaries: ArtifactBinary[];
}

export const isPythonSymbol = (name: string): boolean => /^_?Py/.test(name);
