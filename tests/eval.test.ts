// The ports-corpus harness (eval/): units, matching, scoring, verdicts and the whole `npm run eval` on a tiny
// synthetic corpus of two git repositories made here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseCorpus, CorpusError, type Site } from '../eval/src/corpus.js';
import { matchSite, parseVerdicts, precision, judge, sampleBefore, textHash, verdictKey, VerdictError, type EvalFinding } from '../eval/src/score.js';
import { unitsOf } from '../eval/src/units.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftlint-eval-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const finding = (rule: string, path: string, line: number, extra: Partial<EvalFinding> = {}): EvalFinding => ({
  rule, severity: 'warning', path, line, endLine: line, message: '', related: [], text: `text ${line}`, ...extra,
});

const C_SOURCE = [
  '#include <Python.h>', //               1
  'static int flag;', //                  2
  '#if PY_MAJOR_VERSION >= 3', //         3
  'PyMODINIT_FUNC PyInit_x(void)', //     4
  '#else', //                             5
  'void initx(void)', //                  6
  '#endif', //                            7
  '{', //                                 8
  '    flag = 1; /* } */', //             9
  '    return NULL;', //                  10
  '}', //                                 11
  'static PyMethodDef m[] = {', //        12
  '    {"f", f, METH_O, "}"},', //        13
  '    {NULL}', //                        14
  '};', //                                15
  'extern "C" {', //                      16
  'int g(void) { return 0; }', //         17
  '}', //                                 18
].join('\n');

describe('eval: units', () => {
  it('gives C lines the unit of their function or declaration, across split heads, strings and extern "C"', () => {
    const u = unitsOf(C_SOURCE, 'x.c');
    assert.equal(u[1], 0, 'preprocessor line');
    assert.equal(u[2], 2);
    assert.equal(u[4], 4);
    assert.equal(u[6], 4, 'the #else head belongs to the same function');
    assert.equal(u[9], 4);
    assert.equal(u[11], 4);
    assert.equal(u[12], 12, 'a new unit after the function body');
    assert.equal(u[14], 12);
    assert.equal(u[15], 12);
    assert.equal(u[17], 17, 'extern "C" is transparent');
  });

  it('gives Cython lines the unit of their def/cdef/cpdef, not of a class or a declaration', () => {
    const src = ['cdef class A:', '    cdef int n', '    cdef int get(self):', '        return self.n', '', '    def set(self, v):', '        self.n = v', 'x = 1', 'cdef int decl(int a)', 'cdef int body(int a) except -1:', '    return a'].join('\n');
    const u = unitsOf(src, 'a.pyx');
    assert.equal(u[2], 0);
    assert.equal(u[4], 3);
    assert.equal(u[5], 3);
    assert.equal(u[7], 6);
    assert.equal(u[8], 0);
    assert.equal(u[9], 0, 'a declaration without a body is no function');
    assert.equal(u[11], 10);
  });
});

describe('eval: matching', () => {
  const units = (p: string) => (p === 'x.c' ? unitsOf(C_SOURCE, 'x.c') : null);
  const site = (line: number, category: Site['category'] = 'global-state'): Site => ({ path: 'x.c', line, category, what: '' });

  it('strict: same file, within 3 lines, right family', () => {
    assert.ok(matchSite(site(9), [finding('FT302', 'x.c', 12)], units).strict);
    assert.equal(matchSite(site(9), [finding('FT302', 'x.c', 13)], units).strict, null, '4 lines away');
    assert.equal(matchSite(site(9), [finding('FT201', 'x.c', 9)], units).strict, null, 'another family');
    assert.equal(matchSite(site(9), [finding('FT302', 'y.c', 9)], units).strict, null, 'another file');
    assert.ok(matchSite(site(9), [finding('FT302', 'x.c', 20, { related: [{ path: 'x.c', line: 9 }] })], units).strict, 'a related location');
    assert.ok(matchSite(site(9), [finding('FT302', 'x.c', 2, { endLine: 11 })], units).strict, 'inside a multi-line finding');
    assert.ok(matchSite(site(9, 'other'), [finding('FT201', 'x.c', 9)], units).strict, 'other: any rule');
    assert.equal(matchSite(site(9, 'other'), [finding('FT001', 'x.c', 9)], units).strict, null, 'not a tool diagnostic');
  });

  it('same function: a finding of the family anywhere in the site\'s function, not in the next one', () => {
    const m = matchSite(site(4), [finding('FT302', 'x.c', 11)], units);
    assert.equal(m.strict, null);
    assert.ok(m.sameFunction);
    assert.equal(matchSite(site(9), [finding('FT302', 'x.c', 14)], units).sameFunction, null);
  });

  it('the family of each category', () => {
    const hit = (category: Site['category'], rule: string) => matchSite(site(9, category), [finding(rule, 'x.c', 9)], units).strict !== null;
    assert.ok(hit('module-declaration', 'FT102') && !hit('module-declaration', 'FT302'));
    assert.ok(hit('borrowed-ref', 'FT202') && !hit('borrowed-ref', 'FT409'));
    assert.ok(hit('object-state', 'FT409') && hit('object-state', 'FT207') && !hit('object-state', 'FT201'));
    assert.ok(hit('global-state', 'FT301') && hit('global-state', 'FT504'));
    assert.ok(hit('libc', 'FT602') && hit('libc', 'FT701'));
    assert.ok(hit('refcount', 'FT501') && !hit('refcount', 'FT201'));
  });
});

