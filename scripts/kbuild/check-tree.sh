#!/bin/sh
# Build dnngov.ko against any prepared kernel tree and check what a build
# alone can prove there.
#
#   scripts/kbuild/check-tree.sh KDIR ARCH
#
# KDIR: a kernel build tree after `make modules_prepare` (a source tree, an
# O= output directory, or a distribution/L4T headers directory). ARCH:
# arm64, x86_64, ... (kbuild's ARCH). CROSS_COMPILE defaults to
# aarch64-linux-gnu- for arm64 on a non-arm64 host; set it to override.
#
# Checks, each PASS, FAIL or SKIP:
#   build    the module with -Werror (Kbuild)
#   exports  every undefined symbol is exported: modpost with the tree's
#            Module.symvers if it has one, else EXPORT_SYMBOL* in the source
#   layout   compat.h's vendored struct devfreq_governor against the tree's
#            drivers/devfreq/governor.h (scripts/kbuild/devfreq_layout_probe.c)
# Work and logs go to build/kbuild/tree-<release>-<arch>/. Exit status 1 if
# a check failed, 2 on bad usage or an unprepared tree.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "check-tree: $*" >&2; exit 2; }

[ $# -eq 2 ] || die "usage: $0 KDIR ARCH   (e.g. $0 ~/l4t/kernel/kernel-5.10 arm64)"
kdir=$(cd "$1" 2>/dev/null && pwd) || die "$1: no such directory"
arch=$2
[ -f "$kdir/Makefile" ] || die "$kdir has no Makefile: pass a kernel source, build or headers directory"
if [ ! -f "$kdir/include/generated/autoconf.h" ] || [ ! -f "$kdir/include/config/kernel.release" ]; then
	die "$kdir is not configured and prepared: run make ARCH=$arch <defconfig> modules_prepare there first"
fi

case "$arch" in
arm64) srcarch=arm64 ;;
x86_64 | i386 | x86) srcarch=x86 ;;
*) srcarch=$arch ;;
esac
if [ -z "${CROSS_COMPILE+set}" ]; then
	CROSS_COMPILE=
	[ "$arch" = arm64 ] && [ "$(uname -m)" != aarch64 ] && CROSS_COMPILE=aarch64-linux-gnu-
fi
command -v "${CROSS_COMPILE}gcc" >/dev/null || die "${CROSS_COMPILE}gcc not found (Debian: gcc-aarch64-linux-gnu for arm64)"
grep -q "^CONFIG_$(echo "$srcarch" | tr '[:lower:]' '[:upper:]')=y" "$kdir/.config" 2>/dev/null ||
	die "$kdir is not configured for ARCH=$arch"

release=$(cat "$kdir/include/config/kernel.release")
# An O= build directory links its sources as source/; a source tree is its own.
src=$kdir
[ -d "$kdir/source/kernel" ] && src=$(cd "$kdir/source" && pwd -P)
[ -d "$src/kernel" ] || src=

work=$top/build/kbuild/tree-$release-$arch
rm -rf "$work"
mkdir -p "$work/mod" "$work/probe"
cp -r "$top/Kbuild" "$top/module" "$top/include" "$work/mod/"
kmake() { make -C "$kdir" ARCH="$arch" CROSS_COMPILE="$CROSS_COMPILE" "$@"; }

pass=0 fail=0 skip=0
result() {	# result CHECK STATUS DETAIL
	echo "$2 $1: $3"
	case $2 in PASS) pass=$((pass + 1)) ;; FAIL) fail=$((fail + 1)) ;; *) skip=$((skip + 1)) ;; esac
}

echo "check-tree: $release ARCH=$arch CROSS_COMPILE=$CROSS_COMPILE KDIR=$kdir${src:+ (sources $src)}"

# -- build --
if kmake M="$work/mod" modules >"$work/build.log" 2>&1 && [ -f "$work/mod/dnngov.ko" ]; then
	result build PASS "$(wc -c <"$work/mod/dnngov.ko") bytes, vermagic $(modinfo -F vermagic "$work/mod/dnngov.ko" 2>/dev/null || echo '?')"
