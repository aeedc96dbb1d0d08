// `--fix` and `--diff`: collect the fixes of the reported findings, apply them per file, write the
// files (or show a unified diff), and tell which findings were fixed.
import { chmodSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { lowerC } from '../parse/lower.js';
import { initParsers, parse, type Grammar } from '../parse/parser.js';
import type { Edit, Finding, Fix } from '../engine/types.js';
import { LineMap } from '../parse/source.js';
import { applyFixes, readFixSource, withEol } from './apply.js';

export interface FileChange {
  path: string;
  before: string;
  after: string;
  /** Edits applied, in the file's line endings, by offsets into `before` without its BOM. */
  edits: Edit[];
  bom: boolean;
}

export interface FixPlan {
  changes: FileChange[];
  fixed: Set<Finding>;
}

export function planFixes(findings: readonly Finding[], cwd: string): FixPlan {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) if (f.fix && f.fix.edits.length > 0) byFile.set(f.path, [...(byFile.get(f.path) ?? []), f]);
  const changes: FileChange[] = [];
  const fixed = new Set<Finding>();
  for (const [path, list] of byFile) {
    const src = readFixSource(resolve(cwd, path));
    if (!src) continue;
    const { output, applied } = applyFixes(src, list.map((f) => f.fix as Fix));
    if (applied.length === 0) continue;
    for (const f of list) if (applied.includes(f.fix as Fix)) fixed.add(f);
    const edits = applied.flatMap((x) => x.edits).map((e) => ({ ...e, text: withEol(e.text, src.eol) }));
    changes.push({ path, before: src.text, after: output, edits, bom: src.bom });
  }
  return { changes, fixed };
}

export interface Refusal {
  path: string;
  reason: string;
}

/**
 * Writes the fixed files safely: only regular files inside the scanned tree (a symlink is followed only when
 * its target is inside it too), only when the fixed text still parses as cleanly as before, atomically
 * (a temporary file in the same directory, renamed over the original) and keeping the file's mode.
 */
