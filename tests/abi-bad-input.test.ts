// Bad input: broken archives, zip bombs, unsafe names, corrupt binaries. Each gets an FT000
// diagnostic, memory stays bounded, nothing is extracted, and the other inputs are still checked.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { deflateRawSync, constants as zc } from 'node:zlib';
import { readBinary } from '../src/abi/binary.js';
import { BufferSource, InflateSource, MalformedError, TooLargeError } from '../src/abi/source.js';
import { check, diags, ids, scratch } from './helpers/abi.js';
import { borrowedModule, cleanModule } from './helpers/csrc.js';
import { buildElf, buildMachO, buildPe, gate } from './helpers/native.js';
import { wheelEntries } from './helpers/wheel.js';
import { zipBytes, type ZipInput } from './helpers/zip.js';

const g = gate('elf');
const { root: tmp, dir } = scratch('bad');

let ELF = Buffer.alloc(0);
before(() => {
  if (!g.skip) ELF = readFileSync(buildElf([{ code: cleanModule('_core'), ft: true }]));
});

/** A raw deflate stream of `mib` MiB of zeros, built from one compressed MiB repeated (about 1 KiB per MiB). */
function zeroBomb(mib: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(1024 * 1024), { finishFlush: zc.Z_SYNC_FLUSH });
  return Buffer.concat([...Array.from({ length: mib }, () => block), Buffer.from([0x03, 0x00])]);
}

const SO = '_core.cpython-313t-x86_64-linux-gnu.so';
const wheelName = 'spam-1.0-cp313-cp313t-linux_x86_64.whl';

