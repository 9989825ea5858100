#!/bin/sh
# Pack the test VM's initramfs.
#
#   mkinitramfs.sh OUT.cpio.gz KERNEL_DIR INIT [options] [MODULE.ko...]
#     KERNEL_DIR  from fetch-kernel.sh (lib/modules/<kver>/ with modules.dep)
#     INIT        the static dnngov-vmtest binary, installed as /init
#     -p NAME     preload the image's module NAME (and its modules.dep
#                 dependencies) at boot; repeatable
#     -b BUSYBOX  a static busybox to add as /bin/sh etc. (for vmshell=1)
#     MODULE.ko   our modules; dnngov_fakeplat.ko is preloaded, the others
#                 (dnngov.ko) are loaded by the tests themselves
# Modules go to /lib/modules/dnngov/, with the load order in its "preload".
set -eu
out=${1:?usage: mkinitramfs.sh OUT KERNEL_DIR INIT [-p NAME] [-b BUSYBOX] [MODULE.ko...]}
kdir=$2
init=$3
shift 3
die() { echo "mkinitramfs: $*" >&2; exit 1; }
[ -f "$init" ] || die "no init binary $init"
mods=$(ls -d "$kdir"/lib/modules/*/ 2>/dev/null | head -1)
[ -f "$mods/modules.dep" ] || die "no modules.dep under $kdir (run fetch-kernel.sh)"

stage=$out.d
rm -rf "$stage"
mkdir -p "$stage/lib/modules/dnngov" "$stage/bin" "$stage/dev" "$stage/proc" \
	"$stage/sys" "$stage/tmp"
cp "$init" "$stage/init"
preload=$stage/lib/modules/dnngov/preload
: > "$preload"

# add_image_module NAME: copy it and, first, what modules.dep says it needs.
add_image_module() {
	rel=$(grep -E "(^|/)$1\.ko(\.[a-z]+)?:" "$mods/modules.dep" | head -1)
	[ -n "$rel" ] || die "module $1 not in $mods/modules.dep"
	for dep in ${rel#*:}; do
		add_image_module "$(basename "$dep" | sed 's/\.ko.*//')"
	done
	file=${rel%%:*}
	name=$(basename "$file" | sed 's/\.ko.*//')
	grep -qx "$name" "$preload" && return 0
	case $file in
	*.ko) cp "$mods/$file" "$stage/lib/modules/dnngov/$name.ko" ;;
	*.ko.xz) xz -dc "$mods/$file" > "$stage/lib/modules/dnngov/$name.ko" ;;
	*.ko.zst) zstd -qdc "$mods/$file" > "$stage/lib/modules/dnngov/$name.ko" ;;
	*) die "cannot unpack $file" ;;
	esac
	echo "$name" >> "$preload"
}

while [ $# -gt 0 ]; do
	case $1 in
	-p) add_image_module "$2"; shift 2 ;;
	-b)
		cp "$2" "$stage/bin/busybox"
		for app in sh ls cat echo dmesg insmod rmmod lsmod grep mount ps; do
			ln -s busybox "$stage/bin/$app"
		done
		shift 2 ;;
	*.ko)
		[ -f "$1" ] || die "no module $1"
		cp "$1" "$stage/lib/modules/dnngov/"
		[ "$(basename "$1")" = dnngov_fakeplat.ko ] && echo dnngov_fakeplat >> "$preload"
		shift ;;
	*) die "unknown argument $1" ;;
	esac
done

# A console node lets the kernel give /init its stdio before devtmpfs is up.
[ "$(id -u)" -eq 0 ] && mknod -m 600 "$stage/dev/console" c 5 1
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
