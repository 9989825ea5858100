/* SPDX-License-Identifier: MIT */
/*
 * dnngov agent: the platform backend interface.
 *
 * The runtime manager (manager.h) talks to the frequency side of a board only
 * through this interface. Backends:
 *   kernel  dnngov.ko over generic netlink (platform_kernel.c)
 *   sysfs   stock "userspace" cpufreq/devfreq governors driven by the policy
 *           core compiled into libdnngov (platform_sysfs.c)
 *   sim     a simulated board in virtual time (the simulator, issue 5)
 *   none    no frequency control: subnet adaptation only (platform_none.c)
 *
 * Rules every backend follows:
 *  - no op reads a clock or sleeps; time comes in through tick(now_ns);
 *  - ops return 0 or a negative errno, and on error write a one-line,
 *    human-readable reason into p->errmsg (ext-ack text for the kernel
 *    backend); the caller prints it;
 *  - units are the UAPI's: kHz, microseconds, accuracy in 1/100 %;
 *  - workload ids are assigned by the backend (> 0) and stay valid until
 *    workload_del() or close().
 * Optional ops may be NULL; the manager then behaves as documented per op.
 */
#ifndef DNNGOV_AGENT_PLATFORM_H
#define DNNGOV_AGENT_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include <dnngov/policy.h>

/*
 * Sizes from the UAPI (include/uapi/linux/dnngov.h), repeated so that this
 * header does not pull the UAPI next to policy.h.
 */
#ifndef DNNGOV_DOMAIN_NAME_MAX
#define DNNGOV_DOMAIN_NAME_MAX		64	/* with the NUL */
#endif
#ifndef DNNGOV_WORKLOAD_NAME_MAX
#define DNNGOV_WORKLOAD_NAME_MAX	32	/* with the NUL */
#endif

#define DNNGOV_PLATFORM_ERRMSG_MAX	256
#define DNNGOV_PLATFORM_MAX_DOMAINS	16

/**
 * struct dnngov_platform_domain - state of one frequency domain
 * @name: "cpufreq:policyN" or "devfreq:NAME"
 * @cur_khz: current frequency
 * @min_khz: lower limit in force
 * @max_khz: upper limit in force
 * @n_opps: entries in @opps_khz (0 if the platform does not list them)
 * @opps_khz: available frequencies, ascending
 * @capacity: cores in the domain (1 for a devfreq device)
 * @cpu_mask: CPUs 0..63 of a cpufreq domain (bit n = CPU n); 0 for devfreq
 * @can_set: set_freq() works on this domain (calibration possible)
 * @governor: governor in force, for status output ("" if unknown)
 */
struct dnngov_platform_domain {
	char name[DNNGOV_DOMAIN_NAME_MAX];
	u32 cur_khz;
	u32 min_khz;
	u32 max_khz;
	u32 n_opps;
	u32 opps_khz[DNNGOV_POLICY_MAX_OPPS];
	u32 capacity;
	u64 cpu_mask;
	bool can_set;
	char governor[32];
};

/**
 * struct dnngov_platform_workload - what a workload asks of a domain
 * @domain: domain name as in struct dnngov_platform_domain
 * @name: label for humans (truncated to DNNGOV_WORKLOAD_NAME_MAX - 1)
 * @target_us: latency target per inference, 1..DNNGOV_TARGET_US_MAX
 * @accuracy_floor: 0..DNNGOV_ACCURACY_MAX (0 = none)
 * @period_us: arrival period, 0 = back to back
 */
struct dnngov_platform_workload {
	const char *domain;
	const char *name;
	u32 target_us;
	u32 accuracy_floor;
	u32 period_us;
};

/**
 * struct dnngov_platform_report - measurements since the previous report
 * @level: level that ran (the most used one in the window)
 * @latency_us: mean latency of those inferences, >= 1
 * @count: inferences in the window, >= 1
 * @busy_us: busy time all of the window's inferences used on the domain
 * @latency_max_us: slowest latency of those inferences, >= @latency_us
 *	(0 = not measured; backends then send no tail information)
 */
struct dnngov_platform_report {
	u32 level;
	u32 latency_us;
	u32 count;
	u64 busy_us;
	u32 latency_max_us;
};

/**
 * struct dnngov_platform_decision - latest decision affecting a workload
 * @seq: increases by at least one with every new decision (0 = none yet)
 * @freq_khz: frequency the domain was set to
 * @opp: its index in the domain's OPP table
 * @flags: DNNGOV_DECISION_F_* bits (UAPI; same values as policy.h's
 *	DNNGOV_DECISION_* bits)
 * @level: recommended level for this workload
 * @latency_us: predicted latency at that level and frequency
 * @wl_flags: DNNGOV_DECISION_WL_F_* bits (UAPI; = policy.h DNNGOV_WL_*)
 */
