// Facts arrive from worker threads (and the cache) as fresh copies: every occurrence of `self`, a field,
// a type or a callee name is its own string. Across a large project that is most of the facts' memory,
// so the main thread keeps one copy of each short string.

/** Strings longer than this are rarely repeated (messages, line texts): not worth a map entry. */
const MAX_INTERNED = 96;

export class Interner {
  private readonly table = new Map<string, string>();

  str(s: string): string {
    if (s.length > MAX_INTERNED) return s;
    const known = this.table.get(s);
    if (known !== undefined) return known;
    this.table.set(s, s);
    return s;
  }

  /** Interns every short string in a tree of plain objects and arrays, in place; returns it. */
  deep<T>(value: T): T {
    this.walk(value as unknown);
    return value;
  }

  private walk(v: unknown): void {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x === 'string') v[i] = this.str(x);
        else if (x !== null && typeof x === 'object') this.walk(x);
      }
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const x = o[k];
      if (typeof x === 'string') o[k] = this.str(x);
      else if (x !== null && typeof x === 'object') this.walk(x);
    }
  }
}
