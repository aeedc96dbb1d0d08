import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;
/** ftlint's version, from its package.json. */
export function version(): string {
  if (cached === null) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}

let build: string | null = null;
/** A hash of ftlint's own compiled code, so a cache never outlives a code change (even without a version bump). */
export function buildId(): string {
  if (build === null) {
    const root = fileURLToPath(new URL('.', import.meta.url));
    const h = createHash('sha256');
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.js')) h.update(e.name).update(readFileSync(p));
      }
    };
    walk(root);
    build = h.digest('hex').slice(0, 16);
  }
  return build;
}
