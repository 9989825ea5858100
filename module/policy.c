// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * dnngov policy core: the joint choice of OPP and subnet level per domain.
 *
 * Pure integer C, no kernel or libc dependency: the module, libdnngov and
 * the unit tests link this same file. Documentation/policy.md gives the
 * model, its rounding rules and the proof that the search below is exact.
 */
#include <dnngov/policy.h>

#define POL_U32_MAX	((u32)~0U)
#define POL_U64_MAX	((u64)~0ULL)

/* Utilisation unit: one millionth of a core ("ppm"). */
#define POL_PPM		1000000U

/*
 * Unscaled latency is kept in ns below 2^44 - 1: at the least slowdown (1/4)
 * that is already more than U32_MAX us, and 2^44 times the largest slowdown
 * (2^20 in Q16.16) still fits in 64 bits.
 */
#define POL_BASE_NS_MAX	((1ULL << 44) - 1)
#define POL_SLOW_MIN	(DNNGOV_FP_ONE / 4)
#define POL_SLOW_MAX	(DNNGOV_FP_ONE * 16)
/* ns per us times Q16.16 one: latency_us = base_ns * s / POL_NS_FP */
#define POL_NS_FP	(1000U * DNNGOV_FP_ONE)

/* Slowdown learning: EWMA weight 1/8 after a warm-up mean of 8 reports. */
#define POL_EWMA_N	8U
/* A report off by more than 2x is an outlier; 3 in a row are a step change. */
#define POL_OUTLIER_RUN	3

/*
 * pol_div_rem() - the only division in this file: u64 by u32, as the
 * kernel's div_u64_rem(). A 32-bit port replaces its body with do_div().
 */
static inline u64 pol_div_rem(u64 n, u32 d, u32 *rem)
{
	*rem = (u32)(n % d);
	return n / d;
}

static inline u64 pol_div(u64 n, u32 d)
{
	u32 rem;

	return pol_div_rem(n, d, &rem);
}

static inline u64 pol_sat_add(u64 a, u64 b)
{
	return a + b < a ? POL_U64_MAX : a + b;
}

static inline u64 pol_sat_mul(u64 a, u64 b)
{
	u64 r;

	return __builtin_mul_overflow(a, b, &r) ? POL_U64_MAX : r;
}

/* ceil(a * m / d), saturated at @limit. */
static u64 pol_mul_div_ceil(u64 a, u32 m, u32 d, u64 limit)
{
	u32 r;
	u64 q = pol_div_rem(a, d, &r);
	u64 hi = pol_sat_mul(q, m);
	/* r < d, so r * m + d - 1 <= (d - 1) * (m + 1) < 2^64 */
	u64 lo = pol_div((u64)r * m + d - 1, d);
	u64 v = pol_sat_add(hi, lo);

	return v > limit ? limit : v;
}

/* Slowdown in force: 0 (never initialised) reads as 1.0, else clamped. */
static u32 pol_slowdown(const struct dnngov_workload *w)
{
	u32 s = w->slowdown_fp;

	if (!s)
		return DNNGOV_FP_ONE;
	if (s < POL_SLOW_MIN)
		return POL_SLOW_MIN;
	if (s > POL_SLOW_MAX)
		return POL_SLOW_MAX;
	return s;
}

/* Tail ratio in force: 0 (never learned) reads as 1.0, else [1, 2]. */
#define POL_TAIL_MAX	(2 * DNNGOV_FP_ONE)

static u32 pol_tail(const struct dnngov_workload *w)
{
	u32 t = w->tail_fp;

	if (t < DNNGOV_FP_ONE)
		return DNNGOV_FP_ONE;
	return t > POL_TAIL_MAX ? POL_TAIL_MAX : t;
}

/* Latency of the slow inferences: ceil(lat * tail), saturated at U32_MAX. */
static u32 pol_tail_lat(const struct dnngov_workload *w, u32 lat_us)
{
	u64 t = (u64)lat_us * pol_tail(w);	/* < 2^49 */

	t = (t + DNNGOV_FP_ONE - 1) >> DNNGOV_FP_SHIFT;
	return t > POL_U32_MAX ? POL_U32_MAX : (u32)t;
}

/* Below this many cycles, c * 10^6 + f - 1 fits in 64 bits: one division. */
#define POL_CYC_FAST	((POL_U64_MAX - POL_U32_MAX) / 1000000U)

