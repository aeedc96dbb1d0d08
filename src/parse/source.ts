// Offsets ↔ positions. Offsets are UTF-16 code unit indices into the decoded file text (BOM stripped),
// which is what web-tree-sitter reports for JS strings and what editors count columns in.
import type { Position, Range } from '../engine/types.js';

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  let i = text.indexOf('\n');
  while (i !== -1) {
    starts.push(i + 1);
    i = text.indexOf('\n', i + 1);
  }
  return starts;
}

export class LineMap {
  readonly starts: number[];
  constructor(readonly text: string) {
    this.starts = computeLineStarts(text);
  }
  /** 0-based line index containing `offset`. */
  lineIndex(offset: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((s[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  position(offset: number): Position {
    const line = this.lineIndex(offset);
    return { line: line + 1, column: offset - (this.starts[line] as number) + 1 };
  }
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
  /** The text of the line holding `offset`, without its line ending. */
  lineText(offset: number): string {
    const li = this.lineIndex(offset);
    const start = this.starts[li] as number;
    const next = this.starts[li + 1];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }
}
