#!/usr/bin/env node
// ftlint command line. Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage error,
// missing path, bad configuration or an internal failure.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runAbi } from '../abi/check.js';
import { MissingPathError, run, selectRules, UnknownRuleError } from '../engine/run.js';
import { SEVERITY_RANK, type RunResult, type Severity } from '../engine/types.js';
import { ruleMarkdown } from '../report/rule-doc.js';
import { RULES, RULES_BY_ID } from '../rules/index.js';
import { version } from '../version.js';
import { applyBaseline, BaselineError, formatBaseline, makeBaseline, readBaseline } from '../baseline/baseline.js';
import { ConfigError } from '../config/config.js';
import { planFixes, unifiedDiff, writeChanges } from '../fix/run-fixes.js';
import { cliTargetVersion, configFor, failOn, mergeSelection } from '../config/resolve.js';
import { OutputError, writeOutput } from './output.js';
import { FORMATS, parseReportSpec, render, type Format } from './render.js';

class UsageError extends Error {}

const list = (v: unknown): string[] | undefined =>
  v === undefined ? undefined : ([] as unknown[]).concat(v).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);

export function exitCodeFor(result: RunResult, failOn: Severity): number {
  const floor = SEVERITY_RANK[failOn];
  const hit = result.findings.some((f) => SEVERITY_RANK[f.severity] >= floor) || result.diagnostics.some((d) => SEVERITY_RANK[d.severity] >= floor && d.severity !== 'info');
  return hit ? 1 : 0;
}