/* Latency at slowdown 1.0 in ns: ceil(c * 10^6 / f) + m * 1000, capped. */
static u64 pol_base_ns(const struct dnngov_level *l, u32 freq_khz)
{
	u64 ns;

	if (l->cycles <= POL_CYC_FAST)
		ns = pol_div(l->cycles * 1000000U + freq_khz - 1, freq_khz);
	else
		ns = pol_mul_div_ceil(l->cycles, 1000000U, freq_khz,
				      POL_BASE_NS_MAX);

	/* both terms are below 2^45, so the sum cannot wrap */
	ns += (u64)l->fixed_us * 1000U;
	return ns > POL_BASE_NS_MAX ? POL_BASE_NS_MAX : ns;
}

/* Latency in us: ceil(base_ns * s / (1000 * 2^16)), saturated at U32_MAX. */
static u32 pol_latency(const struct dnngov_level *l, u32 s, u32 freq_khz)
{
	u64 base = pol_base_ns(l, freq_khz);
	u64 x, t;

	if (base >= POL_BASE_NS_MAX)
		return POL_U32_MAX;
	x = base * s;		/* < 2^64, see POL_BASE_NS_MAX */
	t = pol_div(x, POL_NS_FP);
	t += t * POL_NS_FP != x;
	return t > POL_U32_MAX ? POL_U32_MAX : (u32)t;
}

/* Busy share of one workload in ppm of a core: t / period, or 1 back to back. */
static u64 pol_util_ppm(const struct dnngov_workload *w, u32 lat_us)
{
	if (!w->period_us)
		return POL_PPM;
	return pol_mul_div_ceil(lat_us, POL_PPM, w->period_us, POL_U64_MAX);
}

/* Busy share of the non-DNN load at f: ceil(cycles/s * 1000 / f) ppm. */
static u64 pol_other_ppm(const struct dnngov_domain *d, u32 freq_khz)
{
	return pol_mul_div_ceil(d->other_cycles_per_s, 1000U, freq_khz,
				POL_U64_MAX);
}

/*
 * Power at a utilisation in ppm: idle * capacity + (busy - idle) * U with U
 * capped at capacity, rounded down. busy < idle reads as busy == idle.
 */
static u64 pol_power(const struct dnngov_domain *d, u32 opp, u64 util_ppm)
{
	const struct dnngov_opp *o = &d->opps[opp];
	u64 cap_ppm = (u64)d->capacity * POL_PPM;
	u64 dyn = o->power_busy_uw > o->power_idle_uw ?
		  o->power_busy_uw - o->power_idle_uw : 0;
	u64 whole;
	u32 part;

	if (util_ppm > cap_ppm)
		util_ppm = cap_ppm;
	whole = pol_div_rem(util_ppm, POL_PPM, &part);
	/* each product is below 2^64: dyn < 2^32, whole <= capacity < 2^32 */
	return (u64)o->power_idle_uw * d->capacity + dyn * whole +
	       pol_div(dyn * part, POL_PPM);
}

/*
 * struct pol_cost - the lexicographic objective of one choice, compared
 * field by field in this order (Documentation/policy.md, "Objective").
 */
struct pol_cost {
	u32 misses;	/* workloads with latency > target */
	u64 late_us;	/* sum of (latency - target) over those */
	u32 below;	/* workloads with accuracy < floor */
	u64 deficit;	/* sum of (floor - accuracy) over those */
	u64 over_ppm;	/* U - capacity when positive */
	u64 power_uw;	/* modelled domain power */
};

static int pol_cost_cmp(const struct pol_cost *a, const struct pol_cost *b)
{
	if (a->misses != b->misses)
		return a->misses < b->misses ? -1 : 1;
	if (a->late_us != b->late_us)
		return a->late_us < b->late_us ? -1 : 1;
	if (a->below != b->below)
		return a->below < b->below ? -1 : 1;
	if (a->deficit != b->deficit)
		return a->deficit < b->deficit ? -1 : 1;
	if (a->over_ppm != b->over_ppm)
		return a->over_ppm < b->over_ppm ? -1 : 1;
	if (a->power_uw != b->power_uw)
		return a->power_uw < b->power_uw ? -1 : 1;
	return 0;
}

static bool pol_cost_feasible(const struct pol_cost *c)
{
	return !c->misses && !c->below && !c->over_ppm;
}

/* One workload's level at one OPP, with what the objective needs of it. */
struct pol_pick {
	u32 level;
	u32 lat_us;
	u32 late_us;
	u32 deficit;
};

static void pol_pick_level(const struct dnngov_workload *w, u32 j, u32 s,
			   u32 freq_khz, struct pol_pick *p)
{
	const struct dnngov_level *l = &w->levels[j];
	u32 tail;

	p->level = j;
	p->lat_us = pol_latency(l, s, freq_khz);
	/* the target must hold for the slow inferences, not just the mean */
	tail = pol_tail_lat(w, p->lat_us);
	p->late_us = w->target_us && tail > w->target_us ?
		     tail - w->target_us : 0;
	p->deficit = l->accuracy < w->accuracy_floor ?
		     w->accuracy_floor - l->accuracy : 0;
}

