// The free-threaded target's preprocessor: #if evaluation (three-valued, intervals) and the offset-preserving
// blanking of what that build never compiles.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inDead, lowerC } from '../src/parse/lower.js';
import { TargetEnv } from '../src/parse/target.js';

describe('target: #if evaluation', () => {
  const ev = (e: string, kind: 'c' | 'cpp' | 'header' = 'c') => new TargetEnv(kind).evaluate(e);

  it('knows what every free-threaded CPython has', () => {
    assert.equal(ev('defined(Py_GIL_DISABLED)'), true);
    assert.equal(ev('!defined Py_GIL_DISABLED'), false);
    assert.equal(ev('Py_GIL_DISABLED'), true);
    assert.equal(ev('PY_MAJOR_VERSION >= 3'), true);
    assert.equal(ev('PY_MAJOR_VERSION < 3'), false);
    assert.equal(ev('PY_VERSION_HEX >= 0x030D0000'), true);
    assert.equal(ev('PY_VERSION_HEX < 0x030D00A1'), false, 'a released 3.13 is past its pre-releases');
    assert.equal(ev('PY_VERSION_HEX >= 0x030D0100'), null, '3.13.1 or not');
    assert.equal(ev('PY_VERSION_HEX >= 0x03080000L'), true);
    assert.equal(ev('PY_MAJOR_VERSION == 3 && PY_MINOR_VERSION < 13'), false);
    assert.equal(ev('defined(PYPY_VERSION)'), false);
    assert.equal(ev('defined(Py_mod_gil)'), true);
  });

  it('is unknown where free-threaded targets differ or a macro is not known', () => {
    assert.equal(ev('PY_VERSION_HEX >= 0x030E0000'), null, '3.13t and 3.14t differ');
    assert.equal(ev('defined(_WIN32)'), null);
    assert.equal(ev('defined(Py_LIMITED_API)'), null);
    assert.equal(ev('FOO > 2'), null, 'an unknown identifier is not 0: its header may define it');
    assert.equal(ev('PY_VERSION_HEX >= Py_PACK_VERSION(3, 13)'), null);
    assert.equal(ev('defined(__cplusplus)', 'header'), null);
    assert.equal(ev('PY_VERSION_HEX >'), null, 'a malformed expression');
  });

  it('three-valued logic: a known side decides && and ||', () => {
    assert.equal(ev('defined(_WIN32) && PY_MAJOR_VERSION < 3'), false);
    assert.equal(ev('defined(_WIN32) || PY_MAJOR_VERSION >= 3'), true);
    assert.equal(ev('defined(_WIN32) && PY_MAJOR_VERSION >= 3'), null);
    assert.equal(ev('!(defined(_WIN32) && 0)'), true);
    assert.equal(ev('(1 + 2) * 3 == 9 && (0x10 >> 4) == 1 && 7 % 4 == 3'), true);
    assert.equal(ev('PY_MAJOR_VERSION == 3 ? 1 : FOO'), true);
  });

  it('C and C++ files know __cplusplus', () => {
    assert.equal(ev('defined(__cplusplus)', 'c'), false);
    assert.equal(ev('__cplusplus >= 199711L', 'cpp'), true);
    assert.equal(ev('__cplusplus >= 201703L', 'cpp'), null);
  });

  it('follows the file\'s own #define and #undef, and forgets what is defined only perhaps', () => {
    const env = new TargetEnv('c');
    env.define('USE_X', false, '0', true);
    env.define('LEVEL', false, '(PY_MAJOR_VERSION * 10)', true);
    env.undef('TRACE', true);
    env.define('MAYBE', false, '1', false);
    assert.equal(env.evaluate('USE_X'), false);
    assert.equal(env.evaluate('LEVEL == 30'), true);
    assert.equal(env.evaluate('defined(TRACE)'), false);
    assert.equal(env.evaluate('TRACE'), false, 'a known-undefined identifier is 0');
    assert.equal(env.evaluate('MAYBE'), null);
    env.define('F', true, 'x', true);
    assert.equal(env.evaluate('defined(F)'), true);
    assert.equal(env.evaluate('F(1)'), null);
  });
});

describe('target: lowering', () => {
  const SRC = [
    '#if PY_MAJOR_VERSION >= 3', //       1
    'PyMODINIT_FUNC PyInit_x(void)', //   2
    '#else', //                           3
    'PyMODINIT_FUNC initx(void)', //      4
    '#endif', //                          5
    '{', //                               6
    '#ifndef Py_GIL_DISABLED', //         7
    '    Py_BEGIN_ALLOW_THREADS', //      8
    '#endif', //                          9
    '#ifdef _WIN32', //                   10
    '    x = 1;', //                      11
    '#elif PY_VERSION_HEX < 0x030D0000', // 12
    '    y = 2; /* it\'s old */', //      13
    '#else', //                           14
    '    z = 3;', //                      15
    '#endif', //                          16
    '}', //                               17
  ].join('\n');

  it('keeps every offset and line, blanks the dead branches and the directives of decided groups', () => {
    const low = lowerC(SRC, 'c');
    assert.equal(low.text.length, SRC.length);
    assert.deepEqual([...low.text].map((c, i) => (c === '\n') === (SRC[i] === '\n')).every(Boolean), true);
    const lines = low.text.split('\n');
    assert.equal(lines[0]?.trim(), '', 'decided #if line blanked');
    assert.match(lines[1] ?? '', /PyInit_x/);
    assert.equal(lines[3]?.trim(), '', 'the Python 2 head is gone');
    assert.equal(lines[7]?.trim(), '', 'GIL-only code is gone');
    assert.match(lines[9] ?? '', /^#ifdef _WIN32/, 'an undecided group keeps its directives');
    assert.match(lines[10] ?? '', /x = 1/);
    assert.equal(lines[12]?.trim(), '', 'a dead branch of an undecided group is blanked');
    assert.match(lines[14] ?? '', /z = 3/);
    assert.deepEqual(low.modinit.length, 1, 'one module init head');
    assert.equal(low.regions.length, 0, 'no region from compiled-out code');
    assert.ok(inDead(low, SRC.indexOf('Py_BEGIN_ALLOW_THREADS')));
    assert.ok(!inDead(low, SRC.indexOf('x = 1')));
  });

  it('without a target lowers as before: nothing blanked', () => {
    const low = lowerC(SRC);
    assert.equal(low.dead.length, 0);
    assert.match(low.text, /initx/);
    assert.equal(low.regions.length, 1);
  });

  it('a group inside dead code is dead whatever its condition, and its defines do not count', () => {
    const src = '#if 0\n#define A 1\n#if 1\nint a;\n#endif\n#endif\n#if defined(A)\nint b;\n#endif\n';
    const low = lowerC(src, 'c');
    assert.doesNotMatch(low.text, /int a/);
    assert.match(low.text, /int b/, 'A is unknown, not defined: the branch stays');
    assert.equal(low.text.length, src.length);
  });
});

describe('target: include guards', () => {
  it('finds the guard after comments, and none when code or another directive comes first', async () => {
    const { includeGuard } = await import('../src/parse/lower.js');
    assert.equal(includeGuard('/* licence */\n// note\n\n#ifndef X_H\n#define X_H\nint x;\n#endif\n'), 'X_H');
    assert.equal(includeGuard('#ifndef X_H\n#define Y_H\n'), null);
    assert.equal(includeGuard('int x;\n#ifndef X_H\n#define X_H\n'), null);
    assert.equal(includeGuard(`${'/* c */ '.repeat(5000)}\nint x; /* no guard */`), null, 'many comments and no guard');
  });
});
