/* SPDX-License-Identifier: MIT */
/*
 * dnngov agent: the runtime manager (subnet choice + platform coordination).
 *
 * Two loops (Documentation/agent.md):
 *  fast  dnngov_manager_infer_done() after every inference: end-to-end
 *        latency against the target picks the next level. A missed deadline drops a
 *        level at once; a step up needs K consecutive inferences whose
 *        predicted latency at the next level (measured latency scaled by the
 *        latency model) keeps a slack margin; never below the accuracy
 *        floor's level, never above the platform's recommendation.
 *  slow  dnngov_manager_tick() on a period: pushes targets, subnet tables
 *        and reports through the platform (platform.h), then follows its
 *        decisions (frequency and recommended level).
 *
 * The manager never reads a clock and never sleeps: every time is passed in
 * (CLOCK_MONOTONIC in dnngovd, virtual time in the simulator). It allocates
 * only in create/add; the per-inference path is O(1) with no allocation and
 * no system call. It is not thread-safe: callers serialise (dnngovd holds
 * one mutex around all calls).
 *
 * Levels are ordered: level 0 is the cheapest and least accurate subnet,
 * each next level at least as accurate (checked by add/set_levels).
 */
#ifndef DNNGOV_AGENT_MANAGER_H
#define DNNGOV_AGENT_MANAGER_H

#include <stdint.h>

#include "platform.h"

#define DNNGOV_MANAGER_MAX_WORKLOADS	DNNGOV_POLICY_MAX_WORKLOADS
#define DNNGOV_MANAGER_NAME_MAX		DNNGOV_WORKLOAD_NAME_MAX

/**
 * struct dnngov_manager_config - tuning; dnngov_manager_config_default()
 * @up_after: K, consecutive inferences with slack before a step up (3)
 * @up_slack_pct: predicted latency at the next level must be at most
 *	target * (100 - this) / 100 (10)
 * @report_period_ns: least time between two reports of a workload
 *	(100 ms); a deadline miss or a target change reports at the next tick
 * @ref_khz: frequency the latency model assumes when the platform knows
 *	none (0 = 1000000 kHz)
 */
struct dnngov_manager_config {
	u32 up_after;
	u32 up_slack_pct;
	u64 report_period_ns;
	u32 ref_khz;
};

/**
 * struct dnngov_manager_workload - a workload as the caller declares it
 * @name: label (truncated to DNNGOV_MANAGER_NAME_MAX - 1)
 * @domain: frequency domain name, or "" for none (no platform calls)
 * @target_us: latency target per inference (> 0)
 * @accuracy_floor: 1/100 % (0 = none)
 * @period_us: arrival period (0 = back to back)
 * @n_levels: 1..DNNGOV_POLICY_MAX_LEVELS
 * @levels: latency model per level (cycles, fixed_us) and accuracy
 */
struct dnngov_manager_workload {
	const char *name;
	const char *domain;
	u32 target_us;
	u32 accuracy_floor;
	u32 period_us;
	u32 n_levels;
	struct dnngov_level levels[DNNGOV_POLICY_MAX_LEVELS];
};

/**
 * struct dnngov_manager_stats - live state of one workload
 * @name: label
 * @domain: domain ("" if none)
 * @platform_id: the backend's workload id (0 if not registered)
 * @level: level the next inference should use
 * @recommended: platform's recommended level (UINT32_MAX if none)
 * @floor_level: lowest level meeting the accuracy floor
 * @target_us: @accuracy_floor: @period_us: as in force
 * @freq_khz: domain frequency last seen (0 if unknown)
 * @decision_flags: DNNGOV_DECISION_F_* of the latest decision
 * @inferences: total inferences
 * @misses: inferences over target
 * @service_target_us: target the platform plans service times against:
 *	@target_us less the queueing allowance (learned longest wait)
 * @last_latency_us: latency of the latest inference (end to end)
 * @mean_latency_us: exponentially weighted mean latency (1/8 weight)
 * @accuracy_sum: sum of the accuracy of the levels used (divide by
 *	@inferences for the mean accuracy, 1/100 %)
 * @level_changes: number of times the level changed
 * @decisions: decisions followed
 */
struct dnngov_manager_stats {
	char name[DNNGOV_MANAGER_NAME_MAX];
	char domain[DNNGOV_DOMAIN_NAME_MAX];
	u32 platform_id;
	u32 level;
	u32 recommended;
	u32 floor_level;
	u32 target_us;
	u32 accuracy_floor;
	u32 period_us;
	u32 freq_khz;
	u32 decision_flags;
	u64 inferences;
	u64 misses;
	u32 service_target_us;
	u32 last_latency_us;
	u32 mean_latency_us;
	u64 accuracy_sum;
	u64 level_changes;
	u64 decisions;
};

