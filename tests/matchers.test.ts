// Problem matchers: the `$ftlint` matcher contributed by the VS Code extension in vscode/, and the
// GitHub `::add-matcher::` JSON in matchers/. Their regular expressions run (JavaScript RegExp, as VS Code
// uses; the runner's .NET ECMAScript mode accepts the same subset) over ftlint's real output for the
// whole fixture suite, and every finding must come out with the right fields.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ftlint } from './helpers/cli.js';
import { REPO } from './helpers/paths.js';

interface Pattern {
  regexp: string;
  file?: number;
  line?: number;
  column?: number;
  severity?: number;
  message?: number;
  code?: number;
  loop?: boolean;
  fromPath?: number;
}
interface Matched {
  file: string;
  line: number;
  column: number;
  severity: string;
  message: string;
  code: string;
}

const ext = JSON.parse(readFileSync(join(REPO, 'vscode/package.json'), 'utf8')) as {
  name: string;
  publisher: string;
  engines: { vscode: string };
  main?: string;
  contributes: { problemPatterns: (Pattern & { name: string })[]; problemMatchers: { name: string; owner: string; pattern: string; fileLocation: string[] }[] };
};
const gh = JSON.parse(readFileSync(join(REPO, 'matchers/github.json'), 'utf8')) as { problemMatcher: { owner: string; severity?: string; pattern: Pattern[] }[] };

function apply(p: Pattern, line: string, defaultSeverity = ''): Matched | null {
  const m = new RegExp(p.regexp).exec(line);
  if (!m) return null;
  const g = (i?: number) => (i === undefined ? '' : (m[i] ?? ''));
  return { file: g(p.file), line: Number(g(p.line)), column: Number(g(p.column)), severity: g(p.severity) || defaultSeverity, message: g(p.message), code: g(p.code) };
}

interface JsonOut {
  findings: { rule: string; severity: string; path: string; line: number; column: number; message: string }[];
  diagnostics: { code: string; path: string; message: string; severity: string }[];
}
const json = JSON.parse(ftlint(['fixtures', '-f', 'json']).stdout) as JsonOut;
const expected = [
  ...json.findings.map((f) => ({ file: f.path, line: f.line, column: f.column, severity: f.severity, message: f.message, code: f.rule })),
  ...json.diagnostics.map((d) => ({ file: d.path, line: 1, column: 1, severity: d.severity, message: d.message, code: d.code })),
];
const outputs = { text: ftlint(['fixtures']).stdout, gcc: ftlint(['fixtures', '-f', 'gcc']).stdout };
const sevName = (s: string) => (s === 'note' ? 'info' : s);

describe('VS Code: the $ftlint problem matcher (vscode/)', () => {
  const pattern = ext.contributes.problemPatterns.find((p) => p.name === 'ftlint') as Pattern;
  const matcher = ext.contributes.problemMatchers.find((m) => m.name === 'ftlint');

  it('is contributed by a declarative extension', () => {
    assert.ok(pattern);
    assert.equal(matcher?.pattern, '$ftlint', 'the matcher uses the contributed pattern');
    assert.equal(matcher?.owner, 'ftlint');
    assert.deepEqual(matcher?.fileLocation, ['autoDetect', '${workspaceFolder}']);
    assert.equal(ext.main, undefined, 'no code: contributions only');
    assert.match(ext.engines.vscode, /^\^1\.\d+\.\d+$/);
  });

  for (const [format, out] of Object.entries(outputs)) {
    it(`captures every finding of the fixture suite from --format ${format}, and nothing else`, () => {
      assert.ok(expected.length > 40, 'the fixture suite has findings of every severity');
      assert.ok(expected.some((e) => e.severity === 'info') && expected.some((e) => e.severity === 'error'));
      const got = out.split('\n').map((l) => apply(pattern, l)).filter((x): x is Matched => x !== null).map((x) => ({ ...x, severity: sevName(x.severity) }));
      assert.deepEqual(got, expected);
    });
  }

  it('handles Windows paths, colons and brackets in messages', () => {
    assert.deepEqual(apply(pattern, 'C:\\src\\m.c:3:14: warning: a: b [x] [FT201]'), { file: 'C:\\src\\m.c', line: 3, column: 14, severity: 'warning', message: 'a: b [x]', code: 'FT201' });
    assert.equal(apply(pattern, '    = use instead: PyDict_GetItemRef (CPython 3.13+) [FT201]'), null);
  });
});

describe('GitHub: matchers/github.json for ::add-matcher::', () => {
  it("follows the runner's rules (owners, severities, groups, one message)", () => {
    const owners = gh.problemMatcher.map((m) => m.owner);
    assert.equal(new Set(owners).size, owners.length, 'owners are unique');
    for (const m of gh.problemMatcher) {
      assert.ok(m.owner);
      if (m.severity !== undefined) assert.ok(['error', 'warning', 'notice'].includes(m.severity), m.severity);
      const props = new Set<string>();
      m.pattern.forEach((p, i) => {
        assert.doesNotMatch(p.regexp, /\(\?<[=!]|\(\?<\w|\\[pPk]\{|\(\?[imsx]/, 'only the ECMAScript subset .NET shares');
        const groups = (new RegExp(`${p.regexp}|`).exec('') as RegExpExecArray).length - 1;
        for (const k of ['file', 'line', 'column', 'severity', 'message', 'code', 'fromPath'] as const) {
          const v = p[k];
          if (v === undefined) continue;
          assert.ok(v >= 1 && v <= groups, `${m.owner}.${k} = ${v} but the regexp has ${groups} groups`);
          assert.ok(!props.has(k), `${k} set twice`);
          props.add(k);
        }
        if (p.loop) assert.equal(i, m.pattern.length - 1);
      });
      assert.ok(props.has('message'));
    }
  });

  it('turns each finding of the text output into one annotation of the right level', () => {
    const got: Matched[] = [];
    for (const line of outputs.text.split('\n')) {
      const hits = gh.problemMatcher.map((m) => apply(m.pattern[0] as Pattern, line, m.severity)).filter((x): x is Matched => x !== null);
      assert.ok(hits.length <= 1, `one matcher per line: ${line}`);
      if (hits[0]) got.push(hits[0]);
    }
    assert.deepEqual(
      got,
      expected.map((e) => ({ ...e, severity: e.severity === 'info' ? 'notice' : e.severity })),
    );
  });
});
