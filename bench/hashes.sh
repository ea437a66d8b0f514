#!/bin/sh
# hashes.sh: verify time per legacy password format, at the parameters of
# the vectors in tests/integration/data/formats.tsv, with the ratio to
# yescrypt (what pam_unix spends on a Debian 12 /etc/shadow entry) measured
# in the same run. Writes bench/results/hashes.txt.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
mkdir -p "$HERE/results"
{
	echo "# hash verify bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores; median of up to 64 verifies"
	"$BUILD/bench/hash_times" "$ROOT/tests/integration/data/formats.tsv" "${1:-0.3}"
} | tee "$HERE/results/hashes.txt"
