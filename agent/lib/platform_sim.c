// SPDX-License-Identifier: MIT
/*
 * dnngov agent: the "sim" backend, a simulated board in virtual time
 * (dnngov-sim, sim/engine.h). It stands in for dnngov.ko: every frequency
 * domain of the board is governed by the policy core (module/policy.c), run
 * the way module/domain.c runs it: on reports, workload and target changes,
 * limit changes, and a sample_ms timer that refreshes the load floor; with
 * the module's default hysteresis. Reports and samples go through the same
 * policy-core entry points as in the module (dnngov_policy_report_window(),
 * dnngov_policy_sample()). Domains, workloads and decisions live in the
 * policy host shared with the sysfs backend (policy_host.c); this file owns
 * only the board I/O: limits, OPP requests, virtual time and busy counters.
 * The power table handed to the policy comes from the board file as
 * written (the simulator may run a board whose true coefficients differ,
 * for the sensitivity study).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "policy_host.h"
#include "../../sim/engine.h"

/* Board side of a domain; its policy side is host.dom[] at the same index. */
struct simdom {
	unsigned int sd;		/* index in the simulated board */
	struct dnngov_host_domain *hd;
	u64 next_sample_ns, last_sample_ns;
	double prev_busy_core_ns, prev_busy_max_ns;
	unsigned int seen_opp;		/* OPP in force at the last look */
	u64 opp_since_ns;		/* since when */
};

struct sim_priv {
	struct sim *s;
	unsigned int flags;
	u32 n_dom;
	struct simdom dom[DNNGOV_PLATFORM_MAX_DOMAINS];
	struct dnngov_policy_host host;
};

static u32 khz_of(const struct sim_priv *sp, const struct simdom *d, unsigned int opp)
{
	return sp->s->b->dom[d->sd].opp_khz[opp];
}

/* Limits in force on the simulated board (pinned to the top for the ablation). */
static void read_limits(struct sim_priv *sp, struct simdom *d)
{
	const struct sim_dom *x = &sp->s->dom[d->sd];
	u32 lo = khz_of(sp, d, x->lo), hi = khz_of(sp, d, x->hi);

	if (sp->flags & SIM_PLAT_PIN_MAX)
		lo = hi;
	if (lo != d->hd->pd.min_khz || hi != d->hd->pd.max_khz)
		d->hd->dirty = true;
	d->hd->pd.min_khz = lo;
	d->hd->pd.max_khz = hi;
}

static int sim_open(struct dnngov_platform *p)
{
	struct sim_priv *sp = p->priv;
	const struct sim_board *mb = sp->s->model_b;
	u32 i, j;

	sp->n_dom = 0;
	dnngov_host_init(&sp->host, p);
	for (i = 0; i < sp->s->b->n_domains && i < DNNGOV_PLATFORM_MAX_DOMAINS; i++) {
		const struct sim_domain *bd = &mb->dom[i];
		struct simdom *d = &sp->dom[sp->n_dom];
		struct dnngov_domain pd;

		if (bd->n_opps > DNNGOV_POLICY_MAX_OPPS)
			return dnngov_platform_errf(p, -E2BIG, "%s: %u OPPs (max %u)",
						    bd->platform_name, bd->n_opps,
						    DNNGOV_POLICY_MAX_OPPS);
		memset(d, 0, sizeof(*d));
		memset(&pd, 0, sizeof(pd));
		d->sd = i;
		pd.n_opps = bd->n_opps;
		for (j = 0; j < bd->n_opps; j++) {
			pd.opps[j].freq_khz = bd->opp_khz[j];
			pd.opps[j].power_busy_uw = (u32)(sim_core_power_w(bd, j, 1.0) * 1e6);
			pd.opps[j].power_idle_uw = (u32)(sim_core_power_w(bd, j, 0.0) * 1e6);
		}
		/* Clusters a power mode turns off are listed but not decided. */
		pd.capacity = sp->s->dom[i].online ? sp->s->dom[i].online : bd->cores;
		pd.cur_opp = sp->s->dom[i].opp;
		pd.hysteresis_pct = SIM_PLAT_HYSTERESIS;
		d->hd = &sp->host.dom[dnngov_host_domain_add(&sp->host, &pd)];
		d->seen_opp = sp->s->dom[i].opp;
		read_limits(sp, d);
		sp->n_dom++;
	}
	return 0;
}