async function check(argv: Record<string, unknown>, mode: 'source' | 'abi' = 'source'): Promise<number> {
  const paths = (argv.paths as string[] | undefined)?.length ? (argv.paths as string[]) : ['.'];
  const format = argv.format as Format;
  const cwd = process.cwd();
  const config = configFor(paths, cwd, argv.config as string | undefined, argv.isolated === true);
  let ruleIds: Set<string>;
  try {
    const sel = mergeSelection({ select: list(argv.select), ignore: list(argv.ignore) }, config);
    ruleIds = selectRules(sel.select, sel.ignore);
  } catch (e) {
    if (e instanceof UnknownRuleError) throw new UsageError(e.message);
    throw e;
  }
  const reports = (list(argv.report) ?? []).map((spec) => {
    const r = parseReportSpec(spec);
    if (!r) throw new UsageError(`--report takes FORMAT:FILE with FORMAT one of ${FORMATS.join(', ')} (got '${spec}')`);
    return r;
  });
  const jobs = argv.jobs as number | undefined;
  const progress = format === 'text' && !argv.output ? progressReporter() : null;
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new UsageError('--jobs takes a whole number of at least 1');
  let minMinor: number | undefined;
  try {
    if (argv['target-version'] !== undefined) minMinor = cliTargetVersion(argv['target-version']);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  let result: RunResult;
  if (mode === 'abi') {
    const abi = await runAbi(paths, cwd, ruleIds);
    if (abi.missing.length) throw new MissingPathError(abi.missing);
    result = abi.result;
  } else {
    result = await run({
      paths,
      cwd,
      ruleIds,
      ...(jobs !== undefined ? { jobs } : {}),
      maxBytes: (argv['max-file-size'] as number) ?? undefined,
      exclude: list(argv.exclude) ?? [],
      ...(config ? { config } : {}),
      ...(minMinor !== undefined ? { minMinor } : {}),
      ...(argv['report-unused-ignores'] !== undefined ? { reportUnusedIgnores: argv['report-unused-ignores'] === true } : {}),
      checkTests: argv['check-tests'] === true,
      ...(argv['build-scope'] !== undefined ? { buildScope: argv['build-scope'] === true } : {}),
      cacheDir: argv.cache === false ? null : (argv['cache-dir'] as string),
      ...(progress ? { onProgress: progress.update } : {}),
      // Only fingerprints (SARIF, baselines) read the flagged line's text.
      lineTexts: format === 'sarif' || reports.some((r) => r.format === 'sarif') || argv['write-baseline'] !== undefined || argv.baseline !== undefined,
    });
  }
  progress?.done();
  const writeBaseline = argv['write-baseline'] as string | undefined;
  if (writeBaseline !== undefined) {
    writeOutput(writeBaseline, formatBaseline(makeBaseline(result.findings, writeBaseline, cwd)));
    process.stderr.write(`ftlint: wrote ${result.findings.length} finding${result.findings.length === 1 ? '' : 's'} to the baseline ${writeBaseline}\n`);
    return 0;
  }
  const baselineFile = argv.baseline as string | undefined;
  if (baselineFile !== undefined) {
    const b = applyBaseline(result.findings, readBaseline(baselineFile, cwd), baselineFile, cwd);
    result = { ...result, findings: b.findings };
    if (b.stale > 0 && argv.quiet !== true) {
      process.stderr.write(`ftlint: ${b.stale} finding${b.stale === 1 ? '' : 's'} of the baseline ${baselineFile} no longer occur${b.stale === 1 ? 's' : ''} (fixed, or the line changed); refresh it with --write-baseline ${baselineFile}\n`);
    }
  }
  if (argv.diff === true) {
    const plan = planFixes(result.findings, cwd);
    writeOutput(argv.output as string | undefined, plan.changes.map(unifiedDiff).join(''));
    return plan.changes.length > 0 ? 1 : 0;
  }
  if (argv.fix === true) {
    const plan = planFixes(result.findings, cwd);
    const refused = await writeChanges(plan, cwd, paths);
    for (const r of refused) {
      process.stderr.write(`ftlint: not fixing ${r.path}: ${r.reason}\n`);
      for (const f of result.findings) if (f.path === r.path) plan.fixed.delete(f);
    }
    if (plan.fixed.size > 0) {
      result = { ...result, findings: result.findings.filter((f) => !plan.fixed.has(f)) };
      process.stderr.write(`ftlint: fixed ${plan.fixed.size} problem${plan.fixed.size === 1 ? '' : 's'} in ${plan.changes.length - refused.length} file${plan.changes.length - refused.length === 1 ? '' : 's'}\n`);
    }
  }
  const color = format === 'text' && !argv.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const ctx = { quiet: argv.quiet === true, color, cwd, root: cwd };
  for (const r of reports) writeOutput(r.file, render(result, r.format, { ...ctx, color: false, quiet: false }));
  writeOutput(argv.output as string | undefined, render(result, format, ctx));
  return exitCodeFor(result, failOn(argv['fail-on'] as Severity | undefined, config));
}

/** Progress on stderr for long runs on an interactive terminal; never in CI or machine-readable output. */
function progressReporter(): { update: (done: number, total: number, bytes: number) => void; done: () => void } | null {
  if (!process.stderr.isTTY || process.env.CI) return null;
  const start = performance.now();
  let last = 0;
  let shown = false;
  return {
    update(done, total, bytes) {
      const now = performance.now();
      if (now - start < 2000 || now - last < 200) return;
      last = now;
      shown = true;
      const rate = bytes / 1024 / 1024 / ((now - start) / 1000);
      process.stderr.write(`\rftlint: ${done}/${total} files, ${rate.toFixed(1)} MB/s `);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

function listRules(): string {
  const rows = RULES.map((r) => `${r.meta.id}  ${r.meta.severity.padEnd(7)}  ${r.meta.name.padEnd(32)}  ${r.meta.title}`);
  return `${rows.join('\n')}\n`;
}

/** The options `ftlint [PATH...]` and `ftlint abi [PATH...]` share. */
function checkOptions<T>(y: Argv<T>) {
  return y
    .option('format', { alias: 'f', choices: FORMATS, default: 'text' as Format, describe: 'Output format' })
    .option('output', { alias: 'o', type: 'string', describe: 'Write the report to FILE instead of stdout' })
    .option('report', { type: 'string', describe: 'Also write a report in another format: FORMAT:FILE (repeatable), e.g. sarif:ftlint.sarif' })
    .option('select', { type: 'string', describe: 'Only these rules: ids or prefixes (FT2, FT101), comma-separated' })
    .option('ignore', { type: 'string', describe: 'Skip these rules: ids or prefixes, comma-separated' })
    .option('fail-on', { choices: ['error', 'warning', 'info'] as const, defaultDescription: 'warning', describe: 'Lowest severity that makes the exit code 1' })
    .option('config', { type: 'string', describe: 'Configuration file (pyproject.toml with [tool.ftlint], or ftlint.toml); default: the nearest one above the first path' })
    .option('isolated', { type: 'boolean', describe: 'Ignore configuration files' })
    .option('baseline', { type: 'string', describe: 'Report only findings that are not in this baseline file' })
    .option('write-baseline', { type: 'string', describe: 'Record the current findings in FILE (a baseline) and exit 0' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print findings only: no remedies, no summary' });
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const parser = yargs(argv)
    .scriptName('ftlint')
    .usage('$0 [PATH...]  Check C/C++/Cython/Python extension sources for free-threaded Python (3.13t/3.14t)')
    .command(
      '$0 [paths..]',
      'Check files and directories (default: .)',
      (y) =>
        checkOptions(y.positional('paths', { type: 'string', array: true, describe: 'Files or directories to check' }))
          .option('target-version', { type: 'string', describe: 'Oldest CPython the project supports, e.g. 3.9 (default: requires-python)' })
          .option('exclude', { type: 'string', describe: 'Skip files and directories matching these globs (gitignore syntax), comma-separated' })
          .option('fix', { type: 'boolean', describe: 'Apply safe fixes (ones that cannot change behaviour in GIL builds), then report what is left' })
          .option('diff', { type: 'boolean', describe: 'Print the safe fixes as a unified diff instead of applying them (exit 1 if there are any)' })
          .option('report-unused-ignores', { type: 'boolean', describe: 'Report ftlint: ignore[…] comments that suppress nothing (FT002)' })
          .option('jobs', { alias: 'j', type: 'number', describe: 'Threads checking files: this one and N-1 workers (default: number of cores)' })
          .option('max-file-size', { type: 'number', describe: 'Skip files larger than this many bytes (default 8 MiB)' })
          .option('check-tests', { type: 'boolean', describe: 'Also run the library-only Python rules (FT7) on tests, scripts and __main__ blocks' })
          .option('build-scope', {
            type: 'boolean',
            describe: 'Report only in C/C++ files the build (setup.py Extension sources, CMake extension targets) compiles into an extension, when the build can be read (--no-build-scope: every file)',
          })
          .option('cache', { type: 'boolean', default: true, describe: 'Reuse results for unchanged files (--no-cache to disable)' })
          .option('cache-dir', { type: 'string', default: '.ftlint_cache', describe: 'Where the result cache lives' }),
      async (a) => {
        code = await check(a as Record<string, unknown>);
      },
    )
    .command(
      'abi [paths..]',
      'Check wheels (.whl), directories of wheels and extension binaries (.so, .pyd, .dylib) for free-threaded (cp3XXt) compatibility',
      (y) => checkOptions(y.positional('paths', { type: 'string', array: true, describe: 'Wheels, binaries, or directories holding them (default: .)' })),
      async (a) => {
        code = await check(a as Record<string, unknown>, 'abi');
      },
    )
    .command(
      'rule <id>',
      'Print the documentation of one rule',
      (y) => y.positional('id', { type: 'string', demandOption: true }),
      (a) => {
        const rule = RULES_BY_ID.get(String(a.id).toUpperCase());
        if (!rule) throw new UsageError(`unknown rule '${String(a.id)}' (see \`ftlint rules\`)`);
        process.stdout.write(ruleMarkdown(rule));
      },
    )
    .command('rules', 'List all rules', {}, () => {
      process.stdout.write(listRules());
    })
    .version(version())
    .help()
    .alias('h', 'help')
    .strict()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    if (e instanceof UsageError || e instanceof OutputError || e instanceof BaselineError) {
      process.stderr.write(`ftlint: error: ${e.message}\nRun 'ftlint --help' for usage.\n`);
      return 2;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`ftlint: error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof MissingPathError) {
      process.stderr.write(`ftlint: error: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`ftlint: internal error (please report it): ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  return code;
}

process.exitCode = await main(hideBin(process.argv));
