// Offset-preserving lowering of CPython's statement-like macros, done once before parsing C/C++.
//
// `Py_BEGIN_CRITICAL_SECTION(op);` becomes `{` padded with spaces to the same length and
// `Py_END_CRITICAL_SECTION();` becomes `}` likewise, so each region parses as a compound statement and
// every offset in the lowered text is the offset in the original. The same scan records the regions
// (with the objects locked), the preprocessor conditions in force at each offset, and `#define`s of
// interest, without being fooled by comments, strings or character literals.

import { TargetEnv, type TargetKind, type Tri } from './target.js';

export type RegionKind = 'cs' | 'cs2' | 'cs_mutex' | 'cs2_mutex' | 'allow_threads';

export interface MacroUse {
  /** Macro name as written (a project alias keeps its own name). */
  name: string;
  /** Offset of the macro name. */
  start: number;
  /** Offset just past the macro's closing parenthesis (or name). */
  end: number;
  /** Arguments as written, trimmed. */
  args: string[];
}

export interface Region {
  kind: RegionKind;
  begin: MacroUse;
  /** The END that closed it, or null if none did. */
  end: MacroUse | null;
}

export interface RegionMismatch {
  kind: 'unclosed' | 'unopened' | 'mismatched' | 'branches-disagree' | 'end-has-args';
  at: MacroUse;
  other?: MacroUse;
}

export interface CondFrame {
  /** Normalised condition text, e.g. `defined(Py_GIL_DISABLED)`, `!defined(Py_GIL_DISABLED)`, `PY_VERSION_HEX >= 0x030D0000`. */
  cond: string;
  /** Offset of the directive line that opened this branch. */
  at: number;
}

export interface CondSegment {
  start: number;
  frames: CondFrame[];
}

export interface Define {
  name: string;
  params: string[] | null;
  body: string;
  start: number;
  end: number;
}

export interface Lowered {
  text: string;
  regions: Region[];
  mismatches: RegionMismatch[];
  /** `Py_BLOCK_THREADS` / `Py_UNBLOCK_THREADS` uses. */
  threadToggles: MacroUse[];
  /** Preprocessor conditions, as sorted segments: the frames in force from `start` to the next segment. */
  conds: CondSegment[];
  defines: Define[];
  /** Offsets of every `#include` target, e.g. `pythoncapi_compat.h`. */
  includes: { path: string; start: number }[];
  /** Offsets of `PyMODINIT_FUNC` uses: the functions they start are module init functions, whatever their name. */
  modinit: number[];
  /**
   * Spans compiled out of every free-threaded build (a branch whose condition is false for the target, see
   * target.ts): blanked in `text`, so the parser sees the program the compiler sees. Empty without a target.
   */
  dead: { start: number; end: number }[];
}

type Lowering =
  | { role: 'begin'; kind: RegionKind; args: boolean }
  | { role: 'end'; kind: RegionKind; args: boolean }
  | { role: 'toggle' }
  | { role: 'replace'; with: string; noSemicolon?: string }
  | { role: 'strip-call'; prefix: string }
  | { role: 'blank' };

