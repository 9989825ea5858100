/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * dnngov policy core: the joint choice of OPP and subnet level per domain.
 *
 * Pure integer C with no kernel or libc dependency. The same object code runs
 * in dnngov.ko (module/policy.c), in libdnngov (sysfs and sim backends) and in
 * the unit tests, so what userspace predicts is what the kernel does.
 *
 * Model (Documentation/policy.md has the derivation):
 *   latency of workload w at level j and frequency f (kHz):
 *     t = s_w * (c_j * 1000 / f + m_j)            [us]
 *   with c_j the frequency-sensitive cycles, m_j the frequency-insensitive
 *   time (us) and s_w the learned slowdown (Q16.16, 1.0 = no interference).
 *   power of the domain at utilisation U (busy cores, 0..capacity):
 *     P = P_idle(f) * capacity + (P_busy(f) - P_idle(f)) * U   [uW]
 *   U = sum_w t_w / period_w + other load (non-DNN cycles at f).
 * The decision minimises P subject to t_w <= target_w, acc_j >= floor_w for
 * every workload, U <= capacity, f within limits and f >= load floor. When no
 * choice is feasible it minimises, in order: deadline misses, accuracy-floor
 * violations, energy; and flags the decision DNNGOV_DECISION_INFEASIBLE.
 */
#ifndef _DNNGOV_POLICY_H
#define _DNNGOV_POLICY_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
#endif

/* Error return of dnngov_policy_decide() (EINVAL; no errno.h here). */
#define DNNGOV_POLICY_EINVAL		22

/* Compile-time ceilings; the module's parameters may set lower limits. */
#define DNNGOV_POLICY_MAX_OPPS		64
#define DNNGOV_POLICY_MAX_LEVELS	16
#define DNNGOV_POLICY_MAX_WORKLOADS	32

/* Q16.16 fixed point for the slowdown factor. */
#define DNNGOV_FP_SHIFT		16
#define DNNGOV_FP_ONE		(1U << DNNGOV_FP_SHIFT)

/* Accuracy is in hundredths of a percent: 7503 means 75.03 % top-1. */
#define DNNGOV_ACC_MAX		10000

/* Model input ranges (the UAPI enforces the same). */
#define DNNGOV_FREQ_KHZ_MAX	10000000	/* 10 GHz, as in the UAPI header */
#define DNNGOV_TIME_US_MAX	60000000U	/* 60 s */

/**
 * struct dnngov_opp - one operating point of a frequency domain
 * @freq_khz: frequency in kHz (cpufreq units; devfreq Hz / 1000)
 * @power_busy_uw: power of one fully busy core (or the whole GPU) in uW
 * @power_idle_uw: power of one idle core at this OPP in uW
 */
struct dnngov_opp {
	u32 freq_khz;
	u32 power_busy_uw;
	u32 power_idle_uw;
};

/**
 * struct dnngov_level - one subnet of a workload's library
 * @accuracy: top-1 accuracy, hundredths of a percent
 * @cycles: frequency-sensitive work per inference, in cycles
 * @fixed_us: frequency-insensitive time per inference, in us
 */
struct dnngov_level {
	u64 cycles;
	u32 accuracy;
	u32 fixed_us;
};

/**
 * struct dnngov_workload - one DNN workload on a domain
 * @id: caller's handle, copied into decisions
 * @target_us: latency target per inference (0 = no latency target)
 * @accuracy_floor: minimum accuracy, hundredths of a percent (0 = none)
 * @period_us: arrival period; 0 means back to back (period = latency)
 * @n_levels: number of valid entries in @levels (1..MAX_LEVELS)
 * @levels: the subnet library, any order
 * @slowdown_fp: learned slowdown, Q16.16; dnngov_policy_workload_init()
 *	sets 1.0; the model clamps it to [1/4, 16] and reads 0 as 1.0
 * @cur_level: level in force (index into @levels), for hysteresis
 * @reports: number of reports folded into @slowdown_fp
 * @outlier_run: consecutive reports rejected as outliers, positive when
 *	they were slower than the model, negative when faster
 * @tail_fp: learned tail ratio, Q16.16: how much slower than the modelled
 *	mean the slow inferences run (dnngov_policy_report_window()); targets
 *	are checked against latency x @tail_fp, energy uses the mean. 0 reads
 *	as 1.0 (no margin, the behaviour before it existed); clamped to [1, 2]
 * @tail_dev_fp: mean absolute deviation of reported means from the
 *	model, Q16.16 (EWMA 1/8); @tail_fp never decays below 1 + 3 x this
 * @busy_rate: DNN busy time per second of wall time (us/s) learned from
 *	the busy time of reports; 0 = not known yet
 * @busy_gap_us: time between the last two reports carrying busy time
 * @busy_last_us: time of the last report (caller's clock, us; 0 = none)
 */
