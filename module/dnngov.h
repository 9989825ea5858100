/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dnngov.ko internal interfaces: domains, workloads, the decide-and-apply
 * path shared by the cpufreq and devfreq governors and the netlink family.
 *
 * Lock order (outermost first):
 *   cpufreq policy->rwsem / devfreq_list_lock   (held by the cores around
 *                                                our governor callbacks)
 *   dom->apply_lock     serialises frequency changes with start/stop/limits
 *   devfreq->lock       taken by update_devfreq() callers
 *   dnngov_lock         domain and workload lists and all their state
 * Nothing takes dnngov_lock and then a lock above it, and netlink messages
 * are only sent with none of our locks held (they are queued on a
 * struct dnngov_msgq while building and flushed afterwards).
 */
#ifndef _DNNGOV_MODULE_H
#define _DNNGOV_MODULE_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "../include/dnngov/policy.h"
#include "../include/uapi/linux/dnngov.h"

struct cpufreq_policy;
struct devfreq;
struct net;
struct sk_buff;

enum dnngov_kind {
	DNNGOV_KIND_CPUFREQ,
	DNNGOV_KIND_DEVFREQ,
};

/* Where a domain's per-OPP power comes from (see Documentation/governor.md). */
enum dnngov_power_src {
	DNNGOV_POWER_EM,	/* kernel Energy Model */
	DNNGOV_POWER_OPP,	/* C * V^2 * f from OPP voltages */
	DNNGOV_POWER_CURVE,	/* C * V^2 * f on the default V(f) line */
	DNNGOV_POWER_USER,	/* DNNGOV_CMD_SET_DOMAIN */
};

/* Why a domain is re-decided; the timer only notifies on a change. */
enum dnngov_reason {
	DNNGOV_WHY_START,
	DNNGOV_WHY_WORKLOAD,
	DNNGOV_WHY_REPORT,
	DNNGOV_WHY_LIMITS,
	DNNGOV_WHY_DOMAIN,
	DNNGOV_WHY_TIMER,
	DNNGOV_WHY_RELEASE,
};

struct dnngov_stats {
	u64 decisions;
	u64 infeasible;
	u64 transitions;
	u64 fallbacks;
};

/**
 * struct dnngov_dom - one frequency domain governed by dnngov
 * @node: entry in the global domain list (dnngov_lock)
 * @ref: the list holds one reference, netlink handlers hold one while they
 *	use the domain without dnngov_lock
 * @name: "cpufreq:policyN" or "devfreq:NAME"
 * @kind: cpufreq policy or devfreq device
 * @policy: the cpufreq policy (valid while @active)
 * @df: the devfreq device (valid while @active)
 * @apply_lock: serialises sampling and frequency changes with start/stop
 * @active: the governor is started; only then may @policy/@df be used
 *	(written under @apply_lock and dnngov_lock)
 * @dead: removed from the list; no new workloads
 * @pd: the policy core's view: OPPs with power, limits, floor, current OPP
 * @opp_hz: exact devfreq frequency of each OPP (Hz), 0 for cpufreq
 * @power_src: where the power of @pd.opps came from
 * @hyst_set: @pd.hysteresis_pct was set by DNNGOV_CMD_SET_DOMAIN
 * @workloads: workloads on the domain (dnngov_lock)
 * @n_workloads: length of @workloads
 * @dec: last decision
 * @dec_ids: workload id of each entry of @dec
 * @have_dec: @dec is valid
 * @target_hz: devfreq frequency returned by get_target_freq
 * @lim_min_hz: devfreq range seen by the last decision (devfreq->lock)
 * @lim_max_hz: see @lim_min_hz
 * @cur_khz: frequency in force after the last apply
 * @stats: counters for GET_DOMAIN and debugfs
 * @sample_work: sampling and re-decision timer (sample_ms)
 * @sample_prev_ns: time of the previous sample
 * @prev_idle_us: per-policy summed idle time at the previous sample (cpufreq)
 * @prev_wall_us: wall time of policy->cpu at the previous sample (cpufreq)
 * @busy_max_us: busy time of the busiest CPU in the last sample window
 *	(cpufreq; 0 = not known, as for devfreq)
 * @freq_since_ns: when the frequency last changed (0 = not since start)
 */