struct dnngov_platform_decision {
	u64 seq;
	u32 freq_khz;
	u32 opp;
	u32 flags;
	u32 level;
	u32 latency_us;
	u32 wl_flags;
};

struct dnngov_platform;

/**
 * struct dnngov_platform_ops - a backend
 * @name: "kernel", "sysfs", "sim", "none"
 * @open: acquire the platform (socket, sysfs root, ...); -ENODEV/-ENOENT
 *	when it is not available here (the daemon then tries the next one)
 * @close: release everything: delete remaining workloads, close sockets,
 *	give domains back to the governor they had before open (optional)
 * @list_domains: fill @out with up to @max domains; *@n gets the number
 * @domain_get: current state of one domain
 * @set_freq: pin @domain to @khz (snapped to an OPP by the platform); used
 *	for calibration; @khz = 0 releases the pin (the kernel backend pins
 *	through the domain's limits and restores the user's). NULL or
 *	-EOPNOTSUPP: the platform can't.
 * @set_power: replace the domain's power model with a board calibration:
 *	busy and idle power (uW, one core) at @n of its OPPs (optional)
 * @workload_add: register a workload; *@id gets its id (> 0)
 * @workload_change: new target, floor and period (domain and name ignored)
 * @workload_del: forget a workload
 * @set_levels: replace the subnet table (level 0 first, @n >= 1)
 * @report: measurements of a workload
 * @tick: slow-loop step at @now_ns: drain events / run the policy / advance
 *	a simulation (optional)
 * @decision: latest decision for a workload; -ENODATA if none yet
 * @event_fd: a file descriptor that becomes readable when tick() has work
 *	(kernel backend: the netlink socket), or -1 (optional)
 */
struct dnngov_platform_ops {
	const char *name;
	int (*open)(struct dnngov_platform *p);
	void (*close)(struct dnngov_platform *p);
	int (*list_domains)(struct dnngov_platform *p,
			    struct dnngov_platform_domain *out, u32 max,
			    u32 *n);
	int (*domain_get)(struct dnngov_platform *p, const char *domain,
			  struct dnngov_platform_domain *out);
	int (*set_freq)(struct dnngov_platform *p, const char *domain, u32 khz);
	int (*set_power)(struct dnngov_platform *p, const char *domain,
			 const u32 *khz, const u32 *busy_uw, const u32 *idle_uw,
			 u32 n);
	int (*workload_add)(struct dnngov_platform *p,
			    const struct dnngov_platform_workload *w, u32 *id);
	int (*workload_change)(struct dnngov_platform *p, u32 id,
			       const struct dnngov_platform_workload *w);
	int (*workload_del)(struct dnngov_platform *p, u32 id);
	int (*set_levels)(struct dnngov_platform *p, u32 id,
			  const struct dnngov_level *levels, u32 n);
	int (*report)(struct dnngov_platform *p, u32 id,
		      const struct dnngov_platform_report *r);
	int (*tick)(struct dnngov_platform *p, u64 now_ns);
	int (*decision)(struct dnngov_platform *p, u32 id,
			struct dnngov_platform_decision *out);
	int (*event_fd)(struct dnngov_platform *p);
};

/**
 * struct dnngov_platform - a backend instance
 * @ops: the backend's operations
 * @priv: the backend's private state
 * @errmsg: reason of the last failed op (NUL-terminated)
 */
struct dnngov_platform {
	const struct dnngov_platform_ops *ops;
	void *priv;
	char errmsg[DNNGOV_PLATFORM_ERRMSG_MAX];
};

/* Backend constructors: fill @p (not yet opened). 0 or -errno. */
int dnngov_platform_none_init(struct dnngov_platform *p);
int dnngov_platform_kernel_init(struct dnngov_platform *p);
/* @sysfs_root: "/" on a real system, a temp dir in tests. */
int dnngov_platform_sysfs_init(struct dnngov_platform *p,
			       const char *sysfs_root);

/*
 * dnngov_platform_open_best() - open the first backend that works here
 * @p: filled on success
 * @want: "auto" (kernel, then sysfs, then none), or one backend name
 * @sysfs_root: for the sysfs backend
 * @why: on success with a fallback, a line saying why better backends were
 *	not used; may be NULL
 * @why_len: size of @why
 *
 * Return: 0 or -errno (p->errmsg says why).
 */
int dnngov_platform_open_best(struct dnngov_platform *p, const char *want,
			      const char *sysfs_root, char *why,
			      unsigned int why_len);

/* Close and free a backend opened with open/open_best. */
void dnngov_platform_close(struct dnngov_platform *p);

/* Set p->errmsg printf-style; returns @err so ops can "return errf(...)". */
int dnngov_platform_errf(struct dnngov_platform *p, int err, const char *fmt,
			 ...) __attribute__((format(printf, 3, 4)));

#endif /* DNNGOV_AGENT_PLATFORM_H */
