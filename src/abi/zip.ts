// A read-only zip reader over a file handle: finds the central directory (zip64 aware), lists entries
// and opens single entries with positional reads. Nothing is ever extracted to disk, and nothing is
// inflated beyond a fixed cap per entry and per archive.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { FileSource, InflateSource, MalformedError, TooLargeError, type ByteSource } from './source.js';

export interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  isDirectory: boolean;
}

export interface ZipArchive {
  fh: FileHandle;
  fileSize: number;
  /** Entries that are safe to look at, first occurrence of each name, in directory order. */
  entries: ZipEntry[];
  /** Non-fatal problems (unsafe or duplicate names), one message each. */
  problems: string[];
  /** Shared inflate budget of this archive. */
  budget: { left: number };
}

/** No entry is ever inflated beyond this many bytes. */
export const MAX_ENTRY_BYTES = 512 * 1024 * 1024;
/** No archive inflates more than this in total (all entries and passes). */
export const MAX_ARCHIVE_INFLATE = 2 * 1024 * 1024 * 1024;
const MAX_ENTRIES = 200_000;
const MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024;

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

function u64(buf: Buffer, off: number): number {
  const v = buf.readBigUInt64LE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedError('a zip64 size or offset is too large to be real');
  return Number(v);
}

/** Why an entry name must not be trusted, or null. */
export function unsafeName(name: string): string | null {
  if (name.includes('\0')) return 'contains a NUL byte';
  if (/^([/\\]|[A-Za-z]:)/.test(name)) return 'is an absolute path';
  if (name.split(/[/\\]/).includes('..')) return "contains a '..' component";
  return null;
}

export async function openZip(fh: FileHandle, fileSize: number): Promise<ZipArchive> {
  if (fileSize < 22) throw new MalformedError(fileSize === 0 ? 'empty file: not a zip archive' : `not a zip archive (${fileSize} bytes, too short for one)`);
  const tailLen = Math.min(fileSize, 22 + 0xffff + 20);
  const tailStart = fileSize - tailLen;
  const tail = await readAt(fh, tailStart, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    const head = await readAt(fh, 0, 4);
    const local = head.length === 4 && head.readUInt32LE(0) === SIG_LOCAL;
    throw new MalformedError(local ? 'truncated zip archive: it has no end-of-central-directory record' : 'not a zip archive (no end-of-central-directory record)');
  }
  const eocdPos = tailStart + eocd;
  if (tail.readUInt16LE(eocd + 4) !== 0 || tail.readUInt16LE(eocd + 6) !== 0) throw new MalformedError('multi-disk zip archives are not supported');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== SIG_ZIP64_LOCATOR) throw new MalformedError('zip64 archive without a zip64 end-of-central-directory locator');
    const z64Pos = u64(tail, loc + 8);
    if (z64Pos + 56 > fileSize) throw new MalformedError('zip64 end-of-central-directory record points past the end of the file');
    const z = await readAt(fh, z64Pos, 56);
    if (z.length < 56 || z.readUInt32LE(0) !== SIG_ZIP64_EOCD) throw new MalformedError('corrupt zip64 end-of-central-directory record');
    count = u64(z, 32);
    cdSize = u64(z, 40);
    cdOffset = u64(z, 48);
  }
  if (count > MAX_ENTRIES) throw new TooLargeError(`archive lists ${count} entries, over the ${MAX_ENTRIES}-entry cap`);
  if (cdSize > MAX_CENTRAL_DIRECTORY) throw new TooLargeError(`central directory is ${cdSize} bytes, over the ${MAX_CENTRAL_DIRECTORY}-byte cap`);
  if (cdOffset + cdSize > eocdPos) throw new MalformedError('truncated or corrupt zip archive: the central directory points past its end');
  const cd = await readAt(fh, cdOffset, cdSize);
  if (cd.length < cdSize) throw new MalformedError('truncated zip archive: the central directory is cut off');

  const entries: ZipEntry[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw new MalformedError(`corrupt central directory: entry ${i + 1} of ${count} is damaged`);
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    let csize = cd.readUInt32LE(p + 20);
    let size = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let offset = cd.readUInt32LE(p + 42);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cd.length) throw new MalformedError(`corrupt central directory: entry ${i + 1} of ${count} runs past its end`);
    const rawName = cd.subarray(p + 46, p + 46 + nameLen);
    const name = rawName.toString(flags & 0x800 ? 'utf8' : 'latin1');
    // zip64 extra field: the 0xFFFFFFFF fields, in this order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (x + 4 + len > xEnd) break;
      if (id === 0x0001) {
        let q = x + 4;
        const take = () => {
          if (q + 8 > x + 4 + len) throw new MalformedError(`corrupt zip64 extra field in entry '${name}'`);
          const v = u64(cd, q);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (csize === 0xffffffff) csize = take();
        if (offset === 0xffffffff) offset = take();
      }
      x += 4 + len;
    }
    p = end;
    const bad = unsafeName(name);
    if (bad) {
      problems.push(`entry '${name.replace(/\0/g, '\\0')}' ${bad}; it was not read (an installer must refuse this archive)`);
      continue;
    }
    if (seen.has(name)) {
      problems.push(`entry '${name}' appears more than once; only the first copy was read (installers disagree on which one wins)`);
      continue;
    }
    seen.add(name);
    if (offset + 30 > cdOffset) {
      problems.push(`entry '${name}' points past the file data (offset ${offset}); it was not read`);
      continue;
    }
    entries.push({ name, flags, method, compressedSize: csize, size, localHeaderOffset: offset, isDirectory: name.endsWith('/') });
  }
  return { fh, fileSize, entries, problems, budget: { left: MAX_ARCHIVE_INFLATE } };
}

