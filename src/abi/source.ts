// Random-access byte sources for the binary readers, with bounded memory:
// - FileSource: positional reads from an open file (a binary on disk, or a stored zip entry);
// - InflateSource: a deflated zip entry, inflated as a stream; only requested ranges are kept, a
//   backward read restarts the stream, and output beyond the declared size is a hard error (zip bomb);
// - BufferSource: bytes already in memory (tests, small entries).
import type { FileHandle } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';

/** The input is not what it claims to be (truncated, corrupt, pointing past its end). */
export class MalformedError extends Error {}
/** The input is over a fixed safety cap. */
export class TooLargeError extends Error {}

export interface ByteSource {
  /** Size in bytes (for a zip entry: its declared uncompressed size). */
  readonly size: number;
  /** Exactly `length` bytes at `offset`; MalformedError when the range is outside the source. */
  read(offset: number, length: number): Promise<Buffer>;
  /** Several ranges, read in ascending order (one forward pass for streamed sources); results in request order. */
  readMany(ranges: readonly { offset: number; length: number }[]): Promise<Buffer[]>;
  /** Bytes inflated so far (0 for uncompressed sources). */
  readonly inflated: number;
}

/** Largest single range a reader may request: symbol and string tables beyond this are refused. */
export const MAX_RANGE = 64 * 1024 * 1024;

function checkRange(size: number, offset: number, length: number, what = 'data'): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) throw new MalformedError(`${what} has an invalid offset or size`);
  if (length > MAX_RANGE) throw new TooLargeError(`${what} is ${length} bytes, over the ${MAX_RANGE}-byte cap`);
  if (offset + length > size) throw new MalformedError(`${what} at offset ${offset} (+${length} bytes) points past the end of the file (${size} bytes)`);
}

async function readManyInOrder(src: ByteSource, ranges: readonly { offset: number; length: number }[]): Promise<Buffer[]> {
  const order = ranges.map((r, i) => ({ ...r, i })).sort((a, b) => a.offset - b.offset);
  const out: Buffer[] = new Array<Buffer>(ranges.length);
  for (const r of order) out[r.i] = await src.read(r.offset, r.length);
  return out;
}

export class BufferSource implements ByteSource {
  readonly inflated = 0;
  constructor(private readonly buf: Buffer) {}
  get size(): number {
    return this.buf.length;
  }
  async read(offset: number, length: number): Promise<Buffer> {
    checkRange(this.size, offset, length);
    return this.buf.subarray(offset, offset + length);
  }
  readMany(ranges: readonly { offset: number; length: number }[]): Promise<Buffer[]> {
    return readManyInOrder(this, ranges);
  }
}

export class FileSource implements ByteSource {
  readonly inflated = 0;
  constructor(
    private readonly fh: FileHandle,
    private readonly base: number,
    readonly size: number,
  ) {}
  async read(offset: number, length: number): Promise<Buffer> {
    checkRange(this.size, offset, length);
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.fh.read(buf, done, length - done, this.base + offset + done);
      if (bytesRead === 0) throw new MalformedError(`file ends at ${offset + done} bytes, before the ${length}-byte range at offset ${offset}`);
      done += bytesRead;
    }
    return buf;
  }
  readMany(ranges: readonly { offset: number; length: number }[]): Promise<Buffer[]> {
    return readManyInOrder(this, ranges);
  }
}

/** Reads `length` bytes of the file at `position` in 64 KiB chunks. */
async function* fileChunks(fh: FileHandle, position: number, length: number): AsyncGenerator<Buffer> {
  let done = 0;
  while (done < length) {
    const n = Math.min(64 * 1024, length - done);
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, position + done);
    if (bytesRead === 0) throw new MalformedError('compressed data ends early: the archive is truncated');
    done += bytesRead;
    yield bytesRead === n ? buf : buf.subarray(0, bytesRead);
  }
}

/**
 * A deflated zip entry read as a stream. Keeps only the first 64 KiB (headers are re-read often) and
 * the chunk under the read position; reading backwards restarts the inflater from the beginning.
 */
