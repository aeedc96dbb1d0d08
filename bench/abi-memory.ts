// Peak memory of `ftlint abi` reading a ~30 MB wheel (issue 6: a wheel must not be loaded into memory
// beyond the entries needed). Standalone: `npm run build && node dist/bench/abi-memory.js [MB]`.
//
// A child process builds, in a temp directory, a real extension with gcc (CPython 3.13 headers,
// free-threaded), grows it with an incompressible 30 MB section (objcopy --add-section), and packs
// wheels with it deflated and stored. Each wheel is then checked in a fresh child process (spawned from
// a parent that never held the data: Linux carries maxRSS across fork/exec), which reports its peak
// resident set (getrusage maxRSS) before and after the check, and the peak of live Buffer memory
// (external + arrayBuffers, sampled every 2 ms right after a forced GC). Prints one JSON line per case
// and a summary table; all sizes in bytes.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

async function child(wheel: string): Promise<void> {
  const { checkArtifacts } = await import('../src/abi/check.js');
  const { selectRules } = await import('../src/engine/run.js');
  const ids = selectRules(['FT8'], []);
  const baseline = process.memoryUsage();
  const maxRssBefore = process.resourceUsage().maxRSS * 1024;
  let peakRss = baseline.rss;
  let peakBuffers = baseline.external + baseline.arrayBuffers;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakBuffers = Math.max(peakBuffers, m.external + m.arrayBuffers);
  };
  // With --expose-gc, collect before each sample: the peak then counts live memory, not garbage.
  const gc = (globalThis as { gc?: () => void }).gc;
  const timer = setInterval(() => {
    gc?.();
    sample();
  }, gc ? 20 : 2);
  const t0 = process.hrtime.bigint();
  const result = await checkArtifacts([{ abs: wheel, display: wheel }], [], ids);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  clearInterval(timer);
  sample();
  const maxRssAfter = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    `${JSON.stringify({
      ms: Math.round(ms),
      maxRssBefore,
      maxRssAfter,
      maxRssGrowth: maxRssAfter - maxRssBefore,
      sampledRssGrowth: peakRss - baseline.rss,
      liveBufferPeak: peakBuffers - (baseline.external + baseline.arrayBuffers),
      findings: result.findings.map((f) => f.rule),
      diagnostics: result.diagnostics.map((d) => d.message),
    })}\n`,
  );
}

/** Writes the wheels into `dir` and prints their paths (one JSON array). */
async function build(dir: string, mb: number): Promise<void> {
  const { buildElf } = await import('../tests/helpers/native.js');
  const { cleanModule } = await import('../tests/helpers/csrc.js');
  const { buildWheel } = await import('../tests/helpers/wheel.js');
  const so = buildElf([{ code: cleanModule('_core'), ft: true }]);
  const blob = join(dir, 'blob.bin');
  writeFileSync(blob, randomBytes(mb * 1024 * 1024));
  const big = join(dir, 'big.so');
  execFileSync('objcopy', ['--add-section', `.ftlint_blob=${blob}`, '--set-section-flags', '.ftlint_blob=noload,readonly', so, big]);
  const data = readFileSync(big);
  const out = (['deflated', 'stored'] as const).map((name) =>
    buildWheel(dir, {
      fileName: `bench${name}-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl`,
      files: [
        { name: 'benchpkg/__init__.py', data: Buffer.from('') },
        { name: 'benchpkg/_core.cpython-313t-x86_64-linux-gnu.so', data, method: name === 'deflated' ? 8 : 0 },
      ],
    }),
  );
  process.stdout.write(JSON.stringify({ wheels: out, binaryBytes: data.length }));
}

async function main(): Promise<void> {
  const mb = Number(process.argv[2] ?? 30);
  const dir = mkdtempSync(join(tmpdir(), 'ftlint-abi-bench-'));
  try {
    const b = spawnSync(process.execPath, [self, '--build', dir, String(mb)], { encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`building the bench wheels failed (needs gcc, objcopy and CPython 3.13 headers): ${b.stderr}`);
    const { wheels, binaryBytes } = JSON.parse(b.stdout) as { wheels: string[]; binaryBytes: number };
    const rows: Record<string, unknown>[] = [];
    for (const wheel of wheels) {
      // Natural GC: the peak RSS a user sees. Forced GC (--expose-gc): the peak of live buffers.
      const natural = spawnSync(process.execPath, [self, '--child', wheel], { encoding: 'utf8' });
      const forced = spawnSync(process.execPath, ['--expose-gc', self, '--child', wheel], { encoding: 'utf8' });
      if (natural.status !== 0 || forced.status !== 0) throw new Error(`child failed: ${natural.stderr}${forced.stderr}`);
      const n = JSON.parse(natural.stdout) as Record<string, unknown>;
      const f = JSON.parse(forced.stdout) as Record<string, unknown>;
      const row = { case: /bench(\w+)-/.exec(wheel)?.[1], wheelBytes: statSync(wheel).size, binaryBytes, ...n, liveBufferPeak: f.liveBufferPeak, maxRssGrowthForcedGc: f.maxRssGrowth };
      rows.push(row);
      process.stdout.write(`${JSON.stringify(row)}\n`);
    }
    const mbs = (n: unknown) => `${((n as number) / 1024 / 1024).toFixed(1)} MB`;
    process.stdout.write('\ncase       wheel      binary     peak RSS growth (maxRSS)   peak live buffers (forced GC)   time\n');
    for (const r of rows) {
      process.stdout.write(
        `${String(r.case).padEnd(10)} ${mbs(r.wheelBytes).padEnd(10)} ${mbs(r.binaryBytes).padEnd(10)} ${mbs(r.maxRssGrowth).padEnd(26)} ${mbs(r.liveBufferPeak).padEnd(29)} ${r.ms} ms\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3] as string);
else if (process.argv[2] === '--build') await build(process.argv[3] as string, Number(process.argv[4]));
else await main();
