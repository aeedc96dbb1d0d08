// The ports corpus (eval/ports.json): real upstream free-threading ports, each with the sites a maintainer
// changed, read off the upstream diff by hand. Only SHAs, paths, line numbers and descriptions: no code.
import { readFileSync } from 'node:fs';

export const CATEGORIES = ['module-declaration', 'borrowed-ref', 'global-state', 'object-state', 'libc', 'refcount', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];
export const LANGUAGES = ['c', 'cpp', 'cython', 'rust'] as const;
export type PortLanguage = (typeof LANGUAGES)[number];

export interface Site {
  path: string;
  /** Line in the BEFORE tree of the code that had to change. */
  line: number;
  category: Category;
  what: string;
  /** Line in the AFTER tree, where the reader gave it. */
  after_line?: number;
}

export interface LeftAlone {
  path: string;
  line: number;
  what: string;
}

export interface Port {
  project: string;
  repo: string;
  language: PortLanguage;
  before: string;
  after: string;
  port_commits: string[];
  url: string;
  /** Directories ftlint is run on, relative to the repository root (default: the whole tree). */
  scope?: string[];
  sites: Site[];
  left_alone: LeftAlone[];
  notes?: string;
}

export class CorpusError extends Error {}

const SHA = /^[0-9a-f]{40}$/;

function fail(where: string, what: string): never {
  throw new CorpusError(`${where}: ${what}`);
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v === '') fail(where, 'expected a non-empty string');
  return v;
}

function line(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(where, 'expected a line number (an integer ≥ 1)');
  return v;
}

function relPath(v: unknown, where: string): string {
  const p = str(v, where);
  if (p.startsWith('/') || p.split('/').includes('..')) fail(where, `'${p}' must be relative to the repository root`);
  return p;
}

/** Validates one entry; every error names the port and the field. */
export function validatePort(raw: unknown, index: number): Port {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`ports[${index}]`, 'expected an object');
  const o = raw as Record<string, unknown>;
  const project = str(o.project, `ports[${index}].project`);
  const at = (k: string) => `${project}.${k}`;
  const repo = str(o.repo, at('repo'));
  if (!/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(repo)) fail(at('repo'), `'${repo}' is not owner/name`);
  const language = str(o.language, at('language'));
  if (!(LANGUAGES as readonly string[]).includes(language)) fail(at('language'), `'${language}' is not one of ${LANGUAGES.join(', ')}`);
  const before = str(o.before, at('before'));
  const after = str(o.after, at('after'));
  for (const [k, v] of [['before', before], ['after', after]] as const) if (!SHA.test(v)) fail(at(k), `'${v}' is not a 40-hex commit`);
  if (!Array.isArray(o.port_commits) || o.port_commits.length === 0) fail(at('port_commits'), 'expected a non-empty list of commits');
  const port_commits = o.port_commits.map((c, i) => {
    const s = str(c, `${at('port_commits')}[${i}]`);
    if (!SHA.test(s)) fail(`${at('port_commits')}[${i}]`, `'${s}' is not a 40-hex commit`);
    return s;
  });
  if (port_commits[port_commits.length - 1] !== after) fail(at('after'), 'must be the last of port_commits');
  const url = str(o.url, at('url'));
  if (!/^https:\/\//.test(url)) fail(at('url'), 'expected an https URL');
  let scope: string[] | undefined;
  if (o.scope !== undefined) {
    if (!Array.isArray(o.scope) || o.scope.length === 0) fail(at('scope'), 'expected a non-empty list of directories');
    scope = o.scope.map((s, i) => relPath(s, `${at('scope')}[${i}]`).replace(/\/$/, ''));
  }
  if (!Array.isArray(o.sites)) fail(at('sites'), 'expected a list');
  const sites = o.sites.map((s, i): Site => {
    const w = `${at('sites')}[${i}]`;
    if (typeof s !== 'object' || s === null) fail(w, 'expected an object');
    const so = s as Record<string, unknown>;
    const category = str(so.category, `${w}.category`);
    if (!(CATEGORIES as readonly string[]).includes(category)) fail(`${w}.category`, `'${category}' is not one of ${CATEGORIES.join(', ')}`);
    return {
      path: relPath(so.path, `${w}.path`),
      line: line(so.line, `${w}.line`),
      category: category as Category,
      what: str(so.what, `${w}.what`),
      ...(so.after_line !== undefined ? { after_line: line(so.after_line, `${w}.after_line`) } : {}),
    };
  });
  const left = o.left_alone ?? [];
  if (!Array.isArray(left)) fail(at('left_alone'), 'expected a list');
  const left_alone = left.map((s, i): LeftAlone => {
    const w = `${at('left_alone')}[${i}]`;
    const so = (s ?? {}) as Record<string, unknown>;
    return { path: relPath(so.path, `${w}.path`), line: line(so.line, `${w}.line`), what: str(so.what, `${w}.what`) };
  });
  const notes = o.notes === undefined ? undefined : str(o.notes, at('notes'));
  return { project, repo, language: language as PortLanguage, before, after, port_commits, url, ...(scope ? { scope } : {}), sites, left_alone, ...(notes ? { notes } : {}) };
}

export function parseCorpus(text: string, file = 'ports.json'): Port[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CorpusError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { ports?: unknown })?.ports;
  if (!Array.isArray(list)) throw new CorpusError(`${file}: expected a list of ports (or { "ports": [...] })`);
  const ports = list.map(validatePort);
  const seen = new Set<string>();
  for (const p of ports) {
    if (seen.has(p.project)) throw new CorpusError(`${file}: project '${p.project}' appears twice`);
    seen.add(p.project);
  }
  return ports;
}

export function loadCorpus(file: string): Port[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CorpusError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseCorpus(text, file);
}

/** The mirror's directory name for a repository: `owner+name`, as the mirrors are laid out. */
export function mirrorName(repo: string): string {
  return repo.replace('/', '+');
}
