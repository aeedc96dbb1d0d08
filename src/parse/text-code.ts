// Offset-preserving "code views" of languages ftlint reads as text (Cython, Meson, CMake, Rust, YAML): comments
// and the contents of string literals are replaced by spaces, newlines are kept, so a regular expression over
// the view never matches inside a comment or a string, and every offset is the offset in the original file.

function blank(out: string[], text: string, from: number, to: number): void {
  for (let k = from; k < to; k++) out[k] = text[k] === '\n' || text[k] === '\r' ? (text[k] as string) : ' ';
}

/**
 * Python-like languages (Python, Cython, Meson, YAML, TOML): `#` comments; '…', "…", '''…''', """…""" strings
 * with an optional prefix (r, b, f, u, rb, …). The quotes stay, their contents are blanked (kept with `keepStrings`:
 * a comments-only view).
 */
export function hashCodeView(text: string, opts: { tripleQuotes?: boolean; backslashEscapes?: boolean; keepStrings?: boolean } = {}): string {
  const triple = opts.tripleQuotes ?? true;
  const escapes = opts.backslashEscapes ?? true;
  const out = text.split('');
  let k = 0;
  while (k < text.length) {
    const ch = text[k];
    if (ch === '#') {
      let e = text.indexOf('\n', k);
      if (e === -1) e = text.length;
      blank(out, text, k, e);
      k = e;
    } else if (ch === '"' || ch === "'") {
      const raw = escapes && /[rR]/.test(prefixBefore(text, k));
      const q3 = triple && text.startsWith(ch.repeat(3), k);
      const close = q3 ? ch.repeat(3) : ch;
      let e = k + close.length;
      while (e < text.length) {
        if (text[e] === '\\' && escapes && !raw) {
          e += 2;
          continue;
        }
        if (!q3 && text[e] === '\n') break; // unterminated single-line string: stop at the line end
        if (text.startsWith(close, e)) break;
        e++;
      }
      e = Math.min(e, text.length);
      if (!opts.keepStrings) blank(out, text, k + close.length, e);
      k = text.startsWith(close, e) ? e + close.length : e;
    } else k++;
  }
  return out.join('');
}

function prefixBefore(text: string, at: number): string {
  let k = at;
  while (k > 0 && /[rRbBfFuUtT]/.test(text[k - 1] as string) && at - k < 3) k--;
  // a prefix only counts when it is not the tail of an identifier
  if (k > 0 && /\w/.test(text[k - 1] as string)) return '';
  return text.slice(k, at);
}

/** CMake: `#` line comments, `#[[…]]` / `#[=[…]=]` bracket comments, "…" quoted arguments (contents kept) and `[[…]]` bracket arguments. */
export function cmakeCodeView(text: string): string {
  const out = text.split('');
  let k = 0;
  while (k < text.length) {
    const ch = text[k];
    if (ch === '#') {
      const br = /^#\[(=*)\[/.exec(text.slice(k, k + 40));
      if (br) {
        const end = text.indexOf(`]${br[1] as string}]`, k);
        const e = end === -1 ? text.length : end + (br[1] as string).length + 2;
        blank(out, text, k, e);
        k = e;
        continue;
      }
      let e = text.indexOf('\n', k);
      if (e === -1) e = text.length;
      blank(out, text, k, e);
      k = e;
    } else if (ch === '"') {
      let e = k + 1;
      while (e < text.length && text[e] !== '"') e += text[e] === '\\' ? 2 : 1;
      k = e + 1;
    } else k++;
  }
  return out.join('');
}

/** Rust: line comments, nested block comments, "…", b"…", r#"…"# strings and char literals (lifetimes are kept). */
export function rustCodeView(text: string): string {
  const out = text.split('');
  let k = 0;
  while (k < text.length) {
    const ch = text[k];
    const next = text[k + 1];
    if (ch === '/' && next === '/') {
      let e = text.indexOf('\n', k);
      if (e === -1) e = text.length;
      blank(out, text, k, e);
      k = e;
    } else if (ch === '/' && next === '*') {
      let depth = 0;
      let e = k;
      while (e < text.length) {
        if (text[e] === '/' && text[e + 1] === '*') {
          depth++;
          e += 2;
        } else if (text[e] === '*' && text[e + 1] === '/') {
          depth--;
          e += 2;
          if (depth === 0) break;
        } else e++;
      }
      blank(out, text, k, e);
      k = e;
    } else if (ch === 'r' && /^r#*"/.test(text.slice(k, k + 40)) && !/\w/.test(text[k - 1] ?? ' ')) {
      const hashes = (/^r(#*)"/.exec(text.slice(k, k + 40)) as RegExpExecArray)[1] as string;
      const open = k + 2 + hashes.length;
      const end = text.indexOf(`"${hashes}`, open);
      const e = end === -1 ? text.length : end;
      blank(out, text, open, e);
      k = e + 1 + hashes.length;
    } else if (ch === '"') {
      let e = k + 1;
      while (e < text.length && text[e] !== '"') e += text[e] === '\\' ? 2 : 1;
      blank(out, text, k + 1, Math.min(e, text.length));
      k = e + 1;
    } else if (ch === "'") {
      // char literal ('a', '\n', '\u{1F600}') or lifetime ('a, 'static)
      const m = /^'(\\(?:u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{2}|.)|[^\\'\n])'/u.exec(text.slice(k, k + 16));
      if (m) {
        blank(out, text, k + 1, k + m[0].length - 1);
        k += m[0].length;
      } else k++;
    } else k++;
  }
  return out.join('');
}

/** Index of the bracket closing the one at `open` (`(`, `[` or `{`) in a code view, or -1. */
export function matchBracket(code: string, open: number): number {
  const o = code[open];
  const c = o === '(' ? ')' : o === '[' ? ']' : o === '{' ? '}' : '';
  if (!c) return -1;
  let d = 0;
  for (let k = open; k < code.length; k++) {
    if (code[k] === o) d++;
    else if (code[k] === c && --d === 0) return k;
  }
  return -1;
}
