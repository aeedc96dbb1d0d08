// Compact, serialisable per-file facts: what crosses from the worker threads to project-level rules.
import type { ContainerFacts } from './containers.js';
import type { BindingFacts } from './bindings.js';
import type { CIndex } from './c-index.js';
import type { GlobalFacts } from './globals.js';
import type { ObjectFacts } from './objects.js';
import { calleeName, condTextsAt, functionName } from './c-index.js';
import { setGilFix } from '../fix/c-fixes.js';
import type { Finding, Fix, Language, Position } from './types.js';
import type { Lowered } from '../parse/lower.js';
import type { LineMap } from '../parse/source.js';

export interface ProjectInfo {
  /** Directory the project facts were read from (where pyproject.toml / setup.py live), or null. */
  root: string | null;
  /** `requires-python` / `python_requires` as written, or null. */
  requiresPython: string | null;
  /** Oldest CPython minor version the project supports (e.g. 9 for 3.9), or null when unknown. */
  minMinor: number | null;
  /** Where requiresPython came from. */
  source: string | null;
  /** Rule options from configuration, by rule id (see RuleMeta.options). */
  ruleOptions?: Record<string, Record<string, unknown>>;
}

export interface Located {
  start: number;
  pos: Position;
  end: number;
  endPos: Position;
}

export interface SlotEntry extends Located {
  slot: string;
  value: string;
  conds: string[];
}

export interface SlotArray extends Located {
  name: string;
  entries: SlotEntry[];
  /** Offset of the `{0, NULL}` terminator, or of the closing `}` if there is none. */
  terminator: number;
  terminatorPos: Position;
  /** Indentation of the entries (for fixes). */
  indent: string;
  /** A `{0, NULL}` terminator was found (else `terminator` is the closing brace). */
  terminated: boolean;
  /** Start of the terminator's line when only blanks precede it there, else null (for fixes). */
  terminatorLineStart: number | null;
  /** Number of blanks right before the terminator (for fixes). */
  terminatorGap: number;
  /** The initializer holds something other than `{slot, value}` pairs (a macro): ftlint cannot see all slots. */
  opaque: boolean;
}

export interface ModuleDef extends Located {
  name: string;
  /** Identifier given as m_slots, or null. */
  slots: string | null;
  /** m_traverse / m_clear / m_free functions. */
  teardown: string[];
  moduleName: string | null;
}

export interface CreateCall extends Located {
  kind: 'single' | 'multi';
  /** `def` in `PyModule_Create(&def)` / `PyModuleDef_Init(&def)`. */
  def: string;
  fn: string;
  /** Name of the variable the module is assigned to, if any. */
  assignedTo: string | null;
  conds: string[];
  /** Single-phase: the safe fix adding the guarded PyUnstable_Module_SetGIL call (src/fix/c-fixes.ts), or null. */
  setGilFix?: Fix | null;
  /** Calls in the creating function that pass the module on (`setup(m)`): callee and argument position. */
  passedTo?: [callee: string, arg: number][];
}

export interface SetGilCall extends Located {
  fn: string;
  value: string;
  conds: string[];
}

export interface DefineFact extends Located {
  name: string;
  body: string;
}

export interface ModuleFacts {
  slotArrays: SlotArray[];
  moduleDefs: ModuleDef[];
  creates: CreateCall[];
  setGils: SetGilCall[];
  defines: DefineFact[];
  /**
   * The call graph, flat (one array per file, not one per function: it is most of a project's facts):
   * each calling function, the names of every function it calls (C-API names included; consumers filter by
   * `functions`), then ''. Read it with `forEachCaller`.
   */
  calls: string[];
  /** Names of functions defined in the file. */
  functions: string[];
  includesCompat: boolean;
}

