// Finds wheels and binaries, and builds the artifact model from them. Every problem with an input
// becomes an FT000 diagnostic; one bad file never stops the others; nothing is extracted to disk.
import { readdirSync, realpathSync, statSync, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { displayPath, statFollow } from '../engine/discover.js';
import type { ToolDiagnostic } from '../engine/types.js';
import { readBinary } from './binary.js';
import type { ArtifactBinary, ArtifactSet, Wheel } from './model.js';
import { FileSource, InflateSource, MalformedError, TooLargeError } from './source.js';
import { looksBinary, parseExtensionSuffix, parseRecord, parseWheelFile, parseWheelFileName } from './wheel.js';
import { digestEntry, entrySource, openZip, readSmallEntry, type ZipArchive } from './zip.js';

export interface ArtifactRef {
  abs: string;
  display: string;
}

export interface ArtifactDiscovery {
  wheels: ArtifactRef[];
  binaries: ArtifactRef[];
  missing: string[];
  diagnostics: ToolDiagnostic[];
}

const SKIP_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.tox', '.nox', '.venv', 'venv', 'site-packages', '.mypy_cache', '.pytest_cache', '.ruff_cache']);
const MAX_DEPTH = 16;
const METADATA_CAP = 1024 * 1024;
const RECORD_CAP = 64 * 1024 * 1024;

const isWheelName = (p: string) => p.toLowerCase().endsWith('.whl');

function diag(path: string, reason: ToolDiagnostic['reason'], message: string, severity: ToolDiagnostic['severity'] = 'warning'): ToolDiagnostic {
  return { code: 'FT000', path, reason, severity, message };
}

function errorDiag(path: string, e: unknown): ToolDiagnostic {
  if (e instanceof TooLargeError) return diag(path, 'too-large', `${e.message}; skipped`);
  if (e instanceof MalformedError) return diag(path, 'malformed', e.message);
  const code = (e as NodeJS.ErrnoException).code;
  if (code && /^E[A-Z]+$/.test(code)) return diag(path, 'unreadable', `cannot read file: ${code}`);
  // A reader tripping over data it did not expect (a bounds check in Buffer, say): still a bad input.
  return diag(path, 'malformed', `corrupt or unsupported file: ${e instanceof Error ? e.message : String(e)}`);
}

/** `ftlint abi PATH...`: wheels, binaries, and directories searched for both. */
export function discoverArtifacts(paths: string[], cwd: string): ArtifactDiscovery {
  const out: ArtifactDiscovery = { wheels: [], binaries: [], missing: [], diagnostics: [] };
  const seen = new Set<string>();
  const add = (abs: string, explicit: boolean) => {
    let real = abs;
    try {
      real = realpathSync(abs);
    } catch {
      // reported when read
    }
    if (seen.has(real)) return;
    const ref = { abs, display: displayPath(abs, cwd) };
    if (isWheelName(abs)) out.wheels.push(ref);
    else if (looksBinary(abs) || explicit) out.binaries.push(ref);
    else return;
    seen.add(real);
  };
  const dirs = new Set<string>();
  const walk = (dir: string, depth: number) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (dirs.has(real) || depth > MAX_DEPTH) return;
    dirs.add(real);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      out.diagnostics.push(diag(displayPath(dir, cwd), 'unreadable', `cannot read directory: ${(e as NodeJS.ErrnoException).code ?? String(e)}`));
      return;
    }
    for (const name of names) {
      const abs = join(dir, name);
      const st = statFollow(abs);
      if (!st) continue;
      if (st.isDirectory()) {
        if (SKIP_DIRS.has(name) || existsSync(join(abs, 'pyvenv.cfg'))) continue;
        walk(abs, depth + 1);
      } else if (st.isFile() && (isWheelName(name) || looksBinary(name))) add(abs, false);
    }
  };
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      out.missing.push(p);
      continue;
    }
    if (st.isDirectory()) {
      const before = out.wheels.length + out.binaries.length;
      walk(abs, 0);
      if (out.wheels.length + out.binaries.length === before) {
        out.diagnostics.push(diag(displayPath(abs, cwd), 'skipped', 'no wheels (.whl) or extension binaries (.so, .pyd, .dylib) found here', 'info'));
      }
    } else if (st.isFile()) add(abs, true);
    else out.diagnostics.push(diag(displayPath(abs, cwd), 'unreadable', 'not a regular file (device, FIFO or socket); skipped'));
  }
  return out;
}

/** `ftlint ./project`: the wheels directly under `dist/` and `wheelhouse/` of each directory argument. */
export function projectWheels(paths: string[], cwd: string): ArtifactRef[] {
  const out: ArtifactRef[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    try {
      if (!statSync(abs).isDirectory()) continue;
    } catch {
      continue;
    }
    for (const sub of ['dist', 'wheelhouse']) {
      const dir = join(abs, sub);
      let names: string[] = [];
      try {
        names = readdirSync(dir).sort();
      } catch {
        continue;
      }
      for (const n of names) {
        const f = join(dir, n);
        try {
          if (isWheelName(n) && statSync(f).isFile()) out.push({ abs: f, display: displayPath(f, cwd) });
        } catch {
          // vanished or dangling: skip
        }
      }
    }
  }
  return out;
}

