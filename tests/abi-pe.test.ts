// The PE reader on real mingw-w64 output: .pyd files linked against import libraries for
// python313.dll / python313t.dll / python3.dll, checked against objdump -p as the independent reader.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sliceEvidence } from '../src/abi/evidence.js';
import { check, ids, parseFile, scratch } from './helpers/abi.js';
import { borrowedModule, cleanModule, norefModule } from './helpers/csrc.js';
import { buildPe, gate, objdumpImports, requireToolchain } from './helpers/native.js';
import { buildWheel } from './helpers/wheel.js';

const g = gate('pe');
const { dir } = scratch('pe');

describe('PE reader (mingw-w64 output)', () => {
  it('has mingw-w64 and the CPython 3.13 headers (fails in CI when missing)', g, () => requireToolchain('pe'));

  for (const [ft, dll] of [[true, 'python313t'], [false, 'python313']] as const) {
    it(`reads the import table objdump reads: ${dll}.dll`, g, async () => {
      const pyd = buildPe({ code: borrowedModule('spam'), ft }, { dll });
      const info = await parseFile(pyd);
      const theirs = objdumpImports(pyd);
      assert.equal(info.format, 'pe');
      assert.equal(info.bits, 64);
      const s = info.slices[0]!;
      assert.equal(s.arch, 'x86_64');
      assert.deepEqual(s.libraries, [...theirs.keys()]);
      assert.deepEqual(
        s.pythonImports.map((i) => `${i.library}:${i.name}`),
        [...theirs.entries()].flatMap(([lib, xs]) => xs.filter((x) => /^_?Py/.test(x)).map((x) => `${lib}:${x}`)).sort((a, b) => (a.split(':')[1]! < b.split(':')[1]! ? -1 : 1)),
      );
      assert.deepEqual(s.moduleInits, ['PyInit_spam']);
      const ev = sliceEvidence(s);
      assert.equal(ev.verdict, ft ? 'free-threaded' : 'gil');
      assert.deepEqual(ev.library, { name: `${dll}.dll`, minor: 13, ft });
    });
  }

  it('FT808: a GIL build renamed .cp313t-win_amd64.pyd, by symbols or (with no refcounting) by its DLL', g, async () => {
    const d = dir();
    copyFileSync(buildPe({ code: borrowedModule('spam'), ft: false }, { dll: 'python313' }), join(d, 'spam.cp313t-win_amd64.pyd'));
    copyFileSync(buildPe({ code: norefModule('quiet'), ft: false }, { dll: 'python313' }), join(d, 'quiet.cp313t-win_amd64.pyd'));
    copyFileSync(buildPe({ code: cleanModule('good'), ft: true }, { dll: 'python313t' }), join(d, 'good.cp313t-win_amd64.pyd'));
    const r = await check(d, [], ['spam', 'quiet', 'good'].map((m) => join(d, `${m}.cp313t-win_amd64.pyd`)), ['FT808', 'FT809']);
    assert.deepEqual(ids(r), ['FT808 quiet.cp313t-win_amd64.pyd', 'FT808 spam.cp313t-win_amd64.pyd']);
    assert.match(r.findings[0]!.message, /links python313\.dll, the GIL build's library, but is tagged for free-threaded Python .*; a free-threaded build links python313t\.dll/);
    assert.match(r.findings[1]!.message, /compiled for the GIL build: it imports _Py_Dealloc/);
  });

  it('in wheels: plain .pyd judged by the wheel tag, python3.dll in a t wheel (FT805), another version\'s DLL (FT804), PE in a Linux wheel', g, async () => {
    const d = dir();
    const gil = readFileSync(buildPe({ code: borrowedModule('spam'), ft: false }, { dll: 'python313' }));
    const abi3 = readFileSync(buildPe({ code: norefModule('stable'), ft: false, defines: ['Py_LIMITED_API=0x030b0000'] }, { dll: 'python3' }));
    const v312 = readFileSync(buildPe({ code: norefModule('old'), ft: false }, { dll: 'python312' }));
    const ft = readFileSync(buildPe({ code: cleanModule('good'), ft: true }, { dll: 'python313t' }));
    const a = buildWheel(d, { fileName: 'spam-1.0-cp313-cp313t-win_amd64.whl', files: [{ name: 'spam/spam.pyd', data: gil }, { name: 'spam/stable.pyd', data: abi3 }] });
    const b = buildWheel(d, { fileName: 'old-1.0-cp313-cp313-win_amd64.whl', files: [{ name: 'old/old.pyd', data: v312 }] });
    const c = buildWheel(d, { fileName: 'good-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl', files: [{ name: 'good/good.pyd', data: ft }] });
    const r = await check(d, [a, b, c], [], ['FT804', 'FT805', 'FT808', 'FT809']);
    assert.deepEqual(ids(r), [
      'FT804 good-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl!good/good.pyd',
      'FT804 old-1.0-cp313-cp313-win_amd64.whl!old/old.pyd',
      'FT808 spam-1.0-cp313-cp313t-win_amd64.whl!spam/spam.pyd',
      'FT805 spam-1.0-cp313-cp313t-win_amd64.whl!spam/stable.pyd',
    ]);
    const msg = (p: string) => r.findings.find((f) => f.path.endsWith(p))?.message ?? '';
    assert.match(msg('good.pyd'), /PE \(Windows\) binary, which does not load on Linux/);
    assert.match(msg('old.pyd'), /links python312\.dll \(CPython 3\.12\), but the wheel is tagged cp313/);
    assert.match(msg('spam.pyd'), /tagged for free-threaded Python \(wheel tag cp313t\)/);
    assert.match(msg('stable.pyd'), /links python3\.dll, the GIL build's stable-ABI DLL/);
  });
});
