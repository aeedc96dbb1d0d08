// Shared check behind the FT2 borrowed-reference rules: one call table, one privacy test.
import { BORROWED, CRITICAL_SECTION_REMEDY } from '../data/capi.js';
import { condTextsAt, lockedAt, normObject, soleAssignment } from '../engine/c-index.js';
import { containerPrivacy, onlyTestedAgainstNull } from '../engine/c-local.js';
import { heldKey } from '../engine/containers.js';
import { neverFreeThreaded } from '../engine/guards.js';
import type { CFileContext } from './types.js';

/**
 * A vendored pythoncapi_compat.h is the fallback every FT2 remedy points to. Its shims are compiled
 * only where the strong-reference API does not exist yet, so its remaining borrowed calls cannot be
 * replaced; the fix is to update the copy, not to edit it.
 */
export const FT2_NEVER_FREE_THREADED_NOTE =
  'Like every FT2 rule, quiet in code compiled only for CPython < 3.13, PyPy or GIL builds (`#if PY_VERSION_HEX < 0x030D0000`, the `#else` of `>= 0x030D0000`, `#ifndef Py_GIL_DISABLED`) and in a vendored `pythoncapi_compat.h`.';

/** How the FT2 container rules judge a container an object field holds (containers.ts). */
export const FT2_HELD_NOTE =
  'A container held in an object field (`d->fields`, an accessor such as `F(d)`, or a local taken from one) is judged over the whole project: ' +
  'quiet when nothing changes it in place, replaces it, hands it to code ftlint does not follow or exposes it in a member table after its object is built ' +
  '(allocation, teardown, module init and work on an object the function just created do not count); at info when only `tp_init` or `__setstate__` does; ' +
  'otherwise the places that change it are listed as related locations. A module\'s own dict (`PyModule_GetDict(m)`) is quiet in a function ' +
  'only module init runs (also through helpers): no other thread reaches the module before its init returns.\n\n';

const VENDORED_COMPAT = /(?:^|[\\/])pythoncapi_compat\.h$/;

export interface BorrowedOptions {
  /**
   * Stay quiet when the result is only compared with NULL (`if (PyDict_GetItem(d, k) != NULL)`,
   * `assert(PyDict_GetItemString(d, "x"))`): a pointer that is never dereferenced cannot be used after free.
   */
  presenceTestIsSafe?: boolean;
}

export function checkBorrowed(
  ctx: CFileContext,
  names: readonly string[],
  message: (api: string, container: string | null) => string,
  options: BorrowedOptions = {},
): void {
  if (VENDORED_COMPAT.test(ctx.path)) return;
  const wanted = new Set(names);
  for (const call of ctx.index.calls) {
    if (!wanted.has(call.name)) continue;
    const api = BORROWED[call.name];
    if (!api) continue;
    // Code compiled only for CPython < 3.13, PyPy or GIL builds never runs without the GIL.
    if (neverFreeThreaded(condTextsAt(ctx.lowered, call.start))) continue;
    if (options.presenceTestIsSafe && onlyTestedAgainstNull(ctx.code, call.start, call.end)) continue;
    let container: string | null = null;
    let held: string | null = null;
    if (api.container !== null) {
      const arg = call.args[api.container];
      if (!arg) continue;
      container = arg.text;
      if (lockedAt(ctx.lowered.regions, call.start, container)) continue;
      if (containerPrivacy(ctx.index, ctx.code, call.fn, container, call.start).private) continue;
      held = heldKey(ctx.index, call.fn, container, call.start);
    }
    const ownDict = container !== null && moduleDictOf(ctx, call.fn, container, call.start);
    ctx.report({
      start: call.start,
      end: call.end,
      message: message(call.name, container === null ? null : normObject(container)),
      remedy: api.remedy,
      ...(held ? { held } : {}),
      ...(ownDict ? { unlessInitOnly: ctx.index.functions[call.fn]?.name ?? '' } : {}),
    });
  }
}

/**
 * The container is the dict of the module the function receives: `PyModule_GetDict(m)` on one of its parameters, itself
 * or through a local assigned once from it (not another module it imports: other threads use that one).
 */
function moduleDictOf(ctx: CFileContext, fn: number, expr: string, at: number): boolean {
  const f = fn >= 0 ? ctx.index.functions[fn] : undefined;
  if (!f) return false;
  const params = new Set(f.params.map((p) => p.name));
  const ofParam = (e: string) => {
    const m = /^\s*(?:\([^()]*\)\s*)?PyModule_GetDict\s*\(\s*(?:\([^()]*\)\s*)?([A-Za-z_]\w*)\s*\)\s*;?\s*$/.exec(e);
    return m !== null && params.has(m[1] as string);
  };
  if (ofParam(expr)) return true;
  const id = normObject(expr);
  if (!/^[A-Za-z_]\w*$/.test(id)) return false;
  const only = soleAssignment(ctx.index, fn, id, at);
  return only !== undefined && ofParam(only.rhs);
}

/** For iteration APIs that have no strong-reference variant: lock the container around the loop. */
export function checkUnlockedIteration(
  ctx: CFileContext,
  names: readonly string[],
  original: (call: CFileContext['index']['calls'][number]) => string[],
  message: (api: string, container: string) => string,
): void {
  if (VENDORED_COMPAT.test(ctx.path)) return;
  const wanted = new Set(names);
  for (const call of ctx.index.calls) {
    if (!wanted.has(call.name)) continue;
    if (neverFreeThreaded(condTextsAt(ctx.lowered, call.start))) continue;
    const candidates = original(call);
    if (candidates.length === 0) continue;
    if (candidates.some((c) => lockedAt(ctx.lowered.regions, call.start, c))) continue;
    if (candidates.some((c) => containerPrivacy(ctx.index, ctx.code, call.fn, c, call.start).private)) continue;
    const last = candidates[candidates.length - 1] as string;
    const shown = normObject(last);
    const held = heldKey(ctx.index, call.fn, last, call.start);
    const ownDict = moduleDictOf(ctx, call.fn, last, call.start);
    ctx.report({
      start: call.start,
      end: call.end,
      message: message(call.name, shown),
      remedy: CRITICAL_SECTION_REMEDY(shown),
      ...(held ? { held } : {}),
      ...(ownDict ? { unlessInitOnly: ctx.index.functions[call.fn]?.name ?? '' } : {}),
    });
  }
}
