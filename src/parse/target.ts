// The free-threaded target's preprocessor: evaluates `#if` expressions over the macros whose values are known
// when a C or C++ file is compiled for free-threaded CPython (3.13 and later): `Py_GIL_DISABLED` defined,
// `PY_MAJOR_VERSION` 3, `PY_VERSION_HEX` at least 0x030D00F0 (3.13.0), no PyPy, and `__cplusplus` by file kind — plus the
// file's own `#define`s and `#undef`s in force at that point. Every other macro is unknown, and so is any
// expression that depends on one: a condition is true or false only when it is so for every free-threaded
// CPython a project can target (3.13t, 3.14t, …), whatever else is defined. Values are intervals, so
// `PY_VERSION_HEX >= 0x030D0000` is true, `PY_VERSION_HEX < 0x030D0000` false and `>= 0x030E0000` unknown.

/** Three-valued truth: `null` is unknown. */
export type Tri = boolean | null;

/** A value as an interval of the integers it can have; `null` when nothing is known. */
interface Interval {
  lo: number;
  hi: number;
}
type Val = Interval | null;

interface Macro {
  /** Whether it is defined: known, or unknown (null). */
  defined: Tri;
  /** Its value as an `#if` operand, when defined and known. */
  value: Val;
}

export type TargetKind = 'c' | 'cpp' | 'header';

const exact = (v: number): Interval => ({ lo: v, hi: v });
const MAX = Number.MAX_SAFE_INTEGER;
const UNKNOWN: Macro = { defined: null, value: null };

/** Macros every free-threaded CPython defines (Python.h included), with their values. */
function baseMacros(kind: TargetKind): Map<string, Macro> {
  const m = new Map<string, Macro>([
    ['Py_GIL_DISABLED', { defined: true, value: exact(1) }],
    ['PY_MAJOR_VERSION', { defined: true, value: exact(3) }],
    ['PY_MINOR_VERSION', { defined: true, value: { lo: 13, hi: 255 } }],
    // 3.13.0 final or later: pre-releases are no target.
    ['PY_VERSION_HEX', { defined: true, value: { lo: 0x030d00f0, hi: 0x03ffffff } }],
    ['PYPY_VERSION', { defined: false, value: null }],
    ['PYPY_VERSION_NUM', { defined: false, value: null }],
    // Defined by the 3.13+ headers, which projects test to guard the declaration and the critical-section API.
    ['Py_mod_gil', { defined: true, value: exact(4) }],
    ['Py_MOD_GIL_USED', { defined: true, value: null }],
    ['Py_MOD_GIL_NOT_USED', { defined: true, value: null }],
    ['Py_BEGIN_CRITICAL_SECTION', { defined: true, value: null }],
    ['Py_END_CRITICAL_SECTION', { defined: true, value: null }],
    ['Py_BEGIN_CRITICAL_SECTION2', { defined: true, value: null }],
    ['Py_END_CRITICAL_SECTION2', { defined: true, value: null }],
  ]);
  if (kind === 'c') m.set('__cplusplus', { defined: false, value: null });
  else if (kind === 'cpp') m.set('__cplusplus', { defined: true, value: { lo: 199711, hi: MAX } });
  return m;
}

export class TargetEnv {
  private readonly macros: Map<string, Macro>;

  constructor(kind: TargetKind) {
    this.macros = baseMacros(kind);
  }

  private get(name: string): Macro {
    return this.macros.get(name) ?? UNKNOWN;
  }

  /**
   * `#define name body` seen in code that is compiled for certain (`certain`), or only perhaps: then all that
   * is known afterwards is that nothing is known.
   */
  define(name: string, params: boolean, body: string, certain: boolean): void {
    if (!certain) {
      this.macros.set(name, UNKNOWN);
      return;
    }
    const value = params || body.trim() === '' ? null : new Expr(body, this).value();
    this.macros.set(name, { defined: true, value });
  }

  undef(name: string, certain: boolean): void {
    this.macros.set(name, certain ? { defined: false, value: null } : UNKNOWN);
  }

  isDefined(name: string): Tri {
    return this.get(name).defined;
  }

  /** The value of an identifier in `#if`: its macro's value, 0 when it is known to be undefined, else unknown. */
  valueOf(name: string): Val {
    const m = this.get(name);
    if (m.defined === false) return exact(0);
    return m.defined === true ? m.value : null;
  }

  /** Evaluates an `#if`/`#elif` expression: true, false, or null when it depends on something unknown. */
  evaluate(expr: string): Tri {
    return truth(new Expr(expr, this).value());
  }
}

function truth(v: Val): Tri {
  if (v === null) return null;
  if (v.lo === 0 && v.hi === 0) return false;
  if (v.lo > 0 || v.hi < 0) return true;
  return null;
}

const fromTri = (t: Tri): Val => (t === null ? null : exact(t ? 1 : 0));

/** A recursive-descent evaluator over one expression's tokens. Anything it cannot read makes the result unknown. */
class Expr {
  private readonly toks: string[];
  private k = 0;
  private bad = false;

