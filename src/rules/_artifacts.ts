// Shared pieces of the FT8 (wheel and binary) rules: walking every binary with its wheel, and the
// remedies they point to.
import type { Remedy } from '../engine/types.js';
import type { ArtifactBinary, ArtifactSet, Wheel } from '../abi/model.js';

export interface BinaryInWheel {
  bin: ArtifactBinary;
  wheel: Wheel | null;
}

/** Every binary, inside wheels first (in wheel order), then the ones given directly. */
export function allBinaries(set: ArtifactSet): BinaryInWheel[] {
  return [...set.wheels.flatMap((wheel) => wheel.binaries.map((bin) => ({ bin, wheel }))), ...set.binaries.map((bin) => ({ bin, wheel: null }))];
}

export const fileName = (bin: ArtifactBinary): string => (bin.member ?? bin.path).replace(/^.*[/\\]/, '');

/** `x86_64 and aarch64 slices` or `` (thin binaries need no arch in the message). */
export function slicesNote(bin: ArtifactBinary, archs: string[]): string {
  if ((bin.info?.slices.length ?? 0) < 2) return '';
  return ` (${archs.join(' and ')} slice${archs.length > 1 ? 's' : ''})`;
}

export const BUILD_FREE_THREADED: Remedy = {
  api: 'Py_GIL_DISABLED',
  since: '3.13',
  compat: null,
  snippet:
    '# Build the t wheel with a free-threaded interpreter: its headers and sysconfig define Py_GIL_DISABLED.\n' +
    'python3.13t -m pip wheel . --no-deps -w dist/\n' +
    '# cibuildwheel: build = "cp313t-* cp314t-*"\n' +
    '# Windows: the installer\'s headers are shared by both builds; also pass -DPy_GIL_DISABLED=1',
};

export const BUILD_GIL: Remedy = {
  api: 'Py_GIL_DISABLED',
  since: '3.13',
  compat: null,
  snippet:
    '# A GIL wheel must not be compiled with Py_GIL_DISABLED: build it with the regular interpreter,\n' +
    '# and ship the free-threaded build as its own cp3XY-cp3XYt wheel.\n' +
    'python3.13 -m pip wheel . --no-deps -w dist/     # cp313-cp313\n' +
    'python3.13t -m pip wheel . --no-deps -w dist/    # cp313-cp313t',
};

export const EXT_SUFFIX_REMEDY: Remedy = {
  api: "sysconfig.get_config_var('EXT_SUFFIX')",
  since: null,
  compat: null,
  snippet:
    "# Let the build backend name the file for the interpreter it builds for:\n" +
    "python3.13t -c \"import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))\"\n" +
    '# .cpython-313t-x86_64-linux-gnu.so (Linux), .cpython-313t-darwin.so (macOS), .cp313t-win_amd64.pyd (Windows)',
};
