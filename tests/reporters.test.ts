// Output formats: SARIF (schema + GitHub ingestion rules), GitHub workflow commands, Markdown, JUnit, gcc.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import type * as Sarif from 'sarif';
import type { Finding, RunResult } from '../src/engine/types.js';
import { escapeData, escapeProperty, formatGithub } from '../src/report/github.js';
import { formatMarkdown } from '../src/report/markdown.js';
import { MAX_RESULTS, toSarif } from '../src/report/sarif.js';
import { RULES } from '../src/rules/index.js';
import { ftlint } from './helpers/cli.js';
import { REPO } from './helpers/paths.js';
import { multitoolIssues, sarifToolsMissing, schemaErrors } from './helpers/sarif.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftlint-report-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const sarifOf = (args: string[], cwd = REPO): Sarif.Log => {
  const r = ftlint([...args, '-f', 'sarif'], { cwd });
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return JSON.parse(r.stdout) as Sarif.Log;
};
const jsonOf = (args: string[], cwd = REPO) => JSON.parse(ftlint([...args, '-f', 'json'], { cwd }).stdout) as { findings: { rule: string; path: string; line: number; column: number; endLine: number; endColumn: number; severity: string; message: string }[] };

describe('SARIF', () => {
  const log = sarifOf(['fixtures']);
  const run = log.runs[0] as Sarif.Run;

  it('is valid against the official SARIF 2.1.0 schema', { skip: sarifToolsMissing ?? false }, () => {
    assert.deepEqual(schemaErrors(log), []);
    // The validator can fail: a wrong level is caught.
    const broken = structuredClone(log);
    (broken.runs[0]?.results?.[0] as { level: string }).level = 'fatal';
    assert.notDeepEqual(schemaErrors(broken), []);
  });

  it("passes GitHub's ingestion rules (sarif-multitool --rule-kind Sarif;Gh)", { skip: sarifToolsMissing ?? false }, () => {
    assert.deepEqual(multitoolIssues(log), []);
    // Negative control: the rules GitHub requires are really checked.
    const broken = structuredClone(log);
    delete (broken.runs[0]?.tool.driver.rules?.[0] as Sarif.ReportingDescriptor).fullDescription;
    delete (broken.runs[0]?.results?.[0] as Sarif.Result).locations;
    const issues = multitoolIssues(broken).map((i) => i.ruleId);
    assert.ok(issues.some((id) => id.startsWith('GH')), `expected GH rule violations, got ${issues.join(', ')}`);
  });

  it('has one run, no automationDetails, no security-severity, and describes every rule', () => {
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    assert.equal(run.automationDetails, undefined);
    assert.doesNotMatch(JSON.stringify(log), /security-severity/);
    const d = run.tool.driver;
    assert.equal(d.name, 'ftlint');
    assert.match(d.version ?? '', /^\d+\.\d+\.\d+/);
    assert.match(d.informationUri ?? '', /^https:\/\//);
    assert.deepEqual(d.rules?.map((r) => r.id), RULES.map((r) => r.meta.id));
    for (const r of d.rules ?? []) {
      const meta = RULES.find((x) => x.meta.id === r.id)?.meta;
      assert.equal(r.name, meta?.name);
      assert.equal(r.shortDescription?.text, meta?.title);
      assert.ok((r.fullDescription?.text.length ?? 0) > 20 && (r.fullDescription?.text.length ?? 0) <= 1024, `${r.id} fullDescription`);
      assert.ok(r.help?.text.includes(meta?.remedy.api ?? '?') && r.help.markdown?.includes(meta?.remedy.api ?? '?'), `${r.id} help names the remedy API`);
      assert.match(r.helpUri ?? '', new RegExp(`docs/rules/${r.id}\\.md$`));
      assert.equal(r.defaultConfiguration?.level, meta?.severity === 'info' ? 'note' : meta?.severity);
      assert.ok(Array.isArray(r.properties?.tags) && r.properties.tags.includes('free-threading'));
    }
  });

  it('matches the JSON findings: rule, index, level, relative URI under %SRCROOT%, region', () => {
    const json = jsonOf(['fixtures']).findings;
    const results = run.results ?? [];
    assert.equal(results.length, json.length);
    assert.ok(results.length > 10);
    const rules = run.tool.driver.rules ?? [];
    results.forEach((r, i) => {
      const j = json[i] as (typeof json)[number];
      assert.equal(r.ruleId, j.rule);
      assert.equal(rules[r.ruleIndex ?? -1]?.id, j.rule);
      assert.equal(r.level, j.severity === 'info' ? 'note' : j.severity);
      assert.ok(r.message.text?.startsWith(j.message));
      const loc = r.locations?.[0]?.physicalLocation;
      assert.equal(loc?.artifactLocation?.uri, j.path);
      assert.equal(loc?.artifactLocation?.uriBaseId, '%SRCROOT%');
      assert.equal(loc?.region?.startLine, j.line);
      assert.equal(loc?.region?.startColumn, j.column);
      if (loc?.region?.endLine !== undefined) assert.deepEqual([loc.region.endLine, loc.region.endColumn], [j.endLine, j.endColumn]);
      assert.match(r.partialFingerprints?.['ftlint/v1'] ?? '', /^[0-9a-f]{32}$/);
    });
    assert.match(String(run.originalUriBaseIds?.['%SRCROOT%']?.uri), /^file:\/\/.*\/$/);
  });

  it('puts related locations (e.g. the open findings behind FT106) into relatedLocations', () => {
    const withRelated = (run.results ?? []).filter((r) => (r.relatedLocations?.length ?? 0) > 0);
    assert.ok(withRelated.length > 0);
    for (const r of withRelated) for (const rl of r.relatedLocations ?? []) assert.ok(rl.physicalLocation?.region?.startLine && rl.message?.text);
  });

  it('keeps fingerprints when lines shift, and changes them when the flagged line changes', () => {
    const dir = join(tmp, 'shift');
    cpSync(join(REPO, 'fixtures/projects/spam'), dir, { recursive: true });
    const fp = () => (sarifOf(['.'], dir).runs[0]?.results ?? []).map((r) => `${r.ruleId} ${r.partialFingerprints?.['ftlint/v1']}`).sort();
    const before = fp();
    const file = join(dir, 'spammodule.c');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, `/* a new header comment */\n\n#include <stdio.h>\n${text}`);
    const shifted = sarifOf(['.'], dir).runs[0]?.results ?? [];
    assert.deepEqual(fp(), before);
    assert.equal(shifted[0]?.locations?.[0]?.physicalLocation?.region?.startLine, 20, 'the finding did move');
    writeFileSync(file, text.replace('PyDict_GetItem(registry, name);', 'PyDict_GetItem(registry,  key);'));
    const after = fp();
    assert.equal(after.filter((x) => !before.includes(x)).length, 1);
  });

  it("respects GitHub's limits: at most 25,000 results (errors kept first), under 10 MB gzipped", () => {
    const base = { severity: 'warning', path: 'src/a.c', message: 'm', remedy: RULES[0]?.meta.remedy, related: [] } as unknown as Finding;
    const findings: Finding[] = [];
    for (let i = 0; i < MAX_RESULTS + 500; i++) {
      findings.push({ ...base, rule: i % 2 ? 'FT201' : 'FT203', severity: i % 2 ? 'warning' : 'error', range: { start: { line: i + 1, column: 1 }, end: { line: i + 1, column: 9 } }, lineText: `x${i}` });
    }
    const result: RunResult = { findings, diagnostics: [], filesChecked: 1, bytesChecked: 1, linesChecked: 1 };
    const big = toSarif(result, { version: '0.0.0', root: '/r', cwd: '/r' });
    const results = big.runs[0]?.results ?? [];
    assert.equal(results.length, MAX_RESULTS);
    assert.equal(results.filter((r) => r.level === 'error').length, (MAX_RESULTS + 500) / 2);
    assert.match(JSON.stringify(big.runs[0]?.invocations?.[0]?.toolExecutionNotifications), /500 findings were left out/);
    assert.ok(gzipSync(JSON.stringify(big)).length < 10 * 1024 * 1024);
  });

  it('reports unreadable files as tool execution notifications', () => {
    const dir = join(tmp, 'diag');
    cpSync(join(REPO, 'fixtures/projects/spam'), dir, { recursive: true });
    writeFileSync(join(dir, 'bin.c'), Buffer.from([0x7f, 0, 1]));
    const n = sarifOf(['.'], dir).runs[0]?.invocations?.[0]?.toolExecutionNotifications ?? [];
    assert.equal(n.length, 1);
    assert.equal(n[0]?.descriptor?.id, 'FT000');
    assert.equal(n[0]?.locations?.[0]?.physicalLocation?.artifactLocation?.uri, 'bin.c');
  });
});

