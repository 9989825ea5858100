// SPDX-License-Identifier: GPL-2.0
/*
 * The devfreq governor "dnngov". A device becomes a domain on START and
 * stops being one on STOP. The decision is stored in dom->target_hz and
 * applied by update_devfreq() under devfreq->lock (as governor_userspace
 * does); the core then clamps it to every limit (sysfs min/max, PM QoS,
 * OPP scaling limits) after get_target_freq().
 *
 * The devfreq core takes no module reference on governors, and unloading a
 * governor that is in use leaves a NULL governor behind that Oopses the next
 * devfreq_add_governor(): pin the module from START to STOP.
 */
#include <linux/devfreq.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/pm_opp.h>
#include <linux/xarray.h>

#include "compat.h"
#include "dnngov.h"
#include "power.h"

static void dnngov_df_range(struct devfreq *df, unsigned long *min_hz,
			    unsigned long *max_hz);

/*
 * Device -> domain, keyed by the struct devfreq pointer. struct
 * devfreq.governor_data came with 6.2 and the January 2023 stable updates
 * (6.1.4, 5.15.y, 5.10.y): 5.10.89 and the L4T r35 (JetPack 5) tree lack
 * it, and ->data belongs to the driver. One map on every kernel keeps the
 * path the VM tests the one a Jetson runs. Entries change under df->lock,
 * so a reader holding it sees a domain that is not stopped yet.
 */
static DEFINE_XARRAY(dnngov_df_doms);

static struct dnngov_dom *dnngov_df_dom(struct devfreq *df)
{
	return xa_load(&dnngov_df_doms, (unsigned long)df);
}

/*
 * Called under devfreq->lock by update_devfreq(): ours, and the core's when
 * a limit (sysfs min/max, PM QoS, OPP) changes. The core clamps the answer
 * to the limits; a changed range also re-decides the domain at once.
 */
static int dnngov_df_get_target_freq(struct devfreq *df, unsigned long *freq)
{
	struct dnngov_dom *dom = dnngov_df_dom(df);
	unsigned long hz = dom ? READ_ONCE(dom->target_hz) : 0;
	unsigned long lo, hi;

	*freq = hz ? hz : df->previous_freq;
	if (dom) {
		dnngov_df_range(df, &lo, &hi);
		if (lo != dom->lim_min_hz || hi != dom->lim_max_hz)
			mod_delayed_work(system_power_efficient_wq,
					 &dom->sample_work, 0);
	}
	return 0;
}

/* OPP table of the devfreq parent, ascending; Hz kept exactly. */
static int dnngov_df_opps(struct devfreq *df, struct dnngov_dom *dom)
{
	struct device *dev = df->dev.parent;
	struct dev_pm_opp *opp;
	unsigned long hz = 0;
	u32 n = 0;

	for (;; hz++) {
		opp = dev_pm_opp_find_freq_ceil(dev, &hz);
		if (IS_ERR(opp))
			break;
		dev_pm_opp_put(opp);
		if (n && hz / 1000 == dom->pd.opps[n - 1].freq_khz)
			continue;	/* same kHz: keep the first */
		if (hz / 1000 > DNNGOV_FREQ_KHZ_MAX || !(hz / 1000))
			continue;
		if (n == dnngov_max_opps) {
			pr_err("dnngov: %s: more than max_opps=%u OPPs; load dnngov with a larger max_opps (at most %u)\n",
			       dom->name, dnngov_max_opps, DNNGOV_POLICY_MAX_OPPS);
			return -E2BIG;
		}
		dom->opp_hz[n] = hz;
		dom->pd.opps[n++].freq_khz = hz / 1000;
	}
	if (!n) {
		pr_err("dnngov: %s: the device has no OPPs\n", dom->name);
		return -EINVAL;
	}
	dom->pd.n_opps = n;
	return 0;
}

static int dnngov_df_start(struct devfreq *df)
{
	char name[DNNGOV_DOMAIN_NAME_MAX];
	struct dnngov_dom *dom;
	int ret;

	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	snprintf(name, sizeof(name), "devfreq:%s", dev_name(&df->dev));
	dom = dnngov_dom_alloc(DNNGOV_KIND_DEVFREQ, name);
	if (!dom) {
		ret = -ENOMEM;
		goto put_module;
	}
	ret = dnngov_df_opps(df, dom);
	if (ret)
		goto put;
	dnngov_power_model(dom, df->dev.parent, -1, DNNGOV_DEVFREQ_CAP_PF);
	dom->df = df;
	dom->cur_khz = df->previous_freq / 1000;
	/* reserved now, so the store below cannot fail */
	ret = xa_reserve(&dnngov_df_doms, (unsigned long)df, GFP_KERNEL);
	if (ret)
		goto put;
	ret = dnngov_dom_add(dom);
	if (ret) {
		xa_release(&dnngov_df_doms, (unsigned long)df);
		goto put;
	}
	mutex_lock(&df->lock);
	xa_store(&dnngov_df_doms, (unsigned long)df, dom, GFP_KERNEL);
	mutex_unlock(&df->lock);
	dnngov_dom_start(dom);
	/* first decision from the worker: START may run under core locks */
	mod_delayed_work(system_power_efficient_wq, &dom->sample_work, 0);
	return 0;
put:
	dnngov_dom_put(dom);
put_module:
	module_put(THIS_MODULE);
	return ret;
}