export interface LoadedArtifacts {
  set: ArtifactSet;
  diagnostics: ToolDiagnostic[];
  filesChecked: number;
  bytesChecked: number;
}

export async function loadArtifacts(wheels: ArtifactRef[], binaries: ArtifactRef[]): Promise<LoadedArtifacts> {
  const res: LoadedArtifacts = { set: { wheels: [], binaries: [] }, diagnostics: [], filesChecked: 0, bytesChecked: 0 };
  for (const w of wheels) {
    const wheel = await loadWheel(w, res.diagnostics);
    res.set.wheels.push(wheel);
    if (wheel.readable) res.filesChecked++;
  }
  for (const b of binaries) {
    const bin: ArtifactBinary = { path: b.display, member: null, suffix: parseExtensionSuffix(basename(b.abs)), info: null };
    let fh;
    try {
      fh = await open(b.abs, 'r');
      const st = await fh.stat();
      if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
      bin.info = await readBinary(new FileSource(fh, 0, st.size));
      res.filesChecked++;
      res.bytesChecked += st.size;
    } catch (e) {
      res.diagnostics.push(errorDiag(b.display, e));
    } finally {
      await fh?.close();
    }
    res.set.binaries.push(bin);
  }
  return res;
}

async function loadWheel(ref: ArtifactRef, diagnostics: ToolDiagnostic[]): Promise<Wheel> {
  const fileName = basename(ref.abs);
  const parsed = parseWheelFileName(fileName);
  const wheel: Wheel = {
    path: ref.display,
    fileName,
    name: parsed.name,
    nameProblems: parsed.problems,
    readable: false,
    members: [],
    distInfo: null,
    wheel: null,
    record: null,
    binaries: [],
  };
  let fh;
  let zip: ZipArchive;
  try {
    fh = await open(ref.abs, 'r');
    const st = await fh.stat();
    zip = await openZip(fh, st.size);
  } catch (e) {
    const d = errorDiag(ref.display, e);
    diagnostics.push(d.reason === 'malformed' ? { ...d, message: `cannot read wheel: ${d.message}` } : d);
    await fh?.close();
    return wheel;
  }
  try {
    wheel.readable = true;
    for (const p of zip.problems) diagnostics.push(diag(ref.display, 'malformed', p));
    const files = zip.entries.filter((e) => !e.isDirectory);
    wheel.members = files.map((e) => ({ name: e.name, size: e.size }));
    const byName = new Map(files.map((e) => [e.name, e]));
    const wheelFiles = files.filter((e) => /^[^/]+\.dist-info\/WHEEL$/.test(e.name));
    const distInfos = [...new Set(files.map((e) => /^([^/]+\.dist-info)\//.exec(e.name)?.[1]).filter((x): x is string => !!x))];
    wheel.distInfo = wheelFiles[0]?.name.split('/')[0] ?? distInfos[0] ?? null;
    const wf = wheel.distInfo ? byName.get(`${wheel.distInfo}/WHEEL`) : undefined;
    if (wf) {
      try {
        wheel.wheel = parseWheelFile(wf.name, (await readSmallEntry(zip, wf, METADATA_CAP)).toString('utf8'));
      } catch (e) {
        diagnostics.push(errorDiag(`${ref.display}!${wf.name}`, e));
      }
    }
    const rf = wheel.distInfo ? byName.get(`${wheel.distInfo}/RECORD`) : undefined;
    if (rf) {
      try {
        const rec = parseRecord((await readSmallEntry(zip, rf, RECORD_CAP)).toString('utf8'));
        wheel.record = { member: rf.name, rows: rec.rows };
        for (const p of rec.problems) diagnostics.push(diag(`${ref.display}!${rf.name}`, 'malformed', p.message));
      } catch (e) {
        diagnostics.push(errorDiag(`${ref.display}!${rf.name}`, e));
      }
    }
    const recordHashes = new Map((wheel.record?.rows ?? []).map((r) => [r.path, r.hash]));
    for (const e of files) {
      if (!looksBinary(e.name)) continue;
      const path = `${ref.display}!${e.name}`;
      const bin: ArtifactBinary = { path, member: e.name, suffix: parseExtensionSuffix(e.name), info: null };
      let src: Awaited<ReturnType<typeof entrySource>> | null = null;
      try {
        src = await entrySource(zip, e);
        const info = await readBinary(src);
        // Then the whole entry once more, as a stream: exact size (bombs, truncation) and RECORD's hash.
        const algorithm = /^(sha256|sha384|sha512)=/.exec(recordHashes.get(e.name) ?? '')?.[1] ?? 'sha256';
        bin.digest = `${algorithm}=${await digestEntry(zip, e, algorithm)}`;
        bin.info = info;
      } catch (err) {
        diagnostics.push(errorDiag(path, err));
      } finally {
        if (src instanceof InflateSource) src.dispose();
      }
      wheel.binaries.push(bin);
    }
  } finally {
    await fh.close();
  }
  return wheel;
}
