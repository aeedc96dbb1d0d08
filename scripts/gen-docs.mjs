// Regenerates docs/rules/FTnnn.md and the README rule table from rule metadata (run after `npm run build`).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { RULES } = await import(join(root, 'dist/src/rules/index.js'));
const { ruleMarkdown, ruleTable } = await import(join(root, 'dist/src/report/rule-doc.js'));
const docs = join(root, 'docs/rules');
mkdirSync(docs, { recursive: true });
for (const f of readdirSync(docs)) if (/^FT\d{3}\.md$/.test(f)) rmSync(join(docs, f));
for (const r of RULES) writeFileSync(join(docs, `${r.meta.id}.md`), ruleMarkdown(r));
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const next = readme.replace(/<!-- rules:start -->[\s\S]*?<!-- rules:end -->/, `<!-- rules:start -->\n${ruleTable(RULES)}\n<!-- rules:end -->`);
writeFileSync(readmePath, next);
console.error(`generated ${RULES.length} rule docs`);
