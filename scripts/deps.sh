#!/bin/sh
# Install the Debian bookworm packages that dnngov's make targets need.
# Idempotent: packages already present are skipped, so a second run is quick.
#
#   scripts/deps.sh [GROUP...]     groups: build unit vm torch bench compare tree all (default: all)
#
# make check asks for build unit vm torch; bench (Node.js, npm) and compare
# (gnuplot) serve make bench and make compare, tree (flex, bison, libelf...)
# scripts/kbuild/check-tree.sh's kernel trees.
#
# Kernel headers: the ABI follows Debian's linux-headers-amd64 metapackage, so
# the headers always match the linux-image the QEMU harness boots (see
# scripts/vm/kernel-abi.sh).
set -eu

groups=${*:-all}
want() { case " $groups " in *" all "*|*" $1 "*) return 0;; esac; return 1; }

pkgs="build-essential pkg-config kmod"
want build   && pkgs="$pkgs libopenblas-dev libcmocka-dev libnl-3-dev libnl-genl-3-dev libinih-dev libjson-c-dev zlib1g-dev"
want unit    && pkgs="$pkgs libopenblas-dev libcmocka-dev libnl-3-dev libnl-genl-3-dev libinih-dev libjson-c-dev zlib1g-dev valgrind clang libclang-rt-14-dev qemu-user-static gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
want vm      && pkgs="$pkgs qemu-system-x86 qemu-system-arm busybox-static cpio gcc-aarch64-linux-gnu libc6-dev-arm64-cross bc dataset-fashion-mnist libgfortran-12-dev"
want torch   && pkgs="$pkgs python3-torch python3-numpy dataset-fashion-mnist"
want bench   && pkgs="$pkgs python3-torch python3-numpy"
# Node.js and npm run ONNX Runtime (npm onnxruntime-node) for the benchmark; a
# machine that already has them (e.g. from NodeSource) keeps its own.
want bench   && ! command -v npm >/dev/null 2>&1 && pkgs="$pkgs nodejs npm"
want compare && pkgs="$pkgs gnuplot-nox"
want tree    && pkgs="$pkgs flex bison bc libssl-dev libelf-dev gcc-aarch64-linux-gnu"

missing=""
for p in $(printf '%s\n' $pkgs | sort -u); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done

# Kernel headers for the module build: 6.1 (the ABI of linux-headers-amd64) and 6.12.
if want build || want vm; then
	abi=$(sh "$(dirname "$0")/vm/kernel-abi.sh" 6.1 2>/dev/null || true)
	abi12=$(sh "$(dirname "$0")/vm/kernel-abi.sh" 6.12 2>/dev/null || true)
	for a in $abi $abi12; do
		[ -d "/usr/src/linux-headers-$a-amd64" ] || missing="$missing linux-headers-$a-amd64"
	done
fi

# The arm64 kernel headers (scripts/kbuild/arm64-headers.sh) and the arm64
# kernel image of the VM suite (scripts/vm/fetch-kernel.sh) are apt-get
# downloaded: dpkg must know the arm64 architecture. Nothing arm64 is installed.
addarch=""
if want build || want vm; then
	dpkg --print-foreign-architectures | grep -qx arm64 || addarch=arm64
fi

if [ -z "$missing" ] && [ -z "$addarch" ]; then
	echo "deps: all packages present ($groups)"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	[ -n "$missing" ] && echo "deps: missing Debian packages:$missing" >&2
	[ -n "$addarch" ] && echo "deps: arm64 is not a dpkg architecture (sudo dpkg --add-architecture arm64 && sudo apt-get update)" >&2
	echo "deps: run as root: sudo $0 $groups" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ -n "$addarch" ]; then
	echo "deps: adding dpkg architecture $addarch"
	dpkg --add-architecture "$addarch"
fi
apt-get update -qq
if [ -z "$missing" ]; then
	echo "deps: done"
	exit 0
fi
echo "deps: installing:$missing"
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
