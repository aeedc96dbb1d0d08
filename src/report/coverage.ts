// The free-threading coverage matrix (`ftlint abi`, FT812) as a text table (after the findings in text
// output) and as Markdown (for CI job summaries).
import type { CoverageCell, CoverageTable } from '../abi/coverage.js';

function cellText(c: CoverageCell, minor: number): string {
  if (c.any && !c.gap) return 'any';
  if (c.gil && c.ft) return 'GIL+FT';
  if (c.gap) return 'GIL, no FT';
  if (c.gil) return minor >= 13 ? 'GIL' : 'GIL (no FT build)';
  if (c.ft) return 'FT';
  return '-';
}

function heading(t: CoverageTable): string {
  return `${t.distribution} ${t.version} (${t.wheels} wheel${t.wheels === 1 ? '' : 's'})`;
}

/** Plain-text tables, one per distribution/version; columns padded, gaps marked with `!`. */
export function coverageText(tables: readonly CoverageTable[]): string {
  const out: string[] = [];
  for (const t of tables) {
    const cols = t.minors.map((m) => `3.${m}`);
    const rows = t.platforms.map((p, ri) => [p, ...t.minors.map((m, ci) => {
      const c = t.cells[ri]?.[ci] as CoverageCell;
      return `${cellText(c, m)}${c.gap ? ' !' : ''}`;
    })]);
    const header = ['platform', ...cols];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    const line = (r: string[]) => `  ${r.map((x, i) => x.padEnd(widths[i] as number)).join('  ')}`.trimEnd();
    out.push(`Free-threading coverage of ${heading(t)}:`, line(header), ...rows.map(line));
  }
  if (out.length) out.push('  (GIL: a wheel for the GIL build; FT: for the free-threaded build; any: an ABI-independent wheel; ! missing free-threaded wheel)');
  return out.join('\n');
}

/** GitHub-flavoured Markdown, one table per distribution/version. */
export function coverageMarkdown(tables: readonly CoverageTable[]): string {
  const out: string[] = [];
  for (const t of tables) {
    out.push(`#### Free-threading coverage of ${heading(t)}`, '');
    out.push(`| Platform | ${t.minors.map((m) => `3.${m}`).join(' | ')} |`);
    out.push(`|---|${t.minors.map(() => '---').join('|')}|`);
    t.platforms.forEach((p, ri) => {
      const cells = t.minors.map((m, ci) => {
        const c = t.cells[ri]?.[ci] as CoverageCell;
        if (c.gap) return '⚠️ GIL only';
        if (c.any) return '✅ any';
        if (c.gil && c.ft) return '✅ GIL + FT';
        if (c.ft) return '✅ FT';
        if (c.gil) return m >= 13 ? 'GIL' : 'GIL (no FT build)';
        return '—';
      });
      out.push(`| ${p} | ${cells.join(' | ')} |`);
    });
    out.push('');
  }
  return out.join('\n');
}