struct dnngov_dom {
	struct list_head node;
	struct kref ref;
	char name[DNNGOV_DOMAIN_NAME_MAX];
	enum dnngov_kind kind;
	struct cpufreq_policy *policy;
	struct devfreq *df;
	struct mutex apply_lock;	/* see the lock order above */
	bool active;
	bool dead;
	struct dnngov_domain pd;
	unsigned long opp_hz[DNNGOV_POLICY_MAX_OPPS];
	enum dnngov_power_src power_src;
	bool hyst_set;
	struct list_head workloads;
	u32 n_workloads;
	struct dnngov_decision dec;
	u32 dec_ids[DNNGOV_POLICY_MAX_WORKLOADS];
	bool have_dec;
	unsigned long target_hz;
	unsigned long lim_min_hz;
	unsigned long lim_max_hz;
	u32 cur_khz;
	struct dnngov_stats stats;
	struct delayed_work sample_work;
	u64 sample_prev_ns;
	u64 prev_idle_us;
	u64 prev_wall_us;
	u64 busy_max_us;
	u64 freq_since_ns;
};

/**
 * struct dnngov_wl - one workload, owned by a netlink socket
 * @node: entry in its domain's list
 * @dom: the domain
 * @portid: owner's netlink port id
 * @net: owner's network namespace (compared, never dereferenced)
 * @name: label for humans
 * @pw: the policy core's view (id, target, levels, slowdown, level)
 * @misses: reported inferences whose mean latency was over the target
 * @inferences: reported inferences
 */
struct dnngov_wl {
	struct list_head node;
	struct dnngov_dom *dom;
	u32 portid;
	struct net *net;
	char name[DNNGOV_WORKLOAD_NAME_MAX];
	struct dnngov_workload pw;
	u64 misses;
	u64 inferences;
};

/* Netlink messages built under locks and sent after them. */
struct dnngov_msgq {
	struct list_head msgs;
};

/* module parameters (main.c) */
extern unsigned int dnngov_max_workloads;
extern unsigned int dnngov_max_levels;
extern unsigned int dnngov_max_opps;
extern unsigned int dnngov_sample_ms;
extern unsigned int dnngov_hysteresis_pct;

/* protects dnngov_domains, every domain's workloads and their state */
extern struct mutex dnngov_lock;
extern struct list_head dnngov_domains;

/* domain.c */
struct dnngov_dom *dnngov_dom_alloc(enum dnngov_kind kind, const char *name);
int dnngov_dom_add(struct dnngov_dom *dom);
void dnngov_dom_remove(struct dnngov_dom *dom);
void dnngov_dom_start(struct dnngov_dom *dom);
void dnngov_dom_stop(struct dnngov_dom *dom);
void dnngov_dom_put(struct dnngov_dom *dom);
struct dnngov_dom *dnngov_dom_find(const char *name);
void dnngov_dom_run(struct dnngov_dom *dom, enum dnngov_reason why);
int dnngov_dom_opp_index(const struct dnngov_dom *dom, u32 khz);
void dnngov_wl_free(struct dnngov_wl *wl);
struct dnngov_wl *dnngov_wl_find(u32 id);
int dnngov_wl_alloc_id(struct dnngov_wl *wl);
void dnngov_wl_unlink(struct dnngov_wl *wl, struct dnngov_msgq *q,
		      bool tell_owner);
void dnngov_domains_exit(void);
void dnngov_debugfs_init(void);
void dnngov_debugfs_exit(void);

/* genl.c */
int dnngov_genl_init(void);
void dnngov_genl_exit(void);
void dnngov_msgq_init(struct dnngov_msgq *q);
void dnngov_msgq_flush(struct dnngov_msgq *q);
void dnngov_msgq_decision(struct dnngov_msgq *q, const struct dnngov_dom *dom);
void dnngov_msgq_wl_deleted(struct dnngov_msgq *q, const struct dnngov_wl *wl,
			    bool tell_owner);

/* cpufreq_gov.c */
int dnngov_cpufreq_init(void);
void dnngov_cpufreq_exit(void);
int dnngov_cpufreq_sample(struct dnngov_dom *dom, u64 *busy_us, u64 *window_us);
void dnngov_cpufreq_limits(struct dnngov_dom *dom, u32 *min_khz, u32 *max_khz,
			   u32 *cur_khz);
u32 dnngov_cpufreq_apply(struct dnngov_dom *dom, u32 khz);

/* devfreq_gov.c */
int dnngov_devfreq_init(void);
void dnngov_devfreq_exit(void);
int dnngov_devfreq_sample(struct dnngov_dom *dom, u64 *busy_us, u64 *window_us);
void dnngov_devfreq_limits(struct dnngov_dom *dom, u32 *min_khz, u32 *max_khz,
			   u32 *cur_khz);
u32 dnngov_devfreq_apply(struct dnngov_dom *dom, unsigned long hz);

#endif /* _DNNGOV_MODULE_H */