async function dataOffset(zip: ZipArchive, e: ZipEntry): Promise<number> {
  const h = await readAt(zip.fh, e.localHeaderOffset, 30);
  if (h.length < 30 || h.readUInt32LE(0) !== SIG_LOCAL) throw new MalformedError(`entry '${e.name}': no local file header at offset ${e.localHeaderOffset}`);
  const start = e.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  if (start + e.compressedSize > zip.fileSize) throw new MalformedError(`entry '${e.name}' runs past the end of the file: the archive is truncated`);
  return start;
}

function checkReadable(e: ZipEntry): void {
  if (e.flags & 0x1) throw new MalformedError(`entry '${e.name}' is encrypted`);
  if (e.method !== 0 && e.method !== 8) throw new MalformedError(`entry '${e.name}' uses compression method ${e.method}; wheels use stored (0) or deflate (8)`);
  if (e.size > MAX_ENTRY_BYTES) throw new TooLargeError(`entry '${e.name}' claims ${e.size} bytes uncompressed, over the ${MAX_ENTRY_BYTES}-byte cap; not inflated`);
}

/** A random-access view of one entry: positional reads when stored, a bounded stream when deflated. */
export async function entrySource(zip: ZipArchive, e: ZipEntry): Promise<ByteSource & { dispose?: () => void }> {
  checkReadable(e);
  const start = await dataOffset(zip, e);
  if (e.method === 0) {
    if (e.compressedSize !== e.size) throw new MalformedError(`stored entry '${e.name}' has different compressed (${e.compressedSize}) and uncompressed (${e.size}) sizes`);
    return new FileSource(zip.fh, start, e.size);
  }
  return new InflateSource(zip.fh, start, e.compressedSize, e.size, zip.budget);
}

/** The whole content of a small entry (WHEEL, RECORD), inflated in one go with a hard output cap. */
export async function readSmallEntry(zip: ZipArchive, e: ZipEntry, cap: number): Promise<Buffer> {
  checkReadable(e);
  if (e.size > cap) throw new TooLargeError(`entry '${e.name}' is ${e.size} bytes, over the ${cap}-byte cap for metadata files`);
  if (e.compressedSize > cap) throw new TooLargeError(`entry '${e.name}' is ${e.compressedSize} bytes compressed, over the ${cap}-byte cap for metadata files`);
  const start = await dataOffset(zip, e);
  const raw = await readAt(zip.fh, start, e.compressedSize);
  if (raw.length < e.compressedSize) throw new MalformedError(`entry '${e.name}' is truncated`);
  if (e.method === 0) return raw;
  let out: Buffer;
  try {
    out = inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new MalformedError(`entry '${e.name}' inflates beyond its declared size of ${e.size} bytes (a zip bomb, or a corrupt archive)`);
    throw new MalformedError(`entry '${e.name}' has corrupt compressed data: ${(err as Error).message}`);
  }
  if (out.length !== e.size) throw new MalformedError(`entry '${e.name}' inflates to ${out.length} bytes, not its declared ${e.size} bytes`);
  return out;
}

/**
 * Streams a whole entry once, never holding more than one chunk: checks that it inflates to exactly its
 * declared size (a zip bomb or a truncated entry fails here) and returns its digest for RECORD.
 */
export async function digestEntry(zip: ZipArchive, e: ZipEntry, algorithm: string): Promise<string> {
  checkReadable(e);
  const hash = createHash(algorithm);
  const src = e.method === 8 ? await entrySource(zip, e) : null;
  if (src instanceof InflateSource) {
    try {
      await src.drain((c) => hash.update(c));
    } finally {
      src.dispose();
    }
  } else {
    // Stored: one reused buffer, positional reads (the hash copies what it needs).
    const start = await dataOffset(zip, e);
    const buf = Buffer.alloc(Math.min(256 * 1024, Math.max(1, e.size)));
    for (let off = 0; off < e.size; ) {
      const { bytesRead } = await zip.fh.read(buf, 0, Math.min(buf.length, e.size - off), start + off);
      if (bytesRead === 0) throw new MalformedError(`entry '${e.name}' is truncated`);
      hash.update(buf.subarray(0, bytesRead));
      off += bytesRead;
    }
  }
  return hash.digest('base64url');
}
