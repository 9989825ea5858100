// SPDX-License-Identifier: GPL-2.0
/*
 * Domains and workloads, and the one path that decides and applies a
 * frequency: dnngov_dom_run(). See dnngov.h for the lock order.
 */
#include <linux/debugfs.h>
#include <linux/idr.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dnngov.h"
#include "trace.h"

/* the global lock of dnngov.h's lock order */
DEFINE_MUTEX(dnngov_lock);
LIST_HEAD(dnngov_domains);
static DEFINE_IDR(dnngov_wl_idr);
static struct dentry *dnngov_debugfs;

static void dnngov_sample_fn(struct work_struct *work);

struct dnngov_dom *dnngov_dom_alloc(enum dnngov_kind kind, const char *name)
{
	struct dnngov_dom *dom = kzalloc(sizeof(*dom), GFP_KERNEL);

	if (!dom)
		return NULL;
	kref_init(&dom->ref);
	dom->kind = kind;
	strscpy(dom->name, name, sizeof(dom->name));
	mutex_init(&dom->apply_lock);
	INIT_LIST_HEAD(&dom->workloads);
	/* deferrable: load sampling need not wake an idle CPU */
	INIT_DEFERRABLE_WORK(&dom->sample_work, dnngov_sample_fn);
	dom->pd.capacity = 1;
	dom->pd.hysteresis_pct = dnngov_hysteresis_pct;
	return dom;
}

static void dnngov_dom_release(struct kref *ref)
{
	struct dnngov_dom *dom = container_of(ref, struct dnngov_dom, ref);

	mutex_destroy(&dom->apply_lock);
	kfree(dom);
}

void dnngov_dom_put(struct dnngov_dom *dom)
{
	kref_put(&dom->ref, dnngov_dom_release);
}

/* Caller holds dnngov_lock. */
static struct dnngov_dom *dnngov_dom_lookup(const char *name)
{
	struct dnngov_dom *dom;

	list_for_each_entry(dom, &dnngov_domains, node)
		if (!strcmp(dom->name, name))
			return dom;
	return NULL;
}

/**
 * dnngov_dom_find() - look a domain up by name and take a reference
 * @name: domain name
 *
 * Caller holds dnngov_lock. Return: the domain or NULL.
 */
struct dnngov_dom *dnngov_dom_find(const char *name)
{
	struct dnngov_dom *dom = dnngov_dom_lookup(name);

	if (dom)
		kref_get(&dom->ref);
	return dom;
}

int dnngov_dom_add(struct dnngov_dom *dom)
{
	int ret = 0;

	mutex_lock(&dnngov_lock);
	if (dnngov_dom_lookup(dom->name))
		ret = -EEXIST;
	else
		list_add_tail(&dom->node, &dnngov_domains);
	mutex_unlock(&dnngov_lock);
	if (ret)
		pr_err("dnngov: domain %s already exists\n", dom->name);
	return ret;
}

/**
 * dnngov_wl_unlink() - take a workload off its domain and the id table
 * @wl: workload
 * @q: gets the DNNGOV_CMD_DEL_WORKLOAD notification
 * @tell_owner: unicast it to the owner too (the owner did not ask for it)
 *
 * Caller holds dnngov_lock and frees @wl afterwards.
 */
void dnngov_wl_unlink(struct dnngov_wl *wl, struct dnngov_msgq *q,
		      bool tell_owner)
{
	struct dnngov_dom *dom = wl->dom;

	dnngov_msgq_wl_deleted(q, wl, tell_owner);
	list_del(&wl->node);
	idr_remove(&dnngov_wl_idr, wl->pw.id);
	if (!--dom->n_workloads)
		dom->stats.fallbacks++;
}

void dnngov_wl_free(struct dnngov_wl *wl)
{
	kfree(wl);
}

/* Caller holds dnngov_lock. */
struct dnngov_wl *dnngov_wl_find(u32 id)
{
	if (id > INT_MAX)
		return NULL;
	return idr_find(&dnngov_wl_idr, id);
}

/* Caller holds dnngov_lock; sets wl->pw.id. */
int dnngov_wl_alloc_id(struct dnngov_wl *wl)
{
	int id = idr_alloc_cyclic(&dnngov_wl_idr, wl, 1, INT_MAX, GFP_KERNEL);

	if (id < 0)
		return id;
	wl->pw.id = id;
	return 0;
}

