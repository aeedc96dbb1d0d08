// `--format markdown`: a summary for humans, fit for `$GITHUB_STEP_SUMMARY` (GitHub renders it on the
// run page; 1 MiB per step): totals, counts per rule and per extension module, each rule's remedy,
// the first findings, and extra sections such as the wheel coverage matrix when wheels were checked.
import type { Finding, RunResult, Severity } from '../engine/types.js';
import { RULES_BY_ID } from '../rules/index.js';
import { coverageMarkdown } from './coverage.js';
import { ruleDocUrl } from './links.js';
import { remedyLine, summaryLine } from './text.js';

export interface MarkdownOptions {
  /** Extra Markdown sections appended at the end (the wheel coverage matrix comes from `result.coverage`). */
  extraSections?: string[];
  /** How many findings to list individually (default 50). */
  maxListed?: number;
}

const SEVS: Severity[] = ['error', 'warning', 'info'];
const ICON: Record<Severity, string> = { error: '🔴', warning: '🟡', info: '🔵' };

/** Escapes text for a Markdown table cell. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function counts(list: Finding[]): Record<Severity, number> {
  const c: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of list) c[f.severity]++;
  return c;
}

export function formatMarkdown(result: RunResult, opts: MarkdownOptions = {}): string {
  const out: string[] = [];
  const n = result.findings.length;
  out.push(`## ${n === 0 ? '✅' : counts(result.findings).error > 0 ? '❌' : '⚠️'} ftlint`, '', summaryLine(result), '');

  if (n > 0) {
    const byRule = new Map<string, Finding[]>();
    for (const f of result.findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
    const rules = [...byRule.keys()].sort();
    out.push('### Findings per rule', '', '| Rule | Severity | Count | What it finds | Use instead |', '|---|---|---:|---|---|');
    for (const id of rules) {
      const list = byRule.get(id) as Finding[];
      const rule = RULES_BY_ID.get(id);
      const c = counts(list);
      const sev = SEVS.filter((s) => c[s] > 0).join(', ');
      const r = (list[0] as Finding).remedy;
      out.push(`| [${id}](${ruleDocUrl(id)}) ${rule?.meta.name ?? ''} | ${sev} | ${list.length} | ${cell(rule?.meta.title ?? '')} | \`${cell(r.api)}\`${r.since ? ` (${r.since})` : ''} |`);
    }
    out.push('');

    // Per extension module (files grouped by the module that owns them); the rest per file.
    const owner = new Map<string, string>();
    for (const m of result.modules ?? []) for (const p of m.files) if (!owner.has(p)) owner.set(p, m.name);
    const groups = new Map<string, Finding[]>();
    for (const f of result.findings) {
      const key = owner.has(f.path) ? `module \`${owner.get(f.path)}\`` : `\`${f.path}\``;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    out.push('### Findings per module', '', '| Module or file | Errors | Warnings | Info |', '|---|---:|---:|---:|');
    for (const [key, list] of [...groups].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))) {
      const c = counts(list);
      out.push(`| ${cell(key)} | ${c.error} | ${c.warning} | ${c.info} |`);
    }
    out.push('');

    out.push('### How to fix', '');
    for (const id of rules) {
      const rule = RULES_BY_ID.get(id);
      const r = (byRule.get(id) as Finding[])[0]?.remedy;
      if (!r) continue;
      out.push(`<details><summary><b>${id}</b> ${rule ? cell(rule.meta.title) : ''}: ${remedyLine(r)}</summary>`, '');
      out.push('```' + (rule?.meta.exampleLanguage ?? 'c'), r.snippet, '```', '', `More: [${id}](${ruleDocUrl(id)})`, '', '</details>', '');
    }

    const max = opts.maxListed ?? 50;
    out.push(`### Findings${n > max ? ` (first ${max} of ${n})` : ''}`, '');
    const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
    const listed = [...result.findings].sort((a, b) => rank[a.severity] - rank[b.severity]).slice(0, max);
    for (const f of listed) out.push(`- ${ICON[f.severity]} \`${f.path}:${f.range.start.line}:${f.range.start.column}\` ${cell(f.message)} [${f.rule}]`);
    out.push('');
  }

  const diags = result.diagnostics.filter((d) => d.severity !== 'info');
  if (diags.length > 0) {
    out.push('### Files ftlint could not check', '');
    for (const d of diags.slice(0, 50)) out.push(`- \`${d.path}\`: ${cell(d.message)} (${d.reason})`);
    if (diags.length > 50) out.push(`- … and ${diags.length - 50} more`);
    out.push('');
  }
  if (result.coverage?.length) out.push('### Wheels', '', coverageMarkdown(result.coverage).trimEnd(), '');
  for (const s of opts.extraSections ?? []) out.push(s.trimEnd(), '');
  return `${out.join('\n').trimEnd()}\n`;
}
