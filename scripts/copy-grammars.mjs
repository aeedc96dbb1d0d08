// Copies the tree-sitter grammar .wasm files shipped by the grammar packages into ./grammars,
// so the published package needs no native build and no install scripts.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const out = join(root, 'grammars');
mkdirSync(out, { recursive: true });
for (const name of ['tree-sitter-c', 'tree-sitter-cpp', 'tree-sitter-python']) {
  const pkgDir = dirname(require.resolve(`${name}/package.json`));
  copyFileSync(join(pkgDir, `${name}.wasm`), join(out, `${name}.wasm`));
}
