// Writing reports: stdout, or a file written atomically (temp file + rename).
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export class OutputError extends Error {}

export function writeOutput(path: string | undefined, text: string): void {
  if (!path || path === '-') {
    process.stdout.write(text);
    return;
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new OutputError(
      code === 'ENOENT' ? `cannot write --output ${path}: directory ${dirname(path)} does not exist` : `cannot write --output ${path}: ${code ?? String(e)}`,
    );
  }
}
