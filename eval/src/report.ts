// The evaluation's summary (written as JSON), its text form for the terminal and docs/real-world.md.
// Everything here is deterministic for the same corpus, mirrors, verdicts and ftlint: no dates, no paths of
// the machine, no timings in the Markdown.
import { CATEGORIES, type Category, type LeftAlone, type Port, type Site } from './corpus.js';
import type { PortRun } from './run.js';
import { byCategory, causes, countable, emptyTally, FAMILIES, precision, ratio, sampleBefore, siteCount, addMatch, WINDOW, type Judged, type Precision, type Tally } from './score.js';

export const BEFORE_SAMPLE = 40;

export interface TreeSummary {
  commit: string;
  findings: number;
  kloc: number;
  perKloc: number | null;
  byRule: Record<string, number>;
  files: number;
  missingBlobs: string[];
  seconds: number;
}

export interface PortSummary {
  project: string;
  repo: string;
  language: string;
  url: string;
  before: TreeSummary;
  after: TreeSummary;
  recall: Tally;
  byCategory: Record<Category, Tally>;
  missed: Site[];
  /** Sites found only by the same-function measure (no finding within the window). */
  sameFunctionOnly: Site[];
  leftAlone: LeftAlone[];
  scope: string[] | null;
  badSites: { path: string; line: number; why: string }[];
}

export interface UnjudgedRow {
  port: string;
  tree: 'before' | 'after';
  path: string;
  rule: string;
  key: string;
  line: number;
  text: string;
  message: string;
}

export interface Summary {
  ftlint: string;
  ports: PortSummary[];
  failures: { project: string; error: string }[];
  recall: Tally;
  byCategory: Record<Category, Tally>;
  byLanguage: Record<string, Tally>;
  density: { before: { findings: number; kloc: number; perKloc: number | null }; after: { findings: number; kloc: number; perKloc: number | null }; change: number | null };
  precision: { after: Precision; afterDistinct: Precision; afterByRule: Record<string, Precision>; beforeSample: Precision; causesAfter: [string, number][]; causesBefore: [string, number][] };
  unjudged: UnjudgedRow[];
}

function tree(t: PortRun['before']): TreeSummary {
  const c = countable(t.findings);
  const byRule: Record<string, number> = {};
  for (const f of c) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  return {
    commit: t.commit,
    findings: c.length,
    kloc: round(t.kloc, 1),
    perKloc: t.kloc ? round(c.length / t.kloc, 2) : null,
    byRule: Object.fromEntries(Object.entries(byRule).sort(([a], [b]) => a.localeCompare(b))),
    files: t.files,
    missingBlobs: t.missingBlobs,
    seconds: round(t.seconds, 2),
  };
}

function round(n: number, d: number): number {
  const k = 10 ** d;
  return Math.round(n * k) / k;
}

function unjudgedRow(j: Judged): UnjudgedRow {
  return { port: j.port, tree: j.tree, path: j.finding.path, rule: j.finding.rule, key: j.key, line: j.finding.line, text: j.finding.text.trim(), message: j.finding.message };
}

