// Safe fixes for the FT1 module declarations: edits that cannot change behaviour in GIL builds.
//
//   FT101  add `{Py_mod_gil, Py_MOD_GIL_NOT_USED},` to an existing slot array, before its `{0, NULL}`
//          terminator; under `#if PY_VERSION_HEX >= 0x030D0000` unless every supported CPython is 3.13+
//          (older versions reject unknown slots; 3.13+ GIL builds accept and ignore it).
//   FT102  call `PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED)` under `#ifdef Py_GIL_DISABLED` (the
//          function only exists in free-threaded builds) right after single-phase module creation: after the
//          `if (m == NULL) …` check that follows it, or guarded by `if (m != NULL)`; a `return
//          PyModule_Create(&def);` becomes a variable, the guarded call, and `return` of the variable.
//
// A fix is offered only where the edit's shape is certain (the construct starts its own line, in a
// block); elsewhere the finding stays without a fix.
import type { Edit, Fix } from '../engine/types.js';
import { matchBrace } from '../engine/facts.js';

export const SLOT_LINE = '{Py_mod_gil, Py_MOD_GIL_NOT_USED},';
export const VERSION_GUARD = '#if PY_VERSION_HEX >= 0x030D0000';

export interface SlotArrayShape {
  name: string;
  /** Offset of `{0, NULL}`. */
  terminator: number;
  terminated: boolean;
  /** Start of the terminator's line when only blanks precede the terminator there, else null. */
  terminatorLineStart: number | null;
  /** Blanks right before the terminator. */
  terminatorGap: number;
  indent: string;
  opaque: boolean;
}

/** FT101: add the slot to an existing array. `minMinor`: oldest supported CPython 3.x minor (null: unknown). */
export function slotArrayFix(arr: SlotArrayShape, minMinor: number | null): Fix | null {
  if (!arr.terminated || arr.opaque) return null;
  const guard = minMinor === null || minMinor < 13;
  const ind = arr.indent;
  let edit: Edit;
  if (arr.terminatorLineStart !== null) {
    const text = guard ? `${VERSION_GUARD}\n${ind}${SLOT_LINE}\n#endif\n` : `${ind}${SLOT_LINE}\n`;
    edit = { start: arr.terminatorLineStart, end: arr.terminatorLineStart, text };
  } else {
    // `{Py_mod_exec, f}, {0, NULL}` on one line: the guarded slot goes on lines of its own.
    edit = guard
      ? { start: arr.terminator - arr.terminatorGap, end: arr.terminator, text: `\n${VERSION_GUARD}\n${ind}${SLOT_LINE}\n#endif\n${ind}` }
      : { start: arr.terminator, end: arr.terminator, text: `${SLOT_LINE} ` };
  }
  return { title: `Declare {Py_mod_gil, Py_MOD_GIL_NOT_USED} in '${arr.name}'${guard ? ' (for CPython 3.13+)' : ''}`, edits: [edit] };
}

const SET_GIL = (v: string) => `PyUnstable_Module_SetGIL(${v}, Py_MOD_GIL_NOT_USED);`;
const LVALUE = /^[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)*$/;

