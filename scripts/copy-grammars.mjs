// Copies the tree-sitter grammar .wasm files shipped by the grammar packages into ./grammars,
// so the published package needs no native build and no install scripts.
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
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

// The CLI entry is run directly (`npx ftlint`, the package's `bin`): tsc writes it without the execute bit.
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
if (existsSync(cli)) chmodSync(cli, 0o755);
