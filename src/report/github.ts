// `--format github`: GitHub Actions workflow commands (`::error file=…,line=…::message`), which the
// runner turns into annotations on the run and on pull-request diffs. The runner shows at most 10 error
// and 10 warning annotations per step, so the most severe findings come first and a closing notice says
// how many were not shown; SARIF (code scanning) and the Markdown summary carry the full list.
import type { Finding, RunResult, Severity, ToolDiagnostic } from '../engine/types.js';
import { remedyLine } from './text.js';

/** Per-step cap on annotations of one level (GitHub-side). */
export const ANNOTATION_CAP = 10;

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** `@actions/core` escaping for a command's message. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** `@actions/core` escaping for a command property value. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(kind: string, props: Record<string, string | number>, message: string): string {
  const p = Object.entries(props)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${kind} ${p}::${escapeData(message)}`;
}

export function findingCommand(f: Finding): string {
  const props: Record<string, string | number> = { file: f.path, line: f.range.start.line, col: f.range.start.column };
  if (f.range.end.line > f.range.start.line || f.range.end.column > f.range.start.column) {
    props.endLine = f.range.end.line;
    // GitHub ignores endColumn on multi-line annotations.
    if (f.range.end.line === f.range.start.line) props.endColumn = f.range.end.column;
  }
  props.title = `ftlint ${f.rule}`;
  return command(COMMAND[f.severity], props, `${f.message} [${f.rule}]\n${remedyLine(f.remedy)}`);
}

function diagnosticCommand(d: ToolDiagnostic): string {
  return command(COMMAND[d.severity], { file: d.path, title: `ftlint ${d.code}` }, `${d.message} [${d.code}]`);
}

export function formatGithub(result: RunResult): string {
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  const ordered = [...result.findings].sort((a, b) => rank[a.severity] - rank[b.severity]);
  const out = ordered.map(findingCommand);
  for (const d of result.diagnostics) if (d.severity !== 'info') out.push(diagnosticCommand(d));
  const over = (['error', 'warning', 'info'] as const).reduce((n, s) => n + Math.max(0, result.findings.filter((f) => f.severity === s).length - ANNOTATION_CAP), 0);
  if (over > 0) {
    out.push(`::notice title=ftlint::${escapeData(`${result.findings.length} findings; GitHub shows at most ${ANNOTATION_CAP} annotations per level and step, so ${over} are not annotated. See the job summary or the code scanning alerts (SARIF) for all of them.`)}`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
