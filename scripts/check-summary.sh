#!/bin/sh
# Add up the result files the check-* suites wrote and print one line.
# Each file holds "passed failed [skipped]" for one suite; its name is the suite.
set -u
dir=${1:?usage: check-summary.sh CHECKDIR}
p=0 f=0 s=0 n=0
for r in "$dir"/*.result; do
	[ -f "$r" ] || continue
	read -r rp rf rs < "$r" || true
	printf '  %-24s %4s passed %4s failed %4s skipped\n' "$(basename "$r" .result)" "$rp" "$rf" "${rs:-0}"
	p=$((p + rp)) f=$((f + rf)) s=$((s + ${rs:-0})) n=$((n + 1))
done
if [ "$n" -eq 0 ]; then
	echo "check-summary: no suite wrote a result to $dir" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
