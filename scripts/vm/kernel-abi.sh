#!/bin/sh
# Print the Debian kernel ABI (e.g. "6.1.0-56" or "6.12.117+deb12") whose
# headers and image dnngov builds against and boots under QEMU.
#   kernel-abi.sh [6.1|6.12]
# Override with DNNGOV_KABI (6.1) or DNNGOV_KABI_612 (6.12).
set -eu
series=${1:-6.1}
case $series in
6.1)
	[ -n "${DNNGOV_KABI:-}" ] && { echo "$DNNGOV_KABI"; exit 0; }
	# Installed headers win, so an offline machine keeps working.
	v=$(ls -d /usr/src/linux-headers-6.1.0-*-amd64 2>/dev/null | sed 's|.*/linux-headers-||; s|-amd64$||' | sort -V | tail -1)
	[ -z "$v" ] && v=$(apt-cache depends linux-headers-amd64 2>/dev/null | sed -n 's/.*Depends: linux-headers-\(6\.1\.0-[0-9]*\)-amd64.*/\1/p' | head -1)
	;;
6.12)
	[ -n "${DNNGOV_KABI_612:-}" ] && { echo "$DNNGOV_KABI_612"; exit 0; }
	v=$(ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | grep -v -e cloud -e rt | sed 's|.*/linux-headers-||; s|-amd64$||' | sort -V | tail -1)
	[ -z "$v" ] && v=$(apt-cache search --names-only '^linux-headers-6\.12\..*-amd64$' 2>/dev/null | awk '{print $1}' | grep -v -e cloud -e rt | sed 's/^linux-headers-//; s/-amd64$//' | sort -V | tail -1)
	;;
*) echo "kernel-abi.sh: unknown series '$series' (use 6.1 or 6.12)" >&2; exit 2 ;;
esac
[ -n "$v" ] || { echo "kernel-abi.sh: no linux-headers for $series found; run scripts/deps.sh" >&2; exit 1; }
echo "$v"