function lineStartOf(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** Offset just past the line holding `at` (after its `\n`), or the end of the text. */
function nextLineStart(text: string, at: number): number {
  const nl = text.indexOf('\n', at);
  return nl === -1 ? text.length : nl + 1;
}

/** Offset just past the `;` that ends the statement containing `from`, at bracket depth 0; -1 if a block boundary comes first. */
function statementEnd(code: string, from: number): number {
  let depth = 0;
  for (let k = from; k < code.length; k++) {
    const ch = code[k];
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (depth === 0 && ch === ';') return k + 1;
    else if (ch === '{' || ch === '}') return -1;
  }
  return -1;
}

/** Start of the statement containing `at`: after the previous `;`, `{`, `}` or preprocessor line. */
function statementStart(code: string, at: number): { start: number; inBlock: boolean } {
  let k = at - 1;
  for (; k >= 0; k--) {
    const ch = code[k] as string;
    if (ch === ';' || ch === '{' || ch === '}') break;
    if (ch === '\n') {
      // a preprocessor line above ends the search too
      const ls = lineStartOf(code, k);
      if (/^[ \t]*#/.test(code.slice(ls, k))) break;
    }
  }
  let s = k + 1;
  while (s < at && /\s/.test(code[s] as string)) s++;
  return { start: s, inBlock: true };
}

/** Blank from `at` to the end of its line (code view: comments are blank already). */
function restOfLineBlank(code: string, at: number): boolean {
  const nl = code.indexOf('\n', at);
  return /^[ \t\r]*$/.test(code.slice(at, nl === -1 ? code.length : nl));
}

/**
 * FT102: insert the guarded PyUnstable_Module_SetGIL call after the creation call at [callStart, callEnd).
 * `code` is the code view (comments and strings blanked, same offsets), `text` the original,
 * `fnBody` the span of the enclosing function (for a fresh variable name).
 */
export function setGilFix(code: string, text: string, callStart: number, callEnd: number, assignedTo: string | null, fnBody: { start: number; end: number } | null): Fix | null {
  const stmtEnd = statementEnd(code, callEnd);
  if (stmtEnd === -1) return null;
  const { start: stmtStart } = statementStart(code, callStart);
  const lineStart = lineStartOf(text, stmtStart);
  const indent = text.slice(lineStart, stmtStart);
  if (!/^[ \t]*$/.test(indent) || !restOfLineBlank(code, stmtEnd)) return null;
  // The statement must sit in a block (after `;`, `{`, `}` or a directive), not be the body of a braceless if/else/loop.
  const before = code.slice(0, lineStart).replace(/\s+$/, '');
  const lastLine = before.slice(before.lastIndexOf('\n') + 1);
  if (before !== '' && !/[;{}]$/.test(before) && !/^[ \t]*#/.test(lastLine)) return null;
  const inner = indent + (indent.includes('\t') ? '\t' : '    ');
  const guarded = (v: string) => `#ifdef Py_GIL_DISABLED\n${indent}if (${v} != NULL) {\n${inner}${SET_GIL(v)}\n${indent}}\n#endif\n`;
  const title = 'Declare that the module does not need the GIL (PyUnstable_Module_SetGIL, free-threaded builds only)';
  const stmt = code.slice(stmtStart, stmtEnd);

  if (assignedTo !== null && LVALUE.test(assignedTo)) {
    const v = assignedTo;
    const at = nextLineStart(text, stmtEnd);
    const check = nullCheckEnd(code, at, v);
    if (check !== -1) {
      return { title, edits: [{ start: nextLineStart(text, check), end: nextLineStart(text, check), text: `${text.length === check ? '\n' : ''}#ifdef Py_GIL_DISABLED\n${indent}${SET_GIL(v)}\n#endif\n` }] };
    }
    return { title, edits: [{ start: at, end: at, text: `${at === text.length && !text.endsWith('\n') ? '\n' : ''}${guarded(v)}` }] };
  }

  // `return PyModule_Create(&def);`
  const call = text.slice(callStart, callEnd);
  if (assignedTo === null && /^return\s/.test(stmt) && stmt.slice(6).trim().replace(/;$/, '').trim() === code.slice(callStart, callEnd)) {
    const body = fnBody ? code.slice(fnBody.start, fnBody.end) : code;
    const name = ['module', 'mod', 'ftlint_module'].find((n) => !new RegExp(`\\b${n}\\b`).test(body));
    if (!name) return null;
    const replacement = `PyObject *${name} = ${call};\n${guarded(name)}${indent}return ${name};`;
    return { title, edits: [{ start: stmtStart, end: stmtEnd, text: replacement }] };
  }
  return null;
}

/** If the statement starting at or after `at` is `if (!v)` / `if (v == NULL)` with no else, the offset just past it; else -1. */
function nullCheckEnd(code: string, at: number, v: string): number {
  let k = at;
  while (k < code.length && /\s/.test(code[k] as string)) k++;
  const esc = v.replace(/[.*+?^${}()|[\]\\>-]/g, '\\$&');
  const re = new RegExp(`^if\\s*\\(\\s*(?:!\\s*${esc}|${esc}\\s*==\\s*(?:NULL|0|nullptr)|(?:NULL|0|nullptr)\\s*==\\s*${esc})\\s*\\)\\s*`);
  const m = re.exec(code.slice(k, k + 400));
  if (!m) return -1;
  let b = k + m[0].length;
  let end: number;
  if (code[b] === '{') {
    const close = matchBrace(code, b);
    if (close === -1) return -1;
    end = close + 1;
  } else {
    end = statementEnd(code, b);
    if (end === -1) return -1;
  }
  b = end;
  while (b < code.length && /\s/.test(code[b] as string)) b++;
  if (/^else\b/.test(code.slice(b, b + 5))) return -1;
  return restOfLineBlank(code, end) ? end : -1;
}
