// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * cmocka tests of the policy core (module/policy.c) against the independent
 * reference in policy_ref.c. DNNGOV_TEST_SEED repeats a random run;
 * DNNGOV_TEST_SCALE multiplies the number of random instances.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "policy_ref.h"

#define MHZ(x)		((u32)(x) * 1000U)
#define MS(x)		((u32)(x) * 1000U)
#define FP(x)		((u32)((x) * DNNGOV_FP_ONE + 0.5))
#define EINVAL_RC	(-DNNGOV_POLICY_EINVAL)

static u64 seed;
static u32 scale = 1;

/* Scratch instance, static: struct dnngov_workload is about 300 bytes. */
static struct dnngov_domain dom;
static struct dnngov_workload wls[DNNGOV_POLICY_MAX_WORKLOADS];
static const struct dnngov_workload *wp[DNNGOV_POLICY_MAX_WORKLOADS];
static struct dnngov_decision dec;

static void reset_instance(void)
{
	u32 i;

	memset(&dom, 0, sizeof(dom));
	memset(wls, 0, sizeof(wls));
	memset(&dec, 0xa5, sizeof(dec));
	for (i = 0; i < DNNGOV_POLICY_MAX_WORKLOADS; i++)
		wp[i] = &wls[i];
}

/* OPPs with the given MHz and busy/idle power in mW, capacity @cap. */
static void set_opps(u32 n, const u32 *mhz, const u32 *busy_mw,
		     const u32 *idle_mw, u32 cap)
{
	u32 i;

	dom.n_opps = n;
	for (i = 0; i < n; i++) {
		dom.opps[i].freq_khz = MHZ(mhz[i]);
		dom.opps[i].power_busy_uw = busy_mw[i] * 1000U;
		dom.opps[i].power_idle_uw = idle_mw[i] * 1000U;
	}
	dom.capacity = cap;
	dom.cur_opp = n;		/* nothing in force */
}

/* Linear OPP table: n OPPs from lo to hi MHz, busy power ~ f^2, idle 10 %. */
static void set_linear_opps(u32 n, u32 lo_mhz, u32 hi_mhz, u32 cap)
{
	u32 i;

	dom.n_opps = n;
	for (i = 0; i < n; i++) {
		u32 f = lo_mhz + (hi_mhz - lo_mhz) * i / (n - 1);

		dom.opps[i].freq_khz = MHZ(f);
		dom.opps[i].power_busy_uw = f * f;	/* 1 GHz: 1 W */
		dom.opps[i].power_idle_uw = f * f / 10;
	}
	dom.capacity = cap;
	dom.cur_opp = n;
}

static void set_level(struct dnngov_workload *w, u32 j, u64 cycles,
		      u32 fixed_us, u32 accuracy)
{
	w->levels[j].cycles = cycles;
	w->levels[j].fixed_us = fixed_us;
	w->levels[j].accuracy = accuracy;
	if (w->n_levels <= j)
		w->n_levels = j + 1;
}

static void set_workload(struct dnngov_workload *w, u32 target_us,
			 u32 period_us, u32 acc_floor)
{
	dnngov_policy_workload_init(w);
	w->target_us = target_us;
	w->period_us = period_us;
	w->accuracy_floor = acc_floor;
}

static int decide(u32 n)
{
	return dnngov_policy_decide(&dom, wp, n, &dec);
}

/* The state in force becomes the decision, as the module does. */
static void apply(u32 n)
{
	u32 i;

	dom.cur_opp = dec.opp;
	for (i = 0; i < n; i++)
		wls[i].cur_level = dec.level[i];
}

/*
 * Every field of @out agrees with the reference model for the choice it
 * names, the choice is allowed, and the flags say what its cost says.
 */
static void check_consistent(const struct dnngov_domain *d,
			     const struct dnngov_workload *const *w, u32 n,
			     const struct dnngov_decision *out,
			     struct ref_cost *got)
{
	bool allowed[DNNGOV_POLICY_MAX_OPPS];
	u32 i;

	ref_allowed(d, allowed);
	assert_in_range(out->opp, 0, d->n_opps - 1);
	assert_true(allowed[out->opp]);
	assert_int_equal(out->freq_khz, d->opps[out->opp].freq_khz);
	assert_int_equal(out->n_workloads, n);
	for (i = 0; i < n; i++) {
		u32 lat, fl = 0;

		assert_in_range(out->level[i], 0, w[i]->n_levels - 1);
		lat = ref_latency_us(w[i], out->level[i], out->freq_khz);
		assert_int_equal(out->latency_us[i], lat);
		if (w[i]->target_us && ref_tail_us(w[i], lat) > w[i]->target_us)
			fl |= DNNGOV_WL_DEADLINE_MISS;
		if (w[i]->levels[out->level[i]].accuracy <
		    w[i]->accuracy_floor)
			fl |= DNNGOV_WL_BELOW_FLOOR;
		assert_int_equal(out->wflags[i], fl);
	}
	for (; i < DNNGOV_POLICY_MAX_WORKLOADS; i++) {
		assert_int_equal(out->level[i], 0);
		assert_int_equal(out->latency_us[i], 0);
		assert_int_equal(out->wflags[i], 0);
	}
	ref_cost_of(d, w, n, out->opp, out->level, got);
	assert_true(out->power_uw == got->power_uw);
	assert_int_equal(!!(out->flags & DNNGOV_DECISION_INFEASIBLE),
			 !ref_cost_feasible(got));
	assert_int_equal(!!(out->flags & DNNGOV_DECISION_OVERLOAD),
			 got->over_ppm != 0);
	if (out->flags & DNNGOV_DECISION_HELD) {
		assert_int_equal(out->opp, d->cur_opp);
		for (i = 0; i < n; i++)
			assert_int_equal(out->level[i], w[i]->cur_level);
	}
}

static void print_cost(const char *what, const struct ref_cost *c)
{
	print_error("%s: misses %llu late %llu below %llu deficit %llu over %llu power %llu\n",
		    what, (unsigned long long)c->misses,
		    (unsigned long long)c->late_us,
		    (unsigned long long)c->below,
		    (unsigned long long)c->deficit,
		    (unsigned long long)c->over_ppm,
		    (unsigned long long)c->power_uw);
}

static void check_optimal(const struct ref_cost *got,
			  const struct ref_cost *best, u32 instance)
{
	if (ref_cost_cmp(got, best) != 0) {
		print_error("instance %u of seed %llu: policy is not optimal\n",
			    instance, (unsigned long long)seed);
		print_cost("policy", got);
		print_cost("optimum", best);
	}
	assert_int_equal(ref_cost_cmp(got, best), 0);
}

/* ---- model ---------------------------------------------------------- */

static void test_latency_model(void **state)
{
	struct dnngov_workload *w = &wls[0];
	u32 f;

	(void)state;
	reset_instance();
	set_workload(w, 0, 0, 0);
	set_level(w, 0, 100000000ULL, 1000, 7000);	/* 1e8 cycles + 1 ms */
	/* 1 GHz: 100 ms + 1 ms */
	assert_int_equal(dnngov_policy_latency_us(w, 0, MHZ(1000)), 101000);
	/* slowdown 1.5 */
	w->slowdown_fp = FP(1.5);
	assert_int_equal(dnngov_policy_latency_us(w, 0, MHZ(1000)), 151500);
	/* rounding is up: 100 cycles at 3 MHz are 33.3 us -> 34 */
	w->slowdown_fp = DNNGOV_FP_ONE;
	w->levels[0].cycles = 100;
	w->levels[0].fixed_us = 0;
	assert_int_equal(dnngov_policy_latency_us(w, 0, 3000), 34);
	/* uninitialised slowdown reads as 1.0, wild ones are clamped */
	w->slowdown_fp = 0;
	assert_int_equal(dnngov_policy_latency_us(w, 0, 1000), 100);
	w->slowdown_fp = 1;
	assert_int_equal(dnngov_policy_latency_us(w, 0, 1000), 25);
	w->slowdown_fp = UINT32_MAX;
	assert_int_equal(dnngov_policy_latency_us(w, 0, 1000), 1600);
	/* bad arguments saturate rather than fault */
	assert_int_equal(dnngov_policy_latency_us(w, 0, 0), UINT32_MAX);
	assert_int_equal(dnngov_policy_latency_us(w, 1, 1000), UINT32_MAX);
	assert_int_equal(dnngov_policy_latency_us(NULL, 0, 1000), UINT32_MAX);

	/* against double precision over plausible values */
	w->slowdown_fp = FP(1.25);
	for (f = 1000; f <= MHZ(4000); f = f * 3 + 7) {
		double exact = 1.25 * (2.5e9 * 1000.0 / f + 1234.0);
		u32 t;

		w->levels[0].cycles = 2500000000ULL;
		w->levels[0].fixed_us = 1234;
		t = dnngov_policy_latency_us(w, 0, f);
		if (exact >= UINT32_MAX) {
			assert_int_equal(t, UINT32_MAX);
			continue;
		}
		assert_true(t >= exact - 1e-6 * exact);
		assert_true(t <= exact + 2.0 + 1e-9 * exact);
	}
}

