// Suppression comments: extraction per language, and the CLI flags around them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { extractSuppressions } from '../src/suppress/comments.js';
import { ftlint } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftlint-supp-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('suppression comments', () => {
  it('reads C line and block comments, with positions and targets', () => {
    const text = 'int a; // ftlint: ignore[FT201, ft207] why\n/* x\n ftlint: ignore-next-line[FT101] */\nint b;\nchar *s = "// ftlint: ignore[FT201]";\n';
    assert.deepEqual(
      extractSuppressions(text, 'c').map((s) => [s.line, s.column, s.target, s.kind, s.rules]),
      [
        [1, 11, 1, 'ignore', ['FT201', 'FT207']],
        [3, 2, 4, 'ignore-next-line', ['FT101']],
      ],
    );
  });

  it('reads # comments in Python, Cython and TOML, not strings; handles CRLF', () => {
    const py = 'x = 1  # ftlint: ignore[FT701]\r\ns = """\n# ftlint: ignore[FT702]\n"""\ny = "#"  # ftlint: ignore\r\n';
    assert.deepEqual(
      extractSuppressions(py, 'python').map((s) => [s.line, s.target, s.rules]),
      [
        [1, 1, ['FT701']],
        [5, 5, null],
      ],
    );
    assert.equal(extractSuppressions('a = 1 # ftlint: ignore-next-line[FT701]\n', 'toml')[0]?.target, 2);
    assert.deepEqual(extractSuppressions('int a;\n', 'c'), []);
  });

  it('--report-unused-ignores reports only ids of rules that ran', () => {
    const file = join(tmp, 'u.c');
    writeFileSync(file, '#include <Python.h>\nint a;  // ftlint: ignore[FT201]\nint b;  // ftlint: ignore[FT101]\n');
    const rules = (args: string[]) => (JSON.parse(ftlint([file, '-f', 'json', ...args]).stdout) as { findings: { rule: string; line: number }[] }).findings.map((f) => `${f.rule}@${f.line}`);
    assert.deepEqual(rules([]), []);
    assert.deepEqual(rules(['--report-unused-ignores']), ['FT002@2', 'FT002@3']);
    assert.deepEqual(rules(['--report-unused-ignores', '--select', 'FT2,FT0']), ['FT002@2']);
    assert.deepEqual(rules(['--report-unused-ignores', '--ignore', 'FT002']), []);
  });

  it('suppressions in a CRLF file with a BOM hit the right line', () => {
    const file = join(tmp, 'crlf.c');
    writeFileSync(file, '\ufeff#include <Python.h>\r\nPyObject *f(PyObject *d, PyObject *k) {\r\n    return PyDict_GetItem(d, k);  // ftlint: ignore[FT201]\r\n}\r\n');
    const r = ftlint([file, '-f', 'json', '--report-unused-ignores']);
    assert.deepEqual((JSON.parse(r.stdout) as { findings: unknown[] }).findings, []);
    assert.equal(r.code, 0);
  });
});
