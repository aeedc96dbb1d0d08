// The enclosing unit of each line, for "same function" matching: a C/C++ function definition or other
// top-level declaration (by brace depth, ignoring comments, strings and preprocessor lines; `extern "C"`
// and `namespace` blocks are transparent), or a Cython/Python `def`/`cdef`/`cpdef` function (by
// indentation). The harness computes units itself so that the yardstick does not depend on ftlint's parser.

/** For each 1-based line, the 1-based line where its unit starts, or 0 outside any unit. Index 0 is unused. */
export type Units = Int32Array;

export function unitsOf(text: string, path: string): Units {
  return /\.(pyx|pxd|pxi|py)$/i.test(path) ? indentUnits(text) : braceUnits(text);
}

function braceUnits(text: string): Units {
  const units = new Int32Array(text.split('\n').length + 2);
  let line = 1;
  let depth = 0; // brace depth inside the current unit
  let unitStart = 0; // 0: between units
  let head = ''; // the unit's text at depth 0 before its first brace
  let isFunction = false; // the unit's first brace opened a function body: its closing brace ends the unit
  const transparent: boolean[] = []; // open braces of `namespace` / `extern "C"` blocks
  let atLineStart = true;
  const n = text.length;
  const mark = () => {
    if (unitStart && units[line] === 0) units[line] = unitStart;
  };
  const endUnit = () => {
    unitStart = 0;
    head = '';
    isFunction = false;
  };
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      if (c === '\n') line++, (atLineStart = true);
      if (unitStart && depth === 0 && !head.endsWith(' ')) head += ' ';
      i++;
      continue;
    }
    if (atLineStart && c === '#') {
      // A preprocessor line (with its continuations) belongs to no unit.
      while (i < n && text[i] !== '\n') {
        if (text[i] === '\\' && text[i + 1] === '\n') line++, i++;
        i++;
      }
      continue;
    }
    atLineStart = false;
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      i += 2;
      while (i < n && !(text[i] === '*' && text[i + 1] === '/')) {
        if (text[i] === '\n') line++, mark();
        i++;
      }
      i += 2;
      continue;
    }
    if (!unitStart) unitStart = line;
    mark();
    if (c === '"' || c === "'") {
      const from = i++;
      while (i < n && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      if (depth === 0 && head.indexOf('{') < 0) head += text.slice(from, Math.min(i, from + 8));
      continue;
    }
    if (c === '{') {
      if (depth === 0 && /(\bnamespace\b[\w\s:]*|\bextern\s*"C"\s*)$/.test(head)) {
        transparent.push(true);
        endUnit();
      } else {
        if (depth === 0 && head.indexOf('{') < 0) isFunction = /\)[\w\s:&*<>,()-]*$/.test(head) && !/=/.test(head);
        transparent.push(false);
        depth++;
        head += '{';
      }
    } else if (c === '}') {
      if (transparent.pop()) endUnit();
      else if (depth > 0 && --depth === 0 && isFunction) endUnit();
    } else if (c === ';' && depth === 0) endUnit();
    else if (depth === 0 && head.indexOf('{') < 0) head += c;
    i++;
  }
  return units;
}

const DEF = /^(\s*)(?:async\s+)?(?:def|cpdef|cdef)\b(?!\s+(?:class|extern|struct|union|enum|packed|ctypedef|public\s+class|readonly\s+class)\b)[^#]*\(/;

function indentUnits(text: string): Units {
  const lines = text.split('\n');
  const units = new Int32Array(lines.length + 2);
  const indentOf = (s: string) => s.length - s.trimStart().length;
  // Stack of open functions: [indent, start line].
  const funcs: [number, number][] = [];
  for (let k = 0; k < lines.length; k++) {
    const s = lines[k]!.replace(/\t/g, '        ');
    if (s.trim() === '' || s.trimStart().startsWith('#')) {
      const top = funcs[funcs.length - 1];
      if (top) units[k + 1] = top[1];
      continue;
    }
    const ind = indentOf(s);
    while (funcs.length && ind <= funcs[funcs.length - 1]![0]) funcs.pop();
    const m = DEF.exec(s);
    if (m) {
      // A body follows: the next non-blank line is indented deeper (a .pxd declaration has none).
      // The header goes on while its parentheses are open.
      let headerEnd = k;
      let open = 0;
      for (;;) {
        for (const ch of lines[headerEnd]!.replace(/#.*$/, '')) open += ch === '(' ? 1 : ch === ')' ? -1 : 0;
        if (open <= 0 || headerEnd + 1 >= lines.length || headerEnd - k >= 20) break;
        headerEnd++;
      }
      let j = headerEnd + 1;
      while (j < lines.length && (lines[j]!.trim() === '' || lines[j]!.trimStart().startsWith('#'))) j++;
      const oneLiner = /:\s*\S/.test(lines[headerEnd]!.replace(/#.*$/, '').replace(/^[^)]*\)/, ''));
      if (oneLiner || (j < lines.length && indentOf(lines[j]!.replace(/\t/g, '        ')) > ind)) {
        funcs.push([ind, k + 1]);
        for (let h = k; h <= headerEnd; h++) units[h + 1] = k + 1;
        k = headerEnd;
        if (oneLiner) funcs.pop();
        continue;
      }
    }
    const top = funcs[funcs.length - 1];
    if (top) units[k + 1] = top[1];
  }
  return units;
}