static void test_latency_extremes(void **state)
{
	static const u64 cyc[] = { 0, 1, 999, 40000000000ULL,
				   600000000000ULL, 10000000000000ULL,
				   1ULL << 44, 1ULL << 63, UINT64_MAX };
	static const u32 freq[] = { 1, 2, 999, 1000, MHZ(4000),
				    DNNGOV_FREQ_KHZ_MAX, UINT32_MAX };
	static const u32 fixed[] = { 0, 1, 10000000, DNNGOV_TIME_US_MAX,
				     UINT32_MAX };
	static const u32 slow[] = { 0, 1, DNNGOV_FP_ONE / 4, DNNGOV_FP_ONE,
				    DNNGOV_FP_ONE * 16, UINT32_MAX };
	struct dnngov_workload *w = &wls[0];
	size_t a, b, c, e;

	(void)state;
	reset_instance();
	set_workload(w, 0, 0, 0);
	w->n_levels = 1;
	for (a = 0; a < sizeof(cyc) / sizeof(cyc[0]); a++)
		for (b = 0; b < sizeof(freq) / sizeof(freq[0]); b++)
			for (c = 0; c < sizeof(fixed) / sizeof(fixed[0]); c++)
				for (e = 0; e < sizeof(slow) / sizeof(slow[0]);
				     e++) {
					w->levels[0].cycles = cyc[a];
					w->levels[0].fixed_us = fixed[c];
					w->slowdown_fp = slow[e];
					assert_int_equal(
						dnngov_policy_latency_us(w, 0,
									 freq[b]),
						ref_latency_us(w, 0, freq[b]));
				}
	/* 10 s at 4 GHz is exact, and 16x of it still fits */
	w->levels[0].cycles = 40000000000ULL;
	w->levels[0].fixed_us = 0;
	w->slowdown_fp = DNNGOV_FP_ONE;
	assert_int_equal(dnngov_policy_latency_us(w, 0, MHZ(4000)), 10000000);
	w->slowdown_fp = DNNGOV_FP_ONE * 16;
	assert_int_equal(dnngov_policy_latency_us(w, 0, MHZ(4000)), 160000000);
}

static void test_power_model(void **state)
{
	static const u32 mhz[] = { 1000 }, busy[] = { 3000 }, idle[] = { 500 };

	(void)state;
	reset_instance();
	set_opps(1, mhz, busy, idle, 4);
	/* idle share of 4 cores plus (busy - idle) per busy core */
	assert_true(dnngov_policy_power_uw(&dom, 0, 0) == 2000000);
	assert_true(dnngov_policy_power_uw(&dom, 0, 1500) == 5750000);
	assert_true(dnngov_policy_power_uw(&dom, 0, 4000) == 12000000);
	/* utilisation is capped at the capacity */
	assert_true(dnngov_policy_power_uw(&dom, 0, 9000) == 12000000);
	assert_true(dnngov_policy_power_uw(&dom, 0, UINT64_MAX) == 12000000);
	/* busy below idle reads as busy == idle */
	dom.opps[0].power_busy_uw = 100000;
	assert_true(dnngov_policy_power_uw(&dom, 0, 2000) == 2000000);
	/* out of range */
	assert_true(dnngov_policy_power_uw(&dom, 1, 0) == 0);
	assert_true(dnngov_policy_power_uw(NULL, 0, 0) == 0);
	/* extremes: 4 kW per core, 2^32 - 1 cores, no wrap */
	dom.opps[0].power_busy_uw = UINT32_MAX;
	dom.opps[0].power_idle_uw = UINT32_MAX / 3;
	dom.capacity = UINT32_MAX;
	assert_true(dnngov_policy_power_uw(&dom, 0, UINT64_MAX) ==
		    ref_power_uw(&dom, 0, UINT64_MAX));
	assert_true(dnngov_policy_power_uw(&dom, 0, 123456789) ==
		    ref_power_uw(&dom, 0, 123456789000ULL));
	/* 100 W per core, 1024 cores */
	dom.opps[0].power_busy_uw = 100000000;
	dom.opps[0].power_idle_uw = 10000000;
	dom.capacity = 1024;
	assert_true(dnngov_policy_power_uw(&dom, 0, 1024000) ==
		    102400000000ULL);
}

/* ---- decisions ------------------------------------------------------ */

/*
 * Hand-computed: 500 MHz (1 W busy, 0.1 W idle) and 1 GHz (3 W, 0.2 W), one
 * core; 10 Mcycle (70 %) and 40 Mcycle (76 %) subnets, 50 ms target, 100 ms
 * period.
 */
static void test_known_example(void **state)
{
	static const u32 mhz[] = { 500, 1000 }, busy[] = { 1000, 3000 },
			 idle[] = { 100, 200 };
	struct dnngov_workload *w = &wls[0];

	(void)state;
	reset_instance();
	set_opps(2, mhz, busy, idle, 1);
	set_workload(w, MS(50), MS(100), 0);
	set_level(w, 0, 10000000, 0, 7000);
	set_level(w, 1, 40000000, 0, 7600);
	/* no floor: small subnet at 500 MHz, 20 ms, U = 0.2: 0.28 W */
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.opp, 0);
	assert_int_equal(dec.level[0], 0);
	assert_int_equal(dec.latency_us[0], 20000);
	assert_true(dec.power_uw == 280000);
	assert_int_equal(dec.flags, 0);
	/* 75 % floor: big subnet, which needs 1 GHz (80 ms at 500 MHz) */
	w->accuracy_floor = 7500;
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.opp, 1);
	assert_int_equal(dec.level[0], 1);
	assert_int_equal(dec.latency_us[0], 40000);
	assert_true(dec.power_uw == 200000 + 2800000 * 4 / 10);
	assert_int_equal(dec.flags, 0);
	assert_int_equal(dec.wflags[0], 0);
	/* back to back: one core busy at any level, so 1 W at 500 MHz and the
	 * most accurate level that meets the target there
	 */
	w->accuracy_floor = 0;
	w->period_us = 0;
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.opp, 0);
	assert_int_equal(dec.level[0], 0);
	assert_true(dec.power_uw == 1000000);
	w->target_us = 0;	/* no target: the 76 % level is free */
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.opp, 0);
	assert_int_equal(dec.level[0], 1);
}

/* Equal costs: the lower OPP, then the more accurate level, then index. */
static void test_ties(void **state)
{
	static const u32 mhz[] = { 500, 800, 1000, 1200 },
			 flat[] = { 1000, 1000, 1000, 1000 },
			 idle[] = { 100, 100, 100, 100 };
	struct dnngov_workload *w = &wls[0];

	(void)state;
	reset_instance();
	set_opps(4, mhz, flat, idle, 1);
	/* back to back: one busy core at every OPP, same power everywhere */
	set_workload(w, MS(100), 0, 0);
	set_level(w, 0, 1000000, 0, 7000);
	set_level(w, 1, 1000000, 0, 7000);	/* same as level 0 */
	set_level(w, 2, 2000000, 0, 7200);	/* more accurate, slower */
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.opp, 0);
	assert_int_equal(dec.level[0], 2);
	assert_true(dec.power_uw == 1000000);
	/* the lowest allowed one when min cuts the table; an excluded OPP
	 * that is only as good is no reason for LIMITED
	 */
	dom.min_khz = MHZ(700);
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.opp, 1);
	assert_false(dec.flags & DNNGOV_DECISION_LIMITED);
	/* periodic, same latency: the more accurate; same all: lower index */
	dom.min_khz = 0;
	w->period_us = MS(100);
	w->levels[2].cycles = 1000000;
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.level[0], 2);
	w->levels[2].accuracy = 7000;
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.level[0], 0);
	/* periodic: the shorter latency wins over accuracy (less busy time) */
	w->levels[1].cycles = 900000;
	w->levels[1].accuracy = 6000;
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.level[0], 1);
}

static void test_bad_arguments(void **state)
{
	static const u32 mhz[] = { 500, 1000 }, busy[] = { 1000, 3000 },
			 idle[] = { 100, 200 };
	const struct dnngov_workload *nulls[2] = { NULL, NULL };
	u32 i;

	(void)state;
	reset_instance();
	set_opps(2, mhz, busy, idle, 1);
	set_workload(&wls[0], MS(50), MS(100), 0);
	set_level(&wls[0], 0, 10000000, 0, 7000);
	assert_int_equal(decide(1), 0);

	assert_int_equal(dnngov_policy_decide(NULL, wp, 1, &dec), EINVAL_RC);
	assert_int_equal(dnngov_policy_decide(&dom, wp, 1, NULL), EINVAL_RC);
	assert_int_equal(dnngov_policy_decide(&dom, NULL, 1, &dec), EINVAL_RC);
	assert_int_equal(dnngov_policy_decide(&dom, nulls, 1, &dec),
			 EINVAL_RC);
	/* out is zeroed on error */
	assert_int_equal(dec.opp, 0);
	assert_int_equal(dec.flags, 0);
	assert_int_equal(dec.n_workloads, 0);
	for (i = 0; i < DNNGOV_POLICY_MAX_WORKLOADS; i++)
		assert_int_equal(dec.level[i], 0);
	assert_int_equal(decide(DNNGOV_POLICY_MAX_WORKLOADS + 1), EINVAL_RC);
	wls[0].n_levels = 0;
	assert_int_equal(decide(1), EINVAL_RC);
	wls[0].n_levels = DNNGOV_POLICY_MAX_LEVELS + 1;
	assert_int_equal(decide(1), EINVAL_RC);
	wls[0].n_levels = 1;
	dom.n_opps = 0;
	assert_int_equal(decide(1), EINVAL_RC);
	dom.n_opps = DNNGOV_POLICY_MAX_OPPS + 1;
	assert_int_equal(decide(1), EINVAL_RC);
	dom.n_opps = 2;
	dom.capacity = 0;
	assert_int_equal(decide(1), EINVAL_RC);
	dom.capacity = 1;
	dom.opps[1].freq_khz = dom.opps[0].freq_khz;	/* not ascending */
	assert_int_equal(decide(1), EINVAL_RC);
	dom.opps[1].freq_khz = 1;
	assert_int_equal(decide(1), EINVAL_RC);
	dom.opps[0].freq_khz = 0;
	dom.opps[1].freq_khz = MHZ(1000);
	assert_int_equal(decide(1), EINVAL_RC);
	dom.opps[0].freq_khz = MHZ(500);
	dom.opps[1].freq_khz = DNNGOV_FREQ_KHZ_MAX + 1;
	assert_int_equal(decide(1), EINVAL_RC);
	dom.opps[1].freq_khz = DNNGOV_FREQ_KHZ_MAX;
	assert_int_equal(decide(1), 0);
	/* the other entry points ignore bad arguments */
	dnngov_policy_workload_init(NULL);
	dnngov_policy_report(NULL, 0, 1000, 1000);
	assert_int_equal(dnngov_policy_load_floor(NULL, 1000, 10, 0, 10), 0);
}