const BUILTIN: Record<string, Lowering> = {
  Py_BEGIN_ALLOW_THREADS: { role: 'begin', kind: 'allow_threads', args: false },
  Py_END_ALLOW_THREADS: { role: 'end', kind: 'allow_threads', args: false },
  Py_BEGIN_CRITICAL_SECTION: { role: 'begin', kind: 'cs', args: true },
  Py_END_CRITICAL_SECTION: { role: 'end', kind: 'cs', args: true },
  Py_BEGIN_CRITICAL_SECTION2: { role: 'begin', kind: 'cs2', args: true },
  Py_END_CRITICAL_SECTION2: { role: 'end', kind: 'cs2', args: true },
  Py_BEGIN_CRITICAL_SECTION_MUTEX: { role: 'begin', kind: 'cs_mutex', args: true },
  Py_BEGIN_CRITICAL_SECTION2_MUTEX: { role: 'begin', kind: 'cs2_mutex', args: true },
  // CPython-internal, and NumPy's equivalent, seen in real code:
  Py_BEGIN_CRITICAL_SECTION_SEQUENCE_FAST: { role: 'begin', kind: 'cs', args: true },
  Py_END_CRITICAL_SECTION_SEQUENCE_FAST: { role: 'end', kind: 'cs', args: true },
  NPY_BEGIN_CRITICAL_SECTION_SEQUENCE_FAST: { role: 'begin', kind: 'cs', args: true },
  NPY_END_CRITICAL_SECTION_SEQUENCE_FAST: { role: 'end', kind: 'cs', args: true },
  Py_BLOCK_THREADS: { role: 'toggle' },
  Py_UNBLOCK_THREADS: { role: 'toggle' },
  PyObject_HEAD: { role: 'replace', with: 'PyObject  ob;', noSemicolon: 'PyObject   ob' },
  PyObject_VAR_HEAD: { role: 'replace', with: 'PyVarObject   ob;', noSemicolon: 'PyVarObject    ob' },
  PyMODINIT_FUNC: { role: 'replace', with: 'PyObject *    ' },
  Py_LOCAL_INLINE: { role: 'strip-call', prefix: 'static inline' },
  Py_LOCAL: { role: 'strip-call', prefix: 'static' },
  Py_UNUSED: { role: 'strip-call', prefix: '' },
  _Py_COMP_DIAG_PUSH: { role: 'blank' },
  _Py_COMP_DIAG_POP: { role: 'blank' },
  _Py_COMP_DIAG_IGNORE_DEPR_DECLS: { role: 'blank' },
};

/** Which region kinds an END of `endKind` may close. */
function closes(endKind: RegionKind, beginKind: RegionKind): boolean {
  if (endKind === 'cs') return beginKind === 'cs' || beginKind === 'cs_mutex';
  if (endKind === 'cs2') return beginKind === 'cs2' || beginKind === 'cs2_mutex';
  return endKind === beginKind;
}

/** Can start a C identifier: ASCII letter or `_` (by character code). */
export function isIdStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
/** Can continue a C identifier: letter, digit or `_`, exactly what `\w` matches. */
export function isIdChar(c: number): boolean {
  return isIdStart(c) || (c >= 48 && c <= 57);
}

