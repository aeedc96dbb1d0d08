// Runs a composite GitHub Action (action.yml) locally the way the runner does: each `run:` step in bash
// with GitHub's environment (GITHUB_WORKSPACE, GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
// GITHUB_ENV, RUNNER_TEMP, CI, GITHUB_ACTIONS), `${{ }}` expressions and `if:` conditions evaluated,
// step outputs read back from $GITHUB_OUTPUT, workflow commands (::error …::) collected as annotations.
// `uses:` steps are recorded with their evaluated `with:` but not executed (no network here).
//
// Composite actions do not get INPUT_* variables from the runner (only JavaScript and Docker actions
// do), so none are set: an action that relied on them would fail on GitHub and fails here too.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

interface ActionYaml {
  inputs?: Record<string, { default?: string; required?: boolean }>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: StepYaml[] };
}
interface StepYaml {
  id?: string;
  name?: string;
  if?: string | boolean;
  run?: string;
  uses?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'working-directory'?: string;
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  props: Record<string, string>;
  message: string;
}

export interface StepResult {
  name: string;
  id?: string;
  status: 'success' | 'failure' | 'skipped';
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  uses?: string;
  with?: Record<string, string>;
}

export interface ActionRun {
  status: 'success' | 'failure';
  steps: StepResult[];
  outputs: Record<string, string>;
  annotations: Annotation[];
  summary: string;
}

const unescape = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

export function parseWorkflowCommands(stdout: string): Annotation[] {
  const out: Annotation[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line.replace(/\r$/, ''));
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
      const i = kv.indexOf('=');
      props[kv.slice(0, i)] = unescape(kv.slice(i + 1));
    }
    out.push({ level: m[1] as Annotation['level'], props, message: unescape(m[3] as string) });
  }
  return out;
}

/** Reads a $GITHUB_OUTPUT file: `name=value` lines and `name<<DELIM … DELIM` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i] as string);
      out[heredoc[1] as string] = body.join('\n');
    } else if (line.includes('=')) {
      const k = line.indexOf('=');
      out[line.slice(0, k)] = line.slice(k + 1);
    }
  }
  return out;
}

interface Scope {
  inputs: Record<string, string>;
  github: Record<string, string>;
  runner: Record<string, string>;
  env: Record<string, string>;
  steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }>;
  failed: boolean;
}

/** A small evaluator for GitHub expressions: contexts, literals, ==, !=, !, &&, ||, parentheses, status functions. */
export function evaluate(expr: string, scope: Scope): unknown {
  const tokens = expr.match(/\s*('(?:[^']|'')*'|==|!=|&&|\|\||[!()]|[A-Za-z_][\w.-]*(?:\(\))?|-?\d+(?:\.\d+)?)\s*/g)?.map((t) => t.trim()) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++] as string;
  const truthy = (v: unknown) => !(v === false || v === '' || v === 0 || v === null || v === undefined);
  const primary = (): unknown => {
    const t = next();
    if (t === '(') {
      const v = or();
      if (next() !== ')') throw new Error(`bad expression: ${expr}`);
      return v;
    }
    if (t === '!') return !truthy(primary());
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (/^-?\d/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    if (t === 'always()') return true;
    if (t === 'success()') return !scope.failed;
    if (t === 'failure()') return scope.failed;
    if (t === 'cancelled()') return false;
    const path = t.split('.');
    let v: unknown = scope as unknown;
    for (const p of path) v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[p];
    if (v === undefined && !['inputs', 'steps', 'github', 'runner', 'env'].includes(path[0] as string)) throw new Error(`unknown context in expression: ${t}`);
    return v ?? '';
  };
  const eq = (): unknown => {
    let l = primary();
    while (peek() === '==' || peek() === '!=') {
      const op = next();
      const r = primary();
      const same = typeof l === 'string' && typeof r === 'string' ? l.toLowerCase() === r.toLowerCase() : l === r;
      l = op === '==' ? same : !same;
    }
    return l;
  };
  const and = (): unknown => {
    let l = eq();
    while (peek() === '&&') {
      next();
      const r = eq();
      l = truthy(l) ? r : l;
    }
    return l;
  };
  const or = (): unknown => {
    let l = and();
    while (peek() === '||') {
      next();
      const r = and();
      l = truthy(l) ? l : r;
    }
    return l;
  };
  const v = or();
  if (i !== tokens.length) throw new Error(`bad expression: ${expr}`);
  return v;
}

function substitute(text: string, scope: Scope): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => {
    const v = evaluate(e.trim(), scope);
    return v === null || v === undefined ? '' : String(v);
  });
}

