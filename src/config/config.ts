// Configuration: `[tool.ftlint]` in pyproject.toml, or the top level of ftlint.toml / .ftlint.toml,
// found by walking up from the scanned path (in each directory: .ftlint.toml, ftlint.toml, then a
// pyproject.toml that has a [tool.ftlint] table). Unknown keys and bad values are errors that name the
// file and the key, never silently ignored.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { startDirectory } from '../engine/project-info.js';
import type { Severity } from '../engine/types.js';
import { RULES, RULES_BY_ID } from '../rules/index.js';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly key: string | null,
    message: string,
  ) {
    super(`${file}: ${key ? `${key}: ` : ''}${message}`);
  }
}

export interface Config {
  /** The file it came from (absolute), or null for defaults. */
  file: string | null;
  /** Directory relative globs (`exclude`, `per-file-ignores`) are resolved from. */
  base: string;
  select?: string[];
  ignore?: string[];
  exclude: string[];
  perFileIgnores: { pattern: string; rules: string[] }[];
  /** Per rule id or prefix. */
  severity: Record<string, Severity>;
  /** Oldest supported CPython minor (3.x), from `target-version`. */
  targetMinor?: number;
  failOn?: Severity;
  reportUnusedIgnores?: boolean;
  /** false: also report in C/C++ files the build compiles into no extension (default true: build scope, scope.ts). */
  buildScope?: boolean;
  /** Rule options, by rule id. */
  rules: Record<string, Record<string, unknown>>;
}

export const CONFIG_FILES = ['.ftlint.toml', 'ftlint.toml', 'pyproject.toml'] as const;

const TOP_KEYS = ['select', 'ignore', 'per-file-ignores', 'exclude', 'extend-exclude', 'severity', 'target-version', 'fail-on', 'report-unused-ignores', 'build-scope', 'rules'];
const SEVERITIES: Severity[] = ['error', 'warning', 'info'];

export function emptyConfig(base: string): Config {
  return { file: null, base, exclude: [], perFileIgnores: [], severity: {}, rules: {} };
}