/*
 * Is @a better than @b for one workload at one OPP? Key: lateness, accuracy
 * deficit, busy share (latency when periodic; constant back to back), then
 * higher accuracy; the first index wins remaining ties.
 */
static bool pol_pick_better(const struct dnngov_workload *w,
			    const struct pol_pick *a, const struct pol_pick *b)
{
	u32 acc_a, acc_b;

	if (a->late_us != b->late_us)
		return a->late_us < b->late_us;
	if (a->deficit != b->deficit)
		return a->deficit < b->deficit;
	if (w->period_us && a->lat_us != b->lat_us)
		return a->lat_us < b->lat_us;
	acc_a = w->levels[a->level].accuracy;
	acc_b = w->levels[b->level].accuracy;
	if (acc_a != acc_b)
		return acc_a > acc_b;
	return a->lat_us < b->lat_us;
}

/*
 * struct pol_search - what pol_eval() may use to cut an OPP short
 * @bound: the best cost so far, to beat or tie; NULL: evaluate in full
 * @late: per-workload lateness at the highest allowed OPP
 * @deficit: per-workload accuracy deficit there
 * @util: per-workload busy share there, ppm, saturated at U32_MAX
 * @record: write @late, @deficit and @util (evaluating that OPP) rather
 *	than use them; all NULL: not known
 * @rest: sums of @late and @deficit (as misses, late_us, below, deficit)
 * @rest_util: sum of @util
 *
 * Latency only grows as the frequency falls, so at any lower OPP each
 * workload's best (lateness, deficit) is at least what it is at the
 * highest one, and when equal its busy share is too (Documentation/
 * policy.md, "Pruning").
 */
struct pol_search {
	const struct pol_cost *bound;
	u32 *late;
	u32 *deficit;
	u32 *util;
	bool record;
	struct pol_cost rest;
	u64 rest_util;
};

/*
 * Can a choice whose cost is at least @lb in the first four fields, and
 * whose utilisation is at least @util, still beat or tie @bound? Power and
 * overload grow with U.
 */
static bool pol_may_beat(const struct dnngov_domain *d, u32 opp, u64 util,
			 const struct pol_cost *lb, const struct pol_cost *bound)
{
	u64 cap_ppm = (u64)d->capacity * POL_PPM;
	u64 over = util > cap_ppm ? util - cap_ppm : 0;

	if (lb->misses != bound->misses)
		return lb->misses < bound->misses;
	if (lb->late_us != bound->late_us)
		return lb->late_us < bound->late_us;
	if (lb->below != bound->below)
		return lb->below < bound->below;
	if (lb->deficit != bound->deficit)
		return lb->deficit < bound->deficit;
	if (over != bound->over_ppm)
		return over < bound->over_ppm;
	return pol_power(d, opp, util) <= bound->power_uw;
}

/*
 * Lower bounds on the first four fields of the whole cost (@lb) and on the
 * utilisation (@util_lb): the workloads summed so far (@c and @util, up to
 * workload @i) plus, for the rest, their terms at the highest allowed OPP
 * when @srch knows them (@rest and @rest_util count down). Counts and sums
 * of at most 32 u32 terms cannot wrap.
 */
static void pol_lower_bound(const struct pol_search *srch, u32 i,
			    const struct pol_cost *c, u64 util,
			    struct pol_cost *lb, u64 *util_lb,
			    struct pol_cost *rest, u64 *rest_util)
{
	*lb = *c;
	*util_lb = util;
	if (srch->record || !srch->late)
		return;
	rest->misses -= srch->late[i] ? 1 : 0;
	rest->late_us -= srch->late[i];
	rest->below -= srch->deficit[i] ? 1 : 0;
	rest->deficit -= srch->deficit[i];
	*rest_util -= srch->util[i];
	lb->misses += rest->misses;
	lb->late_us += rest->late_us;
	lb->below += rest->below;
	lb->deficit += rest->deficit;
	*util_lb = pol_sat_add(util, *rest_util);
}

/*
 * pol_eval() - cost of an OPP with every workload at its best level there
 * (@fixed false), or at its level in force (@fixed true). Writes the
 * per-workload part of @out when it is not NULL. With a @srch bound, gives
 * up (and returns false) as soon as the OPP cannot beat or tie it.
 */