describe('bad archives', () => {
  it('a .whl that is not a zip, an empty one, a truncated one, and a good one next to them', g, async () => {
    const d = dir();
    writeFileSync(join(d, 'a-1.0-py3-none-any.whl'), 'this is not a zip file at all, just text\n');
    writeFileSync(join(d, 'b-1.0-py3-none-any.whl'), '');
    const good = zipBytes(wheelEntries({ fileName: wheelName, files: [{ name: `spam/${SO}`, data: ELF }] }));
    writeFileSync(join(d, 'c-1.0-py3-none-any.whl'), good.subarray(0, good.length - 30));
    writeFileSync(join(d, wheelName), good);
    const cd = Buffer.from(good);
    cd.writeUInt32LE(cd.length, cd.length - 6); // central directory offset past the end
    writeFileSync(join(d, 'e-1.0-py3-none-any.whl'), cd);
    const r = await check(d, ['a-1.0-py3-none-any.whl', 'b-1.0-py3-none-any.whl', 'c-1.0-py3-none-any.whl', 'e-1.0-py3-none-any.whl', wheelName].map((f) => join(d, f)));
    assert.deepEqual(diags(r), [
      'malformed a-1.0-py3-none-any.whl: cannot read wheel: not a zip archive (no end-of-central-directory record)',
      'malformed b-1.0-py3-none-any.whl: cannot read wheel: empty file: not a zip archive',
      'malformed c-1.0-py3-none-any.whl: cannot read wheel: truncated zip archive: it has no end-of-central-directory record',
      'malformed e-1.0-py3-none-any.whl: cannot read wheel: truncated or corrupt zip archive: the central directory points past its end',
    ]);
    assert.deepEqual(ids(r), [], 'the good wheel is checked and clean');
    assert.equal(r.filesChecked, 1);
    assert.ok(r.diagnostics.every((x) => x.code === 'FT000' && x.severity === 'warning'));
  });

  it("entries with '..', absolute paths or duplicate names are reported, never read, never extracted", g, async () => {
    const d = dir();
    const entries: ZipInput[] = [
      ...wheelEntries({ fileName: wheelName, files: [{ name: `spam/${SO}`, data: ELF }] }),
      { name: '../evil.so', data: ELF },
      { name: '/etc/evil.py', data: Buffer.from('x') },
      { name: 'C:/evil.py', data: Buffer.from('x') },
      { name: `spam/${SO}`, data: Buffer.from('second copy') },
    ];
    writeFileSync(join(d, wheelName), zipBytes(entries));
    const before_ = readdirSync(tmp).sort();
    const r = await check(d, [join(d, wheelName)], [], ['FT807', 'FT808']);
    assert.deepEqual(diags(r), [
      `malformed ${wheelName}: entry '../evil.so' contains a '..' component; it was not read (an installer must refuse this archive)`,
      `malformed ${wheelName}: entry '/etc/evil.py' is an absolute path; it was not read (an installer must refuse this archive)`,
      `malformed ${wheelName}: entry 'C:/evil.py' is an absolute path; it was not read (an installer must refuse this archive)`,
      `malformed ${wheelName}: entry 'spam/${SO}' appears more than once; only the first copy was read (installers disagree on which one wins)`,
    ]);
    assert.deepEqual(ids(r), []);
    assert.deepEqual(readdirSync(tmp).sort(), before_);
  });

  it('zip bombs: an entry claiming gigabytes is not inflated; one inflating to a gigabyte while claiming 4 KiB is stopped at 4 KiB', g, async () => {
    const d = dir();
    const claims: ZipInput[] = [
      ...wheelEntries({ fileName: wheelName, files: [{ name: 'spam/x.py', data: Buffer.from('') }] }),
      { name: `spam/${SO}`, data: Buffer.alloc(0), raw: deflateRawSync(Buffer.alloc(16)), declaredSize: 5 * 1024 ** 3, zip64: true },
    ];
    writeFileSync(join(d, 'claims-1.0-cp313-cp313t-linux_x86_64.whl'), zipBytes(claims));
    const elfThenZeros = Buffer.concat([ELF, Buffer.alloc(64)]);
    const bomb: ZipInput[] = [
      ...wheelEntries({ fileName: wheelName, files: [{ name: 'spam/x.py', data: Buffer.from('') }] }),
      // A real ELF header and tables, then a gigabyte of zeros: the header parses, the size check stops it.
      { name: `spam/${SO}`, data: elfThenZeros, raw: Buffer.concat([deflateRawSync(ELF, { finishFlush: zc.Z_SYNC_FLUSH }), zeroBomb(1024)]), declaredSize: ELF.length },
      // WHEEL itself as a bomb (the metadata path inflates in one go, with a hard output cap).
      { name: 'spam-1.0.dist-info/WHEEL', data: Buffer.from('Wheel-Version: 1.0\n'), raw: zeroBomb(16), declaredSize: 100 },
    ];
    writeFileSync(join(d, 'bomb-1.0-cp313-cp313t-linux_x86_64.whl'), zipBytes(bomb));
    const r = await check(d, ['claims-1.0-cp313-cp313t-linux_x86_64.whl', 'bomb-1.0-cp313-cp313t-linux_x86_64.whl'].map((f) => join(d, f)));
    assert.deepEqual(diags(r), [
      `malformed bomb-1.0-cp313-cp313t-linux_x86_64.whl: entry 'spam-1.0.dist-info/WHEEL' appears more than once; only the first copy was read (installers disagree on which one wins)`,
      `malformed bomb-1.0-cp313-cp313t-linux_x86_64.whl!spam/${SO}: entry inflates beyond its declared size of ${ELF.length} bytes (a zip bomb, or a corrupt archive); stopped`,
      `too-large claims-1.0-cp313-cp313t-linux_x86_64.whl!spam/${SO}: entry 'spam/${SO}' claims 5368709120 bytes uncompressed, over the 536870912-byte cap; not inflated; skipped`,
    ]);
  });

  it('a metadata bomb is capped by inflateRawSync maxOutputLength', async () => {
    const d = dir();
    const entries = wheelEntries({ fileName: wheelName, files: [{ name: 'spam/x.py', data: Buffer.from('') }], wheelText: null });
    entries.push({ name: 'spam-1.0.dist-info/WHEEL', data: Buffer.from('x'), raw: zeroBomb(16), declaredSize: 100 });
    writeFileSync(join(d, wheelName), zipBytes(entries));
    const r = await check(d, [join(d, wheelName)], [], ['FT802']);
    assert.deepEqual(diags(r), [`malformed ${wheelName}!spam-1.0.dist-info/WHEEL: entry 'spam-1.0.dist-info/WHEEL' inflates beyond its declared size of 100 bytes (a zip bomb, or a corrupt archive)`]);
  });

  it('the streaming inflater never produces much more than the declared size', async () => {
    const d = dir();
    const path = join(d, 'bomb.bin');
    const data = zeroBomb(256);
    writeFileSync(path, data);
    const fh = await open(path, 'r');
    try {
      const src = new InflateSource(fh, 0, data.length, 4096, { left: Number.MAX_SAFE_INTEGER });
      assert.deepEqual(await src.read(0, 16), Buffer.alloc(16));
      await assert.rejects(src.read(4000, 200), MalformedError);
      await assert.rejects(src.drain(), /inflates beyond its declared size of 4096 bytes/);
      assert.ok(src.inflated <= 3 * (4096 + 64 * 1024), `inflated ${src.inflated} bytes`);
      src.dispose();
      const truncated = new InflateSource(fh, 0, 200, 10 * 1024 * 1024, { left: Number.MAX_SAFE_INTEGER });
      await assert.rejects(truncated.drain(), /ends early|truncated/);
      truncated.dispose();
    } finally {
      await fh.close();
    }
  });

  it('unsupported compression and encryption are reported per entry', g, async () => {
    const d = dir();
    const entries = wheelEntries({ fileName: wheelName, files: [{ name: 'spam/x.py', data: Buffer.from('') }] });
    const bytes = zipBytes([...entries, { name: `spam/${SO}`, data: ELF, method: 0 }]);
    // Patch the central-directory method of the last entry to 12 (bzip2).
    const cdEntry = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bytes.writeUInt16LE(12, cdEntry + 10);
    writeFileSync(join(d, wheelName), bytes);
    const r = await check(d, [join(d, wheelName)], [], ['FT808']);
    assert.deepEqual(diags(r), [`malformed ${wheelName}!spam/${SO}: entry 'spam/${SO}' uses compression method 12; wheels use stored (0) or deflate (8)`]);
  });
});

