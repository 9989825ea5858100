# The end-to-end run inside the test VM (busybox sh; e2e-run.sh puts it in
# the image with dnngovd, dnngovctl, e2e_check, the model and the
# Fashion-MNIST test set, and sets PHASE_S). Lines for the host:
#   E2E-PHASE N NAME TARGET_MS FLOOR_PCT    a phase starts
#   E2E-SNAP N before|after JSON            dnngovctl --json status (daemon A)
#   E2E-SNAPB N after JSON                  the same of the second process
#   E2E-DEC ... / PASS agent-e2e / FAIL agent-e2e   from e2e_check and here
bb=/bin/busybox
PHASE_S=${PHASE_S:-6}
# TCG runs OpenBLAS's SSE kernels fastest (AVX-512 is emulated slowly)
export OPENBLAS_CORETYPE=Prescott
CPU=cpufreq:policy0
GPU=devfreq:dnngov-fake-gpu
G=/sys/class/devfreq/dnngov-fake-gpu
ctl="/bin/dnngovctl -s /tmp/a.sock"
ctlb="/bin/dnngovctl -s /tmp/b.sock"

check() {	# OK(0/1) TEXT
	if [ "$1" = 0 ]; then echo "PASS agent-e2e: $2"; else echo "FAIL agent-e2e: $2"; fi
}
wait_sock() {	# PATH PID
	i=0
	while [ ! -S "$1" ] && [ $i -lt 600 ] && kill -0 "$2" 2>/dev/null; do
		$bb sleep 0.2; i=$((i + 1))
	done
	[ -S "$1" ]
}
json() { $1 --json status | $bb tr -d '\n'; }

insmod /lib/modules/dnngov/dnngov.ko
echo dnngov > /sys/devices/system/cpu/cpufreq/policy0/scaling_governor
echo dnngov > $G/governor
# the kernel backend and the manager alone (PASS/FAIL agent-kernel lines)
/bin/kernel_smoke

# A board power calibration for the GPU: flat, 1100 mW busy / 1000 mW idle
# at every OPP (as the module's set_domain test), from its OPP list.
for hz in $(cat $G/available_frequencies); do
	echo "$GPU $((hz / 1000)) 1100 1000"
done > /tmp/power.txt
conf_a() {	# extra workloads after the first
	cat <<CONF
[daemon]
backend = kernel
socket = /tmp/a.sock
tick_ms = 100
power_model = /tmp/power.txt
[workload fmnist]
model = /fmnist.dnngov
domain = $CPU
threads = 1
target_ms = 10000
calibrate = measure
input = replay
replay = /t10k-images-idx3-ubyte.gz
labels = /t10k-labels-idx1-ubyte.gz
# requests from dnngov-client-example (no domain: subnet choice only)
[workload app]
model = /fmnist.dnngov
domain = none
threads = 1
target_ms = 10000
input = socket
CONF
	[ "$1" = more ] && cat <<CONF
[workload fmnist-2]
model = /fmnist.dnngov
domain = $CPU
threads = 1
target_ms = 10000
period_ms = 400
calibrate = measure
input = replay
replay = /t10k-images-idx3-ubyte.gz
labels = /t10k-labels-idx1-ubyte.gz
[workload fmnist-gpu]
model = /fmnist.dnngov
domain = $GPU
threads = 1
target_ms = 10000
period_ms = 400
input = replay
replay = /t10k-images-idx3-ubyte.gz
labels = /t10k-labels-idx1-ubyte.gz
CONF
	true
}
conf_a > /tmp/a.conf
/bin/dnngovd -v -c /tmp/a.conf 2> /tmp/a.log &
pa=$!
wait_sock /tmp/a.sock $pa
check $? "dnngovd started with backend = kernel (socket up)"
$bb sed 's/^/A: /' /tmp/a.log
$bb grep -q "power model of $GPU: [0-9]* OPPs" /tmp/a.log
check $? "dnngovd pushed the power_model file: $($bb grep -o 'power model of.*' /tmp/a.log)"
/bin/e2e_check power power-model $GPU 1100000 1000000

# Targets from the latencies dnngovd measured here at start-up: its level
# table (cycles, fixed time) at the frequency it measured at.
set -- $($ctl --json levels fmnist | $bb tr -d '\n' | $bb awk '{
	fm = 1000000
	if (match($0, /measured at [0-9]+ kHz/)) fm = substr($0, RSTART + 12, RLENGTH - 16) + 0
	n = split($0, a, "\"cycles\":"); split($0, f, "\"fixed_us\":"); mn = 1e18; mx = 0
	for (i = 2; i <= n; i++) {
		v = (a[i] + 0) * 1000 / fm + (f[i] + 0)
		if (v < mn) mn = v
		if (v > mx) mx = v
	}
	m = split($0, b, "\"accuracy\":")
	printf "%d %d %.2f %.2f\n", mn / 1000, mx / 1000, b[m] - 0.01, b[3] - 0.01 }')
