// Wheel checks (FT801-FT807) on wheels assembled by the tests from real gcc-built binaries.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { parseRecord, parseWheelFileName } from '../src/abi/wheel.js';
import { check, diags, ids, scratch } from './helpers/abi.js';
import { cleanModule } from './helpers/csrc.js';
import { buildElf, gate } from './helpers/native.js';
import { buildWheel, type WheelSpec } from './helpers/wheel.js';

const g = gate('elf');
const { dir } = scratch('wheel');

let FT = Buffer.alloc(0);
let GIL = Buffer.alloc(0);
before(() => {
  if (g.skip) return;
  FT = readFileSync(buildElf([{ code: cleanModule('_core'), ft: true }]));
  GIL = readFileSync(buildElf([{ code: cleanModule('_core'), ft: false }]));
});

const py = { name: 'spam/__init__.py', data: Buffer.from('from ._core import lookup\n') };
const ftWheel = (over: Partial<WheelSpec> = {}): WheelSpec => ({
  fileName: 'spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
  files: [py, { name: 'spam/_core.cpython-313t-x86_64-linux-gnu.so', data: FT }],
  ...over,
});
const gilWheel = (over: Partial<WheelSpec> = {}): WheelSpec => ({
  fileName: 'spam-1.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
  files: [py, { name: 'spam/_core.cpython-313-x86_64-linux-gnu.so', data: GIL }],
  ...over,
});