describe('eval: verdicts', () => {
  it('survive a line shift and whitespace changes, and count into precision', () => {
    const tsv = ['port\ttree\tpath\trule\ttext_hash\tline\tverdict\tcause\tnote', ['p', 'after', 'a.c', 'FT201', textHash('  v = PyDict_GetItem(d,  k);'), '10', 'F', 'dict is private', ''].join('\t')].join('\n');
    const v = parseVerdicts(tsv);
    const judged = judge('p', 'after', [finding('FT201', 'a.c', 42, { text: 'v = PyDict_GetItem(d, k);' }), finding('FT201', 'a.c', 50)], v);
    assert.equal(judged[0]?.verdict?.verdict, 'F');
    assert.equal(judged[1]?.verdict, null);
    const p = precision(judged);
    assert.deepEqual([p.findings, p.judged, p.F, p.right], [2, 1, 1, 0]);
    assert.equal(judge('p', 'before', [finding('FT201', 'a.c', 42, { text: 'v = PyDict_GetItem(d, k);' })], v)[0]?.verdict, null, 'the tree is part of the key');
  });

  it('reject malformed rows with the line number', () => {
    assert.throws(() => parseVerdicts('p\tafter\ta.c\tFT201\t0123456789abcdef\t1\tX\tc\t'), (e: unknown) => e instanceof VerdictError && /:1: verdict must be T, B or F/.test(e.message));
    assert.throws(() => parseVerdicts('\np\tafter\ta.c\tFT201\t0123456789abcdef\t1\tF\t\t'), /:2: an F verdict needs a cause/);
    const row = 'p\tafter\ta.c\tFT201\t0123456789abcdef\t1\tT\t\t';
    assert.throws(() => parseVerdicts(`${row}\n${row}`), /already given/);
  });

  it('the BEFORE sample is stable: a new finding displaces at most one judged one', () => {
    const items = judge('p', 'before', Array.from({ length: 60 }, (_, i) => finding('FT201', 'a.c', i + 1)), new Map());
    const a = sampleBefore(items, 40).map((j) => j.key);
    assert.equal(a.length, 40);
    assert.deepEqual(sampleBefore([...items].reverse(), 40).map((j) => j.key), a, 'order does not matter');
    const b = sampleBefore([...items, ...judge('p', 'before', [finding('FT202', 'b.c', 1)], new Map())], 40).map((j) => j.key);
    assert.ok(a.filter((k) => b.includes(k)).length >= 39);
  });
});

describe('eval: corpus', () => {
  const good = { project: 'w', repo: 'acme/widget', language: 'c', before: 'a'.repeat(40), after: 'b'.repeat(40), port_commits: ['b'.repeat(40)], url: 'https://example.org/pr/1', sites: [{ path: 'w.c', line: 3, category: 'libc', what: 'x' }], left_alone: [] };
  it('accepts a valid entry and names the field of an invalid one', () => {
    assert.equal(parseCorpus(JSON.stringify([good]))[0]?.sites.length, 1);
    assert.throws(() => parseCorpus(JSON.stringify([{ ...good, before: 'abc' }])), (e: unknown) => e instanceof CorpusError && /w\.before: 'abc' is not a 40-hex commit/.test(e.message));
    assert.throws(() => parseCorpus(JSON.stringify([{ ...good, sites: [{ ...good.sites[0], category: 'locks' }] }])), /w\.sites\[0\]\.category: 'locks' is not one of/);
    assert.throws(() => parseCorpus(JSON.stringify([{ ...good, after: 'c'.repeat(40) }])), /w\.after: must be the last of port_commits/);
    assert.throws(() => parseCorpus(JSON.stringify([good, good])), /appears twice/);
    assert.throws(() => parseCorpus('{'), /not valid JSON/);
  });
});