tmin=${1:-100} tmax=${2:-300} acctop=${3:-0} acc2=${4:-0}
relaxed=$((5 * tmax)) tighter=$((2 * tmax)) tight=$((3 * tmin))
echo "E2E-LEVELS tmin=$tmin tmax=$tmax"

phase=0
run_phase() {	# NAME TARGET_MS FLOOR_PCT
	phase=$((phase + 1))
	echo "E2E-SNAP $phase before $(json "$ctl")"
	$ctl set fmnist target "$2" floor "$3" > /dev/null
	echo "E2E-PHASE $phase $1 $2 $3"
	$bb sleep "$PHASE_S"
	echo "E2E-SNAP $phase after $(json "$ctl")"
	/bin/e2e_check settle "$1" $CPU "$4"
}
# The policy spends least energy within target and floor: with the top
# level's accuracy as floor a tighter target costs frequency; without a
# floor the tight target runs the cheapest level.
run_phase relaxed $relaxed "$acctop" 1
out=$(/bin/dnngov-client-example -s /tmp/a.sock -n 5 app /t10k-images-idx3-ubyte.gz 2>&1)
echo "$out" | $bb grep -q "^image 4: level"
check $? "the example client's 5 requests answered: $(echo "$out" | $bb tail -1)"
# The tighter target is 0.6 x the mean service time the relaxed phase saw:
# the module's model, fitted to those reports, then needs a higher OPP
# whatever the start-up measurement was (it can be slow on a loaded host).
mean=$(json "$ctl" | $bb awk '{ i = index($0, "\"name\": \"fmnist\""); s = substr($0, i)
	if (i && match(s, /"mean_latency_us": *[0-9]+/)) { v = substr(s, RSTART, RLENGTH); gsub(/[^0-9]/, "", v); print v } }')
[ -n "$mean" ] && [ "$mean" -ge 2000 ] && tighter=$((mean * 6 / 10000))
echo "E2E-LEVELS tighter=$tighter ms (relaxed mean ${mean:-?} us)"
run_phase tighter $tighter "$acctop" 1
run_phase tight $tight 0 1
run_phase tight+floor $tight "$acc2" 1
run_phase relaxed-again $relaxed "$acctop" 1

# kill -9: the module drops the workload with its socket
kill -9 $pa
wait $pa
/bin/e2e_check floor kill-9 $CPU
rm -f /tmp/a.sock	# left behind by the killed daemon
/bin/dnngovd -v -c /tmp/a.conf 2> /tmp/a2.log &
pa=$!
wait_sock /tmp/a.sock $pa
check $? "dnngovd restarted after kill -9"
run_phase restarted $relaxed "$acctop" 1

# One daemon, two domains and two workloads on one domain: SIGHUP adds
# fmnist-2 (CPU) and fmnist-gpu (GPU, calibrated at two frequencies
# pinned through the devfreq limits, which must come back).
gmin=$(cat $G/min_freq) gmax=$(cat $G/max_freq)
conf_a more > /tmp/a.conf
kill -HUP $pa
i=0
while ! $ctl status 2>/dev/null | $bb grep -q fmnist-gpu && [ $i -lt 300 ]; do
	$bb sleep 0.2; i=$((i + 1))
done
run_phase one-daemon-2-domains $relaxed 0 2
/bin/e2e_check settle one-daemon-2-domains $GPU 1
[ "$(cat $G/min_freq) $(cat $G/max_freq)" = "$gmin $gmax" ]
check $? "GPU limits restored after calibration ($gmin..$gmax Hz; now $(cat $G/min_freq)..$(cat $G/max_freq))"
$bb grep -q "fmnist-gpu.*measured at [0-9]* and [0-9]* kHz" /tmp/a2.log
check $? "the GPU workload was calibrated at two pinned frequencies: $($bb grep -o 'fmnist-gpu: [0-9]* levels.*' /tmp/a2.log | $bb head -1)"

# A second process on the same CPU domain: the module arbitrates.
cat > /tmp/b.conf <<CONF
[daemon]
backend = kernel
socket = /tmp/b.sock
tick_ms = 100
[workload fmnist-b]
model = /fmnist.dnngov
domain = $CPU
threads = 1
target_ms = $tighter
period_ms = 400
calibrate = measure
input = replay
replay = /t10k-images-idx3-ubyte.gz
labels = /t10k-labels-idx1-ubyte.gz
CONF
/bin/dnngovd -v -c /tmp/b.conf 2> /tmp/b.log &
pb=$!
wait_sock /tmp/b.sock $pb
check $? "a second dnngovd process started"
run_phase two-processes $relaxed 0 3
echo "E2E-SNAPB $phase after $(json "$ctlb")"

$bb sed 's/^/A: /' /tmp/a2.log | $bb tail -40
$bb sed 's/^/B: /' /tmp/b.log | $bb tail -10
kill -TERM $pb
wait $pb
check $? "second dnngovd: clean exit on SIGTERM"
kill -TERM $pa
wait $pa
check $? "dnngovd: clean exit on SIGTERM"
/bin/e2e_check floor sigterm $CPU
echo "E2E-DONE"
$bb poweroff -f