static void sim_close(struct dnngov_platform *p)
{
	free(p->priv);
	p->priv = NULL;
}

static struct simdom *find_dom(struct sim_priv *sp, const char *name)
{
	u32 i;

	for (i = 0; i < sp->n_dom; i++)
		if (!strcmp(sp->s->b->dom[sp->dom[i].sd].platform_name, name))
			return &sp->dom[i];
	return NULL;
}

static void fill_info(struct sim_priv *sp, struct simdom *d, struct dnngov_platform_domain *out)
{
	const struct sim_domain *bd = &sp->s->b->dom[d->sd];
	u32 j;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", bd->platform_name);
	read_limits(sp, d);
	out->cur_khz = khz_of(sp, d, sp->s->dom[d->sd].opp);
	out->min_khz = d->hd->pd.min_khz;
	out->max_khz = d->hd->pd.max_khz;
	out->n_opps = bd->n_opps;
	for (j = 0; j < bd->n_opps; j++)
		out->opps_khz[j] = bd->opp_khz[j];
	out->capacity = sp->s->dom[d->sd].online;
	out->can_set = true;
	snprintf(out->governor, sizeof(out->governor), "%s",
		 sp->s->dom[d->sd].online ? "dnngov" : "offline");
}

static int sim_list(struct dnngov_platform *p, struct dnngov_platform_domain *out,
		    u32 max, u32 *n)
{
	struct sim_priv *sp = p->priv;
	u32 i;

	for (i = 0; i < sp->n_dom && i < max; i++)
		fill_info(sp, &sp->dom[i], &out[i]);
	*n = i;
	return 0;
}

static int sim_domain_get(struct dnngov_platform *p, const char *domain,
			  struct dnngov_platform_domain *out)
{
	struct sim_priv *sp = p->priv;
	struct simdom *d = find_dom(sp, domain);

	if (!d)
		return dnngov_platform_errf(p, -ENODEV, "no domain %s on board %s",
					    domain, sp->s->b->name);
	fill_info(sp, d, out);
	return 0;
}

static int sim_set_freq(struct dnngov_platform *p, const char *domain, u32 khz)
{
	struct sim_priv *sp = p->priv;
	struct simdom *d = find_dom(sp, domain);

	if (!d)
		return dnngov_platform_errf(p, -ENODEV, "no domain %s on board %s",
					    domain, sp->s->b->name);
	sim_request_opp(sp->s, d->sd, sim_opp_ceil(&sp->s->b->dom[d->sd], khz));
	return 0;
}

static int sim_add(struct dnngov_platform *p, const struct dnngov_platform_workload *w, u32 *id)
{
	struct sim_priv *sp = p->priv;
	struct simdom *d = find_dom(sp, w->domain);

	if (!d)
		return dnngov_platform_errf(p, -ENODEV, "no domain %s on board %s",
					    w->domain, sp->s->b->name);
	return dnngov_host_workload_add(&sp->host, (u32)(d - sp->dom), w, id);
}

static int sim_change(struct dnngov_platform *p, u32 id, const struct dnngov_platform_workload *w)
{
	struct sim_priv *sp = p->priv;

	return dnngov_host_workload_change(&sp->host, id, w);
}

static int sim_del(struct dnngov_platform *p, u32 id)
{
	struct sim_priv *sp = p->priv;

	return dnngov_host_workload_del(&sp->host, id, NULL);
}

static int sim_levels(struct dnngov_platform *p, u32 id, const struct dnngov_level *levels, u32 n)
{
	struct sim_priv *sp = p->priv;

	return dnngov_host_levels_set(&sp->host, id, levels, n);
}

/* The reports' clock: virtual time in us, never 0 (0 means "no report"). */
static u64 clock_us(const struct sim_priv *sp)
{
	return sp->s->now / 1000 + 1;
}

/* Track when the domain's frequency last changed (as the module does). */
static void note_opp(struct sim_priv *sp, struct simdom *d)
{
	unsigned int opp = sp->s->dom[d->sd].opp;

	if (opp != d->seen_opp) {
		d->seen_opp = opp;
		d->opp_since_ns = sp->s->now;
	}
}

