#!/usr/bin/env bash
# Installs, only when missing, what the test suite runs besides node: the compilers the ABI tests use to
# build real ELF, PE and Mach-O extensions (Debian's mingw-w64, clang + lld + llvm; gcc and the CPython 3.13
# headers come with the machine) and Debian's pre-commit, which tests/precommit.test.ts runs against the
# working tree. Using ftlint needs none of this.
set -euo pipefail
pkgs=()
command -v x86_64-w64-mingw32-gcc >/dev/null || pkgs+=(gcc-mingw-w64-x86-64)
command -v ld64.lld-14 >/dev/null || pkgs+=(lld-14)
command -v clang-14 >/dev/null || pkgs+=(clang-14)
command -v llvm-lipo-14 >/dev/null || pkgs+=(llvm-14)
command -v pre-commit >/dev/null || pkgs+=(pre-commit)
[ ${#pkgs[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${pkgs[@]}" >/dev/null
