// Shared by the FT1 project rules: which slot arrays, module definitions and creation calls make up
// each module, across files.
import { dirname } from 'node:path';
import { forEachCaller, type FileFacts, type ModuleFacts, type SlotArray } from '../engine/facts.js';
import { pushTo } from '../engine/group.js';

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
      forEachCaller(m.facts.calls, (caller, callees) => {
        if (out.has(caller)) return;
        if (callees.some((c) => frontier.has(c))) {
          out.add(caller);
          next.add(caller);
        }
      });
    }
    frontier = next;
  }
  return out;
}

/**
 * Which module each file belongs to. A file that defines a module (a slot array, a PyModuleDef, a module
 * creation) belongs to itself; any other file to the module defined in its closest ancestor directory, when
 * exactly one file there defines a module. Files that stay ambiguous belong to no module (nothing is blamed
 * on a module that may not contain them). With a single module file in the project, every file is its.
 */
export function moduleOwners(moduleFilePaths: string[], allPaths: string[]): Map<string, string> {
  const uniq = [...new Set(moduleFilePaths)];
  const owner = new Map<string, string>();
  if (uniq.length === 1) {
    for (const p of allPaths) owner.set(p, uniq[0] as string);
    return owner;
  }
  const byDir = new Map<string, string[]>();
  for (const d of uniq) {
    const dir = dirname(d);
    const prefix = dir === '.' ? '' : `${dir}/`;
    pushTo(byDir, prefix, d);
  }
  const own = new Set(uniq);
  for (const p of allPaths) {
    if (own.has(p)) {
      owner.set(p, p);
      continue;
    }
    let bestLen = -1;
    let best: string[] = [];
    for (const [prefix, decls] of byDir) {
      if ((prefix === '' || p.startsWith(prefix)) && prefix.length > bestLen) {
        best = decls;
        bestLen = prefix.length;
      }
    }
    if (best.length === 1) owner.set(p, best[0] as string);
  }
  return owner;
}
