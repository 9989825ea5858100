#!/bin/sh
# The agent's kernel backend against dnngov.ko in the test VM: adds the
# static kernel_smoke program and a start script to the VM image of
# mk/vm.mk (make vm-x86_64-image) and boots it with vmtest=platform. The
# in-VM shell runs the script through $ENV: load dnngov.ko, make it
# policy0's governor, run the program, power off.
#
#   run.sh KERNEL_DIR INITRAMFS SMOKE_BINARY WORKDIR
set -eu
kdir=$1 initrd=$2 smoke=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
mkdir "$work/stage" && (cd "$work/stage" && gzip -dc "$initrd" | cpio -id --quiet)
cp "$smoke" "$work/stage/bin/kernel_smoke"
cat > "$work/stage/agent-smoke.sh" <<'SH'
insmod /lib/modules/dnngov/dnngov.ko
echo dnngov > /sys/devices/system/cpu/cpufreq/policy0/scaling_governor
/bin/kernel_smoke
echo "AGENT-SMOKE-DONE"
/bin/busybox poweroff -f
SH
(cd "$work/stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$work/initrd.gz"
timeout 300 qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 2 -nographic -no-reboot \
	-kernel "$kdir/vmlinuz" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 panic=-1 vmshell=1 vmtest=platform ENV=/agent-smoke.sh" \
	< /dev/null > "$work/console.log" 2>&1 || true
grep -a "agent-kernel" "$work/console.log" || true
pass=$(grep -ac "^PASS agent-kernel" "$work/console.log" || true)
fail=$(grep -ac "^FAIL agent-kernel" "$work/console.log" || true)
if ! grep -aq "AGENT-SMOKE-DONE" "$work/console.log"; then
	echo "agent-vm: the VM did not finish the smoke test (see $work/console.log)"
	fail=$((fail + 1))
fi
sh "$(dirname "$0")/../../scripts/record-result.sh" agent-vm "$pass" "$fail"
echo "agent-vm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
