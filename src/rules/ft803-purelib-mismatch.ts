import { looksBinary } from '../abi/wheel.js';
import { defineArtifactRule } from './types.js';

export default defineArtifactRule({
  meta: {
    id: 'FT803',
    name: 'purelib-mismatch',
    title: 'Root-Is-Purelib or a pure tag disagrees with the compiled code in the wheel',
    family: 'FT8',
    severity: 'warning',
    why:
      '`Root-Is-Purelib: true` tells installers the wheel holds no compiled code and may go to `purelib`; on systems where purelib and platlib differ (`lib` and `lib64`) ' +
      'an extension module lands in the wrong tree. A wheel tagged `…-none-any` with a compiled extension inside installs on every interpreter and platform, ' +
      'including free-threaded ones the binary was never built for. A wheel that says `Root-Is-Purelib: false` but holds no binary and is tagged pure is harmless but wrong (info).\n\n' +
      'Quiet when binaries and `Root-Is-Purelib: false` go together, and pure wheels say `true`.',
    bad: '# dist/spam-1.0-py3-none-any.whl holds spam/_speedups.cpython-313-x86_64-linux-gnu.so\nRoot-Is-Purelib: true\nTag: py3-none-any',
    good: '# dist/spam-1.0-cp313-cp313-manylinux_2_17_x86_64.whl\nRoot-Is-Purelib: false\nTag: cp313-cp313-manylinux_2_17_x86_64',
    remedy: {
      api: 'Root-Is-Purelib: false',
      since: null,
      compat: null,
      snippet: '# setuptools: declare the extension (ext_modules) so bdist_wheel tags a platform wheel;\n# a wheel with compiled code is Root-Is-Purelib: false and carries python, ABI and platform tags.',
    },
    exampleLanguage: 'text',
    references: ['https://packaging.python.org/en/latest/specifications/binary-distribution-format/'],
  },
  check(ctx) {
    for (const w of ctx.artifacts.wheels) {
      if (!w.readable) continue;
      const bins = w.members.filter((m) => looksBinary(m.name));
      const pureTags = !!w.name && w.name.abiTags.every((a) => a === 'none') && w.name.platformTags.every((p) => p === 'any');
      const first = bins[0]?.name;
      if (bins.length && pureTags) {
        ctx.report(w.path, { message: `the wheel is tagged ${w.name?.pythonTags.join('.')}-none-any but holds compiled code (${first}${bins.length > 1 ? ` and ${bins.length - 1} more` : ''}): it installs on every interpreter and platform, free-threaded ones included` });
      }
      const md = w.wheel;
      if (!md || md.rootIsPurelib === null) continue;
      const at = `${w.path}!${md.member}`;
      if (md.rootIsPurelib && bins.length) ctx.report(at, { message: `Root-Is-Purelib: true, but the wheel holds compiled code (${first}${bins.length > 1 ? ` and ${bins.length - 1} more` : ''})` });
      else if (!md.rootIsPurelib && !bins.length && pureTags) ctx.report(at, { message: 'Root-Is-Purelib: false in a pure wheel without compiled code', severity: 'info' });
    }
  },
});
