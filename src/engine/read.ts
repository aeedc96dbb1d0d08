// Reading a source file defensively: every failure becomes an FT000 diagnostic, never an exception.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ToolDiagnostic } from './types.js';

export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

export type ReadResult = { ok: true; text: string; bytes: number; buf: Buffer } | { ok: false; diagnostic: ToolDiagnostic };
export type BytesResult = { ok: true; buf: Buffer } | { ok: false; diagnostic: ToolDiagnostic };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

const failure = (display: string, reason: ToolDiagnostic['reason'], message: string, severity: ToolDiagnostic['severity'] = 'warning') => ({
  ok: false as const,
  diagnostic: { code: 'FT000' as const, path: display, reason, severity, message },
});

export function readSource(abs: string, display: string, maxBytes = DEFAULT_MAX_BYTES): ReadResult {
  const raw = readBytes(abs, display, maxBytes);
  if (!raw.ok) return raw;
  const buf = raw.buf;
  if (buf.length === 0) return failure(display, 'empty', 'file is empty; nothing to check', 'info');
  if (buf.includes(0)) return failure(display, 'binary', 'file contains NUL bytes (binary, or UTF-16 text); skipped');
  try {
    return { ok: true, text: utf8.decode(buf), bytes: buf.length, buf };
  } catch {
    return failure(display, 'not-utf8', 'file is not valid UTF-8; skipped (save it as UTF-8 to have it checked)');
  }
}

/** The file's bytes (no decoding), or why they cannot be read. */
export function readBytes(abs: string, display: string, maxBytes = DEFAULT_MAX_BYTES): BytesResult {
  const fail = (reason: ToolDiagnostic['reason'], message: string) => failure(display, reason, message);
  let fd: number;
  try {
    fd = openSync(abs, 'r');
  } catch (e) {
    return fail('unreadable', `cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let buf: Buffer;
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) return fail('too-large', `file is ${size} bytes, over the ${maxBytes}-byte limit (--max-file-size); skipped`);
    buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    buf = buf.subarray(0, off);
  } catch (e) {
    return fail('unreadable', `cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  } finally {
    closeSync(fd);
  }
  return { ok: true, buf };
}
