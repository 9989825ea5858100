// SPDX-License-Identifier: GPL-2.0
/*
 * Test "platform": dnngov_fakeplat.ko itself, with the kernel's own
 * governors, so that a failure here is told apart from a dnngov failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmtest.h"

static const char *const cpu_khz =
	"115200 192000 268800 345600 422400 499200 576000 652800 729600 "
	"806400 883200 960000 1036800 1113600 1190400 1267200 1344000 "
	"1420800 1497600 1574400 1651200 1728000 1804800 1881600 1907200";
static const char *const gpu_hz =
	"114750000 204000000 306000000 408000000 510000000 599250000 "
	"701250000 752250000 803250000 854250000 905250000 956250000 "
	"1007250000 1058250000 1109250000";

/* Compare two whitespace-separated lists. */
static bool same_list(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '\n')
			a++;
		while (*b == ' ' || *b == '\n')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (*a++ != *b++)
			return false;
	}
}

/*
 * The log's last change of @dom went to @freq; or, when the governor found
 * the domain there already (schedutil may have left it at the maximum),
 * there was no change at all.
 */
static bool logged(const char *dom, unsigned long freq, const char *cur_path)
{
	unsigned long last = vt_transitions_last(dom);

	return last ? last == freq : vt_read_ll(cur_path) == (long long)freq;
}

static void cpu_policy(int p)
{
	char path[128], buf[512], want[32];

	vt_readf(buf, sizeof(buf), CPUFREQ_DIR "/policy%d/scaling_available_frequencies", p);
	vt_check(same_list(buf, cpu_khz), "policy%d has the Xavier NX CPU table", p);

	snprintf(path, sizeof(path), CPUFREQ_DIR "/policy%d/scaling_cur_freq", p);
	vt_transitions_clear();
	vt_writef("performance", CPUFREQ_DIR "/policy%d/scaling_governor", p);
	vt_check(vt_wait_file(path, "1907200", VT_DEADLINE_MS),
		 "policy%d performance runs at 1907200 kHz", p);
	snprintf(want, sizeof(want), "cpu%d", p);
	vt_check(logged(want, 1907200, path), "policy%d transition to 1907200 logged", p);

	if (vt_writef("powersave", CPUFREQ_DIR "/policy%d/scaling_governor", p) == 0) {
		vt_check(vt_wait_file(path, "115200", VT_DEADLINE_MS),
			 "policy%d powersave runs at 115200 kHz", p);
		vt_check(logged(want, 115200, path), "policy%d transition to 115200 logged", p);
	} else {
		vt_skip("policy%d: powersave governor not available", p);
	}
	vt_check(vt_writef("schedutil", CPUFREQ_DIR "/policy%d/scaling_governor", p) == 0,
		 "policy%d back to schedutil", p);
}

void test_platform(void)
{
	char buf[512];
	int pol[16], n, i, ret;

	n = vt_cpu_policies(pol, 16);
	if (!vt_check(n > 0, "fake cpufreq driver bound to %d policies", n))
		return;
	for (i = 0; i < n; i++)
		cpu_policy(pol[i]);

	if (!vt_check(vt_read(FAKE_GPU_DIR "/available_frequencies", buf, sizeof(buf)) > 0,
		      "devfreq " FAKE_GPU " exists"))
		return;
	vt_check(same_list(buf, gpu_hz), "GPU has the Xavier NX GPU table");
	vt_read(FAKE_GPU_DIR "/governor", buf, sizeof(buf));
	vt_check(!strcmp(buf, "simple_ondemand\n"), "GPU starts with simple_ondemand (%.*s)",
		 (int)strcspn(buf, "\n"), buf);

	vt_transitions_clear();
	vt_write(FAKEPLAT_DBG "/gpu_load_pct", "100");
	vt_check(vt_wait_file(FAKE_GPU_DIR "/cur_freq", "1109250000", VT_DEADLINE_MS),
		 "GPU load 100%% drives simple_ondemand to 1109250000 Hz");
	vt_check(vt_transitions_last("gpu") == 1109250000, "GPU transition to max logged");
	vt_write(FAKEPLAT_DBG "/gpu_load_pct", "0");
	vt_check(vt_wait_file(FAKE_GPU_DIR "/cur_freq", "114750000", VT_DEADLINE_MS),
		 "GPU load 0%% drives simple_ondemand to 114750000 Hz");
	vt_check(vt_transitions_last("gpu") == 114750000, "GPU transition to min logged");

	ret = vt_write(FAKEPLAT_DBG "/gpu_load_pct", "101");
	vt_check(ret < 0, "gpu_load_pct refuses 101 (%d)", ret);
	vt_check(vt_read_ll(FAKEPLAT_DBG "/gpu_load_pct") == 0, "gpu_load_pct kept 0");

	/* The GPU idles at its minimum now, so no new GPU line may appear. */
	vt_transitions_clear();
	vt_check(vt_transitions_last("gpu") == 0, "transitions log cleared by a write");
}
