// A rule is one unit: its metadata (id, title, why, examples, remedy, versions) sits next to its check.
// Rule docs, `ftlint rule FTnnn`, the README table and SARIF's rule list are all generated from this.
import type { ArtifactSet } from '../abi/model.js';
import type { CIndex } from '../engine/c-index.js';
import type { FileFacts, ProjectInfo } from '../engine/facts.js';
import type { Finding, Fix, Language, Remedy, RelatedLocation, Severity } from '../engine/types.js';
import type { Lowered } from '../parse/lower.js';
import type { LineMap } from '../parse/source.js';
import type { Node } from '../parse/parser.js';

export type Family = 'FT0' | 'FT1' | 'FT2' | 'FT3' | 'FT4' | 'FT5' | 'FT6' | 'FT7' | 'FT8';

export interface RuleMeta {
  /** `FTnnn`. */
  id: string;
  /** kebab-case name, e.g. `borrowed-dict-item`. */
  name: string;
  /** One line: what is wrong. */
  title: string;
  family: Family;
  severity: Severity;
  /** Why it breaks on free-threaded Python, and when the rule stays quiet. */
  why: string;
  /** Code that fires the rule. */
  bad: string;
  /** The same code, fixed. */
  good: string;
  /** The default remedy (a finding may give a more specific one). */
  remedy: Remedy;
  /** Language of the examples (for docs code fences). */
  exampleLanguage: 'c' | 'cpp' | 'python' | 'cython' | 'toml' | 'rust' | 'cmake' | 'text';
  /** Sources for the facts the rule encodes. */
  references: string[];
  /** What the rule does not model. */
  limitations?: string;
  /** Options users can set in configuration: `[tool.ftlint.rules.FTnnn]` (read them with `ruleOption`). */
  options?: Record<string, RuleOptionSpec>;
}

export interface RuleOptionSpec {
  type: 'boolean' | 'number' | 'string' | 'string[]';
  default: boolean | number | string | string[];
  description: string;
}

/** A rule option's configured value, or its default. */
export function ruleOption<T extends RuleOptionSpec['default']>(project: ProjectInfo, meta: RuleMeta, name: string): T {
  const set = project.ruleOptions?.[meta.id]?.[name];
  return (set !== undefined ? set : meta.options?.[name]?.default) as T;
}

export interface ReportArgs {
  start: number;
  end: number;
  message: string;
  remedy?: Remedy;
  related?: RelatedLocation[];
  severity?: Severity;
  /** A safe fix: edits by UTF-16 offsets into the file's text (see src/fix/apply.ts). */
  fix?: Fix;
  /**
   * The finding holds only if the container in this object field (`fields`, or an accessor `F()`) changes after
   * its object is built: decided over the whole project (containers.ts, `resolveHeld`).
   */
  held?: string;
  /**
   * The finding holds only if this function can run after module init: the container is the module's own dict
   * (`PyModule_GetDict(m)`), which nothing else reaches while the module is being initialised (run.ts).
   */
  unlessInitOnly?: string;
}

export interface CFileContext {
  kind: 'c';
  path: string;
  language: Language;
  /** Original text (BOM stripped). */
  text: string;
  lowered: Lowered;
  /** Lowered text with comments and string contents blanked; same offsets. */
  code: string;
  root: Node;
  index: CIndex;
  lines: LineMap;
  project: ProjectInfo;
  report(args: ReportArgs): void;
}

/** Where a Python file sits: rules that only matter in library code stay quiet in the other roles. */
export type PythonRole = 'library' | 'test' | 'script' | 'build';

/** Context of a file that is not C/C++: Python (with its tree-sitter-python tree), Cython, TOML, CMake, Rust, … */
export interface SourceFileContext {
  kind: 'source';
  path: string;
  language: Language;
  /** Original text (BOM stripped). */
  text: string;
  /** The text with comments and string contents blanked (same offsets), for the languages ftlint reads as text. */
  code: string;
  /** tree-sitter-python tree for Python files; null for every other language. */
  root: Node | null;
  lines: LineMap;
  project: ProjectInfo;
  /** Python/Cython files: library code, a test, a script/entry point, or build tooling (setup.py, noxfile.py, docs). */
  role: PythonRole;
  /** Run library-only rules in tests, scripts and `__main__` blocks too (`--check-tests`). */
  checkTests: boolean;
  report(args: ReportArgs): void;
}

export type FileContext = CFileContext | SourceFileContext;

export interface FileRule {
  kind: 'file';
  meta: RuleMeta;
  languages: Language[];
  /**
   * Also reports in code that only GIL builds compile (branches blanked from the free-threaded view,
   * `Lowered.dead`), e.g. thread-state calls put under `#ifndef Py_GIL_DISABLED`. Other rules never do.
   */
  gilView?: boolean;
  /** Called with the context kind the rule was defined for (`defineFileRule`: C/C++, `defineSourceRule`: the rest). */
  check(ctx: FileContext): void;
}

export interface ProjectContext {
  files: FileFacts[];
  project: ProjectInfo;
  /** Findings of every file rule (after select/ignore), e.g. for FT106. */
  findings: Finding[];
  report(path: string, args: Omit<ReportArgs, 'start' | 'end'> & { line: number; column: number; endLine?: number; endColumn?: number; lineText?: string }): void;
}

export interface ProjectRule {
  kind: 'project';
  meta: RuleMeta;
  /** Project rules that look at other rules' findings run last. */
  after?: 'file-findings';
  check(ctx: ProjectContext): void;
}

/** A rule whose findings come from ftlint's own passes (suppression comments): metadata only, no check. */
export interface BuiltinRule {
  kind: 'builtin';
  meta: RuleMeta;
}


/** What artifact (wheel and binary) rules see: the parsed model, never the file system. */
export interface ArtifactContext {
  artifacts: ArtifactSet;
  /** `path` is the wheel, or `wheel!member` for a file inside it, or the binary's own path. */
  report(path: string, args: { message: string; severity?: Severity; remedy?: Remedy; related?: RelatedLocation[] }): void;
}

export interface ArtifactRule {
  kind: 'artifact';
  meta: RuleMeta;
  check(ctx: ArtifactContext): void;
}

export type Rule = FileRule | ProjectRule | ArtifactRule | BuiltinRule;

/** A rule over C/C++ files (tree-sitter-c/cpp, the lowered text and the C index). */
export function defineFileRule(rule: { meta: RuleMeta; languages: Language[]; gilView?: boolean; check(ctx: CFileContext): void }): FileRule {
  return { kind: 'file', meta: rule.meta, languages: rule.languages, ...(rule.gilView ? { gilView: true } : {}), check: (ctx) => (ctx.kind === 'c' ? rule.check(ctx) : undefined) };
}
/** A rule over Python (tree-sitter-python), Cython, packaging or build files. */
export function defineSourceRule(rule: { meta: RuleMeta; languages: Language[]; check(ctx: SourceFileContext): void }): FileRule {
  return { kind: 'file', meta: rule.meta, languages: rule.languages, check: (ctx) => (ctx.kind === 'source' ? rule.check(ctx) : undefined) };
}
export function defineBuiltinRule(rule: Omit<BuiltinRule, 'kind'>): BuiltinRule {
  return { kind: 'builtin', ...rule };
}
export function defineProjectRule(rule: Omit<ProjectRule, 'kind'>): ProjectRule {
  return { kind: 'project', ...rule };
}
export function defineArtifactRule(rule: Omit<ArtifactRule, 'kind'>): ArtifactRule {
  return { kind: 'artifact', ...rule };
}