describe('--format github', () => {
  it('prints one workflow command per finding, errors first, with escaped properties', () => {
    const r = ftlint(['fixtures/projects/spam', '-f', 'github']);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 5);
    assert.match(lines[0] ?? '', /^::error file=fixtures\/projects\/spam\/spammodule\.c,line=83,col=21,endLine=83,endColumn=\d+,title=ftlint FT203::PyWeakref_GetObject\(\).* \[FT203\]%0Ause instead: PyWeakref_GetRef/);
    assert.match(lines[1] ?? '', /^::warning file=.*,line=17,col=23,.*title=ftlint FT201::/);
    assert.equal(escapeProperty('a:b,c%d\ne'), 'a%3Ab%2Cc%25d%0Ae');
    assert.equal(escapeData('50% a:b\r\n'), '50%25 a:b%0D%0A');
  });

  it('says how many findings were not annotated when over the per-step cap', () => {
    const f = (i: number) => ({ rule: 'FT201', severity: 'warning', path: 'a.c', range: { start: { line: i, column: 1 }, end: { line: i, column: 1 } }, message: 'm', remedy: RULES[0]?.meta.remedy, related: [] }) as unknown as Finding;
    const out = formatGithub({ findings: Array.from({ length: 13 }, (_, i) => f(i + 1)), diagnostics: [], filesChecked: 1, bytesChecked: 1, linesChecked: 1 });
    assert.match(out.trim().split('\n').pop() ?? '', /^::notice title=ftlint::13 findings; .* 3 are not annotated/);
  });
});

