#!/bin/sh
# The demo's target phases on this machine (make demo runs them in the test
# VM against dnngov.ko: tests/agent-vm/e2e-run.sh): dnngovd on the bundled
# Fashion-MNIST supernet, replaying the Fashion-MNIST test set, with the best
# frequency backend this machine has
# (kernel: dnngov.ko, sysfs: the userspace governor, none: subnets only).
# dnngovctl changes the latency target and accuracy floor in phases; the
# summary per phase comes from dnngovd's own counters.
#
#   agent/examples/demo.sh BUILD_DIR [PHASE_SECONDS]
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
secs=${2:-6}
model=${DEMO_MODEL:-$top/models/fmnist-ofa.dnngov}
images=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
labels=/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz
py=/usr/bin/python3
demo=$build/demo
sock=$demo/dnngovd.sock
ctl="$build/bin/dnngovctl -s $sock"

if [ ! -f "$model" ]; then
	echo "demo: $model is missing; it ships with the repository (or rebuild it: make fmnist-model, about 1 h)" >&2
	exit 1
fi
for f in "$images" "$labels"; do
	[ -r "$f" ] || { echo "demo: $f is missing: sh scripts/deps.sh torch (package dataset-fashion-mnist)" >&2; exit 1; }
done

rm -rf "$demo" && mkdir -p "$demo"
cat > "$demo/dnngovd.conf" <<CONF
# written by agent/examples/demo.sh
[daemon]
backend = auto
socket = $sock
tick_ms = 100

[workload fmnist]
model = $model
threads = 1
target_ms = 1000
period_ms = 10
input = replay
replay = $images
labels = $labels
CONF

"$build/bin/dnngovd" -c "$demo/dnngovd.conf" 2> "$demo/dnngovd.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT INT TERM
i=0
while [ ! -S "$sock" ]; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! kill -0 $pid 2>/dev/null; then
		echo "demo: dnngovd did not start:" >&2
		cat "$demo/dnngovd.log" >&2
		exit 1
	fi
	sleep 0.1
done
sed 's/^/  /' "$demo/dnngovd.log"

# Targets from the latency model dnngovd calibrated on this machine.
$ctl --json levels fmnist > "$demo/levels.json"
set -- $($py - "$demo/levels.json" <<'PY'
import json, sys
lv = json.load(open(sys.argv[1]))["levels"]
t = [l["predicted_us"] / 1000.0 for l in lv]
print("%.3f %.3f %.2f" % (min(t), max(t), lv[-1]["accuracy"]))
PY
)
tmin=$1 tmax=$2 acctop=$3
# Warm-up at a loose target (the top level runs): rescale the calibrated
# latencies by what this machine, with its current load, really does.
$ctl set fmnist target "$($py -c "print(round(10 * $tmax, 3))")" floor 0 > /dev/null
sleep 2
$ctl --json status > "$demo/warmup.json"
set -- $($py - "$demo/warmup.json" "$tmin" "$tmax" <<'PY'
import json, sys
w = next(w for w in json.load(open(sys.argv[1]))["workloads"] if w["name"] == "fmnist")
tmin, tmax = float(sys.argv[2]), float(sys.argv[3])
mean = w["latency_sum_us"] / 1000.0 / w["inferences"] if w["inferences"] else tmax
k = min(4.0, max(0.5, mean / tmax))
print("%.3f %.3f %.2f" % (tmin * k, tmax * k, k))
PY
)
tmin=$1 tmax=$2
echo "demo: warm-up: the top level runs at $tmax ms here (x$3 the calibration)"
relaxed=$($py -c "print(round(2.0 * $tmax, 3))")
medium=$($py -c "print(round(($tmin + $tmax) / 2, 3))")
tight=$($py -c "print(round(1.2 * $tmin, 3))")
echo "demo: levels take $tmin .. $tmax ms here; $secs s per phase"
$ctl levels fmnist | sed 's/^/  /'

phase=0
run_phase() {	# NAME TARGET_MS FLOOR_PCT
	phase=$((phase + 1))
	$ctl --json status > "$demo/p$phase.before.json"
	$ctl set fmnist target "$2" floor "$3" > /dev/null
	echo "demo: phase $phase: $1 (target $2 ms, floor $3 %)"
	sleep "$secs"
	$ctl --json status > "$demo/p$phase.after.json"
	echo "$phase|$1|$2|$3" >> "$demo/phases"
}
run_phase relaxed "$relaxed" 0
run_phase medium "$medium" 0
run_phase tight "$tight" 0
run_phase "tight+floor" "$tight" "$acctop"
run_phase "relaxed again" "$relaxed" 0

$ctl top
kill -TERM $pid
wait $pid || true
trap - EXIT INT TERM

$py - "$demo" <<'PY'
import json, sys, os
d = sys.argv[1]
def wl(path):
    s = json.load(open(path))
    return s, next(w for w in s["workloads"] if w["name"] == "fmnist")
rows = []
for line in open(os.path.join(d, "phases")):
    n, name, target, floor = line.strip().split("|")
    s0, a = wl(os.path.join(d, "p%s.before.json" % n))
    s1, b = wl(os.path.join(d, "p%s.after.json" % n))
    inf = b["inferences"] - a["inferences"]
    if inf <= 0:
        continue
    miss = b["misses"] - a["misses"]
    lab = b["labelled"] - a["labelled"]
    cor = b["correct"] - a["correct"]
    freq = b["freq_khz"]
    rows.append((n, name, float(target), float(floor), "%d/%d" % (b["level"], b["levels"] - 1),
                 (b["accuracy_sum"] - a["accuracy_sum"]) / 100.0 / inf,
                 "%.0f MHz" % (freq / 1000) if freq else "-",
                 (b["latency_sum_us"] - a["latency_sum_us"]) / 1000.0 / inf,
                 100.0 * miss / inf, 100.0 * cor / lab if lab else float("nan"), inf))
print()
print("dnngov demo: backend %s, model %s" % (s1["backend"], b["model"]))
print("%-2s %-14s %9s %6s %6s %9s %9s %9s %7s %9s %6s" % ("#", "phase", "target", "floor", "level",
      "level acc", "frequency", "latency", "misses", "online", "inf"))
for r in rows:
    print("%-2s %-14s %6.3f ms %5.1f%% %6s %8.2f%% %9s %6.3f ms %6.1f%% %8.2f%% %6d" % r)
print("latency model: %s" % b["latency_model"])
print("level acc: mean profiled top-1 of the levels used; online: top-1 measured on the replayed labels")
print("latency: mean per inference in the phase; misses: inferences over the target")
PY
echo "demo: logs and snapshots in $demo"