describe('corrupt binaries', () => {
  it('truncated headers and tables pointing past the end, each with a clear message', g, async () => {
    const d = dir();
    const put = (name: string, data: Buffer) => {
      writeFileSync(join(d, name), data);
      return join(d, name);
    };
    const elf = ELF;
    const shoffPastEnd = Buffer.from(elf);
    shoffPastEnd.writeBigUInt64LE(BigInt(elf.length + 4096), 40);
    const dynsymPastEnd = Buffer.from(elf);
    {
      const shoff = Number(elf.readBigUInt64LE(40));
      const shnum = elf.readUInt16LE(60);
      for (let i = 0; i < shnum; i++) if (elf.readUInt32LE(shoff + i * 64 + 4) === 11) dynsymPastEnd.writeBigUInt64LE(BigInt(elf.length * 2), shoff + i * 64 + 24);
    }
    const files = [
      put('a.so', elf.subarray(0, 30)),
      put('b.so', shoffPastEnd),
      put('c.so', dynsymPastEnd),
      put('d.so', Buffer.from([0x4d, 0x5a, 0x90, 0x00])),
      put('e.so', Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1, 3, 0, 0, 0, 8])),
      put('f.so', Buffer.alloc(0)),
      put('g.so', Buffer.from('INPUT ( libfoo.so.1 )\n')),
      put('h.so', Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 1, 1, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0x10, 0, 0, 0, 0x10, 0, 0, 0, 0, 12])),
      put('ok.cpython-313t-x86_64-linux-gnu.so', elf),
    ];
    const r = await check(d, [], files);
    assert.deepEqual(diags(r), [
      'malformed a.so: truncated ELF header (30 bytes)',
      `malformed b.so: the section header table (offset ${elf.length + 4096}, ${elf.readUInt16LE(60) * 64} bytes) points past the end of the file (${elf.length} bytes)`,
      `malformed c.so: ${r.diagnostics[2]!.message}`,
      'malformed d.so: truncated DOS header (4 bytes)',
      'malformed e.so: truncated Mach-O header (13 bytes)',
      'malformed f.so: empty file (0 bytes): not a binary',
      'malformed g.so: a text file, not an ELF, PE or Mach-O binary',
      'malformed h.so: fat architecture 1 (offset 4096, 4096 bytes) points past the end of the file (28 bytes)',
    ]);
    assert.match(r.diagnostics[2]!.message, new RegExp(`^section \\.dynsym \\(offset ${elf.length * 2}, \\d+ bytes\\) points past the end of the file \\(${elf.length} bytes\\)$`));
    assert.equal(r.filesChecked, 1, 'the good binary is still checked');
  });

  it('never throws anything but a diagnostic on truncated or bit-flipped ELF, PE and Mach-O files', gate('elf', 'pe', 'macho'), async () => {
    const samples = [
      readFileSync(buildElf([{ code: borrowedModule('spam'), ft: true }])),
      readFileSync(buildPe({ code: borrowedModule('spam'), ft: true }, { dll: 'python313t' })),
      readFileSync(buildMachO({ code: borrowedModule('spam'), ft: true }, ['x86_64', 'arm64'])),
    ];
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    let parsed = 0;
    let refused = 0;
    for (const s of samples) {
      const variants: Buffer[] = [];
      for (let cut = 0; cut < s.length; cut += Math.max(1, Math.floor(s.length / 150))) variants.push(s.subarray(0, cut));
      for (let i = 0; i < 300; i++) {
        const b = Buffer.from(s);
        for (let k = 0; k < 4; k++) {
          // Flip bytes in the headers and tables the readers use (the first 4 KiB and the last 4 KiB).
          const at = rand() < 0.5 ? Math.floor(rand() * Math.min(4096, b.length)) : b.length - 1 - Math.floor(rand() * Math.min(4096, b.length));
          b[at] = Math.floor(rand() * 256);
        }
        variants.push(b);
      }
      for (const v of variants) {
        try {
          await readBinary(new BufferSource(v));
          parsed++;
        } catch (e) {
          assert.ok(e instanceof MalformedError || e instanceof TooLargeError, `unexpected ${(e as Error).name}: ${(e as Error).message}`);
          refused++;
        }
      }
    }
    assert.ok(parsed > 0 && refused > 0, `parsed ${parsed}, refused ${refused}`);
  });
});
