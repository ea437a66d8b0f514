#!/bin/sh
# Build the libFuzzer targets with clang in build-fuzz/ and run each for
# SECONDS (default 20) from the seeds in tests/fuzz/corpus/<target>/.
# Exits non-zero when a target fails to build or finds a crash, leak,
# timeout or undefined behaviour; the input is left in
# build-fuzz/artifacts/.
#
# Usage: tests/fuzz/run.sh [SECONDS]
set -eu

seconds=${1:-20}
top=$(cd "$(dirname "$0")/../.." && pwd)
build="$top/build-fuzz"
seeds="$top/tests/fuzz/corpus"
targets="wire hostcache config query hash output json_row odbc time namemap"

CC=${CC:-clang} cmake -S "$top" -B "$build" -DCUSTOMDB_FUZZ=ON -DCUSTOMDB_TESTS=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
for t in $targets; do
	cmake --build "$build" -j "${JOBS:-2}" --target "fuzz_$t"
done

mkdir -p "$build/artifacts"
failed=""
for t in $targets; do
	# New inputs go to the working corpus; the seed directory stays as it is.
	work="$build/corpus/$t"
	mkdir -p "$work"
	# A target's dictionary, when it has one (tests/fuzz/<target>.dict).
	dict=""
	if [ -f "$top/tests/fuzz/$t.dict" ]; then
		dict="-dict=$top/tests/fuzz/$t.dict"
	fi
	echo "== fuzz_$t for ${seconds}s"
	if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	     ASAN_OPTIONS=detect_leaks=1 \
	     "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 $dict \
		-artifact_prefix="$build/artifacts/fuzz_$t-" \
		"$work" "$seeds/$t" >"$build/fuzz_$t.log" 2>&1; then
		tail -n 60 "$build/fuzz_$t.log"
		failed="$failed fuzz_$t"
	else
		grep -E '^(stat::number_of_executed_units|Done)' "$build/fuzz_$t.log" || true
	fi
done

if [ -n "$failed" ]; then
	echo "FAILED:$failed (inputs in $build/artifacts/)" >&2
	exit 1
fi
echo "all fuzz targets ran ${seconds}s without a finding"
