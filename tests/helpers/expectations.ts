// Inline fixture expectations. In any comment (`//`, `/* */`, `#`):
//   `expect: FT201`            a finding of FT201 starts on this line (trailing comment),
//                              or on the next code line (comment on a line of its own);
//   `expect: FT201@19`         … and starts at column 19;
//   `expect: FT201, FT207`     several findings.
// The harness is closed-world: every finding must be expected, every expectation must be found.
import { readFileSync } from 'node:fs';

export interface Expectation {
  path: string;
  line: number;
  rule: string;
  column?: number;
}

const EXPECT = /expect:\s*((?:FT\d{3}(?:@\d+)?\s*,?\s*)+)/;

export function parseExpectations(path: string, display: string): Expectation[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n');
  const out: Expectation[] = [];
  // `#` starts a comment in Python, Cython, TOML and CMake; in C it starts a directive.
  const hashComments = !/\.(c|h|cc|cpp|cxx|hpp|hh|hxx|inl|rs)$/.test(path);
  let pending: { rule: string; column?: number }[] = [];
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const m = EXPECT.exec(line);
    const items = m
      ? (m[1] as string)
          .split(/[\s,]+/)
          .filter(Boolean)
          .map((tok) => {
            const [rule, col] = tok.split('@');
            return col ? { rule: rule as string, column: Number(col) } : { rule: rule as string };
          })
      : [];
    // A comment line that holds only the expectation applies to the next line; a comment with other text before
    // `expect:` (a Cython `# cython:` header, a C comment) carries it for its own line.
    const commentOnly = (hashComments ? /^\s*#+\s*expect:/ : /^\s*(\/\/|\/\*|\*)+\s*expect:/).test(line);
    if (m && commentOnly) {
      pending.push(...items);
      return;
    }
    if (pending.length && line.trim() !== '') {
      for (const it of pending) out.push({ path: display, line: i + 1, ...it });
      pending = [];
    }
    for (const it of items) out.push({ path: display, line: i + 1, ...it });
  });
  return out;
}

/** `ftlint-test: key=value key=value` in the first lines of a fixture file. */
export function parseDirectives(path: string): Record<string, string> {
  let text = '';
  try {
    text = readFileSync(path, 'utf8').slice(0, 2000);
  } catch {
    return {};
  }
  const m = /ftlint-test:\s*([^\n*]*)/.exec(text);
  const out: Record<string, string> = {};
  if (m) for (const kv of (m[1] as string).trim().split(/\s+/)) {
    const [k, v] = kv.split('=');
    if (k) out[k] = v ?? 'true';
  }
  return out;
}
