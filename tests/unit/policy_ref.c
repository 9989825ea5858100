// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Reference model and exact searches for the policy tests. Written from
 * Documentation/policy.md, not from module/policy.c: the arithmetic is plain
 * 128-bit (no split divisions, no saturation tricks), and the searches are
 * a full enumeration and a sort-based per-workload minimisation.
 */
#include <stdlib.h>
#include <string.h>

#include "policy_ref.h"

__extension__ typedef unsigned __int128 u128;

#define PPM		1000000U
#define BASE_NS_SAT	((((u128)1) << 44) - 1)

static u128 ceil_div(u128 a, u128 b)
{
	return (a + b - 1) / b;
}

static u64 sat64(u128 v)
{
	return v > UINT64_MAX ? UINT64_MAX : (u64)v;
}

int ref_cost_cmp(const struct ref_cost *a, const struct ref_cost *b)
{
	const u64 va[] = { a->misses, a->late_us, a->below, a->deficit,
			   a->over_ppm, a->power_uw };
	const u64 vb[] = { b->misses, b->late_us, b->below, b->deficit,
			   b->over_ppm, b->power_uw };
	size_t i;

	for (i = 0; i < sizeof(va) / sizeof(va[0]); i++)
		if (va[i] != vb[i])
			return va[i] < vb[i] ? -1 : 1;
	return 0;
}

bool ref_cost_feasible(const struct ref_cost *c)
{
	return !c->misses && !c->below && !c->over_ppm;
}

static u32 ref_slowdown(const struct dnngov_workload *w)
{
	u32 s = w->slowdown_fp;

	if (s == 0)
		return DNNGOV_FP_ONE;
	if (s < DNNGOV_FP_ONE / 4)
		return DNNGOV_FP_ONE / 4;
	if (s > DNNGOV_FP_ONE * 16)
		return DNNGOV_FP_ONE * 16;
	return s;
}

u32 ref_latency_us(const struct dnngov_workload *w, u32 level, u32 freq_khz)
{
	const struct dnngov_level *l = &w->levels[level];
	u128 base = ceil_div((u128)l->cycles * 1000000U, freq_khz) +
		    (u128)l->fixed_us * 1000U;
	u128 t;

	if (base >= BASE_NS_SAT)
		return UINT32_MAX;
	t = ceil_div(base * ref_slowdown(w), (u128)1000U << 16);
	return t > UINT32_MAX ? UINT32_MAX : (u32)t;
}

u64 ref_util_ppm(const struct dnngov_workload *w, u32 lat_us)
{
	if (!w->period_us)
		return PPM;
	return sat64(ceil_div((u128)lat_us * PPM, w->period_us));
}

static u64 ref_other_ppm(const struct dnngov_domain *d, u32 freq_khz)
{
	return sat64(ceil_div((u128)d->other_cycles_per_s * 1000U, freq_khz));
}

u64 ref_power_uw(const struct dnngov_domain *d, u32 opp, u64 util_ppm)
{
	const struct dnngov_opp *o = &d->opps[opp];
	u128 cap = (u128)d->capacity * PPM;
	u128 u = util_ppm < cap ? util_ppm : cap;
	u128 dyn = o->power_busy_uw > o->power_idle_uw ?
		   o->power_busy_uw - o->power_idle_uw : 0;

	return sat64((u128)o->power_idle_uw * d->capacity + dyn * u / PPM);
}

void ref_allowed(const struct dnngov_domain *d, bool *allowed)
{
	u64 fmax = d->max_khz ? d->max_khz : UINT64_MAX;
	u64 fmin = d->min_khz > d->floor_khz ? d->min_khz : d->floor_khz;
	bool any = false;
	u32 i, pick = 0;

	if (fmin > fmax)
		fmin = fmax;
	for (i = 0; i < d->n_opps; i++) {
		u64 f = d->opps[i].freq_khz;

		allowed[i] = f >= fmin && f <= fmax;
		any |= allowed[i];
		if (f <= fmax)
			pick = i;
	}
	if (!any)
		allowed[pick] = true;
}