static int sim_report(struct dnngov_platform *p, u32 id, const struct dnngov_platform_report *r)
{
	struct sim_priv *sp = p->priv;
	struct dnngov_host_workload *s;
	struct dnngov_report rep;
	struct simdom *d;
	int err = dnngov_host_report_check(&sp->host, id, r, &s);

	if (err)
		return err;
	d = &sp->dom[s->dom];
	note_opp(sp, d);
	rep.level = r->level;
	rep.freq_khz = khz_of(sp, d, sp->s->dom[d->sd].opp);
	rep.latency_us = r->latency_us;
	rep.latency_max_us = r->latency_max_us;
	rep.busy_us = r->busy_us;
	rep.now_us = clock_us(sp);
	rep.freq_age_us = (sp->s->now - d->opp_since_ns) / 1000;
	dnngov_host_report(&sp->host, s, &rep);
	return 0;
}

/* module/domain.c dnngov_dom_run(): sample, decide, apply. */
static int run_domain(struct dnngov_platform *p, struct sim_priv *sp, struct simdom *d,
		      u64 now, bool timer)
{
	const struct sim_dom *x = &sp->s->dom[d->sd];
	u32 dom = (u32)(d - sp->dom);
	struct dnngov_host_decision hd;
	int err;

	if (timer && now > d->last_sample_ns) {
		struct dnngov_load_sample ls = {
			.now_us = clock_us(sp),
			.window_us = (now - d->last_sample_ns) / 1000,
			.busy_us = (u64)((x->busy_core_ns - d->prev_busy_core_ns) / 1000.0),
			.busy_max_us = (u64)((x->busy_max_ns - d->prev_busy_max_ns) / 1000.0),
			.cur_khz = khz_of(sp, d, x->opp),
		};

		dnngov_host_sample(&sp->host, dom, &ls);
		d->prev_busy_core_ns = x->busy_core_ns;
		d->prev_busy_max_ns = x->busy_max_ns;
		d->last_sample_ns = now;
	}
	err = dnngov_host_decide(&sp->host, dom, &hd);
	if (err)
		return dnngov_platform_errf(p, -EINVAL, "%s: policy rejected the domain (%d)",
					    sp->s->b->dom[d->sd].platform_name, err);
	sim_request_opp(sp->s, d->sd, hd.dec.opp);
	dnngov_host_commit(&sp->host, dom, &hd);
	return 0;
}

static int sim_tick(struct dnngov_platform *p, u64 now_ns)
{
	struct sim_priv *sp = p->priv;
	int first = 0;
	u32 i;

	for (i = 0; i < sp->n_dom; i++) {
		struct simdom *d = &sp->dom[i];
		bool timer = now_ns >= d->next_sample_ns;
		int err;

		read_limits(sp, d);
		note_opp(sp, d);
		/* A power mode may take a cluster offline (or back). */
		if (!sp->s->dom[d->sd].online)
			continue;
		if (d->hd->pd.capacity != sp->s->dom[d->sd].online) {
			d->hd->pd.capacity = sp->s->dom[d->sd].online;
			d->hd->dirty = true;
		}
		if (timer)
			d->next_sample_ns = now_ns + sp->s->plat_sample_ms * 1000000ULL;
		if (!timer && !d->hd->dirty)
			continue;
		err = run_domain(p, sp, d, now_ns, timer);
		if (err && !first)
			first = err;
	}
	return first;
}

static int sim_decision(struct dnngov_platform *p, u32 id, struct dnngov_platform_decision *out)
{
	struct sim_priv *sp = p->priv;

	return dnngov_host_decision_get(&sp->host, id, out);
}

static const struct dnngov_platform_ops sim_ops = {
	.name = "sim",
	.open = sim_open,
	.close = sim_close,
	.list_domains = sim_list,
	.domain_get = sim_domain_get,
	.set_freq = sim_set_freq,
	.workload_add = sim_add,
	.workload_change = sim_change,
	.workload_del = sim_del,
	.set_levels = sim_levels,
	.report = sim_report,
	.tick = sim_tick,
	.decision = sim_decision,
};

int dnngov_platform_sim_init(struct dnngov_platform *p, struct sim *s, unsigned int flags)
{
	struct sim_priv *sp = calloc(1, sizeof(*sp));

	if (!sp)
		return -ENOMEM;
	memset(p, 0, sizeof(*p));
	sp->s = s;
	sp->flags = flags;
	p->ops = &sim_ops;
	p->priv = sp;
	return 0;
}
