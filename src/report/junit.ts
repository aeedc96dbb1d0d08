// `--format junit`: JUnit XML, for CI systems that render test reports (GitLab, Jenkins, Azure).
// One test suite per file with findings, one failing test case per finding; a clean run is one passing case.
import type { Finding, RunResult } from '../engine/types.js';
import { remedyLine } from './text.js';

function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}

export function formatJunit(result: RunResult): string {
  const byFile = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const list = byFile.get(f.path) ?? [];
    list.push(f);
    byFile.set(f.path, list);
  }
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="ftlint" tests="${Math.max(1, result.findings.length)}" failures="${result.findings.length}">`];
  if (byFile.size === 0) {
    out.push('  <testsuite name="ftlint" tests="1" failures="0">', `    <testcase name="${xml(`${result.filesChecked} files checked`)}" classname="ftlint"/>`, '  </testsuite>');
  }
  for (const [path, list] of byFile) {
    out.push(`  <testsuite name="${xml(path)}" tests="${list.length}" failures="${list.length}">`);
    for (const f of list) {
      const where = `${f.path}:${f.range.start.line}:${f.range.start.column}`;
      out.push(
        `    <testcase name="${xml(`${f.rule} ${where}`)}" classname="${xml(path)}" file="${xml(path)}" line="${f.range.start.line}">`,
        `      <failure message="${xml(f.message)}" type="${f.severity}">${xml(`${where}: ${f.severity}: ${f.message} [${f.rule}]\n${remedyLine(f.remedy)}`)}</failure>`,
        '    </testcase>',
      );
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
