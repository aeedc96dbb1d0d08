// Binding-generator and packaging facts, extracted once per file (in the workers) for the project rules:
// which extension modules a file declares (Cython, pybind11, nanobind, PyO3, HPy, …) and whether they
// declare free-threading support; and what a build/packaging file configures (Cython directives, abi3-only
// builds, nanobind targets, build requirements, classifiers, requires-python, cibuildwheel, Cargo's pyo3).
// Everything here is serialisable: it crosses worker threads.
import { basename } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { Node } from '../parse/parser.js';
import type { Lowered } from '../parse/lower.js';
import type { LineMap } from '../parse/source.js';
import { cmakeCodeView, hashCodeView, matchBracket, rustCodeView } from '../parse/text-code.js';
import { condTextsAt } from './c-index.js';
import type { Located } from './facts.js';
import { boolValue, descendants, keywordArgs, positionalArgs, pythonRole, stringList, stringValue } from './py-tree.js';
import type { Fix, Language } from './types.js';
import { parseRequirement } from './versions.js';

export type Generator = 'cython' | 'pybind11' | 'nanobind' | 'pyo3' | 'hpy' | 'boost-python' | 'cffi' | 'mypyc' | 'rust-cpython';

/** `not-used`: declares free-threading support; `used`: says it needs the GIL; `default`: says nothing. */
export type GilDecl = 'not-used' | 'used' | 'default';

export interface BindingModule extends Located {
  generator: Generator;
  name: string;
  gil: GilDecl;
  /** The one-line edit that adds the declaration, where that is trivially safe. */
  fix?: Fix;
}

export interface Setting extends Located {
  value: string;
}

export interface Requirement extends Located {
  /** Normalised distribution name (`cython`, `pybind11`, `scikit-build-core`, …). */
  name: string;
  /** The name as written. */
  display: string;
  spec: string;
  marker: string;
  source: 'build-system' | 'setup_requires' | 'cmake';
}

export interface CibwFacts {
  /** The `[tool.cibuildwheel]` table, or the workflow line that runs cibuildwheel. */
  at: Located;
  build: Setting[];
  skip: Setting[];
  enable: Setting[];
  freeThreadedSupport: Setting[];
  /** cibuildwheel versions this file pins (`pypa/cibuildwheel@v2.21.3`, `cibuildwheel==2.21.3`). */
  version: Setting[];
}

export interface BuildFacts {
  /** `freethreading_compatible` given to Cython for the whole build; `on` is null when the value is not a literal. */
  cythonDirective: (Located & { on: boolean | null }) | null;
  /** Settings that build every extension for the limited API / abi3, unconditionally. */
  limitedApi: (Located & { how: string })[];
  /** `python.allow_limited_api=false` is passed somewhere (meson-python's switch for free-threaded builds). */
  allowLimitedApiOff: boolean;
  nanobindTargets: (Located & { target: string; freeThreaded: boolean; opaque: boolean; sources: string[] })[];
  /** Modules a CMake build makes from Cython sources of their own name (`create_cython_target(fuzz_cpp)`, `cython_transpile(x.pyx)`). */
  cythonTargets: string[];
  /**
   * Where a Python build script sets Cython's directives for every module it builds — its `directive_defaults[…] =`
   * assignments, else its `cythonize(…)` call: the one place a whole-build `freethreading_compatible` belongs.
   */
  cythonSetup: Located | null;
  /**
   * Extension modules this build file declares, with their C/C++ sources relative to the file's directory; `sources`
   * is null when the list is not literal (a variable, a glob, a generated list): the build cannot be read then.
   * `opaque`: the file compiles code in a way ftlint does not read (CMake `add_library`, setup.py `libraries=[…]`, meson).
   */
  extensions?: { name: string; sources: string[] | null }[];
  opaqueBuild?: boolean;
  requirements: Requirement[];
  /** Where project metadata (name, classifiers) is declared in this file, or null. */
  metadataAt: Located | null;
  /** Free Threading trove classifier levels; null when classifiers are dynamic or not given as literals. */
  classifierLevels: string[] | null;
  classifiersAt: Located | null;
  requiresPython: Setting | null;
  cibuildwheel: CibwFacts | null;
  /** Cargo.toml: the pyo3 dependency (`value` is the version requirement, '' when inherited from the workspace). */
  pyo3: (Setting & { workspace: boolean }) | null;
  /** Cargo.toml: `[workspace.dependencies] pyo3`. */
  workspacePyo3: Setting | null;
  /** A problem reading the file (malformed TOML), reported as a tool diagnostic. */
  error?: string;
}

export interface BindingFacts {
  modules: BindingModule[];
  build: BuildFacts | null;
  /** Cython: files this file pulls in with `include "x.pyx"` (base names); those are not modules of their own. */
  cythonIncludes?: string[];
}

function emptyBuild(): BuildFacts {
  return {
    cythonDirective: null,
    limitedApi: [],
    allowLimitedApiOff: false,
    nanobindTargets: [],
    cythonTargets: [],
    cythonSetup: null,
    requirements: [],
    metadataAt: null,
    classifierLevels: null,
    classifiersAt: null,
    requiresPython: null,
    cibuildwheel: null,
    pyo3: null,
    workspacePyo3: null,
  };
}

export function loc(lines: LineMap, start: number, end: number): Located {
  return { start, end, pos: lines.position(start), endPos: lines.position(end) };
}

const FT_CLASSIFIER = /^Programming Language :: Python :: Free Threading(?: :: (.+))?$/;
/** Free-threading hints in a build file: when present, a limited-API setting is assumed to be conditional. */
const FT_AWARE = /Py_GIL_DISABLED|_is_gil_enabled|free[-_]?threaded|\bfree[-_]threading\b|abiflags|cp3\d+t\b/i;
/** `freethreading_compatible` given as a compiler directive, in any of its spellings. */
const DIRECTIVE_RE = /['"]?freethreading_compatible['"]?\s*[:=]\s*['"]?(True|False|true|false|1|0)?/g;