static void test_inputs_untouched(void **state)
{
	static struct dnngov_domain d0;
	static struct dnngov_workload w0[DNNGOV_POLICY_MAX_WORKLOADS];
	struct ref_gen_opts o = { 32, 64, 16, 0 };
	struct ref_rng r = { seed ^ 0x1234 };
	u32 n, k;

	(void)state;
	for (k = 0; k < 20; k++) {
		reset_instance();
		ref_gen_instance(&r, &o, &dom, wls, &n);
		dom.hysteresis_pct = (u32)ref_rng_range(&r, 0, 20);
		d0 = dom;
		memcpy(w0, wls, sizeof(wls));
		assert_int_equal(decide(n), 0);
		assert_memory_equal(&d0, &dom, sizeof(dom));
		assert_memory_equal(w0, wls, sizeof(wls));
	}
}

static void test_empty_workload_set(void **state)
{
	static const u32 mhz[] = { 400, 800, 1200, 1600 },
			 busy[] = { 500, 900, 1500, 2400 },
			 idle[] = { 50, 90, 150, 240 };
	struct ref_cost got;

	(void)state;
	reset_instance();
	set_opps(4, mhz, busy, idle, 2);
	assert_int_equal(decide(0), 0);
	assert_int_equal(dec.opp, 0);
	assert_int_equal(dec.n_workloads, 0);
	assert_true(dec.power_uw == 100000);
	assert_int_equal(dec.flags, 0);
	check_consistent(&dom, wp, 0, &dec, &got);
	/* the floor rounds up to an OPP; other load adds busy power */
	dom.floor_khz = MHZ(700);
	dom.other_cycles_per_s = 400000000ULL;	/* 0.5 core at 800 MHz */
	assert_int_equal(decide(0), 0);
	assert_int_equal(dec.opp, 1);
	assert_true(dec.power_uw == 2 * 90000 + 810000 / 2);
	check_consistent(&dom, wp, 0, &dec, &got);
	/* min wins over a lower floor and says LIMITED */
	dom.min_khz = MHZ(1200);
	assert_int_equal(decide(0), 0);
	assert_int_equal(dec.opp, 2);
	assert_true(dec.flags & DNNGOV_DECISION_LIMITED);
	/* max wins over the floor */
	dom.min_khz = 0;
	dom.floor_khz = MHZ(1600);
	dom.max_khz = MHZ(1300);
	assert_int_equal(decide(0), 0);
	assert_int_equal(dec.opp, 2);
	assert_true(dec.flags & DNNGOV_DECISION_LIMITED);
	/* random tables and limits: the lowest allowed OPP */
	{
		struct ref_gen_opts o = { 1, 64, 1, 0 };
		struct ref_rng r = { seed ^ 0xe0 };
		bool allowed[DNNGOV_POLICY_MAX_OPPS];
		u32 k, n, first;

		for (k = 0; k < 500; k++) {
			reset_instance();
			ref_gen_instance(&r, &o, &dom, wls, &n);
			dom.hysteresis_pct = 100;
			assert_int_equal(decide(0), 0);
			check_consistent(&dom, wp, 0, &dec, &got);
			ref_allowed(&dom, allowed);
			for (first = 0; !allowed[first]; first++)
				;
			assert_int_equal(dec.opp, first);
			assert_int_equal(!!(dec.flags & DNNGOV_DECISION_LIMITED),
					 ref_limited(&dom, wp, 0, dec.opp, &got));
		}
	}
	reset_instance();
	set_opps(4, mhz, busy, idle, 2);
	/* hysteresis has nothing to hold without workloads */
	dom.max_khz = 0;
	dom.floor_khz = 0;
	dom.cur_opp = 3;
	dom.hysteresis_pct = 100;
	assert_int_equal(decide(0), 0);
	assert_int_equal(dec.opp, 0);
	assert_false(dec.flags & DNNGOV_DECISION_HELD);
}

/* One workload that cannot meet its target anywhere, one that can. */
static void test_infeasible_deadline_first(void **state)
{
	struct ref_cost got, best;

	(void)state;
	reset_instance();
	set_linear_opps(8, 300, 1700, 1);
	dom.capacity = 4;
	/* w0: fast level 20 Mcycles (60 %), accurate level 80 Mcycles (75 %);
	 * target 20 ms, floor 74 %: at 1.7 GHz the accurate level takes 47 ms,
	 * so the deadline wins over the floor
	 */
	set_workload(&wls[0], MS(20), MS(100), 7400);
	set_level(&wls[0], 0, 20000000, 0, 6000);
	set_level(&wls[0], 1, 80000000, 0, 7500);
	/* w1: 5 ms target it can meet at 1.1 GHz or above */
	set_workload(&wls[1], MS(5), MS(10), 0);
	set_level(&wls[1], 0, 5000000, 0, 7000);
	assert_int_equal(decide(2), 0);
	check_consistent(&dom, wp, 2, &dec, &got);
	assert_true(dec.flags & DNNGOV_DECISION_INFEASIBLE);
	assert_int_equal(dec.level[0], 0);
	assert_int_equal(dec.wflags[0], DNNGOV_WL_BELOW_FLOOR);
	assert_int_equal(dec.wflags[1], 0);
	ref_brute_force(&dom, wp, 2, 1000, &best);
	check_optimal(&got, &best, 0);
	/* lowest OPP where both meet their deadlines: w1 needs 1 GHz */
	assert_true(dec.freq_khz >= MHZ(1000));
	assert_true(dom.opps[dec.opp - 1].freq_khz < MHZ(1000));

	/* a target no level meets: the least lateness, i.e. the fastest level
	 * at the highest OPP, and the other workload still meets its own
	 */
	wls[0].target_us = 1000;
	assert_int_equal(decide(2), 0);
	check_consistent(&dom, wp, 2, &dec, &got);
	assert_int_equal(dec.opp, dom.n_opps - 1);
	assert_int_equal(dec.level[0], 0);
	assert_int_equal(dec.wflags[0],
			 DNNGOV_WL_DEADLINE_MISS | DNNGOV_WL_BELOW_FLOOR);
	assert_int_equal(dec.wflags[1], 0);
	assert_true(dec.flags & DNNGOV_DECISION_INFEASIBLE);
	assert_int_equal(dec.latency_us[0],
			 dnngov_policy_latency_us(&wls[0], 0, MHZ(1700)));
}

/* When deadlines hold, accuracy comes before energy. */
static void test_infeasible_accuracy_second(void **state)
{
	struct ref_cost got;

	(void)state;
	reset_instance();
	set_linear_opps(8, 300, 1700, 1);
	/* floor 80 % above every level: the most accurate one that meets the
	 * target, and the OPP that lets it
	 */
	set_workload(&wls[0], MS(50), MS(100), 8000);
	set_level(&wls[0], 0, 10000000, 0, 6000);
	set_level(&wls[0], 1, 30000000, 0, 7000);
	set_level(&wls[0], 2, 60000000, 0, 7600);
	set_level(&wls[0], 3, 90000000, 0, 7900);	/* 53 ms at 1.7 GHz */
	assert_int_equal(decide(1), 0);
	check_consistent(&dom, wp, 1, &dec, &got);
	assert_int_equal(dec.level[0], 2);
	assert_int_equal(dec.wflags[0], DNNGOV_WL_BELOW_FLOOR);
	assert_true(dec.flags & DNNGOV_DECISION_INFEASIBLE);
	assert_true(dec.latency_us[0] <= MS(50));
	/* lowest OPP where 60 Mcycles fit in 50 ms: 1.2 GHz */
	assert_true(dec.freq_khz >= MHZ(1200));
	assert_true(dom.opps[dec.opp - 1].freq_khz < MHZ(1200));
}

