#!/bin/sh
# The agent against dnngov.ko in the test VM of mk/vm.mk (x86_64): adds
# static agent programs, a tiny model, 20 Fashion-MNIST-sized images and a
# start script to the VM image and boots it with vmtest=platform. The in-VM
# shell runs the script through $ENV:
#   1. kernel_smoke: the kernel backend + manager (PASS/FAIL lines);
#   2. dnngovd with backend = kernel on a socket workload: requests from the
#      example client, dnngovctl status/set, SIGTERM; dnngovctl domains
#      straight from the module afterwards.
#
#   run.sh KERNEL_DIR INITRAMFS WORKDIR KERNEL_SMOKE DNNGOVD DNNGOVCTL CLIENT MODEL
set -eu
kdir=$1 initrd=$2 work=$3 smoke=$4 dnngovd=$5 ctl=$6 client=$7 model=$8
rm -rf "$work" && mkdir -p "$work"
mkdir "$work/stage" && (cd "$work/stage" && gzip -dc "$initrd" | cpio -id --quiet)
cp "$smoke" "$work/stage/bin/kernel_smoke"
cp "$dnngovd" "$work/stage/bin/dnngovd"
cp "$ctl" "$work/stage/bin/dnngovctl"
cp "$client" "$work/stage/bin/dnngov-client-example"
cp "$model" "$work/stage/tiny.dnngov"
# 20 images of 28x28 in IDX layout (a gradient; the model is untrained)
{ printf '\000\000\010\003\000\000\000\024\000\000\000\034\000\000\000\034'
  head -c 15680 /dev/zero | tr '\000' '\200'; } > "$work/stage/images.idx"
cat > "$work/stage/agent-smoke.sh" <<'SH'
bb=/bin/busybox
export OPENBLAS_CORETYPE=Prescott	# TCG emulates AVX-512 slowly
insmod /lib/modules/dnngov/dnngov.ko
echo dnngov > /sys/devices/system/cpu/cpufreq/policy0/scaling_governor
/bin/kernel_smoke
cat > /tmp/d.conf <<CONF
[daemon]
backend = kernel
socket = /tmp/d.sock
tick_ms = 50
[workload app]
model = /tiny.dnngov
domain = cpufreq:policy0
target_ms = 200
CONF
/bin/dnngovd -v -c /tmp/d.conf &
pid=$!
i=0
while [ ! -S /tmp/d.sock ] && [ $i -lt 120 ]; do $bb sleep 1; i=$((i + 1)); done
/bin/dnngov-client-example -s /tmp/d.sock -n 20 app /images.idx | $bb tail -2
/bin/dnngovctl -s /tmp/d.sock status
/bin/dnngovctl -s /tmp/d.sock set app target 50 > /dev/null
$bb sleep 1
/bin/dnngov-client-example -s /tmp/d.sock -n 5 app /images.idx | $bb tail -1
echo "STATUS-JSON $(/bin/dnngovctl -s /tmp/d.sock --json status | $bb tr -d ' \n')"
$bb kill -TERM $pid
wait $pid
echo "DNNGOVD-EXIT $?"
/bin/dnngovctl -s /tmp/d.sock domains
echo "AGENT-SMOKE-DONE"
$bb poweroff -f
SH
(cd "$work/stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$work/initrd.gz"
timeout 400 qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 2 -nographic -no-reboot \
	-kernel "$kdir/vmlinuz" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 panic=-1 vmshell=1 vmtest=platform ENV=/agent-smoke.sh" \
	< /dev/null > "$work/console.log" 2>&1 || true
log=$work/console.log
tr -d '\r' < "$log" > "$log.txt"
grep -a "agent-kernel\|dnngovd:\|^image \|^workload\|^  \|^domain\|DNNGOVD-EXIT" "$log.txt" | grep -v "^  level model" || true

pass=$(grep -ac "^PASS agent-kernel" "$log.txt" || true)
fail=$(grep -ac "^FAIL agent-kernel" "$log.txt" || true)
check() {	# DESCRIPTION GREP-PATTERN
	if grep -aq -- "$2" "$log.txt"; then
		echo "PASS agent-vm: $1"; pass=$((pass + 1))
	else
		echo "FAIL agent-vm: $1"; fail=$((fail + 1))
	fi
}
check "dnngovd uses the kernel backend" "dnngovd: backend: kernel"
check "dnngovd answers socket requests" "^image 19: level"
check "dnngovd follows the module's decisions" '"decisions":[1-9]'
check "the live target change reached the module" '"target_us":50000'
check "dnngovd reports the frequency the module set" '"freq_khz":[1-9]'
check "SIGTERM: clean exit" "DNNGOVD-EXIT 0"
check "dnngovctl domains asks dnngov.ko without dnngovd" "governor dnngov"
if ! grep -aq "AGENT-SMOKE-DONE" "$log.txt"; then
	echo "agent-vm: the VM did not finish (see $log)"
	fail=$((fail + 1))
fi
CHECKDIR=${CHECKDIR:-build/check} sh "$(dirname "$0")/../../scripts/record-result.sh" agent-vm "$pass" "$fail"
echo "agent-vm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