static bool pol_eval(const struct dnngov_domain *d,
		     const struct dnngov_workload *const *w, u32 n, u32 opp,
		     bool fixed, struct pol_cost *c, struct dnngov_decision *out,
		     const struct pol_search *srch)
{
	u32 f = d->opps[opp].freq_khz;
	u64 util = pol_other_ppm(d, f);
	u64 cap_ppm = (u64)d->capacity * POL_PPM;
	struct pol_cost lb, rest;
	u64 u, util_lb, rest_util;
	u32 i, j;

	c->misses = 0;
	c->late_us = 0;
	c->below = 0;
	c->deficit = 0;
	rest = srch ? srch->rest : *c;
	rest_util = srch ? srch->rest_util : 0;
	for (i = 0; i < n; i++) {
		const struct dnngov_workload *wl = w[i];
		u32 s = pol_slowdown(wl);
		struct pol_pick best, cand;

		pol_pick_level(wl, fixed ? wl->cur_level : 0, s, f, &best);
		for (j = 1; !fixed && j < wl->n_levels; j++) {
			pol_pick_level(wl, j, s, f, &cand);
			if (pol_pick_better(wl, &cand, &best))
				best = cand;
		}
		c->misses += best.late_us ? 1 : 0;
		c->late_us += best.late_us;
		c->below += best.deficit ? 1 : 0;
		c->deficit += best.deficit;
		u = pol_util_ppm(wl, best.lat_us);
		util = pol_sat_add(util, u);
		if (srch && srch->record) {
			srch->late[i] = best.late_us;
			srch->deficit[i] = best.deficit;
			srch->util[i] = u > POL_U32_MAX ? POL_U32_MAX : (u32)u;
		}
		if (srch && srch->bound) {
			pol_lower_bound(srch, i, c, util, &lb, &util_lb, &rest,
					&rest_util);
			if (!pol_may_beat(d, opp, util_lb, &lb, srch->bound))
				return false;
		}
		if (out) {
			out->level[i] = best.level;
			out->latency_us[i] = best.lat_us;
			out->wflags[i] =
				(best.late_us ? DNNGOV_WL_DEADLINE_MISS : 0) |
				(best.deficit ? DNNGOV_WL_BELOW_FLOOR : 0);
		}
	}
	c->over_ppm = util > cap_ppm ? util - cap_ppm : 0;
	c->power_uw = pol_power(d, opp, util);
	return true;
}

/* Null pointers of each kind (no NULL without stddef.h). */
#define POL_NO_OUT	((struct dnngov_decision *)0)
#define POL_FULL	((const struct pol_search *)0)
#define POL_NO_TERMS	((u32 *)0)
#define POL_FULL_COST	((const struct pol_cost *)0)

static bool pol_domain_valid(const struct dnngov_domain *d)
{
	u32 i;

	if (!d->n_opps || d->n_opps > DNNGOV_POLICY_MAX_OPPS || !d->capacity)
		return false;
	for (i = 0; i < d->n_opps; i++) {
		u32 f = d->opps[i].freq_khz;

		if (!f || f > DNNGOV_FREQ_KHZ_MAX)
			return false;
		if (i && f <= d->opps[i - 1].freq_khz)
			return false;
	}
	return true;
}

static bool pol_workloads_valid(const struct dnngov_workload *const *w,
				u32 n)
{
	u32 i;

	if (n > DNNGOV_POLICY_MAX_WORKLOADS || (n && !w))
		return false;
	for (i = 0; i < n; i++)
		if (!w[i] || !w[i]->n_levels ||
		    w[i]->n_levels > DNNGOV_POLICY_MAX_LEVELS)
			return false;
	return true;
}

static void pol_clear(struct dnngov_decision *out)
{
	u32 i;

	out->opp = 0;
	out->freq_khz = 0;
	out->power_uw = 0;
	out->flags = 0;
	out->n_workloads = 0;
	for (i = 0; i < DNNGOV_POLICY_MAX_WORKLOADS; i++) {
		out->level[i] = 0;
		out->latency_us[i] = 0;
		out->wflags[i] = 0;
	}
}

/*
 * Allowed OPP indices [*lo, *hi]: frequency within [max(min, floor), max].
 * The upper limit wins over the lower one and the floor; when no OPP lies in
 * the range, the highest OPP at or below max (else the lowest OPP) is the
 * only one allowed.
 */
static void pol_allowed(const struct dnngov_domain *d, u32 *lo, u32 *hi)
{
	u32 fmax = d->max_khz ? d->max_khz : POL_U32_MAX;
	u32 fmin = d->min_khz > d->floor_khz ? d->min_khz : d->floor_khz;
	u32 a, b;

	if (fmin > fmax)
		fmin = fmax;
	for (a = 0; a < d->n_opps && d->opps[a].freq_khz < fmin; a++)
		;
	for (b = d->n_opps; b > 0 && d->opps[b - 1].freq_khz > fmax; b--)
		;
	/* OPPs [a, b) are allowed */
	if (a >= b) {
		a = b ? b - 1 : 0;
		b = a + 1;
	}
	*lo = a;
	*hi = b - 1;
}

