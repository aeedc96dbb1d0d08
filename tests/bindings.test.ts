// Binding generators, Python sources and packaging: the pieces under the FT1 binding rules and FT7 — version
// arithmetic, text code views, TOML positions, file roles — and the fixes the binding rules attach.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cythonHeader, TomlLocator } from '../src/engine/bindings.js';
import { pythonRole } from '../src/engine/py-tree.js';
import { run, selectRules } from '../src/engine/run.js';
import type { Edit, Finding } from '../src/engine/types.js';
import { admitsAtLeast, cargoRange, globMatch, parseRequirement, pep440Range, selectorList } from '../src/engine/versions.js';
import { cmakeCodeView, hashCodeView, rustCodeView } from '../src/parse/text-code.js';
import { ftlint } from './helpers/cli.js';
import { REPO } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftlint-bindings-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

async function lint(dir: string, select?: string[]): Promise<Finding[]> {
  const r = await run({ paths: [dir], cwd: dir, ruleIds: selectRules(select, undefined), jobs: 1 });
  return r.findings;
}

describe('version arithmetic', () => {
  it('reads PEP 440 specifier sets', () => {
    assert.equal(admitsAtLeast(pep440Range('>=0.29,<3.1'), [3, 1, 0]), false);
    assert.equal(admitsAtLeast(pep440Range('<=3.1'), [3, 1, 0]), true);
    assert.equal(admitsAtLeast(pep440Range('==3.0.*'), [3, 1, 0]), false);
    assert.equal(admitsAtLeast(pep440Range('~=2.12.0'), [2, 13, 0]), false);
    assert.equal(admitsAtLeast(pep440Range('~=2.12'), [2, 13, 0]), true);
    assert.equal(admitsAtLeast(pep440Range('>=3.9'), [3, 14]), true);
    assert.equal(admitsAtLeast(pep440Range('>=3.9,<3.13'), [3, 13]), false);
    assert.equal(admitsAtLeast(pep440Range('!=3.0.0'), [3, 1, 0]), true);
    assert.deepEqual(pep440Range('>=3.7').lo, [3, 7]);
  });

  it('reads Cargo requirements with caret semantics for 0.x', () => {
    assert.deepEqual(cargoRange('0.22'), { lo: [0, 22], hi: [0, 23], hiInclusive: false });
    assert.deepEqual(cargoRange('0.22.6').hi, [0, 23]);
    assert.deepEqual(cargoRange('^1.2').hi, [2]);
    assert.deepEqual(cargoRange('~0.23.1').hi, [0, 24]);
    assert.equal(cargoRange('>=0.20').hi, null);
    assert.deepEqual(cargoRange('=0.25.1'), { lo: [0, 25, 1], hi: [0, 25, 1], hiInclusive: true });
  });

  it('parses PEP 508 requirements', () => {
    assert.deepEqual(parseRequirement("Cython>=3.1 ; python_version >= '3.8'"), { name: 'cython', display: 'Cython', spec: '>=3.1', marker: "python_version >= '3.8'" });
    assert.deepEqual(parseRequirement('scikit_build_core[pyproject] (>=0.10)'), { name: 'scikit-build-core', display: 'scikit_build_core', spec: '>=0.10', marker: '' });
  });

  it('matches cibuildwheel selectors like fnmatch, with brace expansion', () => {
    assert.ok(globMatch('cp31?t-*', 'cp314t-manylinux_x86_64'));
    assert.ok(!globMatch('cp31?t-*', 'cp314-manylinux_x86_64'));
    assert.ok(globMatch('cp3{12,13}-*', 'cp313-win_amd64'));
    assert.ok(!globMatch('cp3{12,13}-*', 'cp314-win_amd64'));
    assert.ok(globMatch('*-musllinux_[!a]*', 'cp312-musllinux_x86_64'));
    assert.deepEqual(selectorList('pp*  cp31?t-*,*-win32'), ['pp*', 'cp31?t-*', '*-win32']);
  });
});

