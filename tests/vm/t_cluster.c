// SPDX-License-Identifier: GPL-2.0
/*
 * Test "cluster": the fake platform reloaded with cluster_cpus=2, like a
 * Xavier NX two-core cluster: one cpufreq policy spans both CPUs, the
 * module counts them (DNNGOV_A_CAPACITY 2, the power model's core count),
 * and its decision on that policy is still the predicted one.
 */
#include <stdio.h>
#include <string.h>

#include "dg.h"
#include "vmtest.h"

static const struct dg_level levels[] = {
	{ 20000000, 7000, 500 }, { 30000000, 7400, 500 }, { 45000000, 7700, 500 },
};

void test_cluster(void)
{
	struct dnngov_decision p;
	struct dg_dom d;
	struct nlerr err;
	struct nlc c;
	char why[256], cpus[64];
	int pol[16], n, ret;
	uint32_t id;

	if (!vt_check(dg_module(dg_default_params) == 0, "dnngov.ko loaded"))
		return;
	ret = vt_rmmod("dnngov_fakeplat");
	if (!vt_check(ret == 0, "rmmod dnngov_fakeplat (%d)", ret))
		return;
	ret = vt_insmod("dnngov_fakeplat", "cluster_cpus=2");
	if (!vt_check(ret == 0, "insmod dnngov_fakeplat cluster_cpus=2 (%d)", ret))
		goto restore;
	n = vt_cpu_policies(pol, 16);
	vt_readf(cpus, sizeof(cpus), CPUFREQ_DIR "/policy%d/affected_cpus", n ? pol[0] : 0);
	cpus[strcspn(cpus, "\n")] = '\0';
	if (!vt_check(n == 1 && !strcmp(cpus, "0 1"), "one policy over CPUs \"%s\" (%d policies)",
		      cpus, n) || !vt_check(nlc_open(&c) == 0, "socket open"))
		goto restore;

	if (vt_check(dg_govern(&c, "cpufreq:policy0"), "cpufreq:policy0 governed by dnngov")) {
		ret = dg_new_wl(&c, "cpufreq:policy0", "mbv3", 30000, 7300, 100000, levels, 3,
				&id, &err);
		vt_check(ret == 0, "NEW_WORKLOAD (%d %s)", ret, err.msg);
		ret = dg_get_dom(&c, "cpufreq:policy0", &d);
		vt_check(ret == 0 && d.pd.capacity == 2, "capacity %u", d.pd.capacity);
		vt_check(dg_settled(&c, "cpufreq:policy0", &d, &p, why, sizeof(why)),
			 "two-CPU policy: as predicted (%s)", why);
		dg_del_wl(&c, id, NULL);
	}
	dg_set_gov("cpufreq:policy0", "schedutil");
	nlc_close(&c);
restore:
	vt_rmmod("dnngov_fakeplat");
	ret = vt_insmod("dnngov_fakeplat", NULL);
	vt_check(ret == 0 && vt_cpu_policies(pol, 16) == 2,
		 "fake platform back to one policy per CPU (%d)", ret);
}
