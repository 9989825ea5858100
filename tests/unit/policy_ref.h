/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * Independent reference for the policy tests: the model of
 * Documentation/policy.md evaluated in 128-bit arithmetic, two exact
 * searches that share no code with module/policy.c, and a random instance
 * generator.
 */
#ifndef DNNGOV_TEST_POLICY_REF_H
#define DNNGOV_TEST_POLICY_REF_H

#include <stdbool.h>
#include <stdint.h>

#include <dnngov/policy.h>

/* The lexicographic objective, compared field by field in this order. */
struct ref_cost {
	u64 misses;
	u64 late_us;
	u64 below;
	u64 deficit;
	u64 over_ppm;
	u64 power_uw;
};

int ref_cost_cmp(const struct ref_cost *a, const struct ref_cost *b);
bool ref_cost_feasible(const struct ref_cost *c);
/* What a target is checked against: the latency times the tail ratio. */
u64 ref_tail_us(const struct dnngov_workload *w, u32 lat);

u32 ref_latency_us(const struct dnngov_workload *w, u32 level, u32 freq_khz);
u64 ref_util_ppm(const struct dnngov_workload *w, u32 lat_us);
u64 ref_power_uw(const struct dnngov_domain *d, u32 opp, u64 util_ppm);

/* allowed[i] for every OPP: limits and floor as Documentation/policy.md says */
void ref_allowed(const struct dnngov_domain *d, bool *allowed);

/* Cost of one explicit choice: @opp and levels[i] for workload i. */
void ref_cost_of(const struct dnngov_domain *d,
		 const struct dnngov_workload *const *w, u32 n, u32 opp,
		 const u32 *levels, struct ref_cost *c);

/*
 * Full enumeration of allowed OPP x every level combination. Returns false
 * (and does nothing) when there are more than @max_combos combinations.
 */
bool ref_brute_force(const struct dnngov_domain *d,
		     const struct dnngov_workload *const *w, u32 n,
		     u64 max_combos, struct ref_cost *best);

/*
 * Exact per-OPP search by sorting each workload's levels on its own key
 * (separability, Documentation/policy.md); for instances too large to
 * enumerate.
 */
void ref_separable(const struct dnngov_domain *d,
		   const struct dnngov_workload *const *w, u32 n,
		   struct ref_cost *best);

/* The same, at one OPP (allowed or not). */
void ref_separable_at(const struct dnngov_domain *d,
		      const struct dnngov_workload *const *w, u32 n, u32 opp,
		      struct ref_cost *c);

/*
 * Should a decision at OPP @chosen with optimum @best say LIMITED? Some OPP
 * at or above the floor that min/max exclude has a strictly better cost;
 * with no workload, the floor alone would pick another OPP.
 */
bool ref_limited(const struct dnngov_domain *d,
		 const struct dnngov_workload *const *w, u32 n, u32 chosen,
		 const struct ref_cost *best);

/* splitmix64 */
struct ref_rng {
	u64 s;
};

u64 ref_rng_next(struct ref_rng *r);
/* uniform in [lo, hi] */
u64 ref_rng_range(struct ref_rng *r, u64 lo, u64 hi);
/* log-uniform in [lo, hi], lo >= 1 */
u64 ref_rng_log(struct ref_rng *r, u64 lo, u64 hi);

struct ref_gen_opts {
	u32 max_workloads;
	u32 max_opps;
	u32 max_levels;
	u64 max_combos;		/* 0: no limit on the product of n_levels */
};

/* A random but plausible instance; workloads are written to ws[0..*n). */
void ref_gen_instance(struct ref_rng *r, const struct ref_gen_opts *o,
		      struct dnngov_domain *d, struct dnngov_workload *ws,
		      u32 *n);

#endif
