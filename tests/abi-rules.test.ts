// FT808-FT812 on wheels assembled from real gcc-built binaries, and the coverage matrix.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { coverageTables } from '../src/abi/coverage.js';
import type { Wheel } from '../src/abi/model.js';
import { parseWheelFileName } from '../src/abi/wheel.js';
import { coverageMarkdown, coverageText } from '../src/report/coverage.js';
import { formatText } from '../src/report/text.js';
import { check, ids, scratch } from './helpers/abi.js';
import { borrowedModule, cleanModule, removedModule, singlePhaseModule } from './helpers/csrc.js';
import { buildElf, gate } from './helpers/native.js';
import { buildWheel } from './helpers/wheel.js';

const g = gate('elf');
const { dir } = scratch('rules');
const bins: Record<string, Buffer> = {};
before(() => {
  if (g.skip) return;
  bins.ftClean = readFileSync(buildElf([{ code: cleanModule('_core'), ft: true }]));
  bins.gilClean = readFileSync(buildElf([{ code: cleanModule('_core'), ft: false }]));
  bins.ftBorrowed = readFileSync(buildElf([{ code: borrowedModule('_core'), ft: true }]));
  bins.gilBorrowed = readFileSync(buildElf([{ code: borrowedModule('_core'), ft: false }]));
  bins.ftRemoved = readFileSync(buildElf([{ code: removedModule('_core'), ft: true }]));
  bins.ftSingle = readFileSync(buildElf([{ code: singlePhaseModule('_core'), ft: true }]));
});

const one = (d: string, fileName: string, member: string, data: Buffer) => buildWheel(d, { fileName, files: [{ name: member, data }] });