/** Splits a macro argument list at top-level commas. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '' || out.length > 0) out.push(cur.trim());
  return out;
}

/** Normalises one `#if` expression for later matching: collapse spaces, drop outer parens. */
function normCond(s: string): string {
  let t = s.replace(/\/\*.*?\*\//g, ' ').replace(/\/\/.*$/, '').replace(/\s+/g, ' ').trim();
  while (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1).trim();
  return t;
}
/** Parentheses in `s` never close more than they opened and all close. */
export function balanced(s: string): boolean {
  let d = 0;
  for (const ch of s) {
    if (ch === '(') d++;
    else if (ch === ')' && --d < 0) return false;
  }
  return d === 0;
}
export function negateCond(c: string): string {
  if (c.startsWith('!') && !c.startsWith('!=')) {
    const rest = c.slice(1).trim();
    return rest.startsWith('(') && rest.endsWith(')') && balanced(rest.slice(1, -1)) ? rest.slice(1, -1) : rest;
  }
  return /^[\w.()]+$/.test(c) ? `!${c}` : `!(${c})`;
}

interface CondState {
  frames: CondFrame[];
  /** Whether the current branch is compiled, given that the enclosing code is: true, false, or unknown (null). */
  branch: Tri;
  /** Whether an earlier branch (or this one) is certainly taken, possibly (null), or certainly not. */
  taken: Tri;
  /** Every branch's fate is known so far: the directive lines can go too, leaving the live branch bare. */
  decided: boolean;
  /** Opened inside dead code: its whole text is blanked with it. */
  inDead: boolean;
  /** The group's directive lines. */
  lines: [number, number][];
  // For region matching across branches:
  stackAtIf: Region[];
  firstBranchEnd: Region[] | null;
  branchEnds: Region[][];
  prevConds: string[];
}

/**
 * Lowers `src`. With a `target` (the kind of file), also evaluates its `#if`s for the free-threaded build and
 * blanks what that build never compiles: dead branches, and the directive lines of groups whose outcome is
 * certain (so `#if PY_MAJOR_VERSION >= 3` head `#else` head `#endif` body parses as one function).
 */
export interface LowerOptions {
  /** The file's path, passed to `include` to resolve `#include "…"` relative to it. */
  path?: string;
  /**
   * Reads a project header named by `#include "name"` in `from` (null when it is not the project's): its
   * `#define`s and `#undef`s then count for the file's conditions, as the compiler sees them.
   */
  include?: (name: string, from: string) => { path: string; text: string } | null;
  /** Internal: the macro state shared with the including file, its certainty, depth and the headers read. */
  env?: TargetEnv;
  outerCertain?: boolean;
  depth?: number;
  seen?: Set<string>;
  directivesOnly?: boolean;
}

const MAX_INCLUDE_DEPTH = 6;
/** Macros that make a declaration thread-local or atomic: kept, whatever their place. */
const THREAD_SAFE_MACRO = /TLS|THREAD|ATOMIC/;
/** After an attribute-like macro: [storage/qualifiers] type, then a name and `;`/`=`/`[`/`(`, or the line ends after the type (a function head). */
const ATTRIBUTE_TAIL =
  /^[ \t]+(?:(?:static|extern|const|volatile|inline|unsigned|signed|struct|union|enum)[ \t]+)*[A-Za-z_]\w*(?:[ \t]*\*)*(?:[ \t]+\**[ \t]*[A-Za-z_]\w*[ \t]*(?:[;=[(]|$)|[ \t]*\**[ \t]*(?:\/\*.*\*\/[ \t]*)?\r?$)/;

export function lowerC(src: string, target: TargetKind | null = null, opts: LowerOptions = {}): Lowered {
  const n = src.length;
  const edits: [number, number, string][] = [];
  const replace = (start: number, end: number, text: string) => {
    edits.push([start, end, text]);
  };
  const env = opts.env ?? (target ? new TargetEnv(target) : null);
  const outerCertain = opts.outerCertain ?? true;
  const seen = opts.seen ?? new Set<string>(opts.path ? [opts.path] : []);
  const directivesOnly = opts.directivesOnly === true;
  const dead: { start: number; end: number }[] = [];
  let isDead = false;
  let deadFrom = 0;
  /** Replacement text of the same length: `ch` then spaces, newlines kept so lines stay lines. */
  const pad = (start: number, end: number, ch: string) => blankInto([ch], src, start + ch.length, end).join('');

  const macros = new Map<string, Lowering>(Object.entries(BUILTIN));
  const regions: Region[] = [];
  const mismatches: RegionMismatch[] = [];
  const toggles: MacroUse[] = [];
  const defines: Define[] = [];
  const includes: { path: string; start: number }[] = [];
  const modinit: number[] = [];
  const conds: CondSegment[] = [{ start: 0, frames: [] }];
  const condStack: CondState[] = [];
  let openRegions: Region[] = [];

  // Project-defined aliases: `#define LOCK(o) Py_BEGIN_CRITICAL_SECTION(o)` and friends. Found by a
  // quick pre-pass over directive lines, so uses before the define in file order also lower.
  const aliasRe = /^[ \t]*#[ \t]*define[ \t]+(\w+)(\([^)]*\))?[ \t]+(\w+)[ \t]*(\([^)]*\))?[ \t]*;?[ \t]*$/gm;
  for (let m = aliasRe.exec(src); m; m = aliasRe.exec(src)) {
    const target = BUILTIN[m[3] as string];
    if (target && (target.role === 'begin' || target.role === 'end') && !BUILTIN[m[1] as string]) {
      macros.set(m[1] as string, { ...target, args: m[2] !== undefined });
    }
  }

  // Most identifiers cannot be one of the macros: rule them out by first character and length before slicing.
  const macroFirst = new Set<number>();
  let macroMin = Infinity;
  let macroMax = 0;
  for (const k of macros.keys()) {
    macroFirst.add(k.charCodeAt(0));
    macroMin = Math.min(macroMin, k.length);
    macroMax = Math.max(macroMax, k.length);
  }

  let i = 0;
  let lineStart = true;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      i++;
      continue;
    }
    if (c === 47 && src.charCodeAt(i + 1) === 47) {
      // line comment (with backslash continuation)
      i += 2;
      while (i < n && src.charCodeAt(i) !== 10) {
        if (src.charCodeAt(i) === 92 && src.charCodeAt(i + 1) === 10) i++;
        i++;
      }
      continue;
    }
    if (c === 47 && src.charCodeAt(i + 1) === 42) {
      const e = src.indexOf('*/', i + 2);
      i = e === -1 ? n : e + 2;
      continue;
    }
    if (c === 35 && lineStart) {
      i = directive(i);
      lineStart = true;
      continue;
    }
    if (directivesOnly) {
      // A header read for its macros only: skip to the next line unless this one opens a comment or a literal
      // that could hide or span a line break.
      let k = i;
      for (let d = c; k < n && d !== 10 && d !== 47 && d !== 34 && d !== 39; d = src.charCodeAt(++k));
      if (k >= n || src.charCodeAt(k) === 10) {
        i = k;
        continue;
      }
    }
    const firstOnLine = lineStart;
    lineStart = false;
    if (c === 34 || c === 39) {
      i = skipQuoted(i);
      continue;
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < n && isIdChar(src.charCodeAt(j))) j++;
      // An export/visibility macro opening a declaration (`NPY_VISIBILITY_HIDDEN T name;`,
      // `NPY_NO_EXPORT PyObject *` + head): blanked, so the parser sees the declaration it prefixes.
      if (env && firstOnLine && !isDead && !directivesOnly && j - i >= 4 && c >= 65 && c <= 90 && attributeMacro(i, j)) {
        replace(i, j, ' '.repeat(j - i));
        i = j;
        continue;
      }
      // Raw string literals in C++ (R"(...)") — skip them whole.
      if (src.charCodeAt(j) === 34 && /^(?:u8|u|U|L)?R$/.test(src.slice(i, j))) {
        i = skipRaw(j);
        continue;
      }
      if (!isDead && !directivesOnly && j - i >= macroMin && j - i <= macroMax && macroFirst.has(c)) {
        const name = src.slice(i, j);
        const low = macros.get(name);
        if (low) j = lowerMacro(name, low, i, j);
      }
      i = j;
      continue;
    }
    i++;
  }
  for (const r of openRegions) mismatches.push({ kind: 'unclosed', at: r.begin });
  if (isDead) blankDead(deadFrom, n);
  edits.sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let copied = 0;
  for (const [start, end, text] of edits) {
    parts.push(src.slice(copied, start), text);
    copied = end;
  }
  parts.push(src.slice(copied));
  return {
    text: parts.join(''),
    regions,
    mismatches,
    threadToggles: toggles,
    conds,
    defines,
    includes,
    modinit,
    dead,
  };

  /** Code between `from` and `to` opens and closes its own braces, parentheses and brackets, and links no C++ block. */
  function selfContained(from: number, to: number): boolean {
    let depth = 0;
    for (let k = from; k < to; k++) {
      const d = src.charCodeAt(k);
      if (d === 47 && src.charCodeAt(k + 1) === 42) {
        const e = src.indexOf('*/', k + 2);
        k = e === -1 || e >= to ? to : e + 1;
      } else if (d === 47 && src.charCodeAt(k + 1) === 47) {
        while (k < to && src.charCodeAt(k) !== 10) k++;
      } else if (d === 34 || d === 39) {
        k = skipQuoted(k) - 1;
      } else if (d === 123 || d === 40 || d === 91) depth++;
      else if (d === 125 || d === 41 || d === 93) {
        if (--depth < 0) return false;
      }
    }
    return depth === 0 && !/\bextern\s*"C"/.test(src.slice(from, to));
  }

  /** `src[i, j)`, first on its line and in capitals, is followed by a type and a name (or a type ending the line). */
  function attributeMacro(i: number, j: number): boolean {
    for (let k = i; k < j; k++) {
      const d = src.charCodeAt(k);
      if (!((d >= 65 && d <= 90) || (d >= 48 && d <= 57) || d === 95)) return false;
    }
    // Never a storage class the rules read (`NPY_TLS static int x;` is thread-local).
    if (THREAD_SAFE_MACRO.test(src.slice(i, j))) return false;
    const eol = src.indexOf('\n', j);
    return ATTRIBUTE_TAIL.test(src.slice(j, eol === -1 ? n : Math.min(eol, j + 200)));
  }

  function blankDead(start: number, end: number): void {
    if (end <= start) return;
    dead.push({ start, end });
    replace(start, end, pad(start, end, ''));
  }

  /** Re-reads whether code here is compiled out, after a directive at [start, end) changed the group stack. */
  function updateDead(start: number, end: number): void {
    const now = condStack.some((st) => st.branch === false);
    if (now && !isDead) deadFrom = end;
    else if (!now && isDead) blankDead(deadFrom, start);
    isDead = now;
  }

  /** Code here is compiled for certain (given the target): every enclosing branch is. */
  function certain(): boolean {
    return outerCertain && condStack.every((st) => st.branch === true);
  }

  /** Applies a project header's `#define`s and `#undef`s to the macro state, as its inclusion here would. */
  function includeHeader(name: string): void {
    if (!env || !opts.include || !opts.path || (opts.depth ?? 0) >= MAX_INCLUDE_DEPTH) return;
    const h = opts.include(name, opts.path);
    if (!h || seen.has(h.path)) return;
    seen.add(h.path);
    // First inclusion: its include guard is not defined yet.
    const guard = includeGuard(h.text);
    if (guard) env.undef(guard, true);
    lowerC(h.text, 'header', { env, include: opts.include, path: h.path, outerCertain: certain(), depth: (opts.depth ?? 0) + 1, seen, directivesOnly: true });
  }

  function skipQuoted(start: number): number {
    const q = src.charCodeAt(start);
    let k = start + 1;
    while (k < n) {
      const d = src.charCodeAt(k);
      if (d === 92) k += 2;
      else if (d === q) return k + 1;
      else if (d === 10) return k; // unterminated: stop at end of line
      else k++;
    }
    return n;
  }

  function skipRaw(quote: number): number {
    const open = src.indexOf('(', quote);
    if (open === -1 || open - quote > 17) return skipQuoted(quote);
    const delim = src.slice(quote + 1, open);
    const close = src.indexOf(`)${delim}"`, open);
    return close === -1 ? n : close + delim.length + 2;
  }

  /** Finds the matching `)` for the `(` at `open`, skipping strings and comments. */
  function matchParen(open: number): number {
    let depth = 0;
    let k = open;
    while (k < n) {
      const d = src.charCodeAt(k);
      if (d === 34 || d === 39) {
        k = skipQuoted(k);
        continue;
      }
      if (d === 47 && src.charCodeAt(k + 1) === 42) {
        const e = src.indexOf('*/', k + 2);
        k = e === -1 ? n : e + 2;
        continue;
      }
      if (d === 40) depth++;
      else if (d === 41 && --depth === 0) return k;
      else if (d === 59 || d === 123 || d === 125) return -1; // `;`, `{`, `}` cannot be inside macro args here
      k++;
    }
    return -1;
  }

  function skipSpaces(k: number): number {
    while (k < n) {
      const d = src.charCodeAt(k);
      if (d === 32 || d === 9 || d === 13 || d === 10) k++;
      else break;
    }
    return k;
  }

  function lowerMacro(name: string, low: Lowering, start: number, idEnd: number): number {
    if (low.role === 'replace') {
      if (name === 'PyMODINIT_FUNC') modinit.push(start);
      const after = skipSpaces(idEnd);
      const text = low.noSemicolon && src.charCodeAt(after) === 59 ? low.noSemicolon : low.with;
      replace(start, idEnd, text);
      return idEnd;
    }
    if (low.role === 'blank' || low.role === 'toggle') {
      if (low.role === 'toggle') toggles.push({ name, start, end: idEnd, args: [] });
      // Py_BLOCK_THREADS has no `;` of its own in CPython's usage; turn it into an empty statement.
      replace(start, idEnd, pad(start, idEnd, low.role === 'toggle' ? ';' : ' '));
      return idEnd;
    }
    const open = skipSpaces(idEnd);
    const hasParen = src.charCodeAt(open) === 40;
    if (low.role === 'strip-call') {
      if (!hasParen) return idEnd;
      const close = matchParen(open);
      if (close === -1) return idEnd;
      const head = low.prefix.padEnd(open + 1 - start, ' ');
      if (head.length !== open + 1 - start) return idEnd;
      replace(start, open + 1, head);
      replace(close, close + 1, ' ');
      return close + 1;
    }
    let end = idEnd;
    let args: string[] = [];
    if (hasParen) {
      const close = matchParen(open);
      if (close === -1) return idEnd;
      end = close + 1;
      args = splitArgs(src.slice(open + 1, close));
    } else if (low.args && low.role === 'begin') {
      return idEnd; // a BEGIN without arguments is not a use (e.g. a name mentioned in a macro body)
    }
    const use: MacroUse = { name, start, end, args };
    // Replace the macro text (and one following `;`, which would otherwise be an empty statement
    // before `}` — harmless, so we leave it).
    replace(start, end, pad(start, end, low.role === 'begin' ? '{' : '}'));
    if (low.role === 'begin') {
      const r: Region = { kind: low.kind, begin: use, end: null };
      regions.push(r);
      openRegions.push(r);
    } else {
      if (args.length > 0) mismatches.push({ kind: 'end-has-args', at: use });
      // Close the innermost region this END can close.
      const top = openRegions[openRegions.length - 1];
      if (!top) mismatches.push({ kind: 'unopened', at: use });
      else {
        if (!closes(low.kind, top.kind)) mismatches.push({ kind: 'mismatched', at: use, other: top.begin });
        top.end = use;
        openRegions.pop();
      }
    }
    return end;
  }

  /** Handles one preprocessor line starting at `#`; returns the offset after it. */
  function directive(start: number): number {
    // Find the logical end (backslash continuations), skipping block comments that span lines.
    let k = start;
    let text = '';
    while (k < n) {
      const d = src.charCodeAt(k);
      if (d === 92 && (src.charCodeAt(k + 1) === 10 || (src.charCodeAt(k + 1) === 13 && src.charCodeAt(k + 2) === 10))) {
        k += src.charCodeAt(k + 1) === 13 ? 3 : 2;
        text += ' ';
        continue;
      }
      if (d === 47 && src.charCodeAt(k + 1) === 42) {
        const e = src.indexOf('*/', k + 2);
        k = e === -1 ? n : e + 2;
        text += ' ';
        continue;
      }
      if (d === 10) break;
      text += src[k];
      k++;
    }
    const m = /^#\s*(\w+)\s*(.*)$/s.exec(text.trim());
    if (!m) return k;
    const kw = m[1] as string;
    const rest = (m[2] as string).replace(/\/\/.*$/, '').trim();
    const evaluate = (expr: string): Tri => (env && !isDead ? env.evaluate(expr) : null);
    switch (kw) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        const cond = kw === 'if' ? normCond(rest) : kw === 'ifdef' ? `defined(${rest})` : `!defined(${rest})`;
        const frames = [...currentFrames(), { cond, at: start }];
        const c = evaluate(cond);
        condStack.push({ frames, stackAtIf: [...openRegions], firstBranchEnd: null, branchEnds: [], prevConds: [cond], branch: c, taken: c, decided: c !== null, inDead: isDead, lines: [[start, k]] });
        if (!directivesOnly) conds.push({ start, frames });
        updateDead(start, k);
        break;
      }
      case 'elif':
      case 'elifdef':
      case 'elifndef':
      case 'else': {
        const st = condStack[condStack.length - 1];
        if (!st) break;
        if (st.branch !== false) st.branchEnds.push([...openRegions]);
        openRegions = [...st.stackAtIf];
        st.lines.push([start, k]);
        const branchCond = kw === 'else' ? null : kw === 'elif' ? normCond(rest) : kw === 'elifdef' ? `defined(${rest})` : `!defined(${rest})`;
        // This branch's fate: dead once an earlier branch is certainly taken; `#else` is taken when none was.
        // (Evaluated even while the previous branch is dead: that deadness is this group's own.)
        const own: Tri = branchCond === null ? true : st.inDead || !env ? null : env.evaluate(branchCond);
        if (st.taken === true) st.branch = false;
        else if (st.taken === false) {
          st.branch = own;
          st.taken = own;
          st.decided &&= own !== null;
        } else {
          st.branch = own === false ? false : null;
          if (own === true) st.taken = true;
          st.decided = false;
        }
        const base = st.frames.slice(0, -1);
        const negs = st.prevConds.map(negateCond);
        const cond = branchCond === null ? negs.join(' && ') : [...negs, branchCond].join(' && ');
        if (kw !== 'else') st.prevConds.push(kw === 'elif' ? normCond(rest) : `defined(${rest})`);
        st.frames = [...base, { cond, at: start }];
        if (!directivesOnly) conds.push({ start, frames: st.frames });
        // The stack's own state is updated above; dead-ness is re-read with this group's new branch.
        updateDead(start, k);
        break;
      }
      case 'endif': {
        const st = condStack[condStack.length - 1];
        if (!st) break;
        if (st.branch !== false) st.branchEnds.push([...openRegions]);
        condStack.pop();
        updateDead(start, k);
        if (env && st.decided && !st.inDead && !isDead) {
          st.lines.push([start, k]);
          for (const [a, b] of st.lines) replace(a, b, pad(a, b, ''));
        } else if (env && !st.inDead && !isDead && st.lines.length === 1 && st.branch === null && selfContained((st.lines[0] as [number, number])[1], start)) {
          // One branch on an unknown condition (`#ifdef HAVE_X` … `#endif`): the parser reads it as compiled, without
          // directive lines that would cut an `else if` chain or an initializer apart. Its conditions are kept (conds).
          const [a, b] = st.lines[0] as [number, number];
          replace(a, b, pad(a, b, ''));
          replace(start, k, pad(start, k, ''));
        }
        const first = (st.branchEnds[0] ?? [...openRegions]) as Region[];
        // A branch-local BEGIN/END that the other branch does not mirror: compare region depth.
        if (st.branchEnds.length > 1 && st.branchEnds.some((b) => b.length !== first.length)) {
          const culprit = st.branchEnds.find((b) => b.length !== st.stackAtIf.length) ?? first;
          const r = culprit[culprit.length - 1] ?? st.stackAtIf[st.stackAtIf.length - 1];
          if (r) mismatches.push({ kind: 'branches-disagree', at: r.begin });
        }
        openRegions = [...first];
        if (!directivesOnly) conds.push({ start: k, frames: currentFrames() });
        break;
      }
      case 'undef': {
        if (env && !isDead && /^\w+$/.test(rest)) env.undef(rest, certain());
        break;
      }
      case 'define': {
        const dm = /^(\w+)(\(([^)]*)\))?\s*(.*)$/s.exec(rest);
        if (dm && env && !isDead) env.define(dm[1] as string, dm[2] !== undefined, dm[4] as string, certain());
        if (dm && !directivesOnly) {
          defines.push({
            name: dm[1] as string,
            params: dm[2] !== undefined ? (dm[3] as string).split(',').map((p) => p.trim()).filter(Boolean) : null,
            body: (dm[4] as string).trim(),
            start,
            end: k,
          });
        }
        break;
      }
      case 'include': {
        const im = /^([<"])([^>"]+)[>"]/.exec(rest);
        if (im) {
          includes.push({ path: im[2] as string, start });
          if (im[1] === '"' && !isDead) includeHeader(im[2] as string);
        }
        break;
      }
    }
    return k;
  }

  function currentFrames(): CondFrame[] {
    const top = condStack[condStack.length - 1];
    return top ? top.frames : [];
  }
}