// ------------------------------------------------------------------------------------------------------------
// The whole harness, as `npm run eval` runs it, on two repositories made here.

const WIDGET_BEFORE = `#include <Python.h>

static PyObject *registry;
static long calls;

static PyObject *
lookup(PyObject *self, PyObject *key)
{
    PyObject *v = PyDict_GetItem(registry, key);
    if (v == NULL) {
        Py_RETURN_NONE;
    }
    Py_INCREF(v);
    return v;
}

static PyObject *
count(PyObject *self, PyObject *args)
{
    /* a long comment
       that spans
       several lines
       before the write */
    calls++;
    return PyLong_FromLong(calls);
}

static PyMethodDef methods[] = {
    {"lookup", lookup, METH_O, NULL},
    {"count", count, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef widgetmodule = {
    PyModuleDef_HEAD_INIT, "widget", NULL, -1, methods
};

PyMODINIT_FUNC
PyInit_widget(void)
{
    PyObject *m = PyModule_Create(&widgetmodule);
    if (m == NULL) return NULL;
    registry = PyDict_New();
    return m;
}
`;

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function repo(name: string, before: Record<string, string>, afterFiles: Record<string, string>): { before: string; after: string } {
  const dir = join(tmp, 'mirrors', name);
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q');
  const commit = (files: Record<string, string>, msg: string) => {
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(join(dir, p, '..'), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', msg);
    return git(dir, 'rev-parse', 'HEAD');
  };
  return { before: commit(before, 'before'), after: commit(afterFiles, 'port') };
}

const evalCli = join(process.cwd(), 'dist', 'eval', 'src', 'main.js');
function runEval(args: string[]) {
  return spawnSync(process.execPath, [evalCli, ...args], { encoding: 'utf8' });
}

describe('eval: npm run eval on a synthetic corpus', () => {
  const widget = repo('acme+widget', { 'src/widget.c': WIDGET_BEFORE, 'README.md': 'not exported\n' }, {
    'src/widget.c': WIDGET_BEFORE.replace('PyObject *v = PyDict_GetItem(registry, key);', 'PyObject *v;\n    if (PyDict_GetItemRef(registry, key, &v) < 0) return NULL;').replace('if (m == NULL) return NULL;', 'if (m == NULL) return NULL;\n#ifdef Py_GIL_DISABLED\n    PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);\n#endif'),
  });
  const gadgetPyx = 'cdef class Gadget:\n    cdef int n\n\n    def bump(self):\n        self.n += 1\n        return self.n\n';
  const gadget = repo('acme+gadget', { 'gadget.pyx': gadgetPyx, 'setup.py': 'from setuptools import setup\nfrom Cython.Build import cythonize\nsetup(name="gadget", ext_modules=cythonize("gadget.pyx"))\n' }, {
    'gadget.pyx': `# cython: freethreading_compatible = True\n${gadgetPyx}`,
  });
  const ports = [
    {
      project: 'widget', repo: 'acme/widget', language: 'c', before: widget.before, after: widget.after, port_commits: [widget.after], url: 'https://example.org/acme/widget/pull/1',
      sites: [
        { path: 'src/widget.c', line: 9, category: 'borrowed-ref', what: 'GetItem to GetItemRef' },
        { path: 'src/widget.c', line: 19, category: 'global-state', what: 'counter made atomic' },
        { path: 'src/widget.c', line: 41, category: 'module-declaration', what: 'SetGIL after creation' },
        { path: 'src/widget.c', line: 13, category: 'object-state', what: 'a change no rule points at' },
      ],
      left_alone: [{ path: 'src/widget.c', line: 3, what: 'registry filled at init only' }],
    },
    {
      project: 'gadget', repo: 'acme/gadget', language: 'cython', before: gadget.before, after: gadget.after, port_commits: [gadget.after], url: 'https://example.org/acme/gadget/pull/2',
      sites: [{ path: 'gadget.pyx', line: 1, category: 'module-declaration', what: 'directive' }, { path: 'gone.pyx', line: 1, category: 'other', what: 'a file the BEFORE tree lacks' }], left_alone: [],
    },
  ];
  const portsFile = join(tmp, 'ports.json');
  writeFileSync(portsFile, JSON.stringify(ports, null, 1));
  const out = (f: string) => join(tmp, 'out', f);
  const common = ['--mirrors', join(tmp, 'mirrors'), '--ports', portsFile, '--work', join(tmp, 'work'), '--json', out('results.json'), '--unjudged', out('unjudged.tsv'), '--docs', out('real-world.md')];

  it('measures recall, density and precision, lists what needs a verdict, and writes the docs', () => {
    const verdicts = join(tmp, 'verdicts.tsv');
    // Judge the one AFTER finding of widget (the counter, still racy) as a live hazard.
    writeFileSync(verdicts, `port\ttree\tpath\trule\ttext_hash\tline\tverdict\tcause\tnote\nwidget\tafter\tsrc/widget.c\tFT302\t${textHash('    calls++;')}\t26\tT\t\t\n`);
    const r = runEval([...common, '--verdicts', verdicts]);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(readFileSync(out('results.json'), 'utf8'));
    assert.deepEqual(s.recall, { sites: 6, strict: 3, sameFunction: 4 });
    assert.deepEqual(s.byCategory['global-state'], { sites: 1, strict: 0, sameFunction: 1 });
    assert.deepEqual(s.byCategory['object-state'], { sites: 1, strict: 0, sameFunction: 0 });
    const w = s.ports.find((p: { project: string }) => p.project === 'widget');
    assert.deepEqual(w.before.byRule, { FT102: 1, FT201: 1, FT302: 1 });
    assert.deepEqual(w.after.byRule, { FT302: 1 });
    assert.deepEqual(w.missed.map((m: Site) => m.line), [13]);
    assert.equal(w.before.files, 1, 'only sources are exported');
    assert.ok(s.density.after.perKloc < s.density.before.perKloc);
    assert.deepEqual([s.precision.after.findings, s.precision.after.judged, s.precision.after.T], [2, 1, 1]);
    // Unjudged: gadget's AFTER finding (FT410) and every BEFORE finding (fewer than the sample size).
    const unjudged = readFileSync(out('unjudged.tsv'), 'utf8').trim().split('\n').slice(1);
    assert.equal(unjudged.length, 1 + 5);
    assert.ok(unjudged.some((l) => l.startsWith('gadget\tafter\tgadget.pyx\tFT410\t')));
    const docs = readFileSync(out('real-world.md'), 'utf8');
    assert.match(docs, /\| \*\*all\*\* \| \*\*6\*\* \| \*\*3\/6 \(50\.0 %\)\*\* \| \*\*4\/6 \(66\.7 %\)\*\* \|/);
    assert.match(docs, /`src\/widget\.c:13` object-state: a change no rule points at/);
    assert.match(docs, /registry filled at init only/);
    assert.ok(!docs.includes(tmp), 'no path of the machine in the docs');
    assert.match(r.stdout, /overall\s+6\s+3\/6/);
    assert.match(r.stdout, /CORPUS ERROR gadget gone\.pyx:1: not in the BEFORE tree/);
  });

  it('a second run reuses the exported trees and gives the same docs', () => {
    const first = readFileSync(out('real-world.md'), 'utf8');
    const r = runEval([...common, '--verdicts', join(tmp, 'verdicts.tsv')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(out('real-world.md'), 'utf8'), first);
  });

  it('a missing mirror fails that port (exit 1), measures the others and writes no docs', () => {
    const broken = join(tmp, 'ports-missing.json');
    writeFileSync(broken, JSON.stringify([...ports, { ...ports[1], project: 'gone', repo: 'acme/gone' }]));
    rmSync(join(tmp, 'out2'), { recursive: true, force: true });
    const r = runEval(['--mirrors', join(tmp, 'mirrors'), '--ports', broken, '--verdicts', join(tmp, 'verdicts.tsv'), '--work', join(tmp, 'work'), '--json', join(tmp, 'out2', 'r.json'), '--unjudged', join(tmp, 'out2', 'u.tsv'), '--docs', join(tmp, 'out2', 'd.md')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /gone: no mirror of acme\/gone/);
    assert.equal(JSON.parse(readFileSync(join(tmp, 'out2', 'r.json'), 'utf8')).ports.length, 2);
    assert.equal(existsSync(join(tmp, 'out2', 'd.md')), false);
  });

  it('bad usage and a bad corpus exit 2 with a message', () => {
    const noMirrors = spawnSync(process.execPath, [evalCli, '--ports', portsFile], { encoding: 'utf8', env: { ...process.env, FTLINT_EVAL_MIRRORS: '' } });
    assert.equal(noMirrors.status, 2);
    assert.match(noMirrors.stderr, /--mirrors DIR is required/);
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ ...ports[0], sites: [{ path: '/abs.c', line: 1, category: 'libc', what: 'x' }] }]));
    const r = runEval(['--mirrors', join(tmp, 'mirrors'), '--ports', bad]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /widget\.sites\[0\]\.path: '\/abs\.c' must be relative/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  });
});

// The key of a verdict is what the harness documents.
assert.equal(verdictKey('p', 'after', 'a.c', 'FT201', 'k'), 'p\tafter\ta.c\tFT201\tk');
