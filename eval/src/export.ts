// Exports one commit's sources from a git mirror, without a checkout, a build or the network:
// `git ls-tree` for the paths, `git cat-file --batch` for the bytes. Only the files ftlint reads
// (and .gitignore files, which discovery honours) are written.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { languageOf } from '../../src/engine/discover.js';

export class ExportError extends Error {}

/** The git directory of `owner/name` under `mirrors`: `owner+name/repo` (as fetched), `owner+name.git` or `owner+name`. */
export function findMirror(mirrors: string, repo: string): string | null {
  const base = join(mirrors, repo.replace('/', '+'));
  for (const dir of [join(base, 'repo'), `${base}.git`, join(base, '.git'), base]) {
    if (existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects'))) return dir;
  }
  return null;
}

function git(gitDir: string, args: string[], input?: string): Buffer {
  const r = spawnSync('git', ['--git-dir', gitDir, ...args], { input, maxBuffer: 1 << 30 });
  if (r.error) throw new ExportError(`git ${args[0]}: ${r.error.message}`);
  if (r.status !== 0) throw new ExportError(`git ${args.join(' ')}: ${r.stderr.toString().trim() || `exit ${r.status}`}`);
  return r.stdout;
}

export function wanted(path: string): boolean {
  return basename(path) === '.gitignore' || languageOf(path) !== null;
}

export interface ExportResult {
  dir: string;
  files: number;
  /** Blobs the mirror does not hold (snapshots lack very large files and LFS content). */
  missing: string[];
}

const BATCH = 4000;

/**
 * Writes the wanted files of `commit` to `dest` (replacing what was there) and records completion in
 * `dest.json`, so a later run reuses the tree.
 */
export function exportTree(gitDir: string, commit: string, dest: string): ExportResult {
  const stamp = `${dest}.json`;
  const type = git(gitDir, ['cat-file', '-t', commit]).toString().trim();
  if (type !== 'commit') throw new ExportError(`${commit} is a ${type}, not a commit`);
  const entries: { sha: string; path: string }[] = [];
  for (const rec of git(gitDir, ['ls-tree', '-r', '-z', '--full-tree', commit]).toString('utf8').split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const [mode, kind, sha] = rec.slice(0, tab).split(' ');
    const path = rec.slice(tab + 1);
    // Regular files only: no symlinks (120000) or submodules (commit entries).
    if (kind !== 'blob' || mode === '120000' || !sha || !wanted(path)) continue;
    entries.push({ sha, path });
  }
  // Reused only while the same files are wanted (ftlint may read more kinds of files than when it was written).
  const selection = createHash('sha256').update(entries.map((e) => `${e.sha} ${e.path}`).join('\n')).digest('hex').slice(0, 16);
  if (existsSync(stamp) && existsSync(dest)) {
    try {
      const prev = JSON.parse(readFileSync(stamp, 'utf8')) as ExportResult & { commit?: string; selection?: string };
      if (prev.commit === commit && prev.selection === selection) return { dir: dest, files: prev.files, missing: prev.missing };
    } catch {
      /* re-export */
    }
  }
  rmSync(stamp, { force: true }); // an interrupted export leaves no stamp beside a partial tree
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const missing: string[] = [];
  let files = 0;
  for (let i = 0; i < entries.length; i += BATCH) {
    const batch = entries.slice(i, i + BATCH);
    const out = git(gitDir, ['cat-file', '--batch'], batch.map((e) => `${e.sha}\n`).join(''));
    let pos = 0;
    for (const e of batch) {
      const nl = out.indexOf(10, pos);
      const header = out.subarray(pos, nl).toString();
      pos = nl + 1;
      if (header.endsWith(' missing')) {
        missing.push(e.path);
        continue;
      }
      const size = Number(header.split(' ')[2]);
      const file = join(dest, e.path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, out.subarray(pos, pos + size));
      pos += size + 1;
      files++;
    }
  }
  writeFileSync(stamp, JSON.stringify({ commit, selection, files, missing }));
  return { dir: dest, files, missing };
}

/** Non-blank lines of the extension sources (C, C++, Cython, Rust) under `dir` (or its `scope` directories), in thousands. */
export function extensionKloc(dir: string, scope?: string[]): number {
  let lines = 0;
  const walk = (d: string, rel: string) => {
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      const p = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(join(d, ent.name), p);
      else if (ent.isFile() && ['c', 'cpp', 'cython', 'rust'].includes(languageOf(p) ?? '')) {
        for (const l of readFileSync(join(d, ent.name), 'utf8').split('\n')) if (l.trim() !== '') lines++;
      }
    }
  };
  for (const s of scope ?? ['']) {
    const d = join(dir, s);
    if (existsSync(d) && statSync(d).isDirectory()) walk(d, s);
  }
  return lines / 1000;
}
