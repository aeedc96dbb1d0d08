// Reports are written in chunks (src/report/stream.ts): the bytes must be exactly those of the one-string
// rendering, and a large report must come out in many pieces, never as one string.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Finding, RunResult } from '../src/engine/types.js';
import { jsonChunks, toJson } from '../src/report/json.js';
import { sarifChunks, toSarif } from '../src/report/sarif.js';
import { jsonChunks as genericChunks, joinChunks, LazyArray } from '../src/report/stream.js';
import { formatText, textChunks } from '../src/report/text.js';

const finding = (i: number): Finding => ({
  rule: i % 2 ? 'FT201' : 'FT302',
  severity: i % 3 ? 'warning' : 'error',
  path: `src/m${i % 7}.c`,
  range: { start: { line: i + 1, column: 3 }, end: { line: i + 1, column: 9 } },
  message: `message “${i}” — with\nnew lines and "quotes"`,
  remedy: i % 5 ? { api: 'PyDict_GetItemRef', since: '3.13', compat: 'pythoncapi_compat.h', snippet: 'a\n  b' } : { api: 'X', since: null, compat: null, snippet: '“q”\t', requires: 'Cython >= 3.1' },
  related: i % 4 ? [] : [{ path: 'x.c', line: 1, column: 2, message: 'here' }, { path: 'y\\z.c', line: 3, column: 4, message: 'and "there"' }],
  lineText: `x = ${i};`,
});
const resultOf = (n: number): RunResult => ({
  findings: Array.from({ length: n }, (_, i) => finding(i)),
  diagnostics: n % 2 ? [{ code: 'FT000', path: 'bad.c', reason: 'binary', severity: 'warning', message: 'binary' }] : [],
  filesChecked: n,
  bytesChecked: 10 * n,
  linesChecked: n,
});

describe('chunked reports', () => {
  it('write exactly JSON.stringify(value, null, 2) for any value with lazy arrays in it', () => {
    type Spec = { t: 'leaf'; v: unknown } | { t: 'lazy'; xs: unknown[] } | { t: 'obj'; o: Record<string, Spec> } | { t: 'arr'; a: Spec[] };
    const spec = fc.letrec<{ s: Spec }>((tie) => ({
      s: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.jsonValue({ maxDepth: 2 }).map((v): Spec => ({ t: 'leaf', v })),
        fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }).map((xs): Spec => ({ t: 'lazy', xs })),
        fc.dictionary(fc.string(), tie('s'), { maxKeys: 4 }).map((o): Spec => ({ t: 'obj', o })),
        fc.array(tie('s'), { maxLength: 4 }).map((a): Spec => ({ t: 'arr', a })),
      ),
    })).s;
    // Lazy elements go through a mapping function, as reports' findings do.
    const lazyOf = (s: Spec): unknown =>
      s.t === 'leaf' ? s.v : s.t === 'lazy' ? new LazyArray(s.xs, (x, i) => ({ i, x })) : s.t === 'arr' ? s.a.map(lazyOf) : Object.fromEntries(Object.entries(s.o).map(([k, x]) => [k, lazyOf(x)]));
    const plainOf = (s: Spec): unknown =>
      s.t === 'leaf' ? s.v : s.t === 'lazy' ? s.xs.map((x, i) => ({ i, x })) : s.t === 'arr' ? s.a.map(plainOf) : Object.fromEntries(Object.entries(s.o).map(([k, x]) => [k, plainOf(x)]));
    fc.assert(
      fc.property(spec, (s) => {
        assert.equal(joinChunks(genericChunks(lazyOf(s))), `${JSON.stringify(plainOf(s), null, 2)}\n`);
      }),
      { numRuns: 500 },
    );
  });

  it('JSON, SARIF and text reports are byte-identical to their one-string form', () => {
    for (const n of [0, 1, 5, 12]) {
      const r = resultOf(n);
      assert.equal(joinChunks(jsonChunks(r, '9.9')), `${JSON.stringify(toJson(r, '9.9'), null, 2)}\n`);
      const opts = { version: '9.9', root: '/repo', cwd: '/repo' };
      assert.equal(joinChunks(sarifChunks(r, opts)), `${JSON.stringify(toSarif(r, opts), null, 2)}\n`);
      assert.equal(joinChunks(textChunks(r, { color: false, quiet: false })), formatText(r, { color: false, quiet: false }));
    }
  });

  it('a large report comes in many bounded chunks', () => {
    const r = resultOf(5000);
    const sizes = [...jsonChunks(r, '9.9')].map((c) => c.length);
    assert.ok(sizes.length > 20, `only ${sizes.length} chunks`);
    assert.ok(Math.max(...sizes) < 200_000, `a chunk of ${Math.max(...sizes)} characters`);
    const text = [...textChunks(r, { color: false, quiet: false })];
    assert.ok(text.length > 5);
  });
});
