// The only module that talks to tree-sitter. Grammars are the .wasm files shipped by tree-sitter-c,
// tree-sitter-cpp and tree-sitter-python, copied into ./grammars at build time: no native code, no
// install scripts, so `npm install --ignore-scripts` gives a working ftlint.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Language, Parser, type ParseOptions, type Tree } from 'web-tree-sitter';

export type Grammar = 'c' | 'cpp' | 'python';
export type { Node, Tree } from 'web-tree-sitter';

function grammarsDir(): string {
  // dist/src/parse/parser.js → <package>/grammars
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'grammars');
    if (existsSync(join(candidate, 'tree-sitter-c.wasm'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('ftlint: grammar files not found; run `npm run build` (it copies them into ./grammars)');
}

let ready: Promise<void> | null = null;
const languages = new Map<Grammar, Language>();
const parsers = new Map<Grammar, Parser>();

export function initParsers(): Promise<void> {
  if (!ready) {
    ready = (async () => {
      await Parser.init();
      const dir = grammarsDir();
      for (const g of ['c', 'cpp', 'python'] as const) {
        languages.set(g, await Language.load(join(dir, `tree-sitter-${g}.wasm`)));
      }
    })();
  }
  return ready;
}

/** Parses `text` with the grammar; the caller must `tree.delete()` once facts are extracted. */
export function parse(grammar: Grammar, text: string, timeoutMicros?: number): Tree | null {
  let p = parsers.get(grammar);
  if (!p) {
    const lang = languages.get(grammar);
    if (!lang) throw new Error('initParsers() was not awaited');
    p = new Parser();
    p.setLanguage(lang);
    parsers.set(grammar, p);
  }
  if (timeoutMicros !== undefined) {
    const deadline = performance.now() + timeoutMicros / 1000;
    // Returning true from the progress callback cancels the parse (the typings say void).
    const progressCallback = (() => performance.now() > deadline) as unknown as ParseOptions['progressCallback'];
    return p.parse(text, null, { progressCallback });
  }
  return p.parse(text);
}