describe('binary ABI rules in wheels (FT808-FT811)', () => {
  it('FT808: a GIL build renamed into a cp313t wheel (name, suffix and WHEEL all say t)', g, async () => {
    const d = dir();
    const w = one(d, 'spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl', 'spam/_core.cpython-313t-x86_64-linux-gnu.so', bins.gilClean!);
    const ok = one(d, 'eggs-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl', 'eggs/_core.cpython-313t-x86_64-linux-gnu.so', bins.ftClean!);
    const r = await check(d, [w, ok]);
    assert.deepEqual(ids(r), ['FT808 spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl!spam/_core.cpython-313t-x86_64-linux-gnu.so']);
    assert.equal(r.findings[0]!.severity, 'error');
  });

  it('FT809: a free-threaded build in a cp313 wheel and in an abi3 wheel', g, async () => {
    const d = dir();
    const a = one(d, 'spam-1.0-cp313-cp313-manylinux_2_17_x86_64.whl', 'spam/_core.so', bins.ftClean!);
    const b = one(d, 'eggs-1.0-cp311-abi3-manylinux_2_17_x86_64.whl', 'eggs/_core.abi3.so', bins.ftSingle!);
    const r = await check(d, [a, b], [], ['FT809']);
    assert.deepEqual(ids(r), ['FT809 eggs-1.0-cp311-abi3-manylinux_2_17_x86_64.whl!eggs/_core.abi3.so', 'FT809 spam-1.0-cp313-cp313-manylinux_2_17_x86_64.whl!spam/_core.so']);
    assert.match(r.findings[0]!.message, /imports PyUnstable_Module_SetGIL, which only free-threaded CPython exports, but it is tagged for the GIL build's stable ABI \(suffix \.abi3\.so\)/);
    assert.match(r.findings[1]!.message, /tagged for GIL Python \(wheel tag cp313\)/);
  });

  it('FT810: borrowed-reference imports of a free-threaded binary, each with its own remedy; GIL wheels are left alone', g, async () => {
    const d = dir();
    const t = one(d, 'spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl', 'spam/_core.cpython-313t-x86_64-linux-gnu.so', bins.ftBorrowed!);
    const gil = one(d, 'spam-1.0-cp313-cp313-manylinux_2_17_x86_64.whl', 'spam/_core.cpython-313-x86_64-linux-gnu.so', bins.gilBorrowed!);
    const r = await check(d, [t, gil], [], ['FT810']);
    const p = 'spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl!spam/_core.cpython-313t-x86_64-linux-gnu.so';
    assert.deepEqual(
      r.findings.map((f) => [f.path, f.severity, f.remedy.api, f.message]),
      [
        [p, 'warning', 'PyDict_GetItemRef', '_core.cpython-313t-x86_64-linux-gnu.so imports PyDict_GetItem(), which returns a borrowed reference another thread can free while it is in use'],
        [p, 'warning', 'PyList_GetItemRef', '_core.cpython-313t-x86_64-linux-gnu.so imports PyList_GetItem(), which returns a borrowed reference another thread can free while it is in use'],
        [p, 'error', 'PyWeakref_GetRef', '_core.cpython-313t-x86_64-linux-gnu.so imports PyWeakref_GetObject(), which returns a borrowed reference another thread can free while it is in use'],
      ],
    );
  });

  it('FT811: a symbol CPython 3.13 no longer exports, in a cp313t wheel (quiet for cp312)', g, async () => {
    const d = dir();
    const t = one(d, 'spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl', 'spam/_core.cpython-313t-x86_64-linux-gnu.so', bins.ftRemoved!);
    const old = one(d, 'spam-1.0-cp312-cp312-manylinux_2_17_x86_64.whl', 'spam/_core.cpython-312-x86_64-linux-gnu.so', bins.ftRemoved!);
    const r = await check(d, [t, old], [], ['FT811']);
    assert.deepEqual(ids(r), ['FT811 spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl!spam/_core.cpython-313t-x86_64-linux-gnu.so']);
    assert.equal(r.findings[0]!.message, '_core.cpython-313t-x86_64-linux-gnu.so imports _PyDict_GetItemWithError, which CPython 3.13 no longer exports: CPython 3.13t cannot load it (undefined symbol)');
  });
});

/** Wheels by name only (coverage needs no contents). */
function wheels(...names: string[]): Wheel[] {
  return names.map((fileName) => ({
    path: `dist/${fileName}`,
    fileName,
    name: parseWheelFileName(fileName).name,
    nameProblems: [],
    readable: true,
    members: [],
    distInfo: null,
    wheel: null,
    record: null,
    binaries: [],
  }));
}

describe('coverage matrix (FT812)', () => {
  const plats = ['manylinux_2_17_x86_64', 'manylinux_2_17_aarch64', 'musllinux_1_2_x86_64', 'macosx_11_0_arm64', 'win_amd64', 'win32'];

  it('cp313 on six platforms, cp313t on one: five gaps (info for 3.13), and the matrix says where', g, async () => {
    const d = dir();
    const paths = [
      ...plats.map((p) => one(d, `spam-1.0-cp313-cp313-${p}.whl`, 'spam/_core.so', bins.gilClean!)),
      one(d, 'spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl', 'spam/_core.so', bins.ftClean!),
    ];
    const r = await check(d, paths, [], ['FT812']);
    assert.deepEqual(ids(r), [
      'FT812 spam-1.0-cp313-cp313-macosx_11_0_arm64.whl',
      'FT812 spam-1.0-cp313-cp313-manylinux_2_17_aarch64.whl',
      'FT812 spam-1.0-cp313-cp313-musllinux_1_2_x86_64.whl',
      'FT812 spam-1.0-cp313-cp313-win32.whl',
      'FT812 spam-1.0-cp313-cp313-win_amd64.whl',
    ]);
    assert.ok(r.findings.every((f) => f.severity === 'info'));
    assert.equal(r.findings[4]!.message, 'no free-threaded wheel of spam 1.0 for CPython 3.13t on win_amd64: expected a cp313-cp313t wheel next to this one');
    assert.equal(
      coverageText(r.coverage ?? []),
      [
        'Free-threading coverage of spam 1.0 (7 wheels):',
        '  platform           3.13',
        '  macosx arm64       GIL, no FT !',
        '  manylinux aarch64  GIL, no FT !',
        '  manylinux x86_64   GIL+FT',
        '  musllinux x86_64   GIL, no FT !',
        '  win32              GIL, no FT !',
        '  win_amd64          GIL, no FT !',
        '  (GIL: a wheel for the GIL build; FT: for the free-threaded build; any: an ABI-independent wheel; ! missing free-threaded wheel)',
      ].join('\n'),
    );
    const text = formatText(r, { color: false, quiet: false });
    assert.ok(text.indexOf('[FT812]') < text.indexOf('Free-threading coverage') && text.indexOf('Free-threading coverage') < text.indexOf('Found 5 problems'));
    assert.doesNotMatch(formatText(r, { color: false, quiet: true }), /Free-threading coverage/);
  });

  it('3.14 gaps are warnings; abi3 wheels never serve free-threaded interpreters', () => {
    const t = coverageTables(wheels('spam-1.0-cp311-abi3-manylinux_2_17_x86_64.whl', 'spam-1.0-cp314-cp314t-manylinux_2_17_x86_64.whl', 'spam-1.0-cp311-abi3-win_amd64.whl'));
    assert.equal(t.length, 1);
    assert.deepEqual(t[0]!.minors, [13, 14]);
    assert.deepEqual(t[0]!.platforms, ['manylinux x86_64', 'win_amd64']);
    const gaps = t[0]!.cells.map((row) => row.map((c) => c.gap));
    assert.deepEqual(gaps, [[true, false], [true, true]]);
  });

  it('pure wheels, none-ABI wheels and abi3t (3.15+) count as free-threaded coverage', () => {
    assert.deepEqual(coverageTables(wheels('spam-1.0-py3-none-any.whl')), []);
    const none = coverageTables(wheels('spam-1.0-cp314-cp314-win_amd64.whl', 'spam-1.0-py3-none-win_amd64.whl'));
    assert.deepEqual(none[0]!.cells.map((r) => r.map((c) => [c.gap, c.any])), [[[false, true]]]);
    const a3t = coverageTables(wheels('spam-1.0-cp315-cp315-win_amd64.whl', 'spam-1.0-cp314-cp314-win_amd64.whl', 'spam-1.0-cp315-abi3t-win_amd64.whl'));
    assert.deepEqual(a3t[0]!.minors, [13, 14, 15].filter((m) => m >= 14));
    assert.deepEqual(a3t[0]!.cells[0]!.map((c) => c.gap), [true, false]);
    const groups = coverageTables(wheels('spam-1.0-cp313-cp313-win_amd64.whl', 'eggs-2.0-cp313-cp313t-win_amd64.whl'));
    assert.deepEqual(groups.map((x) => `${x.distribution} ${x.version}`), ['eggs 2.0', 'spam 1.0']);
  });

  it('renders Markdown for job summaries', () => {
    const t = coverageTables(wheels('spam-1.0-cp312-cp312-win_amd64.whl', 'spam-1.0-cp314-cp314-win_amd64.whl', 'spam-1.0-cp314-cp314-macosx_11_0_universal2.whl', 'spam-1.0-cp314-cp314t-macosx_11_0_universal2.whl'));
    assert.equal(
      coverageMarkdown(t),
      [
        '#### Free-threading coverage of spam 1.0 (4 wheels)',
        '',
        '| Platform | 3.12 | 3.14 |',
        '|---|---|---|',
        '| macosx arm64 | — | ✅ GIL + FT |',
        '| macosx x86_64 | — | ✅ GIL + FT |',
        '| win_amd64 | GIL (no FT build) | ⚠️ GIL only |',
        '',
      ].join('\n'),
    );
  });
});
