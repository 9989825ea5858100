// SPDX-License-Identifier: GPL-2.0
/*
 * dnngov.ko: a DNN-aware cpufreq and devfreq governor with a generic netlink
 * interface for the dnngovd agent. Documentation/governor.md describes it.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/genetlink.h>

#include "dnngov.h"

unsigned int dnngov_max_workloads = 32;
module_param_named(max_workloads, dnngov_max_workloads, uint, 0444);
MODULE_PARM_DESC(max_workloads, "workloads per domain, 1..32 (default 32)");

unsigned int dnngov_max_levels = 16;
module_param_named(max_levels, dnngov_max_levels, uint, 0444);
MODULE_PARM_DESC(max_levels, "levels per workload, 1..16 (default 16)");

unsigned int dnngov_max_opps = 64;
module_param_named(max_opps, dnngov_max_opps, uint, 0444);
MODULE_PARM_DESC(max_opps, "OPPs per domain, 1..64 (default 64)");

unsigned int dnngov_sample_ms = 50;
module_param_named(sample_ms, dnngov_sample_ms, uint, 0444);
MODULE_PARM_DESC(sample_ms, "load sampling and re-decision period, 1..10000 ms (default 50)");

unsigned int dnngov_hysteresis_pct = 5;
module_param_named(hysteresis_pct, dnngov_hysteresis_pct, uint, 0444);
MODULE_PARM_DESC(hysteresis_pct, "energy saving needed to change a feasible choice, 0..100 % (default 5)");

static int dnngov_check_param(const char *name, unsigned int val,
			      unsigned int lo, unsigned int hi)
{
	if (val >= lo && val <= hi)
		return 0;
	pr_err("dnngov: %s=%u is out of range; use %u..%u\n", name, val, lo, hi);
	return -EINVAL;
}

static int __init dnngov_init(void)
{
	int ret;

	ret = dnngov_check_param("max_workloads", dnngov_max_workloads, 1,
				 DNNGOV_POLICY_MAX_WORKLOADS) ?:
	      dnngov_check_param("max_levels", dnngov_max_levels, 1,
				 DNNGOV_POLICY_MAX_LEVELS) ?:
	      dnngov_check_param("max_opps", dnngov_max_opps, 1,
				 DNNGOV_POLICY_MAX_OPPS) ?:
	      dnngov_check_param("sample_ms", dnngov_sample_ms, 1, 10000) ?:
	      dnngov_check_param("hysteresis_pct", dnngov_hysteresis_pct, 0, 100);
	if (ret)
		return ret;

	dnngov_debugfs_init();
	ret = dnngov_genl_init();
	if (ret)
		goto err_debugfs;
	ret = dnngov_cpufreq_init();
	if (ret)
		goto err_genl;
	ret = dnngov_devfreq_init();
	if (ret)
		goto err_cpufreq;
	pr_info("dnngov: cpufreq and devfreq governor \"dnngov\" registered\n");
	return 0;

err_cpufreq:
	dnngov_cpufreq_exit();
err_genl:
	dnngov_genl_exit();
err_debugfs:
	dnngov_debugfs_exit();
	return ret;
}

/*
 * Nothing governs when we get here: cpufreq holds a module reference for
 * each policy using the governor (.owner), and the devfreq governor takes
 * one on START.
 */
static void __exit dnngov_exit(void)
{
	dnngov_devfreq_exit();
	dnngov_cpufreq_exit();
	dnngov_genl_exit();
	dnngov_debugfs_exit();
	dnngov_domains_exit();
}

module_init(dnngov_init);
module_exit(dnngov_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("dnngov authors");
MODULE_DESCRIPTION("DNN-aware cpufreq/devfreq governor with a generic netlink interface");
MODULE_ALIAS_GENL_FAMILY(DNNGOV_GENL_NAME);