/**
 * dnngov_dom_remove() - the governor was switched away: drop the domain
 * @dom: domain, already stopped
 *
 * Its workloads go too; their owners and the "events" group are told.
 */
void dnngov_dom_remove(struct dnngov_dom *dom)
{
	struct dnngov_wl *wl, *tmp;
	struct dnngov_msgq q;
	LIST_HEAD(gone);

	dnngov_msgq_init(&q);
	mutex_lock(&dnngov_lock);
	dom->dead = true;
	list_del(&dom->node);
	list_for_each_entry_safe(wl, tmp, &dom->workloads, node) {
		dnngov_wl_unlink(wl, &q, true);
		list_add(&wl->node, &gone);
	}
	mutex_unlock(&dnngov_lock);
	dnngov_msgq_flush(&q);
	list_for_each_entry_safe(wl, tmp, &gone, node)
		dnngov_wl_free(wl);
	dnngov_dom_put(dom);
}

void dnngov_dom_start(struct dnngov_dom *dom)
{
	mutex_lock(&dom->apply_lock);
	mutex_lock(&dnngov_lock);
	dom->active = true;
	dom->sample_prev_ns = 0;
	dom->busy_max_us = 0;
	dom->freq_since_ns = 0;
	dom->pd.other_ppm = 0;
	mutex_unlock(&dnngov_lock);
	mutex_unlock(&dom->apply_lock);
	queue_delayed_work(system_power_efficient_wq, &dom->sample_work,
			   msecs_to_jiffies(dnngov_sample_ms));
}

/*
 * After this returns no sampling or apply runs on the domain until the next
 * start, so the caller may let the policy or devfreq device go.
 */
void dnngov_dom_stop(struct dnngov_dom *dom)
{
	mutex_lock(&dom->apply_lock);
	mutex_lock(&dnngov_lock);
	dom->active = false;
	mutex_unlock(&dnngov_lock);
	mutex_unlock(&dom->apply_lock);
	cancel_delayed_work_sync(&dom->sample_work);
}

/* Index of the OPP with exactly @khz, or -1. */
int dnngov_dom_opp_index(const struct dnngov_dom *dom, u32 khz)
{
	u32 i;

	for (i = 0; i < dom->pd.n_opps; i++)
		if (dom->pd.opps[i].freq_khz == khz)
			return i;
	return -1;
}

/* Index of the lowest OPP at or above @khz (the highest if none). */
static u32 dnngov_dom_opp_ceil(const struct dnngov_dom *dom, u32 khz)
{
	u32 i;

	for (i = 0; i + 1 < dom->pd.n_opps; i++)
		if (dom->pd.opps[i].freq_khz >= khz)
			break;
	return i;
}

/* Caller holds dnngov_lock. Return: 0 and *changed, or the policy's error. */
static int dnngov_dom_decide_locked(struct dnngov_dom *dom, bool *changed)
{
	const struct dnngov_workload *ws[DNNGOV_POLICY_MAX_WORKLOADS];
	struct dnngov_wl *wls[DNNGOV_POLICY_MAX_WORKLOADS];
	struct dnngov_decision *dec;
	struct dnngov_wl *wl;
	u32 i, n = 0;
	bool diff;
	int ret;

	/* Workloads without a level table have no model yet: no demand. */
	list_for_each_entry(wl, &dom->workloads, node) {
		if (!wl->pw.n_levels || n == DNNGOV_POLICY_MAX_WORKLOADS)
			continue;
		wls[n] = wl;
		ws[n++] = &wl->pw;
	}
	if (!dom->hyst_set)
		dom->pd.hysteresis_pct = dnngov_hysteresis_pct;

	dec = kmalloc(sizeof(*dec), GFP_KERNEL);
	if (!dec)
		return -ENOMEM;
	ret = dnngov_policy_decide(&dom->pd, ws, n, dec);
	if (ret) {
		pr_warn_ratelimited("dnngov: %s: policy error %d\n", dom->name, ret);
		kfree(dec);
		return ret;
	}
	if (!n)
		dec->flags |= DNNGOV_DECISION_F_FALLBACK;

	diff = !dom->have_dec || dec->opp != dom->dec.opp ||
	       dec->flags != dom->dec.flags ||
	       dec->n_workloads != dom->dec.n_workloads;
	for (i = 0; i < n; i++) {
		diff |= dom->dec_ids[i] != wls[i]->pw.id ||
			dom->dec.level[i] != dec->level[i];
		dom->dec_ids[i] = wls[i]->pw.id;
		/* the agent follows the recommendation unless it reports otherwise */
		wls[i]->pw.cur_level = dec->level[i];
	}
	*changed = diff;
	dom->dec = *dec;
	dom->have_dec = true;
	dom->pd.cur_opp = dec->opp;
	dom->stats.decisions++;
	if (dec->flags & DNNGOV_DECISION_F_INFEASIBLE)
		dom->stats.infeasible++;
	trace_dnngov_decision(dom->name, dec->freq_khz, dec->opp, dec->flags,
			      n, dec->power_uw);
	kfree(dec);
	return 0;
}

