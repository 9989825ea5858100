#!/bin/sh
# make compare: every scenario in sim/scenarios with every contender on the
# simulated Xavier NX, then the sensitivity run (dynamic power coefficients
# and compute fraction at -30 % and +30 %), then the report:
#   build/compare/results.md     Markdown tables, target check, sensitivity
#   build/compare/results.csv    one row per scenario x contender (base)
#   build/compare/sensitivity.csv
#   build/compare/diagnostic.csv  dnngov with sample_ms 100 (see results.md)
#   build/compare/<scenario>.png frequency, level, latency, power over time
# Environment: DNNGOV_DATA (default ../shared/data), BUILD (default build).
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
BIN=$BUILD/bin/dnngov-sim
BOARD=$TOP/sim/boards/xavier-nx.ini
DATA=${DNNGOV_DATA:-$TOP/../shared/data}
OUT=$BUILD/compare
PYTHON=${PYTHON:-/usr/bin/python3}

if [ ! -x "$BIN" ]; then
	echo "compare: $BIN is missing; run 'make sim' first" >&2
	exit 1
fi
if [ ! -f "$DATA/dynamic-ofa/subnets.json" ]; then
	echo "compare: no Dynamic-OFA data under $DATA (set DNNGOV_DATA to the shared data folder)" >&2
	exit 1
fi
command -v gnuplot >/dev/null 2>&1 || {
	echo "compare: gnuplot is missing: sh scripts/deps.sh compare" >&2
	exit 1
}

rm -rf "$OUT"
mkdir -p "$OUT/traces"
start=$(date +%s)
for sc in "$TOP"/sim/scenarios/*.ini; do
	nice -n 10 "$BIN" --board "$BOARD" --scenario "$sc" --data "$DATA" \
		--csv "$OUT/results.csv" --trace-dir "$OUT/traces" | tee -a "$OUT/run.log"
done
for v in "cdyn-0.7 --cdyn-scale 0.7" "cdyn-1.3 --cdyn-scale 1.3" \
	 "compute-0.7 --compute-scale 0.7" "compute-1.3 --compute-scale 1.3"; do
	# shellcheck disable=SC2086
	set -- $v
	name=$1
	shift
	for sc in "$TOP"/sim/scenarios/*.ini; do
		nice -n 10 "$BIN" --board "$BOARD" --scenario "$sc" --data "$DATA" \
			--variant "$name" --csv "$OUT/sensitivity.csv" "$@" >>"$OUT/run.log"
	done
done
# Diagnostic: dnngov with the sim backend's load sampling at the manager's
# report period (100 ms) instead of dnngov.ko's default sample_ms (50 ms).
for sc in "$TOP"/sim/scenarios/*.ini; do
	nice -n 10 "$BIN" --board "$BOARD" --scenario "$sc" --data "$DATA" --contender dnngov \
		--dnngov-sample-ms 100 --variant sample-100ms --csv "$OUT/diagnostic.csv" >>"$OUT/run.log"
done
"$PYTHON" "$TOP/scripts/compare_report.py" "$OUT"
for g in "$OUT"/traces/*.gp; do
	gnuplot "$g"
done
echo "compare: $(ls "$OUT"/*.png | wc -l) plots, report $OUT/results.md ($(( $(date +%s) - start )) s)"
