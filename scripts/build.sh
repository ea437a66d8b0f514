#!/bin/sh
# build.sh [BUILD_DIR] [CMAKE_OPTION...]: configure and build customdb
# (default ./build, with the tests).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$ROOT/build}
[ $# -gt 0 ] && shift
cmake -S "$ROOT" -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$B" -j"$(nproc)" >/dev/null