struct dnngov_workload {
	u32 id;
	u32 target_us;
	u32 accuracy_floor;
	u32 period_us;
	u32 n_levels;
	struct dnngov_level levels[DNNGOV_POLICY_MAX_LEVELS];
	u32 slowdown_fp;
	u32 cur_level;
	u32 reports;
	s32 outlier_run;
	u32 tail_fp;
	u32 tail_dev_fp;
	u32 busy_rate;
	u32 busy_gap_us;
	u64 busy_last_us;
};

/**
 * struct dnngov_domain - a frequency domain as the policy sees it
 * @n_opps: number of valid entries in @opps (1..MAX_OPPS)
 * @opps: OPP table sorted by ascending frequency
 * @capacity: number of cores (1 for a GPU)
 * @min_khz: lower limit in force (user min, PM QoS, thermal), kHz
 * @max_khz: upper limit in force, kHz (0 = no upper limit)
 * @floor_khz: non-DNN load floor from dnngov_policy_load_floor(), kHz
 * @other_cycles_per_s: non-DNN work in cycles per second, for the energy
 *	model (0 if unknown)
 * @cur_opp: index of the OPP in force, for hysteresis
 * @hysteresis_pct: a new choice must save more than this share of
 *	energy to replace a still-feasible current one (e.g. 5)
 * @other_ppm: smoothed non-DNN utilisation behind @floor_khz, in ppm of
 *	one core (dnngov_policy_sample() keeps it; 0 initially)
 * @prev_window_us: the previous sample's window (dnngov_policy_sample())
 * @prev_busy_us: its busy time
 * @prev_busy_max_us: its busiest core's busy time
 */
struct dnngov_domain {
	u32 n_opps;
	struct dnngov_opp opps[DNNGOV_POLICY_MAX_OPPS];
	u32 capacity;
	u32 min_khz;
	u32 max_khz;
	u32 floor_khz;
	u64 other_cycles_per_s;
	u32 cur_opp;
	u32 hysteresis_pct;
	u32 other_ppm;
	u64 prev_window_us;
	u64 prev_busy_us;
	u64 prev_busy_max_us;
};

/* Per-workload flags in struct dnngov_decision.wflags[]. */
#define DNNGOV_WL_DEADLINE_MISS		(1U << 0)	/* predicted t > target */
#define DNNGOV_WL_BELOW_FLOOR		(1U << 1)	/* accuracy < floor */

/* Decision flags in struct dnngov_decision.flags. */
#define DNNGOV_DECISION_INFEASIBLE	(1U << 0)	/* some target or floor missed */
#define DNNGOV_DECISION_OVERLOAD	(1U << 1)	/* U > capacity */
#define DNNGOV_DECISION_HELD		(1U << 2)	/* hysteresis kept the current choice */
#define DNNGOV_DECISION_LIMITED		(1U << 3)	/* limits excluded a better OPP */

/**
 * struct dnngov_decision - the policy's output for one domain
 * @opp: index of the chosen OPP
 * @freq_khz: its frequency
 * @power_uw: modelled domain power at the choice
 * @flags: DNNGOV_DECISION_* bits
 * @n_workloads: number of valid entries below (same order as the input)
 * @level: recommended level per workload
 * @latency_us: predicted latency per workload
 * @wflags: DNNGOV_WL_* bits per workload
 */
struct dnngov_decision {
	u32 opp;
	u32 freq_khz;
	u64 power_uw;
	u32 flags;
	u32 n_workloads;
	u32 level[DNNGOV_POLICY_MAX_WORKLOADS];
	u32 latency_us[DNNGOV_POLICY_MAX_WORKLOADS];
	u32 wflags[DNNGOV_POLICY_MAX_WORKLOADS];
};

