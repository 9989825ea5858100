/* SPDX-License-Identifier: MIT */
/*
 * dnngov agent: the policy host, internal to libdnngov.
 *
 * The userspace counterpart of module/domain.c for the backends that run
 * the policy core themselves (sysfs, sim): a fixed table of frequency
 * domains and workloads; add/change/delete workloads and their level
 * tables, fold reports and load samples in through the policy core's own
 * entry points (dnngov_policy_report_window(), dnngov_policy_sample()),
 * decide per domain with dnngov_policy_decide() and keep the decision in
 * force for dnngov_platform_ops.decision. No clock, no I/O, no allocation:
 * time comes in with the reports and samples, and the backend owns reading
 * and writing frequencies (it applies a decision, then commits it here).
 *
 * Errors are negative errnos; the text goes to the platform's errmsg.
 */
#ifndef DNNGOV_AGENT_POLICY_HOST_H
#define DNNGOV_AGENT_POLICY_HOST_H

#include "platform.h"

/**
 * struct dnngov_host_decision - a decision and the workloads it is for
 * @dec: the policy core's decision
 * @wl: workload of each slot of @dec (slot i = dec.level[i], ...)
 */
struct dnngov_host_decision {
	struct dnngov_decision dec;
	const struct dnngov_workload *wl[DNNGOV_POLICY_MAX_WORKLOADS];
};

/**
 * struct dnngov_host_domain - one frequency domain
 * @pd: the policy's view: OPP table with power, limits, capacity, floor
 * @n_wl: workloads on the domain
 * @wl: those workloads, in the order they were added
 * @last: the decision in force (valid when @seq > 0)
 * @seq: decisions committed so far
 * @dirty: an input changed since the last decision
 */
struct dnngov_host_domain {
	struct dnngov_domain pd;
	u32 n_wl;
	struct dnngov_workload *wl[DNNGOV_POLICY_MAX_WORKLOADS];
	struct dnngov_host_decision last;
	u64 seq;
	bool dirty;
};

/**
 * struct dnngov_host_workload - one workload
 * @id: its id (> 0), 0 when the slot is free
 * @dom: index of its domain in the host
 * @pw: the policy's view: target, floor, period, levels, windows
 */
struct dnngov_host_workload {
	u32 id;
	u32 dom;
	struct dnngov_workload pw;
};

/**
 * struct dnngov_policy_host - domains and workloads of one backend
 * @p: the backend, whose errmsg gets the reason of a failed call
 * @n_dom: domains in @dom
 * @dom: the domains, in the order the backend added them
 * @wl: workload slots
 * @next_id: last id handed out
 */
struct dnngov_policy_host {
	struct dnngov_platform *p;
	u32 n_dom;
	struct dnngov_host_domain dom[DNNGOV_PLATFORM_MAX_DOMAINS];
	struct dnngov_host_workload wl[DNNGOV_POLICY_MAX_WORKLOADS];
	u32 next_id;
};

/* Empty host reporting errors through @p. */
void dnngov_host_init(struct dnngov_policy_host *h, struct dnngov_platform *p);

/*
 * Add a domain with the policy view @pd (copied; marked dirty so that the
 * first tick decides it). Return: its index, or -ENOSPC when the table is full.
 */
int dnngov_host_domain_add(struct dnngov_policy_host *h,
			   const struct dnngov_domain *pd);

/* The workload with @id, or NULL with "no workload ID" in errmsg. */
struct dnngov_host_workload *dnngov_host_workload_find(struct dnngov_policy_host *h,
						       u32 id);

/* 0 if domain @dom can take one more workload, else -ENOSPC (errmsg set). */
int dnngov_host_workload_room(struct dnngov_policy_host *h, u32 dom);

/* Add a workload to domain @dom; *@id gets its id. 0 or -ENOSPC. */
int dnngov_host_workload_add(struct dnngov_policy_host *h, u32 dom,
			     const struct dnngov_platform_workload *w, u32 *id);

/* New target, accuracy floor and period. 0 or -ENOENT. */
int dnngov_host_workload_change(struct dnngov_policy_host *h, u32 id,
				const struct dnngov_platform_workload *w);

/* Forget a workload; *@dom (may be NULL) gets its domain. 0 or -ENOENT. */
int dnngov_host_workload_del(struct dnngov_policy_host *h, u32 id, u32 *dom);

/* Replace the level table (1..DNNGOV_POLICY_MAX_LEVELS). 0, -ENOENT, -EINVAL. */
int dnngov_host_levels_set(struct dnngov_policy_host *h, u32 id,
			   const struct dnngov_level *levels, u32 n);

/*
 * Check a report against its workload (known id, level inside the table);
 * *@out gets the workload. 0, -ENOENT or -EINVAL.
 */
int dnngov_host_report_check(struct dnngov_policy_host *h, u32 id,
			     const struct dnngov_platform_report *r,
			     struct dnngov_host_workload **out);

/* Fold a checked report into its workload's window; the domain goes dirty. */
void dnngov_host_report(struct dnngov_policy_host *h,
			struct dnngov_host_workload *w,
			const struct dnngov_report *rep);

/*
 * Feed a load sample of domain @dom to the policy core (non-DNN load
 * floor). Return: true if the floor changed.
 */
bool dnngov_host_sample(struct dnngov_policy_host *h, u32 dom,
			const struct dnngov_load_sample *ls);

/* Domain @dom has workloads and every one of them has a level table. */
bool dnngov_host_ready(const struct dnngov_policy_host *h, u32 dom);

/*
 * Decide domain @dom over its workloads that have a level table (as
 * module/domain.c does) and make the decision the policy's current state:
 * OPP in force, each workload's level; the domain is clean again. The
 * backend applies @out's frequency, then calls dnngov_host_commit().
 * Return: 0, or the policy core's error when it rejects the domain (the
 * domain stays dirty; errmsg is left to the backend, which names it).
 */
int dnngov_host_decide(struct dnngov_policy_host *h, u32 dom,
		       struct dnngov_host_decision *out);

/* Keep an applied decision in force for dnngov_host_decision_get(). */
void dnngov_host_commit(struct dnngov_policy_host *h, u32 dom,
			const struct dnngov_host_decision *d);

/*
 * The decision in force for workload @id. Return: 0, -ENOENT (errmsg set),
 * or -ENODATA when none covers the workload yet.
 */
int dnngov_host_decision_get(struct dnngov_policy_host *h, u32 id,
			     struct dnngov_platform_decision *out);

#endif /* DNNGOV_AGENT_POLICY_HOST_H */