/* Per (workload, level) terms of the objective at one frequency. */
struct ref_term {
	u64 late;
	u64 deficit;
	u64 util;
	u32 lat;
	u32 level;
};

/* Planned tail latency: ceil(lat * tail / 2^16), tail in [1, 2] (0 = 1). */
u64 ref_tail_us(const struct dnngov_workload *w, u32 lat)
{
	u128 tail = w->tail_fp;
	u128 t;

	if (tail < DNNGOV_FP_ONE)
		tail = DNNGOV_FP_ONE;
	if (tail > 2 * DNNGOV_FP_ONE)
		tail = 2 * DNNGOV_FP_ONE;
	t = ceil_div((u128)lat * tail, DNNGOV_FP_ONE);
	return t > UINT32_MAX ? UINT32_MAX : (u64)t;
}

static void ref_term(const struct dnngov_workload *w, u32 j, u32 f,
		     struct ref_term *t)
{
	const struct dnngov_level *l = &w->levels[j];
	u64 tail;

	t->level = j;
	t->lat = ref_latency_us(w, j, f);
	tail = ref_tail_us(w, t->lat);
	t->late = w->target_us && tail > w->target_us ?
		  tail - w->target_us : 0;
	t->deficit = l->accuracy < w->accuracy_floor ?
		     w->accuracy_floor - l->accuracy : 0;
	t->util = ref_util_ppm(w, t->lat);
}

static void ref_finish(const struct dnngov_domain *d, u32 opp, u128 util,
		       struct ref_cost *c)
{
	u128 cap = (u128)d->capacity * PPM;

	util += ref_other_ppm(d, d->opps[opp].freq_khz);
	c->over_ppm = util > cap ? sat64(util - cap) : 0;
	c->power_uw = ref_power_uw(d, opp, sat64(util));
}

void ref_cost_of(const struct dnngov_domain *d,
		 const struct dnngov_workload *const *w, u32 n, u32 opp,
		 const u32 *levels, struct ref_cost *c)
{
	u128 util = 0;
	u32 i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < n; i++) {
		struct ref_term t;

		ref_term(w[i], levels[i], d->opps[opp].freq_khz, &t);
		c->misses += t.late ? 1 : 0;
		c->late_us += t.late;
		c->below += t.deficit ? 1 : 0;
		c->deficit += t.deficit;
		util += t.util;
	}
	ref_finish(d, opp, util, c);
}

bool ref_brute_force(const struct dnngov_domain *d,
		     const struct dnngov_workload *const *w, u32 n,
		     u64 max_combos, struct ref_cost *best)
{
	static struct ref_term terms[DNNGOV_POLICY_MAX_WORKLOADS]
				    [DNNGOV_POLICY_MAX_LEVELS];
	bool allowed[DNNGOV_POLICY_MAX_OPPS];
	u32 idx[DNNGOV_POLICY_MAX_WORKLOADS];
	bool have = false;
	u64 combos = 1;
	u32 opp, i;

	for (i = 0; i < n; i++) {
		combos *= w[i]->n_levels;
		if (combos > max_combos)
			return false;
	}
	ref_allowed(d, allowed);
	for (opp = 0; opp < d->n_opps; opp++) {
		if (!allowed[opp])
			continue;
		for (i = 0; i < n; i++) {
			u32 j;

			for (j = 0; j < w[i]->n_levels; j++)
				ref_term(w[i], j, d->opps[opp].freq_khz,
					 &terms[i][j]);
			idx[i] = 0;
		}
		for (;;) {
			struct ref_cost c;
			u128 util = 0;

			memset(&c, 0, sizeof(c));
			for (i = 0; i < n; i++) {
				const struct ref_term *t = &terms[i][idx[i]];

				c.misses += t->late ? 1 : 0;
				c.late_us += t->late;
				c.below += t->deficit ? 1 : 0;
				c.deficit += t->deficit;
				util += t->util;
			}
			ref_finish(d, opp, util, &c);
			if (!have || ref_cost_cmp(&c, best) < 0) {
				*best = c;
				have = true;
			}
			/* next combination, mixed radix */
			for (i = 0; i < n; i++) {
				if (++idx[i] < w[i]->n_levels)
					break;
				idx[i] = 0;
			}
			if (i == n)
				break;
		}
	}
	return true;
}

