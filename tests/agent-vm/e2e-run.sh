#!/bin/sh
# The end-to-end run (suite agent-e2e, and make demo): dnngovd on the bundled
# Fashion-MNIST supernet against dnngov.ko and the fake Xavier NX platform in
# the test VM of mk/vm.mk, replaying the test set while dnngovctl changes
# targets (tests/agent-vm/e2e.sh runs inside), then the summary and the
# checks of tests/agent-vm/e2e_report.py on the console log.
#
#   e2e-run.sh KERNEL_DIR INITRAMFS WORKDIR BINDIR MODEL [PHASE_SECONDS]
#     BINDIR holds static dnngovd, dnngovctl, e2e_check, kernel_smoke and
#     dnngov-client-example
set -u
here=$(cd "$(dirname "$0")" && pwd)
kdir=$1 initrd=$2 work=$3 bindir=$4 model=$5 secs=${6:-6}
data=/usr/share/datasets/fashion-mnist
rm -rf "$work" && mkdir -p "$work/stage"
fail_setup() {
	echo "agent-e2e: FAIL: $*"
	CHECKDIR=${CHECKDIR:-$here/../../build/check} sh "$here/../../scripts/record-result.sh" agent-e2e 0 1
	echo "agent-e2e: 0 passed, 1 failed"
	exit 1
}
[ -f "$model" ] || fail_setup "no model $model"
for f in t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
	[ -r "$data/$f" ] || fail_setup "$data/$f is missing: sh scripts/deps.sh vm (package dataset-fashion-mnist)"
done
(cd "$work/stage" && gzip -dc "$initrd" | cpio -id --quiet) || fail_setup "cannot unpack $initrd"
for b in dnngovd dnngovctl e2e_check kernel_smoke dnngov-client-example; do
	cp "$bindir/$b" "$work/stage/bin/$b" || fail_setup "no $bindir/$b"
done
for app in sed awk tr tail head sleep; do
	[ -e "$work/stage/bin/$app" ] || ln -s busybox "$work/stage/bin/$app"
done
cp "$model" "$work/stage/fmnist.dnngov"
cp "$data/t10k-images-idx3-ubyte.gz" "$data/t10k-labels-idx1-ubyte.gz" "$work/stage/"
{ echo "PHASE_S=$secs"; cat "$here/e2e.sh"; } > "$work/stage/e2e.sh"
(cd "$work/stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$work/initrd.gz"

log=$work/console.log
start=$(date +%s)
timeout --foreground -k 5 "${VM_TIMEOUT:-400}" qemu-system-x86_64 -accel tcg -cpu max -m 1536 -smp 2 \
	-nographic -no-reboot -monitor none -serial "file:$log" \
	-kernel "$kdir/vmlinuz" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 panic=-1 oops=panic loglevel=4 vmshell=1 vmtest=platform ENV=/e2e.sh" \
	< /dev/null > "$work/qemu.log" 2>&1
echo "agent-e2e: VM ran $(($(date +%s) - start)) s; console log: $log"
tr -d '\r' < "$log" > "$log.txt"
/usr/bin/python3 "$here/e2e_report.py" "$log.txt" "${CHECKDIR:-$here/../../build/check}" \
	"$here/../../scripts/record-result.sh"
