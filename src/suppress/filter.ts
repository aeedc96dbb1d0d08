// Applying suppression comments to findings (after the rules ran, file and project rules alike), and
// reporting bad (FT001) and unused (FT002) suppressions.
import type { Finding } from '../engine/types.js';
import { RULES_BY_ID } from '../rules/index.js';
import type { Suppression } from './comments.js';

interface Entry {
  s: Suppression;
  path: string;
  /** Rule ids of this suppression that suppressed at least one finding. */
  used: Set<string>;
}

export class Suppressions {
  private readonly byLine = new Map<string, Entry[]>();
  private readonly entries: Entry[] = [];

  add(path: string, list: readonly Suppression[]): void {
    for (const s of list) {
      const e: Entry = { s, path, used: new Set() };
      this.entries.push(e);
      const k = `${path}\0${s.target}`;
      this.byLine.set(k, [...(this.byLine.get(k) ?? []), e]);
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /** True when a suppression on the finding's first line names its rule (and marks it used). */
  suppresses(f: Finding): boolean {
    const list = this.byLine.get(`${f.path}\0${f.range.start.line}`);
    if (!list) return false;
    let hit = false;
    for (const e of list) {
      if (e.s.rules?.includes(f.rule)) {
        e.used.add(f.rule);
        hit = true;
      }
    }
    return hit;
  }

  filter(findings: Finding[]): Finding[] {
    return this.size === 0 ? findings : findings.filter((f) => !this.suppresses(f));
  }

  /**
   * FT001 for bare suppressions and unknown ids; FT002 (when `reportUnused`) for ids of selected rules
   * that suppressed nothing. Call after every finding went through `filter`.
   */
  problems(selected: ReadonlySet<string>, reportUnused: boolean): Finding[] {
    const out: Finding[] = [];
    const make = (e: Entry, rule: 'FT001' | 'FT002', message: string): Finding => {
      const meta = (RULES_BY_ID.get(rule) as { meta: { severity: Finding['severity']; remedy: Finding['remedy'] } }).meta;
      return {
        rule,
        severity: meta.severity,
        path: e.path,
        range: { start: { line: e.s.line, column: e.s.column }, end: { line: e.s.line, column: e.s.column } },
        message,
        remedy: meta.remedy,
        related: [],
        lineText: e.s.lineText,
      };
    };
    for (const e of this.entries) {
      const directive = `ftlint: ${e.s.kind}`;
      if (e.s.rules === null) {
        if (selected.has('FT001')) out.push(make(e, 'FT001', `'${directive}' without rule ids suppresses nothing; name the rules, e.g. '${directive}[FT201]'`));
        continue;
      }
      const unknown = e.s.rules.filter((id) => !RULES_BY_ID.has(id));
      if (unknown.length > 0 && selected.has('FT001')) out.push(make(e, 'FT001', `'${directive}' names unknown rule${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (see \`ftlint rules\`)`));
      if (!reportUnused || !selected.has('FT002')) continue;
      const unused = e.s.rules.filter((id) => RULES_BY_ID.has(id) && selected.has(id) && !e.used.has(id));
      if (unused.length > 0) out.push(make(e, 'FT002', `unused suppression: no ${unused.join(', ')} finding on line ${e.s.target}`));
    }
    return out;
  }
}
