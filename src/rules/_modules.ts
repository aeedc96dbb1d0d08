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
 * The files that belong to the module declared in `declPath`: files in the same directory tree, unless
 * a closer module declaration claims them. With one module in the project, every file belongs to it.
 */
export function filesOfModule(declPath: string, declPaths: string[], allPaths: string[]): string[] {
  const uniq = [...new Set(declPaths)];
  if (uniq.length <= 1) return allPaths;
  return allPaths.filter((p) => {
    let best: string | null = null;
    let bestLen = -1;
    for (const d of uniq) {
      const dir = dirname(d);
      const prefix = dir === '.' ? '' : `${dir}/`;
      if ((prefix === '' || p.startsWith(prefix)) && prefix.length > bestLen) {
        best = d;
        bestLen = prefix.length;
      }
    }
    return best === declPath || (bestLen === -1 && false);
  });
}
