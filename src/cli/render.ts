// Rendering a run in each output format. `--format` picks the one printed (or written to --output);
// `--report FORMAT:FILE` writes more from the same run (the GitHub Action writes SARIF and the Markdown
// summary while printing annotations).
import { resolve } from 'node:path';
import type { Edit, Range, RunResult } from '../engine/types.js';
import { editRange, readFixSource, withEol, type FixSource } from '../fix/apply.js';
import { formatGithub } from '../report/github.js';
import { jsonChunks } from '../report/json.js';
import { formatJunit } from '../report/junit.js';
import { formatMarkdown, type MarkdownOptions } from '../report/markdown.js';
import { sarifChunks } from '../report/sarif.js';
import { textChunks } from '../report/text.js';
import { version } from '../version.js';

export const FORMATS = ['text', 'gcc', 'json', 'sarif', 'github', 'markdown', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderContext {
  quiet: boolean;
  color: boolean;
  cwd: string;
  /** Root SARIF URIs are relative to. */
  root: string;
  markdown?: MarkdownOptions;
}

/** Reads files lazily to place fix edits (offsets) as line/column regions. */
function editResolver(cwd: string): (path: string, e: Edit) => { range: Range; text: string } | null {
  const cache = new Map<string, FixSource | null>();
  return (path, e) => {
    if (!cache.has(path)) cache.set(path, readFixSource(resolve(cwd, path)));
    const src = cache.get(path);
    if (!src || e.end > src.text.length) return null;
    return { range: editRange(src.text, e), text: withEol(e.text, src.eol) };
  };
}

/** The report in chunks: large reports are written piece by piece, never held whole. */
export function render(result: RunResult, format: Format, ctx: RenderContext): Iterable<string> {
  switch (format) {
    case 'json':
      return jsonChunks(result, version());
    case 'sarif':
      return sarifChunks(result, { version: version(), root: ctx.root, cwd: ctx.cwd, resolveEdit: editResolver(ctx.cwd) });
    case 'github':
      return [formatGithub(result)];
    case 'markdown':
      return [formatMarkdown(result, ctx.markdown)];
    case 'junit':
      return [formatJunit(result)];
    case 'gcc':
      return textChunks(result, { color: false, quiet: true, gcc: true });
    default:
      return textChunks(result, { color: ctx.color, quiet: ctx.quiet });
  }
}

/** Parses `--report FORMAT:FILE`. */
export function parseReportSpec(spec: string): { format: Format; file: string } | null {
  const i = spec.indexOf(':');
  if (i <= 0) return null;
  const format = spec.slice(0, i) as Format;
  const file = spec.slice(i + 1);
  return (FORMATS as readonly string[]).includes(format) && file !== '' ? { format, file } : null;
}