static void test_overload(void **state)
{
	struct ref_cost got;

	(void)state;
	reset_instance();
	set_linear_opps(4, 500, 2000, 1);
	/* two back-to-back workloads on one GPU: U = 2 > 1 */
	set_workload(&wls[0], MS(100), 0, 0);
	set_level(&wls[0], 0, 1000000, 0, 7000);
	set_workload(&wls[1], MS(100), 0, 0);
	set_level(&wls[1], 0, 1000000, 0, 7000);
	assert_int_equal(decide(2), 0);
	check_consistent(&dom, wp, 2, &dec, &got);
	assert_true(dec.flags & DNNGOV_DECISION_OVERLOAD);
	assert_true(dec.flags & DNNGOV_DECISION_INFEASIBLE);
	assert_int_equal(dec.wflags[0], 0);
	/* two cores: fine */
	dom.capacity = 2;
	assert_int_equal(decide(2), 0);
	assert_int_equal(dec.flags, 0);
	assert_int_equal(dec.opp, 0);
	/* periodic: 0.6 + 0.6 of a core at 500 MHz overloads, at 1 GHz not */
	dom.capacity = 1;
	wls[0].period_us = 3333;
	wls[1].period_us = 3333;
	assert_int_equal(decide(2), 0);
	check_consistent(&dom, wp, 2, &dec, &got);
	assert_int_equal(dec.flags, 0);
	assert_int_equal(dec.freq_khz, MHZ(1000));
	/* non-DNN load counts too: 0.5 core at 1 GHz */
	dom.other_cycles_per_s = 500000000ULL;
	assert_int_equal(decide(2), 0);
	check_consistent(&dom, wp, 2, &dec, &got);
	assert_int_equal(dec.flags, 0);
	assert_int_equal(dec.freq_khz, MHZ(1500));
}

static void test_limits(void **state)
{
	struct ref_cost got;
	u32 i;

	(void)state;
	reset_instance();
	set_linear_opps(10, 200, 2000, 1);
	set_workload(&wls[0], MS(10), MS(50), 0);
	set_level(&wls[0], 0, 8500000, 0, 7000);	/* 8.5 ms at 1 GHz */
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.freq_khz, MHZ(1000));
	assert_int_equal(dec.flags, 0);
	/* min above the optimum */
	dom.min_khz = MHZ(1500);
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.freq_khz, MHZ(1600));
	assert_int_equal(dec.flags, DNNGOV_DECISION_LIMITED);
	/* max below what the deadline needs: infeasible, at max */
	dom.min_khz = 0;
	dom.max_khz = MHZ(700);
	assert_int_equal(decide(1), 0);
	check_consistent(&dom, wp, 1, &dec, &got);
	assert_int_equal(dec.freq_khz, MHZ(600));
	assert_int_equal(dec.flags, DNNGOV_DECISION_INFEASIBLE |
			 DNNGOV_DECISION_LIMITED);
	/* max wins over min and over the floor */
	dom.min_khz = MHZ(1800);
	dom.floor_khz = MHZ(1900);
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.freq_khz, MHZ(600));
	/* limits between two OPPs: the highest OPP under max */
	dom.min_khz = MHZ(1050);
	dom.max_khz = MHZ(1150);
	dom.floor_khz = 0;
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.freq_khz, MHZ(1000));
	/* max below every OPP: the lowest */
	dom.min_khz = 0;
	dom.max_khz = 100;
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.opp, 0);
	/* the floor excludes lower OPPs but is no limit: not LIMITED */
	dom.max_khz = 0;
	dom.floor_khz = MHZ(1300);
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.freq_khz, MHZ(1400));
	assert_int_equal(dec.flags, 0);
	/* every allowed choice, every time, over a sweep of limits */
	for (i = 0; i < 200; i++) {
		dom.min_khz = (i * 7919) % MHZ(2200);
		dom.max_khz = (i * 104729) % MHZ(2400);
		dom.floor_khz = (i % 3) ? 0 : (i * 1299709) % MHZ(2100);
		assert_int_equal(decide(1), 0);
		check_consistent(&dom, wp, 1, &dec, &got);
	}
}

/* ---- hysteresis ----------------------------------------------------- */

/* 21 OPPs 1..2 GHz in 50 MHz steps (power steps below 10 %), one core. */
static void hyst_setup(void)
{
	reset_instance();
	set_linear_opps(21, 1000, 2000, 1);
	set_workload(&wls[0], 0, 0, 0);
	set_level(&wls[0], 0, 30000000, 0, 7000);
	/* target right at the 1.5 GHz boundary: 20 ms */
	wls[0].target_us = dnngov_policy_latency_us(&wls[0], 0, MHZ(1500));
}

static u32 hyst_run(u32 pct, u32 steps, u32 *infeasible)
{
	struct ref_rng r = { seed ^ 0xfeed };
	u32 i, switches = 0, prev = dom.n_opps;

	dom.hysteresis_pct = pct;
	*infeasible = 0;
	for (i = 0; i < steps; i++) {
		/* +-3 % measurement noise on the slowdown */
		wls[0].slowdown_fp = (u32)ref_rng_range(&r, FP(0.97), FP(1.03));
		assert_int_equal(decide(1), 0);
		*infeasible += !!(dec.flags & DNNGOV_DECISION_INFEASIBLE);
		if (prev != dom.n_opps && dec.opp != prev)
			switches++;
		prev = dec.opp;
		apply(1);
	}
	return switches;
}

static void test_hysteresis_no_ping_pong(void **state)
{
	u32 sw0, sw5, inf;

	(void)state;
	hyst_setup();
	sw0 = hyst_run(0, 400, &inf);
	assert_int_equal(inf, 0);
	hyst_setup();
	/* +-3 % noise in latency is about +-6 % in power (P ~ f^2 here) */
	sw5 = hyst_run(10, 400, &inf);
	assert_int_equal(inf, 0);
	print_message("hysteresis: %u OPP changes in 400 noisy decisions without, %u with 10 %%\n",
		      sw0, sw5);
	assert_true(sw0 >= 50);	/* the noise really flips the optimum */
	assert_true(sw5 <= 2);
}

static void test_hysteresis_threshold(void **state)
{
	static const u32 mhz[] = { 1000, 1100 }, busy[] = { 950, 1000 },
			 idle[] = { 0, 0 };

	(void)state;
	reset_instance();
	set_opps(2, mhz, busy, idle, 1);
	set_workload(&wls[0], MS(100), 0, 0);	/* back to back: P = busy */
	set_level(&wls[0], 0, 1000000, 0, 7000);
	dom.cur_opp = 1;
	dom.hysteresis_pct = 5;
	/* saves exactly 5 %: held */
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.opp, 1);
	assert_int_equal(dec.flags, DNNGOV_DECISION_HELD);
	assert_true(dec.power_uw == 1000000);
	/* saves 6 %: switches */
	dom.opps[0].power_busy_uw = 940000;
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.opp, 0);
	assert_int_equal(dec.flags, 0);
	/* level in force out of range: nothing to hold */
	dom.hysteresis_pct = 100;
	wls[0].cur_level = 1;
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.opp, 0);
	wls[0].cur_level = 0;
	/* a big saving switches even from a feasible choice */
	dom.hysteresis_pct = 5;
	dom.opps[0].power_busy_uw = 500000;
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.opp, 0);
	assert_false(dec.flags & DNNGOV_DECISION_HELD);
}

static void test_hysteresis_never_holds_infeasible(void **state)
{
	struct ref_cost got;

	(void)state;
	hyst_setup();
	dom.hysteresis_pct = 100;	/* would hold anything feasible */
	dom.cur_opp = 5;		/* 1.25 GHz misses the 1.5 GHz target */
	assert_int_equal(decide(1), 0);
	check_consistent(&dom, wp, 1, &dec, &got);
	assert_int_equal(dec.freq_khz, MHZ(1500));
	assert_int_equal(dec.flags, 0);
	/* level in force misses its floor */
	dom.cur_opp = 20;
	wls[0].accuracy_floor = 7500;
	set_level(&wls[0], 1, 30000000, 0, 7600);
	wls[0].cur_level = 0;
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.level[0], 1);
	assert_false(dec.flags & DNNGOV_DECISION_HELD);
	/* the OPP in force is above a new max: limits win */
	wls[0].cur_level = 1;
	dom.cur_opp = 20;
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.flags, DNNGOV_DECISION_HELD);
	dom.max_khz = MHZ(1900);
	assert_int_equal(decide(1), 0);
	assert_true(dec.freq_khz <= MHZ(1900));
	assert_false(dec.flags & DNNGOV_DECISION_HELD);
	/* ... and below a new min or floor */
	dom.max_khz = 0;
	dom.cur_opp = 10;
	dom.floor_khz = MHZ(1700);
	assert_int_equal(decide(1), 0);
	assert_true(dec.freq_khz >= MHZ(1700));
	assert_false(dec.flags & DNNGOV_DECISION_HELD);
	/* overload in force is infeasible too */
	dom.floor_khz = 0;
	dom.cur_opp = 10;
	dom.other_cycles_per_s = 1800000000ULL;	/* 1 core at 1.8 GHz */
	assert_int_equal(decide(1), 0);
	check_consistent(&dom, wp, 1, &dec, &got);
	assert_false(dec.flags & DNNGOV_DECISION_HELD);
}