static int ref_term_cmp(const void *pa, const void *pb)
{
	const struct ref_term *a = pa, *b = pb;

	if (a->late != b->late)
		return a->late < b->late ? -1 : 1;
	if (a->deficit != b->deficit)
		return a->deficit < b->deficit ? -1 : 1;
	if (a->util != b->util)
		return a->util < b->util ? -1 : 1;
	return 0;
}

void ref_separable_at(const struct dnngov_domain *d,
		      const struct dnngov_workload *const *w, u32 n, u32 opp,
		      struct ref_cost *c)
{
	struct ref_term terms[DNNGOV_POLICY_MAX_LEVELS];
	u128 util = 0;
	u32 i, j;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < n; i++) {
		for (j = 0; j < w[i]->n_levels; j++)
			ref_term(w[i], j, d->opps[opp].freq_khz, &terms[j]);
		qsort(terms, w[i]->n_levels, sizeof(terms[0]), ref_term_cmp);
		c->misses += terms[0].late ? 1 : 0;
		c->late_us += terms[0].late;
		c->below += terms[0].deficit ? 1 : 0;
		c->deficit += terms[0].deficit;
		util += terms[0].util;
	}
	ref_finish(d, opp, util, c);
}

void ref_separable(const struct dnngov_domain *d,
		   const struct dnngov_workload *const *w, u32 n,
		   struct ref_cost *best)
{
	bool allowed[DNNGOV_POLICY_MAX_OPPS];
	bool have = false;
	u32 opp;

	ref_allowed(d, allowed);
	for (opp = 0; opp < d->n_opps; opp++) {
		struct ref_cost c;

		if (!allowed[opp])
			continue;
		ref_separable_at(d, w, n, opp, &c);
		if (!have || ref_cost_cmp(&c, best) < 0) {
			*best = c;
			have = true;
		}
	}
}

bool ref_limited(const struct dnngov_domain *d,
		 const struct dnngov_workload *const *w, u32 n, u32 chosen,
		 const struct ref_cost *best)
{
	bool allowed[DNNGOV_POLICY_MAX_OPPS];
	u32 opp;

	ref_allowed(d, allowed);
	for (opp = 0; opp < d->n_opps; opp++) {
		struct ref_cost c;
		bool floor_ok = d->opps[opp].freq_khz >= d->floor_khz ||
				opp == d->n_opps - 1;

		if (!floor_ok)
			continue;
		if (!n)
			return opp != chosen;	/* the floor's own choice */
		if (allowed[opp])
			continue;
		ref_separable_at(d, w, n, opp, &c);
		if (ref_cost_cmp(&c, best) < 0)
			return true;
	}
	return false;
}

