// Engine invariants that hold whatever the number of jobs: every finding (file and project rules) carries
// the text of its own line, and results do not depend on --jobs.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { norm, trailingIdent } from '../src/engine/c-index.js';
import { languageOf } from '../src/engine/discover.js';
import { readProjectHeader, templateAsC } from '../src/engine/lint-file.js';
import { forEachSelfFunction, type ObjectFacts } from '../src/engine/objects.js';
import { run, selectRules } from '../src/engine/run.js';
import { RULES } from '../src/rules/index.js';
import { REPO } from './helpers/paths.js';

const lint = (jobs: number) => run({ paths: [join(REPO, 'fixtures')], cwd: REPO, ruleIds: selectRules(undefined, undefined), jobs, cacheDir: null });

describe('engine', () => {
  it('gives every finding, project rules included, the text of the line it is on', async () => {
    const r = await lint(1);
    const projectRules = new Set(['FT101', 'FT102', 'FT106', 'FT301', 'FT302', 'FT409']);
    assert.ok(r.findings.some((f) => projectRules.has(f.rule)), 'the fixtures have project-rule findings');
    const texts = new Map<string, string[]>();
    for (const f of r.findings) {
      if (!/\.(c|h|cc|cpp|hpp|pyx)$/.test(f.path)) continue;
      let lines = texts.get(f.path);
      if (!lines) texts.set(f.path, (lines = readFileSync(join(REPO, f.path), 'utf8').replace(/^\uFEFF/, '').split('\n')));
      assert.equal(f.lineText, (lines[f.range.start.line - 1] ?? '').trim(), `${f.rule} at ${f.path}:${f.range.start.line}`);
    }
  });

  it('reads project findings\' line texts only when asked, also when they come from the cache', async () => {
    const projectRules = new Set(RULES.filter((r) => r.kind === 'project').map((r) => r.meta.id));
    const full = await lint(1);
    const bare = await run({ paths: [join(REPO, 'fixtures')], cwd: REPO, ruleIds: selectRules(undefined, undefined), jobs: 1, cacheDir: null, lineTexts: false });
    const strip = (fs: typeof full.findings) => fs.map((f) => (projectRules.has(f.rule) ? { ...f, lineText: undefined } : f));
    // Without them, nothing else changes; file rules' findings keep theirs (they come with the file's text anyway).
    assert.deepEqual(bare.findings.map((f) => ({ ...f, lineText: f.lineText })), strip(full.findings));
    assert.ok(bare.findings.some((f) => projectRules.has(f.rule)) && bare.findings.every((f) => !projectRules.has(f.rule) || f.lineText === undefined));
    // A cached project result stored without them gets them when a later run asks.
    const cacheDir = mkdtempSync(join(tmpdir(), 'ftlint-linetext-'));
    try {
      const opts = { paths: [join(REPO, 'fixtures')], cwd: REPO, ruleIds: selectRules(undefined, undefined), jobs: 1, cacheDir };
      assert.deepEqual(strip((await run({ ...opts, lineTexts: false })).findings), strip(full.findings));
      assert.deepEqual((await run(opts)).findings, full.findings);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('finds the same things with one job and with several', async () => {
    const [one, two] = [await lint(1), await lint(3)];
    assert.deepEqual(two.findings, one.findings);
    assert.deepEqual(two.diagnostics, one.diagnostics);
  });

  it('finds the identifier ending a text exactly where /([A-Za-z_]\\w*)\\s*$/ does', () => {
    // Deterministic pseudo-random texts over the characters that matter (letters, digits, _, blanks, punctuation).
    const alphabet = ['a', 'Z', '_', '1', '9', ' ', '\t', '\n', '*', '(', '.', '\u00a0', 'x'];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let t = 0; t < 20000; t++) {
      let s = '';
      for (let i = rand(10); i > 0; i--) s += alphabet[rand(alphabet.length)];
      const want = /([A-Za-z_]\w*)\s*$/.exec(s);
      const got = trailingIdent(s);
      assert.deepEqual(got && [got.index, got[1]], want && [want.index, want[1]], JSON.stringify(s));
    }
  });

  it('collapses blanks exactly as /\\s+/g -> " " then trim() does', () => {
    const alphabet = ['a', ' ', '  ', '\t', '\n', '\u00a0', '*', 'x'];
    let seed = 11;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let t = 0; t < 20000; t++) {
      let s = '';
      for (let i = rand(8); i > 0; i--) s += alphabet[rand(alphabet.length)];
      assert.equal(norm(s), s.replace(/\s+/g, ' ').trim(), JSON.stringify(s));
    }
  });

  it('reads back the flat self-function facts as written, filtered by self type', () => {
    const objects: ObjectFacts = {
      structs: [],
      functions: ['A_set', 'AObject', 'self', 'self', 'x', 'y', '', 'x', 'y', 'z', '', 'grow', '', 'B_get', 'BObject', 'b', 'self', '', '', 'fill', '', 'A_get', 'AObject', 'o', 'arg', '', 'x', '', 'A_impl', 'check', ''],
      accessAt: [3, 9, 4, 11, 5, 8, 12, 6],
      callAt: [6, 9, 0, 20, 4, 1, 13, 10, 0, 14, 3, 2],
      lifecycle: [],
      initFns: [],
      methods: [],
    };
    const seen: unknown[] = [];
    forEachSelfFunction([{ path: 'a.c', objects }], (t) => t === 'AObject', (fn, path) =>
      seen.push({ id: fn.id, name: fn.name, selfVar: fn.selfVar, bound: fn.bound, writes: fn.writes, accesses: fn.accesses(), calls: fn.calls(), path }),
    );
    assert.deepEqual(seen, [
      {
        id: 0,
        name: 'A_set',
        selfVar: 'self',
        bound: true,
        writes: ['x', 'y'],
        accesses: [
          { field: 'x', line: 3, column: 4, write: true },
          { field: 'y', line: 4, column: 5, write: true },
          { field: 'z', line: 5, column: 4, write: false },
        ],
        calls: [{ callee: 'grow', line: 6, column: 4, protected: true, arg: 0 }],
        path: 'a.c',
      },
      {
        id: 2,
        name: 'A_get',
        selfVar: 'o',
        bound: false,
        writes: [],
        accesses: [{ field: 'x', line: 12, column: 3, write: false }],
        calls: [
          { callee: 'A_impl', line: 13, column: 5, protected: false, arg: 0 },
          { callee: 'check', line: 14, column: 1, protected: true, arg: 2 },
        ],
        path: 'a.c',
      },
    ]);
  });

  it('reads numpy-style .c.src/.h.src templates as C, in place', () => {
    assert.equal(languageOf('src/arraytypes.c.src'), 'c');
    assert.equal(languageOf('src/arraytypes.h.src'), 'c');
    assert.equal(languageOf('src/notes.src'), null);
    const t = 'static PyObject *\n@TYPE@_getitem(@type@ *ip) /* @ not a placeholder */\n';
    const c = templateAsC(t);
    assert.equal(c.length, t.length);
    assert.equal(c, 'static PyObject *\n_TYPE__getitem(_type_ *ip) /* @ not a placeholder */\n');
    // `#include "arraytypes.h"` finds the template the build generates it from.
    const dir = mkdtempSync(join(tmpdir(), 'ftlint-src-'));
    try {
      writeFileSync(join(dir, 'arraytypes.h.src'), '#define N_@NAME@ 1\n');
      const h = readProjectHeader('arraytypes.h', join(dir, 'a.c'));
      assert.equal(h?.path, join(dir, 'arraytypes.h.src'));
      assert.equal(h?.text, '#define N__NAME_ 1\n');
      assert.equal(readProjectHeader('missing.h', join(dir, 'a.c')), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('judges a container held in an object field over the whole project, also from the cache', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'ftlint-held-'));
    try {
      const opts = { paths: ['fixtures/rules/ft2-field-containers'], cwd: REPO, ruleIds: new Set(['FT201', 'FT409']), jobs: 1, cacheDir };
      const first = await run(opts);
      const ft201 = first.findings.filter((f) => f.rule === 'FT201');
      const about = (field: string) => ft201.find((f) => f.message.includes(`self->${field}'`) || f.message.includes(`${field.toUpperCase()}(self)`));
      // Nothing changes 'fields' after Table_new/table_copy built it: no finding, through the field, an accessor or a local.
      assert.equal(ft201.filter((f) => /fields|FIELDS/.test(f.message)).length, 0);
      // The writer is named where the finding is.
      assert.match(about('cache')?.related.map((r) => r.message).join('|') ?? '', /table_remember\(\) changes the container in 'cache'/);
      assert.match(about('names')?.related.map((r) => r.message).join('|') ?? '', /table_set_names\(\) replaces \(and releases\)/);
      assert.match(about('extra')?.related.map((r) => r.message).join('|') ?? '', /exposed to Python code in a member table/);
      assert.match(about('lookup')?.related.map((r) => `${r.path}:${r.message}`).join('|') ?? '', /table\.c:table_register\(\) changes the container in 'lookup'/);
      // Only __setstate__ replaces 'state': info, with the condition said.
      const state = about('state');
      assert.equal(state?.severity, 'info');
      assert.match(state?.message ?? '', /only table_setstate\(\) \(re-initialisation\).*a race only if it runs again/);
      assert.ok(first.findings.some((f) => f.rule === 'FT409' && f.severity === 'info' && /\(__setstate__\)/.test(f.message)));
      assert.ok(ft201.filter((f) => f !== state).every((f) => f.severity === 'warning'));
      // The project memo resolves the cached file findings the same way; nothing internal leaks into findings.
      const second = await run(opts);
      assert.deepEqual(second.findings, first.findings);
      assert.ok(second.findings.every((f) => !('held' in f)));
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('reports only in files the build compiles into an extension, when the build can be read', async () => {
    const opts = { paths: ['fixtures/projects/build-scope'], cwd: REPO, ruleIds: selectRules(undefined, undefined), jobs: 1, cacheDir: null };
    const scoped = await run(opts);
    const files = (r: typeof scoped) => [...new Set(r.findings.map((f) => f.path.replace(/^.*build-scope\//, '')))].sort();
    // setup.py compiles src/core.c and src/util.c; core.c includes unity_part.c; vendored/ has a build ftlint cannot read.
    assert.deepEqual(files(scoped), ['src/core.c', 'src/unity_part.c', 'src/util.c', 'vendored/vend.c']);
    assert.deepEqual(
      scoped.findings.filter((f) => f.path.includes('/src/')).map((f) => f.extension ?? ''),
      scoped.findings.filter((f) => f.path.includes('/src/')).map((f) => (/core|util/.test(f.path) ? 'scoped._core' : '')),
    );
    const note = scoped.diagnostics.find((d) => d.reason === 'skipped' && /compiled into no extension/.test(d.message));
    assert.ok(note && note.severity === 'info' && /win32_only\.c/.test(note.message) && /tools\/cli\.c/.test(note.message), note?.message);
    // --no-build-scope: every file, no note.
    const all = await run({ ...opts, buildScope: false });
    assert.deepEqual(files(all), ['src/core.c', 'src/unity_part.c', 'src/util.c', 'src/win32_only.c', 'tools/cli.c', 'vendored/vend.c']);
    assert.ok(!all.diagnostics.some((d) => /compiled into no extension/.test(d.message)));
    // A source list ftlint cannot read (a variable) makes the scope unknown: every file is checked.
    const dir = mkdtempSync(join(tmpdir(), 'ftlint-scope-'));
    try {
      writeFileSync(join(dir, 'setup.py'), 'from setuptools import Extension, setup\nSRC = ["a.c"] + EXTRA\nsetup(ext_modules=[Extension("m", sources=SRC)])\n');
      writeFileSync(join(dir, 'a.c'), '#include <Python.h>\nPyObject *f(PyObject *d, PyObject *k) { return PyDict_GetItem(d, k); }\n');
      writeFileSync(join(dir, 'b.c'), '#include <Python.h>\nPyObject *g(PyObject *d, PyObject *k) { return PyDict_GetItem(d, k); }\n');
      const unknown = await run({ ...opts, paths: [dir], cwd: dir });
      assert.deepEqual([...new Set(unknown.findings.map((f) => f.path))].sort(), ['a.c', 'b.c']);
      // …and so does a list grown after it is made (Pillow's `files.append(…)`).
      writeFileSync(join(dir, 'setup.py'), 'from setuptools import Extension, setup\nSRC = ["a.c"]\nSRC.append("b.c")\nsetup(ext_modules=[Extension("m", SRC)])\n');
      assert.deepEqual([...new Set((await run({ ...opts, paths: [dir], cwd: dir })).findings.map((f) => f.path))].sort(), ['a.c', 'b.c']);
      writeFileSync(join(dir, 'setup.py'), 'from setuptools import Extension, setup\nsetup(ext_modules=[Extension("m", sources=["a.c"])])\n');
      const known = await run({ ...opts, paths: [dir], cwd: dir });
      assert.deepEqual([...new Set(known.findings.map((f) => `${f.path}:${f.extension}`))], ['a.c:m']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports races that need __init__ called again at info, with that condition in the message', async () => {
    const result = await run({ paths: ['fixtures/rules/ft409-objects', 'fixtures/rules/ft410-cython'], cwd: REPO, ruleIds: new Set(['FT409', 'FT410']), jobs: 1, cacheDir: null });
    const init = result.findings.filter((f) => /__init__\(\)|\(tp_init\)/.test(f.message));
    assert.ok(init.some((f) => f.rule === 'FT409') && init.some((f) => f.rule === 'FT410'), 'both rules report an __init__');
    for (const f of init) {
      assert.equal(f.severity, 'info', f.message);
      assert.match(f.message, /a race only if .* is called again on .* other threads already use/);
    }
    const others = result.findings.filter((f) => !init.includes(f));
    assert.ok(others.length > 0 && others.every((f) => f.severity === 'warning' && /another thread can use the same/.test(f.message)));
  });
});