/* ---- slowdown learning ---------------------------------------------- */

/* Report what a workload with true slowdown @k measures, with noise. */
static void report_true(struct dnngov_workload *w, double k, double noise)
{
	double base = (double)w->levels[0].cycles * 1000.0 / MHZ(1000) +
		      w->levels[0].fixed_us;

	dnngov_policy_report(w, 0, MHZ(1000),
			     (u32)(base * k * (1.0 + noise) + 0.5));
}

static double slow(const struct dnngov_workload *w)
{
	return (double)w->slowdown_fp / DNNGOV_FP_ONE;
}

static u32 reports_to_converge(struct dnngov_workload *w, double k,
			       u32 limit)
{
	u32 i;

	for (i = 1; i <= limit; i++) {
		report_true(w, k, 0);
		if (slow(w) > k * 0.99 && slow(w) < k * 1.01)
			return i;
	}
	return limit + 1;
}

static void test_slowdown_converges(void **state)
{
	static const double k[] = { 0.25, 0.3, 0.8, 1.0, 1.7, 3.0, 7.5, 16 };
	struct dnngov_workload *w = &wls[0];
	struct ref_rng r = { seed ^ 0xabc };
	double sum = 0;
	size_t i;
	u32 n;

	(void)state;
	reset_instance();
	set_workload(w, 0, 0, 0);
	set_level(w, 0, 50000000, 500, 7000);	/* 50.5 ms at 1 GHz */
	/* from a fresh workload: the first report is taken as it is */
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		dnngov_policy_workload_init(w);
		assert_int_equal(reports_to_converge(w, k[i], 1), 1);
	}
	/* the first 8 reports are averaged plainly */
	dnngov_policy_workload_init(w);
	report_true(w, 1.0, 0);
	report_true(w, 1.2, 0);
	report_true(w, 1.4, 0);
	report_true(w, 1.6, 0);
	assert_true(slow(w) > 1.3 - 1e-3 && slow(w) < 1.3 + 1e-3);
	/* a gradual change (under 2x) after a long history: EWMA 1/8 */
	dnngov_policy_workload_init(w);
	assert_true(reports_to_converge(w, 2.0, 100) <= 1);
	for (i = 0; i < 50; i++)
		report_true(w, 2.0, 0);
	n = reports_to_converge(w, 2.6, 100);
	print_message("slowdown: 2.0 -> 2.6 within 1 %% after %u reports\n", n);
	assert_true(n <= 26);
	/* a step beyond 2x: three reports, then exact */
	n = reports_to_converge(w, 7.0, 100);
	print_message("slowdown: 2.6 -> 7.0 within 1 %% after %u reports\n", n);
	assert_int_equal(n, 3);
	n = reports_to_converge(w, 1.1, 100);
	assert_int_equal(n, 3);
	/* +-5 % noise: the estimate stays close, its average closer */
	dnngov_policy_workload_init(w);
	for (i = 0; i < 400; i++) {
		double e = (double)(ref_rng_range(&r, 0, 2000)) / 20000.0 - 0.05;

		report_true(w, 2.0, e);
		if (i < 100)
			continue;
		assert_true(slow(w) > 2.0 * 0.97 && slow(w) < 2.0 * 1.03);
		sum += slow(w);
	}
	assert_true(sum / 300 > 2.0 * 0.99 && sum / 300 < 2.0 * 1.01);
}

static void test_slowdown_outliers(void **state)
{
	struct dnngov_workload *w = &wls[0];
	u32 s, i;

	(void)state;
	reset_instance();
	set_workload(w, 0, 0, 0);
	set_level(w, 0, 50000000, 500, 7000);
	for (i = 0; i < 20; i++)
		report_true(w, 2.0, 0);
	s = w->slowdown_fp;
	/* one or two outliers (a preemption, a page fault storm) are ignored */
	report_true(w, 20.0, 0);
	assert_int_equal(w->slowdown_fp, s);
	report_true(w, 20.0, 0);
	assert_int_equal(w->slowdown_fp, s);
	report_true(w, 2.0, 0);
	assert_int_equal(w->outlier_run, 0);
	/* a run restarts when the direction changes */
	report_true(w, 20.0, 0);
	report_true(w, 20.0, 0);
	report_true(w, 0.3, 0);
	report_true(w, 20.0, 0);
	report_true(w, 20.0, 0);
	assert_int_equal(w->slowdown_fp, s);
	assert_int_equal(w->outlier_run, 2);
	report_true(w, 2.0, 0);
	/* alternating outliers never build a run */
	for (i = 0; i < 50; i++)
		report_true(w, (i & 1) ? 0.3 : 30.0, 0);
	assert_true(slow(w) > 1.98 && slow(w) < 2.02);
	/* a wrong first report is corrected after three consistent ones */
	dnngov_policy_workload_init(w);
	report_true(w, 12.0, 0);
	for (i = 0; i < 3; i++)
		report_true(w, 1.0, 0);
	assert_true(slow(w) > 0.99 && slow(w) < 1.01);
}

static void test_slowdown_clamp_and_bad_reports(void **state)
{
	struct dnngov_workload *w = &wls[0];
	u32 s, i;

	(void)state;
	reset_instance();
	set_workload(w, 0, 0, 0);
	set_level(w, 0, 50000000, 500, 7000);
	report_true(w, 100.0, 0);
	assert_int_equal(w->slowdown_fp, DNNGOV_FP_ONE * 16);
	dnngov_policy_workload_init(w);
	report_true(w, 0.01, 0);
	assert_int_equal(w->slowdown_fp, DNNGOV_FP_ONE / 4);
	dnngov_policy_workload_init(w);
	report_true(w, 1.5, 0);
	s = w->slowdown_fp;
	assert_int_equal(w->reports, 1);
	dnngov_policy_report(w, 0, 0, 1000);		/* zero frequency */
	dnngov_policy_report(w, 0, 1000, 0);		/* zero latency */
	dnngov_policy_report(w, 1, 1000, 1000);		/* no such level */
	dnngov_policy_report(w, 0, DNNGOV_FREQ_KHZ_MAX + 1, 1000);
	dnngov_policy_report(w, 0, 1000, DNNGOV_TIME_US_MAX + 1);
	w->levels[1].cycles = 0;			/* empty model */
	w->levels[1].fixed_us = 0;
	w->n_levels = 2;
	dnngov_policy_report(w, 1, 1000, 1000);
	w->levels[1].cycles = UINT64_MAX;		/* saturated model */
	for (i = 0; i < 5; i++)		/* not even as a run of outliers */
		dnngov_policy_report(w, 1, 1, 1000);
	assert_int_equal(w->outlier_run, 0);
	assert_int_equal(w->slowdown_fp, s);
	assert_int_equal(w->reports, 1);
	/* extremes of a valid report */
	dnngov_policy_report(w, 0, 1, DNNGOV_TIME_US_MAX);
	dnngov_policy_report(w, 1, DNNGOV_FREQ_KHZ_MAX, DNNGOV_TIME_US_MAX);
	dnngov_policy_report(w, 0, DNNGOV_FREQ_KHZ_MAX, 1);
	assert_in_range(w->slowdown_fp, DNNGOV_FP_ONE / 4, DNNGOV_FP_ONE * 16);
}

/* ---- load floor ----------------------------------------------------- */

static void test_load_floor(void **state)
{
	static const u32 mhz[] = { 400, 800, 1200, 1600, 2000 },
			 pw[] = { 1, 2, 3, 4, 5 };

	(void)state;
	reset_instance();
	set_opps(5, mhz, pw, pw, 4);
	/* 20 % of 4 cores non-DNN at 2 GHz: 1.25 * 0.2 * 2 GHz = 500 MHz */
	assert_int_equal(dnngov_policy_load_floor(&dom, MHZ(2000), 16000, 8000,
						  10000), MHZ(800));
	/* exactly on an OPP: 32 % -> 800 MHz */
	assert_int_equal(dnngov_policy_load_floor(&dom, MHZ(2000), 12800, 0,
						  10000), MHZ(800));
	/* 800000.4 kHz is above the 800 MHz OPP */
	assert_int_equal(dnngov_policy_load_floor(&dom, MHZ(2000) + 1, 12800, 0,
						  10000), MHZ(1200));
	/* just above: next OPP */
	assert_int_equal(dnngov_policy_load_floor(&dom, MHZ(2000), 12801, 0,
						  10000), MHZ(1200));
	/* tiny load: lowest OPP; none: 0 */
	assert_int_equal(dnngov_policy_load_floor(&dom, MHZ(2000), 1, 0,
						  10000), MHZ(400));
	assert_int_equal(dnngov_policy_load_floor(&dom, MHZ(2000), 8000, 8000,
						  10000), 0);
	assert_int_equal(dnngov_policy_load_floor(&dom, MHZ(2000), 100, 8000,
						  10000), 0);
	/* bad windows and frequencies */
	assert_int_equal(dnngov_policy_load_floor(&dom, MHZ(2000), 100, 0, 0),
			 0);
	assert_int_equal(dnngov_policy_load_floor(&dom, 0, 100, 0, 100), 0);
	/* fully busy (or more than the window allows): the top OPP */
	assert_int_equal(dnngov_policy_load_floor(&dom, MHZ(2000), 40000, 0,
						  10000), MHZ(2000));
	assert_int_equal(dnngov_policy_load_floor(&dom, MHZ(2000), UINT64_MAX,
						  0, 10000), MHZ(2000));
	/* huge windows do not wrap */
	assert_int_equal(dnngov_policy_load_floor(&dom, UINT32_MAX, UINT64_MAX,
						  UINT64_MAX / 2, UINT64_MAX / 4),
			 MHZ(2000));
	assert_int_equal(dnngov_policy_load_floor(&dom, MHZ(1000),
						  UINT64_MAX / 8, 0,
						  UINT64_MAX / 8), MHZ(400));
	/* never above max */
	dom.max_khz = MHZ(1300);
	assert_int_equal(dnngov_policy_load_floor(&dom, MHZ(2000), 40000, 0,
						  10000), MHZ(1200));
	dom.max_khz = 100;
	assert_int_equal(dnngov_policy_load_floor(&dom, MHZ(2000), 40000, 0,
						  10000), MHZ(400));
	/* capacity 0 reads as 1 */
	dom.max_khz = 0;
	dom.capacity = 0;
	assert_int_equal(dnngov_policy_load_floor(&dom, MHZ(1000), 5000, 0,
						  10000), MHZ(800));
}

