// SPDX-License-Identifier: GPL-2.0
/*
 * The cpufreq governor "dnngov". A policy becomes a domain on init and
 * stops being one on exit, so its workloads survive a stop/start cycle
 * (suspend, CPU hotplug). Frequencies are set with __cpufreq_driver_target()
 * under dom->apply_lock, which start/stop/limits also take: like ondemand's
 * update_mutex, it serialises our changes with the core's policy changes.
 */
#include <linux/cpu.h>
#include <linux/cpufreq.h>
#include <linux/cpumask.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "dnngov.h"
#include "power.h"

/*
 * Each CPU's idle and wall time at the previous sample, for the busiest-CPU
 * load. A CPU belongs to one policy at a time and is sampled under its
 * domain's apply_lock.
 */
struct dnngov_cpu_prev {
	u64 idle_us;
	u64 wall_us;
};

static DEFINE_PER_CPU(struct dnngov_cpu_prev, dnngov_cpu_prev);

static int dnngov_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* Sorted, de-duplicated OPP table from the driver's frequency table. */
static int dnngov_cpufreq_opps(struct cpufreq_policy *policy,
			       struct dnngov_dom *dom)
{
	struct cpufreq_frequency_table *pos;
	u32 *f, n = 0, i, m = 0;

	if (!policy->freq_table) {
		pr_err("dnngov: %s: driver %s has no frequency table; dnngov needs one\n",
		       dom->name, cpufreq_get_current_driver());
		return -EINVAL;
	}
	cpufreq_for_each_valid_entry(pos, policy->freq_table)
		n++;
	if (!n) {
		pr_err("dnngov: %s: empty frequency table\n", dom->name);
		return -EINVAL;
	}
	f = kcalloc(n, sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	i = 0;
	cpufreq_for_each_valid_entry(pos, policy->freq_table)
		f[i++] = pos->frequency;
	sort(f, n, sizeof(*f), dnngov_cmp_u32, NULL);
	for (i = 0; i < n; i++) {
		if (m && f[i] == dom->pd.opps[m - 1].freq_khz)
			continue;
		if (m == dnngov_max_opps) {
			pr_err("dnngov: %s: more than max_opps=%u frequencies; load dnngov with a larger max_opps (at most %u)\n",
			       dom->name, dnngov_max_opps, DNNGOV_POLICY_MAX_OPPS);
			kfree(f);
			return -E2BIG;
		}
		dom->pd.opps[m++].freq_khz = f[i];
	}
	kfree(f);
	dom->pd.n_opps = m;
	return 0;
}

static int dnngov_cpufreq_gov_init(struct cpufreq_policy *policy)
{
	char name[DNNGOV_DOMAIN_NAME_MAX];
	struct dnngov_dom *dom;
	int ret;

	snprintf(name, sizeof(name), "cpufreq:policy%u", policy->cpu);
	dom = dnngov_dom_alloc(DNNGOV_KIND_CPUFREQ, name);
	if (!dom)
		return -ENOMEM;
	ret = dnngov_cpufreq_opps(policy, dom);
	if (ret)
		goto put;
	dnngov_power_model(dom, get_cpu_device(policy->cpu), policy->cpu,
			   DNNGOV_CPU_CAP_PF);
	dom->pd.capacity = max(cpumask_weight(policy->cpus), 1U);
	dom->pd.min_khz = policy->min;
	dom->pd.max_khz = policy->max;
	dom->cur_khz = policy->cur;
	dom->policy = policy;
	ret = dnngov_dom_add(dom);
	if (ret)
		goto put;
	policy->governor_data = dom;
	return 0;
put:
	dnngov_dom_put(dom);
	return ret;
}

static void dnngov_cpufreq_gov_exit(struct cpufreq_policy *policy)
{
	struct dnngov_dom *dom = policy->governor_data;

	policy->governor_data = NULL;
	dnngov_dom_remove(dom);
}

static int dnngov_cpufreq_gov_start(struct cpufreq_policy *policy)
{
	struct dnngov_dom *dom = policy->governor_data;

	mutex_lock(&dnngov_lock);
	dom->pd.capacity = max(cpumask_weight(policy->cpus), 1U);
	mutex_unlock(&dnngov_lock);
	dnngov_dom_start(dom);
	dnngov_dom_run(dom, DNNGOV_WHY_START);
	return 0;
}

static void dnngov_cpufreq_gov_stop(struct cpufreq_policy *policy)
{
	dnngov_dom_stop(policy->governor_data);
}

static void dnngov_cpufreq_gov_limits(struct cpufreq_policy *policy)
{
	dnngov_dom_run(policy->governor_data, DNNGOV_WHY_LIMITS);
}

static struct cpufreq_governor dnngov_cpufreq_gov = {
	.name = "dnngov",
	.owner = THIS_MODULE,
	.flags = CPUFREQ_GOV_DYNAMIC_SWITCHING,
	.init = dnngov_cpufreq_gov_init,
	.exit = dnngov_cpufreq_gov_exit,
	.start = dnngov_cpufreq_gov_start,
	.stop = dnngov_cpufreq_gov_stop,
	.limits = dnngov_cpufreq_gov_limits,
};

/**
 * dnngov_cpufreq_sample() - busy time of the policy's CPUs since last call
 * @dom: started cpufreq domain; caller holds dom->apply_lock
 * @busy_us: busy time summed over the CPUs
 * @window_us: wall time of the window
 *
 * Also sets dom->busy_max_us to the busy time of the busiest CPU, so that a
 * single-threaded task on one of several CPUs gets the frequency it needs.
 *
 * Return: 0, or -EAGAIN for the first sample (or after the CPU set changed).
 */
int dnngov_cpufreq_sample(struct dnngov_dom *dom, u64 *busy_us, u64 *window_us)
{
	struct cpufreq_policy *policy = dom->policy;
	u64 idle = 0, wall = 0, w, dwall, didle, ci, bmax = 0;
	struct dnngov_cpu_prev *p;
	u32 ncpu = 0;
	unsigned int cpu;

	for_each_cpu(cpu, policy->cpus) {
		ci = get_cpu_idle_time(cpu, &w, 0);
		idle += ci;
		if (!ncpu++)
			wall = w;
		p = per_cpu_ptr(&dnngov_cpu_prev, cpu);
		if (w > p->wall_us && ci >= p->idle_us &&
		    w - p->wall_us > ci - p->idle_us)
			bmax = max(bmax, (w - p->wall_us) - (ci - p->idle_us));
		p->idle_us = ci;
		p->wall_us = w;
	}
	if (!ncpu)
		return -EAGAIN;
	/* sample_prev_ns holds the CPU count of the previous sample */
	if (dom->sample_prev_ns != ncpu || wall <= dom->prev_wall_us ||
	    idle < dom->prev_idle_us) {
		dom->sample_prev_ns = ncpu;
		dom->prev_wall_us = wall;
		dom->prev_idle_us = idle;
		return -EAGAIN;
	}
	dwall = wall - dom->prev_wall_us;
	didle = idle - dom->prev_idle_us;
	dom->prev_wall_us = wall;
	dom->prev_idle_us = idle;
	*window_us = dwall;
	*busy_us = dwall * ncpu > didle ? dwall * ncpu - didle : 0;
	dom->busy_max_us = min(bmax, dwall);
	return 0;
}

void dnngov_cpufreq_limits(struct dnngov_dom *dom, u32 *min_khz, u32 *max_khz,
			   u32 *cur_khz)
{
	struct cpufreq_policy *policy = dom->policy;

	*min_khz = READ_ONCE(policy->min);
	*max_khz = READ_ONCE(policy->max);
	*cur_khz = READ_ONCE(policy->cur);
}

/* Caller holds dom->apply_lock. Return: the frequency before, kHz. */
u32 dnngov_cpufreq_apply(struct dnngov_dom *dom, u32 khz)
{
	struct cpufreq_policy *policy = dom->policy;
	u32 old = policy->cur;

	__cpufreq_driver_target(policy, khz, CPUFREQ_RELATION_L);
	return old;
}

int dnngov_cpufreq_init(void)
{
	int ret = cpufreq_register_governor(&dnngov_cpufreq_gov);

	if (ret)
		pr_err("dnngov: cannot register the cpufreq governor: %d\n", ret);
	return ret;
}

void dnngov_cpufreq_exit(void)
{
	cpufreq_unregister_governor(&dnngov_cpufreq_gov);
}