export interface RunActionOptions {
  /** Directory holding action.yml (becomes github.action_path). */
  actionPath: string;
  workspace: string;
  inputs?: Record<string, string>;
  /** Extra environment for every step (e.g. npm offline settings). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export function runCompositeAction(opts: RunActionOptions): ActionRun {
  const action = parseYaml(readFileSync(join(opts.actionPath, 'action.yml'), 'utf8')) as ActionYaml;
  if (action.runs.using !== 'composite') throw new Error(`not a composite action: ${action.runs.using}`);
  const inputs: Record<string, string> = {};
  for (const [k, spec] of Object.entries(action.inputs ?? {})) {
    if (opts.inputs?.[k] !== undefined) inputs[k] = opts.inputs[k] as string;
    else if (spec.default !== undefined) inputs[k] = String(spec.default);
    else if (spec.required) throw new Error(`input ${k} is required`);
    else inputs[k] = '';
  }
  for (const k of Object.keys(opts.inputs ?? {})) if (!(k in inputs)) throw new Error(`unexpected input '${k}' (not declared in action.yml)`);
  const runnerTemp = mkdtempSync(join(tmpdir(), 'ftlint-runner-'));
  const summaryFile = join(runnerTemp, 'step_summary.md');
  writeFileSync(summaryFile, '');
  const scope: Scope = {
    inputs,
    github: { action_path: resolve(opts.actionPath), workspace: resolve(opts.workspace), event_name: 'push', repository: 'owner/repo' },
    runner: { temp: runnerTemp, os: 'Linux' },
    env: {},
    steps: {},
    failed: false,
  };
  const steps: StepResult[] = [];
  const annotations: Annotation[] = [];
  action.runs.steps.forEach((step, n) => {
    const name = step.name ?? step.id ?? `step ${n + 1}`;
    const cond = step.if === undefined ? 'success()' : String(step.if).replace(/^\s*\$\{\{(.*)\}\}\s*$/s, '$1');
    const run = /\b(success|failure|always|cancelled)\(\)/.test(cond) ? evaluate(cond, scope) : !scope.failed && evaluate(cond, scope);
    if (!(run === true || (typeof run === 'string' && run !== '') || (typeof run === 'number' && run !== 0))) {
      steps.push({ name, ...(step.id ? { id: step.id } : {}), ...(step.uses ? { uses: step.uses } : {}), status: 'skipped', exitCode: null, stdout: '', stderr: '', outputs: {} });
      if (step.id) scope.steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      return;
    }
    if (step.uses) {
      const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, substitute(String(v), scope)]));
      steps.push({ name, ...(step.id ? { id: step.id } : {}), status: 'success', exitCode: 0, stdout: '', stderr: '', outputs: {}, uses: step.uses, with: w });
      if (step.id) scope.steps[step.id] = { outputs: {}, outcome: 'success', conclusion: 'success' };
      return;
    }
    if (step.shell !== 'bash') throw new Error(`${name}: composite run steps need shell: bash here (got ${String(step.shell)})`);
    const dir = join(runnerTemp, `step${n}`);
    mkdirSync(dir);
    const outputFile = join(dir, 'output');
    writeFileSync(outputFile, '');
    writeFileSync(join(dir, 'env'), '');
    const script = join(dir, 'script.sh');
    writeFileSync(script, substitute(step.run ?? '', scope));
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v), scope)]));
    const cwd = step['working-directory'] ? resolve(opts.workspace, substitute(step['working-directory'], scope)) : opts.workspace;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? runnerTemp,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: scope.github.workspace as string,
      GITHUB_ACTION_PATH: scope.github.action_path as string,
      GITHUB_OUTPUT: outputFile,
      GITHUB_ENV: join(dir, 'env'),
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: runnerTemp,
      RUNNER_OS: 'Linux',
      ...(opts.env ?? {}),
      ...scope.env,
      ...stepEnv,
    };
    // `shell: bash` on GitHub runs `bash --noprofile --norc -eo pipefail {0}`.
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, encoding: 'utf8', timeout: opts.timeoutMs ?? 300_000 });
    const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
    Object.assign(scope.env, parseOutputFile(readFileSync(join(dir, 'env'), 'utf8')));
    annotations.push(...parseWorkflowCommands(r.stdout ?? ''));
    const ok = r.status === 0;
    if (!ok) scope.failed = true;
    steps.push({ name, ...(step.id ? { id: step.id } : {}), status: ok ? 'success' : 'failure', exitCode: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', outputs });
    if (step.id) scope.steps[step.id] = { outputs, outcome: ok ? 'success' : 'failure', conclusion: ok ? 'success' : 'failure' };
  });
  const outputs = Object.fromEntries(Object.entries(action.outputs ?? {}).map(([k, o]) => [k, substitute(o.value, scope)]));
  return { status: scope.failed ? 'failure' : 'success', steps, outputs, annotations, summary: readFileSync(summaryFile, 'utf8') };
}