/* ---- tail margin ------------------------------------------------------ */

static void test_tail_margin(void **state)
{
	static const u32 mhz[] = { 500, 1000, 1500, 2000 },
			 busy[] = { 100, 300, 700, 1300 },
			 idle[] = { 10, 20, 40, 80 };
	struct dnngov_workload *w = &wls[0];
	u64 power_mean;

	(void)state;
	reset_instance();
	set_opps(4, mhz, busy, idle, 1);
	set_workload(w, MS(21), MS(100), 0);
	set_level(w, 0, 20000000, 0, 7000);	/* 20 ms at 1 GHz */
	/* no tail (as before the ratio existed): 1 GHz, 20 ms <= 21 ms */
	w->tail_fp = 0;
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.freq_khz, MHZ(1000));
	assert_int_equal(dec.latency_us[0], MS(20));
	power_mean = dec.power_uw;
	w->tail_fp = FP(1.0);
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.freq_khz, MHZ(1000));
	assert_true(dec.power_uw == power_mean);
	/* 4 % slow inferences: 20.8 ms still fits; 6 %: 21.2 ms does not */
	w->tail_fp = FP(1.04);
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.freq_khz, MHZ(1000));
	w->tail_fp = FP(1.06);
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.freq_khz, MHZ(1500));
	/* the decision still predicts the mean, energy from the mean */
	assert_int_equal(dec.latency_us[0], 13334);
	assert_int_equal(dec.wflags[0], 0);
	assert_false(dec.flags & DNNGOV_DECISION_INFEASIBLE);
	/* a tail no OPP can hold: flagged, at the top OPP */
	set_workload(w, MS(11), MS(100), 0);
	w->tail_fp = FP(1.2);		/* 10 ms x 1.2 > 11 ms at 2 GHz */
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.freq_khz, MHZ(2000));
	assert_int_equal(dec.latency_us[0], MS(10));
	assert_int_equal(dec.wflags[0], DNNGOV_WL_DEADLINE_MISS);
	assert_true(dec.flags & DNNGOV_DECISION_INFEASIBLE);
	/* clamped to [1, 2]: 5.0 reads as 2.0, 0.5 as 1.0 */
	set_workload(w, MS(41), MS(100), 0);
	w->tail_fp = FP(5.0);
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.freq_khz, MHZ(1000));	/* 20 x 2 <= 41 */
	w->tail_fp = FP(0.5);
	set_workload(w, MS(20), MS(100), 0);
	w->tail_fp = FP(0.5);
	assert_int_equal(decide(1), 0);
	assert_int_equal(dec.freq_khz, MHZ(1000));
}

/* A report of a workload with 10 ms at 1 GHz, at time @t_ms. */
static void report_at(struct dnngov_workload *w, double k, u32 max_pct,
		      u64 t_ms, u64 busy_us, u64 freq_age_us)
{
	struct dnngov_report r = {
		.level = 0,
		.freq_khz = MHZ(1000),
		.latency_us = (u32)(10000.0 * k + 0.5),
		.busy_us = busy_us,
		.now_us = t_ms * 1000,
		.freq_age_us = freq_age_us,
	};

	if (max_pct)
		r.latency_max_us = (u32)(10000.0 * k * max_pct / 100 + 0.5);
	dnngov_policy_report_window(w, &r);
}

static double tail(const struct dnngov_workload *w)
{
	return (double)w->tail_fp / DNNGOV_FP_ONE;
}

static void test_tail_learning(void **state)
{
	struct dnngov_workload *w = &wls[0];
	struct ref_rng r = { seed ^ 0x7a11 };
	double lo = 2, hi = 0;
	u32 i, t;

	(void)state;
	reset_instance();
	set_workload(w, MS(50), MS(100), 0);
	set_level(w, 0, 10000000, 0, 7000);		/* 10 ms at 1 GHz */
	/* without the slowest latency no tail is learned (old behaviour) */
	for (i = 0; i < 50; i++)
		report_at(w, i % 2 ? 1.1 : 0.9, 0, 100 + i * 100, 0, UINT64_MAX);
	assert_int_equal(w->tail_fp, DNNGOV_FP_ONE);
	assert_int_equal(w->reports, 50);
	/* exact reports: no margin */
	dnngov_policy_workload_init(w);
	for (i = 0; i < 50; i++)
		report_at(w, 1.0, 100, 100 + i * 100, 0, UINT64_MAX);
	assert_int_equal(w->tail_fp, DNNGOV_FP_ONE);
	/* +-3 % uniform jitter, one inference per report: 1.03..1.10 */
	dnngov_policy_workload_init(w);
	for (i = 0; i < 300; i++) {
		double e = (double)ref_rng_range(&r, 0, 600) / 10000.0 - 0.03;

		report_at(w, 1.0 + e, 100, 100 + i * 100, 0, UINT64_MAX);
		if (i < 50)
			continue;
		lo = tail(w) < lo ? tail(w) : lo;
		hi = tail(w) > hi ? tail(w) : hi;
	}
	print_message("tail under +-3 %% jitter: %.4f .. %.4f\n", lo, hi);
	assert_true(lo >= 1.025 && hi <= 1.10);
	/*
	 * a slow inference in a report counts at once: 1.25 over the mean the
	 * slowdown predicts, and the jitter left the slowdown within a few
	 * per cent of 1.0, so compare with 1.25 / s
	 */
	t = w->tail_fp;
	report_at(w, 1.0, 125, 100000, 0, UINT64_MAX);
	assert_true(fabs(tail(w) - 1.25 * DNNGOV_FP_ONE / w->slowdown_fp) < 0.01);
	/* ... and decays slowly back to the jitter's margin */
	for (i = 0; i < 10; i++)
		report_at(w, 1.0, 100, 100100 + i * 100, 0, UINT64_MAX);
	assert_true(tail(w) > 1.1 && tail(w) < 1.24);
	for (i = 0; i < 200; i++)
		report_at(w, 1.0, 100, 101100 + i * 100, 0, UINT64_MAX);
	assert_true(w->tail_fp <= t);
	/* not learned from a window that ran partly at another frequency */
	t = w->tail_fp;
	report_at(w, 1.0, 150, 200000, 0, 50000);	/* age 50 ms < span */
	assert_int_equal(w->tail_fp, t);
	report_at(w, 1.0, 150, 200100, 0, 100000);	/* age 100 ms >= span */
	assert_true(tail(w) > 1.49 && tail(w) < 1.51);
	/* capped at 2 */
	report_at(w, 1.0, 300, 200200, 0, UINT64_MAX);
	assert_int_equal(w->tail_fp, 2 * DNNGOV_FP_ONE);
	/* not from the first report (it sets the slowdown to itself) ... */
	dnngov_policy_workload_init(w);
	report_at(w, 1.0, 150, 100, 0, UINT64_MAX);
	assert_int_equal(w->tail_fp, DNNGOV_FP_ONE);
	/* ... nor from an outlier the slowdown rejects, or a step change */
	for (i = 0; i < 3; i++) {
		report_at(w, 3.0, 100, 200 + i * 100, 0, UINT64_MAX);
		assert_int_equal(w->tail_fp, DNNGOV_FP_ONE);
	}
	assert_int_equal(w->reports, 1);	/* restarted on the third */
	/* the second report teaches at once */
	report_at(w, 3.0, 150, 600, 0, UINT64_MAX);
	assert_true(tail(w) > 1.49 && tail(w) < 1.51);
	assert_int_equal(w->reports, 2);
	/* bad input is ignored */
	dnngov_policy_report_window(w, NULL);
	dnngov_policy_report_window(NULL, NULL);
	report_at(w, 1.0, 150, 0, 0, UINT64_MAX);	/* time 0 */
	assert_int_equal(w->reports, 2);
}

/* ---- DNN busy rate and the load floor ------------------------------- */

