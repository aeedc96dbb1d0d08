// The ELF reader on real gcc output, compiled at test time against CPython 3.13's headers, checked
// against binutils (nm, objdump) as the independent reader.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sliceEvidence } from '../src/abi/evidence.js';
import { check, ids, names, parseFile, scratch } from './helpers/abi.js';
import { borrowedModule, dictNextModule, helperUnit, mixedModule, norefModule, singlePhaseModule } from './helpers/csrc.js';
import { buildElf, elfNeeded, gate, nmUndefined, requireToolchain } from './helpers/native.js';

const g = gate('elf');
const { root: tmp } = scratch('elf');

describe('ELF reader (gcc output)', () => {
  it('has gcc, nm and the CPython 3.13 headers (fails in CI when missing)', g, () => requireToolchain('elf'));

  for (const ft of [true, false]) {
    it(`reads the same Python imports as nm -D, ${ft ? 'free-threaded' : 'GIL'} build`, g, async () => {
      const so = buildElf([{ code: borrowedModule('spam'), ft }]);
      const info = await parseFile(so);
      assert.equal(info.format, 'elf');
      assert.equal(info.bits, 64);
      assert.equal(info.slices.length, 1);
      assert.equal(info.slices[0]?.arch, 'x86_64');
      assert.deepEqual(names(info), nmUndefined(so));
      assert.deepEqual(info.slices[0]?.moduleInits, ['PyInit_spam']);
      assert.deepEqual(info.slices[0]?.libraries, elfNeeded(so));
    });
  }

  it('tells the builds apart by their refcounting imports', g, async () => {
    const ft = sliceEvidence((await parseFile(buildElf([{ code: borrowedModule('spam'), ft: true }]))).slices[0]!);
    assert.deepEqual(
      { verdict: ft.verdict, ft: ft.ftSymbols, hints: ft.ftHints, gil: ft.gilSymbols },
      { verdict: 'free-threaded', ft: ['_Py_DecRefShared', '_Py_MergeZeroLocalRefcount'], hints: ['PyCriticalSection_Begin', 'PyCriticalSection_End'], gil: [] },
    );
    const gil = sliceEvidence((await parseFile(buildElf([{ code: borrowedModule('spam'), ft: false }]))).slices[0]!);
    assert.deepEqual({ verdict: gil.verdict, ft: gil.ftSymbols, hints: gil.ftHints, gil: gil.gilSymbols }, { verdict: 'gil', ft: [], hints: [], gil: ['_Py_Dealloc'] });
    const none = sliceEvidence((await parseFile(buildElf([{ code: norefModule('answer'), ft: true }]))).slices[0]!);
    assert.equal(none.verdict, 'unknown');
    const single = sliceEvidence((await parseFile(buildElf([{ code: singlePhaseModule('single'), ft: true }]))).slices[0]!);
    assert.deepEqual(single.ftSymbols, ['PyUnstable_Module_SetGIL']);
    const mixed = sliceEvidence((await parseFile(buildElf([{ code: mixedModule('mixed'), ft: true }, { code: helperUnit, ft: false }]))).slices[0]!);
    assert.equal(mixed.verdict, 'mixed');
    assert.deepEqual(mixed.gilSymbols, ['_Py_Dealloc']);
  });

  it('limited-API builds (abi3) import neither fingerprint from Py_DECREF since 3.12', g, async () => {
    const info = await parseFile(buildElf([{ code: norefModule('lim').replace('return PyLong_FromLong(42);', 'Py_DECREF(args); return PyLong_FromLong(42);'), ft: false, defines: ['Py_LIMITED_API=0x030c0000'] }]));
    assert.ok(names(info).includes('_Py_DecRef'));
    assert.equal(sliceEvidence(info.slices[0]!).verdict, 'unknown');
  });

  it('reads DT_NEEDED: an extension linked against libpython3.13t', g, async () => {
    const so = buildElf([{ code: norefModule('linked'), ft: true }], { libs: [{ name: 'python3.13t', soname: 'libpython3.13t.so.1.0' }] });
    const info = await parseFile(so);
    assert.ok(info.slices[0]?.libraries.includes('libpython3.13t.so.1.0'), String(info.slices[0]?.libraries));
    assert.deepEqual(sliceEvidence(info.slices[0]!).library, { name: 'libpython3.13t.so.1.0', minor: 13, ft: true });
  });

  it('falls back to the PT_DYNAMIC segment (DT_GNU_HASH) when section headers are stripped', g, async () => {
    const so = buildElf([{ code: borrowedModule('spam'), ft: true }]);
    const bytes = Buffer.from(readFileSync(so));
    bytes.writeBigUInt64LE(0n, 40); // e_shoff
    bytes.writeUInt16LE(0, 60); // e_shnum
    bytes.writeUInt16LE(0, 62); // e_shstrndx
    const stripped = join(tmp, 'stripped.so');
    writeFileSync(stripped, bytes);
    const info = await parseFile(stripped);
    assert.deepEqual(names(info), nmUndefined(so));
    assert.deepEqual(info.slices[0]?.libraries, elfNeeded(so));
    assert.deepEqual(info.slices[0]?.moduleInits, ['PyInit_spam']);
  });

  it('checks bare binaries by their suffix: a GIL build named cpython-313t', g, async () => {
    const gil = join(tmp, 'spam.cpython-313t-x86_64-linux-gnu.so');
    writeFileSync(gil, readFileSync(buildElf([{ code: cleanish('spam'), ft: false }])));
    const ft = join(tmp, 'ok.cpython-313t-x86_64-linux-gnu.so');
    writeFileSync(ft, readFileSync(buildElf([{ code: cleanish('ok'), ft: true }])));
    const ftNamedGil = join(tmp, 'wrong.cpython-313-x86_64-linux-gnu.so');
    writeFileSync(ftNamedGil, readFileSync(buildElf([{ code: cleanish('wrong'), ft: true }])));
    const r = await check(tmp, [], [gil, ft, ftNamedGil]);
    assert.deepEqual(ids(r), ['FT808 spam.cpython-313t-x86_64-linux-gnu.so', 'FT809 wrong.cpython-313-x86_64-linux-gnu.so']);
    assert.match(r.findings[0]!.message, /compiled for the GIL build: it imports _Py_Dealloc .* tagged for free-threaded Python \(suffix \.cpython-313t-x86_64-linux-gnu\.so\)/);
    assert.match(r.findings[1]!.message, /imports _Py_DecRefShared, _Py_MergeZeroLocalRefcount, which only free-threaded CPython exports, but it is tagged for GIL Python/);
    assert.equal(r.findings[0]!.range.start.line, 1);
    assert.equal(r.findings[0]!.remedy.api, 'Py_GIL_DISABLED');
  });

  it('reports PyDict_Next without any critical section in a free-threaded binary, not with one', g, async () => {
    const bad = join(tmp, 'iter.cpython-313t-x86_64-linux-gnu.so');
    writeFileSync(bad, readFileSync(buildElf([{ code: dictNextModule('iter', false), ft: true }])));
    const good = join(tmp, 'locked.cpython-313t-x86_64-linux-gnu.so');
    writeFileSync(good, readFileSync(buildElf([{ code: dictNextModule('locked', true), ft: true }])));
    const r = await check(tmp, [], [bad, good], ['FT810']);
    assert.deepEqual(ids(r), ['FT810 iter.cpython-313t-x86_64-linux-gnu.so']);
    assert.match(r.findings[0]!.message, /PyDict_Next\(\) but no critical-section function/);
    assert.equal(r.findings[0]!.remedy.api, 'Py_BEGIN_CRITICAL_SECTION');
  });
});

/** A module whose only Python-ABI-relevant code is a Py_DECREF (no borrowed APIs). */
function cleanish(name: string): string {
  return dictNextModule(name, true).replace(/while \(PyDict_Next\(d, &pos, &key, &value\)\)\n\s+n\+\+;/, 'n = 1;');
}
