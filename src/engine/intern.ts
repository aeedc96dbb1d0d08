// Facts arrive from worker threads (and the cache) as fresh copies: every occurrence of `self`, a field,
// a type or a callee name is its own string. Across a large project that is most of the facts' memory,
// so the main thread keeps one copy of each short string.
//
// Results computed on this thread need one more step: their strings are slices (or concatenations of
// slices) of the file's text, and V8 keeps the whole text alive behind any slice of it. `own` makes them
// strings of their own (cheaper than a structured clone of the whole result).

/** Strings longer than this are rarely repeated (messages, line texts): not worth a map entry. */
const MAX_INTERNED = 96;

/** A copy of `s` that shares no memory with the text it was sliced from. */
export function detach(s: string): string {
  // Concatenating then slicing makes V8 copy the characters into a new flat string (of length + 1).
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

export class Interner {
  private readonly table = new Map<string, string>();

  /** `shared`: objects to leave alone (constants such as rules' remedies, which many results point to). */
  constructor(private readonly shared: ReadonlySet<object> = new Set()) {}

  str(s: string, own = false): string {
    if (s.length > MAX_INTERNED) return own ? detach(s) : s;
    const known = this.table.get(s);
    if (known !== undefined) return known;
    const kept = own ? detach(s) : s;
    this.table.set(kept, kept);
    return kept;
  }

  /**
   * Interns every short string in a tree of plain objects and arrays, in place; returns it. `own`: the tree was
   * made on this thread, so its strings are also detached from the source text.
   */
  deep<T>(value: T, own = false): T {
    this.walk(value as unknown, own);
    return value;
  }

  private walk(v: unknown, own: boolean): void {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x === 'string') v[i] = this.str(x, own);
        else if (x !== null && typeof x === 'object') this.walk(x, own);
      }
      return;
    }
    if (v === null || typeof v !== 'object' || this.shared.has(v)) return;
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const x = o[k];
      if (typeof x === 'string') o[k] = this.str(x, own);
      else if (x !== null && typeof x === 'object') this.walk(x, own);
    }
  }
}
