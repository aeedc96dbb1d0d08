// Shared helpers of the tests/abi*.test.ts files: reading a binary with ftlint's readers, running the
// FT8 rules, and showing findings compactly.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { checkArtifacts } from '../../src/abi/check.js';
import { readBinary } from '../../src/abi/binary.js';
import type { BinaryInfo } from '../../src/abi/model.js';
import { FileSource } from '../../src/abi/source.js';
import { selectRules } from '../../src/engine/run.js';
import type { RunResult } from '../../src/engine/types.js';
import { displayPath } from '../../src/engine/discover.js';

export async function parseFile(path: string): Promise<BinaryInfo> {
  const fh = await open(path, 'r');
  try {
    return await readBinary(new FileSource(fh, 0, (await fh.stat()).size));
  } finally {
    await fh.close();
  }
}

/** Runs the FT8 rules over wheels and binaries given by path (display paths relative to `cwd`). */
export async function check(cwd: string, wheels: string[], binaries: string[] = [], select: string[] = ['FT8']): Promise<RunResult> {
  const ref = (abs: string) => ({ abs, display: displayPath(abs, cwd) });
  return checkArtifacts(wheels.map(ref), binaries.map(ref), selectRules(select, []));
}

/** `FT808 path` per finding, sorted (the findings are already sorted). */
export const ids = (r: RunResult): string[] => r.findings.map((f) => `${f.rule} ${f.path}`);
export const diags = (r: RunResult): string[] => r.diagnostics.map((d) => `${d.reason} ${d.path}: ${d.message}`);
export const names = (info: BinaryInfo, slice = 0): string[] => (info.slices[slice]?.pythonImports ?? []).map((i) => i.name);

/** A temp directory removed after the file's tests, and `dir()` for a fresh subdirectory per case. */
export function scratch(name: string): { root: string; dir: () => string } {
  const root = mkdtempSync(join(tmpdir(), `ftlint-abi-${name}-`));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  return {
    root,
    dir: () => {
      const d = join(root, `case${n++}`);
      mkdirSync(d);
      return d;
    },
  };
}
