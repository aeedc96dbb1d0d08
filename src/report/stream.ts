// Reports written in pieces: tens of thousands of findings as one JSON/SARIF string cost as much memory as
// the findings themselves (twice over when a character outside Latin-1 makes V8 store it as UTF-16).
// `jsonChunks` writes exactly what `JSON.stringify(value, null, 2) + '\n'` would, building each element of a
// `LazyArray` only when it is written.
import { closeSync, lstatSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';

/**
 * An array whose elements are made (by `map`) only as they are written. `render`, when given, writes an
 * element's JSON text itself (what `JSON.stringify(map(item), null, 2)` would give, lines after the first
 * indented by `indent`): a fast path for the elements reports have by the ten thousand.
 */
export class LazyArray<T> {
  constructor(
    readonly items: readonly T[],
    readonly map: (item: T, index: number) => unknown,
    readonly render?: (item: T, indent: string) => string,
  ) {}
}

/** Chunks are joined up to about this many characters before they are handed out. */
const CHUNK = 1 << 16;

const reindent = (json: string, indent: string) => (indent === '' ? json : json.replace(/\n/g, `\n${indent}`));

function holdsLazy(v: unknown): boolean {
  if (v instanceof LazyArray) return true;
  if (v === null || typeof v !== 'object') return false;
  return Object.values(v as object).some(holdsLazy);
}

type T0 = unknown;

function* pieces(v: unknown, indent: string): Generator<string> {
  if (v instanceof LazyArray) {
    const n = v.items.length;
    if (n === 0) {
      yield '[]';
      return;
    }
    const inner = `${indent}  `;
    yield '[\n';
    for (let i = 0; i < n; i++) {
      const item = v.items[i] as T0;
      const text = v.render ? v.render(item, inner) : reindent(JSON.stringify(v.map(item, i), null, 2), inner);
      yield `${inner}${text}${i < n - 1 ? ',\n' : '\n'}`;
    }
    yield `${indent}]`;
    return;
  }
  if (!holdsLazy(v)) {
    yield reindent(JSON.stringify(v, null, 2), indent);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    yield '[\n';
    for (let i = 0; i < v.length; i++) {
      yield inner;
      yield* pieces(v[i] === undefined || typeof v[i] === 'function' ? null : v[i], inner);
      yield i < v.length - 1 ? ',\n' : '\n';
    }
    yield `${indent}]`;
    return;
  }
  // Like JSON.stringify: keys whose value is undefined or a function are left out.
  const entries = Object.entries(v as object).filter(([, x]) => x !== undefined && typeof x !== 'function');
  yield '{\n';
  for (let i = 0; i < entries.length; i++) {
    const [k, x] = entries[i] as [string, unknown];
    yield `${inner}${JSON.stringify(k)}: `;
    yield* pieces(x, inner);
    yield i < entries.length - 1 ? ',\n' : '\n';
  }
  yield `${indent}}`;
}

/** `JSON.stringify(value, null, 2) + '\n'` in chunks of about 64 K characters. */
export function* jsonChunks(value: unknown): Generator<string> {
  yield* batch(pieces(value, ''), '\n');
}

/** Lines joined with '\n' (and a final '\n' when there are any), handed out in chunks. */
export function* lineChunks(lines: Iterable<string>): Generator<string> {
  function* withNewlines(): Generator<string> {
    for (const l of lines) yield `${l}\n`;
  }
  yield* batch(withNewlines(), '');
}

function* batch(parts: Iterable<string>, tail: string): Generator<string> {
  let buf = '';
  for (const p of parts) {
    buf += p;
    if (buf.length >= CHUNK) {
      yield buf;
      buf = '';
    }
  }
  buf += tail;
  if (buf !== '') yield buf;
}

/** Writes chunks to an open file descriptor, each fully (writeSync may write part of a buffer). */
export function writeChunks(fd: number, chunks: Iterable<string>): void {
  for (const c of chunks) {
    const b = Buffer.from(c, 'utf8');
    for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
  }
}

/**
 * Writes `path` atomically: the chunks go to a temporary file beside it, renamed over `path` when complete.
 * Throws (after removing the temporary file) when it cannot.
 */
export function writeFileAtomic(path: string, chunks: Iterable<string>, tmp?: string): void {
  // Not a regular file (`-o /dev/null`, a FIFO, a terminal): write into it; renaming over it would replace the
  // device itself. A symbolic link: replace the file it points to, not the link.
  let target = path;
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) target = realpathSync(path);
    else if (!st.isFile()) {
      const fd = openSync(path, 'w');
      try {
        writeChunks(fd, chunks);
      } finally {
        closeSync(fd);
      }
      return;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (target !== path) {
    const st = statSync(target, { throwIfNoEntry: false });
    if (st && !st.isFile()) return writeFileAtomic(target, chunks);
  }
  if (tmp === undefined || target !== path) tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeChunks(fd, chunks);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** The whole text of a chunked report (tests, small outputs). */
export function joinChunks(chunks: Iterable<string>): string {
  let s = '';
  for (const c of chunks) s += c;
  return s;
}
