// `ftlint abi`: load wheels and binaries into the artifact model, run the selected FT8 rules over it,
// and return the same RunResult the source checks return (plus the coverage matrix).
import { compareFindings, type Finding, type RunResult, type ToolDiagnostic } from '../engine/types.js';
import { RULES } from '../rules/index.js';
import type { ArtifactContext, ArtifactRule } from '../rules/types.js';
import { coverageTables } from './coverage.js';
import { discoverArtifacts, loadArtifacts, type ArtifactRef } from './load.js';

export function artifactRules(ruleIds: Set<string>): ArtifactRule[] {
  return RULES.filter((r): r is ArtifactRule => r.kind === 'artifact' && ruleIds.has(r.meta.id));
}

export async function checkArtifacts(wheels: ArtifactRef[], binaries: ArtifactRef[], ruleIds: Set<string>): Promise<RunResult> {
  const loaded = await loadArtifacts(wheels, binaries);
  const findings: Finding[] = [];
  const diagnostics: ToolDiagnostic[] = [...loaded.diagnostics];
  for (const rule of artifactRules(ruleIds)) {
    const ctx: ArtifactContext = {
      artifacts: loaded.set,
      report(path, args) {
        findings.push({
          rule: rule.meta.id,
          severity: args.severity ?? rule.meta.severity,
          path,
          range: { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } },
          message: args.message,
          remedy: args.remedy ?? rule.meta.remedy,
          related: args.related ?? [],
        });
      },
    };
    try {
      rule.check(ctx);
    } catch (e) {
      diagnostics.push({
        code: 'FT000',
        path: wheels[0]?.display ?? binaries[0]?.display ?? '.',
        reason: 'malformed',
        severity: 'warning',
        message: `internal error in ${rule.meta.id} (please report it): ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }
  findings.sort(compareFindings);
  diagnostics.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const coverage = ruleIds.has('FT812') ? coverageTables(loaded.set.wheels) : [];
  return {
    findings,
    diagnostics,
    filesChecked: loaded.filesChecked,
    bytesChecked: loaded.bytesChecked,
    linesChecked: 0,
    ...(coverage.length ? { coverage } : {}),
  };
}

/** `ftlint abi PATH...`; `missing` lists paths that do not exist (the caller decides the exit code). */
export async function runAbi(paths: string[], cwd: string, ruleIds: Set<string>): Promise<{ result: RunResult; missing: string[] }> {
  const disc = discoverArtifacts(paths, cwd);
  if (disc.missing.length) return { result: { findings: [], diagnostics: [], filesChecked: 0, bytesChecked: 0, linesChecked: 0 }, missing: disc.missing };
  const result = await checkArtifacts(disc.wheels, disc.binaries, ruleIds);
  result.diagnostics = [...disc.diagnostics, ...result.diagnostics].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { result, missing: [] };
}

/** Adds artifact results to a source run's results. */
export function mergeResults(a: RunResult, b: RunResult): RunResult {
  const coverage = [...(a.coverage ?? []), ...(b.coverage ?? [])];
  return {
    findings: [...a.findings, ...b.findings].sort(compareFindings),
    diagnostics: [...a.diagnostics, ...b.diagnostics].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0)),
    filesChecked: a.filesChecked + b.filesChecked,
    bytesChecked: a.bytesChecked + b.bytesChecked,
    linesChecked: a.linesChecked + b.linesChecked,
    ...(coverage.length ? { coverage } : {}),
  };
}
