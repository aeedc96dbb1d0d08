// The binding-generator fixes (Cython directive, pybind11 mod_gil_not_used) that FT7xx rules attach.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFixes, fromRaw } from '../src/fix/apply.js';
import { cythonDirectiveFix, pybind11ModGilFix } from '../src/fix/binding-fixes.js';

const fixed = (raw: string, fix: ReturnType<typeof cythonDirectiveFix>) => {
  assert.ok(fix);
  return applyFixes(fromRaw(raw), [fix]).output;
};

describe('Cython directive fix', () => {
  it('goes after a shebang, an encoding line and existing directives, before the first statement', () => {
    const src = '#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# cython: language_level=3\n\n# a comment\nimport os\n';
    assert.equal(fixed(src, cythonDirectiveFix(src)), '#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# cython: language_level=3\n# cython: freethreading_compatible=True\n\n# a comment\nimport os\n');
    assert.equal(fixed('cdef int x = 1\n', cythonDirectiveFix('cdef int x = 1\n')), '# cython: freethreading_compatible=True\ncdef int x = 1\n');
  });

  it('keeps CRLF and BOM, and is not offered twice', () => {
    const raw = '\ufeff# cython: boundscheck=False\r\ncdef int x\r\n';
    assert.equal(fixed(raw, cythonDirectiveFix(fromRaw(raw).text)), '\ufeff# cython: boundscheck=False\r\n# cython: freethreading_compatible=True\r\ncdef int x\r\n');
    assert.equal(cythonDirectiveFix('# cython: freethreading_compatible=True\n'), null);
  });
});

describe('pybind11 mod_gil_not_used fix', () => {
  it('adds the third argument, with the py alias when the file has one', () => {
    const src = 'namespace py = pybind11;\nPYBIND11_MODULE(example, m) {\n    m.def("f", &f);\n}\n';
    const at = src.indexOf('PYBIND11_MODULE');
    assert.equal(fixed(src, pybind11ModGilFix(src, src, at)), src.replace('(example, m)', '(example, m, py::mod_gil_not_used())'));
    const bare = 'PYBIND11_MODULE(example, m) {}\n';
    assert.equal(fixed(bare, pybind11ModGilFix(bare, bare, 0)), 'PYBIND11_MODULE(example, m, pybind11::mod_gil_not_used()) {}\n');
  });

  it('leaves a module that already passes options alone', () => {
    const src = 'PYBIND11_MODULE(example, m, py::multiple_interpreters::per_interpreter_gil()) {}\n';
    assert.equal(pybind11ModGilFix(src, src, 0), null);
  });
});
