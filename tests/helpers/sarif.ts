// SARIF validation for tests: the official SARIF 2.1.0 JSON schema (draft 2020-12, shipped in
// @microsoft/sarif-multitool-linux) with ajv, and GitHub's ingestion rules with the SARIF multitool
// (`validate --rule-kind "Sarif;Gh"`, offline; it always exits 0, so its output log is read).
//
// The multitool (~100 MB) lives in tools/sarif with its own lockfile, out of ftlint's dependencies (the
// GitHub Action and pre-commit install those); .ci/run installs it, and so does the first test that needs it.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { REPO } from './paths.js';

const require = createRequire(join(REPO, 'package.json'));
const TOOLS = join(REPO, 'tools', 'sarif');
const MULTITOOL_DIR = join(TOOLS, 'node_modules', '@microsoft', 'sarif-multitool-linux');
export const SCHEMA_PATH = join(MULTITOOL_DIR, 'sarif-2.1.0.json');
const MULTITOOL = join(MULTITOOL_DIR, 'Sarif.Multitool');

function ensureTools(): string | null {
  if (existsSync(SCHEMA_PATH)) return null;
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the SARIF multitool is only installed on Linux x64';
  const r = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: TOOLS, encoding: 'utf8', timeout: 300_000 });
  return existsSync(SCHEMA_PATH) ? null : `could not install tools/sarif (npm ci exit ${r.status}): ${r.stderr}`;
}

/** Why the validators cannot run here (not Linux x64, install failed), or null. */
export const sarifToolsMissing: string | null = ensureTools();

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };
let validator: Validate | null = null;

export function schemaErrors(log: unknown): unknown[] {
  if (!validator) {
    const Ajv2020 = require('ajv/dist/2020').default as new (o: object) => { compile(s: unknown): Validate };
    const addFormats = require('ajv-formats').default as (a: unknown) => void;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  }
  return validator(log) ? [] : (validator.errors ?? ['invalid']);
}

export interface MultitoolIssue {
  ruleId: string;
  level: string;
  message: string;
}

/** Runs `Sarif.Multitool validate --rule-kind "Sarif;Gh"` and returns its findings of level error or warning. */
export function multitoolIssues(log: unknown): MultitoolIssue[] {
  // npm installs with --ignore-scripts here, which skips the package's own `chmod u+x` postinstall.
  if ((statSync(MULTITOOL).mode & 0o100) === 0) chmodSync(MULTITOOL, 0o755);
  const dir = mkdtempSync(join(tmpdir(), 'ftlint-sarif-'));
  try {
    const input = join(dir, 'in.sarif');
    const out = join(dir, 'val.sarif');
    writeFileSync(input, JSON.stringify(log));
    const r = spawnSync(MULTITOOL, ['validate', input, '-o', out, '--log', 'ForceOverwrite', '--rule-kind', 'Sarif;Gh'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
    });
    if (!existsSync(out)) throw new Error(`multitool wrote no log (exit ${r.status}): ${r.stdout}\n${r.stderr}`);
    const val = JSON.parse(readFileSync(out, 'utf8')) as { runs: { results?: { ruleId: string; level?: string; message: { id?: string; text?: string; arguments?: string[] } }[] }[] };
    return (val.runs[0]?.results ?? [])
      .map((x) => ({ ruleId: x.ruleId, level: x.level ?? 'warning', message: x.message.text ?? `${x.message.id ?? ''} ${(x.message.arguments ?? []).join(' ')}` }))
      .filter((x) => x.level === 'error' || x.level === 'warning');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
