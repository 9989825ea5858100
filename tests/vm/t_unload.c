// SPDX-License-Identifier: GPL-2.0
/*
 * Tests "unload" and "kernel_log": dnngov.ko cannot be removed while a
 * cpufreq policy or the GPU uses it, is removed cleanly once they have
 * switched away and loads again (the devfreq core takes no module reference:
 * Documentation/testing.md and kernel.md 3.6); and the kernel log of the
 * whole run has no warning, bug or memory-corruption report.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/klog.h>

#include "dg.h"
#include "vmtest.h"

void test_unload(void)
{
	const char *cpu = dg_cpu_domain();
	struct nlc c;
	int ret;

	if (!vt_check(dg_module(dg_default_params) == 0, "dnngov.ko loaded") ||
	    !vt_check(nlc_open(&c) == 0, "socket open"))
		return;
	vt_check(dg_govern(&c, cpu) && dg_govern(&c, DG_GPU_DOMAIN),
		 "%s and the GPU governed by dnngov", cpu);
	nlc_close(&c);

	ret = vt_rmmod("dnngov");
	vt_check(ret == -EBUSY || ret == -EAGAIN || ret == -EWOULDBLOCK,
		 "rmmod refused while the CPU and the GPU use it (%s)", strerror(-ret));
	vt_check(dg_set_gov(cpu, "schedutil") == 0, "%s back to schedutil", cpu);
	ret = vt_rmmod("dnngov");
	vt_check(ret != 0, "rmmod refused while the GPU uses it (%s)", strerror(-ret));
	vt_check(dg_set_gov(DG_GPU_DOMAIN, "simple_ondemand") == 0 &&
		 vt_wait_file(FAKE_GPU_DIR "/governor", "simple_ondemand", VT_DEADLINE_MS),
		 "GPU back to simple_ondemand");

	ret = vt_rmmod("dnngov");
	vt_check(ret == 0, "rmmod succeeds once nothing uses it (%s)", strerror(-ret));
	vt_check(!vt_mod_loaded("dnngov"), "module gone");
	vt_check(vt_wait_file(FAKE_GPU_DIR "/governor", "simple_ondemand", 100),
		 "GPU governor still readable");
	/* A governor registration after the unload is what oopsed in 3.6. */
	ret = vt_insmod("dnngov", dg_default_params);
	vt_check(ret == 0, "insmod again (%s)", strerror(-ret));
	vt_check(nlc_open(&c) == 0 && dg_govern(&c, DG_GPU_DOMAIN),
		 "the reloaded module governs the GPU");
	nlc_close(&c);
	vt_check(dg_set_gov(DG_GPU_DOMAIN, "simple_ondemand") == 0, "GPU released");
	ret = vt_rmmod("dnngov");
	vt_check(ret == 0, "final rmmod (%s)", strerror(-ret));
}

void test_kernel_log(void)
{
	static const char *const bad[] = {
		"WARN", "BUG", "Oops", "KASAN", "list_del corruption", "refcount_t",
		"general protection", "Call Trace", NULL,
	};
	static char buf[1 << 20];
	char *line, *save;
	int n, i, hits[16] = { 0 };

	n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	if (n <= 0 || n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, n);
	if (!vt_check(n > 0, "kernel log read (%d bytes)", n))
		return;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		for (i = 0; bad[i]; i++)
			if (strstr(line, bad[i])) {
				if (!hits[i]++)
					vt_note("kernel: %s", line);
			}
	for (i = 0; bad[i]; i++)
		vt_check(!hits[i], "no \"%s\" in the kernel log (%d)", bad[i], hits[i]);
}
