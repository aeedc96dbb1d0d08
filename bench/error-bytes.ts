// How much of a tree's C and C++ the parser cannot read: bytes under ERROR nodes (outermost only) and MISSING
// nodes, with and without the free-threaded target's preprocessing (src/parse/target.ts), on real trees.
//   node dist/bench/error-bytes.js DIR [DIR…]
import { readFileSync } from 'node:fs';
import { discover } from '../src/engine/discover.js';
import { readProjectHeader } from '../src/engine/lint-file.js';
import { lowerC } from '../src/parse/lower.js';
import { initParsers, parse, type Node } from '../src/parse/parser.js';

interface Tally {
  files: number;
  bytes: number;
  errorBytes: number;
  errors: number;
  missing: number;
  filesWithErrors: number;
}

function measure(node: Node, t: Tally): boolean {
  let any = false;
  if (node.type === 'ERROR') {
    t.errorBytes += node.endIndex - node.startIndex;
    t.errors++;
    return true;
  }
  if (node.isMissing) {
    t.missing++;
    any = true;
  }
  if (!node.hasError) return any;
  for (const c of node.children) if (c && measure(c, t)) any = true;
  return any;
}

const empty = (): Tally => ({ files: 0, bytes: 0, errorBytes: 0, errors: 0, missing: 0, filesWithErrors: 0 });

async function main(): Promise<void> {
  await initParsers();
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) {
    process.stderr.write('usage: node dist/bench/error-bytes.js DIR [DIR…]\n');
    process.exitCode = 2;
    return;
  }
  const total = { plain: empty(), target: empty() };
  for (const dir of dirs) {
    const per = { plain: empty(), target: empty() };
    for (const f of discover([dir], process.cwd()).files) {
      if (f.language !== 'c' && f.language !== 'cpp') continue;
      const text = readFileSync(f.abs, 'utf8');
      const grammar = f.language === 'cpp' ? 'cpp' : 'c';
      for (const mode of ['plain', 'target'] as const) {
        const low = mode === 'plain' ? lowerC(text) : lowerC(text, f.language === 'cpp' ? 'cpp' : /\.h$/.test(f.abs) ? 'header' : 'c', { path: f.abs, include: readProjectHeader });
        const tree = parse(grammar, low.text);
        if (!tree) continue;
        const t = per[mode];
        t.files++;
        t.bytes += text.length;
        if (measure(tree.rootNode, t)) t.filesWithErrors++;
        tree.delete();
      }
    }
    for (const mode of ['plain', 'target'] as const) {
      const a = total[mode];
      const b = per[mode];
      for (const k of Object.keys(a) as (keyof Tally)[]) a[k] += b[k];
    }
    const line = (t: Tally) => `${t.errorBytes} B under ERROR (${((100 * t.errorBytes) / Math.max(1, t.bytes)).toFixed(2)} %), ${t.errors} ERROR, ${t.missing} MISSING, ${t.filesWithErrors}/${t.files} files`;
    process.stdout.write(`${dir}\n  without target: ${line(per.plain)}\n  with target:    ${line(per.target)}\n`);
  }
  if (dirs.length > 1) {
    const line = (t: Tally) => `${t.errorBytes} B under ERROR (${((100 * t.errorBytes) / Math.max(1, t.bytes)).toFixed(2)} %), ${t.errors} ERROR, ${t.missing} MISSING, ${t.filesWithErrors}/${t.files} files, ${(t.bytes / 1e6).toFixed(1)} MB`;
    process.stdout.write(`all\n  without target: ${line(total.plain)}\n  with target:    ${line(total.target)}\n`);
  }
}

await main();
