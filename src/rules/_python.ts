// Shared by the Python-source rules (FT701–FT708): one index of the file's calls and assignments, names resolved
// through its imports, and the "library code at run time" test that keeps them quiet in tests, scripts,
// `if __name__ == "__main__":` blocks and at import time.
import type { Node } from '../parse/parser.js';
import { descendants, enclosingFunction, importAliases, inMainBlock, isMainGuard, resolveDotted } from '../engine/py-tree.js';
import type { SourceFileContext } from './types.js';

export interface PyCall {
  node: Node;
  /** Canonical dotted name (`os.environ.update`), or null when the callee is not reached through an import. */
  name: string | null;
}

export interface PyIndex {
  aliases: Map<string, string>;
  calls: PyCall[];
  /** `assignment`, `augmented_assignment` and `delete_statement` nodes. */
  writes: Node[];
  functions: Node[];
  /** `global` statements. */
  globals: Node[];
  hasMainGuard: boolean;
}

const cache = new WeakMap<SourceFileContext, PyIndex>();

export function pyIndex(ctx: SourceFileContext): PyIndex {
  const hit = cache.get(ctx);
  if (hit) return hit;
  const root = ctx.root as Node;
  const aliases = importAliases(root);
  const nodes = descendants(root, new Set(['call', 'assignment', 'augmented_assignment', 'delete_statement', 'function_definition', 'if_statement', 'global_statement']));
  const idx: PyIndex = {
    aliases,
    calls: nodes.filter((n) => n.type === 'call').map((node) => ({ node, name: resolveDotted(node.childForFieldName('function'), aliases) })),
    writes: nodes.filter((n) => n.type === 'assignment' || n.type === 'augmented_assignment' || n.type === 'delete_statement'),
    functions: nodes.filter((n) => n.type === 'function_definition'),
    globals: nodes.filter((n) => n.type === 'global_statement'),
    hasMainGuard: nodes.some((n) => n.type === 'if_statement' && isMainGuard(n)),
  };
  cache.set(ctx, idx);
  return idx;
}

/** Module-level functions that are entry points by convention (console_scripts targets, `main()`). */
const ENTRY_POINTS = new Set(['main', '_main', 'cli', 'cli_main', 'entry_point', 'entrypoint']);
/** More generic names count as entry points only in a file with a main guard. */
const MAIN_LIKE = new Set(['run', 'run_main', 'start']);

/**
 * Is `node` library code that runs after import? False in tests, scripts and build files, in the `__main__` block,
 * in a module-level `main()`/`cli()` (and `run()` in a file with a main guard) unless `--check-tests`, and at module
 * or class level (import time).
 */
export function libraryRuntime(ctx: SourceFileContext, node: Node): boolean {
  const fn = enclosingFunction(node);
  if (!fn) return false;
  if (ctx.checkTests) return true;
  if (ctx.role !== 'library' || inMainBlock(node)) return false;
  let outer: Node = fn;
  for (let p = enclosingFunction(fn); p; p = enclosingFunction(p)) outer = p;
  const topLevel = outer.parent?.type === 'module' || (outer.parent?.type === 'decorated_definition' && outer.parent.parent?.type === 'module');
  if (!topLevel) return true;
  const name = outer.childForFieldName('name')?.text ?? '';
  return !(ENTRY_POINTS.has(name) || (MAIN_LIKE.has(name) && pyIndex(ctx).hasMainGuard));
}

/** Library or script code (any level), not tests/build files unless `--check-tests`. */
export function notTestCode(ctx: SourceFileContext, _node: Node): boolean {
  return ctx.checkTests || ctx.role === 'library' || ctx.role === 'script';
}

/** The node of the object a subscript/attribute write targets resolves to `name` (e.g. `os.environ[...]`). */
export function targetIs(n: Node | null | undefined, field: 'value' | 'object', name: string, aliases: Map<string, string>): boolean {
  return resolveDotted(n?.childForFieldName(field), aliases) === name;
}

/** Write targets of an assignment / augmented assignment / del statement. */
export function writeTargets(w: Node): Node[] {
  if (w.type === 'delete_statement') {
    const t = w.namedChildren[0];
    return t ? (t.type === 'expression_list' ? t.namedChildren : [t]) : [];
  }
  const left = w.childForFieldName('left');
  if (!left) return [];
  return left.type === 'pattern_list' || left.type === 'tuple_pattern' ? left.namedChildren : [left];
}

/** Reports every call in library code at run time whose resolved name is in `names`. */
export function reportLibraryCalls(ctx: SourceFileContext, names: ReadonlySet<string>, message: (name: string) => string): void {
  for (const c of pyIndex(ctx).calls) {
    if (!c.name || !names.has(c.name) || !libraryRuntime(ctx, c.node)) continue;
    ctx.report({ start: c.node.startIndex, end: c.node.endIndex, message: message(c.name) });
  }
}
