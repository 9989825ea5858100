// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Cost of one dnngov_policy_decide() on the largest instance the header
 * allows (32 workloads x 16 levels x 64 OPPs) and on a Xavier NX GPU-sized
 * one (4 workloads x 8 levels x 15 OPPs).
 *
 *   bench_policy --time       ns per call, min / median / mean
 *   bench_policy --calls N [feasible|infeasible|worst]
 *                             N calls on the largest instance, nothing else
 *                             (for valgrind --tool=callgrind)
 *
 * feasible: targets some levels meet; infeasible: targets no level meets;
 * worst: a power table that falls with frequency, so that every OPP beats
 * the one before and pruning never cuts one short.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dnngov/policy.h>

#define TIME_CALLS	2000

static struct dnngov_domain dom;
static struct dnngov_workload wls[DNNGOV_POLICY_MAX_WORKLOADS];
static const struct dnngov_workload *wp[DNNGOV_POLICY_MAX_WORKLOADS];
static struct dnngov_decision dec;
static volatile u32 sink;

/*
 * OPPs from 115 MHz up, power ~ f * V^2 with V rising with f; workloads
 * with MobileNetV3-like subnets (60 to 900 Mcycles, 69 to 80 % top-1) whose
 * targets some level meets in the upper half of the table.
 */
enum kind { FEASIBLE, INFEASIBLE, WORST };

static void build(u32 n_opps, u32 top_mhz, u32 n_wl, u32 n_levels,
		  enum kind kind)
{
	u32 i, j;

	memset(&dom, 0, sizeof(dom));
	dom.n_opps = n_opps;
	for (i = 0; i < n_opps; i++) {
		u64 f = 115 + (u64)(top_mhz - 115) * i / (n_opps - 1);
		u64 v_mv = 600 + 500 * i / (n_opps - 1);

		dom.opps[i].freq_khz = (u32)(f * 1000);
		dom.opps[i].power_busy_uw = (u32)(f * v_mv * v_mv / 1000);
		dom.opps[i].power_idle_uw = (u32)(v_mv * 100);
		if (kind == WORST) {
			dom.opps[i].power_busy_uw = i + 1 < n_opps ?
						    5000000 - 1000 * i : 50000000;
			dom.opps[i].power_idle_uw = i + 1 < n_opps ?
						    500000 - 100 * i : 5000000;
		}
	}
	dom.capacity = n_wl > 4 ? 8 : 1;
	/* WORST: the top OPP is the dearest and comes first */
	dom.max_khz = kind == WORST ? 0 : dom.opps[n_opps - 2].freq_khz;
	dom.other_cycles_per_s = 300000000ULL;
	dom.cur_opp = n_opps - 1;
	dom.hysteresis_pct = 5;
	for (i = 0; i < n_wl; i++) {
		struct dnngov_workload *w = &wls[i];

		memset(w, 0, sizeof(*w));
		dnngov_policy_workload_init(w);
		w->id = i;
		w->n_levels = n_levels;
		for (j = 0; j < n_levels; j++) {
			/* scaled so that top_mhz is as fast as 4 GHz */
			w->levels[j].cycles = (60000000ULL +
					       840000000ULL * j / n_levels) *
					      top_mhz / 4000;
			w->levels[j].fixed_us = 300 + 40 * j;
			w->levels[j].accuracy = 6900 + 1100 * j / n_levels;
		}
		w->slowdown_fp = DNNGOV_FP_ONE + (i * 997) % DNNGOV_FP_ONE;
		w->target_us = 150000 + 20000 * (i % 5);
		/* one back-to-back workload where there are cores for it */
		w->period_us = (i || n_wl <= 4) ? 8 * w->target_us : 0;
		if (kind == INFEASIBLE)	/* no level meets these anywhere */
			w->target_us /= 100;
		if (kind == WORST) {	/* every level meets these everywhere */
			w->target_us = DNNGOV_TIME_US_MAX;
			w->period_us = DNNGOV_TIME_US_MAX;
			w->accuracy_floor = 0;
		}
		w->accuracy_floor = (i % 4) ? 7200 : 0;
		w->cur_level = i % n_levels;
		wp[i] = w;
	}
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static int run(u32 n_wl)
{
	if (dnngov_policy_decide(&dom, wp, n_wl, &dec)) {
		fprintf(stderr, "bench_policy: decide failed\n");
		return -1;
	}
	sink += dec.opp;
	return 0;
}

static int time_instance(const char *name, u32 n_opps, u32 top_mhz,
			 u32 n_wl, u32 n_levels, enum kind kind)
{
	static u64 t[TIME_CALLS];
	u64 sum = 0;
	u32 i;

	build(n_opps, top_mhz, n_wl, n_levels, kind);
	for (i = 0; i < 50; i++)
		if (run(n_wl))
			return -1;
	for (i = 0; i < TIME_CALLS; i++) {
		u64 t0 = now_ns();

		if (run(n_wl))
			return -1;
		t[i] = now_ns() - t0;
		sum += t[i];
	}
	qsort(t, TIME_CALLS, sizeof(t[0]), cmp_u64);
	printf("policy decide, %s (%u workloads x %u levels x %u OPPs): min %llu ns, median %llu ns, mean %llu ns over %u calls (opp %u, flags 0x%x)\n",
	       name, n_wl, n_levels, n_opps, (unsigned long long)t[0],
	       (unsigned long long)t[TIME_CALLS / 2],
	       (unsigned long long)(sum / TIME_CALLS), TIME_CALLS, dec.opp,
	       dec.flags);
	return 0;
}

int main(int argc, char **argv)
{
	u32 i, calls;

	if (argc == 2 && !strcmp(argv[1], "--time")) {
		if (time_instance("largest, feasible", DNNGOV_POLICY_MAX_OPPS,
				  4000, DNNGOV_POLICY_MAX_WORKLOADS,
				  DNNGOV_POLICY_MAX_LEVELS, FEASIBLE) ||
		    time_instance("largest, infeasible", DNNGOV_POLICY_MAX_OPPS,
				  4000, DNNGOV_POLICY_MAX_WORKLOADS,
				  DNNGOV_POLICY_MAX_LEVELS, INFEASIBLE) ||
		    time_instance("largest, worst case", DNNGOV_POLICY_MAX_OPPS,
				  4000, DNNGOV_POLICY_MAX_WORKLOADS,
				  DNNGOV_POLICY_MAX_LEVELS, WORST) ||
		    time_instance("Xavier NX GPU", 15, 1109, 4, 8, FEASIBLE))
			return 1;
		return 0;
	}
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "--calls") &&
	    atoi(argv[2]) > 0) {
		enum kind kind = FEASIBLE;

		if (argc == 4 && !strcmp(argv[3], "infeasible"))
			kind = INFEASIBLE;
		else if (argc == 4 && !strcmp(argv[3], "worst"))
			kind = WORST;
		else if (argc == 4 && strcmp(argv[3], "feasible"))
			goto usage;
		calls = (u32)atoi(argv[2]);
		build(DNNGOV_POLICY_MAX_OPPS, 4000, DNNGOV_POLICY_MAX_WORKLOADS,
		      DNNGOV_POLICY_MAX_LEVELS, kind);
		for (i = 0; i < calls; i++)
			if (run(DNNGOV_POLICY_MAX_WORKLOADS))
				return 1;
		return 0;
	}
usage:
	fprintf(stderr, "usage: %s --time | --calls N [feasible|infeasible|worst]\n",
		argv[0]);
	return 2;
}