  constructor(
    text: string,
    private readonly env: TargetEnv,
  ) {
    this.toks = text.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_]\w*|&&|\|\||<<|>>|[<>=!]=|'(?:\\.|[^'\\])*'|\S/g) ?? [];
  }

  value(): Val {
    const v = this.ternary();
    return this.bad || this.k !== this.toks.length ? null : v;
  }

  private peek(): string | undefined {
    return this.toks[this.k];
  }

  private eat(t: string): boolean {
    if (this.toks[this.k] === t) {
      this.k++;
      return true;
    }
    return false;
  }

  private ternary(): Val {
    const c = this.binary(0);
    if (!this.eat('?')) return c;
    const a = this.ternary();
    if (!this.eat(':')) this.bad = true;
    const b = this.ternary();
    const t = truth(c);
    return t === true ? a : t === false ? b : null;
  }

  private static readonly LEVELS: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

  private binary(level: number): Val {
    if (level >= Expr.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    const ops = Expr.LEVELS[level] as string[];
    for (let op = this.peek(); op !== undefined && ops.includes(op); op = this.peek()) {
      this.k++;
      const right = this.binary(level + 1);
      left = apply(op, left, right);
    }
    return left;
  }

  private unary(): Val {
    const t = this.peek();
    if (t === '!') {
      this.k++;
      const v = truth(this.unary());
      return v === null ? null : exact(v ? 0 : 1);
    }
    if (t === '-' || t === '+' || t === '~') {
      this.k++;
      const v = this.unary();
      if (v === null) return null;
      if (t === '-') return { lo: -v.hi, hi: -v.lo };
      if (t === '+') return v;
      return v.lo === v.hi ? exact(~v.lo) : null;
    }
    return this.primary();
  }

  private primary(): Val {
    const t = this.toks[this.k++];
    if (t === undefined) {
      this.bad = true;
      return null;
    }
    if (t === '(') {
      const v = this.ternary();
      if (!this.eat(')')) this.bad = true;
      return v;
    }
    if (/^\d/.test(t)) {
      const digits = t.replace(/[uUlL]+$/, '');
      const n = /^0[xX]/.test(digits) ? parseInt(digits, 16) : /^0\d/.test(digits) ? parseInt(digits, 8) : Number(digits);
      return Number.isFinite(n) ? exact(n) : null;
    }
    if (t === 'defined') {
      const paren = this.eat('(');
      const name = this.toks[this.k++];
      if (name === undefined || !/^[A-Za-z_]\w*$/.test(name) || (paren && !this.eat(')'))) {
        this.bad = true;
        return null;
      }
      return fromTri(this.env.isDefined(name));
    }
    if (/^[A-Za-z_]/.test(t)) {
      if (this.peek() === '(') {
        // A function-like macro (`Py_PACK_VERSION(3, 13)`, `__has_include(<x>)`): unknown; skip its arguments.
        let depth = 0;
        do {
          const u = this.toks[this.k++];
          if (u === '(') depth++;
          else if (u === ')') depth--;
          else if (u === undefined) {
            this.bad = true;
            return null;
          }
        } while (depth > 0);
        return null;
      }
      return this.env.valueOf(t);
    }
    // Character literals and anything else: unknown.
    return null;
  }
}

function apply(op: string, a: Val, b: Val): Val {
  if (op === '&&' || op === '||') {
    const x = truth(a);
    const y = truth(b);
    if (op === '&&') return fromTri(x === false || y === false ? false : x === true && y === true ? true : null);
    return fromTri(x === true || y === true ? true : x === false && y === false ? false : null);
  }
  if (a === null || b === null) return null;
  switch (op) {
    case '<':
      return fromTri(a.hi < b.lo ? true : a.lo >= b.hi ? false : null);
    case '<=':
      return fromTri(a.hi <= b.lo ? true : a.lo > b.hi ? false : null);
    case '>':
      return fromTri(a.lo > b.hi ? true : a.hi <= b.lo ? false : null);
    case '>=':
      return fromTri(a.lo >= b.hi ? true : a.hi < b.lo ? false : null);
    case '==':
      return fromTri(a.lo === a.hi && b.lo === b.hi && a.lo === b.lo ? true : a.hi < b.lo || b.hi < a.lo ? false : null);
    case '!=':
      return fromTri(a.lo === a.hi && b.lo === b.hi && a.lo === b.lo ? false : a.hi < b.lo || b.hi < a.lo ? true : null);
    case '+':
      return { lo: a.lo + b.lo, hi: a.hi + b.hi };
    case '-':
      return { lo: a.lo - b.hi, hi: a.hi - b.lo };
  }
  // The rest only on single values.
  if (a.lo !== a.hi || b.lo !== b.hi) return null;
  const x = a.lo;
  const y = b.lo;
  switch (op) {
    case '*':
      return exact(x * y);
    case '/':
      return y === 0 ? null : exact(Math.trunc(x / y));
    case '%':
      return y === 0 ? null : exact(x % y);
    case '&':
      return exact(x & y);
    case '|':
      return exact(x | y);
    case '^':
      return exact(x ^ y);
    case '<<':
      return exact(x * 2 ** y);
    case '>>':
      return exact(Math.floor(x / 2 ** y));
  }
  return null;
}
