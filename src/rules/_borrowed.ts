// Shared check behind the FT2 borrowed-reference rules: one call table, one privacy test.
import { BORROWED, CRITICAL_SECTION_REMEDY } from '../data/capi.js';
import { lockedAt, normObject } from '../engine/c-index.js';
import { containerPrivacy } from '../engine/c-local.js';
import type { CFileContext } from './types.js';

export function checkBorrowed(ctx: CFileContext, names: readonly string[], message: (api: string, container: string | null) => string): void {
  const wanted = new Set(names);
  for (const call of ctx.index.calls) {
    if (!wanted.has(call.name)) continue;
    const api = BORROWED[call.name];
    if (!api) continue;
    let container: string | null = null;
    if (api.container !== null) {
      const arg = call.args[api.container];
      if (!arg) continue;
      container = arg.text;
      if (lockedAt(ctx.lowered.regions, call.start, container)) continue;
      if (containerPrivacy(ctx.index, ctx.code, call.fn, container, call.start).private) continue;
    }
    ctx.report({ start: call.start, end: call.end, message: message(call.name, container === null ? null : normObject(container)), remedy: api.remedy });
  }
}

/** For iteration APIs that have no strong-reference variant: lock the container around the loop. */
export function checkUnlockedIteration(
  ctx: CFileContext,
  names: readonly string[],
  original: (call: CFileContext['index']['calls'][number]) => string[],
  message: (api: string, container: string) => string,
): void {
  const wanted = new Set(names);
  for (const call of ctx.index.calls) {
    if (!wanted.has(call.name)) continue;
    const candidates = original(call);
    if (candidates.length === 0) continue;
    if (candidates.some((c) => lockedAt(ctx.lowered.regions, call.start, c))) continue;
    if (candidates.some((c) => containerPrivacy(ctx.index, ctx.code, call.fn, c, call.start).private)) continue;
    const shown = normObject(candidates[candidates.length - 1] as string);
    ctx.report({ start: call.start, end: call.end, message: message(call.name, shown), remedy: CRITICAL_SECTION_REMEDY(shown) });
  }
}
