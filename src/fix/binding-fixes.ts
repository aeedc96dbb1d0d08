// Safe fixes for binding generators, for the rules that find undeclared Cython / pybind11 modules
// (src/rules, FT7xx). Each returns a Fix with edits by UTF-16 offsets into the file's text (BOM removed),
// or null when the shape is not certain. A rule attaches it with `ctx.report({ …, fix })`.
//
// Attach them only when the declaration is known to be accepted by the project's toolchain, which is
// what makes them safe in GIL builds:
//   - `# cython: freethreading_compatible=True` needs Cython >= 3.1 (older Cython rejects the unknown directive);
//   - `py::mod_gil_not_used()` needs pybind11 >= 2.13 (the third argument of PYBIND11_MODULE).
// In GIL builds both are ignored.
import type { Fix } from '../engine/types.js';

export const CYTHON_DIRECTIVE = '# cython: freethreading_compatible=True';

/**
 * Cython: add the directive to the file's header comments (after a shebang, encoding line and other
 * `# cython:` lines; directives are only read before the first statement).
 */
export function cythonDirectiveFix(text: string): Fix | null {
  if (/^#\s*cython:.*\bfreethreading_compatible\b/m.test(text)) return null;
  let at = 0;
  let insertAt = 0;
  for (;;) {
    const nl = text.indexOf('\n', at);
    const line = text.slice(at, nl === -1 ? text.length : nl).replace(/\r$/, '');
    const next = nl === -1 ? text.length : nl + 1;
    if (/^#!/.test(line) && at === 0) insertAt = next;
    else if (/^#.*coding[:=]/.test(line) && at <= insertAt) insertAt = next;
    else if (/^#\s*cython:/.test(line)) insertAt = next;
    else if (!/^\s*(#.*)?$/.test(line)) break; // first statement
    if (nl === -1) break;
    at = next;
  }
  const needsNewline = insertAt === text.length && text.length > 0 && !text.endsWith('\n');
  return { title: 'Declare the module free-threading compatible (Cython directive)', edits: [{ start: insertAt, end: insertAt, text: `${needsNewline ? '\n' : ''}${CYTHON_DIRECTIVE}\n` }] };
}

/**
 * pybind11: `PYBIND11_MODULE(name, m)` → `PYBIND11_MODULE(name, m, py::mod_gil_not_used())`.
 * `macroStart` is the offset of `PYBIND11_MODULE`; `code` the text with comments and strings blanked
 * (same offsets), or the text itself.
 */
export function pybind11ModGilFix(text: string, code: string, macroStart: number): Fix | null {
  const open = code.indexOf('(', macroStart);
  if (open === -1 || !/^PYBIND11_MODULE\s*$/.test(code.slice(macroStart, open))) return null;
  let depth = 0;
  let commas = 0;
  let close = -1;
  for (let k = open; k < code.length; k++) {
    const ch = code[k];
    if (ch === '(' || ch === '<' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === '>' || ch === ']' || ch === '}') {
      if (--depth === 0) {
        close = k;
        break;
      }
    } else if (ch === ',' && depth === 1) commas++;
  }
  if (close === -1 || commas !== 1) return null;
  const ns = /\bnamespace\s+py\s*=\s*(::)?pybind11\s*;/.test(code) ? 'py' : 'pybind11';
  return { title: `Declare that the module does not need the GIL (${ns}::mod_gil_not_used())`, edits: [{ start: close, end: close, text: `, ${ns}::mod_gil_not_used()` }] };
}
