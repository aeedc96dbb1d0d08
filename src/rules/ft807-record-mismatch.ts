import { defineArtifactRule } from './types.js';

const MAX_PER_WHEEL = 10;
const UNLISTED_OK = /\/RECORD(\.jws|\.p7s)?$/;

export default defineArtifactRule({
  meta: {
    id: 'FT807',
    name: 'record-mismatch',
    title: "The wheel's RECORD does not list exactly the files in the archive",
    family: 'FT8',
    severity: 'error',
    why:
      '`.dist-info/RECORD` lists every file of a wheel with its hash and size; installers use it to install and uninstall, and some verify it. ' +
      'A file missing from RECORD is never uninstalled; a RECORD row for a file that is not in the archive, or with another size, means the wheel was edited after it was built — ' +
      'typically a binary swapped in or renamed to make a `cp313t` wheel, which is exactly what the other FT8 rules look for.\n\n' +
      'Quiet when every file (except RECORD itself and its signatures) is listed once with its real size, and every binary\'s content matches its RECORD hash ' +
      '(binaries are hashed while ftlint verifies them; other files are compared by size only).',
    bad: '# RECORD of dist/spam-1.0-cp313-cp313t-linux_x86_64.whl\nspam/_core.cpython-313-x86_64-linux-gnu.so,sha256=…,16384\n# but the archive holds spam/_core.cpython-313t-x86_64-linux-gnu.so',
    good: 'spam/_core.cpython-313t-x86_64-linux-gnu.so,sha256=…,16384\nspam-1.0.dist-info/RECORD,,',
    remedy: {
      api: 'RECORD',
      since: null,
      compat: null,
      snippet: '# Never edit a wheel by hand; rebuild it, or unpack and repack so RECORD is regenerated:\npython -m wheel unpack dist/spam-1.0-cp313-cp313t-linux_x86_64.whl -d build/\npython -m wheel pack build/spam-1.0 -d dist/',
    },
    exampleLanguage: 'text',
    references: ['https://packaging.python.org/en/latest/specifications/recording-installed-packages/#the-record-file', 'https://packaging.python.org/en/latest/specifications/binary-distribution-format/'],
  },
  check(ctx) {
    for (const w of ctx.artifacts.wheels) {
      if (!w.readable || !w.distInfo) continue;
      const recordName = `${w.distInfo}/RECORD`;
      if (!w.members.some((m) => m.name === recordName)) {
        ctx.report(w.path, { message: `${recordName} is missing: installers cannot record, verify or uninstall the wheel's files` });
        continue;
      }
      if (!w.record) continue; // unreadable: an FT000 diagnostic says why
      const at = `${w.path}!${recordName}`;
      const listed = new Map<string, number>();
      for (const r of w.record.rows) listed.set(r.path, (listed.get(r.path) ?? 0) + 1);
      const sizes = new Map(w.members.map((m) => [m.name, m.size]));
      const digests = new Map(w.binaries.filter((b) => b.member && b.digest).map((b) => [b.member as string, b.digest as string]));
      let n = 0;
      const report = (path: string, message: string) => {
        if (n++ < MAX_PER_WHEEL) ctx.report(path, { message });
      };
      for (const m of w.members) {
        if (UNLISTED_OK.test(m.name) || listed.has(m.name)) continue;
        report(`${w.path}!${m.name}`, `${m.name} is in the archive but not in RECORD`);
      }
      for (const r of w.record.rows) {
        if (!sizes.has(r.path)) report(at, `RECORD line ${r.line} lists ${r.path}, which is not in the archive`);
        else if ((listed.get(r.path) ?? 0) > 1 && w.record.rows.find((x) => x.path === r.path) !== r) report(at, `RECORD line ${r.line} lists ${r.path} a second time`);
        else if (r.size !== null && r.size !== sizes.get(r.path)) report(at, `RECORD line ${r.line} gives ${r.path} a size of ${Number.isNaN(r.size) ? 'something that is not a number' : `${r.size} bytes`}; the archive holds ${sizes.get(r.path)} bytes`);
        else if (r.size === null && r.hash === '' && r.path !== recordName) report(at, `RECORD line ${r.line} gives ${r.path} no hash and no size`);
        else if (r.hash && digests.has(r.path) && digests.get(r.path) !== r.hash) report(at, `RECORD line ${r.line}: the hash of ${r.path} does not match its content (the binary was changed after the wheel was built)`);
      }
      if (n > MAX_PER_WHEEL) ctx.report(at, { message: `… and ${n - MAX_PER_WHEEL} more RECORD problems in this wheel` });
    }
  },
});
