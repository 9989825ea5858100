#!/bin/sh
# Smoke run of build/bin/dnngov-sim: one shipped scenario with every
# contender, twice with the same seed (identical CSV), once with another
# seed (different CSV), and the command line's error messages.
# Prints "smoke: N passed, M failed, K skipped". Run from the repository root.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${SIM_BIN:-$TOP/build/bin/dnngov-sim}
BOARD=$TOP/sim/boards/xavier-nx.ini
DATA=$TOP/../shared/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
skip=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

if [ -f "$DATA/dynamic-ofa/subnets.json" ]; then
	for run in a b; do
		"$BIN" --board "$BOARD" --scenario "$TOP/sim/scenarios/corunner.ini" --data "$DATA" \
			--csv "$tmp/$run.csv" >"$tmp/$run.out" 2>&1 || bad "run $run: $(cat "$tmp/$run.out")"
	done
	"$BIN" --board "$BOARD" --scenario "$TOP/sim/scenarios/corunner.ini" --data "$DATA" --seed 99 \
		--csv "$tmp/c.csv" >/dev/null 2>&1 || bad "run with --seed 99"
	[ "$(wc -l <"$tmp/a.csv")" -eq 9 ] && ok || bad "expected a header and 8 contender rows in $(cat "$tmp/a.csv")"
	cmp -s "$tmp/a.csv" "$tmp/b.csv" && ok || bad "same seed, different CSV"
	cmp -s "$tmp/a.csv" "$tmp/c.csv" && bad "another seed gave the same CSV" || ok
	grep -q '^corunner,dnngov,base,3,' "$tmp/a.csv" && ok || bad "no dnngov row"
	grep -q 'real time' "$tmp/a.out" && ok || bad "no speed figure printed"
	sed -n 's/.*x\([0-9]*\) real time/\1/p' "$tmp/a.out" | sort -n | head -1 |
		sed 's/^/smoke: slowest contender ran at x/; s/$/ real time/'
else
	echo "smoke: no $DATA: skipping the scenario run"
	skip=$((skip + 5))
fi

# Errors: clear messages, exit status 1 (bad file) or 2 (bad usage).
out=$("$BIN" --board /nonexistent.ini --scenario x 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q '/nonexistent.ini: cannot open board file' && ok || bad "missing board: $out"
out=$("$BIN" --board "$BOARD" --scenario "$TOP/sim/scenarios/steady.ini" --cdyn-scale abc 2>&1)
[ $? -eq 2 ] && echo "$out" | grep -q -- "--cdyn-scale wants a factor" && ok || bad "bad factor: $out"
printf '[scenario]\nname = x\nduration_s = 1\n[workload a]\ndomain = gpu\ntarget_ms = fast\n' >"$tmp/bad.ini"
out=$("$BIN" --board "$BOARD" --scenario "$tmp/bad.ini" --data "$DATA" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "bad.ini:6: \[workload a\] key 'target_ms'" && ok || bad "bad scenario: $out"
out=$("$BIN" --board "$BOARD" --scenario "$TOP/sim/scenarios/steady.ini" --contender nobody --data "$DATA" 2>&1)
[ $? -eq 2 ] && echo "$out" | grep -q "no contender named 'nobody'" && ok || bad "bad contender: $out"
out=$("$BIN" --board "$BOARD" --scenario "$TOP/sim/scenarios/steady.ini" --data /nonexistent 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "/nonexistent/dynamic-ofa/subnets.json: cannot read" && ok || bad "missing data: $out"

echo "smoke: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
