#!/bin/sh
# Build the project with AddressSanitizer + UndefinedBehaviorSanitizer in
# build-asan/ and run the unit tests there. Exits non-zero on any failure,
# leak or undefined behaviour.
#
# Usage: tests/unit/run-sanitized.sh [extra cmake args...]
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build="$top/build-asan"
jobs=${JOBS:-2}

cmake -S "$top" -B "$build" -DCUSTOMDB_SANITIZE=ON -DCUSTOMDB_TESTS=ON \
	-DCMAKE_BUILD_TYPE=Debug "$@"
cmake --build "$build" -j "$jobs"

# CK_FORK=no: every test runs in the one process, so LeakSanitizer reports
# at its exit (and fails it) instead of in forked children Check reaps.
CK_FORK=no \
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ctest --test-dir "$build" --output-on-failure -L unit -j "$jobs"
