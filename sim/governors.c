// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Models of the stock Linux governors, each contender pairing a cpufreq
 * governor for the CPU clusters with a devfreq governor for the GPU, plus the
 * Dynamic-OFA demo's level rule (the stock governors do not pick subnets).
 * Tunables are the kernel defaults; Documentation/simulator.md cites them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "governors.h"

/* cpufreq resolution rules for a requested frequency. */
static unsigned int opp_closest(const struct sim_domain *d, double khz)
{
	unsigned int i, best = 0;

	for (i = 1; i < d->n_opps; i++)
		if (fabs(d->opp_khz[i] - khz) < fabs(d->opp_khz[best] - khz))
			best = i;
	return best;
}

static unsigned int opp_ceil_d(const struct sim_domain *d, double khz)
{
	unsigned int i;

	for (i = 0; i < d->n_opps; i++)
		if (d->opp_khz[i] >= khz)
			return i;
	return d->n_opps - 1;
}

unsigned int gov_schedutil_next(const struct sim_domain *d, double util)
{
	/* get_next_freq(): util += util >> 2; freq = max_freq * util / cap. */
	return opp_ceil_d(d, GOV_SU_HEADROOM * util * d->opp_khz[d->n_opps - 1]);
}

unsigned int gov_ondemand_next(const struct sim_domain *d, double load_pct,
			       unsigned int hi)
{
	double fmin = d->opp_khz[0], fmax = d->opp_khz[d->n_opps - 1];

	if (load_pct > GOV_OD_UP_THRESHOLD)
		return hi;	/* dbs_freq_increase(policy, policy->max) */
	return opp_closest(d, fmin + load_pct * (fmax - fmin) / 100.0);
}

unsigned int gov_simple_ondemand_next(const struct sim_domain *d, double busy,
				      double total, unsigned int cur, unsigned int hi)
{
	double f;

	if (total <= 0)
		return hi;
	if (busy * 100 > total * GOV_SO_UPTHRESHOLD)
		return hi;
	if (busy * 100 > total * (GOV_SO_UPTHRESHOLD - GOV_SO_DOWNDIFF))
		return cur;
	/* Integer divisor 90 - 5 / 2 = 88 in the kernel. */
	f = (double)d->opp_khz[cur] * busy / total * 100.0 /
	    (GOV_SO_UPTHRESHOLD - GOV_SO_DOWNDIFF / 2);
	return opp_ceil_d(d, f);
}

double gov_pelt_step(double util, double busy_frac, double dt_ms)
{
	double y = pow(0.5, dt_ms / GOV_PELT_HALFLIFE_MS);

	return util * y + busy_frac * (1.0 - y);
}

enum gov_kind { GOV_PERFORMANCE, GOV_POWERSAVE, GOV_SCHEDUTIL, GOV_ONDEMAND, GOV_SIMPLE_ONDEMAND };

struct dom_gov {
	enum gov_kind kind;
	double util;			/* schedutil: PELT utilisation, 0..1 */
	uint64_t last_change;		/* schedutil: rate limit reference */
	uint64_t last_sample;
	double prev_busy_max, prev_busy_core;
};

struct base_ctx {
	struct dom_gov d[SIM_MAX_DOMAINS];
	struct sim_dofa lv[SIM_MAX_WORKLOADS];
};

/* Dynamic-OFA demo rule (ofa.md §5.3), 0-based levels. */
void sim_dofa_done(struct sim_dofa *r, unsigned int *level, double lat_ms,
		   double target_ms, double acc_of_level, double floor_pct,
		   unsigned int n_levels)
{
	double mean = 0;
	unsigned int i;

	r->win[r->n++ % SIM_DOFA_WINDOW] = lat_ms;
	if (r->n < SIM_DOFA_WINDOW)
		return;
	for (i = 0; i < SIM_DOFA_WINDOW; i++)
		mean += r->win[i];
	mean /= SIM_DOFA_WINDOW;
	if (mean > target_ms && *level > 0) {
		if (r->stepped_up)
			r->pinned = true;	/* stepped up into a miss: stay below */
		(*level)--;
		r->stepped_up = false;
		r->n = 0;
	} else if (acc_of_level < floor_pct && !r->pinned && *level + 1 < n_levels) {
		(*level)++;
		r->stepped_up = true;
		r->n = 0;
	}
}

/* performance and powersave act when started and when limits change. */
static void base_changed(struct sim *s, void *ctx)
{
	struct base_ctx *c = ctx;
	unsigned int d;

	for (d = 0; d < s->b->n_domains; d++) {
		if (c->d[d].kind == GOV_PERFORMANCE)
			sim_request_opp(s, d, s->dom[d].hi);
		else if (c->d[d].kind == GOV_POWERSAVE)
			sim_request_opp(s, d, s->dom[d].lo);
	}
}

