// The result cache: a warm run reuses results, and any change that could change them invalidates them.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, existsSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CACHE_FORMAT, MAX_UNUSED_DAYS } from '../src/engine/cache.js';
import { run, selectRules } from '../src/engine/run.js';
import { emptyConfig } from '../src/config/config.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftlint-cache-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function entries(dir: string): number {
  let n = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.json') && !e.name.startsWith('project-')) n++;
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

  it('removes entries of earlier cache formats, and nothing else', async () => {
    mkdirSync(join(cacheDir, 'v1', 'ab'), { recursive: true });
    writeFileSync(join(cacheDir, 'v1', 'ab', 'cdef.json'), '{}');
    mkdirSync(join(cacheDir, 'mine'));
    await lint();
    assert.ok(!existsSync(join(cacheDir, 'v1')), 'stale format removed');
    assert.ok(existsSync(join(cacheDir, 'mine')), 'other directories left alone');
    assert.equal(entries(cacheDir), 1, 'current entries kept');
    rmSync(join(cacheDir, 'mine'), { recursive: true });
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

  it('reuses the project rules\' results when nothing changed, without loading any facts', async () => {
    const proj = join(tmp, 'proj');
    const pcache = join(tmp, 'pcache');
    mkdirSync(proj);
    const mod = join(proj, 'mod.c');
    const helper = join(proj, 'helper.c');
    // FT101 (a project rule): the slot array has no Py_mod_gil. FT302: a global written at run time.
    writeFileSync(mod, 'static int counter;\nstatic PyObject *bump(PyObject *m, PyObject *a) { counter++; Py_RETURN_NONE; }\nstatic PyMethodDef methods[] = {{"bump", bump, METH_NOARGS, NULL}, {NULL}};\nstatic PyModuleDef_Slot slots[] = {\n    {0, NULL}\n};\nstatic struct PyModuleDef def = {PyModuleDef_HEAD_INIT, .m_name = "mod", .m_methods = methods, .m_slots = slots};\nPyMODINIT_FUNC PyInit_mod(void) { return PyModuleDef_Init(&def); }\n');
    writeFileSync(helper, 'int helper(void) { return 1; }\n');
    const plint = () => run({ paths: [proj], cwd: tmp, ruleIds: selectRules(undefined, undefined), jobs: 1, cacheDir: pcache });
    const cold = await plint();
    assert.deepEqual(cold.findings.map((f) => f.rule).sort(), ['FT101', 'FT302']);
    assert.deepEqual(cold.modules?.map((m) => m.name), ['mod']);
    // Replace every entry's facts by none: a warm run must not load them (it would lose FT101 and FT302).
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.json') && !e.name.startsWith('project-') ? [join(d, e.name)] : []));
    const spoil = (facts: string) => {
      for (const p of walk(pcache)) {
        const text = readFileSync(p, 'utf8');
        writeFileSync(p, `${text.slice(0, text.indexOf('\n'))}\n${facts}`);
      }
    };
    spoil('null');
    const warm = await plint();
    assert.deepEqual(warm.findings, cold.findings);
    assert.deepEqual(warm.modules, cold.modules);
    // A change in one file re-runs the project rules over every file's facts; an unreadable entry is re-linted.
    spoil('{ corrupt');
    writeFileSync(helper, 'int helper(void) { return 2; }\n');
    const changed = await plint();
    assert.deepEqual(changed.findings, cold.findings);
    // A change that alters a project rule's result is seen.
    writeFileSync(mod, readFileSync(mod, 'utf8').replace('    {0, NULL}', '    {Py_mod_gil, Py_MOD_GIL_NOT_USED},\n    {0, NULL}'));
    const fixed = await plint();
    assert.deepEqual(fixed.findings.map((f) => f.rule), ['FT302']);
    // So is a configuration change (a rule option the project rule reads).
    const withOption = await run({
      paths: [proj],
      cwd: tmp,
      ruleIds: selectRules(undefined, undefined),
      jobs: 1,
      cacheDir: pcache,
      config: { ...emptyConfig(tmp), rules: { FT302: { 'init-functions': ['bump'] } } },
    });
    assert.deepEqual(withOption.findings.map((f) => f.rule), []);
  });
  it('removes entries and memos no run has used for 30 days, scanning at most once a day', async () => {
    const proj = join(tmp, 'aging');
    const acache = join(tmp, 'acache');
    mkdirSync(proj);
    const src = join(proj, 'a.c');
    const alint = () => run({ paths: [proj], cwd: tmp, ruleIds: selectRules(undefined, undefined), jobs: 1, cacheDir: acache });
    const v = join(acache, CACHE_FORMAT);
    const files = (): string[] =>
      readdirSync(v, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? readdirSync(join(v, e.name)).map((n) => `${e.name}/${n}`) : e.name.endsWith('.json') ? [e.name] : []));
    const age = (rel: string, days: number) => {
      const t = new Date(Date.now() - days * 24 * 3600 * 1000);
      utimesSync(join(v, rel), t, t);
    };
    writeFileSync(src, 'PyObject *f(PyObject *d, PyObject *k) { return PyDict_GetItem(d, k); }\n');
    await alint();
    const first = files().filter((f) => !f.startsWith('project-'));
    assert.equal(first.length, 1);
    writeFileSync(src, 'PyObject *g(PyObject *l) { return PyList_GetItem(l, 0); }\n');
    await alint();
    const second = files().filter((f) => !f.startsWith('project-') && !first.includes(f));
    assert.equal(second.length, 1, 'the edit left a second entry');
    const memo = files().filter((f) => f.startsWith('project-'));
    assert.equal(memo.length, 1);
    // A memo of paths no longer checked, and a temporary file a killed run left behind.
    const leftovers = ['project-0123abcd.json', `${second[0]}.123.x1.tmp`];
    for (const f of leftovers) writeFileSync(join(v, f), '{}');
    for (const f of files()) age(f, MAX_UNUSED_DAYS + 10);
    // Scanned less than a day ago: nothing is removed yet, however old.
    await alint();
    assert.deepEqual(files().sort(), [...first, ...second, ...memo, ...leftovers].sort());
    // A day later: the entry and memo this run used are kept (and marked used), the rest is removed.
    for (const f of files()) age(f, MAX_UNUSED_DAYS + 10);
    const t = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    utimesSync(join(v, '.pruned'), t, t);
    const r = await alint();
    assert.deepEqual(r.findings.map((f) => f.rule), ['FT202']);
    assert.deepEqual(files().sort(), [...second, ...memo].sort());
    assert.ok(readdirSync(v).every((d) => d === '.pruned' || d.startsWith('project-') || readdirSync(join(v, d)).length > 0), 'no empty directories left');
    for (const f of files()) assert.ok(Date.now() - statSync(join(v, f)).mtimeMs < 3600 * 1000, `${f} marked used`);
  });
});

