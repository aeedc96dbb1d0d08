// Assembles wheels for tests from real binaries: WHEEL and RECORD written as build backends write them,
// with options to get each part wrong on purpose.
import { join } from 'node:path';
import { recordHash, writeZip, type ZipInput } from './zip.js';

export interface WheelSpec {
  /** File name, e.g. `spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl`. */
  fileName: string;
  files: { name: string; data: Buffer; method?: 0 | 8 }[];
  /** Tag: lines (default: the expansion of the file name's tags). */
  tags?: string[];
  rootIsPurelib?: boolean;
  /** Replace the WHEEL file's text, or null to leave it out. */
  wheelText?: string | null;
  /** 'auto' (correct), 'omit', or a function editing the rows before they are written. */
  record?: 'auto' | 'omit' | ((rows: string[][]) => string[][]);
  /** .dist-info directory name (default from the file name). */
  distInfo?: string;
}

export function expand(fileName: string): string[] {
  const parts = fileName.replace(/\.whl$/, '').split('-');
  const [py, abi, plat] = parts.slice(-3) as [string, string, string];
  const out: string[] = [];
  for (const p of py.split('.')) for (const a of abi.split('.')) for (const pl of plat.split('.')) out.push(`${p}-${a}-${pl}`);
  return out;
}

export function wheelEntries(spec: WheelSpec): ZipInput[] {
  const parts = spec.fileName.replace(/\.whl$/, '').split('-');
  const distInfo = spec.distInfo ?? `${parts[0]}-${parts[1]}.dist-info`;
  const tags = spec.tags ?? expand(spec.fileName);
  const purelib = spec.rootIsPurelib ?? !spec.files.some((f) => /\.(so|pyd|dylib|dll)$/.test(f.name));
  const entries: ZipInput[] = spec.files.map((f) => ({ name: f.name, data: f.data, ...(f.method !== undefined ? { method: f.method } : {}) }));
  const metadata = Buffer.from(`Metadata-Version: 2.1\nName: ${parts[0]}\nVersion: ${parts[1]}\n`);
  entries.push({ name: `${distInfo}/METADATA`, data: metadata });
  if (spec.wheelText !== null) {
    const text =
      spec.wheelText ?? `Wheel-Version: 1.0\nGenerator: ftlint-tests\nRoot-Is-Purelib: ${purelib}\n${tags.map((t) => `Tag: ${t}\n`).join('')}${parts.length === 6 ? `Build: ${parts[2]}\n` : ''}`;
    entries.push({ name: `${distInfo}/WHEEL`, data: Buffer.from(text) });
  }
  if (spec.record !== 'omit') {
    let rows = entries.map((e) => [e.name, recordHash(e.data), String(e.data.length)]);
    rows.push([`${distInfo}/RECORD`, '', '']);
    if (typeof spec.record === 'function') rows = spec.record(rows);
    const csv = rows.map((r) => r.map((f) => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')).join('\n') + '\n';
    entries.push({ name: `${distInfo}/RECORD`, data: Buffer.from(csv) });
  }
  return entries;
}

/** Writes the wheel into `dir` and returns its path. */
export function buildWheel(dir: string, spec: WheelSpec): string {
  const path = join(dir, spec.fileName);
  writeZip(path, wheelEntries(spec));
  return path;
}