static void dnngov_df_stop(struct devfreq *df)
{
	struct dnngov_dom *dom;

	mutex_lock(&df->lock);
	dom = xa_erase(&dnngov_df_doms, (unsigned long)df);
	mutex_unlock(&df->lock);
	if (!dom)
		return;
	dnngov_dom_stop(dom);
	dnngov_dom_remove(dom);
	module_put(THIS_MODULE);
}

static int dnngov_df_event(struct devfreq *df, unsigned int event, void *data)
{
	struct dnngov_dom *dom = dnngov_df_dom(df);

	switch (event) {
	case DEVFREQ_GOV_START:
		return dnngov_df_start(df);
	case DEVFREQ_GOV_STOP:
		dnngov_df_stop(df);
		break;
	case DEVFREQ_GOV_SUSPEND:
		if (dom)
			dnngov_dom_stop(dom);
		break;
	case DEVFREQ_GOV_RESUME:
		if (dom) {
			dnngov_dom_start(dom);
			mod_delayed_work(system_power_efficient_wq,
					 &dom->sample_work, 0);
		}
		break;
	default:
		/* UPDATE_INTERVAL: dnngov samples every sample_ms instead */
		break;
	}
	return 0;
}

static struct devfreq_governor dnngov_devfreq_gov = {
	.name = "dnngov",
	.get_target_freq = dnngov_df_get_target_freq,
	.event_handler = dnngov_df_event,
};

/*
 * The range the devfreq core clamps to: OPP scaling limits, device PM QoS
 * (sysfs min_freq/max_freq) and the frequency table. Caller holds df->lock.
 */
static void dnngov_df_range(struct devfreq *df, unsigned long *min_hz,
			    unsigned long *max_hz)
{
#if KERNEL_VERSION(6, 0, 0) <= LINUX_VERSION_CODE
	devfreq_get_freq_range(df, min_hz, max_hz);
#else
	/* not exported: the core still clamps to PM QoS after us */
	*min_hz = df->scaling_min_freq;
	*max_hz = max(df->scaling_min_freq, df->scaling_max_freq);
#endif
}

/* Caller holds dom->apply_lock (so df is valid). */
void dnngov_devfreq_limits(struct dnngov_dom *dom, u32 *min_khz, u32 *max_khz,
			   u32 *cur_khz)
{
	struct devfreq *df = dom->df;
	unsigned long lo, hi;

	mutex_lock(&df->lock);
	dnngov_df_range(df, &lo, &hi);
	dom->lim_min_hz = lo;
	dom->lim_max_hz = hi;
	*cur_khz = df->previous_freq / 1000;
	mutex_unlock(&df->lock);
	*min_khz = min_t(unsigned long, DIV_ROUND_UP(lo, 1000), U32_MAX);
	*max_khz = min_t(unsigned long, hi / 1000, U32_MAX);
}

/**
 * dnngov_devfreq_sample() - busy time of the device since the last call
 * @dom: started devfreq domain; caller holds dom->apply_lock
 * @busy_us: busy time, scaled from the driver's busy/total ratio
 * @window_us: wall time since the previous sample
 *
 * Return: 0, -EAGAIN for the first sample, or the driver's error.
 */
int dnngov_devfreq_sample(struct dnngov_dom *dom, u64 *busy_us, u64 *window_us)
{
	struct devfreq *df = dom->df;
	u64 now = ktime_get_ns(), busy, total;
	int ret;

	mutex_lock(&df->lock);
	ret = devfreq_update_stats(df);
	busy = df->last_status.busy_time;
	total = df->last_status.total_time;
	mutex_unlock(&df->lock);
	if (ret)
		return ret;
	if (!dom->sample_prev_ns || now <= dom->sample_prev_ns) {
		dom->sample_prev_ns = now;
		return -EAGAIN;
	}
	*window_us = div_u64(now - dom->sample_prev_ns, NSEC_PER_USEC);
	dom->sample_prev_ns = now;
	if (!total)
		return -EAGAIN;
	*busy_us = div64_u64(min(busy, total) * *window_us, total);
	return 0;
}

/* Caller holds dom->apply_lock. Return: the frequency before, kHz. */
u32 dnngov_devfreq_apply(struct dnngov_dom *dom, unsigned long hz)
{
	struct devfreq *df = dom->df;
	unsigned long old;
	int ret;

	WRITE_ONCE(dom->target_hz, hz);
	mutex_lock(&df->lock);
	old = df->previous_freq;
	ret = update_devfreq(df);
	mutex_unlock(&df->lock);
	if (ret)
		pr_warn_ratelimited("dnngov: %s: update_devfreq: %d\n", dom->name, ret);
	return old / 1000;
}

int dnngov_devfreq_init(void)
{
	int ret;

	dnngov_compat_checks();
	ret = devfreq_add_governor(&dnngov_devfreq_gov);
	if (ret)
		pr_err("dnngov: cannot register the devfreq governor: %d\n", ret);
	return ret;
}

void dnngov_devfreq_exit(void)
{
	int ret = devfreq_remove_governor(&dnngov_devfreq_gov);

	if (ret)
		pr_err("dnngov: cannot remove the devfreq governor: %d\n", ret);
}
