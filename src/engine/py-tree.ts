// Small helpers over tree-sitter-python trees: literal values, dotted names resolved through the file's
// imports, and where a node sits (function body or module level, `if __name__ == "__main__":`, `with` items).
import type { Node } from '../parse/parser.js';

/** Every named descendant of `root` (pre-order), optionally only those of the given types. */
export function descendants(root: Node, types?: ReadonlySet<string>): Node[] {
  if (types) return root.descendantsOfType([...types]).filter((n) => n.id !== root.id);
  const out: Node[] = [];
  const cursor = root.walk();
  let more = true;
  while (more) {
    const n = cursor.currentNode;
    if (n.isNamed && n.id !== root.id) out.push(n);
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        more = false;
        break;
      }
    }
  }
  cursor.delete();
  return out;
}

/** The value of a plain string literal (no f-string interpolation), or null. */
export function stringValue(n: Node | null | undefined): string | null {
  if (!n) return null;
  if (n.type === 'concatenated_string') {
    const parts = n.namedChildren.map((c) => (c ? stringValue(c) : null));
    return parts.every((p) => p !== null) ? parts.join('') : null;
  }
  if (n.type !== 'string') return null;
  if (n.namedChildren.some((c) => c?.type === 'interpolation')) return null;
  return n.namedChildren
    .filter((c): c is Node => c !== null && c.type === 'string_content')
    .map((c) => c.text)
    .join('')
    .replace(/\\(['"\\])/g, '$1');
}

export function boolValue(n: Node | null | undefined): boolean | null {
  if (!n) return null;
  if (n.type === 'true') return true;
  if (n.type === 'false') return false;
  return null;
}

/** Strings of a list/tuple literal of string literals, or null if any element is not one. */
export function stringList(n: Node | null | undefined): { value: string; node: Node }[] | null {
  if (!n || (n.type !== 'list' && n.type !== 'tuple')) return null;
  const out: { value: string; node: Node }[] = [];
  for (const c of n.namedChildren) {
    if (!c || c.type === 'comment') continue;
    const v = stringValue(c);
    if (v === null) return null;
    out.push({ value: v, node: c });
  }
  return out;
}

/** Keyword arguments of a call: name → value node. */
export function keywordArgs(call: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  const args = call.childForFieldName('arguments');
  for (const a of args?.namedChildren ?? []) {
    if (a?.type !== 'keyword_argument') continue;
    const name = a.childForFieldName('name')?.text;
    const value = a.childForFieldName('value');
    if (name && value) out.set(name, value);
  }
  return out;
}

export function positionalArgs(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  return (args?.namedChildren ?? []).filter((a): a is Node => a !== null && a.type !== 'keyword_argument' && a.type !== 'comment');
}

/** `a.b.c` as written (identifiers and attributes only), or null. */
export function dottedText(n: Node | null | undefined): string | null {
  if (!n) return null;
  if (n.type === 'identifier') return n.text;
  if (n.type === 'attribute') {
    const obj = dottedText(n.childForFieldName('object'));
    const attr = n.childForFieldName('attribute')?.text;
    return obj && attr ? `${obj}.${attr}` : null;
  }
  return null;
}

/** Names bound by the file's imports: local name → the module path it stands for (`o` → `os`, `environ` → `os.environ`). */
export function importAliases(root: Node): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of descendants(root, new Set(['import_statement', 'import_from_statement']))) {
    if (n.type === 'import_statement') {
      for (const c of n.childrenForFieldName('name')) {
        if (!c) continue;
        if (c.type === 'aliased_import') {
          const name = c.childForFieldName('name')?.text;
          const alias = c.childForFieldName('alias')?.text;
          if (name && alias) out.set(alias, name);
        } else {
          // `import os.path` binds `os`
          const first = c.text.split('.')[0] as string;
          out.set(first, first);
        }
      }
    } else {
      const mod = n.childForFieldName('module_name')?.text;
      if (!mod || mod.startsWith('.')) continue;
      for (const c of n.childrenForFieldName('name')) {
        if (!c) continue;
        if (c.type === 'aliased_import') {
          const name = c.childForFieldName('name')?.text;
          const alias = c.childForFieldName('alias')?.text;
          if (name && alias) out.set(alias, `${mod}.${name}`);
        } else out.set(c.text, `${mod}.${c.text}`);
      }
    }
  }
  return out;
}

/** Resolves `o.environ` to `os.environ` through the imports; null when the first name is not imported. */
export function resolveDotted(n: Node | null | undefined, aliases: Map<string, string>): string | null {
  const d = dottedText(n);
  if (!d) return null;
  const [first, ...rest] = d.split('.');
  const base = aliases.get(first as string);
  if (!base) return null;
  return [base, ...rest].join('.');
}

/** The innermost function (or lambda) holding `n`, or null at module/class level. */
export function enclosingFunction(n: Node): Node | null {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition' || p.type === 'lambda') return p;
  return null;
}

/** Is `if_statement` the `if __name__ == "__main__":` idiom? */
export function isMainGuard(ifNode: Node): boolean {
  const c = ifNode.childForFieldName('condition');
  if (!c || c.type !== 'comparison_operator') return false;
  const t = c.text.replace(/\s+/g, '');
  return /^__name__==(['"])__main__\1$/.test(t) || /^(['"])__main__\1==__name__$/.test(t);
}

/** Is `n` inside the consequence of an `if __name__ == "__main__":` block? */
export function inMainBlock(n: Node): boolean {
  for (let p: Node | null = n; p && p.parent; p = p.parent) {
    const parent = p.parent;
    if (parent.type === 'if_statement' && isMainGuard(parent) && parent.childForFieldName('consequence')?.id === p.id) return true;
  }
  return false;
}

/** Context-manager expressions of every `with` statement enclosing `n` (innermost first). */
export function enclosingWithItems(n: Node): Node[] {
  const out: Node[] = [];
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'function_definition') break;
    if (p.type !== 'with_statement') continue;
    for (const clause of p.namedChildren) {
      if (clause?.type !== 'with_clause') continue;
      for (const item of clause.namedChildren) {
        const v = item?.childForFieldName('value');
        if (v) out.push(v.type === 'as_pattern' ? (v.namedChildren[0] ?? v) : v);
      }
    }
  }
  return out;
}

const TEST_DIRS = new Set(['tests', 'test', 'testing']);
const SCRIPT_DIRS = new Set(['scripts', 'script', 'bin', 'tools', 'examples', 'example', 'benchmarks', 'benchmark', 'bench', 'demo', 'demos', 'ci', '.github']);
const BUILD_FILES = new Set(['setup.py', 'noxfile.py', 'fabfile.py', 'tasks.py', 'conf.py', 'dodo.py']);

/**
 * Where a Python/Cython file sits, from its path (and shebang): tests (`test_*.py`, `*_test.py`, `conftest.py`,
 * `tests/`), build tooling (`setup.py`, `noxfile.py`, `docs/`), scripts and entry points (`__main__.py`, `scripts/`,
 * `tools/`, `examples/`, a `#!` line), or library code.
 */
export function pythonRole(path: string, text: string): 'library' | 'test' | 'script' | 'build' {
  const parts = path.split(/[\\/]/);
  const name = (parts.pop() ?? '').toLowerCase();
  const dirs = parts.map((p) => p.toLowerCase());
  if (/^test_.*\.pyx?$|_test\.pyx?$|^conftest\.py$|^tests?\.py$/.test(name) || dirs.some((d) => TEST_DIRS.has(d))) return 'test';
  if (BUILD_FILES.has(name) || dirs.some((d) => d === 'docs' || d === 'doc')) return 'build';
  if (name === '__main__.py' || dirs.some((d) => SCRIPT_DIRS.has(d)) || text.startsWith('#!')) return 'script';
  return 'library';
}
