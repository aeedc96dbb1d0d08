// --fix never loses the user's files: atomic writes that keep the mode, and no writing through a symlink
// out of the checked tree.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ftlint } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'ftlint-fixsafe-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const MODULE = `#include <Python.h>
static int exec_mod(PyObject *m) { return 0; }
static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_mod},
    {0, NULL}
};
`;

describe('--fix file safety', () => {
  it('writes atomically, keeps the file mode, leaves no temporary file', () => {
    const dir = join(tmp, 'mode');
    mkdirSync(dir);
    const file = join(dir, 'mod.c');
    writeFileSync(file, MODULE);
    chmodSync(file, 0o640);
    const inodeBefore = statSync(file).ino;
    const r = ftlint([dir, '--fix', '--no-cache', '--select', 'FT101']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(file, 'utf8'), /\{Py_mod_gil, Py_MOD_GIL_NOT_USED\}/);
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.notEqual(statSync(file).ino, inodeBefore, 'replaced by rename, not rewritten in place');
    assert.deepEqual(readdirSync(dir), ['mod.c']);
  });

  it('does not write through a symlink that leads out of the checked tree', () => {
    const outside = join(tmp, 'outside');
    const tree = join(tmp, 'tree');
    mkdirSync(outside);
    mkdirSync(tree);
    writeFileSync(join(outside, 'mod.c'), MODULE);
    symlinkSync(join(outside, 'mod.c'), join(tree, 'mod.c'));
    const r = ftlint([tree, '--fix', '--no-cache', '--select', 'FT101']);
    assert.equal(readFileSync(join(outside, 'mod.c'), 'utf8'), MODULE, 'the file outside the tree is untouched');
    assert.match(r.stderr, /not fixing .*mod\.c: it is a symlink to .*outside the checked tree/);
    assert.equal(r.code, 1, 'the finding is still reported');
  });

  it('follows a symlink whose target is inside the tree, keeping the link', () => {
    const tree = join(tmp, 'inner');
    mkdirSync(join(tree, 'real'), { recursive: true });
    writeFileSync(join(tree, 'real', 'mod.c'), MODULE);
    symlinkSync(join(tree, 'real', 'mod.c'), join(tree, 'link.c'));
    const r = ftlint([join(tree, 'link.c'), join(tree, 'real'), '--fix', '--no-cache', '--select', 'FT101']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(join(tree, 'real', 'mod.c'), 'utf8'), /Py_mod_gil/);
  });
});
