// Applying fixes. A fix is a list of edits by UTF-16 offsets into the file's text as ftlint read it
// (UTF-8 decoded, BOM removed: the same offsets every rule and every reported column use). Applying
// keeps the BOM and the line endings: edits carry `\n`, which becomes `\r\n` in a CRLF file.
import { readFileSync } from 'node:fs';
import { LineMap } from '../parse/source.js';
import type { Edit, Fix, Range } from '../engine/types.js';

export interface FixSource {
  /** Text without BOM. */
  text: string;
  bom: boolean;
  /** The file's dominant line ending. */
  eol: '\n' | '\r\n';
}

export function fromRaw(raw: string): FixSource {
  const bom = raw.charCodeAt(0) === 0xfeff;
  const text = bom ? raw.slice(1) : raw;
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length;
  return { text, bom, eol: crlf > 0 && crlf * 2 >= lf ? '\r\n' : '\n' };
}

export function readFixSource(abs: string): FixSource | null {
  try {
    return fromRaw(readFileSync(abs, 'utf8'));
  } catch {
    return null;
  }
}

/** The edit's text with the file's line endings. */
export function withEol(text: string, eol: '\n' | '\r\n'): string {
  return eol === '\n' ? text : text.replace(/\r?\n/g, '\r\n');
}

export class FixConflictError extends Error {}

/**
 * Applies non-overlapping edits (from any number of fixes) to `src`; returns the new file contents,
 * BOM included. Edits that overlap an earlier one are skipped and reported in `skipped`.
 */
export function applyFixes(src: FixSource, fixes: Fix[]): { output: string; applied: Fix[]; skipped: Fix[] } {
  const applied: Fix[] = [];
  const skipped: Fix[] = [];
  const taken: Edit[] = [];
  const overlaps = (e: Edit) => taken.some((t) => (e.start < t.end && t.start < e.end) || (e.start === e.end && t.start === t.end && e.start === t.start));
  for (const fix of fixes) {
    const valid = fix.edits.every((e) => e.start >= 0 && e.end >= e.start && e.end <= src.text.length);
    if (!valid || fix.edits.some(overlaps)) {
      skipped.push(fix);
      continue;
    }
    taken.push(...fix.edits);
    applied.push(fix);
  }
  let out = src.text;
  for (const e of [...taken].sort((a, b) => b.start - a.start || b.end - a.end)) {
    out = out.slice(0, e.start) + withEol(e.text, src.eol) + out.slice(e.end);
  }
  return { output: (src.bom ? '\ufeff' : '') + out, applied, skipped };
}

/** Line/column range (1-based, UTF-16 columns) of an edit in `text`. */
export function editRange(text: string, e: Edit, lines: LineMap = new LineMap(text)): Range {
  return lines.range(e.start, e.end);
}
