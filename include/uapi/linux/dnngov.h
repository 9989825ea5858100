/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * dnngov: DNN-aware cpufreq/devfreq governor, generic netlink interface.
 *
 * Documentation/netlink-api.md describes every command with examples.
 *
 * Family "dnngov" (DNNGOV_GENL_NAME), version DNNGOV_GENL_VERSION, one
 * multicast group "events" (DNNGOV_GENL_MCGRP_EVENTS).
 *
 * Domains. Setting the "dnngov" governor on a cpufreq policy or a devfreq
 * device makes it a domain. A domain is named by a string:
 *   "cpufreq:policyN"   the cpufreq policy whose policy->cpu is N
 *   "devfreq:NAME"      the devfreq device NAME (as in /sys/class/devfreq)
 *
 * Workloads. A workload is one DNN on one domain. It belongs to the netlink
 * socket that created it (DNNGOV_CMD_NEW_WORKLOAD); only that socket may
 * change or delete it, and it disappears when that socket is closed. All
 * mutating commands need CAP_NET_ADMIN.
 *
 * Decisions. Whenever the module re-decides a domain it sends
 * DNNGOV_CMD_DECISION to the owner of each workload on it and to the
 * "events" group: the OPP it set and, per workload, the recommended level.
 *
 * Units: frequencies in kHz (devfreq Hz / 1000), times in microseconds,
 * accuracy in hundredths of a percent (7503 = 75.03 %), power in microwatts,
 * the slowdown factor in Q16.16 fixed point (65536 = 1.0).
 */
#ifndef _UAPI_LINUX_DNNGOV_H
#define _UAPI_LINUX_DNNGOV_H

#define DNNGOV_GENL_NAME		"dnngov"
#define DNNGOV_GENL_VERSION		1
#define DNNGOV_GENL_MCGRP_EVENTS	"events"

#define DNNGOV_DOMAIN_NAME_MAX		64	/* with the NUL */
#define DNNGOV_WORKLOAD_NAME_MAX	32	/* with the NUL */

/* Ranges enforced by the attribute policy. */
#define DNNGOV_TARGET_US_MAX		60000000	/* 60 s */
#define DNNGOV_PERIOD_US_MAX		60000000
#define DNNGOV_ACCURACY_MAX		10000		/* 100.00 % */
#define DNNGOV_FREQ_KHZ_MAX		10000000	/* 10 GHz */

/**
 * enum dnngov_cmd - generic netlink commands
 * @DNNGOV_CMD_UNSPEC: unused
 * @DNNGOV_CMD_GET_DOMAIN: get one domain (%DNNGOV_A_DOMAIN) or dump all;
 *	reply: domain attributes with its OPP table, statistics and current
 *	decision. Unprivileged.
 * @DNNGOV_CMD_GET_WORKLOAD: get one workload (%DNNGOV_A_WL_ID) or dump all;
 *	reply: workload attributes with its current level, slowdown and tail
 *	ratio. Unprivileged.
 * @DNNGOV_CMD_NEW_WORKLOAD: create a workload. Requires %DNNGOV_A_DOMAIN,
 *	%DNNGOV_A_WL_NAME, %DNNGOV_A_TARGET_US; optional %DNNGOV_A_ACC_FLOOR,
 *	%DNNGOV_A_PERIOD_US, %DNNGOV_A_LEVELS. Reply: the workload with its
 *	assigned %DNNGOV_A_WL_ID.
 * @DNNGOV_CMD_SET_WORKLOAD: change %DNNGOV_A_TARGET_US, %DNNGOV_A_ACC_FLOOR,
 *	%DNNGOV_A_PERIOD_US of the workload %DNNGOV_A_WL_ID (owner only).
 * @DNNGOV_CMD_DEL_WORKLOAD: delete the workload %DNNGOV_A_WL_ID (owner
 *	only). Also sent to the "events" group when a workload goes away.
 * @DNNGOV_CMD_SET_LEVELS: replace the subnet table of %DNNGOV_A_WL_ID
 *	(owner only) with %DNNGOV_A_LEVELS.
 * @DNNGOV_CMD_REPORT: measurements of %DNNGOV_A_WL_ID (owner only) since the
 *	last report: %DNNGOV_A_RPT_LEVEL, %DNNGOV_A_RPT_LATENCY_US (mean),
 *	%DNNGOV_A_RPT_COUNT (inferences), %DNNGOV_A_RPT_BUSY_US (busy time),
 *	%DNNGOV_A_RPT_LATENCY_MAX_US (slowest latency; optional).
 * @DNNGOV_CMD_SET_DOMAIN: set the power model of %DNNGOV_A_DOMAIN
 *	(%DNNGOV_A_OPPS with per-OPP power) and/or %DNNGOV_A_HYSTERESIS_PCT.
 * @DNNGOV_CMD_DECISION: notification (kernel to user) of a new decision:
 *	%DNNGOV_A_DOMAIN and %DNNGOV_A_DECISION.
 * @__DNNGOV_CMD_MAX: internal
 * @DNNGOV_CMD_MAX: highest command number
 */
