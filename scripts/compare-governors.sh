#!/bin/sh
# The governor comparison on a real board: the scenarios of sim/scenarios run
# with the stock governors (performance, powersave, schedutil, ondemand; GPU
# simple_ondemand where the board offers it) and with dnngov.ko, measuring
# energy from the board's sensors:
#   Jetson  INA3221 rails (hwmon on JetPack 5/6, iio on JetPack 4), sampled
#           every 50 ms and integrated; the nvpmodel mode is recorded
#   x86     RAPL powercap energy counters (read before and after each run)
#
#   compare-governors.sh --model FILE --replay FILE [--labels FILE]
#                        [--scenario FILE]... [--duration S] [--out DIR]
#   compare-governors.sh --check       only detect sensors and governors
#
# Needs root (governor switching, insmod, RAPL counters). The workload runs
# in dnngovd (backend "kernel" with dnngov.ko, "none" under the stock
# governors: the same subnet adaptation, no frequency control). Events the
# hardware cannot replay (co-runners, caps) are skipped with a note.
# Environment: SYSFS_ROOT (default "", the live system; tests point it at
# recorded trees), DNNGOVD, DNNGOVCTL, DNNGOV_KO (default build paths).
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${SYSFS_ROOT:-}
RAILS_LIB=1
. "$TOP/scripts/power/rails.sh"

DNNGOVD=${DNNGOVD:-$TOP/build/bin/dnngovd}
DNNGOVCTL=${DNNGOVCTL:-$TOP/build/bin/dnngovctl}
DNNGOV_KO=${DNNGOV_KO:-$TOP/build/module/dnngov.ko}
OUT=$TOP/build/compare-board
DURATION=30
MODEL=""
REPLAY=""
LABELS=""
SCENARIOS=""
CHECK=0

die() {
	echo "compare-governors: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--model) MODEL=${2:?}; shift 2 ;;
	--replay) REPLAY=${2:?}; shift 2 ;;
	--labels) LABELS=${2:?}; shift 2 ;;
	--scenario) SCENARIOS="$SCENARIOS ${2:?}"; shift 2 ;;
	--duration) DURATION=${2:?}; shift 2 ;;
	--out) OUT=${2:?}; shift 2 ;;
	--check) CHECK=1; shift ;;
	-h | --help) sed -n '2,22p' "$0"; exit 0 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done

# 1. Sensors: without them there is nothing to measure.
if ! SENSORS=$(rails_detect "$ROOT"); then
	die "cannot measure energy on this machine: ${SENSORS#none: }. Run it on a Jetson (INA3221 power monitor) or an x86 machine with RAPL (intel_rapl driver loaded)."
fi
BACKEND=${SENSORS%% *}
echo "compare-governors: sensors: $BACKEND"
rails_read "$ROOT" | sed 's/^/  /' || die "sensors found but none readable (run as root?)"
MODE=$(rails_mode "$ROOT" 2>/dev/null || true)
[ "$BACKEND" = rapl ] || echo "compare-governors: nvpmodel mode: $MODE"

# 2. Governors.
CPUFREQ=$ROOT/sys/devices/system/cpu/cpufreq
POLICIES=$(ls -d "$CPUFREQ"/policy* 2>/dev/null || true)
[ -n "$POLICIES" ] || die "no cpufreq policies under $CPUFREQ: no frequency control to compare"
GPU=""
for d in "$ROOT"/sys/class/devfreq/*; do
	case ${d##*/} in *gv11b* | *ga10b* | *gpu*) GPU=$d ;; esac
done
echo "compare-governors: cpufreq policies: $(echo "$POLICIES" | wc -l)${GPU:+, GPU devfreq ${GPU##*/}}"
if [ $CHECK = 1 ]; then
	exit 0
fi

[ "$(id -u)" -eq 0 ] || die "needs root to switch governors and read RAPL"
[ -n "$MODEL" ] && [ -n "$REPLAY" ] || die "--model and --replay are required (the workload runs in dnngovd)"
[ -x "$DNNGOVD" ] || die "$DNNGOVD missing: run 'make userspace'"
[ -n "$SCENARIOS" ] || SCENARIOS=$(ls "$TOP"/sim/scenarios/*.ini)
mkdir -p "$OUT"
CSV=$OUT/results.csv
[ -f "$CSV" ] || echo "scenario,governor,backend,mode,duration_s,rail,energy_j,inferences,misses,accuracy_mean" >"$CSV"

# One key of the first [workload] section of a scenario file.
sc_key() {
	awk -v k="$2" '
	/^\[workload / { inw++ }
	/^\[/ && !/^\[workload / && inw { exit }
	inw == 1 && $1 == k { sub(/^[^=]*= */, ""); print; exit }' "$1"
}

domain_of() {
	case $1 in
	gpu) echo "devfreq:${GPU##*/}" ;;
	cpu0) echo "cpufreq:policy0" ;;
	cpu1) echo "cpufreq:policy2" ;;
	cpu2) echo "cpufreq:policy4" ;;
	*) echo auto ;;
	esac
}

