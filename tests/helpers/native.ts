// Builds real extension binaries at test time from small C sources (tests/helpers/csrc.ts), against the
// real CPython 3.13 headers found through sysconfig:
// - ELF with the machine's gcc (undefined Python symbols allowed, as for any extension);
// - PE with Debian's mingw-w64, linked against import libraries for python313.dll / python313t.dll made
//   by dlltool from a .def of exactly the symbols the object file needs;
// - Mach-O with Debian's clang and ld64.lld (thin bundles, `-undefined dynamic_lookup`) and llvm-lipo
//   (fat). There is no macOS SDK: the translation unit is preprocessed against the Linux C library
//   headers with __APPLE__/__MACH__ defined (so CPython's headers take their macOS paths), then compiled
//   for the Apple target; for arm64, the one x86-64 inline-asm line of _Py_ThreadId is swapped for the
//   arm64 one the headers give on Apple silicon.
// Free-threaded variants: the same headers with -DPy_GIL_DISABLED=1, which yields the symbol set of a
// real free-threaded build (verified: docs/abi.md).
// Outputs are cached by content hash in the OS temp directory, shared by the test files.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CI = process.env.CI === 'true' || process.env.CI === '1';
const BUILDER_VERSION = 4;

function works(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

function firstWorking(cands: string[], args: string[] = ['--version']): string | null {
  for (const c of cands) if (works(c, args)) return c;
  return null;
}

function findInclude(): string | null {
  const code = "import sysconfig; print(sysconfig.get_paths()['include'])";
  const pyenv = join(process.env.PYENV_ROOT ?? join(process.env.HOME ?? '/root', '.pyenv'), 'versions');
  const cands: string[] = [];
  try {
    for (const v of readdirSync(pyenv).filter((d) => d.startsWith('3.13')).sort().reverse()) cands.push(join(pyenv, v, 'bin', 'python3.13'));
  } catch {
    // no pyenv
  }
  cands.push('python3.13');
  for (const py of cands) {
    const r = spawnSync(py, ['-c', code], { encoding: 'utf8' });
    const dir = r.status === 0 ? r.stdout.trim() : '';
    if (dir && existsSync(join(dir, 'Python.h')) && /PY_MINOR_VERSION\s+13\b/.test(readFileSync(join(dir, 'patchlevel.h'), 'utf8'))) return dir;
  }
  return null;
}

const CANDIDATES = {
  include: [] as string[],
  gcc: ['gcc'],
  nm: ['nm'],
  mingw: ['x86_64-w64-mingw32-gcc'],
  mingwNm: ['x86_64-w64-mingw32-nm'],
  dlltool: ['x86_64-w64-mingw32-dlltool'],
  mingwObjdump: ['x86_64-w64-mingw32-objdump'],
  clang: ['clang-14', 'clang', '/usr/lib/llvm-14/bin/clang'],
  ld64: ['ld64.lld-14', 'ld64.lld', '/usr/lib/llvm-14/bin/ld64.lld'],
  lipo: ['llvm-lipo-14', 'llvm-lipo', '/usr/lib/llvm-14/bin/llvm-lipo'],
  llvmNm: ['llvm-nm-14', 'llvm-nm', '/usr/lib/llvm-14/bin/llvm-nm'],
  llvmObjdump: ['llvm-objdump-14', 'llvm-objdump', '/usr/lib/llvm-14/bin/llvm-objdump'],
};
type Tool = keyof typeof CANDIDATES;
const found = new Map<Tool, string | null>();

/** The tool's command (or the include directory), looked up once per process; null when missing. */
export function tool(name: Tool): string | null {
  if (!found.has(name)) found.set(name, name === 'include' ? findInclude() : firstWorking(CANDIDATES[name]));
  return found.get(name) ?? null;
}

export type Kind = 'elf' | 'pe' | 'macho';
const NEEDS: Record<Kind, { tools: Tool[]; install: string }> = {
  elf: { tools: ['include', 'gcc', 'nm'], install: 'gcc, binutils and CPython 3.13 headers (pyenv 3.13, or python3.13-dev)' },
  pe: { tools: ['include', 'mingw', 'mingwNm', 'dlltool', 'mingwObjdump'], install: 'apt-get install gcc-mingw-w64-x86-64 (.ci/run does this)' },
  macho: { tools: ['include', 'clang', 'ld64', 'lipo', 'llvmNm', 'llvmObjdump'], install: 'apt-get install clang-14 lld-14 llvm-14 (.ci/run does this)' },
};

export function missing(kind: Kind): string[] {
  return NEEDS[kind].tools.filter((k) => !tool(k));
}

/**
 * `{ skip }` for node:test. Locally a missing toolchain skips with a message; under CI (CI=true) it
 * does not skip, so the build fails loudly instead.
 */
export function gate(...kinds: Kind[]): { skip: string | false } {
  const miss = kinds.flatMap((k) => missing(k).map((m) => `${m} (${NEEDS[k].install})`));
  if (!miss.length || CI) return { skip: false };
  return { skip: `toolchain missing: ${miss.join('; ')}` };
}

/** Fails (in CI) or skips (locally) when a toolchain is missing; use as the first test of a file. */
export function requireToolchain(kind: Kind): void {
  const miss = missing(kind);
  if (miss.length) throw new Error(`cannot build ${kind} test binaries: missing ${miss.join(', ')}; install ${NEEDS[kind].install}`);
}

const CACHE = join(tmpdir(), `ftlint-abi-fixtures-${process.getuid?.() ?? 0}`);

function cached(key: unknown, ext: string, build: (work: string, out: string) => void): string {
  const h = createHash('sha256').update(JSON.stringify({ key, v: BUILDER_VERSION, include: tool('include') })).digest('hex').slice(0, 20);
  mkdirSync(CACHE, { recursive: true });
  const out = join(CACHE, `${h}${ext}`);
  if (existsSync(out)) return out;
  const work = mkdtempSync(join(CACHE, 'work-'));
  try {
    const tmp = join(work, `out${ext}`);
    build(work, tmp);
    renameSync(tmp, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

function run(cmd: string | null, args: string[], opts: { input?: string; cwd?: string } = {}): string {
  if (!cmd) throw new Error(`tool missing for: ${args.join(' ')}`);
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', input: opts.input ?? '', cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr || err.message}`);
  }
}

export interface Unit {
  code: string;
  /** Compile with -DPy_GIL_DISABLED=1. */
  ft: boolean;
  defines?: string[];
}

const defs = (u: Unit) => [...(u.ft ? ['-DPy_GIL_DISABLED=1'] : []), ...(u.defines ?? []).map((d) => `-D${d}`)];

/** A shared object from one or more translation units (each with its own flags), linked with gcc. */
export function buildElf(units: Unit[], opts: { link?: string[]; libs?: { name: string; soname: string }[] } = {}): string {
  requireToolchain('elf');
  return cached({ k: 'elf', units, opts }, '.so', (work, out) => {
    const objs = units.map((u, i) => {
      const o = join(work, `u${i}.o`);
      run(tool('gcc'), ['-O2', '-fPIC', '-w', '-c', `-I${tool('include')}`, ...defs(u), '-x', 'c', '-', '-o', o], { input: u.code });
      return o;
    });
    const libArgs: string[] = [];
    for (const l of opts.libs ?? []) {
      // A stub library that only gives the soname (DT_NEEDED names what the extension links).
      const so = join(work, `lib${l.name}.so`);
      run(tool('gcc'), ['-shared', '-fPIC', `-Wl,-soname,${l.soname}`, '-x', 'c', '-', '-o', so], { input: 'int ftlint_stub;\n' });
      libArgs.push(`-L${work}`, '-Wl,--no-as-needed', `-l:lib${l.name}.so`);
    }
    run(tool('gcc'), ['-shared', '-o', out, ...objs, ...libArgs, ...(opts.link ?? [])]);
  });
}

/** Undefined symbols per the independent reader (`nm -D --undefined-only`), Python-looking ones, sorted. */
export function nmUndefined(path: string): string[] {
  const out = run(tool('nm'), ['-D', '--undefined-only', path]);
  return out.split('\n').map((l) => l.trim().split(/\s+/)).filter((p) => p.length === 2 && p[0] === 'U').map((p) => p[1] as string).filter((n) => /^_?Py/.test(n)).sort();
}

const DATA = /^(_Py_\w+Struct|PyExc_\w+|Py\w+_Type)$/;

/** A Windows .pyd linked against an import library for `dll` (e.g. python313t). */
export function buildPe(unit: Unit, opts: { dll: string }): string {
  requireToolchain('pe');
  return cached({ k: 'pe', unit, opts }, '.pyd', (work, out) => {
    const obj = join(work, 'mod.o');
    run(tool('mingw'), ['-O2', '-w', '-c', `-I${tool('include')}`, ...defs(unit), '-x', 'c', '-', '-o', obj], { input: unit.code });
    const undef = run(tool('mingwNm'), ['-u', obj]).split('\n').map((l) => l.trim().split(/\s+/).pop() ?? '').filter((n) => /^_?Py/.test(n));
    const def = `LIBRARY ${opts.dll}.dll\nEXPORTS\n${undef.map((n) => (DATA.test(n) ? `${n} DATA` : n)).join('\n')}\n`;
    writeFileSync(join(work, `${opts.dll}.def`), def);
    const lib = join(work, `lib${opts.dll}.a`);
    run(tool('dlltool'), ['-d', join(work, `${opts.dll}.def`), '-l', lib, '-D', `${opts.dll}.dll`]);
    run(tool('mingw'), ['-shared', '-o', out, obj, lib]);
  });
}

/** DLL name → imported names, from `objdump -p` (an independent PE reader). */
export function objdumpImports(path: string): Map<string, string[]> {
  const out = run(tool('mingwObjdump'), ['-p', path]);
  const map = new Map<string, string[]>();
  let cur: string[] | null = null;
  for (const line of out.split('\n')) {
    const dll = /^\s*DLL Name: (\S+)/.exec(line);
    if (dll) {
      cur = map.get(dll[1] as string) ?? [];
      map.set(dll[1] as string, cur);
      continue;
    }
    const imp = /^\s*[0-9a-f]+\s+\d+\s+(\S+)\s*$/i.exec(line);
    if (cur && imp) cur.push(imp[1] as string);
    if (/^\s*$/.test(line) && cur && cur.length) cur = null;
  }
  return map;
}

const X86_TID = '__asm__("movq %%gs:0, %0" : "=r" (tid));';
const ARM_TID = '__asm__ ("mrs %0, tpidrro_el0" : "=r" (tid));';

/** A macOS extension bundle; several archs make a fat (universal) file. */
export function buildMachO(unit: Unit, archs: ('x86_64' | 'arm64')[]): string {
  requireToolchain('macho');
  return cached({ k: 'macho', unit, archs }, '.so', (work, out) => {
    const pre = run(tool('clang'), ['-target', 'x86_64-linux-gnu', '-E', '-D__APPLE__', '-D__MACH__', `-I${tool('include')}`, ...defs(unit), '-x', 'c', '-'], { input: unit.code });
    const thin = archs.map((arch) => {
      let src = pre;
      if (arch === 'arm64' && src.includes(X86_TID)) src = src.split(X86_TID).join(ARM_TID);
      else if (arch === 'arm64' && unit.ft) throw new Error('expected the x86-64 _Py_ThreadId asm in the free-threaded translation unit');
      const i = join(work, `${arch}.i`);
      writeFileSync(i, src);
      const o = join(work, `${arch}.o`);
      run(tool('clang'), ['-target', `${arch}-apple-macos11`, '-O2', '-w', '-c', i, '-o', o]);
      const so = join(work, `${arch}.so`);
      run(tool('ld64'), ['-arch', arch, '-platform_version', 'macos', '11.0', '11.0', '-bundle', '-undefined', 'dynamic_lookup', '-o', so, o]);
      return so;
    });
    if (thin.length === 1) renameSync(thin[0] as string, out);
    else run(tool('lipo'), ['-create', ...thin, '-output', out]);
  });
}

/** A fat file from thin ones (e.g. slices built with different flags). */
export function lipo(thin: string[]): string {
  requireToolchain('macho');
  return cached({ k: 'lipo', thin: thin.map((p) => createHash('sha256').update(readFileSync(p)).digest('hex')) }, '.so', (work, out) => {
    run(tool('lipo'), ['-create', ...thin, '-output', out]);
  });
}

/** DT_NEEDED entries per binutils' objdump -p (an independent ELF reader). */
export function elfNeeded(path: string): string[] {
  return run('objdump', ['-p', path]).split('\n').map((l) => /^\s*NEEDED\s+(\S+)/.exec(l)?.[1]).filter((x): x is string => !!x);
}

/** Undefined Python-looking symbols of one arch of a Mach-O file, from llvm-nm (leading `_` removed). */
export function llvmNmUndefined(path: string, arch: string): string[] {
  const out = run(tool('llvmNm'), ['-u', '--arch', arch, path]);
  return out.split('\n').map((l) => l.trim()).filter((n) => n.startsWith('_')).map((n) => n.slice(1)).filter((n) => /^_?Py/.test(n)).sort();
}

/** Architectures of a (fat) Mach-O, from llvm-objdump's universal headers, or the thin header. */
export function llvmArchs(path: string): string[] {
  const out = run(tool('llvmObjdump'), ['--macho', '--universal-headers', path]);
  const archs = [...out.matchAll(/^architecture (\S+)/gm)].map((m) => m[1] as string);
  return archs;
}
