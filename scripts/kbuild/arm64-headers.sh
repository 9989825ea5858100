#!/bin/sh
# Set up Debian's arm64 kernel headers for cross-building dnngov.ko and print
# the KDIR to pass to make (with ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-).
#
#   scripts/kbuild/arm64-headers.sh [ABI]      ABI defaults to kernel-abi.sh 6.1
#
# Debian cross-builds modules with the arch's linux-headers-<abi>-arm64 package,
# the arch-independent linux-headers-<abi>-common package and the host's
# linux-kbuild-<series> tools. The arm64 .deb is downloaded (needs the arm64
# architecture in dpkg, added here when run as root) and unpacked under
# DNNGOV_KCACHE (default /var/cache/dnngov/kheaders); nothing is installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
abi=${1:-$(sh "$here/../vm/kernel-abi.sh" 6.1)}
cache=${DNNGOV_KCACHE:-/var/cache/dnngov/kheaders}
root=$cache/$abi-arm64
kdir=$root/usr/src/linux-headers-$abi-arm64
series=$(echo "$abi" | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')

if [ -f "$kdir/.ready" ]; then
	echo "$kdir"
	exit 0
fi

die() { echo "arm64-headers: $*" >&2; exit 1; }
common=/usr/src/linux-headers-$abi-common
[ -d "$common" ] || die "$common missing: apt-get install linux-headers-$abi-common (scripts/deps.sh build)"
[ -d "/usr/lib/linux-kbuild-$series" ] || [ -d "/usr/lib/linux-kbuild-$abi" ] ||
	die "host kbuild tools missing: apt-get install linux-kbuild-$series"
command -v aarch64-linux-gnu-gcc >/dev/null || die "aarch64-linux-gnu-gcc missing: apt-get install gcc-aarch64-linux-gnu"

pkg=linux-headers-$abi-arm64
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	[ "$(id -u)" -eq 0 ] || die "arm64 is not a dpkg architecture; as root run: dpkg --add-architecture arm64 && apt-get update"
	dpkg --add-architecture arm64
	apt-get update -qq
fi
if ! apt-cache show "$pkg:arm64" >/dev/null 2>&1; then
	[ "$(id -u)" -eq 0 ] && apt-get update -qq
	apt-cache show "$pkg:arm64" >/dev/null 2>&1 || die "no package $pkg:arm64 in the apt sources"
fi

mkdir -p "$cache/dl"
deb=$(ls "$cache/dl/${pkg}_"*_arm64.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
	(cd "$cache/dl" && apt-get download -q -o APT::Sandbox::User=root "$pkg:arm64" >/dev/null) || die "apt-get download $pkg:arm64 failed"
	deb=$(ls "$cache/dl/${pkg}_"*_arm64.deb | head -1)
fi
rm -rf "$root"
mkdir -p "$root"
dpkg-deb -x "$deb" "$root"
# The package's Makefile and symlinks point at ../linux-headers-<abi>-common
# and /usr/lib/linux-kbuild-<series>: give the relative one its target here.
ln -sfn "$common" "$root/usr/src/linux-headers-$abi-common"
# The amd64 package links scripts to the host tools; the arm64 one does not.
[ -e "$kdir/scripts" ] || ln -sfn "/usr/lib/linux-kbuild-$series/scripts" "$kdir/scripts"
[ -f "$kdir/Makefile" ] || die "unexpected package layout: no $kdir/Makefile"
touch "$kdir/.ready"
echo "$kdir"