describe('code views keep offsets and hide comments and strings', () => {
  it('Python/Cython/TOML: # comments and string contents', () => {
    const src = 'x = "a # b"  # c\ny = r"\\"" + \'\'\'q\n#z\'\'\'\n';
    const v = hashCodeView(src);
    assert.equal(v.length, src.length);
    assert.equal(v.split('\n').length, src.split('\n').length);
    assert.doesNotMatch(v, /#|a|b|c|q|z/);
    assert.match(hashCodeView(src, { keepStrings: true }), /"a # b"/);
  });

  it('Rust: nested block comments, raw strings, char literals and lifetimes', () => {
    const src = "/* a /* b */ #[pymodule] */ let s = r#\"#[pymodule]\"#; let c = '\"'; fn f<'a>(x: &'a str) {}\n#[pymodule]";
    const v = rustCodeView(src);
    assert.equal(v.length, src.length);
    assert.equal((v.match(/#\[pymodule\]/g) ?? []).length, 1);
    assert.match(v, /<'a>\(x: &'a str\)/);
  });

  it('CMake: line and bracket comments', () => {
    const v = cmakeCodeView('#[[ nanobind_add_module(a) ]]\n# nanobind_add_module(b)\nnanobind_add_module(c "x y")\n');
    assert.equal((v.match(/nanobind_add_module/g) ?? []).length, 1);
  });
});

describe('TOML positions', () => {
  it('finds dotted keys, quoted keys, tables and array-of-tables', () => {
    const text = '[tool]\ncibuildwheel.skip = "pp*"\n\n[target."cfg(unix)".dependencies]\npyo3 = "0.22"\n[[tool.cibuildwheel.overrides]]\nselect = "x"\n';
    const L = new TomlLocator(text, hashCodeView(text));
    const line = (r: { start: number } | null) => (r ? text.slice(0, r.start).split('\n').length : 0);
    assert.equal(line(L.find('tool', 'cibuildwheel', 'skip')), 2);
    assert.equal(line(L.find('target', 'cfg(unix)', 'dependencies', 'pyo3')), 5);
    assert.equal(line(L.find('tool', 'cibuildwheel', 'overrides', 'select')), 7);
    assert.equal(line(L.find('tool', 'missing')), 1, 'falls back to the enclosing table');
  });
});

describe('Python file roles', () => {
  it('tells library code from tests, scripts and build files', () => {
    assert.equal(pythonRole('src/pkg/core.py', ''), 'library');
    assert.equal(pythonRole('src/pkg/test_core.py', ''), 'test');
    assert.equal(pythonRole('pkg/tests/helpers.py', ''), 'test');
    assert.equal(pythonRole('conftest.py', ''), 'test');
    assert.equal(pythonRole('setup.py', ''), 'build');
    assert.equal(pythonRole('docs/conf.py', ''), 'build');
    assert.equal(pythonRole('pkg/__main__.py', ''), 'script');
    assert.equal(pythonRole('tools/gen.py', ''), 'script');
    assert.equal(pythonRole('pkg/run.py', '#!/usr/bin/env python3\n'), 'script');
  });
});

describe('Cython header', () => {
  it('inserts after a shebang and an encoding line, never before them', () => {
    const text = '#!/usr/bin/env cython\n# -*- coding: utf-8 -*-\n# cython: language_level=3\ndef f(): pass\n';
    const h = cythonHeader(text);
    assert.equal(h.insertAt, text.indexOf('# cython:'));
    assert.deepEqual(h.directives.map((d) => [d.name, d.value]), [['language_level', '3']]);
  });

  it('stops at the first line of code', () => {
    const h = cythonHeader('x = 1\n# cython: freethreading_compatible=True\n');
    assert.deepEqual(h.directives, []);
  });
});

describe('binding fixes', () => {
  it('make FT107, FT108 and FT110 go away when applied, and change nothing else', async () => {
    const dirs = ['cython-pkg', 'pybind11-pkg', 'pyo3-workspace'];
    for (const d of dirs) cpSync(join(REPO, 'fixtures/projects', d), join(tmp, d), { recursive: true });
    const before = await lint(tmp, ['FT107', 'FT108', 'FT110']);
    const fixed = before.filter((f) => f.fix);
    assert.deepEqual(fixed.map((f) => `${f.rule} ${f.path}:${f.range.start.line}`).sort(), [
      'FT107 cython-pkg/src/fastcount/_core.pyx:1',
      'FT108 pybind11-pkg/src/vecops.cpp:15',
      'FT110 pyo3-workspace/crates/fast/src/lib.rs:33',
      'FT110 pyo3-workspace/crates/fast/src/lib.rs:9',
    ]);
    const byFile = new Map<string, Edit[]>();
    for (const f of fixed) byFile.set(f.path, [...(byFile.get(f.path) ?? []), ...(f.fix?.edits ?? [])]);
    for (const [path, edits] of byFile) {
      const abs = join(tmp, path);
      writeFileSync(abs, applyEdits(readFileSync(abs, 'utf8'), edits));
    }
    const core = readFileSync(join(tmp, 'cython-pkg/src/fastcount/_core.pyx'), 'utf8');
    assert.ok(core.startsWith('# cython: freethreading_compatible=True\n"""Counting helpers'), core.slice(0, 80));
    assert.match(readFileSync(join(tmp, 'pybind11-pkg/src/vecops.cpp'), 'utf8'), /PYBIND11_MODULE\(vecops, m, py::mod_gil_not_used\(\)\) \{/);
    const rs = readFileSync(join(tmp, 'pyo3-workspace/crates/fast/src/lib.rs'), 'utf8');
    assert.match(rs, /#\[pymodule\(gil_used = false\)\] \/\/ expect: FT110\n#\[pyo3\(name = "fast"\)\]/);
    assert.match(rs, /#\[pyo3::pymodule\(gil_used = false, name = "renamed"\)\]/);
    const after = await lint(tmp, ['FT107', 'FT108', 'FT110']);
    const still = after.filter((f) => fixed.some((x) => x.rule === f.rule && x.path === f.path && x.range.start.line === f.range.start.line));
    assert.deepEqual(still, []);
    assert.equal(after.length, before.length - fixed.length, 'the fixes add no new findings');
  });

  it('insert the Cython header with the file\'s own line ending, also in a file without a final newline', async () => {
    const d = join(tmp, 'crlf');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'a.pyx'), '# -*- coding: utf-8 -*-\r\ndef f():\r\n    pass\r\n');
    writeFileSync(join(d, 'b.pyx'), '# -*- coding: latin-1 -*-');
    const fs = await lint(d, ['FT107']);
    const a = fs.find((f) => f.path === 'a.pyx');
    const b = fs.find((f) => f.path === 'b.pyx');
    assert.equal(applyEdits(readFileSync(join(d, 'a.pyx'), 'utf8'), a?.fix?.edits ?? []), '# -*- coding: utf-8 -*-\r\n# cython: freethreading_compatible=True\r\ndef f():\r\n    pass\r\n');
    assert.equal(applyEdits('# -*- coding: latin-1 -*-', b?.fix?.edits ?? []), '# -*- coding: latin-1 -*-\n# cython: freethreading_compatible=True\n');
  });
});

describe('CLI on binding and packaging files', () => {
  it('reports the generator version a remedy needs, in text and JSON', () => {
    const r = ftlint(['fixtures/projects/pybind11-pkg', '--select', 'FT108', '-f', 'json']);
    const f = (JSON.parse(r.stdout) as { findings: { rule: string; severity: string; remedy: { api: string; requires?: string } }[] }).findings.find((x) => x.severity === 'warning');
    assert.deepEqual(f?.remedy.requires, 'pybind11 2.13.0');
    const t = ftlint(['fixtures/projects/pybind11-pkg', '--select', 'FT108']);
    assert.match(t.stdout, /= use instead: py::mod_gil_not_used\(\) \(pybind11 2\.13\.0\+; CPython 3\.13\+\)/);
  });

  it('accepts --check-tests', () => {
    assert.equal(ftlint(['fixtures/rules/ft7-check-tests', '--select', 'FT7', '-q']).stdout, '');
    assert.match(ftlint(['fixtures/rules/ft7-check-tests', '--select', 'FT7', '-q', '--check-tests']).stdout, /\[FT701\]/);
  });

  it('reports a malformed pyproject.toml as FT000 and checks the other files', () => {
    const d = join(tmp, 'badtoml');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'pyproject.toml'), '[project\nname = "x"\n');
    writeFileSync(join(d, 'lib.py'), 'import os\n\ndef f(p):\n    os.chdir(p)\n');
    const r = ftlint([d, '-f', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout) as { findings: { rule: string }[]; diagnostics: { reason: string; message: string }[] };
    assert.deepEqual(j.findings.map((f) => f.rule), ['FT702']);
    assert.equal(j.diagnostics[0]?.reason, 'malformed');
    assert.match(j.diagnostics[0]?.message ?? '', /pyproject\.toml is not valid TOML/);
  });
});