/** The macro of a header's include guard (`#ifndef X` then `#define X` before any code), or null. */
export function includeGuard(text: string): string | null {
  let k = 0;
  const n = text.length;
  // Skip white space and comments (one linear scan: no regex that could backtrack over many comments).
  for (;;) {
    while (k < n && /\s/.test(text[k] as string)) k++;
    if (text.startsWith('/*', k)) {
      const e = text.indexOf('*/', k + 2);
      if (e < 0) return null;
      k = e + 2;
    } else if (text.startsWith('//', k)) {
      const e = text.indexOf('\n', k);
      if (e < 0) return null;
      k = e + 1;
    } else break;
  }
  const m = /^#[ \t]*ifndef[ \t]+(\w+)[^\n]*\n[ \t]*#[ \t]*define[ \t]+(\w+)/.exec(text.slice(k, k + 400));
  return m && m[1] === m[2] ? (m[1] as string) : null;
}

/** Whether `offset` is in code the free-threaded build never compiles (a blanked span). */
export function inDead(lowered: Lowered, offset: number): boolean {
  const d = lowered.dead;
  let lo = 0;
  let hi = d.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = d[mid] as { start: number; end: number };
    if (offset < s.start) hi = mid - 1;
    else if (offset >= s.end) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The preprocessor frames in force at `offset`. */
export function condsAt(segments: CondSegment[], offset: number): CondFrame[] {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((segments[mid] as CondSegment).start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return (segments[lo] as CondSegment).frames;
}

/**
 * The same text with comments and the contents of string and character literals replaced by spaces
 * (quotes and newlines kept), so regular expressions and brace matching over it see only code.
 * Offsets are unchanged.
 */
/** Appends `src[start, end)` with every character but newlines made a space, one run of spaces per line; returns `out`. */
function blankInto(out: string[], src: string, start: number, end: number): string[] {
  for (let k = start; k < end; ) {
    const nl = src.indexOf('\n', k);
    const stop = nl === -1 || nl >= end ? end : nl;
    if (stop > k) out.push(' '.repeat(stop - k));
    if (stop < end) out.push('\n');
    k = stop + 1;
  }
  return out;
}

export function codeView(src: string): string {
  const n = src.length;
  const out: string[] = [];
  let copied = 0;
  const blank = (start: number, end: number) => {
    out.push(src.slice(copied, start));
    blankInto(out, src, start, end);
    copied = end;
  };
  let i = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 47 && src.charCodeAt(i + 1) === 47) {
      let k = i + 2;
      while (k < n && src.charCodeAt(k) !== 10) {
        if (src.charCodeAt(k) === 92 && src.charCodeAt(k + 1) === 10) k++;
        k++;
      }
      blank(i, k);
      i = k;
    } else if (c === 47 && src.charCodeAt(i + 1) === 42) {
      const e = src.indexOf('*/', i + 2);
      const k = e === -1 ? n : e + 2;
      blank(i, k);
      i = k;
    } else if (c === 34 || c === 39) {
      let k = i + 1;
      while (k < n) {
        const d = src.charCodeAt(k);
        if (d === 92) k += 2;
        else if (d === c || d === 10) break;
        else k++;
      }
      if (k > n) k = n;
      blank(i + 1, k);
      i = k < n && src.charCodeAt(k) === c ? k + 1 : k;
    } else i++;
  }
  out.push(src.slice(copied));
  return out.join('');
}