enum dnngov_cmd {
	DNNGOV_CMD_UNSPEC,
	DNNGOV_CMD_GET_DOMAIN,
	DNNGOV_CMD_GET_WORKLOAD,
	DNNGOV_CMD_NEW_WORKLOAD,
	DNNGOV_CMD_SET_WORKLOAD,
	DNNGOV_CMD_DEL_WORKLOAD,
	DNNGOV_CMD_SET_LEVELS,
	DNNGOV_CMD_REPORT,
	DNNGOV_CMD_SET_DOMAIN,
	DNNGOV_CMD_DECISION,
	__DNNGOV_CMD_MAX,
	DNNGOV_CMD_MAX = __DNNGOV_CMD_MAX - 1
};

/**
 * enum dnngov_attr - top-level attributes
 * @DNNGOV_A_UNSPEC: unused
 * @DNNGOV_A_PAD: padding for 64-bit attributes
 * @DNNGOV_A_DOMAIN: NUL-terminated string, domain name (see top of file)
 * @DNNGOV_A_WL_ID: u32, workload id assigned by the module (> 0)
 * @DNNGOV_A_WL_NAME: NUL-terminated string, a label for humans
 * @DNNGOV_A_TARGET_US: u32, latency target, 1..%DNNGOV_TARGET_US_MAX
 * @DNNGOV_A_ACC_FLOOR: u32, accuracy floor, 0..%DNNGOV_ACCURACY_MAX
 * @DNNGOV_A_PERIOD_US: u32, arrival period, 0 (back to back) ..
 *	%DNNGOV_PERIOD_US_MAX
 * @DNNGOV_A_LEVELS: nest of %DNNGOV_LEVELS_A_ENTRY nests (enum
 *	dnngov_level_attr), one per level, level 0 first
 * @DNNGOV_A_RPT_LEVEL: u32, level used by the reported inferences
 * @DNNGOV_A_RPT_LATENCY_US: u32, their mean latency, 1..%DNNGOV_TARGET_US_MAX
 * @DNNGOV_A_RPT_COUNT: u32, number of inferences reported, >= 1
 * @DNNGOV_A_RPT_BUSY_US: u64, busy time they used on the domain
 * @DNNGOV_A_LEVEL: u32, level in force / recommended (output)
 * @DNNGOV_A_SLOWDOWN: u32, learned slowdown, Q16.16 (output)
 * @DNNGOV_A_OWNER_PORTID: u32, netlink port id of the owner (output)
 * @DNNGOV_A_OPPS: nest of %DNNGOV_OPPS_A_ENTRY nests (enum
 *	dnngov_opp_attr), ascending frequency
 * @DNNGOV_A_HYSTERESIS_PCT: u32, 0..100, energy saving needed to move
 * @DNNGOV_A_CUR_KHZ: u32, current frequency (output)
 * @DNNGOV_A_MIN_KHZ: u32, lower limit in force (output)
 * @DNNGOV_A_MAX_KHZ: u32, upper limit in force (output)
 * @DNNGOV_A_FLOOR_KHZ: u32, non-DNN load floor (output)
 * @DNNGOV_A_STATS: nest of enum dnngov_stats_attr (output)
 * @DNNGOV_A_DECISION: nest of enum dnngov_decision_attr (output)
 * @DNNGOV_A_MISSES: u64, inferences over target reported (output)
 * @DNNGOV_A_INFERENCES: u64, inferences reported (output)
 * @DNNGOV_A_CAPACITY: u32, cores the domain's power model counts: CPUs of
 *	the cpufreq policy, 1 for a devfreq device (output; added by the
 *	module so userspace can rebuild struct dnngov_domain exactly)
 * @DNNGOV_A_RPT_LATENCY_MAX_US: u32, optional in %DNNGOV_CMD_REPORT: the
 *	slowest latency of the reported inferences, 1..%DNNGOV_TARGET_US_MAX
 *	and not below %DNNGOV_A_RPT_LATENCY_US (-EINVAL otherwise). It teaches
 *	the workload's tail ratio, the margin the policy keeps between the
 *	planned mean latency and the target; without it the ratio is learned
 *	from the spread of the reported means alone
 * @DNNGOV_A_TAIL: u32, learned tail ratio, Q16.16 in [1.0, 2.0] (output):
 *	targets are checked against the predicted mean latency times this
 * @__DNNGOV_A_MAX: internal
 * @DNNGOV_A_MAX: highest attribute number
 */