else
	result build FAIL "log $work/build.log"
	grep -E 'error|warning' "$work/build.log" | head -30 | sed 's/^/  /'
fi

# -- exports --
if [ ! -f "$work/mod/dnngov.ko" ]; then
	result exports SKIP "no module built"
elif [ -s "$kdir/Module.symvers" ]; then
	undef=$(grep -E 'modpost: "[^"]*" .* undefined!' "$work/build.log" || true)
	if [ -z "$undef" ]; then
		result exports PASS "modpost resolved every symbol against $kdir/Module.symvers"
	else
		result exports FAIL "modpost: unresolved symbols"
		echo "$undef" | sed 's/^/  /'
	fi
elif [ -n "$src" ]; then
	# No Module.symvers (modules_prepare only): look for the EXPORT_SYMBOL*
	# of each undefined symbol in the sources this arch builds from.
	dirs=
	for d in "$src"/*/; do
		d=$(basename "$d")
		case $d in arch | tools | Documentation) ;; *) dirs="$dirs $d" ;; esac
	done
	# shellcheck disable=SC2086 # $dirs is a list
	(cd "$src" && grep -rhoE --include='*.[chS]' \
		'EXPORT_(DATA_|PER_CPU_)?SYMBOL(_NS)?(_GPL)?(_FOR_MODULES)?\(\s*[A-Za-z0-9_]+' \
		$dirs "arch/$srcarch" 2>/dev/null) | sed -E 's/.*\(\s*//' | sort -u >"$work/exports.txt"
	# kernel/params.c exports param_ops_<type> through STANDARD_PARAM_DEF()
	sed -n 's/^STANDARD_PARAM_DEF(\([a-z0-9_]*\),.*/param_ops_\1/p' "$src/kernel/params.c" >>"$work/exports.txt"
	# x86 retpoline/return thunks are exported through EXPORT_THUNK() in asm
	"${CROSS_COMPILE}nm" -u "$work/mod/dnngov.ko" | awk '{print $2}' |
		grep -v '^__x86_.*thunk' | sort -u >"$work/undefined.txt"
	missing=$(grep -vxF -f "$work/exports.txt" "$work/undefined.txt" || true)
	n=$(wc -l <"$work/undefined.txt")
	if [ -z "$missing" ]; then
		result exports PASS "all $n undefined symbols have an EXPORT_SYMBOL* in the sources"
	else
		result exports FAIL "no EXPORT_SYMBOL* found for: $(echo "$missing" | tr '\n' ' ')"
	fi
else
	result exports SKIP "neither Module.symvers nor sources in $kdir"
fi

# -- devfreq layout --
if [ -z "$src" ] || [ ! -f "$src/drivers/devfreq/governor.h" ]; then
	result layout SKIP "no drivers/devfreq/governor.h (headers-only tree; compat.h's own checks still ran)"
elif [ -f "$src/include/linux/devfreq-governor.h" ]; then
	result layout SKIP "public devfreq-governor.h: compat.h vendors nothing here"
else
	cp "$top/scripts/kbuild/devfreq_layout_probe.c" "$top/module/compat.h" "$work/probe/"
	# shellcheck disable=SC2016 # $(srctree) is for kbuild
	printf '%s\n' 'obj-m := devfreq_layout_probe.o' \
		'ccflags-y += -I$(srctree)/drivers/devfreq -Werror' >"$work/probe/Kbuild"
	if kmake M="$work/probe" devfreq_layout_probe.o >"$work/layout.log" 2>&1; then
		result layout PASS "compat.h struct devfreq_governor == $src/drivers/devfreq/governor.h"
	else
		result layout FAIL "log $work/layout.log"
		grep -E 'error' "$work/layout.log" | head -20 | sed 's/^/  /'
	fi
fi

echo "check-tree $release $arch: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