describe('--format markdown', () => {
  it('summarises counts per rule and module with each remedy', () => {
    const r = ftlint(['fixtures/projects/spam', '-f', 'markdown']);
    const md = r.stdout;
    assert.match(md, /^## ❌ ftlint$/m);
    assert.match(md, /^Found 5 problems \(1 error, 4 warnings\) in 2 files\.$/m);
    assert.match(md, /^\| \[FT201\]\(https:\/\/\S+\/docs\/rules\/FT201\.md\) borrowed-dict-item \| warning \| 1 \| .* \| `PyDict_GetItemRef` \(3\.13\) \|$/m);
    assert.match(md, /^\| module `spam` \| 1 \| 4 \| 0 \|$/m);
    assert.match(md, /<summary><b>FT203<\/b>.*use instead: PyWeakref_GetRef/);
    assert.match(md, /^- 🔴 `fixtures\/projects\/spam\/spammodule\.c:83:21`/m);
  });

  it('appends extra sections (the wheel coverage matrix) and is short on a clean run', () => {
    const md = formatMarkdown({ findings: [], diagnostics: [], filesChecked: 3, bytesChecked: 1, linesChecked: 1 }, { extraSections: ['### Wheels\n\n| tag | ok |'] });
    assert.equal(md, '## ✅ ftlint\n\nNo problems found in 3 files.\n\n### Wheels\n\n| tag | ok |\n');
  });
});

describe('--format junit and gcc, --report', () => {
  it('junit: one failing test case per finding', () => {
    const xml = ftlint(['fixtures/projects/spam', '-f', 'junit']).stdout;
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="ftlint" tests="5" failures="5">/);
    assert.equal(xml.match(/<testcase /g)?.length, 5);
    assert.equal(xml.match(/<failure /g)?.length, 5);
  });

  it('gcc: one line per finding, info as note', () => {
    const out = ftlint(['fixtures/rules/ft103', '-f', 'gcc']).stdout;
    assert.match(out, /^\S+:\d+:\d+: note: .* \[FT103\]$/m);
    assert.doesNotMatch(out, /use instead|Found|: info:/);
  });

  it('--report writes more formats from the same run', () => {
    const sarif = join(tmp, 'r.sarif');
    const md = join(tmp, 'r.md');
    const r = ftlint(['fixtures/projects/spam', '-f', 'github', '--report', `sarif:${sarif}`, '--report', `markdown:${md}`]);
    assert.equal(r.code, 1);
    assert.equal((JSON.parse(readFileSync(sarif, 'utf8')) as Sarif.Log).runs[0]?.results?.length, 5);
    assert.match(readFileSync(md, 'utf8'), /Found 5 problems/);
    assert.equal(ftlint(['fixtures/projects/spam', '--report', 'xml:a.xml']).code, 2);
  });
});