/* Is the state in force (OPP and every level) a valid, allowed choice? */
static bool pol_current_valid(const struct dnngov_domain *d,
			      const struct dnngov_workload *const *w, u32 n,
			      u32 lo, u32 hi)
{
	u32 i;

	if (d->cur_opp < lo || d->cur_opp > hi)
		return false;
	for (i = 0; i < n; i++)
		if (w[i]->cur_level >= w[i]->n_levels)
			return false;
	return true;
}

/* Keep the current choice: it is feasible and the new one saves too little. */
static bool pol_hold(const struct dnngov_domain *d, const struct pol_cost *cur,
		     const struct pol_cost *best)
{
	u64 saving;

	if (!pol_cost_feasible(cur) || !pol_cost_feasible(best))
		return false;
	if (best->power_uw >= cur->power_uw)
		return true;
	saving = cur->power_uw - best->power_uw;
	return pol_sat_mul(saving, 100) <=
	       pol_sat_mul(cur->power_uw, d->hysteresis_pct);
}

int dnngov_policy_decide(const struct dnngov_domain *d,
			 const struct dnngov_workload *const *w, u32 n,
			 struct dnngov_decision *out)
{
	struct pol_search srch;
	struct pol_cost best, cost, excl;
	u32 lo, hi, opp, best_opp, i;
	bool limited = false;
	int cmp;

	if (!out)
		return -DNNGOV_POLICY_EINVAL;
	pol_clear(out);
	if (!d || !pol_domain_valid(d) || !pol_workloads_valid(w, n))
		return -DNNGOV_POLICY_EINVAL;

	pol_allowed(d, &lo, &hi);
	/*
	 * No workload: the floor policy, the lowest allowed OPP. Else the
	 * highest allowed OPP first: it usually misses the fewest deadlines,
	 * and its per-workload terms bound those of every lower OPP, so it
	 * cuts them short. Until the final write, @out's per-workload arrays
	 * hold those terms. Ties go to the lower OPP.
	 */
	best_opp = n ? hi : lo;
	srch.bound = POL_FULL_COST;
	srch.late = out->latency_us;
	srch.deficit = out->wflags;
	srch.util = out->level;
	srch.record = true;
	pol_eval(d, w, n, best_opp, false, &best, POL_NO_OUT, &srch);
	srch.record = false;
	srch.rest = best;
	srch.rest_util = 0;
	for (i = 0; i < n; i++)
		srch.rest_util += srch.util[i];
	srch.bound = &best;
	for (opp = lo; n && opp < hi; opp++) {
		if (!pol_eval(d, w, n, opp, false, &cost, POL_NO_OUT, &srch))
			continue;
		cmp = pol_cost_cmp(&cost, &best);
		if (cmp < 0 || (cmp == 0 && opp < best_opp)) {
			best = cost;
			best_opp = opp;
		}
	}
	/*
	 * LIMITED: an OPP that only min/max exclude (not the floor) would do
	 * better; with no workload, the floor alone would pick another OPP.
	 * OPPs above the highest allowed one have no per-workload bound.
	 */
	srch.late = POL_NO_TERMS;
	srch.deficit = POL_NO_TERMS;
	srch.util = POL_NO_TERMS;
	for (opp = 0; opp < d->n_opps && !limited; opp++) {
		if (d->opps[opp].freq_khz < d->floor_khz &&
		    opp + 1 < d->n_opps)
			continue;
		if (!n) {
			limited = opp != best_opp;
			break;
		}
		if (opp >= lo && opp <= hi)
			continue;
		limited = pol_eval(d, w, n, opp, false, &excl, POL_NO_OUT,
				   &srch) && pol_cost_cmp(&excl, &best) < 0;
	}

	if (n && pol_current_valid(d, w, n, lo, hi)) {
		pol_eval(d, w, n, d->cur_opp, true, &cost, POL_NO_OUT,
			 POL_FULL);
		if (pol_hold(d, &cost, &best)) {
			best = cost;
			best_opp = d->cur_opp;
			out->flags |= DNNGOV_DECISION_HELD;
		}
	}
	pol_eval(d, w, n, best_opp, !!(out->flags & DNNGOV_DECISION_HELD),
		 &cost, out, POL_FULL);

	out->opp = best_opp;
	out->freq_khz = d->opps[best_opp].freq_khz;
	out->power_uw = cost.power_uw;
	out->n_workloads = n;
	if (!pol_cost_feasible(&cost))
		out->flags |= DNNGOV_DECISION_INFEASIBLE;
	if (cost.over_ppm)
		out->flags |= DNNGOV_DECISION_OVERLOAD;
	if (limited)
		out->flags |= DNNGOV_DECISION_LIMITED;
	return 0;
}

