#!/bin/sh
# Configures (once) and builds odmasim in ./build.
# usage: scripts/build.sh [--werror]   (--werror: warnings are errors, as in CI)
set -eu
cd "$(dirname "$0")/.."
opts=
[ "${1:-}" = --werror ] && opts=--werror
[ -f build/build.ninja ] || meson setup build $opts >/dev/null
ninja -C build >/dev/null