export interface FileFacts {
  path: string;
  language: Language;
  module: ModuleFacts | null;
  /** Shared C state (FT3): globals, writes, entry points. */
  globals?: GlobalFacts;
  /** Extension types and per-object field accesses (FT409). */
  objects?: ObjectFacts;
  /** Base names of the files it includes (`#include "x.h"`, Cython `cdef extern from "x.c"`): what else the compiler reads. */
  includes?: string[];
  /** Containers held in object fields, and where they change (FT2). */
  containers?: ContainerFacts;
  /** Binding-generator and packaging facts (Cython directive, pybind11 modules, classifiers, …) for project rules. */
  bindings?: BindingFacts;
}

export function located(lines: LineMap, start: number, end: number): Located {
  return { start, end, pos: lines.position(start), endPos: lines.position(end) };
}

const GIL_MACROS = new Set(['Py_mod_gil', 'Py_MOD_GIL_USED', 'Py_MOD_GIL_NOT_USED']);

/** Finds the `}` matching the `{` at `open` in code-only text. */
export function matchBrace(code: string, open: number): number {
  let d = 0;
  for (let k = open; k < code.length; k++) {
    const ch = code.charCodeAt(k);
    if (ch === 123) d++;
    else if (ch === 125 && --d === 0) return k;
  }
  return -1;
}

/** Splits `{ a, b, {c, d}, e }` contents at top-level commas, with offsets. */
export function splitTopLevel(code: string, start: number, end: number): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  let d = 0;
  let segStart = start;
  for (let k = start; k <= end; k++) {
    const ch = k === end ? 44 : code.charCodeAt(k);
    if (ch === 40 || ch === 123 || ch === 91) d++;
    else if (ch === 41 || ch === 125 || ch === 93) d--;
    else if (ch === 44 && d === 0) {
      const raw = code.slice(segStart, k);
      const lead = raw.length - raw.trimStart().length;
      if (raw.trim() !== '') out.push({ text: raw.trim(), start: segStart + lead });
      segStart = k + 1;
    }
  }
  return out;
}

// The parts below are separate functions on purpose: V8 optimises each on its own when it is hot, and
// one large function costs its optimising compiler several times as much (measured with --trace-opt;
// that compile runs again in every worker).
export function extractModuleFacts(code: string, text: string, lowered: Lowered, index: CIndex, lines: LineMap): ModuleFacts {
  const { creates, setGils, calls } = moduleCalls(code, text, lowered, index, lines);
  const defines: DefineFact[] = [];
  for (const d of lowered.defines) {
    if (GIL_MACROS.has(d.name)) defines.push({ ...located(lines, d.start, d.end), name: d.name, body: d.body });
  }
  return {
    slotArrays: slotArraysIn(code, text, lowered, lines),
    moduleDefs: moduleDefsIn(code, text, lines),
    creates,
    setGils,
    defines,
    calls,
    functions: index.functions.map((f) => f.name),
    includesCompat: lowered.includes.some((i) => /pythoncapi_compat\.h$/.test(i.path)),
  };
}

/**
 * Slot arrays: `PyModuleDef_Slot name[] = { … };` — read from the code view, robust to the `#if` lines inside
 * the initializer that leave ERROR nodes in the tree.
 */