void dnngov_policy_workload_init(struct dnngov_workload *w)
{
	if (!w)
		return;
	w->slowdown_fp = DNNGOV_FP_ONE;
	w->cur_level = 0;
	w->reports = 0;
	w->outlier_run = 0;
	w->tail_fp = DNNGOV_FP_ONE;
	w->tail_dev_fp = 0;
	w->busy_rate = 0;
	w->busy_gap_us = 0;
	w->busy_last_us = 0;
}

u32 dnngov_policy_latency_us(const struct dnngov_workload *w, u32 level,
			     u32 freq_khz)
{
	if (!w || level >= w->n_levels || level >= DNNGOV_POLICY_MAX_LEVELS ||
	    !freq_khz)
		return POL_U32_MAX;
	return pol_latency(&w->levels[level], pol_slowdown(w), freq_khz);
}

u64 dnngov_policy_power_uw(const struct dnngov_domain *d, u32 opp,
			   u64 util_milli)
{
	if (!d || opp >= d->n_opps || opp >= DNNGOV_POLICY_MAX_OPPS)
		return 0;
	return pol_power(d, opp, pol_sat_mul(util_milli, 1000));
}

/* Ratio measured / model in Q16.16: measured * 2^16 * 1000 / base_ns. */
static u32 pol_ratio_fp(u32 measured_us, u64 base_ns)
{
	u64 num = (u64)measured_us * POL_NS_FP;	/* < 2^58 */
	u64 r;

	/* scale the divisor into 32 bits; it stays >= 2^31, error < 2^-30 */
	while (base_ns > POL_U32_MAX) {
		base_ns >>= 1;
		num >>= 1;
	}
	r = pol_div(num + base_ns / 2, (u32)base_ns);
	if (r < POL_SLOW_MIN)
		return POL_SLOW_MIN;
	return r > POL_SLOW_MAX ? POL_SLOW_MAX : (u32)r;
}

void dnngov_policy_report(struct dnngov_workload *w, u32 level, u32 freq_khz,
			  u32 measured_us)
{
	u64 base;
	u32 r, s, k;
	s32 dir;

	if (!w || level >= w->n_levels || level >= DNNGOV_POLICY_MAX_LEVELS ||
	    !freq_khz || freq_khz > DNNGOV_FREQ_KHZ_MAX || !measured_us ||
	    measured_us > DNNGOV_TIME_US_MAX)
		return;
	base = pol_base_ns(&w->levels[level], freq_khz);
	if (!base || base >= POL_BASE_NS_MAX)
		return;
	r = pol_ratio_fp(measured_us, base);
	s = pol_slowdown(w);

	if (!w->reports) {
		s = r;
		w->outlier_run = 0;
	} else if (r / 2 > s || r < s / 2) {
		/* off by more than 2x: ignore it unless it persists */
		dir = r > s ? 1 : -1;
		/* a run in the other direction (or a corrupt count) restarts */
		if (dir > 0 ? w->outlier_run < 0 : w->outlier_run > 0)
			w->outlier_run = 0;
		if (w->outlier_run >= POL_OUTLIER_RUN ||
		    w->outlier_run <= -POL_OUTLIER_RUN)
			w->outlier_run = 0;
		w->outlier_run += dir;
		if (w->outlier_run < POL_OUTLIER_RUN &&
		    w->outlier_run > -POL_OUTLIER_RUN)
			return;
		/* a step change: restart the average from this report */
		s = r;
		w->reports = 0;
		w->outlier_run = 0;
	} else {
		k = w->reports < POL_EWMA_N - 1 ? w->reports + 1 : POL_EWMA_N;
		s = (u32)pol_div((u64)s * (k - 1) + r + k / 2, k);
		w->outlier_run = 0;
	}
	w->slowdown_fp = s;
	if (w->reports < POL_U32_MAX)
		w->reports++;
}

/*
 * Frequency for a utilisation (ppm of a core, <= 1) at @cur_khz: 1.25x
 * headroom as schedutil, rounded up to an OPP (the highest if none is as
 * fast), never above the upper limit; 0 for no load.
 */
static u32 pol_floor_khz(const struct dnngov_domain *d, u32 cur_khz, u64 util)
{
	u64 f = pol_div((u64)cur_khz * util * 5 + 4 * POL_PPM - 1,
			4 * POL_PPM);
	u32 fmax, i;

	if (!f)
		return 0;
	for (i = 0; i < d->n_opps - 1 && d->opps[i].freq_khz < f; i++)
		;
	fmax = d->max_khz ? d->max_khz : POL_U32_MAX;
	while (i > 0 && d->opps[i].freq_khz > fmax)
		i--;
	return d->opps[i].freq_khz;
}

