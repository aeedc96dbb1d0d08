#!/usr/bin/env bash
# Installs, only when missing, the compilers ftlint's ABI tests use to build real ELF, PE and Mach-O
# extensions: Debian's mingw-w64 (PE), clang + lld + llvm (Mach-O). gcc and CPython 3.13 headers come with
# the machine. Using ftlint needs none of this.
set -euo pipefail
if command -v x86_64-w64-mingw32-gcc >/dev/null && command -v ld64.lld-14 >/dev/null && command -v llvm-lipo-14 >/dev/null; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq gcc-mingw-w64-x86-64 clang-14 lld-14 llvm-14 >/dev/null