u64 ref_rng_next(struct ref_rng *r)
{
	u64 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

u64 ref_rng_range(struct ref_rng *r, u64 lo, u64 hi)
{
	u64 span = hi - lo + 1;

	if (span == 0)
		return ref_rng_next(r);
	return lo + ref_rng_next(r) % span;
}

u64 ref_rng_log(struct ref_rng *r, u64 lo, u64 hi)
{
	/* pick a bit length, then a value of that length, clamped to range */
	u32 blo = 64 - (u32)__builtin_clzll(lo);
	u32 bhi = 64 - (u32)__builtin_clzll(hi);
	u32 b = (u32)ref_rng_range(r, blo, bhi);
	u64 v = ref_rng_range(r, b == 1 ? 1 : 1ULL << (b - 1),
			      b == 64 ? UINT64_MAX : (1ULL << b) - 1);

	return v < lo ? lo : v > hi ? hi : v;
}

static bool chance(struct ref_rng *r, u32 percent)
{
	return ref_rng_range(r, 0, 99) < percent;
}

static void gen_opps(struct ref_rng *r, const struct ref_gen_opts *o,
		     struct dnngov_domain *d)
{
	u32 n = (u32)ref_rng_range(r, 1, o->max_opps);
	u64 fmin, fmax, pmax;
	bool wild = chance(r, 25);
	u32 i;

	if (chance(r, 10))
		fmin = ref_rng_range(r, 1, 100);		/* tiny */
	else
		fmin = ref_rng_log(r, 20000, 2000000);
	if (chance(r, 10))
		fmax = DNNGOV_FREQ_KHZ_MAX;
	else
		fmax = fmin + ref_rng_log(r, n, 4000000);
	if (fmax > DNNGOV_FREQ_KHZ_MAX)
		fmax = DNNGOV_FREQ_KHZ_MAX;
	if (fmax - fmin < n)
		fmin = fmax - n;
	pmax = ref_rng_log(r, 10000, 100000000);	/* 10 mW .. 100 W */
	d->n_opps = n;
	for (i = 0; i < n; i++) {
		struct dnngov_opp *p = &d->opps[i];
		u64 f = n == 1 ? fmax : fmin + (fmax - fmin) * i / (n - 1);
		double x = (double)f / (double)fmax;

		p->freq_khz = (u32)f;
		if (wild) {
			/* no monotonicity, idle may exceed busy */
			p->power_busy_uw = (u32)ref_rng_range(r, 0, pmax);
			p->power_idle_uw = (u32)ref_rng_range(r, 0, pmax);
		} else {
			p->power_busy_uw = (u32)((double)pmax *
					   (0.15 + 0.85 * x * x * x) *
					   (0.95 + 0.1 * (double)
					    ref_rng_range(r, 0, 1000) / 1000.0));
			p->power_idle_uw = (u32)((u64)p->power_busy_uw *
					   ref_rng_range(r, 2, 40) / 100);
		}
	}
}

static u32 gen_limit(struct ref_rng *r, const struct dnngov_domain *d)
{
	u32 f = d->opps[ref_rng_range(r, 0, d->n_opps - 1)].freq_khz;

	return chance(r, 50) ? f : (u32)ref_rng_range(r, f / 2, f + f / 2);
}

/*
 * An "easy" workload has a target some level meets at the top OPP, a floor
 * no level misses and a long period, so that large instances are feasible
 * about half of the time.
 */
static void gen_workload(struct ref_rng *r, const struct dnngov_domain *d,
			 struct dnngov_workload *w, u32 n_levels, bool easy)
{
	u32 j, f, acc_min = UINT32_MAX;

	memset(w, 0, sizeof(*w));
	w->id = (u32)ref_rng_next(r);
	w->n_levels = n_levels;
	for (j = 0; j < n_levels; j++) {
		struct dnngov_level *l = &w->levels[j];

		if (chance(r, 3))
			l->cycles = ref_rng_log(r, 1, UINT64_MAX);
		else if (chance(r, 3))
			l->cycles = 0;
		else
			l->cycles = ref_rng_log(r, 10000, 20000000000ULL);
		l->fixed_us = chance(r, 30) ? 0 :
			      (u32)ref_rng_log(r, 1, chance(r, 3) ?
					       DNNGOV_TIME_US_MAX : 5000);
		l->accuracy = (u32)ref_rng_range(r, 5000, 8000);
		if (l->accuracy < acc_min)
			acc_min = l->accuracy;
	}
	if (chance(r, 60))
		w->slowdown_fp = DNNGOV_FP_ONE;
	else if (chance(r, 5))
		w->slowdown_fp = chance(r, 50) ? 0 : (u32)ref_rng_next(r);
	else
		w->slowdown_fp = (u32)ref_rng_range(r, DNNGOV_FP_ONE / 4,
						    DNNGOV_FP_ONE * 16);
	/* tail ratio: mostly none, else anywhere, clamps included */
	if (chance(r, 30))
		w->tail_fp = (u32)ref_rng_range(r, DNNGOV_FP_ONE / 2,
						DNNGOV_FP_ONE * 5 / 2);
	/* target near what some level achieves at some OPP */
	f = d->opps[ref_rng_range(r, 0, d->n_opps - 1)].freq_khz;
	if (easy) {
		u64 t = ref_latency_us(w, (u32)ref_rng_range(r, 0, n_levels - 1),
				       d->opps[d->n_opps - 1].freq_khz);

		t = t * ref_rng_range(r, 101, 400) / 100;
		w->target_us = (u32)(t < 1 ? 1 : t > DNNGOV_TIME_US_MAX ?
				     DNNGOV_TIME_US_MAX : t);
		w->accuracy_floor = chance(r, 50) ? 0 : acc_min;
		t = (u64)w->target_us * ref_rng_range(r, 2, 40);
		w->period_us = (u32)(t > DNNGOV_TIME_US_MAX ?
				     DNNGOV_TIME_US_MAX : t);
		w->cur_level = (u32)ref_rng_range(r, 0, n_levels - 1);
		return;
	}
	if (chance(r, 10)) {
		w->target_us = 0;
	} else {
		u64 t = ref_latency_us(w, (u32)ref_rng_range(r, 0, n_levels - 1),
				       f);

		t = t * ref_rng_range(r, 50, 200) / 100;
		w->target_us = (u32)(t < 1 ? 1 : t > DNNGOV_TIME_US_MAX ?
				     DNNGOV_TIME_US_MAX : t);
	}
	if (chance(r, 40))
		w->accuracy_floor = 0;
	else
		w->accuracy_floor = w->levels[ref_rng_range(r, 0, n_levels - 1)]
				    .accuracy + (u32)ref_rng_range(r, 0, 200) - 100;
	if (chance(r, 30)) {
		w->period_us = 0;
	} else if (chance(r, 70) && w->target_us) {
		u64 p = (u64)w->target_us * ref_rng_range(r, 100, 400) / 100;

		w->period_us = (u32)(p > DNNGOV_TIME_US_MAX ?
				     DNNGOV_TIME_US_MAX : p);
	} else {
		w->period_us = (u32)ref_rng_log(r, 1, DNNGOV_TIME_US_MAX);
	}
	w->cur_level = (u32)ref_rng_range(r, 0, n_levels - (chance(r, 5) ?
							    0 : 1));
	w->reports = 0;
}

void ref_gen_instance(struct ref_rng *r, const struct ref_gen_opts *o,
		      struct dnngov_domain *d, struct dnngov_workload *ws,
		      u32 *n)
{
	bool easy = chance(r, 50);
	u64 combos = 1;
	u32 i;

	memset(d, 0, sizeof(*d));
	gen_opps(r, o, d);
	d->capacity = (u32)ref_rng_range(r, 1, 8);
	d->min_khz = chance(r, 60) ? 0 : gen_limit(r, d);
	d->max_khz = chance(r, 60) ? 0 : gen_limit(r, d);
	d->floor_khz = chance(r, 70) ? 0 : gen_limit(r, d);
	d->other_cycles_per_s = chance(r, 50) ? 0 :
				ref_rng_log(r, 1000, 10000000000ULL);
	d->cur_opp = (u32)ref_rng_range(r, 0, d->n_opps + 1);
	d->hysteresis_pct = 0;

	*n = (u32)ref_rng_range(r, 1, o->max_workloads);
	for (i = 0; i < *n; i++) {
		u32 nl = (u32)ref_rng_range(r, 1, o->max_levels);

		while (o->max_combos && nl > 1 && combos * nl > o->max_combos)
			nl--;
		combos *= nl;
		gen_workload(r, d, &ws[i], nl, easy);
	}
	if (easy)
		d->capacity += *n / 4;
}