u32 dnngov_policy_load_floor(const struct dnngov_domain *d, u32 cur_khz,
			     u64 busy_us, u64 dnn_busy_us, u64 window_us)
{
	u64 other, denom, util;

	if (!d || !d->n_opps || d->n_opps > DNNGOV_POLICY_MAX_OPPS ||
	    !cur_khz || !window_us || busy_us <= dnn_busy_us)
		return 0;
	other = busy_us - dnn_busy_us;
	denom = pol_sat_mul(window_us, d->capacity ? d->capacity : 1);
	if (other > denom)
		other = denom;
	while (denom > POL_U32_MAX) {
		denom >>= 1;
		other >>= 1;
	}
	/* utilisation of the non-DNN work in ppm */
	util = pol_mul_div_ceil(other, POL_PPM, (u32)denom, POL_PPM);
	return pol_floor_khz(d, cur_khz, util);
}

/* Busy-rate learning: weight 1/4; a rate is capped at 64 busy cores. */
#define POL_RATE_N	4U
#define POL_RATE_MAX	(64ULL * POL_PPM)
/*
 * Tail learning: from the second report on (the first sets the slowdown to
 * itself; an early ratio errs on the safe side and decays), weight 1/16
 * down.
 */
#define POL_TAIL_MIN_REPORTS	1U
#define POL_TAIL_DECAY		16U

/* Busy us per second over @gap_us, capped. */
static u32 pol_rate(u64 busy_us, u64 gap_us)
{
	u64 r;

	if (busy_us >= POL_RATE_MAX)
		return (u32)POL_RATE_MAX;
	while (gap_us > POL_U32_MAX) {
		gap_us >>= 1;
		busy_us >>= 1;
	}
	r = pol_div(busy_us * POL_PPM, (u32)gap_us);	/* < 2^56 */
	return r > POL_RATE_MAX ? (u32)POL_RATE_MAX : (u32)r;
}

static void pol_learn_busy(struct dnngov_workload *w,
			   const struct dnngov_report *r)
{
	u64 gap = r->now_us - w->busy_last_us;
	u32 inst;

	if (w->busy_last_us && r->now_us > w->busy_last_us) {
		inst = pol_rate(r->busy_us, gap);
		w->busy_rate = w->busy_rate ?
			(u32)pol_div((u64)w->busy_rate * (POL_RATE_N - 1) +
				     inst + POL_RATE_N / 2, POL_RATE_N) : inst;
		w->busy_gap_us = gap > POL_U32_MAX ? POL_U32_MAX : (u32)gap;
	}
	if (r->now_us > w->busy_last_us)
		w->busy_last_us = r->now_us;
}

/* Report's slowest latency over the mean the slowdown @s predicted. */
static void pol_learn_tail(struct dnngov_workload *w,
			   const struct dnngov_report *r, u32 s, u64 prev_us)
{
	u32 slow = r->latency_max_us > r->latency_us ?
		   r->latency_max_us : r->latency_us;
	u64 base = pol_base_ns(&w->levels[r->level], r->freq_khz);
	u64 span = prev_us && r->now_us > prev_us ? r->now_us - prev_us : 0;
	u32 t = pol_tail(w), q, low;
	u64 x, dev;

	/* the window's inferences must all have run at this frequency */
	if (span < slow)
		span = slow;
	if (r->freq_age_us < span || slow > DNNGOV_TIME_US_MAX)
		return;
	/* spread of the mean: d = |(mean / model) / s - 1|, EWMA 1/8 */
	x = pol_div((u64)pol_ratio_fp(r->latency_us, base) << DNNGOV_FP_SHIFT,
		    s);
	dev = x > DNNGOV_FP_ONE ? x - DNNGOV_FP_ONE : DNNGOV_FP_ONE - x;
	if (dev > DNNGOV_FP_ONE)
		dev = DNNGOV_FP_ONE;
	w->tail_dev_fp = (u32)pol_div((u64)w->tail_dev_fp * (POL_EWMA_N - 1) +
				      dev + POL_EWMA_N / 2, POL_EWMA_N);
	/* the margin never decays below 1 + 3 x that spread */
	low = DNNGOV_FP_ONE + 3 * w->tail_dev_fp;
	if (low > POL_TAIL_MAX)
		low = POL_TAIL_MAX;
	/* q = (slowest / model) / s in Q16.16: taken at once when higher */
	x = pol_div((u64)pol_ratio_fp(slow, base) << DNNGOV_FP_SHIFT, s);
	q = x < DNNGOV_FP_ONE ? DNNGOV_FP_ONE :
	    x > POL_TAIL_MAX ? POL_TAIL_MAX : (u32)x;
	if (q < low)
		q = low;
	if (q >= t)
		t = q;
	else
		t -= (t - q + POL_TAIL_DECAY - 1) / POL_TAIL_DECAY;
	w->tail_fp = t;
}

