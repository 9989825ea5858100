#!/bin/sh
# checkpatch.pl --strict (and kernel-doc) over dnngov's kernel sources.
#
#   scripts/kbuild/checkpatch.sh [FILE...]
#
# Debian has no checkpatch package: the scripts come out of Debian's
# linux-source-<series> .deb (checkpatch.pl, spelling.txt,
# const_structs.checkpatch, kernel-doc), cached in DNNGOV_CPCACHE (default
# /var/cache/dnngov/checkpatch). Prints "N passed, M failed" (one per file)
# and records the suite "checkpatch" when CHECKDIR is set.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${DNNGOV_CPCACHE:-/var/cache/dnngov/checkpatch}
series=${DNNGOV_CP_SERIES:-6.1}
die() { echo "checkpatch: $*" >&2; exit 2; }

fetch() {
	mkdir -p "$cache/dl"
	deb=$(ls "$cache/dl/linux-source-${series}_"*.deb 2>/dev/null | head -1 || true)
	if [ -z "$deb" ]; then
		(cd "$cache/dl" && apt-get download -q -o APT::Sandbox::User=root "linux-source-$series" >/dev/null) ||
			die "apt-get download linux-source-$series failed (needs Debian apt sources)"
		deb=$(ls "$cache/dl/linux-source-${series}_"*.deb | head -1)
	fi
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './usr/src/linux-source-*.tar.xz'
	tarball=$(ls "$tmp"/usr/src/linux-source-*.tar.xz | head -1)
	dir=$(basename "$tarball" .tar.xz)
	tar -xJf "$tarball" -C "$tmp" "$dir/scripts/checkpatch.pl" "$dir/scripts/spelling.txt" \
		"$dir/scripts/const_structs.checkpatch" "$dir/scripts/kernel-doc"
	mkdir -p "$cache/scripts"
	cp "$tmp/$dir/scripts/checkpatch.pl" "$tmp/$dir/scripts/spelling.txt" \
		"$tmp/$dir/scripts/const_structs.checkpatch" "$tmp/$dir/scripts/kernel-doc" "$cache/scripts/"
	rm -f "$deb"	# ~130 MB; the four scripts are all we keep
	echo "checkpatch: cached $dir scripts in $cache/scripts" >&2
}

[ -x "$cache/scripts/checkpatch.pl" ] || [ -f "$cache/scripts/checkpatch.pl" ] || fetch
command -v perl >/dev/null || die "perl missing"

if [ $# -eq 0 ]; then
	cd "$top"
	# module/policy.c is pure C shared with userspace, but kernel code too
	set -- $(ls module/*.c module/*.h include/uapi/linux/dnngov.h \
		tests/kernel/*.c tests/kernel/*.h 2>/dev/null || true)
fi

# Version checks (LINUX_VERSION_CODE) are the point of an out-of-tree
# compat layer. spelling.txt and const_structs.checkpatch are read from
# checkpatch.pl's directory.
cp_args="--strict --no-tree --terse --show-types --ignore LINUX_VERSION_CODE"
pass=0 fail=0
for f in "$@"; do
	# shellcheck disable=SC2086
	out=$(perl "$cache/scripts/checkpatch.pl" $cp_args -f "$f" 2>&1) && rc=0 || rc=$?
	kd=$(perl "$cache/scripts/kernel-doc" -none "$f" 2>&1 || true)
	if [ $rc -eq 0 ] && [ -z "$kd" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $f"
		[ -n "$out" ] && echo "$out" | grep -v '^total:' | sed 's/^/  /'
		[ -n "$kd" ] && echo "$kd" | sed 's/^/  kernel-doc: /'
	fi
done
echo "checkpatch: $pass passed, $fail failed"
[ -n "${CHECKDIR:-}" ] && sh "$top/scripts/record-result.sh" checkpatch "$pass" "$fail"
[ $fail -eq 0 ]