export class InflateSource implements ByteSource {
  private static readonly HEAD = 64 * 1024;
  private head: Buffer | null = null;
  private stream: AsyncIterator<Buffer> | null = null;
  private destroy: (() => void) | null = null;
  /** Uncompressed offset of `chunk`'s first byte. */
  private chunkStart = 0;
  private chunk: Buffer = Buffer.alloc(0);
  private total = 0;
  /** The stream went past the declared size: the next chunk request fails. */
  private overflow = false;
  inflated = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly dataOffset: number,
    private readonly compressedSize: number,
    /** Declared uncompressed size: inflating past it is an error. */
    readonly size: number,
    /** Budget shared by every stream of one archive (total bytes it may inflate). */
    private readonly budget: { left: number },
  ) {}

  private start(): void {
    this.close();
    const inflater = createInflateRaw({ chunkSize: 64 * 1024 });
    const input = fileChunks(this.fh, this.dataOffset, this.compressedSize);
    let failed: unknown = null;
    const pump = async () => {
      try {
        for await (const c of input) {
          if (inflater.destroyed) return;
          if (!inflater.write(c)) {
            await new Promise<void>((resolve) => {
              const done = () => {
                inflater.off('drain', done);
                inflater.off('close', done);
                resolve();
              };
              inflater.once('drain', done);
              inflater.once('close', done);
            });
          }
        }
        if (!inflater.destroyed) inflater.end();
      } catch (e) {
        failed = e;
        if (!inflater.destroyed) inflater.destroy(e instanceof Error ? e : new Error(String(e)));
      }
    };
    void pump();
    const it = inflater[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    this.stream = {
      next: async () => {
        try {
          return await it.next();
        } catch (e) {
          if (failed instanceof MalformedError) throw failed;
          const msg = e instanceof Error ? e.message : String(e);
          throw new MalformedError(/unexpected end/i.test(msg) ? 'compressed data ends early: the entry is truncated' : `corrupt compressed data: ${msg}`);
        }
      },
    };
    this.destroy = () => {
      if (!inflater.destroyed) inflater.destroy();
    };
    this.chunkStart = 0;
    this.chunk = Buffer.alloc(0);
    this.total = 0;
    this.overflow = false;
  }

  private close(): void {
    this.destroy?.();
    this.destroy = null;
    this.stream = null;
  }

  /** Advances to the next chunk; false at the end of the stream. */
  private async next(): Promise<boolean> {
    if (this.overflow) throw new MalformedError(`entry inflates beyond its declared size of ${this.size} bytes (a zip bomb, or a corrupt archive); stopped`);
    if (!this.stream) this.start();
    const r = await (this.stream as AsyncIterator<Buffer>).next();
    if (r.done) {
      this.close();
      return false;
    }
    let c = r.value;
    this.chunkStart = this.total;
    this.total += c.length;
    this.inflated += c.length;
    this.budget.left -= c.length;
    if (this.total > this.size) {
      // Keep what is within the declared size (headers may still be read); inflate nothing more.
      c = c.subarray(0, c.length - (this.total - this.size));
      this.total = this.size;
      this.overflow = true;
      this.close();
    }
    if (this.budget.left < 0) {
      this.close();
      throw new TooLargeError('the archive inflates to more than the per-archive budget; stopped');
    }
    if (this.head === null || this.head.length < InflateSource.HEAD) {
      const want = Math.min(InflateSource.HEAD, this.total) - (this.head?.length ?? 0);
      if (want > 0 && this.chunkStart === (this.head?.length ?? 0)) this.head = Buffer.concat([this.head ?? Buffer.alloc(0), c.subarray(0, want)]);
    }
    this.chunk = c;
    return true;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    checkRange(this.size, offset, length);
    if (this.head && offset + length <= this.head.length) return Buffer.from(this.head.subarray(offset, offset + length));
    if ((!this.stream && !this.overflow) || offset < this.chunkStart) this.start();
    const out = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const want = offset + filled;
      const end = this.chunkStart + this.chunk.length;
      if (want >= this.chunkStart && want < end) {
        const n = Math.min(length - filled, end - want);
        this.chunk.copy(out, filled, want - this.chunkStart, want - this.chunkStart + n);
        filled += n;
        continue;
      }
      if (!(await this.next())) throw new MalformedError(`entry ends at ${this.total} bytes, before its declared size of ${this.size} bytes`);
    }
    return out;
  }

  readMany(ranges: readonly { offset: number; length: number }[]): Promise<Buffer[]> {
    return readManyInOrder(this, ranges);
  }

  /** Inflates to the end, checking the declared size; returns nothing (used to validate an entry). */
  async drain(onChunk?: (c: Buffer) => void): Promise<void> {
    this.start();
    while (await this.next()) onChunk?.(this.chunk);
    if (this.total !== this.size) throw new MalformedError(`entry inflates to ${this.total} bytes, not its declared ${this.size} bytes`);
  }

  dispose(): void {
    this.close();
  }
}
