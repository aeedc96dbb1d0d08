// Rule documentation, generated from rule metadata: `ftlint rule FTnnn`, docs/rules/*.md, README table.
import type { Rule } from '../rules/types.js';

export function ruleMarkdown(rule: Rule): string {
  const m = rule.meta;
  const r = m.remedy;
  const lines = [
    `# ${m.id} ${m.name}`,
    '',
    `**${m.title}**`,
    '',
    `- Family: ${m.family} · Default severity: ${m.severity}${rule.kind === 'file' ? ` · Languages: ${rule.languages.join(', ')}` : rule.kind === 'artifact' ? ' · Scope: wheels and binaries (`ftlint abi`)' : rule.kind === 'builtin' ? ' · Scope: suppression comments' : ' · Scope: whole project'}`,
    `- Use instead: \`${r.api}\`${r.since ? ` (CPython ${r.since}+)` : ''}${r.requires ? `; needs ${r.requires} or newer` : ''}${r.compat ? `; older versions: \`${r.compat}\`` : ''}`,
    '',
    '## Why',
    '',
    m.why,
    '',
    '## Example',
    '',
    'Flagged:',
    '',
    '```' + m.exampleLanguage,
    m.bad,
    '```',
    '',
    'Fixed:',
    '',
    '```' + m.exampleLanguage,
    m.good,
    '```',
    '',
    '## Remedy',
    '',
    '```' + m.exampleLanguage,
    r.snippet,
    '```',
    '',
  ];
  if (m.options && Object.keys(m.options).length) {
    lines.push('## Options', '', `Set in \`[tool.ftlint.rules.${m.id}]\` (pyproject.toml) or \`[rules.${m.id}]\` (ftlint.toml).`, '');
    for (const [k, o] of Object.entries(m.options)) lines.push(`- \`${k}\` (${o.type}, default \`${JSON.stringify(o.default)}\`): ${o.description}`);
    lines.push('');
  }
  if (m.limitations) lines.push('## Limitations', '', m.limitations, '');
  if (m.references.length) lines.push('## References', '', ...m.references.map((x) => `- ${x}`), '');
  lines.push('<!-- generated from src/rules by `npm run gen`; do not edit -->', '');
  return lines.join('\n');
}

export function ruleTable(rules: readonly Rule[]): string {
  const rows = rules.map((r) => {
    const m = r.meta;
    return `| [${m.id}](docs/rules/${m.id}.md) | ${m.name} | ${m.severity} | ${m.title} | \`${m.remedy.api}\`${m.remedy.since ? ` (${m.remedy.since})` : ''} |`;
  });
  return ['| Rule | Name | Severity | What it finds | Use instead |', '|---|---|---|---|---|', ...rows].join('\n');
}
