// A rule is one unit: its metadata (id, title, why, examples, remedy, versions) sits next to its check.
// Rule docs, `ftlint rule FTnnn`, the README table and SARIF's rule list are all generated from this.
import type { ArtifactSet } from '../abi/model.js';
import type { CIndex } from '../engine/c-index.js';
import type { FileFacts, ProjectInfo } from '../engine/facts.js';
import type { Finding, Language, Remedy, RelatedLocation, Severity } from '../engine/types.js';
import type { Lowered } from '../parse/lower.js';
import type { LineMap } from '../parse/source.js';
import type { Node } from '../parse/parser.js';

export type Family = 'FT1' | 'FT2' | 'FT3' | 'FT4' | 'FT5' | 'FT6' | 'FT7' | 'FT8';

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
}

export interface ReportArgs {
  start: number;
  end: number;
  message: string;
  remedy?: Remedy;
  related?: RelatedLocation[];
  severity?: Severity;
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

export interface FileRule {
  kind: 'file';
  meta: RuleMeta;
  languages: Language[];
  check(ctx: CFileContext): void;
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

export type Rule = FileRule | ProjectRule | ArtifactRule;

export function defineFileRule(rule: Omit<FileRule, 'kind'>): FileRule {
  return { kind: 'file', ...rule };
}
export function defineProjectRule(rule: Omit<ProjectRule, 'kind'>): ProjectRule {
  return { kind: 'project', ...rule };
}
export function defineArtifactRule(rule: Omit<ArtifactRule, 'kind'>): ArtifactRule {
  return { kind: 'artifact', ...rule };
}