/**
 * dnngov_policy_workload_init() - reset learned state of a workload
 * @w: workload; its static fields are left alone
 */
void dnngov_policy_workload_init(struct dnngov_workload *w);

/**
 * dnngov_policy_latency_us() - modelled latency of a level at a frequency
 * @w: workload (its slowdown is applied)
 * @level: index into @w->levels
 * @freq_khz: frequency, > 0
 *
 * Return: latency in us, saturated at U32_MAX.
 */
u32 dnngov_policy_latency_us(const struct dnngov_workload *w, u32 level,
			     u32 freq_khz);

/**
 * dnngov_policy_power_uw() - modelled power of a domain at an OPP
 * @d: domain
 * @opp: index into @d->opps
 * @util_milli: utilisation in thousandths of a core (0..capacity*1000)
 *
 * Return: power in uW.
 */
u64 dnngov_policy_power_uw(const struct dnngov_domain *d, u32 opp,
			   u64 util_milli);

/**
 * dnngov_policy_decide() - choose the OPP and a level for every workload
 * @d: domain (limits, floor and current OPP in force)
 * @w: workloads on the domain (0..MAX_WORKLOADS); NULL entries not allowed
 * @n: number of workloads
 * @out: decision, fully written
 *
 * With no workload the choice is the lowest OPP within limits that is at or
 * above the load floor. Cost is O(n_opps * sum of n_levels); the search is
 * exact for the lexicographic objective of Documentation/policy.md, ties
 * going to the lower OPP. No allocation, no lock, about 600 bytes of stack:
 * callable under a spinlock.
 *
 * The caller applies the decision and then stores it as the state in force
 * (@d->cur_opp = @out->opp, @w[i]->cur_level = @out->level[i]) so that the
 * next call's hysteresis sees it.
 *
 * Return: 0, or -22 (-EINVAL) for an empty OPP table, n > MAX_WORKLOADS or a
 * workload with no level; also for a NULL pointer, more than MAX_OPPS or
 * MAX_LEVELS entries, a zero capacity, or an OPP table that is not strictly
 * ascending within (0, DNNGOV_FREQ_KHZ_MAX]. On error @out (if not NULL) is
 * zeroed.
 */
int dnngov_policy_decide(const struct dnngov_domain *d,
			 const struct dnngov_workload *const *w, u32 n,
			 struct dnngov_decision *out);

/**
 * dnngov_policy_report() - fold a measurement into the slowdown factor
 * @w: workload
 * @level: level that ran
 * @freq_khz: frequency it ran at (time-weighted mean if it changed)
 * @measured_us: measured mean latency per inference
 *
 * Exponentially weighted (the plain mean of the first 8 reports, then
 * weight 1/8), clamped to [1/4, 16]; a report that is out of model range
 * (zero frequency or latency, unknown level, a level whose model latency is
 * 0 or saturated) is ignored. A report more than 2x off the estimate is an
 * outlier and ignored, unless 3 in a row point the same way: then the
 * estimate restarts from it (a step change in interference).
 */
void dnngov_policy_report(struct dnngov_workload *w, u32 level, u32 freq_khz,
			  u32 measured_us);

/**
 * dnngov_policy_load_floor() - frequency the non-DNN load needs
 * @d: domain (OPP table and limits)
 * @cur_khz: frequency over the sampling window
 * @busy_us: busy time of the domain in the window (all cores summed)
 * @dnn_busy_us: busy time the agents reported for DNN work in the window
 * @window_us: window length
 *
 * schedutil-like: f = 1.25 * cur * (busy - dnn_busy) / (window * capacity),
 * with the utilisation capped at 1, rounded up to an OPP (the highest OPP
 * if none is as fast) and never above @d->max_khz. Return: the floor in kHz
 * (0 if no other load, or for a zero window or frequency).
 */
u32 dnngov_policy_load_floor(const struct dnngov_domain *d, u32 cur_khz,
			     u64 busy_us, u64 dnn_busy_us, u64 window_us);