/** The first `freethreading_compatible` directive in `view` (a comments-blanked view that keeps string contents). */
function directiveIn(view: string, lines: LineMap): BuildFacts['cythonDirective'] {
  DIRECTIVE_RE.lastIndex = 0;
  const m = DIRECTIVE_RE.exec(view);
  if (!m) return null;
  const v = m[1];
  return { ...loc(lines, m.index, m.index + m[0].length), on: v === undefined ? null : /^(True|true|1)$/.test(v) };
}

// ---------------------------------------------------------------------------------------------------------------
// C / C++: pybind11, nanobind, HPy and Boost.Python modules; `#define Py_LIMITED_API`.

export function extractCBindings(code: string, text: string, lowered: Lowered, lines: LineMap): BindingFacts | undefined {
  const modules: BindingModule[] = [];
  const inDefine = (at: number) => lowered.defines.some((d) => d.start <= at && at < d.end);
  const macroRe = /\b(PYBIND11_MODULE|NB_MODULE|HPy_MODINIT|BOOST_PYTHON_MODULE)\s*\(/g;
  for (let m = macroRe.exec(code); m; m = macroRe.exec(code)) {
    if (inDefine(m.index)) continue;
    const open = m.index + m[0].length - 1;
    const close = matchBracket(code, open);
    if (close === -1) continue;
    const args = splitArgs(code, open + 1, close);
    const name = (args[0]?.text ?? '').trim();
    if (!/^\w+$/.test(name)) continue;
    const base = { ...loc(lines, m.index, close + 1), name };
    switch (m[1]) {
      case 'PYBIND11_MODULE': {
        const extra = args.slice(2).map((a) => a.text.replace(/\s+/g, ''));
        let gil: GilDecl = 'default';
        if (extra.some((a) => /mod_gil_not_used\((true)?\)$/.test(a))) gil = 'not-used';
        else if (extra.some((a) => /mod_gil_not_used\(false\)$|mod_gil_used\(\)$/.test(a))) gil = 'used';
        const ns = /\bnamespace\s+py\s*=\s*(?:::)?pybind11\s*;/.test(code) ? 'py' : 'pybind11';
        const last = args[args.length - 1];
        const at = last ? last.start + last.text.length : close;
        modules.push({
          ...base,
          generator: 'pybind11',
          gil,
          ...(gil === 'default' && args.length >= 2
            ? { fix: { title: `declare free-threading support: add ${ns}::mod_gil_not_used()`, edits: [{ start: at, end: at, text: `, ${ns}::mod_gil_not_used()` }] } }
            : {}),
        });
        break;
      }
      case 'NB_MODULE':
        modules.push({ ...base, generator: 'nanobind', gil: 'default' });
        break;
      case 'HPy_MODINIT':
        modules.push({ ...base, generator: 'hpy', gil: 'default' });
        break;
      default:
        modules.push({ ...base, generator: 'boost-python', gil: 'default' });
    }
  }
  const limitedApi: BuildFacts['limitedApi'] = [];
  for (const d of lowered.defines) {
    if (d.name !== 'Py_LIMITED_API') continue;
    const conds = condTextsAt(lowered, d.start);
    // `#if !defined(Py_GIL_DISABLED)` (or a 3.15+ guard, where abi3t exists) makes it conditional.
    if (conds.some((c) => /Py_GIL_DISABLED|Py_TARGET_ABI3T|FREE_?THREAD/i.test(c) || /0x030[Ff]|PY_MINOR_VERSION\s*>=?\s*1[5-9]/.test(c))) continue;
    limitedApi.push({ ...loc(lines, d.start, d.end), how: `#define Py_LIMITED_API${d.body ? ` ${d.body}` : ''}` });
  }
  if (modules.length === 0 && limitedApi.length === 0) return undefined;
  return { modules, build: limitedApi.length ? { ...emptyBuild(), limitedApi } : null };
}

function splitArgs(code: string, start: number, end: number): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  let d = 0;
  let seg = start;
  for (let k = start; k <= end; k++) {
    const ch = k === end ? ',' : code[k];
    if (ch === '(' || ch === '[' || ch === '{' || ch === '<') d++;
    else if (ch === ')' || ch === ']' || ch === '}' || ch === '>') d--;
    else if (ch === ',' && d <= 0) {
      const raw = code.slice(seg, k);
      const lead = raw.length - raw.trimStart().length;
      if (raw.trim() !== '') out.push({ text: raw.trim(), start: seg + lead });
      seg = k + 1;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Cython: the module and its header directive.

/** The `# cython: …` header lines before the first line of code, and where a new header line may go. */
export function cythonHeader(text: string): { directives: { name: string; value: string; start: number; end: number }[]; insertAt: number } {
  const directives: { name: string; value: string; start: number; end: number }[] = [];
  let insertAt = 0;
  let k = 0;
  let lineNo = 0;
  while (k < text.length) {
    let e = text.indexOf('\n', k);
    if (e === -1) e = text.length;
    const line = text.slice(k, e);
    if (line.trim() !== '' && !line.trimStart().startsWith('#')) break;
    // a shebang or an encoding declaration must stay on lines 1–2
    if (lineNo < 2 && (line.startsWith('#!') || /^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+/.test(line))) insertAt = Math.min(e + 1, text.length);
    const m = /^#\s*cython\s*:\s*(.*)$/.exec(line.trimEnd());
    if (m) {
      for (const part of (m[1] as string).split(',')) {
        const kv = /^\s*([\w.]+)\s*=\s*([^\s,#]*)/.exec(part);
        if (kv) directives.push({ name: kv[1] as string, value: kv[2] as string, start: k, end: e });
      }
    }
    k = e + 1;
    lineNo++;
  }
  return { directives, insertAt };
}

function extractCython(path: string, text: string, lines: LineMap): BindingFacts | undefined {
  const code = hashCodeView(text, { keepStrings: true });
  const includes = [...code.matchAll(/^[ \t]*include[ \t]+["']([^"']+)["']/gm)].map((m) => basename(m[1] as string));
  const inc = includes.length ? { cythonIncludes: includes } : {};
  if (!path.endsWith('.pyx')) return includes.length ? { modules: [], build: null, ...inc } : undefined;
  const header = cythonHeader(text);
  const d = header.directives.find((x) => x.name === 'freethreading_compatible');
  const name = basename(path).replace(/\.pyx$/, '');
  let gil: GilDecl = 'default';
  if (d) gil = /^(True|true|1)$/.test(d.value) ? 'not-used' : 'used';
  const at = d ? loc(lines, d.start, d.end) : loc(lines, 0, Math.max(0, Math.min(text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'), text.length)));
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const insert = header.insertAt;
  const needsNewline = insert === text.length && text.length > 0 && !text.endsWith('\n');
  return {
    modules: [
      {
        ...at,
        generator: 'cython',
        name,
        gil,
        ...(gil === 'default'
          ? { fix: { title: 'declare free-threading support: add the freethreading_compatible directive', edits: [{ start: insert, end: insert, text: `${needsNewline ? eol : ''}# cython: freethreading_compatible=True${eol}` }] } }
          : {}),
      },
    ],
    build: null,
    ...inc,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Rust: #[pymodule] items.

function extractRust(text: string, lines: LineMap): BindingFacts | undefined {
  if (!/pymodule|py_module_initializer/.test(text)) return undefined;
  const code = rustCodeView(text);
  const modules: BindingModule[] = [];
  const attrRe = /#\s*\[\s*(?:pyo3\s*::\s*)?pymodule\b/g;
  for (let m = attrRe.exec(code); m; m = attrRe.exec(code)) {
    const bracket = code.indexOf('[', m.index);
    const close = matchBracket(code, bracket);
    if (close === -1) continue;
    const attrBody = code.slice(m.index + m[0].length, close);
    const argsOpen = /^\s*\(/.exec(attrBody) ? code.indexOf('(', m.index + m[0].length) : -1;
    const argsText = argsOpen !== -1 ? text.slice(argsOpen + 1, matchBracket(code, argsOpen)) : '';
    // The item the attribute decorates: skip further attributes, then `fn name` / `mod name`.
    const after = code.slice(close + 1);
    const item = /^(?:\s*#\s*\[[^\]]*\])*\s*(?:pub(?:\([^)]*\))?\s+)?(fn|mod)\s+(\w+)/.exec(after);
    if (!item) continue;
    let name = item[2] as string;
    const rename = /#\s*\[\s*pyo3\s*\(\s*name\s*=\s*"([^"]+)"/.exec(text.slice(close + 1, close + 1 + item.index + item[0].length));
    if (rename) name = rename[1] as string;
    const rn = /\bname\s*=\s*"([^"]+)"/.exec(argsText);
    if (rn) name = rn[1] as string;
    let gil: GilDecl = 'default';
    const g = /\bgil_used\s*=\s*(true|false)\b/.exec(argsText);
    if (g) gil = g[1] === 'false' ? 'not-used' : 'used';
    else {
      // Procedural form inside the module function: `m.gil_used(false)?`
      const bodyOpen = code.indexOf('{', close + 1 + item.index + item[0].length);
      const bodyClose = bodyOpen === -1 ? -1 : matchBracket(code, bodyOpen);
      if (bodyOpen !== -1 && bodyClose !== -1) {
        const pg = /\.gil_used\s*\(\s*(true|false)\s*\)/.exec(code.slice(bodyOpen, bodyClose));
        if (pg) gil = pg[1] === 'false' ? 'not-used' : 'used';
      }
    }
    let fix: Fix | undefined;
    if (gil === 'default') {
      const kw = m.index + m[0].length;
      fix =
        argsOpen === -1
          ? { title: 'declare free-threading support: #[pymodule(gil_used = false)]', edits: [{ start: kw, end: kw, text: '(gil_used = false)' }] }
          : {
              title: 'declare free-threading support: gil_used = false',
              edits: [{ start: argsOpen + 1, end: argsOpen + 1, text: argsText.trim() === '' ? 'gil_used = false' : 'gil_used = false, ' }],
            };
    }
    modules.push({ ...loc(lines, m.index, close + 1), generator: 'pyo3', name, gil, ...(fix ? { fix } : {}) });
  }
  const legacy = /\bpy_module_initializer!\s*\(\s*(\w+)/g;
  for (let m = legacy.exec(code); m; m = legacy.exec(code)) {
    modules.push({ ...loc(lines, m.index, m.index + m[0].length), generator: 'rust-cpython', name: m[1] as string, gil: 'default' });
  }
  return modules.length ? { modules, build: null } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// TOML: pyproject.toml and Cargo.toml.

type Toml = Record<string, unknown>;
const isTable = (v: unknown): v is Toml => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
const get = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (isTable(o) ? o[k] : undefined), v);
const asStrings = (v: unknown): string[] | null =>
  typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;

function keyParts(s: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:([A-Za-z0-9_-]+)|"((?:[^"\\]|\\.)*)"|'([^']*)')\s*(\.|$)/y;
  let m: RegExpExecArray | null;
  let k = 0;
  re.lastIndex = 0;
  while (k < s.length && (m = re.exec(s))) {
    out.push((m[1] ?? m[2] ?? m[3]) as string);
    k = re.lastIndex;
    if (m[4] !== '.') break;
  }
  return out;
}

/** Finds where a TOML key (full dotted path) or table is written; text-level, for positions only. */
export class TomlLocator {
  private readonly entries: { path: string[]; start: number; end: number; table: boolean }[] = [];
  constructor(text: string, code: string) {
    let table: string[] = [];
    let k = 0;
    let depth = 0; // inside a multi-line array/inline table: not a key line
    while (k <= text.length) {
      let e = code.indexOf('\n', k);
      if (e === -1) e = code.length;
      const line = code.slice(k, e);
      if (depth === 0) {
        const h = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*$/.exec(line);
        if (h) {
          const from = k + line.indexOf(h[1] as string);
          table = keyParts(text.slice(from, from + (h[1] as string).length));
          this.entries.push({ path: table, start: k + line.search(/\S/), end: e, table: true });
        } else {
          const kv = /^\s*((?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'))*)\s*=/.exec(text.slice(k, e));
          if (kv) this.entries.push({ path: [...table, ...keyParts(kv[1] as string)], start: k + line.search(/\S/), end: e, table: false });
        }
      }
      for (const ch of line) {
        if (ch === '[' || ch === '{') depth++;
        else if (ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
      }
      if (depth > 0 && /^\s*\[\[?[^\]]+\]\]?\s*$/.test(line) && !line.includes('=')) depth = 0; // a table header, not an array
      k = e + 1;
    }
  }
  /** Offsets of the line that sets `path` (or of a table header equal to it), or of its nearest enclosing table. */
  find(...path: string[]): { start: number; end: number } | null {
    const eq = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    const exact = this.entries.find((e) => eq(e.path, path));
    if (exact) return exact;
    for (let n = path.length - 1; n > 0; n--) {
      const t = this.entries.find((e) => e.table && eq(e.path, path.slice(0, n)));
      if (t) return t;
    }
    return null;
  }
}

function locString(text: string, from: number, value: string, lines: LineMap): Located | null {
  for (const q of ['"', "'"]) {
    const at = text.indexOf(`${q}${value}${q}`, from);
    if (at !== -1) return loc(lines, at, at + value.length + 2);
  }
  return null;
}

/** Parses a TOML file once, with a locator for positions; null (and `b.error`) when it is not valid TOML. */
function readToml(text: string, lines: LineMap, b: BuildFacts, what: string): { doc: Toml; L: TomlLocator; at: (...p: string[]) => Located } | null {
  let doc: Toml;
  try {
    doc = parseToml(text) as Toml;
  } catch (e) {
    b.error = `${what} is not valid TOML (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); its packaging checks were skipped`;
    return null;
  }
  const L = new TomlLocator(text, hashCodeView(text, { tripleQuotes: true }));
  const at = (...p: string[]) => {
    const r = L.find(...p);
    return r ? loc(lines, r.start, r.end) : loc(lines, 0, 0);
  };
  return { doc, L, at };
}

function extractPyproject(text: string, lines: LineMap): BuildFacts {
  // `[tool.setuptools] ext-modules` declares extensions ftlint does not read yet: the build scope is unknown then.
  const extModules = /^\s*ext-modules\s*=/m.test(text);
  const b = emptyBuild();
  const t = readToml(text, lines, b, 'pyproject.toml');
  if (extModules) b.opaqueBuild = true;
  if (!t) return b;
  const { doc, L, at } = t;
  const project = get(doc, 'project');
  if (isTable(project)) {
    b.metadataAt = at('project');
    const dynamic = asStrings(project.dynamic) ?? [];
    const cls = asStrings(project.classifiers);
    if (!dynamic.includes('classifiers')) {
      b.classifierLevels = (cls ?? []).map((c) => FT_CLASSIFIER.exec(c)).filter((m): m is RegExpExecArray => m !== null).map((m) => m[1] ?? '');
      if (cls) {
        const key = L.find('project', 'classifiers');
        const ft = cls.find((c) => FT_CLASSIFIER.test(c));
        b.classifiersAt = (key && ft !== undefined && locString(text, key.start, ft, lines)) || at('project', 'classifiers');
      }
    }
    if (typeof project['requires-python'] === 'string') b.requiresPython = { ...at('project', 'requires-python'), value: project['requires-python'] };
  }
  const requires = asStrings(get(doc, 'build-system', 'requires')) ?? [];
  const reqAt = L.find('build-system', 'requires');
  for (const r of requires) {
    const p = parseRequirement(r);
    if (!p) continue;
    const where = (reqAt && locString(text, reqAt.start, r, lines)) ?? at('build-system', 'requires');
    b.requirements.push({ ...where, ...p, source: 'build-system' });
  }
  // abi3-only settings that have no free-threaded escape hatch in the backend.
  if (get(doc, 'tool', 'meson-python', 'limited-api') === true) b.limitedApi.push({ ...at('tool', 'meson-python', 'limited-api'), how: '[tool.meson-python] limited-api = true' });
  for (const key of ['py-limited-api', 'py_limited_api']) {
    const v = get(doc, 'tool', 'distutils', 'bdist_wheel', key);
    if (typeof v === 'string' && /^cp3\d+$/.test(v)) b.limitedApi.push({ ...at('tool', 'distutils', 'bdist_wheel', key), how: `[tool.distutils.bdist_wheel] ${key} = "${v}"` });
  }
  b.allowLimitedApiOff = /python\.allow_limited_api\s*=\s*false/.test(text);
  b.cythonDirective = directiveIn(hashCodeView(text, { keepStrings: true }), lines);
  const cibw = get(doc, 'tool', 'cibuildwheel');
  if (isTable(cibw)) {
    const c: CibwFacts = { at: at('tool', 'cibuildwheel'), build: [], skip: [], enable: [], freeThreadedSupport: [], version: [] };
    const read = (table: unknown, path: string[]) => {
      for (const key of ['build', 'skip', 'enable'] as const) {
        const v = asStrings(get(table, key));
        if (v) c[key].push({ ...at(...path, key), value: v.join(' ') });
      }
      const fts = get(table, 'free-threaded-support');
      if (typeof fts === 'boolean') c.freeThreadedSupport.push({ ...at(...path, 'free-threaded-support'), value: String(fts) });
    };
    read(cibw, ['tool', 'cibuildwheel']);
    for (const plat of ['linux', 'macos', 'windows', 'ios', 'android', 'pyodide']) if (isTable(cibw[plat])) read(cibw[plat], ['tool', 'cibuildwheel', plat]);
    b.cibuildwheel = c;
  }
  return b;
}

function extractCargo(text: string, lines: LineMap): BuildFacts {
  const b = emptyBuild();
  const t = readToml(text, lines, b, 'Cargo.toml');
  if (!t) return b;
  const { doc, at } = t;
  const dep = (v: unknown): { spec: string; workspace: boolean } | null => {
    if (typeof v === 'string') return { spec: v, workspace: false };
    if (isTable(v)) {
      if (v.workspace === true) return { spec: '', workspace: true };
      if (typeof v.version === 'string') return { spec: v.version, workspace: false };
      return { spec: '', workspace: false }; // git/path dependency: version unknown
    }
    return null;
  };
  const direct = dep(get(doc, 'dependencies', 'pyo3'));
  if (direct) b.pyo3 = { ...at('dependencies', 'pyo3'), value: direct.spec, workspace: direct.workspace };
  else {
    const targets = get(doc, 'target');
    if (isTable(targets)) {
      for (const [t, tv] of Object.entries(targets)) {
        const d = dep(get(tv, 'dependencies', 'pyo3'));
        if (d) {
          b.pyo3 = { ...at('target', t, 'dependencies', 'pyo3'), value: d.spec, workspace: d.workspace };
          break;
        }
      }
    }
  }
  const ws = dep(get(doc, 'workspace', 'dependencies', 'pyo3'));
  if (ws) b.workspacePyo3 = { ...at('workspace', 'dependencies', 'pyo3'), value: ws.spec };
  return b;
}

// ---------------------------------------------------------------------------------------------------------------
// setup.py (tree-sitter-python; never executed) and other Python files (CFFI builders).

const CALLEE = (n: Node) => {
  const f = n.childForFieldName('function');
  if (!f) return '';
  return f.type === 'attribute' ? (f.childForFieldName('attribute')?.text ?? '') : f.text;
};

/** `Extension(…)`, `setuptools.Extension(…)`, `Pybind11Extension(…)`, `CppExtension(…)`: one extension module. */
const EXTENSION_CALL = /(?:^|\.)\w*Extension$/;

function extractPython(path: string, text: string, lines: LineMap, root: Node): BindingFacts | undefined {
  const isSetup = basename(path) === 'setup.py';
  // Build helpers other than setup.py (lxml's setupinfo.py) may set the Cython directive for the whole build.
  const helper = !isSetup && pythonRole(path, text) !== 'test';
  const setsDirective = helper && /freethreading_compatible/.test(text);
  const cythonizes = helper && /\bcythonize\s*\(/.test(text);
  if (!isSetup && !setsDirective && !cythonizes && !/set_source\s*\(/.test(text)) return undefined;
  const modules: BindingModule[] = [];
  const b = emptyBuild();
  const calls = descendants(root, new Set(['call']));
  const nodeLoc = (n: Node) => loc(lines, n.startIndex, n.endIndex);
  for (const call of calls) {
    const name = CALLEE(call);
    if (name === 'set_source') {
      const first = stringValue(positionalArgs(call)[0]);
      if (first) modules.push({ ...nodeLoc(call), generator: 'cffi', name: first, gil: 'default' });
    }
    if (name === 'cythonize' && (isSetup || cythonizes)) b.cythonSetup ??= nodeLoc(call);
    if (!isSetup) continue;
    const kw = keywordArgs(call);
    if (name === 'setup') {
      b.metadataAt ??= nodeLoc(call);
      const cls = kw.get('classifiers');
      if (cls) {
        const list = stringList(resolveName(cls, root));
        if (list) {
          b.classifierLevels = list.map((c) => FT_CLASSIFIER.exec(c.value)).filter((m): m is RegExpExecArray => m !== null).map((m) => m[1] ?? '');
          const ft = list.find((c) => FT_CLASSIFIER.test(c.value));
          b.classifiersAt = nodeLoc(ft ? ft.node : cls);
        }
      } else b.classifierLevels = [];
      const pr = stringValue(kw.get('python_requires'));
      if (pr !== null) b.requiresPython = { ...nodeLoc(kw.get('python_requires') as Node), value: pr };
      for (const r of stringList(resolveName(kw.get('setup_requires') ?? null, root)) ?? []) {
        const p = parseRequirement(r.value);
        if (p) b.requirements.push({ ...nodeLoc(r.node), ...p, source: 'setup_requires' });
      }
      // Extensions from anywhere but literal Extension(…) calls of this file: the build is not read.
      const ext = kw.get('ext_modules');
      if (ext?.type === 'identifier' && changedLater(text, ext.text)) b.opaqueBuild = true;
      if (ext) {
        const list = resolveName(ext, root);
        const items = list && list.type === 'list' ? list.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment') : null;
        if (!items || items.some((c) => !(c.type === 'call' && EXTENSION_CALL.test(CALLEE(c) ?? '')) && !(c.type === 'identifier' && resolveName(c, root)?.type === 'call'))) {
          b.opaqueBuild = true;
        }
      }
      const cffi = stringList(kw.get('cffi_modules'));
      for (const c of cffi ?? []) modules.push({ ...nodeLoc(c.node), generator: 'cffi', name: c.value.split(':')[0] as string, gil: 'default' });
    }
    if (name !== null && EXTENSION_CALL.test(name)) {
      const pos = positionalArgs(call);
      const ename = stringValue(kw.get('name') ?? pos[0] ?? null);
      const given = kw.get('sources') ?? pos[1] ?? null;
      // A name is read only when it is assigned once and never grown (`files.append(…)`, `files += …`).
      const grown = given?.type === 'identifier' && changedLater(text, given.text);
      const list = grown ? null : stringList(resolveName(given, root));
      (b.extensions ??= []).push({ name: ename ?? '?', sources: list ? list.map((x) => x.value) : null });
    }
    if (kw.has('libraries') && /\(\s*['"]/.test(kw.get('libraries')?.text ?? '')) b.opaqueBuild = true; // build_clib: ('lib', {'sources': …})
    if (name === 'mypycify') {
      const first = stringList(positionalArgs(call)[0])?.[0]?.value;
      modules.push({ ...nodeLoc(call), generator: 'mypyc', name: first ?? 'mypycify(…)', gil: 'default' });
    }
  }
  // Sources added to an extension after it is made (`ext.sources += […]` in a build_ext subclass).
  if (isSetup && /\.sources\s*(?:\+?=|\.(?:append|extend|insert)\s*\()/.test(text)) b.opaqueBuild = true;
  if (setsDirective) b.cythonDirective = directiveAssignment(root, lines);
  if (isSetup) {
    const aware = FT_AWARE.test(text);
    // define_macros=[("Py_LIMITED_API", "0x03090000")] and py_limited_api="cp39" (bdist_wheel option), as literals.
    for (const t of descendants(root, new Set(['tuple']))) {
      const items = t.namedChildren;
      if (stringValue(items[0]) === 'Py_LIMITED_API' && !aware) b.limitedApi.push({ ...nodeLoc(t), how: `define_macros ${t.text}` });
    }
    for (const n of descendants(root, new Set(['keyword_argument', 'pair', 'assignment']))) {
      const { key, value } = keyAndValue(n);
      if (key === 'py_limited_api' || key === 'py-limited-api') {
        const v = stringValue(value);
        if (v && /^cp3\d+$/.test(v) && !aware) b.limitedApi.push({ ...nodeLoc(n), how: `bdist_wheel py_limited_api="${v}"` });
      }
    }
    b.cythonDirective = directiveAssignment(root, lines) ?? directiveIn(hashCodeView(text, { keepStrings: true }), lines);
  }
  if (isSetup || cythonizes) {
    const defaults = descendants(root, new Set(['assignment'])).find((n) => /^(?:directive_defaults|get_directive_defaults\(\))\s*\[/.test(n.childForFieldName('left')?.text ?? ''));
    if (defaults) b.cythonSetup = nodeLoc(defaults);
  }
  if (!isSetup && !b.cythonDirective && !b.cythonSetup && modules.length === 0) return undefined;
  return { modules, build: isSetup || b.cythonDirective || b.cythonSetup ? b : null };
}

/** The key a keyword argument, dict pair or assignment sets (`x=`, `"x":`, `self.x =`, `d["x"] =`), and its value. */
function keyAndValue(n: Node): { key: string | undefined; value: Node | null } {
  if (n.type === 'keyword_argument') return { key: n.childForFieldName('name')?.text, value: n.childForFieldName('value') };
  if (n.type === 'pair') return { key: stringValue(n.childForFieldName('key')) ?? undefined, value: n.childForFieldName('value') };
  const left = n.childForFieldName('left');
  const key = left?.type === 'subscript' ? (stringValue(left.childForFieldName('subscript')) ?? undefined) : left?.text.replace(/^self\./, '');
  return { key, value: n.childForFieldName('right') };
}

/** `freethreading_compatible` set as a keyword, dict entry or item assignment (`directives["freethreading_compatible"] = True`). */
function directiveAssignment(root: Node, lines: LineMap): BuildFacts['cythonDirective'] {
  for (const n of descendants(root, new Set(['keyword_argument', 'pair', 'assignment']))) {
    const { key, value } = keyAndValue(n);
    if (key === 'freethreading_compatible') return { ...loc(lines, n.startIndex, n.endIndex), on: boolValue(value) };
  }
  return null;
}

/** `name` is assigned more than once, or grown in place, somewhere in a Python build script. */
function changedLater(text: string, name: string): boolean {
  const n = name.replace(/[^\w]/g, '');
  const assigned = text.match(new RegExp(`^[ \\t]*${n}\\s*=(?!=)`, 'gm'))?.length ?? 0;
  return assigned !== 1 || new RegExp(`\\b${n}\\s*(?:\\+=|\\.(?:append|extend|insert)\\s*\\()`).test(text);
}

/** A name bound once at module level to a literal (`CLASSIFIERS = [...]`) resolves to that literal. */
function resolveName(n: Node | null, root: Node): Node | null {
  if (!n || n.type !== 'identifier') return n;
  for (const st of root.namedChildren) {
    const a = st?.type === 'expression_statement' ? st.namedChildren[0] : null;
    if (a?.type === 'assignment' && a.childForFieldName('left')?.text === n.text) return a.childForFieldName('right');
  }
  return n;
}

// ---------------------------------------------------------------------------------------------------------------
// setup.cfg (INI).

function iniSections(text: string): Map<string, Map<string, { value: string; start: number; end: number }>> {
  const out = new Map<string, Map<string, { value: string; start: number; end: number }>>();
  let section = '';
  let current: { value: string; start: number; end: number } | null = null;
  let k = 0;
  while (k < text.length) {
    let e = text.indexOf('\n', k);
    if (e === -1) e = text.length;
    const line = text.slice(k, e).replace(/\r$/, '');
    const sec = /^\[([^\]]+)\]/.exec(line);
    if (sec) {
      section = (sec[1] as string).trim();
      if (!out.has(section)) out.set(section, new Map());
      current = null;
    } else if (/^[ \t]+\S/.test(line) && current) {
      current.value += `\n${line.trim()}`;
      current.end = e;
    } else {
      const kv = /^([\w.-]+)\s*[=:]\s*(.*)$/.exec(line);
      if (kv && !/^[#;]/.test(line)) {
        current = { value: (kv[2] as string).trim(), start: k, end: e };
        if (!out.has(section)) out.set(section, new Map());
        (out.get(section) as Map<string, { value: string; start: number; end: number }>).set((kv[1] as string).replace(/-/g, '_'), current);
      } else if (line.trim() === '' || /^[#;]/.test(line)) {
        /* keep continuation state across comments only */
      } else current = null;
    }
    k = e + 1;
  }
  return out;
}

function extractSetupCfg(text: string, lines: LineMap): BuildFacts {
  const b = emptyBuild();
  const ini = iniSections(text);
  const meta = ini.get('metadata');
  if (meta) {
    const name = meta.get('name');
    const cls = meta.get('classifiers');
    if (name || cls) {
      const first = name ?? (cls as { start: number; end: number });
      b.metadataAt = loc(lines, first.start, first.end);
      b.classifierLevels = cls && !cls.value.startsWith('file:')
        ? cls.value.split('\n').map((c) => FT_CLASSIFIER.exec(c.trim())).filter((m): m is RegExpExecArray => m !== null).map((m) => m[1] ?? '')
        : cls ? null : [];
      if (cls) {
        const ft = /^[ \t]*Programming Language :: Python :: Free Threading\b.*$/m.exec(text.slice(cls.start, cls.end));
        b.classifiersAt = ft ? loc(lines, cls.start + ft.index + (ft[0].length - ft[0].trimStart().length), cls.start + ft.index + ft[0].length) : loc(lines, cls.start, cls.end);
      }
    }
  }
  const opts = ini.get('options');
  const pr = opts?.get('python_requires');
  if (pr) b.requiresPython = { ...loc(lines, pr.start, pr.end), value: pr.value };
  const sr = opts?.get('setup_requires');
  if (sr) {
    for (const r of sr.value.split(/[\n;]/).map((s) => s.trim()).filter(Boolean)) {
      const p = parseRequirement(r);
      if (p) b.requirements.push({ ...loc(lines, sr.start, sr.end), ...p, source: 'setup_requires' });
    }
  }
  const bw = ini.get('bdist_wheel')?.get('py_limited_api');
  if (bw && /^cp3\d+$/.test(bw.value)) b.limitedApi.push({ ...loc(lines, bw.start, bw.end), how: `[bdist_wheel] py_limited_api = ${bw.value}` });
  return b;
}

// ---------------------------------------------------------------------------------------------------------------
// CMake and Meson.

/** CMake command invocations `name(args…)` with their arguments (unquoted), from the code view. */
export function cmakeCommands(code: string, names: RegExp): { name: string; start: number; end: number; args: { text: string; start: number }[] }[] {
  const out: { name: string; start: number; end: number; args: { text: string; start: number }[] }[] = [];
  const re = new RegExp(`(^|[^\\w])(${names.source})\\s*\\(`, 'gim');
  for (let m = re.exec(code); m; m = re.exec(code)) {
    const start = m.index + (m[1] as string).length;
    const open = code.indexOf('(', start);
    const close = matchBracket(code, open);
    if (close === -1) continue;
    const args: { text: string; start: number }[] = [];
    const tok = /"(?:[^"\\]|\\.)*"|[^\s()]+/g;
    const body = code.slice(open + 1, close);
    for (let t = tok.exec(body); t; t = tok.exec(body)) args.push({ text: t[0].replace(/^"|"$/g, ''), start: open + 1 + t.index });
    out.push({ name: m[2] as string, start, end: close + 1, args });
  }
  return out;
}

const NB_FLAGS = new Set(['STABLE_ABI', 'FREE_THREADED', 'NB_STATIC', 'NB_SHARED', 'PROTECT_STACK', 'LTO', 'NOMINSIZE', 'NOSTRIP', 'MUSL_DYNAMIC_LIBCPP', 'NB_SUPPRESS_WARNINGS']);
const NB_VALUES = new Set(['NB_DOMAIN', 'BACKEND_MODULE', 'BACKEND_PYPI', 'STABLE_ABI_VERSION']);

function extractCmake(text: string, lines: LineMap): BuildFacts | null {
  if (!/nanobind|pybind11|USE_SABI|Py_LIMITED_API|freethreading_compatible|cython|python3?_add_library|add_library/i.test(text)) return null;
  const code = cmakeCodeView(text);
  const b = emptyBuild();
  for (const c of cmakeCommands(code, /nanobind_add_module/)) {
    const [target, ...rest] = c.args;
    if (!target) continue;
    const sources: string[] = [];
    let freeThreaded = false;
    let opaque = target.text.includes('${');
    for (let i = 0; i < rest.length; i++) {
      const a = (rest[i] as { text: string }).text;
      if (a === 'FREE_THREADED') freeThreaded = true;
      else if (NB_VALUES.has(a)) i++;
      else if (!NB_FLAGS.has(a)) {
        if (a.includes('${')) opaque = true;
        else sources.push(basename(a));
      }
    }
    b.nanobindTargets.push({ ...loc(lines, c.start, c.end), target: target.text, freeThreaded, opaque, sources });
  }
  const aware = FT_AWARE.test(text);
  if (!aware) {
    for (const c of cmakeCommands(code, /python3?_add_library/)) {
      const i = c.args.findIndex((a) => a.text === 'USE_SABI');
      const v = c.args[i + 1];
      if (i !== -1 && v && /^3\.\d+$/.test(v.text)) b.limitedApi.push({ ...loc(lines, c.start, c.end), how: `${c.name}(… USE_SABI ${v.text})` });
    }
    for (const c of cmakeCommands(code, /add_compile_definitions|target_compile_definitions|add_definitions/)) {
      const d = c.args.find((a) => /^-?D?Py_LIMITED_API(=|$)/.test(a.text));
      if (d) b.limitedApi.push({ ...loc(lines, c.start, c.end), how: `${c.name}(… ${d.text})` });
    }
  }
  for (const c of cmakeCommands(code, /FetchContent_Declare/)) {
    const dep = c.args[0]?.text.toLowerCase();
    const tagAt = c.args.findIndex((a) => a.text === 'GIT_TAG');
    const tag = tagAt === -1 ? undefined : c.args[tagAt + 1];
    if ((dep === 'nanobind' || dep === 'pybind11') && tag && /^v?\d+\.\d+(\.\d+)?$/.test(tag.text)) {
      b.requirements.push({ ...loc(lines, tag.start, tag.start + tag.text.length), name: dep, display: dep, spec: `==${tag.text.replace(/^v/, '')}`, marker: '', source: 'cmake' });
    }
  }
  for (const c of cmakeCommands(code, /create_cython_target|add_cython_target|cython_transpile|cython_add_module/i)) {
    const first = c.args[0]?.text ?? '';
    // `cython_transpile(x.pyx …)` names the source; the others name the target, with the .pyx as a later argument or implied.
    const src = c.args.find((a) => /\.pyx$/.test(a.text))?.text;
    const name = (src ? basename(src) : first).replace(/\.pyx$/, '');
    if (/^[A-Za-z_]\w*$/.test(name)) b.cythonTargets.push(name);
  }
  for (const c of cmakeCommands(code, /python3?_add_library|pybind11_add_module|nanobind_add_module/i)) {
    const [target, ...rest] = c.args;
    if (!target) continue;
    const sources: string[] = [];
    let literal = !target.text.includes('${');
    for (let i = 0; i < rest.length; i++) {
      const a = (rest[i] as { text: string }).text;
      if (NB_VALUES.has(a) || a === 'USE_SABI') i++;
      else if (/^[A-Z_]+$/.test(a)) continue; // MODULE, WITH_SOABI, FREE_THREADED, …
      else if (a.includes('${') || a.includes('$<')) literal = false;
      else sources.push(a);
    }
    (b.extensions ??= []).push({ name: target.text, sources: literal ? sources : null });
  }
  // Code compiled in other ways: libraries linked into the extensions, sources added to a target later.
  if (cmakeCommands(code, /add_library|target_sources|add_subdirectory|include/i).some((c) => c.name.toLowerCase() !== 'include' || /\.cmake$/i.test(c.args[0]?.text ?? ''))) {
    b.opaqueBuild = true;
  }
  b.cythonDirective = directiveIn(code, lines);
  const useful = b.nanobindTargets.length || b.cythonTargets.length || b.limitedApi.length || b.requirements.length || b.cythonDirective || b.extensions?.length || b.opaqueBuild;
  return useful ? b : null;
}

function extractMeson(text: string, lines: LineMap): BuildFacts | null {
  const view = hashCodeView(text, { tripleQuotes: true, keepStrings: true });
  const b = emptyBuild();
  if (!FT_AWARE.test(text)) {
    // A literal version only: `limited_api: limited_api_version` (a variable) may be chosen per interpreter.
    const re = /\blimited_api\s*:\s*'(\d+\.\d+)'/g;
    for (let m = re.exec(view); m; m = re.exec(view)) {
      b.limitedApi.push({ ...loc(lines, m.index, m.index + m[0].length), how: `limited_api: '${m[1] as string}'` });
    }
  }
  b.cythonDirective = directiveIn(view, lines);
  // meson builds are not read for build scope yet: they make the scope unknown.
  if (/\bextension_module\s*\(|\blibrary\s*\(/.test(view)) b.opaqueBuild = true;
  return b.limitedApi.length || b.cythonDirective || b.opaqueBuild ? b : null;
}

// ---------------------------------------------------------------------------------------------------------------
// GitHub Actions workflows: cibuildwheel settings.

function extractWorkflow(text: string, lines: LineMap): BuildFacts | null {
  if (!/cibuildwheel|CIBW_/.test(text)) return null;
  const code = hashCodeView(text, { tripleQuotes: false, backslashEscapes: false });
  const c: CibwFacts = { at: loc(lines, 0, 0), build: [], skip: [], enable: [], freeThreadedSupport: [], version: [] };
  let first = -1;
  const keyRe = /^([ \t]*-?[ \t]*)(CIBW_(BUILD|SKIP|ENABLE|FREE_THREADED_SUPPORT|FREE_THREADING_SUPPORT)(?:_[A-Z]+)?)\s*:[ \t]*(.*)$/gm;
  for (let m = keyRe.exec(code); m; m = keyRe.exec(code)) {
    const start = m.index + (m[1] as string).length;
    const lineEnd = m.index + m[0].length;
    let raw = text.slice(m.index + m[0].length - (m[4] as string).length, lineEnd).trim();
    let end = lineEnd;
    if (/^[>|][+-]?$/.test(raw)) {
      // block scalar: the following, more indented lines
      const indent = (m[1] as string).replace('-', ' ').length;
      const parts: string[] = [];
      let k = lineEnd + 1;
      while (k < text.length) {
        let e = text.indexOf('\n', k);
        if (e === -1) e = text.length;
        const l = text.slice(k, e);
        if (l.trim() !== '' && l.search(/\S/) <= indent) break;
        parts.push(l.trim());
        end = e;
        k = e + 1;
      }
      raw = parts.join(' ');
    }
    const value = raw.replace(/^(['"])(.*)\1$/, '$2');
    const kind = m[3] as string;
    const s: Setting = { ...loc(lines, start, end), value };
    if (kind === 'BUILD') c.build.push(s);
    else if (kind === 'SKIP') c.skip.push(s);
    else if (kind === 'ENABLE') c.enable.push(s);
    else c.freeThreadedSupport.push(s);
    if (first === -1 || start < first) first = start;
  }
  // `pypa/cibuildwheel@v2.21.3`, `pypa/cibuildwheel@<sha> # v2.21.3` (pinned by hash), `cibuildwheel==2.21.3`
  const verRe = /pypa\/cibuildwheel@(?:v?(\d+(?:\.\d+){0,2})\b|[0-9a-f]{40}[ \t]*#[ \t]*v?(\d+(?:\.\d+){0,2}))|cibuildwheel\s*==\s*(\d+(?:\.\d+){0,2})/g;
  for (let m = verRe.exec(text); m; m = verRe.exec(text)) {
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    if (/^\s*#/.test(text.slice(lineStart, m.index))) continue;
    c.version.push({ ...loc(lines, m.index, m.index + m[0].length), value: (m[1] ?? m[2] ?? m[3]) as string });
    if (first === -1 || m.index < first) first = m.index;
  }
  const runs = /pypa\/cibuildwheel|cibuildwheel\b/.exec(code);
  if (first === -1 && !runs) return null;
  const anchor = first !== -1 ? first : (runs as RegExpExecArray).index;
  c.at = loc(lines, anchor, anchor);
  return { ...emptyBuild(), cibuildwheel: c };
}

// ---------------------------------------------------------------------------------------------------------------

/** Binding facts of a file that is not C/C++ (Python files pass their tree-sitter-python root). */
export function extractSourceBindings(language: Language, path: string, text: string, lines: LineMap, root: Node | null): BindingFacts | undefined {
  const name = basename(path);
  switch (language) {
    case 'cython':
      return extractCython(path, text, lines);
    case 'rust':
      return extractRust(text, lines);
    case 'python':
      return root ? extractPython(path, text, lines, root) : undefined;
    case 'toml':
      return { modules: [], build: name === 'Cargo.toml' ? extractCargo(text, lines) : extractPyproject(text, lines) };
    case 'setup-cfg':
      return { modules: [], build: extractSetupCfg(text, lines) };
    case 'cmake': {
      const b = extractCmake(text, lines);
      return b ? { modules: [], build: b } : undefined;
    }
    case 'meson': {
      const b = extractMeson(text, lines);
      return b ? { modules: [], build: b } : undefined;
    }
    case 'yaml': {
      const b = extractWorkflow(text, lines);
      return b ? { modules: [], build: b } : undefined;
    }
    default:
      return undefined;
  }
}

