// The result cache: a warm run reuses results, and any change that could change them invalidates them.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { run, selectRules } from '../src/engine/run.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftlint-cache-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function entries(dir: string): number {
  let n = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.json')) n++;
    }
  };
  walk(dir);
  return n;
}

describe('result cache', () => {
  const src = join(tmp, 'src');
  const cacheDir = join(tmp, 'cache');
  mkdirSync(src);
  const file = join(src, 'a.c');
  const lint = (opts: { select?: string[]; cacheVersion?: string } = {}) =>
    run({ paths: [src], cwd: tmp, ruleIds: selectRules(opts.select, undefined), jobs: 1, cacheDir, ...(opts.cacheVersion ? { cacheVersion: opts.cacheVersion } : {}) });

  it('stores results and serves identical ones on a warm run', async () => {
    writeFileSync(file, 'PyObject *f(PyObject *d, PyObject *k) { return PyDict_GetItem(d, k); }\n');
    const cold = await lint();
    assert.equal(entries(cacheDir), 1);
    assert.ok(existsSync(join(cacheDir, '.gitignore')));
    assert.match(readFileSync(join(cacheDir, '.gitignore'), 'utf8'), /^\*$/m);
    const warm = await lint();
    assert.deepEqual(warm.findings, cold.findings);
    assert.equal(entries(cacheDir), 1, 'no new entry for an unchanged file');
  });

  it('is invalidated by a content change', async () => {
    writeFileSync(file, 'PyObject *f(PyObject *d, PyObject *k) { return PyDict_GetItem(d, k); }\nPyObject *g(PyObject *l) { return PyList_GetItem(l, 0); }\n');
    const r = await lint();
    assert.deepEqual(r.findings.map((f) => f.rule).sort(), ['FT201', 'FT202']);
    assert.equal(entries(cacheDir), 2);
  });

  it('is invalidated by a different rule selection', async () => {
    const r = await lint({ select: ['FT202'] });
    assert.deepEqual(r.findings.map((f) => f.rule), ['FT202']);
    assert.equal(entries(cacheDir), 3);
  });

  it('is invalidated by a different ftlint version', async () => {
    await lint({ cacheVersion: '0.0.0-other' });
    assert.equal(entries(cacheDir), 4);
  });

  it('survives a corrupt entry', async () => {
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.json') ? [join(d, e.name)] : []));
    for (const p of walk(cacheDir)) writeFileSync(p, '{ not json');
    const r = await lint();
    assert.deepEqual(r.findings.map((f) => f.rule).sort(), ['FT201', 'FT202']);
  });
});