/*
 * Caller holds dnngov_lock. The non-DNN load floor: the policy core
 * subtracts the DNN busy time it expects in the window from each
 * workload's reported busy rate, so reports need not line up with samples.
 */
static void dnngov_dom_floor_locked(struct dnngov_dom *dom, u32 cur_khz,
				    u64 busy, u64 window)
{
	const struct dnngov_workload *ws[DNNGOV_POLICY_MAX_WORKLOADS];
	struct dnngov_load_sample s = {
		.now_us = div_u64(ktime_get_ns(), NSEC_PER_USEC),
		.window_us = window,
		.busy_us = busy,
		.busy_max_us = dom->busy_max_us,
		.cur_khz = cur_khz,
	};
	struct dnngov_wl *wl;
	u32 n = 0;

	list_for_each_entry(wl, &dom->workloads, node)
		if (n < DNNGOV_POLICY_MAX_WORKLOADS)
			ws[n++] = &wl->pw;
	dnngov_policy_sample(&dom->pd, ws, n, &s);
}

static int dnngov_dom_sample(struct dnngov_dom *dom, u64 *busy, u64 *window)
{
	dom->busy_max_us = 0;
	if (dom->kind == DNNGOV_KIND_CPUFREQ)
		return dnngov_cpufreq_sample(dom, busy, window);
	return dnngov_devfreq_sample(dom, busy, window);
}

/**
 * dnngov_dom_run() - decide a domain and apply the decision
 * @dom: domain (the caller holds a reference or the domain's governor lock)
 * @why: what changed; the timer samples the load floor and notifies only
 *	when the decision changed
 *
 * Process context, none of our locks held. Does nothing on a domain whose
 * governor is not started.
 */
void dnngov_dom_run(struct dnngov_dom *dom, enum dnngov_reason why)
{
	u32 min_khz, max_khz, cur_khz, khz, old;
	u64 busy = 0, window = 0;
	unsigned long hz = 0;
	struct dnngov_msgq q;
	bool sampled = false, changed = false;
	int ret;

	dnngov_msgq_init(&q);
	mutex_lock(&dom->apply_lock);
	if (!dom->active)
		goto out;
	if (why == DNNGOV_WHY_TIMER)
		sampled = !dnngov_dom_sample(dom, &busy, &window);
	if (dom->kind == DNNGOV_KIND_CPUFREQ)
		dnngov_cpufreq_limits(dom, &min_khz, &max_khz, &cur_khz);
	else
		dnngov_devfreq_limits(dom, &min_khz, &max_khz, &cur_khz);

	mutex_lock(&dnngov_lock);
	dom->pd.min_khz = min_khz;
	dom->pd.max_khz = max_khz;
	dom->cur_khz = cur_khz;
	if (sampled && window)
		dnngov_dom_floor_locked(dom, cur_khz, busy, window);
	if (!dom->have_dec)
		dom->pd.cur_opp = dnngov_dom_opp_ceil(dom, cur_khz);
	ret = dnngov_dom_decide_locked(dom, &changed);
	if (!ret) {
		khz = dom->dec.freq_khz;
		hz = dom->opp_hz[dom->dec.opp];
		if (why != DNNGOV_WHY_TIMER || changed)
			dnngov_msgq_decision(&q, dom);
	}
	mutex_unlock(&dnngov_lock);
	if (ret) {
		/* no decision: still honour the limits */
		khz = clamp(cur_khz, min_khz, max_khz);
		hz = (unsigned long)khz * 1000;
	}

	if (dom->kind == DNNGOV_KIND_CPUFREQ)
		old = dnngov_cpufreq_apply(dom, khz);
	else
		old = dnngov_devfreq_apply(dom, hz);

	mutex_lock(&dnngov_lock);
	if (old != khz) {
		dom->freq_since_ns = ktime_get_ns();
		dom->stats.transitions++;
		trace_dnngov_set_freq(dom->name, old, khz);
	}
	dom->cur_khz = khz;
	mutex_unlock(&dnngov_lock);
out:
	mutex_unlock(&dom->apply_lock);
	dnngov_msgq_flush(&q);
}