static void test_busy_rate(void **state)
{
	struct dnngov_workload *w = &wls[0];
	u32 i;

	(void)state;
	reset_instance();
	set_workload(w, MS(80), MS(100), 0);
	set_level(w, 0, 60000000, 0, 7000);
	/* nothing known yet */
	assert_true(dnngov_policy_dnn_busy_us(w, 1000000, 50000) == 0);
	/* the first report starts the clock, the second gives the rate */
	report_at(w, 6.6, 0, 1000, 66000, UINT64_MAX);
	assert_int_equal(w->busy_rate, 0);
	report_at(w, 6.6, 0, 1100, 66000, UINT64_MAX);
	assert_int_equal(w->busy_rate, 660000);
	assert_int_equal(w->busy_gap_us, 100000);
	/* a 50 ms window expects 33 ms, whatever landed in it */
	assert_true(dnngov_policy_dnn_busy_us(w, 1110000, 50000) == 33000);
	assert_true(dnngov_policy_dnn_busy_us(w, 1300000, 50000) == 33000);
	/* a rate change moves it by 1/4 a report */
	report_at(w, 6.6, 0, 1200, 26000, UINT64_MAX);
	assert_int_equal(w->busy_rate, 560000);
	for (i = 0; i < 40; i++)
		report_at(w, 6.6, 0, 1300 + i * 100, 26000, UINT64_MAX);
	assert_in_range(w->busy_rate, 259999, 262000);
	/* reports stop: after 2 gaps the rate decays as 2 gaps / age */
	assert_true(dnngov_policy_dnn_busy_us(w, 5200000 + 200000, 100000) ==
		    w->busy_rate / 10);
	assert_true(dnngov_policy_dnn_busy_us(w, 5200000 + 2000000, 100000) ==
		    w->busy_rate / 100);
	/* a late window never wraps; a huge busy time is capped */
	assert_true(dnngov_policy_dnn_busy_us(w, UINT64_MAX, UINT64_MAX) <
		    (u64)DNNGOV_TIME_US_MAX * 64);
	report_at(w, 6.6, 0, 5300, UINT64_MAX / 2, UINT64_MAX);
	assert_true(w->busy_rate <= 64U * 1000000U);
	assert_true(dnngov_policy_dnn_busy_us(NULL, 1, 1) == 0);
}

/* One 50 ms sample of domain @d with @busy us (@max on the busiest core). */
static u32 sample(u64 t_us, u64 busy, u64 max, u32 cur_khz, u32 n)
{
	struct dnngov_load_sample s = {
		.now_us = t_us, .window_us = 50000, .busy_us = busy,
		.busy_max_us = max, .cur_khz = cur_khz,
	};

	return dnngov_policy_sample(&dom, wp, n, &s);
}

static void test_sample_floor(void **state)
{
	static const u32 mhz[] = { 400, 800, 1200, 1600, 2000 },
			 pw[] = { 1, 2, 3, 4, 5 };
	struct dnngov_workload *w = &wls[0];
	u32 i, f, old, flips_old = 0, flips_new = 0, prev_old = 0;
	u32 prev_new = 0;
	u64 t, busy;

	(void)state;
	reset_instance();
	set_opps(5, mhz, pw, pw, 1);
	set_workload(w, MS(80), MS(100), 0);
	set_level(w, 0, 60000000, 0, 7000);
	/*
	 * The ping-pong: a GPU busy 66 ms of every 100 ms with DNN work only,
	 * sampled every 50 ms (busy 50 then 16 ms), reported every 100 ms
	 * (66 ms each, landing in every other window). The old floor counts
	 * the DNN as other load in every other window; the new one does not.
	 */
	report_at(w, 6.6, 0, 900, 66000, UINT64_MAX);
	for (i = 0; i < 40; i++) {
		t = 1000000 + (u64)i * 50000;
		busy = i % 2 ? 16000 : 50000;
		if (i % 2 == 0)
			report_at(w, 6.6, 0, t / 1000, 66000, UINT64_MAX);
		old = dnngov_policy_load_floor(&dom, MHZ(1200), busy,
					       i % 2 == 0 ? 66000 : 0, 50000);
		f = sample(t, busy, 0, MHZ(1200), 1);
		if (i >= 4) {
			flips_old += old != prev_old;
			flips_new += f != prev_new;
		}
		prev_old = old;
		prev_new = f;
	}
	print_message("floor changes in 36 windows: old %u, new %u (now %u kHz)\n",
		      flips_old, flips_new, prev_new);
	assert_true(flips_old >= 30);
	assert_int_equal(flips_new, 0);
	/* the first window's excess is decaying, far below the DNN's OPP */
	assert_true(prev_new < MHZ(800));
	assert_true(dom.other_ppm < 20000);
	/* new non-DNN load counts as soon as the joined window shows it: a
	 * fully busy 100 ms is 34 ms over the DNN's 66 */
	t = 1000000 + 40 * 50000;
	report_at(w, 6.6, 0, t / 1000, 66000, UINT64_MAX);
	f = sample(t, 50000, 0, MHZ(1200), 1);
	f = sample(t + 50000, 50000, 0, MHZ(1200), 1);
	assert_int_equal(f, MHZ(800));
	assert_in_range(dom.other_ppm, 339000, 341000);
	/* and leaves slowly: 1/4 of the excess per window, then 0 */
	t += 100000;
	for (i = 0; i < 3; i++, t += 50000) {
		if (i % 2 == 0)
			report_at(w, 6.6, 0, t / 1000, 66000, UINT64_MAX);
		f = sample(t, i % 2 ? 50000 : 16000, 0, MHZ(1200), 1);
		assert_true(f >= MHZ(400));
	}
	for (i = 0; i < 60; i++, t += 50000) {
		if (i % 2)
			report_at(w, 6.6, 0, t / 1000, 66000, UINT64_MAX);
		f = sample(t, i % 2 ? 16000 : 50000, 0, MHZ(1200), 1);
	}
	assert_int_equal(f, 0);
	assert_int_equal(dom.other_ppm, 0);

	/* four cores: a single-threaded task on one of them needs its own
	 * core's speed, not a quarter of it */
	reset_instance();
	set_opps(5, mhz, pw, pw, 4);
	assert_int_equal(sample(1000000, 50000, 0, MHZ(2000), 0), MHZ(800));
	dom.other_ppm = 0;
	assert_int_equal(sample(1000000, 50000, 50000, MHZ(2000), 0),
			 MHZ(2000));
	/* the DNN alone on one core: no floor (its core is not other load) */
	set_workload(w, MS(80), MS(100), 0);
	set_level(w, 0, 60000000, 0, 7000);
	report_at(w, 6.6, 0, 900, 40000, UINT64_MAX);
	report_at(w, 6.6, 0, 1000, 40000, UINT64_MAX);	/* 40 % of a core */
	dom.other_ppm = 0;
	dom.prev_window_us = 0;		/* no previous window to join */
	assert_int_equal(sample(1000000, 20000, 20000, MHZ(2000), 1), 0);
	/* DNN 40 % plus a task at 100 % on another core from now on: over
	 * the joined 100 ms the task is 50 % of its core */
	assert_int_equal(sample(1050000, 70000, 50000, MHZ(2000), 1),
			 MHZ(1600));
	assert_int_equal(dom.other_ppm, 500000);
	/* without per-task accounting the estimate is an upper bound: 10 %
	 * on each of three other cores reads as their 30 % sum */
	dom.other_ppm = 0;
	dom.prev_window_us = 0;
	assert_int_equal(sample(1100000, 20000 + 5000 * 3, 20000, MHZ(2000),
				1), MHZ(800));
	assert_int_equal(dom.other_ppm, 300000);
	/* bad input: 0 and the state untouched */
	old = dom.other_ppm;
	assert_int_equal(dnngov_policy_sample(NULL, wp, 1, NULL), 0);
	assert_int_equal(dnngov_policy_sample(&dom, wp, 1, NULL), 0);
	assert_int_equal(sample(1100000, 1, 0, 0, 1), 0);
	assert_int_equal(dnngov_policy_sample(&dom, NULL, 1,
		&(struct dnngov_load_sample){ .now_us = 1, .window_us = 1,
					      .cur_khz = 1 }), 0);
	assert_int_equal(dnngov_policy_sample(&dom, wp,
					      DNNGOV_POLICY_MAX_WORKLOADS + 1,
		&(struct dnngov_load_sample){ .now_us = 1, .window_us = 1,
					      .cur_khz = 1 }), 0);
	assert_int_equal(dom.other_ppm, old);
	/* huge numbers do not wrap */
	f = dnngov_policy_sample(&dom, wp, 1,
		&(struct dnngov_load_sample){ .now_us = UINT64_MAX,
			.window_us = UINT64_MAX, .busy_us = UINT64_MAX,
			.busy_max_us = UINT64_MAX, .cur_khz = UINT32_MAX });
	assert_int_equal(f, MHZ(2000));
}

/* ---- random instances against the exact references ------------------ */

static void test_random_small_vs_brute_force(void **state)
{
	struct ref_gen_opts o = { 6, 64, 16, 512 };
	struct ref_rng r = { seed };
	u32 k, n, infeasible = 0, held = 0, count = 6000 * scale;
	struct ref_cost got, best;

	(void)state;
	for (k = 0; k < count; k++) {
		reset_instance();
		ref_gen_instance(&r, &o, &dom, wls, &n);
		assert_int_equal(decide(n), 0);
		check_consistent(&dom, wp, n, &dec, &got);
		assert_true(ref_brute_force(&dom, wp, n, o.max_combos, &best));
		check_optimal(&got, &best, k);
		infeasible += !ref_cost_feasible(&best);
		held += !!(dec.flags & DNNGOV_DECISION_HELD);
	}
	print_message("random small: %u instances (seed %llu), %u infeasible, %u held, all optimal\n",
		      count, (unsigned long long)seed, infeasible, held);
	/* the generator covers both sides */
	assert_true(infeasible > count / 20 && infeasible < count - count / 20);
}

