// The Mach-O reader on real clang + ld64.lld output (thin bundles) and llvm-lipo (fat/universal),
// checked against llvm-nm and llvm-objdump as the independent readers.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sliceEvidence } from '../src/abi/evidence.js';
import { check, ids, names, parseFile, scratch } from './helpers/abi.js';
import { borrowedModule, cleanModule } from './helpers/csrc.js';
import { buildMachO, gate, lipo, llvmArchs, llvmNmUndefined, requireToolchain } from './helpers/native.js';
import { buildWheel } from './helpers/wheel.js';

const g = gate('macho');
const { dir } = scratch('macho');

describe('Mach-O reader (clang + ld64.lld + llvm-lipo output)', () => {
  it('has clang, ld64.lld, llvm-lipo, llvm-nm, llvm-objdump and the CPython 3.13 headers (fails in CI when missing)', g, () => requireToolchain('macho'));

  it('reads a thin bundle: the imports llvm-nm reads', g, async () => {
    const so = buildMachO({ code: borrowedModule('spam'), ft: true }, ['x86_64']);
    const info = await parseFile(so);
    assert.equal(info.format, 'macho');
    assert.equal(info.bits, 64);
    assert.deepEqual(info.slices.map((s) => s.arch), ['x86_64']);
    assert.deepEqual(names(info), llvmNmUndefined(so, 'x86_64'));
    assert.deepEqual(info.slices[0]?.moduleInits, ['PyInit_spam']);
    assert.equal(sliceEvidence(info.slices[0]!).verdict, 'free-threaded');
    assert.ok(info.slices[0]!.pythonImports.every((i) => i.library === null), 'dynamic_lookup binds to no library');
  });

  it('reads every slice of a fat (universal2) file', g, async () => {
    const so = buildMachO({ code: borrowedModule('spam'), ft: true }, ['x86_64', 'arm64']);
    const info = await parseFile(so);
    assert.deepEqual(llvmArchs(so), ['x86_64', 'arm64']);
    assert.deepEqual(info.slices.map((s) => s.arch), ['x86_64', 'aarch64']);
    assert.deepEqual(names(info, 0), llvmNmUndefined(so, 'x86_64'));
    assert.deepEqual(names(info, 1), llvmNmUndefined(so, 'arm64'));
    assert.deepEqual(info.slices.map((s) => sliceEvidence(s).verdict), ['free-threaded', 'free-threaded']);
  });

  it('judges each slice: an arm64 slice built for the GIL inside a t binary (FT808)', g, async () => {
    const d = dir();
    const mixed = lipo([buildMachO({ code: cleanModule('spam'), ft: true }, ['x86_64']), buildMachO({ code: cleanModule('spam'), ft: false }, ['arm64'])]);
    copyFileSync(mixed, join(d, 'spam.cpython-313t-darwin.so'));
    const r = await check(d, [], [join(d, 'spam.cpython-313t-darwin.so')]);
    assert.deepEqual(ids(r), ['FT808 spam.cpython-313t-darwin.so']);
    assert.match(r.findings[0]!.message, /compiled for the GIL build \(aarch64 code\): it imports _Py_Dealloc/);
  });

  it('a universal2 wheel needs both architectures (FT804); darwin suffixes agree with macosx tags', g, async () => {
    const d = dir();
    const thin = readFileSync(buildMachO({ code: cleanModule('spam'), ft: true }, ['x86_64']));
    const fat = readFileSync(buildMachO({ code: cleanModule('spam'), ft: true }, ['x86_64', 'arm64']));
    const a = buildWheel(d, { fileName: 'spam-1.0-cp313-cp313t-macosx_11_0_universal2.whl', files: [{ name: 'spam/spam.cpython-313t-darwin.so', data: thin }] });
    const b = buildWheel(d, { fileName: 'eggs-1.0-cp313-cp313t-macosx_11_0_universal2.whl', files: [{ name: 'eggs/spam.cpython-313t-darwin.so', data: fat }] });
    const c = buildWheel(d, { fileName: 'ham-1.0-cp313-cp313t-macosx_11_0_arm64.whl', files: [{ name: 'ham/spam.cpython-313t-darwin.so', data: thin }] });
    const r = await check(d, [a, b, c], [], ['FT804']);
    assert.deepEqual(ids(r), ['FT804 ham-1.0-cp313-cp313t-macosx_11_0_arm64.whl!ham/spam.cpython-313t-darwin.so', 'FT804 spam-1.0-cp313-cp313t-macosx_11_0_universal2.whl!spam/spam.cpython-313t-darwin.so']);
    assert.match(r.findings[0]!.message, /built for x86_64, but the wheel is for macosx_11_0_arm64/);
    assert.match(r.findings[1]!.message, /the wheel is macosx_11_0_universal2, but spam\.cpython-313t-darwin\.so has no aarch64 code/);
  });
});
