// Suppression comments, read in the worker from each file's original text:
//
//   C, C++, Rust:           x = PyDict_GetItem(d, k);  // ftlint: ignore[FT201]
//                           /* ftlint: ignore-next-line[FT201, FT207] reason */
//   Python, Cython, TOML:   # ftlint: ignore[FT701]
//
// `ignore` covers findings that start on the comment's line, `ignore-next-line` those on the next
// line. Rule ids are required: a bare `ftlint: ignore` suppresses nothing and is reported (FT001).
import type { Language } from '../engine/types.js';

export interface Suppression {
  /** 1-based line and column (UTF-16) of the `ftlint:` directive. */
  line: number;
  column: number;
  /** Line whose findings it suppresses. */
  target: number;
  kind: 'ignore' | 'ignore-next-line';
  /** Rule ids as written (upper-cased), or null for a bare ignore. */
  rules: string[] | null;
  /** The flagged directive line's text, trimmed (for fingerprints of FT001/FT002). */
  lineText: string;
}

const DIRECTIVE = /\bftlint:\s*(ignore-next-line|ignore)\b(\s*\[([^\]\n]*)\])?/g;

/** Offsets [start, end) of every comment in `text`. */
export function commentSpans(text: string, language: Language): [number, number][] {
  return language === 'c' || language === 'cpp' || language === 'rust' ? cComments(text) : hashComments(text);
}

function cComments(text: string): [number, number][] {
  const out: [number, number][] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      let j = text.indexOf('\n', i);
      if (j === -1) j = n;
      out.push([i, j]);
      i = j;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      let j = text.indexOf('*/', i + 2);
      j = j === -1 ? n : j + 2;
      out.push([i, j]);
      i = j - 1;
    } else if (c === 34 /* " */ || c === 39 /* ' */) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === c || d === 10) break;
      }
    }
  }
  return out;
}

function hashComments(text: string): [number, number][] {
  const out: [number, number][] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 35 /* # */) {
      let j = text.indexOf('\n', i);
      if (j === -1) j = n;
      out.push([i, j]);
      i = j;
    } else if (c === 34 || c === 39) {
      const q = text[i] as string;
      if (text.startsWith(q.repeat(3), i)) {
        const j = text.indexOf(q.repeat(3), i + 3);
        i = j === -1 ? n : j + 2;
        continue;
      }
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === c || d === 10) break;
      }
    }
  }
  return out;
}

/** Every `ftlint: ignore…` directive in the comments of `text` (BOM already removed). */
export function extractSuppressions(text: string, language: Language): Suppression[] {
  if (!text.includes('ftlint:')) return [];
  const out: Suppression[] = [];
  let lineNo = 1;
  let lineStart = 0;
  let scanned = 0;
  const advance = (to: number) => {
    for (let k = text.indexOf('\n', scanned); k !== -1 && k < to; k = text.indexOf('\n', k + 1)) {
      lineNo++;
      lineStart = k + 1;
    }
    scanned = Math.max(scanned, to);
  };
  for (const [s, e] of commentSpans(text, language)) {
    const body = text.slice(s, e);
    if (!body.includes('ftlint:')) continue;
    DIRECTIVE.lastIndex = 0;
    for (let m = DIRECTIVE.exec(body); m; m = DIRECTIVE.exec(body)) {
      const at = s + m.index;
      advance(at);
      const kind = m[1] as Suppression['kind'];
      const ids = m[3] === undefined ? null : (m[3] as string).split(',').map((x) => x.trim().toUpperCase()).filter(Boolean);
      let lineEnd = text.indexOf('\n', at);
      if (lineEnd === -1) lineEnd = text.length;
      out.push({
        line: lineNo,
        column: at - lineStart + 1,
        target: kind === 'ignore' ? lineNo : lineNo + 1,
        kind,
        rules: ids && ids.length > 0 ? ids : null,
        lineText: text.slice(lineStart, lineEnd).trim(),
      });
    }
  }
  return out;
}
