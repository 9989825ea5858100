#!/bin/sh
# record-result.sh SUITE PASSED FAILED [SKIPPED]: write one suite's counts for
# scripts/check-summary.sh. CHECKDIR defaults to build/check.
set -eu
dir=${CHECKDIR:-build/check}
mkdir -p "$dir"
echo "$2 $3 ${4:-0}" > "$dir/$1.result"
