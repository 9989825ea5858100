// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The oracle: at the start and at every scenario event it knows exactly
 * what changed (targets, co-runner load, limits, workloads present) and the
 * simulator's true latency and power models, and enumerates every OPP of
 * every domain with every combination of levels at or above the accuracy
 * floors. It picks the least energy per inference whose worst-case response
 * (jitter at its upper bound, bursts queued, jobs sharing the domain) meets
 * every target. No learning, no transitions beyond those events.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "oracle.h"

static double arrival_rate(const struct sim_wl_spec *w, double service_ms)
{
	switch (w->arrival) {
	case SIM_ARR_PERIODIC:
		return 1000.0 / w->period_ms;
	case SIM_ARR_BURST:
		return 1000.0 * w->burst_n / w->period_ms;
	default:
		return 1000.0 / service_ms;
	}
}

int sim_oracle_eval(const struct sim *s, unsigned int d, unsigned int opp,
		    const unsigned int *wl, const unsigned int *lvl, unsigned int n,
		    double *j_per_inf)
{
	const struct sim_domain *bd = &s->b->dom[d];
	const struct sim_dom *x = &s->dom[d];
	double u = x->corunner, demand = u, rate = 0, sum_burst = 0, p_idle, p_busy;
	bool shared = x->online < n + ceil(u);
	bool b2b = false;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct sim_wl *w = &s->wl[wl[i]];
		double svc = sim_service_ms(s, wl[i], lvl[i], opp);
		double r;

		if (w->spec->arrival == SIM_ARR_BACK_TO_BACK) {
			b2b = true;
			svc *= shared ? 1.0 + u : 1.0;
		}
		r = arrival_rate(w->spec, svc);
		rate += r;
		demand += r * svc / 1000.0;
		sum_burst += svc * (1.0 + s->sc->jitter) *
			     (w->spec->arrival == SIM_ARR_BURST ? w->spec->burst_n : 1);
	}
	if (!b2b && demand >= x->online)
		return 0;	/* overloaded: queues grow without bound */
	for (i = 0; i < n; i++) {
		const struct sim_wl *w = &s->wl[wl[i]];
		double svc = sim_service_ms(s, wl[i], lvl[i], opp) * (1.0 + s->sc->jitter);
		double resp = shared ? sum_burst * (1.0 + u) :
			      svc * (w->spec->arrival == SIM_ARR_BURST ? w->spec->burst_n : 1);

		if (resp > w->target_ms)
			return 0;
	}
	if (b2b || demand > x->online)
		demand = x->online;
	p_idle = sim_core_power_w(bd, opp, 0.0);
	p_busy = sim_core_power_w(bd, opp, 1.0);
	*j_per_inf = (x->online * p_idle + demand * (p_busy - p_idle)) / rate;
	return 1;
}

static void decide_domain(struct sim *s, unsigned int d)
{
	unsigned int wl[SIM_MAX_WORKLOADS], lvl[SIM_MAX_WORKLOADS], lo[SIM_MAX_WORKLOADS];
	unsigned int best_lvl[SIM_MAX_WORKLOADS], n = 0, i, opp, best_opp;
	double best = INFINITY, best_acc = -1;
	struct sim_dom *x = &s->dom[d];

	for (i = 0; i < s->sc->n_wl; i++)
		if (s->wl[i].present && s->wl[i].dom == (int)d)
			wl[n++] = i;
	if (!x->online)
		return;
	if (!n) {
		sim_request_opp(s, d, x->lo);	/* idle: the lowest allowed OPP */
		return;
	}
	for (i = 0; i < n; i++) {
		lo[i] = sim_floor_level(s, wl[i]);
		best_lvl[i] = lo[i];
	}
	best_opp = x->hi;
	for (opp = x->lo; opp <= x->hi; opp++) {
		for (i = 0; i < n; i++)
			lvl[i] = lo[i];
		for (;;) {
			double e, acc = 0;

			for (i = 0; i < n; i++)
				acc += s->wl[wl[i]].lv[lvl[i]].top1;
			if (sim_oracle_eval(s, d, opp, wl, lvl, n, &e) &&
			    (e < best * (1 - 1e-12) || (e <= best * (1 + 1e-12) && acc > best_acc))) {
				best = e;
				best_acc = acc;
				best_opp = opp;
				memcpy(best_lvl, lvl, sizeof(lvl));
			}
			/* Next combination of levels (odometer). */
			for (i = 0; i < n; i++) {
				if (++lvl[i] < s->lib->n_levels)
					break;
				lvl[i] = lo[i];
			}
			if (i == n)
				break;
		}
	}
	/* Nothing feasible: the fastest choice at the floors (least misses). */
	sim_request_opp(s, d, best_opp);
	for (i = 0; i < n; i++)
		sim_set_level(s, wl[i], best_lvl[i]);
}

static void oracle_changed(struct sim *s, void *ctx)
{
	unsigned int d;

	(void)ctx;
	for (d = 0; d < s->b->n_domains; d++)
		decide_domain(s, d);
}

static int oracle_init(struct sim *s, void **ctx)
{
	*ctx = NULL;
	oracle_changed(s, NULL);
	return 0;
}

const struct sim_ctl sim_ctl_oracle = {
	.name = "oracle",
	.desc = "exhaustive optimum over OPPs x levels with perfect knowledge, re-decided at every event",
	.init = oracle_init,
	.changed = oracle_changed,
};