export function summarise(runs: readonly PortRun[], failures: { port: Port; error: string }[], ftlintVersion: string): Summary {
  const all = runs.flatMap((r) => r.matches);
  const recall = emptyTally();
  for (const m of all) addMatch(recall, m);
  const byLanguage: Record<string, Tally> = {};
  for (const r of runs) for (const m of r.matches) addMatch((byLanguage[r.port.language] ??= emptyTally()), m);
  const afterJudged = runs.flatMap((r) => r.after.judged);
  const sample = sampleBefore(runs.flatMap((r) => r.before.judged), BEFORE_SAMPLE);
  // Ports of one repository check overlapping trees: the same finding (path, rule, line text) counts once here.
  const repoOf = new Map(runs.map((r) => [r.port.project, r.port.repo]));
  const distinct = new Map<string, Judged>();
  for (const j of afterJudged) distinct.set(`${repoOf.get(j.port)}\t${j.finding.path}\t${j.finding.rule}\t${j.key}`, j);
  const afterByRule: Record<string, Precision> = {};
  for (const rule of [...new Set(afterJudged.map((j) => j.finding.rule))].sort()) afterByRule[rule] = precision(afterJudged.filter((j) => j.finding.rule === rule));
  const bf = runs.reduce((n, r) => n + countable(r.before.findings).length, 0);
  const af = runs.reduce((n, r) => n + countable(r.after.findings).length, 0);
  const bk = runs.reduce((n, r) => n + r.before.kloc, 0);
  const ak = runs.reduce((n, r) => n + r.after.kloc, 0);
  const bd = bk ? bf / bk : null;
  const ad = ak ? af / ak : null;
  return {
    ftlint: ftlintVersion,
    ports: runs.map((r) => ({
      project: r.port.project,
      repo: r.port.repo,
      language: r.port.language,
      url: r.port.url,
      before: tree(r.before),
      after: tree(r.after),
      recall: r.matches.reduce((t, m) => (addMatch(t, m), t), emptyTally()),
      byCategory: byCategory(r.matches),
      missed: r.matches.filter((m) => !m.sameFunction).map((m) => m.site),
      sameFunctionOnly: r.matches.filter((m) => m.sameFunction && !m.strict).map((m) => m.site),
      leftAlone: r.port.left_alone,
      scope: r.port.scope ?? null,
      badSites: r.badSites.map((b) => ({ path: b.site.path, line: b.site.line, why: b.why })),
    })),
    failures: failures.map((f) => ({ project: f.port.project, error: f.error })),
    recall,
    byCategory: byCategory(all),
    byLanguage,
    density: {
      before: { findings: bf, kloc: round(bk, 1), perKloc: bd === null ? null : round(bd, 2) },
      after: { findings: af, kloc: round(ak, 1), perKloc: ad === null ? null : round(ad, 2) },
      change: bd && ad !== null ? round((ad - bd) / bd, 3) : null,
    },
    precision: {
      after: precision(afterJudged),
      afterDistinct: precision([...distinct.values()]),
      afterByRule,
      beforeSample: precision(sample),
      causesAfter: causes(afterJudged),
      causesBefore: causes(sample),
    },
    unjudged: [...afterJudged.filter((j) => !j.verdict), ...sample.filter((j) => !j.verdict)].map(unjudgedRow),
  };
}

const pct = (n: number | null) => (n === null ? '–' : `${(n * 100).toFixed(1)} %`);
const frac = (t: Tally, k: 'strict' | 'sameFunction') => `${t[k]}/${t.sites} (${pct(ratio(t[k], t.sites))})`;
const num = (n: number | null) => (n === null ? '–' : n.toFixed(2));