/** Finds the configuration that applies to `start` (a file or directory): the nearest one above it. */
export function findConfigFile(start: string): string | null {
  let dir = startDirectory(start);
  for (;;) {
    for (const name of CONFIG_FILES) {
      const p = join(dir, name);
      if (!existsSync(p)) continue;
      if (name !== 'pyproject.toml') return p;
      if (pyprojectHasTable(p)) return p;
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

function pyprojectHasTable(p: string): boolean {
  try {
    return /^\s*\[\s*tool\s*\.\s*ftlint\s*[\].]/m.test(readFileSync(p, 'utf8'));
  } catch {
    return false;
  }
}

/** Loads and validates one configuration file (`shown`: its name in messages). Throws ConfigError. */
export function loadConfig(path: string, shown?: string): Config {
  const abs = resolve(path);
  const file = shown ?? path;
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ConfigError(file, null, `cannot read configuration: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    const where = e instanceof TomlError ? ` (line ${e.line}, column ${e.column})` : '';
    throw new ConfigError(file, null, `not valid TOML${where}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
  }
  const isPyproject = basename(abs) === 'pyproject.toml';
  let table: unknown = doc;
  let prefix = '';
  if (isPyproject) {
    table = (doc.tool as Record<string, unknown> | undefined)?.ftlint;
    prefix = 'tool.ftlint.';
    if (table === undefined) return { ...emptyConfig(dirname(abs)), file: abs };
  }
  return { ...parseTable(table, file, prefix, dirname(abs)), file: abs };
}

function parseTable(table: unknown, file: string, prefix: string, base: string): Config {
  const fail = (key: string, msg: string): never => {
    throw new ConfigError(file, `${prefix}${key}`, msg);
  };
  if (!isTable(table)) return fail('', 'must be a table');
  const cfg: Config = { ...emptyConfig(base), file: null };
  for (const [key, value] of Object.entries(table)) {
    switch (key) {
      case 'select':
      case 'ignore':
        cfg[key] = ruleSelectors(value, (m) => fail(key, m));
        break;
      case 'exclude':
      case 'extend-exclude':
        cfg.exclude.push(...strings(value, (m) => fail(key, m)));
        break;
      case 'per-file-ignores':
        if (!isTable(value)) fail(key, 'must be a table of glob = ["FT201", …]');
        for (const [pattern, rules] of Object.entries(value as Record<string, unknown>)) {
          cfg.perFileIgnores.push({ pattern, rules: ruleSelectors(rules, (m) => fail(`${key}."${pattern}"`, m)) });
        }
        break;
      case 'severity':
        if (!isTable(value)) fail(key, 'must be a table of rule = "error" | "warning" | "info"');
        for (const [sel, sev] of Object.entries(value as Record<string, unknown>)) {
          ruleSelectors([sel], (m) => fail(`${key}.${sel}`, m));
          if (typeof sev !== 'string' || !SEVERITIES.includes(sev as Severity)) fail(`${key}.${sel}`, `must be one of ${SEVERITIES.map((s) => `"${s}"`).join(', ')} (got ${JSON.stringify(sev)})`);
          cfg.severity[sel.toUpperCase()] = sev as Severity;
        }
        break;
      case 'target-version':
        cfg.targetMinor = parseTargetVersion(value, (m) => fail(key, m));
        break;
      case 'fail-on':
        if (typeof value !== 'string' || !SEVERITIES.includes(value as Severity)) fail(key, `must be one of ${SEVERITIES.map((s) => `"${s}"`).join(', ')}`);
        cfg.failOn = value as Severity;
        break;
      case 'report-unused-ignores':
        if (typeof value !== 'boolean') fail(key, 'must be true or false');
        cfg.reportUnusedIgnores = value as boolean;
        break;
      case 'build-scope':
        if (typeof value !== 'boolean') fail(key, 'must be true or false');
        cfg.buildScope = value as boolean;
        break;
      case 'rules':
        if (!isTable(value)) fail(key, 'must be a table of rule options, e.g. [tool.ftlint.rules.FT301]');
        for (const [id, opts] of Object.entries(value as Record<string, unknown>)) cfg.rules[id.toUpperCase()] = ruleOptions(id, opts, (k, m) => fail(`${key}.${id}${k ? `.${k}` : ''}`, m));
        break;
      default:
        fail(key, `unknown key (known keys: ${TOP_KEYS.join(', ')})`);
    }
  }
  return cfg;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function strings(v: unknown, fail: (m: string) => never): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return fail('must be a list of strings');
  return v as string[];
}

/** Rule ids or prefixes (`FT2`, `FT201`, `ALL`); each must match at least one rule. */
function ruleSelectors(v: unknown, fail: (m: string) => never): string[] {
  const list = strings(v, fail);
  for (const sel of list) {
    const s = sel.trim().toUpperCase();
    if (s !== 'ALL' && !RULES.some((r) => r.meta.id.startsWith(s))) fail(`unknown rule or prefix '${sel}' (see \`ftlint rules\`)`);
  }
  return list.map((s) => s.trim().toUpperCase());
}

/** `"3.9"`, `"py39"` or `"cp39"` → 9. */
export function parseTargetVersion(v: unknown, fail: (m: string) => never): number {
  const m = typeof v === 'string' ? /^(?:3\.(\d+)|(?:py|cp)3(\d+))$/.exec(v.trim()) : null;
  if (!m) return fail(`must be a CPython version such as "3.9" or "py39" (got ${JSON.stringify(v)})`);
  const minor = Number(m[1] ?? m[2]);
  if (minor < 6 || minor > 30) return fail(`3.${minor} is not a CPython version ftlint knows`);
  return minor;
}

function ruleOptions(id: string, v: unknown, fail: (key: string | null, m: string) => never): Record<string, unknown> {
  const rule = RULES_BY_ID.get(id.toUpperCase());
  if (!rule) return fail(null, `unknown rule '${id}'`);
  if (!isTable(v)) return fail(null, 'must be a table of options');
  const specs = rule.meta.options ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) {
    const spec = specs[k];
    if (!spec) return fail(k, `unknown option of ${rule.meta.id}${Object.keys(specs).length ? ` (known: ${Object.keys(specs).join(', ')})` : ' (it has none)'}`);
    const ok =
      spec.type === 'string[]' ? Array.isArray(val) && val.every((x) => typeof x === 'string') : spec.type === 'number' ? typeof val === 'number' : typeof val === spec.type;
    if (!ok) return fail(k, `must be ${spec.type === 'string[]' ? 'a list of strings' : `a ${spec.type}`} (got ${JSON.stringify(val)})`);
    out[k] = val;
  }
  return out;
}