enum dnngov_attr {
	DNNGOV_A_UNSPEC,
	DNNGOV_A_PAD,
	DNNGOV_A_DOMAIN,
	DNNGOV_A_WL_ID,
	DNNGOV_A_WL_NAME,
	DNNGOV_A_TARGET_US,
	DNNGOV_A_ACC_FLOOR,
	DNNGOV_A_PERIOD_US,
	DNNGOV_A_LEVELS,
	DNNGOV_A_RPT_LEVEL,
	DNNGOV_A_RPT_LATENCY_US,
	DNNGOV_A_RPT_COUNT,
	DNNGOV_A_RPT_BUSY_US,
	DNNGOV_A_LEVEL,
	DNNGOV_A_SLOWDOWN,
	DNNGOV_A_OWNER_PORTID,
	DNNGOV_A_OPPS,
	DNNGOV_A_HYSTERESIS_PCT,
	DNNGOV_A_CUR_KHZ,
	DNNGOV_A_MIN_KHZ,
	DNNGOV_A_MAX_KHZ,
	DNNGOV_A_FLOOR_KHZ,
	DNNGOV_A_STATS,
	DNNGOV_A_DECISION,
	DNNGOV_A_MISSES,
	DNNGOV_A_INFERENCES,
	DNNGOV_A_CAPACITY,
	DNNGOV_A_RPT_LATENCY_MAX_US,
	DNNGOV_A_TAIL,
	__DNNGOV_A_MAX,
	DNNGOV_A_MAX = __DNNGOV_A_MAX - 1
};

/* The one attribute type inside %DNNGOV_A_LEVELS and %DNNGOV_A_OPPS. */
#define DNNGOV_LEVELS_A_ENTRY	1
#define DNNGOV_OPPS_A_ENTRY	1
#define DNNGOV_WORKLOADS_A_ENTRY 1

/**
 * enum dnngov_level_attr - one level (subnet) of a workload's table
 * @DNNGOV_LEVEL_A_UNSPEC: unused
 * @DNNGOV_LEVEL_A_PAD: padding
 * @DNNGOV_LEVEL_A_ACCURACY: u32, 0..%DNNGOV_ACCURACY_MAX (required)
 * @DNNGOV_LEVEL_A_CYCLES: u64, frequency-sensitive cycles per inference
 *	(required; at most %DNNGOV_FREQ_KHZ_MAX * %DNNGOV_TARGET_US_MAX / 1000)
 * @DNNGOV_LEVEL_A_FIXED_US: u32, frequency-insensitive time per inference,
 *	0..%DNNGOV_TARGET_US_MAX (default 0)
 * @__DNNGOV_LEVEL_A_MAX: internal
 * @DNNGOV_LEVEL_A_MAX: highest attribute number
 */
enum dnngov_level_attr {
	DNNGOV_LEVEL_A_UNSPEC,
	DNNGOV_LEVEL_A_PAD,
	DNNGOV_LEVEL_A_ACCURACY,
	DNNGOV_LEVEL_A_CYCLES,
	DNNGOV_LEVEL_A_FIXED_US,
	__DNNGOV_LEVEL_A_MAX,
	DNNGOV_LEVEL_A_MAX = __DNNGOV_LEVEL_A_MAX - 1
};

/**
 * enum dnngov_opp_attr - one OPP of a domain
 * @DNNGOV_OPP_A_UNSPEC: unused
 * @DNNGOV_OPP_A_FREQ_KHZ: u32, must match an OPP of the domain
 * @DNNGOV_OPP_A_POWER_BUSY_UW: u32, power of one busy core at this OPP
 * @DNNGOV_OPP_A_POWER_IDLE_UW: u32, power of one idle core at this OPP
 * @__DNNGOV_OPP_A_MAX: internal
 * @DNNGOV_OPP_A_MAX: highest attribute number
 */
enum dnngov_opp_attr {
	DNNGOV_OPP_A_UNSPEC,
	DNNGOV_OPP_A_FREQ_KHZ,
	DNNGOV_OPP_A_POWER_BUSY_UW,
	DNNGOV_OPP_A_POWER_IDLE_UW,
	__DNNGOV_OPP_A_MAX,
	DNNGOV_OPP_A_MAX = __DNNGOV_OPP_A_MAX - 1
};

