#!/bin/sh
# Fetch Debian's kernel image for the QEMU tests and print the directory that
# holds it: <dir>/vmlinuz and <dir>/lib/modules/<kver>/ (with modules.dep).
#
#   fetch-kernel.sh x86_64|arm64 [ABI]        ABI defaults to kernel-abi.sh 6.1
#
# The image is Debian's linux-image-<abi>-<flavour>-unsigned .deb, the same
# ABI as the headers the modules are built against (CONFIG_MODVERSIONS). It is
# downloaded with apt-get download, unpacked with dpkg-deb and cached under
# DNNGOV_VM_CACHE (default /var/cache/dnngov/vm, or build/vm/cache when that
# is not writable); nothing is installed. Exit status 3: no image available
# (the caller may skip), 1: other error.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
arch=${1:?usage: fetch-kernel.sh x86_64|arm64 [ABI]}
abi=${2:-$(sh "$here/kernel-abi.sh" 6.1)}
case $arch in
x86_64) flavour=amd64 debarch=amd64 ;;
arm64) flavour=arm64 debarch=arm64 ;;
*) echo "fetch-kernel: unknown arch '$arch' (x86_64 or arm64)" >&2; exit 1 ;;
esac

cache=${DNNGOV_VM_CACHE:-/var/cache/dnngov/vm}
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
	cache=$(cd "$here/../.." && pwd)/build/vm/cache
	mkdir -p "$cache"
fi
kver=$abi-$flavour
dir=$cache/$kver
if [ -f "$dir/.ready" ]; then
	echo "$dir"
	exit 0
fi

pkg=linux-image-$kver-unsigned
die() { echo "fetch-kernel: $1" >&2; exit "${2:-1}"; }
if [ "$debarch" != "$(dpkg --print-architecture)" ]; then
	dpkg --print-foreign-architectures | grep -qx "$debarch" ||
		die "$debarch is not a dpkg architecture (run scripts/kbuild/arm64-headers.sh as root, or: dpkg --add-architecture $debarch && apt-get update)" 3
	pkg=$pkg:$debarch
fi

mkdir -p "$cache/dl"
deb=$(ls "$cache/dl/linux-image-$kver-unsigned_"*"_$debarch.deb" 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
	# (as root apt would drop to user _apt, who cannot write the cache)
	if ! out=$(cd "$cache/dl" && apt-get download -q -o APT::Sandbox::User=root "$pkg" 2>&1); then
		echo "$out" | tail -3 >&2
		die "apt-get download $pkg failed (offline, or no such package in the apt sources)" 3
	fi
	deb=$(ls "$cache/dl/linux-image-$kver-unsigned_"*"_$debarch.deb" | head -1)
fi

rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
# Only the kernel and its modules are needed, not firmware or docs.
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir.tmp" ./boot ./lib/modules
cp "$dir.tmp/boot/vmlinuz-$kver" "$dir.tmp/vmlinuz"
# Debian runs depmod at install time; do it here for modules.dep.
depmod -b "$dir.tmp" "$kver"
touch "$dir.tmp/.ready"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "$dir"