set_governor() {
	for p in $POLICIES; do
		echo "$1" >"$p/scaling_governor" || die "cannot set $1 on ${p##*/}"
	done
	if [ -n "$GPU" ]; then
		g=$2
		grep -qw "$g" "$GPU/available_governors" 2>/dev/null || g=$(cat "$GPU/governor")
		echo "$g" >"$GPU/governor" || die "cannot set GPU governor $g"
	fi
}

# Background sampler: T_S<TAB>RAIL<TAB>mW every 50 ms.
sample_rails() {
	t0=$(date +%s.%N)
	while :; do
		t=$(date +%s.%N)
		rails_read "$ROOT" 2>/dev/null | awk -v t="$t" -v t0="$t0" -F '\t' '{ printf "%.3f\t%s\t%s\n", t - t0, $1, $2 }'
		sleep 0.05
	done
}

run_one() {
	sc=$1
	gov=$2
	name=$(sed -n 's/^name *= *//p' "$sc" | head -1)
	if grep -Eq '^action *= *(corunner|limit|mode)' "$sc"; then
		echo "compare-governors: $name: has events the board cannot replay here; running its workload only"
	fi
	cfg=$OUT/$name-$gov.conf
	backend=none
	[ "$gov" = dnngov ] && backend=kernel
	{
		echo "[daemon]"
		echo "backend = $backend"
		echo "socket = $OUT/dnngovd.sock"
		echo "[workload $(sc_key "$sc" '[workload' || echo cam)]"
		echo "model = $MODEL"
		echo "domain = $(domain_of "$(sc_key "$sc" domain)")"
		echo "target_ms = $(sc_key "$sc" target_ms)"
		p=$(sc_key "$sc" period_ms)
		[ -n "$p" ] && echo "period_ms = $p"
		f=$(sc_key "$sc" accuracy_floor)
		[ -n "$f" ] && echo "accuracy_floor = $f"
		echo "input = replay"
		echo "replay = $REPLAY"
		[ -n "$LABELS" ] && echo "labels = $LABELS"
	} >"$cfg"
	if [ "$gov" = dnngov ]; then
		grep -q '^dnngov ' /proc/modules || insmod "$DNNGOV_KO" || die "cannot load $DNNGOV_KO"
		set_governor dnngov dnngov
	else
		gpu_gov=simple_ondemand
		[ "$gov" = performance ] || [ "$gov" = powersave ] && gpu_gov=$gov
		set_governor "$gov" "$gpu_gov"
	fi
	[ "$BACKEND" = rapl ] && rails_read "$ROOT" >"$OUT/rapl-start"
	sample_rails >"$OUT/samples-$name-$gov.tsv" &
	sampler=$!
	"$DNNGOVD" -c "$cfg" >"$OUT/dnngovd-$name-$gov.log" 2>&1 &
	daemon=$!
	sleep "$DURATION"
	stats=$("$DNNGOVCTL" --socket "$OUT/dnngovd.sock" status --json 2>/dev/null || echo '{}')
	kill "$daemon" 2>/dev/null || true
	wait "$daemon" 2>/dev/null || true
	kill "$sampler" 2>/dev/null || true
	wait "$sampler" 2>/dev/null || true
	echo "$stats" >"$OUT/status-$name-$gov.json"
	inf=$(echo "$stats" | sed -n 's/.*"inferences": *\([0-9]*\).*/\1/p' | head -1)
	miss=$(echo "$stats" | sed -n 's/.*"misses": *\([0-9]*\).*/\1/p' | head -1)
	acc=$(echo "$stats" | sed -n 's/.*"mean_level_accuracy": *\([0-9.]*\).*/\1/p' | head -1)
	if [ "$BACKEND" = rapl ]; then
		rails_read "$ROOT" >"$OUT/rapl-end"
		join -t "$(printf '\t')" "$OUT/rapl-start" "$OUT/rapl-end" | while IFS="$(printf '\t')" read -r rail a b; do
			zone=$(grep -l "^${rail##*/}\$" "$ROOT"/sys/class/powercap/intel-rapl:*/name | head -1)
			max=$(cat "${zone%/name}/max_energy_range_uj" 2>/dev/null || echo 0)
			uj=$(rails_rapl_delta "$a" "$b" "$max")
			echo "$name,$gov,rapl,,$DURATION,$rail,$(awk -v u="$uj" 'BEGIN { printf "%.3f", u / 1e6 }'),$inf,$miss,$acc"
		done >>"$CSV"
	else
		rails_integrate <"$OUT/samples-$name-$gov.tsv" | while IFS="$(printf '\t')" read -r rail j; do
			echo "$name,$gov,$BACKEND,$(echo "$MODE" | cut -f2),$DURATION,$rail,$j,$inf,$miss,$acc"
		done >>"$CSV"
	fi
	echo "compare-governors: $name / $gov done"
}

saved=$(cat "${POLICIES%%
*}/scaling_governor")
trap 'set_governor "$saved" "$saved" 2>/dev/null || true' EXIT
for sc in $SCENARIOS; do
	for gov in performance powersave schedutil ondemand dnngov; do
		run_one "$sc" "$gov"
	done
done
echo "compare-governors: results in $CSV"