/**
 * struct dnngov_report - one report of a workload, as the caller received it
 * @level: level that ran
 * @freq_khz: frequency of the domain when the report arrived
 * @latency_us: mean latency of the reported inferences
 * @latency_max_us: their slowest latency, >= @latency_us; 0 = not given:
 *	the report then teaches no tail ratio (the behaviour before it existed)
 * @busy_us: busy time they used on the domain (0 = not given)
 * @now_us: time of the report, any monotonic clock in us (> 0)
 * @freq_age_us: how long @freq_khz has been in force at @now_us; a report
 *	whose inferences may have run at another frequency does not teach
 *	the tail ratio (U64 max when not known)
 */
struct dnngov_report {
	u32 level;
	u32 freq_khz;
	u32 latency_us;
	u32 latency_max_us;
	u64 busy_us;
	u64 now_us;
	u64 freq_age_us;
};

/**
 * dnngov_policy_report_window() - fold a whole report into a workload
 * @w: workload
 * @r: the report
 *
 * The one entry point for reports in every home of the policy (module and
 * sim backend). It does three things:
 *  - the slowdown, as dnngov_policy_report() with the mean latency;
 *  - the DNN busy rate: busy time over the time since the previous report,
 *    weight 1/4 (the first report only starts the clock);
 *  - the tail ratio: the report's slowest latency over the mean
 *    the slowdown predicted before the report, taken at once when higher and
 *    decaying with weight 1/16 when lower, but never below 1 + 3 x the mean
 *    absolute deviation of the reported means; within [1, 2]. Only reports
 *    that give @latency_max_us teach it (a reporter that does not measure
 *    its tail keeps a ratio of 1.0), only when the frequency was in force
 *    over the whole report window, and not from the first report (the
 *    slowdown is that report itself).
 * A report the slowdown rejects (out of range, or an outlier) teaches the
 * tail nothing. Invalid input (NULL, zero time) is ignored.
 */
void dnngov_policy_report_window(struct dnngov_workload *w,
				 const struct dnngov_report *r);

/**
 * dnngov_policy_dnn_busy_us() - DNN busy time a workload should add to a
 *	sampling window
 * @w: workload
 * @now_us: end of the window (same clock as the reports)
 * @window_us: window length
 *
 * busy_rate x window. When reports stop (none for more than twice the last
 * gap), the rate decays as gap x 2 / age, so a workload that went quiet
 * stops hiding load. Return: us, at most @window_us x 64.
 */
u64 dnngov_policy_dnn_busy_us(const struct dnngov_workload *w, u64 now_us,
			      u64 window_us);

/**
 * struct dnngov_load_sample - one load sampling window of a domain
 * @now_us: end of the window (the reports' clock)
 * @window_us: length of the window
 * @busy_us: busy time of the domain in the window, all cores summed
 * @busy_max_us: busy time of its busiest core (0 = not known: the average
 *	over the cores is used)
 * @cur_khz: frequency over the window
 */
struct dnngov_load_sample {
	u64 now_us;
	u64 window_us;
	u64 busy_us;
	u64 busy_max_us;
	u32 cur_khz;
};

/**
 * dnngov_policy_sample() - update a domain's non-DNN load floor
 * @d: domain; @d->other_ppm and @d->floor_khz are updated
 * @w: every workload on the domain (NULL entries not allowed)
 * @n: number of workloads
 * @s: the window
 *
 * Non-DNN busy = busy - the DNN busy expected in the window (sum of
 * dnngov_policy_dnn_busy_us()), not the DNN busy that happened to be
 * reported in it: reports and samples need not be aligned. When a workload
 * reports less often than the domain is sampled, the window is joined with
 * the previous one, so that it spans a whole report gap (a DNN period) and
 * does not see the DNN's busy and idle phases as load changes. Its utilisation
 * is that of the busiest core when @s->busy_max_us is known (at most the
 * busiest core's busy time and at most the whole non-DNN busy time, so a
 * single-threaded task counts in full and the DNN's own core does not),
 * else the average over the cores. The utilisation is smoothed up fast,
 * down slowly (weight 1/4), so a noisy window cannot flip OPPs, then turned
 * into a frequency as dnngov_policy_load_floor() does. Return: the new
 * floor in kHz (0 for invalid input, with the state left alone).
 */
u32 dnngov_policy_sample(struct dnngov_domain *d,
			 const struct dnngov_workload *const *w, u32 n,
			 const struct dnngov_load_sample *s);

#endif /* _DNNGOV_POLICY_H */