function slotArraysIn(code: string, text: string, lowered: Lowered, lines: LineMap): SlotArray[] {
  const slotArrays: SlotArray[] = [];
  const slotRe = /\b(?:struct\s+)?PyModuleDef_Slot\s+(\w+)\s*\[[^\]]*\]\s*=\s*\{/g;
  for (let m = slotRe.exec(code); m; m = slotRe.exec(code)) {
    const open = m.index + m[0].length - 1;
    const close = matchBrace(code, open);
    if (close === -1) continue;
    const entries: SlotEntry[] = [];
    let terminator = close;
    const entryRe = /\{\s*([^,{}]+?)\s*,\s*([^{}]*?)\s*\}/g;
    const body = code.slice(open + 1, close);
    let indent = '    ';
    for (let e = entryRe.exec(body); e; e = entryRe.exec(body)) {
      const s = open + 1 + e.index;
      const slot = (e[1] as string).replace(/\s+/g, ' ');
      const value = (e[2] as string).replace(/\s+/g, ' ');
      if (slot === '0' || slot === 'NULL') {
        terminator = s;
        continue;
      }
      if (entries.length === 0) {
        const ls = lines.starts[lines.lineIndex(s)] as number;
        const pre = text.slice(ls, s);
        if (/^[ \t]*$/.test(pre)) indent = pre;
      }
      entries.push({ ...located(lines, s, s + e[0].length), slot, value, conds: condTextsAt(lowered, s) });
    }
    if (terminator === close) {
      // no terminator found; keep close brace
    } else {
      const ls = lines.starts[lines.lineIndex(terminator)] as number;
      const pre = text.slice(ls, terminator);
      if (entries.length === 0 && /^[ \t]*$/.test(pre)) indent = pre;
    }
    // Anything left once entries, directives, commas and spaces are removed is a macro we cannot see into.
    const rest = body.replace(/\{[^{}]*\}/g, ' ').replace(/^[ \t]*#.*$/gm, ' ').replace(/[\s,]/g, '');
    const declStart = lineStartOfDecl(code, m.index);
    const tls = lines.starts[lines.lineIndex(terminator)] as number;
    slotArrays.push({
      ...located(lines, declStart, close + 1),
      name: m[1] as string,
      entries,
      terminator,
      terminatorPos: lines.position(terminator),
      indent,
      terminated: terminator !== close,
      terminatorLineStart: terminator !== close && /^[ \t]*$/.test(text.slice(tls, terminator)) ? tls : null,
      terminatorGap: (/[ \t]*$/.exec(text.slice(tls, terminator)) as RegExpExecArray)[0].length,
      opaque: rest !== '',
    });
  }
  return slotArrays;
}

/** Module definitions: `PyModuleDef name = { … };` (positional or designated initializers). */
function moduleDefsIn(code: string, text: string, lines: LineMap): ModuleDef[] {
  const moduleDefs: ModuleDef[] = [];
  const defRe = /\b(?:struct\s+)?PyModuleDef\s+(\w+)\s*=\s*\{/g;
  for (let m = defRe.exec(code); m; m = defRe.exec(code)) {
    const open = m.index + m[0].length - 1;
    const close = matchBrace(code, open);
    if (close === -1) continue;
    const fields = splitTopLevel(code, open + 1, close);
    let slots: string | null = null;
    const teardown: string[] = [];
    let nameIdx = 1;
    const designated = fields.some((f) => f.text.startsWith('.'));
    if (designated) {
      for (const f of fields) {
        const dm = /^\.(\w+)\s*=\s*(.*)$/s.exec(f.text);
        if (dm && dm[1] === 'm_slots') slots = (dm[2] as string).trim();
        if (dm && /^m_(traverse|clear|free)$/.test(dm[1] as string)) teardown.push((dm[2] as string).trim());
      }
      nameIdx = fields.findIndex((f) => /^\.m_name\b/.test(f.text));
    } else {
      if (fields.length > 5) slots = (fields[5] as { text: string }).text;
      for (const f of fields.slice(6, 9)) teardown.push(f.text);
    }
    if (slots !== null && /^(NULL|0|nullptr)$/.test(slots)) slots = null;
    if (slots !== null) slots = slots.replace(/^&/, '').replace(/\s+/g, '');
    let moduleName: string | null = null;
    const nf = nameIdx >= 0 ? fields[nameIdx] : undefined;
    if (nf) {
      const q = text.indexOf('"', nf.start);
      const q2 = q === -1 ? -1 : text.indexOf('"', q + 1);
      if (q !== -1 && q2 !== -1 && q2 < close) moduleName = text.slice(q + 1, q2);
    }
    moduleDefs.push({
      ...located(lines, lineStartOfDecl(code, m.index), close + 1),
      name: m[1] as string,
      slots,
      moduleName,
      teardown: teardown.map((t) => t.replace(/^\([^)]*\)\s*/, '').replace(/^&/, '')).filter((t) => /^[A-Za-z_]\w*$/.test(t) && t !== 'NULL'),
    });
  }
  return moduleDefs;
}

/** Module creation and SetGIL calls, and the call graph (flat, see ModuleFacts.calls). */
function moduleCalls(code: string, text: string, lowered: Lowered, index: CIndex, lines: LineMap): Pick<ModuleFacts, 'creates' | 'setGils' | 'calls'> {
  const creates: CreateCall[] = [];
  const setGils: SetGilCall[] = [];
  // Callees by function index (then merged by name below: a name can be defined twice under #if).
  const callees: (Set<string> | undefined)[] = [];
  for (const call of index.calls) {
    // Every plain callee, C-API-looking names included: CPython-style projects name their own helpers
    // `_PyFoo_Init_Bar`, and the call graph must see them (init-only functions, SetGIL in a helper).
    // A C++ call through its namespace (`ns::helper(…)`, `::helper(…)`) calls the function defined as `helper`.
    const callee = calleeName(call.name);
    if (call.fn >= 0 && callee) (callees[call.fn] ??= new Set()).add(callee);
    if (call.name === 'PyModule_Create' || call.name === 'PyModule_Create2' || call.name === 'PyModuleDef_Init') {
      const def = (call.args[0]?.text ?? '').replace(/^&/, '').replace(/\s+/g, '');
      const assign = index.assigns.find((a) => a.rhsStart <= call.start && call.end <= a.end && a.fn === call.fn);
      const kind = call.name === 'PyModuleDef_Init' ? 'multi' : 'single';
      const fn = call.fn >= 0 ? index.functions[call.fn] : undefined;
      const passedTo: [string, number][] = [];
      if (assign && kind === 'single') {
        const v = assign.lhs.replace(/\s+/g, '');
        for (const other of index.calls) {
          if (other.fn !== call.fn || other === call) continue;
          const callee = calleeName(other.name);
          if (callee) other.args.forEach((a, i) => a.text.replace(/\s+/g, '') === v && passedTo.push([callee, i]));
        }
      }
      creates.push({
        ...located(lines, call.start, call.end),
        kind,
        def,
        fn: functionName(index, call.fn),
        assignedTo: assign ? assign.lhs : null,
        conds: condTextsAt(lowered, call.start),
        ...(kind === 'single' && fn ? { setGilFix: setGilFix(code, text, call.start, call.end, assign ? assign.lhs : null, { start: fn.bodyStart, end: fn.end }) } : {}),
        ...(passedTo.length ? { passedTo } : {}),
      });
    } else if (call.name === 'PyUnstable_Module_SetGIL' || call.name === 'PyModule_ExperimentalSetGIL') {
      setGils.push({
        ...located(lines, call.start, call.end),
        fn: functionName(index, call.fn),
        value: (call.args[1]?.text ?? '').replace(/\s+/g, ''),
        conds: condTextsAt(lowered, call.start),
      });
    }
  }
  const byName = new Map<string, Set<string>>();
  callees.forEach((set, fn) => {
    if (!set) return;
    const name = functionName(index, fn);
    const known = byName.get(name);
    if (known) for (const c of set) known.add(c);
    else byName.set(name, set);
  });
  const calls: string[] = [];
  for (const [k, v] of byName) calls.push(k, ...v, '');
  return { creates, setGils, calls };
}

/** Calls `visit` with each function of `calls` (ModuleFacts.calls) and the names it calls. */
export function forEachCaller(calls: readonly string[], visit: (caller: string, callees: string[]) => void): void {
  let i = 0;
  while (i < calls.length) {
    const caller = calls[i++] as string;
    const callees: string[] = [];
    while (i < calls.length && calls[i] !== '') callees.push(calls[i++] as string);
    i++;
    visit(caller, callees);
  }
}

/** Moves back from a match to the start of its declaration line (to include `static`, `const`). */
function lineStartOfDecl(code: string, at: number): number {
  let k = at;
  while (k > 0) {
    const ch = code.charCodeAt(k - 1);
    if (ch === 10 || ch === 59 || ch === 125 || ch === 123) break;
    k--;
  }
  while (k < at && /\s/.test(code[k] as string)) k++;
  return k;
}