static void dnngov_sample_fn(struct work_struct *work)
{
	struct dnngov_dom *dom = container_of(to_delayed_work(work),
					      struct dnngov_dom, sample_work);

	dnngov_dom_run(dom, DNNGOV_WHY_TIMER);
	if (READ_ONCE(dom->active))
		queue_delayed_work(system_power_efficient_wq, &dom->sample_work,
				   msecs_to_jiffies(dnngov_sample_ms));
}

static const char * const dnngov_power_names[] = {
	[DNNGOV_POWER_EM] = "energy-model",
	[DNNGOV_POWER_OPP] = "opp-voltage",
	[DNNGOV_POWER_CURVE] = "default-curve",
	[DNNGOV_POWER_USER] = "user",
};

static int dnngov_domains_show(struct seq_file *s, void *unused)
{
	struct dnngov_dom *dom;
	struct dnngov_wl *wl;
	u32 i;

	mutex_lock(&dnngov_lock);
	list_for_each_entry(dom, &dnngov_domains, node) {
		seq_printf(s, "%s: %s cur %u kHz limits %u-%u floor %u hysteresis %u%% power %s capacity %u\n",
			   dom->name, dom->active ? "active" : "stopped",
			   dom->cur_khz, dom->pd.min_khz, dom->pd.max_khz,
			   dom->pd.floor_khz, dom->pd.hysteresis_pct,
			   dnngov_power_names[dom->power_src], dom->pd.capacity);
		seq_printf(s, "  decisions %llu infeasible %llu transitions %llu fallbacks %llu workloads %u\n",
			   dom->stats.decisions, dom->stats.infeasible,
			   dom->stats.transitions, dom->stats.fallbacks,
			   dom->n_workloads);
		if (dom->have_dec)
			seq_printf(s, "  decision opp %u (%u kHz) flags %#x power %llu uW\n",
				   dom->dec.opp, dom->dec.freq_khz,
				   dom->dec.flags, dom->dec.power_uw);
		seq_puts(s, "  opps (kHz busy_uW idle_uW):");
		for (i = 0; i < dom->pd.n_opps; i++)
			seq_printf(s, " %u/%u/%u", dom->pd.opps[i].freq_khz,
				   dom->pd.opps[i].power_busy_uw,
				   dom->pd.opps[i].power_idle_uw);
		seq_putc(s, '\n');
		list_for_each_entry(wl, &dom->workloads, node)
			seq_printf(s, "  workload %u '%s' owner %u target %u us floor %u levels %u level %u slowdown %u/65536 tail %u/65536 busy %u us/s inferences %llu misses %llu\n",
				   wl->pw.id, wl->name, wl->portid,
				   wl->pw.target_us, wl->pw.accuracy_floor,
				   wl->pw.n_levels, wl->pw.cur_level,
				   wl->pw.slowdown_fp, wl->pw.tail_fp,
				   wl->pw.busy_rate, wl->inferences,
				   wl->misses);
	}
	mutex_unlock(&dnngov_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dnngov_domains);

void dnngov_debugfs_init(void)
{
	dnngov_debugfs = debugfs_create_dir("dnngov", NULL);
	debugfs_create_file("domains", 0444, dnngov_debugfs, NULL,
			    &dnngov_domains_fops);
}

void dnngov_debugfs_exit(void)
{
	debugfs_remove_recursive(dnngov_debugfs);
}

/* Module exit: the governors are unregistered, so no domain is left. */
void dnngov_domains_exit(void)
{
	WARN_ON(!list_empty(&dnngov_domains));
	idr_destroy(&dnngov_wl_idr);
}