/**
 * enum dnngov_stats_attr - per-domain statistics
 * @DNNGOV_STATS_A_UNSPEC: unused
 * @DNNGOV_STATS_A_PAD: padding
 * @DNNGOV_STATS_A_DECISIONS: u64, decisions taken
 * @DNNGOV_STATS_A_INFEASIBLE: u64, decisions flagged infeasible
 * @DNNGOV_STATS_A_TRANSITIONS: u64, frequency changes requested
 * @DNNGOV_STATS_A_WORKLOADS: u32, workloads on the domain now
 * @DNNGOV_STATS_A_FALLBACKS: u64, times the domain fell back to the floor
 *	policy because its last workload went away
 * @__DNNGOV_STATS_A_MAX: internal
 * @DNNGOV_STATS_A_MAX: highest attribute number
 */
enum dnngov_stats_attr {
	DNNGOV_STATS_A_UNSPEC,
	DNNGOV_STATS_A_PAD,
	DNNGOV_STATS_A_DECISIONS,
	DNNGOV_STATS_A_INFEASIBLE,
	DNNGOV_STATS_A_TRANSITIONS,
	DNNGOV_STATS_A_WORKLOADS,
	DNNGOV_STATS_A_FALLBACKS,
	__DNNGOV_STATS_A_MAX,
	DNNGOV_STATS_A_MAX = __DNNGOV_STATS_A_MAX - 1
};

/**
 * enum dnngov_decision_attr - a decision for one domain
 * @DNNGOV_DECISION_A_UNSPEC: unused
 * @DNNGOV_DECISION_A_PAD: padding
 * @DNNGOV_DECISION_A_FREQ_KHZ: u32, frequency set (after limits)
 * @DNNGOV_DECISION_A_OPP: u32, index into the domain's OPP table
 * @DNNGOV_DECISION_A_FLAGS: u32, DNNGOV_DECISION_F_* bits
 * @DNNGOV_DECISION_A_POWER_UW: u64, modelled power at the decision
 * @DNNGOV_DECISION_A_WORKLOADS: nest of %DNNGOV_WORKLOADS_A_ENTRY nests
 *	(enum dnngov_decision_wl_attr)
 * @__DNNGOV_DECISION_A_MAX: internal
 * @DNNGOV_DECISION_A_MAX: highest attribute number
 */
enum dnngov_decision_attr {
	DNNGOV_DECISION_A_UNSPEC,
	DNNGOV_DECISION_A_PAD,
	DNNGOV_DECISION_A_FREQ_KHZ,
	DNNGOV_DECISION_A_OPP,
	DNNGOV_DECISION_A_FLAGS,
	DNNGOV_DECISION_A_POWER_UW,
	DNNGOV_DECISION_A_WORKLOADS,
	__DNNGOV_DECISION_A_MAX,
	DNNGOV_DECISION_A_MAX = __DNNGOV_DECISION_A_MAX - 1
};

/**
 * enum dnngov_decision_wl_attr - a decision's part for one workload
 * @DNNGOV_DECISION_WL_A_UNSPEC: unused
 * @DNNGOV_DECISION_WL_A_ID: u32, workload id
 * @DNNGOV_DECISION_WL_A_LEVEL: u32, recommended level
 * @DNNGOV_DECISION_WL_A_LATENCY_US: u32, predicted latency at that level
 * @DNNGOV_DECISION_WL_A_FLAGS: u32, DNNGOV_DECISION_WL_F_* bits
 * @__DNNGOV_DECISION_WL_A_MAX: internal
 * @DNNGOV_DECISION_WL_A_MAX: highest attribute number
 */
enum dnngov_decision_wl_attr {
	DNNGOV_DECISION_WL_A_UNSPEC,
	DNNGOV_DECISION_WL_A_ID,
	DNNGOV_DECISION_WL_A_LEVEL,
	DNNGOV_DECISION_WL_A_LATENCY_US,
	DNNGOV_DECISION_WL_A_FLAGS,
	__DNNGOV_DECISION_WL_A_MAX,
	DNNGOV_DECISION_WL_A_MAX = __DNNGOV_DECISION_WL_A_MAX - 1
};

/* DNNGOV_DECISION_A_FLAGS bits (same values as the policy core's). */
#define DNNGOV_DECISION_F_INFEASIBLE	(1U << 0)	/* a target or floor is missed */
#define DNNGOV_DECISION_F_OVERLOAD	(1U << 1)	/* demand exceeds capacity */
#define DNNGOV_DECISION_F_HELD		(1U << 2)	/* hysteresis kept the choice */
#define DNNGOV_DECISION_F_LIMITED	(1U << 3)	/* limits excluded a better OPP */
#define DNNGOV_DECISION_F_FALLBACK	(1U << 8)	/* no workload: floor policy */

/* DNNGOV_DECISION_WL_A_FLAGS bits. */
#define DNNGOV_DECISION_WL_F_DEADLINE_MISS	(1U << 0)
#define DNNGOV_DECISION_WL_F_BELOW_FLOOR	(1U << 1)

#endif /* _UAPI_LINUX_DNNGOV_H */
