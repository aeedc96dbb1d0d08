// Shared by the FT1 project rules: which slot arrays, module definitions and creation calls make up
// each module, across files.
import { dirname } from 'node:path';
import type { FileFacts, ModuleFacts, SlotArray } from '../engine/facts.js';

export interface FileModule {
  path: string;
  facts: ModuleFacts;
}

export function moduleFiles(files: FileFacts[]): FileModule[] {
  return files.filter((f) => f.module !== null).map((f) => ({ path: f.path, facts: f.module as ModuleFacts }));
}

export const hasGilSlot = (a: SlotArray) => a.entries.some((e) => e.slot === 'Py_mod_gil');

/**
 * Functions that (transitively, up to a few levels) call `fn`, project-wide. Used to find a
 * `PyUnstable_Module_SetGIL` in `PyInit_x` when the module is created in a helper.
 */
export function callersOf(mods: FileModule[], fn: string, depth = 3): Set<string> {
  const out = new Set<string>();
  let frontier = new Set([fn]);
  for (let d = 0; d < depth && frontier.size > 0; d++) {
    const next = new Set<string>();
    for (const m of mods) {
      for (const [caller, callees] of Object.entries(m.facts.callees)) {
        if (out.has(caller)) continue;
        if (callees.some((c) => frontier.has(c))) {
          out.add(caller);
          next.add(caller);
        }
      }
    }
    frontier = next;
  }
  return out;
}

/**
 * Which module declaration each file belongs to: the declaring file whose directory is the closest
 * ancestor of the file. With one declaring file in the project, every file belongs to it. O(files × decls).
 */
export function moduleOwners(declPaths: string[], allPaths: string[]): Map<string, string> {
  const uniq = [...new Set(declPaths)];
  const owner = new Map<string, string>();
  if (uniq.length === 1) {
    for (const p of allPaths) owner.set(p, uniq[0] as string);
    return owner;
  }
  const prefixes = uniq.map((d) => {
    const dir = dirname(d);
    return { decl: d, prefix: dir === '.' ? '' : `${dir}/` };
  });
  for (const p of allPaths) {
    let best: string | null = null;
    let bestLen = -1;
    for (const { decl, prefix } of prefixes) {
      if ((prefix === '' || p.startsWith(prefix)) && prefix.length > bestLen) {
        best = decl;
        bestLen = prefix.length;
      }
    }
    if (best !== null) owner.set(p, best);
  }
  return owner;
}