static int base_init(struct sim *s, void **ctx, enum gov_kind cpu, enum gov_kind gpu)
{
	struct base_ctx *c = calloc(1, sizeof(*c));
	unsigned int d;

	if (!c)
		return -1;
	for (d = 0; d < s->b->n_domains; d++)
		c->d[d].kind = s->b->dom[d].kind == SIM_DOM_GPU ? gpu : cpu;
	*ctx = c;
	base_changed(s, c);
	return 0;
}

static int perf_init(struct sim *s, void **ctx)
{
	return base_init(s, ctx, GOV_PERFORMANCE, GOV_PERFORMANCE);
}

static int save_init(struct sim *s, void **ctx)
{
	return base_init(s, ctx, GOV_POWERSAVE, GOV_POWERSAVE);
}

static int su_init(struct sim *s, void **ctx)
{
	return base_init(s, ctx, GOV_SCHEDUTIL, GOV_SIMPLE_ONDEMAND);
}

static int od_init(struct sim *s, void **ctx)
{
	return base_init(s, ctx, GOV_ONDEMAND, GOV_SIMPLE_ONDEMAND);
}

static void base_fini(void *ctx)
{
	free(ctx);
}

static void base_tick(struct sim *s, void *ctx)
{
	struct base_ctx *c = ctx;
	unsigned int d;

	for (d = 0; d < s->b->n_domains; d++) {
		struct dom_gov *g = &c->d[d];
		struct sim_dom *x = &s->dom[d];
		const struct sim_domain *bd = &s->b->dom[d];
		double win_ns = (double)(s->now - g->last_sample);
		double bmax = x->busy_max_ns - g->prev_busy_max;
		double bcore = x->busy_core_ns - g->prev_busy_core;

		if (!x->online)
			continue;
		switch (g->kind) {
		case GOV_PERFORMANCE:
		case GOV_POWERSAVE:
			continue;
		case GOV_SCHEDUTIL:
			if (win_ns < GOV_SU_TICK_MS * 1e6)
				continue;
			/* Frequency-invariant utilisation of the busiest CPU. */
			g->util = gov_pelt_step(g->util, win_ns > 0 ? bmax / win_ns *
						bd->opp_khz[x->opp] / bd->opp_khz[bd->n_opps - 1] : 0,
						win_ns / 1e6);
			if (s->now - g->last_change >= GOV_SU_RATE_LIMIT_US * 1000ULL) {
				unsigned int next = gov_schedutil_next(bd, g->util);

				if (next < x->lo)
					next = x->lo;
				if (next > x->hi)
					next = x->hi;
				if (next != sim_target_opp(s, d)) {
					sim_request_opp(s, d, next);
					g->last_change = s->now;
				}
			}
			break;
		case GOV_ONDEMAND:
			if (win_ns < GOV_OD_SAMPLING_MS * 1e6)
				continue;
			sim_request_opp(s, d, gov_ondemand_next(bd, 100.0 * bmax / win_ns, x->hi));
			break;
		case GOV_SIMPLE_ONDEMAND:
			if (win_ns < GOV_SO_POLLING_MS * 1e6)
				continue;
			sim_request_opp(s, d, gov_simple_ondemand_next(bd, bcore / x->online, win_ns,
								       x->opp, x->hi));
			break;
		}
		g->last_sample = s->now;
		g->prev_busy_max = x->busy_max_ns;
		g->prev_busy_core = x->busy_core_ns;
	}
}

static void base_done(struct sim *s, void *ctx, unsigned int w, double lat_ms,
		      unsigned int level)
{
	struct base_ctx *c = ctx;
	struct sim_wl *x = &s->wl[w];
	unsigned int lv = x->level;

	(void)level;
	sim_dofa_done(&c->lv[w], &lv, lat_ms, x->target_ms, x->lv[lv].top1,
		      x->spec->floor_pct, s->lib->n_levels);
	sim_set_level(s, w, lv);
}

/* The tick is the GCD of the governors' periods: 4 ms schedutil updates, 10 ms
 * ondemand sampling, 50 ms simple_ondemand polling. */
#define BASE_CTL(var, nm, dsc, initfn, tick_ms) \
	const struct sim_ctl var = { \
		.name = nm, .desc = dsc, .tick_ns = (tick_ms) * SIM_NS_PER_MS, \
		.init = initfn, .fini = base_fini, .tick = base_tick, .done = base_done, \
		.changed = base_changed, \
	}

BASE_CTL(sim_ctl_performance, "performance",
	 "cpufreq performance + devfreq performance; Dynamic-OFA level rule", perf_init, 0);
BASE_CTL(sim_ctl_powersave, "powersave",
	 "cpufreq powersave + devfreq powersave; Dynamic-OFA level rule", save_init, 0);
BASE_CTL(sim_ctl_schedutil, "schedutil",
	 "cpufreq schedutil + devfreq simple_ondemand; Dynamic-OFA level rule", su_init, 2);
BASE_CTL(sim_ctl_ondemand, "ondemand",
	 "cpufreq ondemand + devfreq simple_ondemand; Dynamic-OFA level rule", od_init, 10);
