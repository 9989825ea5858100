#!/bin/sh
# Boot the test VM and count its results.
#
#   run.sh ARCH KERNEL_DIR INITRAMFS LOGDIR [SUITE]
#
# Boots KERNEL_DIR/vmlinuz with INITRAMFS under QEMU TCG, kills it after
# VM_TIMEOUT seconds (default 300), keeps the console in LOGDIR/console.log,
# counts the PASS/FAIL/SKIP lines the in-VM tests printed, prints
# "N passed, M failed" and records the suite (default vm-ARCH) with
# scripts/record-result.sh. A kernel panic, a timeout or a VM that stops
# before the tests finished counts as one more failure and is reported.
# VM_APPEND adds kernel arguments, e.g. VM_APPEND="vmtest=decide".
set -u
here=$(cd "$(dirname "$0")" && pwd)
arch=${1:?usage: run.sh ARCH KERNEL_DIR INITRAMFS LOGDIR [SUITE]}
kdir=$2
initrd=$3
logdir=$4
suite=${5:-vm-$arch}
timeout=${VM_TIMEOUT:-300}
log=$logdir/console.log
mkdir -p "$logdir"

common="-m 1024 -smp 2 -nographic -no-reboot -monitor none -serial file:$log"
append="panic=-1 oops=panic loglevel=4 ${VM_APPEND:-}"
case $arch in
x86_64)
	qemu="qemu-system-x86_64 -accel tcg -cpu max $common"
	append="console=ttyS0 $append" ;;
arm64)
	qemu="qemu-system-aarch64 -M virt -cpu cortex-a57 -accel tcg $common"
	append="console=ttyAMA0 $append" ;;
*) echo "run.sh: unknown arch '$arch'" >&2; exit 1 ;;
esac

start=$(date +%s)
# shellcheck disable=SC2086
timeout --foreground -k 5 "$timeout" $qemu -kernel "$kdir/vmlinuz" \
	-initrd "$initrd" -append "$append" </dev/null >"$logdir/qemu.log" 2>&1
rc=$?
secs=$(($(date +%s) - start))

# Show what the tests said (the full console stays in the log).
tr -d '\r' < "$log" | grep -a -E '^(PASS|FAIL|SKIP|# |DNNGOV-VM-DONE|dnngov-vmtest)' || true

pass=$(tr -d '\r' < "$log" | grep -a -c '^PASS ')
fail=$(tr -d '\r' < "$log" | grep -a -c '^FAIL ')
skip=$(tr -d '\r' < "$log" | grep -a -c '^SKIP ')
why=""
if ! tr -d '\r' < "$log" | grep -a -q '^DNNGOV-VM-DONE'; then
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="VM timed out after ${timeout}s"
	elif grep -a -q -e 'Kernel panic' -e 'Oops' -e 'BUG:' "$log"; then
		why="kernel crashed"
	else
		why="VM stopped before the tests finished (qemu exit $rc, see $logdir/qemu.log)"
	fi
	fail=$((fail + 1))
	grep -a -E -A30 'Kernel panic|Oops|BUG:|WARNING:' "$log" | head -60
fi
[ -n "$why" ] && echo "$suite: FAIL: $why; console log: $log"
echo "$suite: boot and tests took ${secs}s; console log: $log"
CHECKDIR=${CHECKDIR:-$here/../../build/check} sh "$here/../record-result.sh" "$suite" "$pass" "$fail" "$skip"
echo "$suite: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