struct dnngov_manager;

void dnngov_manager_config_default(struct dnngov_manager_config *cfg);

/*
 * dnngov_manager_create() - a manager on an opened platform
 * @plat: opened backend (borrowed; outlives the manager); NULL = none
 * @cfg: tuning, or NULL for the defaults
 * @out: the new manager
 * Return: 0, -EINVAL (bad tuning), -ENOMEM.
 */
int dnngov_manager_create(struct dnngov_platform *plat,
			  const struct dnngov_manager_config *cfg,
			  struct dnngov_manager **out);

/* Deletes every workload from the platform, then frees. NULL is fine. */
void dnngov_manager_destroy(struct dnngov_manager *m);

/*
 * dnngov_manager_add() - add a workload; registers it on the platform
 * @m: manager
 * @w: declaration (copied)
 * @handle: its handle (0..MAX_WORKLOADS-1) for the other calls
 * @err: on failure a human-readable reason (may be NULL)
 * @err_len: size of @err
 * Return: 0, -EINVAL (bad declaration: @err says which field), -ENOSPC,
 * or the platform's error (@err carries its message). The workload starts
 * at the highest level its first prediction allows.
 */
int dnngov_manager_add(struct dnngov_manager *m,
		       const struct dnngov_manager_workload *w, int *handle,
		       char *err, unsigned int err_len);

/* Change target, floor and period in place (0 or -EINVAL/-ENOENT). */
int dnngov_manager_change(struct dnngov_manager *m, int handle, u32 target_us,
			  u32 accuracy_floor, u32 period_us);

/* Replace the level table (after calibration). 0 or -EINVAL/-ENOENT. */
int dnngov_manager_set_levels(struct dnngov_manager *m, int handle,
			      const struct dnngov_level *levels, u32 n);

/* Remove a workload and delete it from the platform. */
int dnngov_manager_remove(struct dnngov_manager *m, int handle);

/*
 * dnngov_manager_level() - level the next inference of @handle should use
 * (what the last infer_done() or tick() returned); UINT32_MAX if @handle is
 * not a workload.
 */
u32 dnngov_manager_level(const struct dnngov_manager *m, int handle);

/*
 * dnngov_manager_infer_done() - the fast loop
 * @m: manager
 * @handle: workload
 * @level_used: level the inference ran at
 * @service_ns: its service time: the run itself, no queueing before it
 *	(what busy time, latency reports and the slowdown model learn from)
 * @latency_ns: its end-to-end latency, arrival to result (what deadlines
 *	and misses are counted on); less than @service_ns is taken as equal
 * @now_ns: time it finished (monotonic, any origin)
 * Return: the level the next inference should use (UINT32_MAX if @handle
 * is not a workload).
 */
u32 dnngov_manager_infer_done(struct dnngov_manager *m, int handle,
			      u32 level_used, u64 service_ns, u64 latency_ns,
			      u64 now_ns);

/*
 * dnngov_manager_tick() - the slow loop at @now_ns: pushes pending changes
 * and due reports, ticks the platform, follows new decisions.
 * Return: 0, or the first platform error (m's last error says which
 * workload and why; the manager keeps running on what it has).
 */
int dnngov_manager_tick(struct dnngov_manager *m, u64 now_ns);

/* Copy the live state of @handle. 0 or -ENOENT. */
int dnngov_manager_stats(const struct dnngov_manager *m, int handle,
			 struct dnngov_manager_stats *out);

/* Handle of the workload named @name, or -ENOENT. */
int dnngov_manager_find(const struct dnngov_manager *m, const char *name);

/* Text of the last error the manager met ("" if none). */
const char *dnngov_manager_last_error(const struct dnngov_manager *m);

/*
 * dnngov_level_fit() - the latency model of one level from measurements
 * @khz: frequencies (kHz) of @n points, @n >= 1
 * @us: mean latency at each
 * @n: number of points
 * @out: cycles and fixed_us written (accuracy left alone)
 *
 * Least-squares fit of t = c * 1000 / f + m (two or more distinct
 * frequencies); with one frequency all time is taken as cycles (m = 0).
 * Negative parts are clamped to zero. Return: 0 or -EINVAL.
 */
int dnngov_level_fit(const u32 *khz, const u32 *us, u32 n,
		     struct dnngov_level *out);

#endif /* DNNGOV_AGENT_MANAGER_H */