describe('wheel file names (FT801)', () => {
  it('parses names with build tags and compressed tag sets', () => {
    const p = parseWheelFileName('Spam_Eggs-2.0.post1-7b-cp313.cp314-cp313t.cp314t-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
    assert.deepEqual(p.problems, []);
    assert.deepEqual(p.name, {
      distribution: 'Spam_Eggs',
      version: '2.0.post1',
      build: '7b',
      pythonTags: ['cp313', 'cp314'],
      abiTags: ['cp313t', 'cp314t'],
      platformTags: ['manylinux_2_17_x86_64', 'manylinux2014_x86_64'],
    });
  });

  it('reports what is wrong with a name', () => {
    const problems = (f: string) => parseWheelFileName(f).problems;
    assert.match(problems('spam-cp313-cp313-linux_x86_64.whl')[0]!, /has 4 dash-separated parts; a wheel name has 5 or 6/);
    assert.match(problems('spam-1.0-cp313t-cp313t-linux_x86_64.whl')[0]!, /python tag 'cp313t' carries ABI flags; the interpreter tag is 'cp313'/);
    assert.match(problems('spam-1.0-cp313-cp314t-linux_x86_64.whl')[0]!, /ABI tag 'cp314t' is for CPython 3\.14, but the python tag set 'cp313' does not name cp314/);
    assert.match(problems('spam-1.0-x1-cp313-cp313-linux_x86_64.whl')[0]!, /build tag 'x1' must start with a digit/);
    assert.match(problems('spam-one-cp313-cp313-linux_x86_64.whl')[0]!, /version 'one' is not a PEP 440 version/);
    assert.match(problems('sp@m-1.0-cp313-cp313-linux_x86_64.whl')[0]!, /distribution 'sp@m' is not a valid/);
    assert.match(problems('spam-1.0-cp313-cp313-linux_x86_64..any.whl')[0]!, /invalid tag ''/);
  });

  it('reports each bad name as FT801 against the wheel', g, async () => {
    const d = dir();
    const a = buildWheel(d, ftWheel({ fileName: 'spam-1.0-cp313t-cp313t-manylinux_2_17_x86_64.whl' }));
    const b = buildWheel(d, ftWheel({ fileName: 'spam-1.0-cp313-cp314t-manylinux_2_17_x86_64.whl' }));
    const r = await check(d, [a, b]);
    assert.deepEqual(ids(r), ['FT801 spam-1.0-cp313-cp314t-manylinux_2_17_x86_64.whl', 'FT801 spam-1.0-cp313t-cp313t-manylinux_2_17_x86_64.whl']);
    assert.equal(r.findings[0]!.severity, 'error');
  });
});

describe('wheel contents (FT802-FT807)', () => {
  it('is quiet on a correct GIL + free-threaded wheel pair, stored or deflated', g, async () => {
    const d = dir();
    const a = buildWheel(d, ftWheel());
    const b = buildWheel(d, gilWheel({ files: [py, { name: 'spam/_core.cpython-313-x86_64-linux-gnu.so', data: GIL, method: 0 }] }));
    const r = await check(d, [a, b]);
    assert.deepEqual({ findings: ids(r), diagnostics: diags(r) }, { findings: [], diagnostics: [] });
    assert.equal(r.filesChecked, 2);
    assert.equal(r.coverage?.length, 1);
  });

  it('FT802: WHEEL tags of a renamed wheel, a missing WHEEL, another project\'s .dist-info, Build and Wheel-Version', g, async () => {
    const d = dir();
    const renamed = buildWheel(d, ftWheel({ tags: ['cp313-cp313-manylinux_2_17_x86_64', 'cp313-cp313-manylinux2014_x86_64'] }));
    const partial = buildWheel(d, ftWheel({ fileName: 'part-1.0-cp313-cp313t-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', tags: ['cp313-cp313t-manylinux_2_17_x86_64'] }));
    const noWheel = buildWheel(d, ftWheel({ fileName: 'nowheel-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl', wheelText: null }));
    const other = buildWheel(d, ftWheel({ fileName: 'other-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl', distInfo: 'eggs-1.0.dist-info' }));
    const build = buildWheel(d, ftWheel({ fileName: 'built-1.0-2-cp313-cp313t-manylinux_2_17_x86_64.whl', wheelText: 'Wheel-Version: 2.0\nRoot-Is-Purelib: false\nTag: cp313-cp313t-manylinux_2_17_x86_64\n' }));
    const r = await check(d, [renamed, partial, noWheel, other, build], [], ['FT802']);
    const di = (w: string) => `${w.replace(/-cp.*$/, '').replace(/-\d+$/, '')}.dist-info/WHEEL`;
    assert.deepEqual(ids(r), [
      `FT802 built-1.0-2-cp313-cp313t-manylinux_2_17_x86_64.whl!${di('built-1.0')}`,
      `FT802 built-1.0-2-cp313-cp313t-manylinux_2_17_x86_64.whl!${di('built-1.0')}`,
      'FT802 nowheel-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl',
      'FT802 other-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl',
      'FT802 part-1.0-cp313-cp313t-manylinux_2_17_x86_64.manylinux2014_x86_64.whl!part-1.0.dist-info/WHEEL',
      'FT802 spam-1.0-cp313-cp313t-manylinux_2_17_x86_64.manylinux2014_x86_64.whl!spam-1.0.dist-info/WHEEL',
    ]);
    const m = r.findings.map((f) => f.message);
    assert.deepEqual(m.slice(0, 2).sort(), ["WHEEL says Build: (none), the file name's build tag is 2", 'Wheel-Version 2.0: installers only accept 1.x']);
    assert.match(m[2]!, /nowheel-1\.0\.dist-info\/WHEEL is missing/);
    assert.match(m[3]!, /the metadata directory eggs-1\.0\.dist-info does not match the file name's other-1\.0/);
    assert.equal(m[4], 'the file name says cp313-cp313t-manylinux2014_x86_64, which WHEEL does not list (a wheel renamed without rebuilding?)');
    assert.match(m[5]!, /^WHEEL lists Tag: cp313-cp313-manylinux_2_17_x86_64, cp313-cp313-manylinux2014_x86_64, which the file name does not; the file name says cp313-cp313t-manylinux_2_17_x86_64, cp313-cp313t-manylinux2014_x86_64/);
  });

  it('FT803: compiled code in a pure-tagged wheel and Root-Is-Purelib that lies', g, async () => {
    const d = dir();
    const pure = buildWheel(d, { fileName: 'spam-1.0-py3-none-any.whl', files: [py, { name: 'spam/_core.cpython-313t-x86_64-linux-gnu.so', data: FT }], rootIsPurelib: true });
    const honest = buildWheel(d, { fileName: 'eggs-1.0-py3-none-any.whl', files: [{ name: 'eggs/__init__.py', data: Buffer.from('') }], rootIsPurelib: false });
    const r = await check(d, [pure, honest], [], ['FT803']);
    assert.deepEqual(ids(r), ['FT803 eggs-1.0-py3-none-any.whl!eggs-1.0.dist-info/WHEEL', 'FT803 spam-1.0-py3-none-any.whl', 'FT803 spam-1.0-py3-none-any.whl!spam-1.0.dist-info/WHEEL']);
    assert.deepEqual(r.findings.map((f) => f.severity), ['info', 'warning', 'warning']);
    assert.match(r.findings[1]!.message, /tagged py3-none-any but holds compiled code \(spam\/_core\.cpython-313t-x86_64-linux-gnu\.so\)/);
  });

  it('FT804: suffix version, t flag, platform and architecture against the wheel tags', g, async () => {
    const d = dir();
    const w = (fileName: string, name: string, data: Buffer) => buildWheel(d, { fileName, files: [{ name, data }] });
    const paths = [
      w('a-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl', 'a/_core.cpython-313-x86_64-linux-gnu.so', GIL),
      w('b-1.0-cp313-cp313-manylinux_2_17_x86_64.whl', 'b/_core.cpython-313t-x86_64-linux-gnu.so', FT),
      w('c-1.0-cp311-abi3-manylinux_2_17_x86_64.whl', 'c/_core.cpython-311-x86_64-linux-gnu.so', GIL),
      w('d-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl', 'd/_core.cpython-313t-aarch64-linux-gnu.so', FT),
      w('e-1.0-cp313-cp313t-manylinux_2_17_aarch64.whl', 'e/_core.cpython-313t-aarch64-linux-gnu.so', FT),
      w('f-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl', 'f/_core.cpython-313t-x86_64-linux-musl.so', FT),
      w('g-1.0-cp313-cp313t-win_amd64.whl', 'g/_core.cp313t-win_amd64.pyd', FT),
      w('ok-1.0-cp313-cp313t-linux_x86_64.whl', 'ok/_core.so', FT),
    ];
    const r = await check(d, paths, [], ['FT804']);
    const got = r.findings.map((f) => `${f.path.split('!')[0]?.slice(0, 1)}: ${f.message}`);
    assert.deepEqual(got, [
      'a: _core.cpython-313-x86_64-linux-gnu.so is named for CPython 3.13 (.cpython-313-x86_64-linux-gnu.so), but the wheel is tagged cp313t: CPython 3.13t does not import it (it looks for .cpython-313t-…, .abi3.so and .so)',
      'b: _core.cpython-313t-x86_64-linux-gnu.so is named for CPython 3.13t (.cpython-313t-x86_64-linux-gnu.so), but the wheel is tagged cp313: a GIL CPython 3.13 does not import .cpython-313t-x86_64-linux-gnu.so files',
      'c: the wheel is tagged abi3 (any CPython ≥ the python tag), but _core.cpython-311-x86_64-linux-gnu.so is named .cpython-311-x86_64-linux-gnu.so: only CPython 3.11 imports it',
      'd: _core.cpython-313t-aarch64-linux-gnu.so is named for aarch64-linux-gnu, but the wheel is for manylinux_2_17_x86_64',
      'e: _core.cpython-313t-aarch64-linux-gnu.so is built for x86_64, but the wheel is for manylinux_2_17_aarch64',
      'f: _core.cpython-313t-x86_64-linux-musl.so is named for x86_64-linux-musl, but the wheel is for manylinux_2_17_x86_64',
      'g: _core.cp313t-win_amd64.pyd is an ELF binary, which does not load on Windows (win_amd64)',
    ]);
  });

  it('FT805 and FT806: abi3 in a t wheel; t before 3.13', g, async () => {
    const d = dir();
    const a = buildWheel(d, { fileName: 'a-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl', files: [{ name: 'a/_core.abi3.so', data: GIL }] });
    const b = buildWheel(d, { fileName: 'b-1.0-cp312-cp312t-manylinux_2_17_x86_64.whl', files: [{ name: 'b/_core.cpython-312t-x86_64-linux-gnu.so', data: FT }] });
    const c = buildWheel(d, { fileName: 'c-1.0-cp311-abi3-manylinux_2_17_x86_64.whl', files: [{ name: 'c/_core.abi3.so', data: GIL }] });
    const r = await check(d, [a, b, c], [], ['FT805', 'FT806']);
    assert.deepEqual(ids(r), ['FT805 a-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl!a/_core.abi3.so', 'FT806 b-1.0-cp312-cp312t-manylinux_2_17_x86_64.whl', 'FT806 b-1.0-cp312-cp312t-manylinux_2_17_x86_64.whl!b/_core.cpython-312t-x86_64-linux-gnu.so']);
    assert.match(r.findings[0]!.message, /stable-ABI \(abi3\) extension in a free-threaded wheel \(cp313t\)/);
    assert.equal(r.findings[1]!.message, 'ABI tag cp312t: CPython 3.12 has no free-threaded build (the first is 3.13t)');
  });

  it('FT807: RECORD missing, incomplete, stale, with wrong sizes or hashes', g, async () => {
    const d = dir();
    const missing = buildWheel(d, ftWheel({ fileName: 'norec-1.0-cp313-cp313t-linux_x86_64.whl', record: 'omit' }));
    const stale = buildWheel(
      d,
      ftWheel({
        fileName: 'stale-1.0-cp313-cp313t-linux_x86_64.whl',
        record: (rows) => [
          ...rows
            .filter((r) => r[0] !== 'spam/__init__.py')
            .map((r) => (r[0]!.endsWith('.so') ? [r[0]!, 'sha256=AAAA', r[2]!] : r[0]!.endsWith('METADATA') ? [r[0]!, r[1]!, '1'] : r)),
          ['spam/_core.cpython-313-x86_64-linux-gnu.so', 'sha256=x', '10'],
          ['stale-1.0.dist-info/WHEEL', 'sha256=y', '1'],
        ],
      }),
    );
    const r = await check(d, [missing, stale], [], ['FT807']);
    const at = 'stale-1.0-cp313-cp313t-linux_x86_64.whl';
    assert.deepEqual(ids(r), [
      'FT807 norec-1.0-cp313-cp313t-linux_x86_64.whl',
      `FT807 ${at}!spam/__init__.py`,
      `FT807 ${at}!stale-1.0.dist-info/RECORD`,
      `FT807 ${at}!stale-1.0.dist-info/RECORD`,
      `FT807 ${at}!stale-1.0.dist-info/RECORD`,
      `FT807 ${at}!stale-1.0.dist-info/RECORD`,
    ]);
    assert.deepEqual(r.findings.slice(2).map((f) => f.message).sort(), [
      'RECORD line 1: the hash of spam/_core.cpython-313t-x86_64-linux-gnu.so does not match its content (the binary was changed after the wheel was built)',
      'RECORD line 2 gives stale-1.0.dist-info/METADATA a size of 1 bytes; the archive holds 47 bytes',
      'RECORD line 5 lists spam/_core.cpython-313-x86_64-linux-gnu.so, which is not in the archive',
      'RECORD line 6 lists stale-1.0.dist-info/WHEEL a second time',
    ].sort());
  });

  it('parses RECORD as Python\'s csv module writes it (quoted commas and quotes)', () => {
    const { rows, problems } = parseRecord('"a,b.py",sha256=x,3\n"say ""hi"".txt",,\nbad,line\n');
    assert.deepEqual(rows.map((r) => [r.path, r.hash, r.size, r.line]), [['a,b.py', 'sha256=x', 3, 1], ['say "hi".txt', '', null, 2]]);
    assert.deepEqual(problems, [{ line: 3, message: 'RECORD line 3 has 2 fields; each line is path,hash,size' }]);
  });
});