export function renderText(s: Summary): string {
  const out: string[] = [];
  out.push(`ftlint ${s.ftlint} on ${s.ports.length} ports, ${s.recall.sites} sites${s.failures.length ? ` (${s.failures.length} ports failed)` : ''}`);
  for (const f of s.failures) out.push(`  FAILED ${f.project}: ${f.error}`);
  for (const p of s.ports) for (const b of p.badSites) out.push(`  CORPUS ERROR ${p.project} ${b.path}:${b.line}: ${b.why}`);
  out.push('', 'port                     lang    sites  strict         same-function  findings/kLOC before -> after');
  for (const p of s.ports) {
    out.push(
      `${p.project.padEnd(24)} ${p.language.padEnd(7)} ${String(p.recall.sites).padStart(5)}  ${frac(p.recall, 'strict').padEnd(14)} ${frac(p.recall, 'sameFunction').padEnd(14)} ${num(p.before.perKloc)} (${p.before.findings}) -> ${num(p.after.perKloc)} (${p.after.findings})`,
    );
  }
  out.push('', 'category            sites  strict            same-function');
  for (const c of CATEGORIES) {
    const t = s.byCategory[c];
    if (t.sites) out.push(`${c.padEnd(19)} ${String(t.sites).padStart(5)}  ${frac(t, 'strict').padEnd(17)} ${frac(t, 'sameFunction')}`);
  }
  out.push(`${'overall'.padEnd(19)} ${String(s.recall.sites).padStart(5)}  ${frac(s.recall, 'strict').padEnd(17)} ${frac(s.recall, 'sameFunction')}`);
  const d = s.density;
  out.push('', `findings/kLOC: before ${num(d.before.perKloc)} (${d.before.findings} in ${d.before.kloc} kLOC) -> after ${num(d.after.perKloc)} (${d.after.findings} in ${d.after.kloc} kLOC): ${d.change === null ? '–' : `${(d.change * 100).toFixed(1)} %`}`);
  const pa = s.precision.after;
  out.push(`precision on AFTER trees: (T+B)/judged ${pct(pa.right)}, T/judged ${pct(pa.live)}  [T ${pa.T}, B ${pa.B}, F ${pa.F}; ${pa.findings - pa.judged} of ${pa.findings} unjudged]`);
  const pd = s.precision.afterDistinct;
  out.push(`  counting each finding once per repository: (T+B)/judged ${pct(pd.right)}, T/judged ${pct(pd.live)}  [T ${pd.T}, B ${pd.B}, F ${pd.F}]`);
  const pb = s.precision.beforeSample;
  out.push(`precision on a sample of ${pb.findings} BEFORE findings: (T+B)/judged ${pct(pb.right)}, T/judged ${pct(pb.live)}  [T ${pb.T}, B ${pb.B}, F ${pb.F}; ${pb.findings - pb.judged} unjudged]`);
  if (s.precision.causesAfter.length) {
    out.push('', 'false-positive causes (AFTER):');
    for (const [c, n] of s.precision.causesAfter) out.push(`  ${String(n).padStart(3)}  ${c}`);
  }
  const missed = s.ports.flatMap((p) => p.missed.map((m) => ({ p, m })));
  if (missed.length) {
    out.push('', `missed sites (${missed.length}, no finding of the family in the same function):`);
    for (const { p, m } of missed) out.push(`  ${p.project}  ${m.path}:${m.line}  [${m.category}] ${m.what}`);
  }
  if (s.unjudged.length) {
    out.push('', `findings without a verdict (${s.unjudged.length}; see the unjudged file):`);
    for (const u of s.unjudged.slice(0, 30)) out.push(`  ${u.port} ${u.tree} ${u.path}:${u.line} ${u.rule}  ${u.text.slice(0, 80)}`);
    if (s.unjudged.length > 30) out.push(`  … ${s.unjudged.length - 30} more`);
  }
  return `${out.join('\n')}\n`;
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;');

function commitLink(repo: string, sha: string): string {
  return `[\`${sha.slice(0, 12)}\`](https://github.com/${repo}/commit/${sha})`;
}

export function renderMarkdown(s: Summary, ports: readonly Port[]): string {
  const byName = new Map(ports.map((p) => [p.project, p]));
  const o: string[] = [];
  o.push('# ftlint on real ports');
  o.push('');
  o.push('<!-- Generated by `npm run eval -- --mirrors DIR` from eval/ports.json and eval/verdicts.tsv: do not edit by hand. -->');
  o.push('');
  o.push(
    `How well ftlint points at what maintainers actually changed when they ported their extension to free-threaded Python, and how often what it says is right. The corpus (\`eval/ports.json\`) holds ${s.ports.length} upstream ports with ${siteCount(ports)} sites, each read off the upstream diff by hand: one site per change a maintainer made for free-threading. No rule of ftlint was tuned on these trees before they were measured. ftlint ${s.ftlint} runs on the tree before the port (BEFORE: the first parent of the first port commit) and after it (AFTER: the last port commit) exactly as a user would run it (\`ftlint . -f json\`); the trees are exported from git mirrors of the upstream repositories (sources and build files only, nothing is built or run).`,
  );
  o.push('');
  o.push('Measures:');
  o.push(`- **strict recall**: a BEFORE finding of the site's rule family in the same file within ${WINDOW} lines of the site (or a related location there);`);
  o.push('- **same-function recall**: such a finding in the same function (C/C++: brace-delimited definition or top-level declaration; Cython: `def`/`cdef`/`cpdef` by indentation);');
  o.push('- **findings per kLOC** of extension source (non-blank lines of C, C++, Cython and Rust), BEFORE → AFTER: a tool that recognises a port reports less after it;');
  o.push('- **precision** from hand verdicts in `eval/verdicts.tsv`: T a live hazard, B true but benign or by design, F false (with its cause). Every AFTER finding is judged, and a fixed pseudo-random sample of ' + BEFORE_SAMPLE + ' BEFORE findings.');
  o.push('');
  o.push('Rule families: ' + CATEGORIES.map((c) => `${c} → ${FAMILIES[c].label}`).join('; ') + '.');
  o.push('');
  o.push('## Ports');
  o.push('');
  o.push('| Project | Language | Port | BEFORE | AFTER | Sites | Checked | kLOC |');
  o.push('|---|---|---|---|---|---:|---|---:|');
  for (const p of s.ports) {
    const port = byName.get(p.project)!;
    o.push(`| ${p.project} ([${p.repo}](https://github.com/${p.repo})) | ${p.language} | [${md(p.url.replace(/^https:\/\/github\.com\//, ''))}](${p.url}) | ${commitLink(p.repo, port.before)} | ${commitLink(p.repo, port.after)} (${port.port_commits.length} commit${port.port_commits.length > 1 ? 's' : ''}) | ${p.recall.sites} | ${p.scope ? p.scope.map((d) => `\`${d}/\``).join(', ') : 'whole tree'} | ${p.before.kloc} |`);
  }
  if (s.failures.length) {
    o.push('');
    for (const f of s.failures) o.push(`- **${f.project} was not measured**: ${md(f.error)}`);
  }
  o.push('');
  o.push('## Recall');
  o.push('');
  o.push('| Category | Sites | Strict | Same function |');
  o.push('|---|---:|---:|---:|');
  for (const c of CATEGORIES) {
    const t = s.byCategory[c];
    if (t.sites) o.push(`| ${c} | ${t.sites} | ${frac(t, 'strict')} | ${frac(t, 'sameFunction')} |`);
  }
  o.push(`| **all** | **${s.recall.sites}** | **${frac(s.recall, 'strict')}** | **${frac(s.recall, 'sameFunction')}** |`);
  o.push('');
  o.push('| Language | Sites | Strict | Same function |');
  o.push('|---|---:|---:|---:|');
  for (const [l, t] of Object.entries(s.byLanguage).sort()) o.push(`| ${l} | ${t.sites} | ${frac(t, 'strict')} | ${frac(t, 'sameFunction')} |`);
  o.push('');
  o.push('## Per port');
  o.push('');
  o.push('| Project | Sites | Strict | Same function | Findings BEFORE | per kLOC | Findings AFTER | per kLOC |');
  o.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const p of s.ports) o.push(`| ${p.project} | ${p.recall.sites} | ${frac(p.recall, 'strict')} | ${frac(p.recall, 'sameFunction')} | ${p.before.findings} | ${num(p.before.perKloc)} | ${p.after.findings} | ${num(p.after.perKloc)} |`);
  const d = s.density;
  o.push(`| **all** | **${s.recall.sites}** | | | **${d.before.findings}** | **${num(d.before.perKloc)}** | **${d.after.findings}** | **${num(d.after.perKloc)}** |`);
  o.push('');
  o.push(`Findings per kLOC BEFORE → AFTER: ${num(d.before.perKloc)} → ${num(d.after.perKloc)} (${d.change === null ? '–' : `${(d.change * 100).toFixed(1)} %`}).`);
  o.push('');
  o.push('Findings per rule, BEFORE → AFTER:');
  o.push('');
  const rules = [...new Set(s.ports.flatMap((p) => [...Object.keys(p.before.byRule), ...Object.keys(p.after.byRule)]))].sort();
  o.push('| Rule | BEFORE | AFTER |');
  o.push('|---|---:|---:|');
  for (const r of rules) o.push(`| ${r} | ${s.ports.reduce((n, p) => n + (p.before.byRule[r] ?? 0), 0)} | ${s.ports.reduce((n, p) => n + (p.after.byRule[r] ?? 0), 0)} |`);
  o.push('');
  o.push('## Precision');
  o.push('');
  const pa = s.precision.after;
  const pb = s.precision.beforeSample;
  o.push(`On the AFTER trees: **${pct(pa.right)} T+B, ${pct(pa.live)} T** of ${pa.judged} judged findings (T ${pa.T}, B ${pa.B}, F ${pa.F}${pa.findings > pa.judged ? `; ${pa.findings - pa.judged} of ${pa.findings} not yet judged` : ''}).`);
  const pd = s.precision.afterDistinct;
  o.push(`Counting a finding that recurs in several ports of one repository (numpy's four, protobuf's two) once: ${pct(pd.right)} T+B, ${pct(pd.live)} T of ${pd.judged} distinct findings (T ${pd.T}, B ${pd.B}, F ${pd.F}).`);
  o.push(`On the BEFORE sample: ${pct(pb.right)} T+B, ${pct(pb.live)} T of ${pb.judged} judged (T ${pb.T}, B ${pb.B}, F ${pb.F}${pb.findings > pb.judged ? `; ${pb.findings - pb.judged} not yet judged` : ''}).`);
  o.push('');
  o.push('| Rule (AFTER) | Findings | T | B | F | Unjudged | T+B |');
  o.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const [r, p] of Object.entries(s.precision.afterByRule)) o.push(`| ${r} | ${p.findings} | ${p.T} | ${p.B} | ${p.F} | ${p.findings - p.judged} | ${pct(p.right)} |`);
  o.push('');
  o.push('### False-positive causes');
  o.push('');
  const allCauses = new Map<string, [number, number]>();
  for (const [c, n] of s.precision.causesAfter) allCauses.set(c, [n, 0]);
  for (const [c, n] of s.precision.causesBefore) allCauses.set(c, [allCauses.get(c)?.[0] ?? 0, n]);
  if (allCauses.size === 0) o.push('None judged false.');
  else {
    o.push('| Cause | AFTER | BEFORE sample |');
    o.push('|---|---:|---:|');
    for (const [c, [a, b]] of [...allCauses].sort((x, y) => y[1][0] + y[1][1] - (x[1][0] + x[1][1]) || x[0].localeCompare(y[0]))) o.push(`| ${md(c)} | ${a} | ${b} |`);
  }
  o.push('');
  o.push('## Missed sites');
  o.push('');
  o.push('Sites with no finding of their family in the same function on the BEFORE tree (paths and BEFORE lines in the upstream repository).');
  o.push('');
  for (const p of s.ports) {
    if (!p.missed.length) continue;
    o.push(`- **${p.project}** (${p.missed.length}/${p.recall.sites})`);
    for (const m of p.missed) o.push(`  - \`${md(m.path)}:${m.line}\` ${m.category}: ${md(m.what)}`);
  }
  const left = s.ports.filter((p) => p.leftAlone.length);
  if (left.length) {
    o.push('');
    o.push('## Left alone by the maintainers');
    o.push('');
    for (const p of left) for (const l of p.leftAlone) o.push(`- ${p.project} \`${md(l.path)}:${l.line}\`: ${md(l.what)}`);
  }
  o.push('');
  return o.join('\n');
}