describe('result cache: included project headers', () => {
  it('a change to a header whose macros decide a branch re-lints the file that includes it, even when the header is not checked', async () => {
    const root = join(tmp, 'hdr');
    const src = join(root, 'src');
    const inc = join(root, 'include');
    mkdirSync(src, { recursive: true });
    mkdirSync(inc, { recursive: true });
    writeFileSync(join(inc, 'cfg.h'), '#ifndef CFG_H\n#define CFG_H\n#define USE_DICT 0\n#endif\n');
    writeFileSync(join(src, 'a.c'), '#include "../include/cfg.h"\n#if USE_DICT\nPyObject *f(PyObject *d, PyObject *k) { return PyDict_GetItem(d, k); }\n#endif\n');
    const lint = () => run({ paths: [src], cwd: root, ruleIds: selectRules(undefined, undefined), jobs: 1, cacheDir: join(root, 'cache') });
    assert.equal((await lint()).findings.length, 0, 'USE_DICT is 0: the branch is compiled out');
    assert.equal((await lint()).findings.length, 0);
    writeFileSync(join(inc, 'cfg.h'), '#ifndef CFG_H\n#define CFG_H\n#define USE_DICT 1\n#endif\n');
    assert.deepEqual((await lint()).findings.map((f) => f.rule), ['FT201'], 'the cached result is not used: its header changed');
  });
});