export async function writeChanges(plan: FixPlan, cwd: string, roots: string[]): Promise<Refusal[]> {
  const refused: Refusal[] = [];
  const realRoots = roots.map((r) => {
    try {
      return realpathSync(resolve(cwd, r));
    } catch {
      return resolve(cwd, r);
    }
  });
  const inside = (p: string) => realRoots.some((r) => p === r || p.startsWith(r.endsWith(sep) ? r : r + sep));
  for (const c of plan.changes) {
    const target = resolve(cwd, c.path);
    let real: string;
    try {
      real = realpathSync(target);
      if (!statSync(real).isFile()) throw new Error('not a regular file');
    } catch (e) {
      refused.push({ path: c.path, reason: `cannot write it: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    if (!inside(real)) {
      refused.push({ path: c.path, reason: `it is a symlink to ${real}, outside the checked tree` });
      continue;
    }
    if (!(await parsesAsCleanly(c.path, c.before, c.after))) {
      refused.push({ path: c.path, reason: 'the fixed text would not parse as cleanly as the original' });
      continue;
    }
    const tmp = join(dirname(real), `.${basename(real)}.ftlint-${process.pid}.tmp`);
    try {
      const mode = statSync(real).mode & 0o7777;
      writeFileSync(tmp, c.after, { mode });
      chmodSync(tmp, mode);
      renameSync(tmp, real);
    } catch (e) {
      rmSync(tmp, { force: true });
      refused.push({ path: c.path, reason: `writing failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return refused;
}

/** A C/C++/Python file must not gain syntax errors from a fix (other languages are checked by their tests). */
async function parsesAsCleanly(path: string, before: string, after: string): Promise<boolean> {
  const grammar: Grammar | null = /\.(c|h)$/.test(path) ? 'c' : /\.(cc|cpp|cxx|hpp|hh|hxx)$/.test(path) ? 'cpp' : /\.py$/.test(path) ? 'python' : null;
  if (!grammar) return true;
  await initParsers();
  const errors = (raw: string) => {
    const text = raw.replace(/^\ufeff/, '');
    // Directive lines (a fix adds `#if PY_VERSION_HEX …` inside an initializer, where tree-sitter cannot place
    // them) are blanked for this comparison: it is about the C the fix writes.
    const tree = parse(grammar, grammar === 'python' ? text : lowerC(text).text.replace(/^[ \t]*#.*$/gm, (l) => ' '.repeat(l.length)));
    if (!tree) return Infinity;
    const bad = tree.rootNode.hasError;
    tree.delete();
    return bad ? 1 : 0;
  };
  return errors(after) <= errors(before);
}

/** A unified diff (3 lines of context) of one change, as `diff -u` / `git diff` print it. */
export function unifiedDiff(c: FileChange): string {
  const text = c.before;
  const map = new LineMap(text);
  // LineMap counts the empty line after a final newline; a diff does not.
  const starts = text.endsWith('\n') ? map.starts.slice(0, -1) : map.starts;
  const lineOf = (off: number) => map.lineIndex(off);
  const lineEnd = (li: number) => (li + 1 < starts.length ? (starts[li + 1] as number) : text.length);
  const oldLines = starts.map((s, i) => text.slice(s, lineEnd(i)));
  // Regions of whole lines touched by edits, merged when they overlap or touch.
  type Region = { a: number; b: number; edits: Edit[] };
  const regions: Region[] = [];
  for (const e of [...c.edits].sort((x, y) => x.start - y.start)) {
    const a = lineOf(Math.min(e.start, Math.max(0, text.length - 1)));
    const b = e.end > e.start ? lineOf(e.end - 1) : a;
    const last = regions[regions.length - 1];
    if (last && a <= last.b + 1) {
      last.b = Math.max(last.b, b);
      last.edits.push(e);
    } else regions.push({ a, b, edits: [e] });
  }
  const split = (s: string): string[] => (s === '' ? [] : [...(s.match(/[^\n]*\n|[^\n]+$/g) ?? [])]);
  const hunks: { oldStart: number; oldLen: number; newLen: number; body: string[] }[] = [];
  let cur: { oldStart: number; oldEnd: number; body: string[]; newLen: number } | null = null;
  const CONTEXT = 3;
  for (const r of regions) {
    const from = starts[r.a] as number;
    const to = lineEnd(r.b);
    let region = text.slice(from, to);
    for (const e of [...r.edits].sort((x, y) => y.start - x.start)) region = region.slice(0, e.start - from) + e.text + region.slice(e.end - from);
    let oldPart = oldLines.slice(r.a, r.b + 1);
    let newPart = split(region);
    let a = r.a;
    while (oldPart.length && newPart.length && oldPart[0] === newPart[0]) {
      oldPart = oldPart.slice(1);
      newPart = newPart.slice(1);
      a++;
    }
    while (oldPart.length && newPart.length && oldPart[oldPart.length - 1] === newPart[newPart.length - 1]) {
      oldPart = oldPart.slice(0, -1);
      newPart = newPart.slice(0, -1);
    }
    const b = a + oldPart.length; // exclusive
    const ctxStart = Math.max(0, a - CONTEXT);
    if (cur && ctxStart <= cur.oldEnd + CONTEXT) {
      for (let k = cur.oldEnd; k < a; k++) cur.body.push(` ${oldLines[k]}`);
      cur.newLen += a - cur.oldEnd;
    } else {
      if (cur) hunks.push(closeHunk(cur, oldLines, CONTEXT));
      cur = { oldStart: ctxStart, oldEnd: ctxStart, body: [], newLen: 0 };
      for (let k = ctxStart; k < a; k++) cur.body.push(` ${oldLines[k]}`);
      cur.newLen += a - ctxStart;
    }
    for (const l of oldPart) cur.body.push(`-${l}`);
    for (const l of newPart) cur.body.push(`+${l}`);
    cur.newLen += newPart.length;
    cur.oldEnd = b;
  }
  if (cur) hunks.push(closeHunk(cur, oldLines, CONTEXT));
  const out = [`--- a/${c.path}\n`, `+++ b/${c.path}\n`];
  let delta = 0;
  for (const h of hunks) {
    const newStart = h.oldStart + delta;
    out.push(`@@ -${h.oldLen === 0 ? h.oldStart : h.oldStart + 1},${h.oldLen} +${h.newLen === 0 ? newStart : newStart + 1},${h.newLen} @@\n`);
    delta += h.newLen - h.oldLen;
    for (const l of h.body) out.push(l.endsWith('\n') ? l : `${l}\n\\ No newline at end of file\n`);
  }
  return out.join('');
}

function closeHunk(cur: { oldStart: number; oldEnd: number; body: string[]; newLen: number }, oldLines: string[], context: number) {
  const end = Math.min(oldLines.length, cur.oldEnd + context);
  for (let k = cur.oldEnd; k < end; k++) cur.body.push(` ${oldLines[k]}`);
  cur.newLen += end - cur.oldEnd;
  const oldLen = cur.body.filter((l) => !l.startsWith('+')).length;
  return { oldStart: cur.oldStart, oldLen, newLen: cur.newLen, body: cur.body };
}