void dnngov_policy_report_window(struct dnngov_workload *w,
				 const struct dnngov_report *r)
{
	u32 s, reports;
	u64 prev;

	if (!w || !r || !r->now_us)
		return;
	s = pol_slowdown(w);
	reports = w->reports;
	prev = w->busy_last_us;
	dnngov_policy_report(w, r->level, r->freq_khz, r->latency_us);
	pol_learn_busy(w, r);
	/*
	 * Only reporters that measure their slowest inference opt in to the
	 * margin, and only reports the slowdown accepted into its running
	 * average (not the first, not rejected, not a restart) teach it.
	 */
	if (r->latency_max_us && reports >= POL_TAIL_MIN_REPORTS &&
	    w->reports == reports + 1)
		pol_learn_tail(w, r, s, prev);
}

u64 dnngov_policy_dnn_busy_us(const struct dnngov_workload *w, u64 now_us,
			      u64 window_us)
{
	u64 rate, age, horizon;

	if (!w || !w->busy_rate || !w->busy_last_us)
		return 0;
	rate = w->busy_rate;
	age = now_us > w->busy_last_us ? now_us - w->busy_last_us : 0;
	horizon = 2ULL * w->busy_gap_us;
	/* overdue: the rate can be at most what the last gap saw over age */
	if (age > horizon && !horizon)
		return 0;
	/* horizon < 2^33, rate <= 2^26 */
	if (age > horizon)
		rate = pol_div(horizon * rate,
			       age > POL_U32_MAX ? POL_U32_MAX : (u32)age);
	if (window_us > DNNGOV_TIME_US_MAX)
		window_us = DNNGOV_TIME_US_MAX;
	/* rate <= 2^26, window < 2^26 */
	return pol_div(rate * window_us, POL_PPM);
}

u32 dnngov_policy_sample(struct dnngov_domain *d,
			 const struct dnngov_workload *const *w, u32 n,
			 const struct dnngov_load_sample *s)
{
	u64 dnn = 0, busy, other, util, window, denom, bmax, gap = 0;
	u64 prev_w, prev_b, prev_m;
	u32 i, cap;

	if (!d || !s || !pol_domain_valid(d) || !s->cur_khz ||
	    !s->window_us || n > DNNGOV_POLICY_MAX_WORKLOADS || (n && !w))
		return 0;
	for (i = 0; i < n; i++)
		if (!w[i])
			return 0;
	window = s->window_us > DNNGOV_TIME_US_MAX ? DNNGOV_TIME_US_MAX :
		 s->window_us;
	cap = d->capacity;
	busy = s->busy_us > window * cap ? window * cap : s->busy_us;
	bmax = s->busy_max_us > window ? window : s->busy_max_us;
	for (i = 0; i < n; i++)
		if (w[i]->busy_rate && w[i]->busy_gap_us > gap)
			gap = w[i]->busy_gap_us;
	/* remember this window before joining it with the previous one */
	prev_w = d->prev_window_us;
	prev_b = d->prev_busy_us;
	prev_m = d->prev_busy_max_us;
	d->prev_window_us = window;
	d->prev_busy_us = busy;
	d->prev_busy_max_us = bmax;
	if (gap > window && prev_w && prev_w <= DNNGOV_TIME_US_MAX) {
		window += prev_w;
		busy += prev_b > prev_w * cap ? prev_w * cap : prev_b;
		bmax = bmax && prev_m ? bmax + (prev_m > prev_w ? prev_w : prev_m) :
		       0;
	}
	for (i = 0; i < n; i++)
		dnn += dnngov_policy_dnn_busy_us(w[i], s->now_us, window);
	other = busy > dnn ? busy - dnn : 0;
	if (bmax && cap > 1) {
		/* the busiest core's non-DNN share is at most either bound */
		if (other > bmax)
			other = bmax;
		denom = window;
	} else {
		denom = window * cap;	/* < 2^26 * 2^32 */
	}
	if (other > denom)
		other = denom;
	while (denom > POL_U32_MAX) {
		denom >>= 1;
		other >>= 1;
	}
	util = pol_mul_div_ceil(other, POL_PPM, (u32)denom, POL_PPM);
	/* up at once (new load gets its frequency now), down slowly */
	if (util >= d->other_ppm)
		d->other_ppm = (u32)util;
	else
		d->other_ppm -= (u32)pol_div(d->other_ppm - util + 3, 4);
	d->floor_khz = pol_floor_khz(d, s->cur_khz, d->other_ppm);
	return d->floor_khz;
}
