#!/bin/sh
# Power sensors of a board, read from sysfs: Jetson INA3221 rails (hwmon on
# JetPack 5/6, iio on JetPack 4) and x86 RAPL powercap zones.
#
#   rails.sh [--root DIR] detect   backend and its folders ("none" + reason, exit 1)
#   rails.sh [--root DIR] read     one line per rail: NAME<TAB>mW (Jetson) or
#                                  NAME<TAB>uJ (RAPL energy counter)
#   rails.sh [--root DIR] mode     nvpmodel mode (Jetson): ID<TAB>NAME
#   rails.sh integrate             stdin: T_S<TAB>RAIL<TAB>mW samples;
#                                  stdout: RAIL<TAB>joules (trapezoids)
#   rails.sh rapl-delta A B MAX    energy (uJ) between two counter reads,
#                                  allowing one wrap at MAX
#
# --root points at a copy of a sysfs tree (tests use tests/data/sysfs/*);
# the default is "" (the live system). Sourcing this file gives the
# functions rails_detect, rails_read and rails_mode for other scripts.

# hwmon (JetPack 5/6): inN_label, inN_input (mV), currN_input (mA).
rails_hwmon_dirs() {
	for d in "$1"/sys/bus/i2c/drivers/ina3221/*/hwmon/hwmon*; do
		[ -f "$d/in1_label" ] && echo "$d"
	done
	return 0
}

# iio (JetPack 4): rail_name_N, in_power_N_input (mW).
rails_iio_dirs() {
	for d in "$1"/sys/bus/i2c/drivers/ina3221x/*/iio:device*; do
		[ -f "$d/rail_name_0" ] && echo "$d"
	done
	return 0
}

# RAPL (x86): intel-rapl:N[:M]/{name,energy_uj,max_energy_range_uj}.
rails_rapl_dirs() {
	for d in "$1"/sys/class/powercap/intel-rapl:*; do
		[ -f "$d/energy_uj" ] && [ -f "$d/name" ] && echo "$d"
	done
	return 0
}

rails_detect() {
	root=$1
	dirs=$(rails_hwmon_dirs "$root")
	if [ -n "$dirs" ]; then
		echo "jetson-hwmon $dirs" | tr '\n' ' '; echo
		return 0
	fi
	dirs=$(rails_iio_dirs "$root")
	if [ -n "$dirs" ]; then
		echo "jetson-iio $dirs" | tr '\n' ' '; echo
		return 0
	fi
	dirs=$(rails_rapl_dirs "$root")
	if [ -n "$dirs" ]; then
		echo "rapl $dirs" | tr '\n' ' '; echo
		return 0
	fi
	echo "none: no INA3221 rails under ${root:-}/sys/bus/i2c/drivers/ina3221*/ (Jetson) and no RAPL zones under ${root:-}/sys/class/powercap/ (x86)"
	return 1
}

# A number from a one-line sysfs file, or fail.
rails_num() {
	v=$(cat "$1" 2>/dev/null) || return 1
	case $v in
	'' | *[!0-9]*) return 1 ;;
	esac
	echo "$v"
}

rails_read() {
	root=$1
	status=1
	for d in $(rails_hwmon_dirs "$root"); do
		for lab in "$d"/in*_label; do
			n=${lab##*/in}
			n=${n%_label}
			name=$(cat "$lab")
			# The INA3221 driver's summing channel has no current of its own.
			case $name in *[Ss]um*) continue ;; esac
			mv=$(rails_num "$d/in${n}_input") || { echo "rails: $d/in${n}_input unreadable" >&2; continue; }
			ma=$(rails_num "$d/curr${n}_input") || { echo "rails: $d/curr${n}_input unreadable" >&2; continue; }
			printf '%s\t%s\n' "$name" $((mv * ma / 1000))
			status=0
		done
	done
	for d in $(rails_iio_dirs "$root"); do
		for rn in "$d"/rail_name_*; do
			n=${rn##*_}
			name=$(cat "$rn")
			mw=$(rails_num "$d/in_power${n}_input") || { echo "rails: $d/in_power${n}_input unreadable" >&2; continue; }
			printf '%s\t%s\n' "$name" "$mw"
			status=0
		done
	done
	for d in $(rails_rapl_dirs "$root"); do
		name=$(cat "$d/name")
		parent=${d%:*}
		# Sub-zones (intel-rapl:0:0) are named after their package.
		case ${d##*/} in
		intel-rapl:*:*) [ -f "$parent/name" ] && name="$(cat "$parent/name")/$name" ;;
		esac
		uj=$(rails_num "$d/energy_uj") || {
			echo "rails: $d/energy_uj is not readable (root only since Linux 5.10; run as root)" >&2
			continue
		}
		printf '%s\t%s\n' "$name" "$uj"
		status=0
	done
	return $status
}

# nvpmodel: /var/lib/nvpmodel/status holds "pmode:000N"; names from the conf.
rails_mode() {
	root=$1
	st=$(cat "$root/var/lib/nvpmodel/status" 2>/dev/null) || { echo "unknown"; return 1; }
	id=$(echo "$st" | sed -n 's/^pmode:0*\([0-9][0-9]*\).*/\1/p')
	[ -n "$id" ] || id=0
	name=unknown
	for conf in "$root/etc/nvpmodel.conf" "$root"/etc/nvpmodel/nvpmodel_*.conf; do
		[ -f "$conf" ] || continue
		n=$(sed -n "s/^< *POWER_MODEL *ID=$id *NAME=\([A-Za-z0-9_]*\) *>.*/\1/p" "$conf" | head -1)
		[ -n "$n" ] && { name=$n; break; }
	done
	printf '%s\t%s\n' "$id" "$name"
}

rails_integrate() {
	awk -F '\t' '
	NF == 3 {
		if ($2 in last_t) {
			e[$2] += ($1 - last_t[$2]) * (last_p[$2] + $3) / 2 / 1000
		} else {
			order[n++] = $2
		}
		last_t[$2] = $1
		last_p[$2] = $3
	}
	END { for (i = 0; i < n; i++) printf "%s\t%.6f\n", order[i], e[order[i]] }'
}

rails_rapl_delta() {
	awk -v a="$1" -v b="$2" -v m="$3" 'BEGIN {
		d = b - a
		if (d < 0) d += m
		printf "%.0f\n", d
	}'
}

rails_main() {
	root=""
	if [ "${1:-}" = "--root" ]; then
		root=${2:?--root needs a folder}
		shift 2
	fi
	case ${1:-} in
	detect) rails_detect "$root" ;;
	read) rails_read "$root" ;;
	mode) rails_mode "$root" ;;
	integrate) rails_integrate ;;
	rapl-delta) rails_rapl_delta "${2:?}" "${3:?}" "${4:?}" ;;
	*) echo "usage: rails.sh [--root DIR] detect|read|mode|integrate|rapl-delta" >&2; return 2 ;;
	esac
}

# Run as a command unless sourced (sourcing scripts set RAILS_LIB=1).
if [ -z "${RAILS_LIB:-}" ]; then
	rails_main "$@"
fi
