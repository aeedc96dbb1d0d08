// Writing reports: stdout, or a file written atomically (temp file + rename), chunk by chunk.
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../report/stream.js';

export class OutputError extends Error {}

export function writeOutput(path: string | undefined, text: string | Iterable<string>): void {
  const chunks = typeof text === 'string' ? [text] : text;
  if (!path || path === '-') {
    for (const c of chunks) process.stdout.write(c);
    return;
  }
  try {
    writeFileAtomic(path, chunks, join(dirname(path), `.${basename(path)}.${process.pid}.tmp`));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OutputError(
      code === 'ENOENT' ? `cannot write --output ${path}: directory ${dirname(path)} does not exist` : `cannot write --output ${path}: ${code ?? String(e)}`,
    );
  }
}