static void test_random_large_vs_separable(void **state)
{
	struct ref_gen_opts o = { 32, 64, 16, 0 };
	struct ref_rng r = { seed ^ 0x5eed };
	u32 k, n, i, infeasible = 0, limited = 0, count = 2000 * scale;
	struct ref_cost got, best, alt;
	u32 levels[DNNGOV_POLICY_MAX_WORKLOADS];

	(void)state;
	for (k = 0; k < count; k++) {
		reset_instance();
		ref_gen_instance(&r, &o, &dom, wls, &n);
		assert_int_equal(decide(n), 0);
		check_consistent(&dom, wp, n, &dec, &got);
		ref_separable(&dom, wp, n, &best);
		check_optimal(&got, &best, k);
		infeasible += !ref_cost_feasible(&best);
		limited += ref_limited(&dom, wp, n, dec.opp, &best);
		assert_int_equal(!!(dec.flags & DNNGOV_DECISION_LIMITED),
				 ref_limited(&dom, wp, n, dec.opp, &best));
		/* no single or double level change at that OPP does better */
		for (i = 0; i < 32; i++) {
			u32 a = (u32)ref_rng_range(&r, 0, n - 1);
			u32 b = (u32)ref_rng_range(&r, 0, n - 1);

			memcpy(levels, dec.level, sizeof(levels));
			levels[a] = (u32)ref_rng_range(&r, 0,
						       wls[a].n_levels - 1);
			levels[b] = (u32)ref_rng_range(&r, 0,
						       wls[b].n_levels - 1);
			ref_cost_of(&dom, wp, n, dec.opp, levels, &alt);
			assert_true(ref_cost_cmp(&alt, &got) >= 0);
		}
	}
	print_message("random large: %u instances (seed %llu), %u infeasible, %u limited, all optimal\n",
		      count, (unsigned long long)seed, infeasible, limited);
	assert_true(infeasible > 0 && infeasible < count);
	assert_true(limited > 0 && limited < count);
}

/* Hysteresis on random instances: held only when allowed and cheap enough. */
static void test_random_hysteresis(void **state)
{
	struct ref_gen_opts o = { 8, 32, 8, 0 };
	struct ref_rng r = { seed ^ 0x4157 };
	u32 k, n, i, held = 0, count = 3000 * scale;
	struct ref_cost got, best, cur;
	u32 levels[DNNGOV_POLICY_MAX_WORKLOADS];
	bool allowed[DNNGOV_POLICY_MAX_OPPS];

	(void)state;
	for (k = 0; k < count; k++) {
		bool valid;

		reset_instance();
		ref_gen_instance(&r, &o, &dom, wls, &n);
		/* usually the state in force is the last decision before a
		 * change of a few percent in the slowdowns
		 */
		if (ref_rng_range(&r, 0, 3)) {
			assert_int_equal(decide(n), 0);
			apply(n);
			for (i = 0; i < n; i++)
				wls[i].slowdown_fp = (u32)((u64)
					(wls[i].slowdown_fp ?
					 wls[i].slowdown_fp : DNNGOV_FP_ONE) *
					ref_rng_range(&r, 90, 110) / 100);
		}
		dom.hysteresis_pct = (u32)ref_rng_range(&r, 0, 30);
		assert_int_equal(decide(n), 0);
		check_consistent(&dom, wp, n, &dec, &got);
		ref_separable(&dom, wp, n, &best);
		ref_allowed(&dom, allowed);
		valid = dom.cur_opp < dom.n_opps && allowed[dom.cur_opp];
		for (i = 0; i < n; i++) {
			valid &= wls[i].cur_level < wls[i].n_levels;
			levels[i] = valid ? wls[i].cur_level : 0;
		}
		if (!valid) {
			assert_false(dec.flags & DNNGOV_DECISION_HELD);
			check_optimal(&got, &best, k);
			continue;
		}
		ref_cost_of(&dom, wp, n, dom.cur_opp, levels, &cur);
		if (!ref_cost_feasible(&cur)) {
			assert_false(dec.flags & DNNGOV_DECISION_HELD);
			check_optimal(&got, &best, k);
			continue;
		}
		/* current feasible: held iff it costs at most pct % more */
		assert_true(ref_cost_feasible(&best));
		if ((cur.power_uw - best.power_uw) * (__uint128_t)100 <=
		    (__uint128_t)cur.power_uw * dom.hysteresis_pct) {
			assert_true(dec.flags & DNNGOV_DECISION_HELD);
			assert_int_equal(ref_cost_cmp(&got, &cur), 0);
			held++;
		} else {
			assert_false(dec.flags & DNNGOV_DECISION_HELD);
			check_optimal(&got, &best, k);
		}
	}
	print_message("random hysteresis: %u instances, %u held\n", count,
		      held);
	assert_true(held > 0);
}

/* The largest instance at the extremes of every input. */
static void test_extreme_instances(void **state)
{
	struct ref_rng r = { seed ^ 0xe7e7 };
	struct ref_cost got, best;
	u32 k, i, j;

	(void)state;
	for (k = 0; k < 40; k++) {
		reset_instance();
		dom.n_opps = DNNGOV_POLICY_MAX_OPPS;
		for (i = 0; i < dom.n_opps; i++) {
			dom.opps[i].freq_khz = (k & 1) ?
				DNNGOV_FREQ_KHZ_MAX - 63 + i : 1 + i;
			dom.opps[i].power_busy_uw = (k & 2) ? UINT32_MAX :
						    100000000;
			dom.opps[i].power_idle_uw = (u32)ref_rng_next(&r);
		}
		dom.capacity = (k & 4) ? UINT32_MAX : 1;
		dom.other_cycles_per_s = (k & 8) ? UINT64_MAX : 0;
		dom.cur_opp = (u32)ref_rng_range(&r, 0, 63);
		dom.hysteresis_pct = (k & 16) ? UINT32_MAX : 0;
		for (i = 0; i < DNNGOV_POLICY_MAX_WORKLOADS; i++) {
			struct dnngov_workload *w = &wls[i];

			w->n_levels = DNNGOV_POLICY_MAX_LEVELS;
			for (j = 0; j < w->n_levels; j++) {
				w->levels[j].cycles = (k & 2) ?
					UINT64_MAX - j : ref_rng_next(&r) >> j;
				w->levels[j].fixed_us = (u32)ref_rng_next(&r);
				w->levels[j].accuracy = (u32)ref_rng_next(&r);
			}
			w->target_us = (u32)ref_rng_next(&r);
			w->period_us = (u32)ref_rng_next(&r) >> (k & 31);
			w->accuracy_floor = (u32)ref_rng_next(&r);
			w->slowdown_fp = (u32)ref_rng_next(&r);
			w->cur_level = (u32)ref_rng_range(&r, 0, 15);
		}
		assert_int_equal(decide(DNNGOV_POLICY_MAX_WORKLOADS), 0);
		check_consistent(&dom, wp, DNNGOV_POLICY_MAX_WORKLOADS, &dec,
				 &got);
		if (!(dec.flags & DNNGOV_DECISION_HELD)) {
			ref_separable(&dom, wp, DNNGOV_POLICY_MAX_WORKLOADS,
				      &best);
			check_optimal(&got, &best, k);
		}
	}
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latency_model),
		cmocka_unit_test(test_latency_extremes),
		cmocka_unit_test(test_power_model),
		cmocka_unit_test(test_known_example),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_inputs_untouched),
		cmocka_unit_test(test_empty_workload_set),
		cmocka_unit_test(test_infeasible_deadline_first),
		cmocka_unit_test(test_infeasible_accuracy_second),
		cmocka_unit_test(test_overload),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_hysteresis_no_ping_pong),
		cmocka_unit_test(test_hysteresis_threshold),
		cmocka_unit_test(test_hysteresis_never_holds_infeasible),
		cmocka_unit_test(test_slowdown_converges),
		cmocka_unit_test(test_slowdown_outliers),
		cmocka_unit_test(test_slowdown_clamp_and_bad_reports),
		cmocka_unit_test(test_load_floor),
		cmocka_unit_test(test_tail_margin),
		cmocka_unit_test(test_tail_learning),
		cmocka_unit_test(test_busy_rate),
		cmocka_unit_test(test_sample_floor),
		cmocka_unit_test(test_random_small_vs_brute_force),
		cmocka_unit_test(test_random_large_vs_separable),
		cmocka_unit_test(test_random_hysteresis),
		cmocka_unit_test(test_extreme_instances),
	};
	const char *s = getenv("DNNGOV_TEST_SEED");
	const char *sc = getenv("DNNGOV_TEST_SCALE");

	seed = s ? strtoull(s, NULL, 0) : (u64)time(NULL);
	if (sc && atoi(sc) > 0)
		scale = (u32)atoi(sc);
	printf("# policy: seed %llu (DNNGOV_TEST_SEED=%llu repeats this run)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	fflush(stdout);
	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
