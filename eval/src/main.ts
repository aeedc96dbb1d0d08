// npm run eval -- --mirrors DIR [--only a,b] [--work DIR] [--json FILE] [--docs FILE | --no-docs] [--jobs N]
// Exit codes: 0 measured, 1 a port could not be measured, 2 bad usage or a bad corpus/verdicts file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CorpusError, loadCorpus, type Port } from './corpus.js';
import { renderMarkdown, renderText, summarise } from './report.js';
import { isFailure, runPort, type PortFailure, type PortRun } from './run.js';
import { parseVerdicts, VerdictError, type Verdict } from './score.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (this file is dist/eval/src/main.js). */
const root = resolve(here, '..', '..', '..');

const USAGE = `usage: npm run eval -- --mirrors DIR [options]

  --mirrors DIR    git mirrors, one per repository as DIR/<owner>+<name> (or $FTLINT_EVAL_MIRRORS)
  --only A,B       only these projects (no docs are written)
  --work DIR       where the BEFORE/AFTER trees are exported (default: <tmp>/ftlint-eval)
  --ports FILE     the corpus (default: eval/ports.json)
  --verdicts FILE  hand verdicts (default: eval/verdicts.tsv)
  --json FILE      the summary as JSON (default: eval/out/results.json)
  --unjudged FILE  findings without a verdict, as TSV rows to fill in (default: eval/out/unjudged.tsv)
  --docs FILE      the generated report (default: docs/real-world.md); --no-docs: none
  --jobs N         passed to ftlint
`;

function main(argv: string[]): number {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        mirrors: { type: 'string' },
        only: { type: 'string' },
        work: { type: 'string' },
        ports: { type: 'string' },
        verdicts: { type: 'string' },
        json: { type: 'string' },
        unjudged: { type: 'string' },
        docs: { type: 'string' },
        'no-docs': { type: 'boolean' },
        jobs: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`eval: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const mirrors = args.mirrors ?? process.env.FTLINT_EVAL_MIRRORS;
  if (!mirrors) {
    process.stderr.write(`eval: --mirrors DIR is required (the git mirrors of the ports' repositories)\n${USAGE}`);
    return 2;
  }
  const jobs = args.jobs === undefined ? undefined : Number(args.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) {
    process.stderr.write('eval: --jobs takes a whole number of at least 1\n');
    return 2;
  }
  let ports: Port[];
  let verdicts: Map<string, Verdict>;
  const verdictsFile = args.verdicts ?? join(root, 'eval', 'verdicts.tsv');
  try {
    ports = loadCorpus(args.ports ?? join(root, 'eval', 'ports.json'));
    verdicts = parseVerdicts(readFileSync(verdictsFile, 'utf8'), verdictsFile);
  } catch (e) {
    if (e instanceof CorpusError || e instanceof VerdictError) {
      process.stderr.write(`eval: ${e.message}\n`);
      return 2;
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`eval: cannot read ${verdictsFile}\n`);
      return 2;
    }
    throw e;
  }
  const only = args.only?.split(',').map((s) => s.trim()).filter(Boolean);
  if (only) {
    const unknown = only.filter((o) => !ports.some((p) => p.project === o));
    if (unknown.length) {
      process.stderr.write(`eval: not in the corpus: ${unknown.join(', ')}\n`);
      return 2;
    }
    ports = ports.filter((p) => only.includes(p.project));
  }
  const cli = join(root, 'dist', 'src', 'cli', 'main.js');
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const work = resolve(args.work ?? join(tmpdir(), 'ftlint-eval'));
  const all = ports;
  const siblings = (p: Port) => all.filter((q) => q.repo === p.repo && q.project !== p.project).map((q) => q.project);
  const runs: PortRun[] = [];
  const failures: PortFailure[] = [];
  for (const port of ports) {
    const r = runPort(port, { mirrors: resolve(mirrors), work, cli, verdicts, siblings, ...(jobs ? { jobs } : {}), log: (l) => process.stderr.write(`eval: ${l}\n`) });
    if (isFailure(r)) {
      process.stderr.write(`eval: ${port.project}: ${r.error}\n`);
      failures.push(r);
    } else runs.push(r);
  }
  const summary = summarise(runs, failures, version);
  process.stdout.write(renderText(summary));
  const write = (file: string, text: string) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  write(resolve(args.json ?? join(root, 'eval', 'out', 'results.json')), `${JSON.stringify(summary, null, 2)}\n`);
  const unjudgedFile = resolve(args.unjudged ?? join(root, 'eval', 'out', 'unjudged.tsv'));
  write(unjudgedFile, ['port\ttree\tpath\trule\ttext_hash\tline\tverdict\tcause\tnote\t(text)\t(message)', ...summary.unjudged.map((u) => [u.port, u.tree, u.path, u.rule, u.key, u.line, '', '', '', u.text.replace(/\t/g, ' '), u.message].join('\t'))].join('\n') + '\n');
  if (summary.unjudged.length) process.stderr.write(`eval: ${summary.unjudged.length} findings need a verdict: ${unjudgedFile}\n`);
  if (!args['no-docs'] && !only && failures.length === 0) {
    const docs = resolve(args.docs ?? join(root, 'docs', 'real-world.md'));
    write(docs, renderMarkdown(summary, ports));
    process.stderr.write(`eval: wrote ${docs}\n`);
  } else if (!args['no-docs'] && !only) process.stderr.write('eval: docs not written: some ports could not be measured\n');
  return failures.length ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
