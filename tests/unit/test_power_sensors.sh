#!/bin/sh
# Sensor parsing of scripts/power/rails.sh and scripts/compare-governors.sh on
# recorded sysfs trees (tests/data/sysfs/*). Prints "sensors: N passed, M failed".
# Run from the repository root.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$TOP/tests/data/sysfs
R="sh $TOP/scripts/power/rails.sh"
pass=0
fail=0

check() {
	# check NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf 'FAIL %s\n  expected: %s\n  got:      %s\n' "$1" "$2" "$3"
	fi
}

tab=$(printf '\t')
# JetPack 4: iio, power in mW straight from in_powerN_input.
check "jp4 backend" "jetson-iio" "$($R --root "$T/xavier-nx-jp4" detect | cut -d' ' -f1)"
check "jp4 rails" "VDD_IN${tab}4812 VDD_CPU_GPU_CV${tab}1218 VDD_SOC${tab}1056" \
	"$($R --root "$T/xavier-nx-jp4" read | tr '\n' ' ' | sed 's/ $//')"
check "jp4 mode" "2${tab}MODE_15W_6CORE" "$($R --root "$T/xavier-nx-jp4" mode)"
# JetPack 5: hwmon, power = mV x mA / 1000 (5008 x 960 / 1000 = 4807).
check "jp5 backend" "jetson-hwmon" "$($R --root "$T/xavier-nx-jp5" detect | cut -d' ' -f1)"
check "jp5 rails" "VDD_IN${tab}4807 VDD_CPU_GPU_CV${tab}1220 VDD_SOC${tab}1058" \
	"$($R --root "$T/xavier-nx-jp5" read | tr '\n' ' ' | sed 's/ $//')"
check "jp5 mode from nvpmodel_p3668.conf" "8${tab}MODE_20W_6CORE" "$($R --root "$T/xavier-nx-jp5" mode)"
# Orin JetPack 6: the summing channel (in7, no current) is skipped.
check "orin rails" "VDD_IN${tab}7006 VDD_CPU_GPU_CV${tab}913 VDD_SOC${tab}1940" \
	"$($R --root "$T/orin-jp6" read | tr '\n' ' ' | sed 's/ $//')"
check "orin mode" "0${tab}15W" "$($R --root "$T/orin-jp6" mode)"
# x86: RAPL energy counters, sub-zones named after their package.
check "rapl backend" "rapl" "$($R --root "$T/x86-rapl" detect | cut -d' ' -f1)"
check "rapl zones" "package-0${tab}51234567890 package-0/core${tab}20987654321 package-0/uncore${tab}1234567 psys${tab}98765432100" \
	"$($R --root "$T/x86-rapl" read | tr '\n' ' ' | sed 's/ $//')"
check "rapl no nvpmodel" "unknown" "$($R --root "$T/x86-rapl" mode)"
# Nothing: detect fails and says where it looked.
out=$($R --root "$T/empty" detect)
check "empty detect status" "1" "$?"
case $out in *"no INA3221 rails"*"no RAPL zones"*) r=ok ;; *) r="$out" ;; esac
check "empty detect message" "ok" "$r"
# Energy integration (trapezoids) and RAPL counter wrap.
check "integrate" "VDD_IN${tab}5.500000 VDD_SOC${tab}1.000000" \
	"$(printf '0\tVDD_IN\t4000\n0\tVDD_SOC\t1000\n0.5\tVDD_IN\t6000\n0.5\tVDD_SOC\t1000\n1.0\tVDD_IN\t6000\n1.0\tVDD_SOC\t1000\n' |
		$R integrate | tr '\n' ' ' | sed 's/ $//')"
check "rapl wrap" "1850" "$($R rapl-delta 262143328000 1000 262143328850)"
check "rapl no wrap" "500" "$($R rapl-delta 1000 1500 262143328850)"
# compare-governors.sh: detects each recorded board, refuses where nothing is measurable.
for b in xavier-nx-jp4 xavier-nx-jp5 orin-jp6 x86-rapl; do
	SYSFS_ROOT=$T/$b sh "$TOP/scripts/compare-governors.sh" --check >/dev/null 2>&1
	check "compare-governors --check $b" "0" "$?"
done
out=$(SYSFS_ROOT=$T/empty sh "$TOP/scripts/compare-governors.sh" --check 2>&1)
check "compare-governors without sensors: status" "2" "$?"
case $out in *"cannot measure energy"*) r=ok ;; *) r="$out" ;; esac
check "compare-governors without sensors: message" "ok" "$r"
out=$(SYSFS_ROOT=$T/xavier-nx-jp5 sh "$TOP/scripts/compare-governors.sh" --bogus 2>&1)
case $out in *"unknown option '--bogus'"*) r=ok ;; *) r="$out" ;; esac
check "compare-governors bad option" "ok" "$r"

echo "sensors: $pass passed, $fail failed"
[ $fail -eq 0 ]
