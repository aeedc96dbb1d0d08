// Recognises ELF, PE and Mach-O by their magic numbers and hands the source to the right reader.
import { isElf, readElf } from './elf.js';
import { isMachO, readMachO } from './macho.js';
import type { BinaryInfo } from './model.js';
import { isPe, readPe } from './pe.js';
import { MalformedError, type ByteSource } from './source.js';

export async function readBinary(src: ByteSource): Promise<BinaryInfo> {
  if (src.size === 0) throw new MalformedError('empty file (0 bytes): not a binary');
  const head = await src.read(0, Math.min(src.size, 8));
  if (isElf(head)) return readElf(src);
  if (isMachO(head)) return readMachO(src);
  if (isPe(head)) return readPe(src);
  if (head.length < 4) throw new MalformedError(`truncated file (${src.size} bytes): too short for an ELF, PE or Mach-O header`);
  const text = head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f));
  throw new MalformedError(text ? 'a text file, not an ELF, PE or Mach-O binary' : 'not an ELF, PE or Mach-O binary (unknown magic number)');
}
