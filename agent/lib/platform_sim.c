// SPDX-License-Identifier: MIT
/*
 * dnngov agent: the "sim" backend, a simulated board in virtual time
 * (dnngov-sim, sim/engine.h). It stands in for dnngov.ko: every frequency
 * domain of the board is governed by the policy core (module/policy.c), run
 * the way module/domain.c runs it: on reports, workload and target changes,
 * limit changes, and a sample_ms timer that refreshes the load floor; with
 * the module's default hysteresis. Reports and samples go through the same
 * policy-core entry points as in the module (dnngov_policy_report_window(),
 * dnngov_policy_sample()), so the orchestration is not duplicated here. The power table handed to the policy
 * comes from the board file as written (the simulator may run a board whose
 * true coefficients differ, for the sensitivity study).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "../../sim/engine.h"

struct simdom {
	unsigned int sd;		/* index in the simulated board */
	struct dnngov_domain pd;
	u32 n_wl;
	struct dnngov_workload *wl[DNNGOV_POLICY_MAX_WORKLOADS];
	struct dnngov_decision dec;
	const struct dnngov_workload *dec_wl[DNNGOV_POLICY_MAX_WORKLOADS];
	u64 seq;
	bool dirty;
	u64 next_sample_ns, last_sample_ns;
	double prev_busy_core_ns, prev_busy_max_ns;
	unsigned int seen_opp;		/* OPP in force at the last look */
	u64 opp_since_ns;		/* since when */
};

struct simwl {
	u32 id;				/* 0 = free */
	int dom;
	struct dnngov_workload pw;
};

struct sim_priv {
	struct sim *s;
	unsigned int flags;
	u32 n_dom;
	struct simdom dom[DNNGOV_PLATFORM_MAX_DOMAINS];
	struct simwl wl[DNNGOV_POLICY_MAX_WORKLOADS];
	u32 next_id;
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
	if (lo != d->pd.min_khz || hi != d->pd.max_khz)
		d->dirty = true;
	d->pd.min_khz = lo;
	d->pd.max_khz = hi;
}

static int sim_open(struct dnngov_platform *p)
{
	struct sim_priv *sp = p->priv;
	const struct sim_board *mb = sp->s->model_b;
	u32 i, j;

	sp->n_dom = 0;
	for (i = 0; i < sp->s->b->n_domains && i < DNNGOV_PLATFORM_MAX_DOMAINS; i++) {
		const struct sim_domain *bd = &mb->dom[i];
		struct simdom *d = &sp->dom[sp->n_dom];

		if (bd->n_opps > DNNGOV_POLICY_MAX_OPPS)
			return dnngov_platform_errf(p, -E2BIG, "%s: %u OPPs (max %u)",
						    bd->platform_name, bd->n_opps,
						    DNNGOV_POLICY_MAX_OPPS);
		memset(d, 0, sizeof(*d));
		d->sd = i;
		d->pd.n_opps = bd->n_opps;
		for (j = 0; j < bd->n_opps; j++) {
			d->pd.opps[j].freq_khz = bd->opp_khz[j];
			d->pd.opps[j].power_busy_uw = (u32)(sim_core_power_w(bd, j, 1.0) * 1e6);
			d->pd.opps[j].power_idle_uw = (u32)(sim_core_power_w(bd, j, 0.0) * 1e6);
		}
		/* Clusters a power mode turns off are listed but not decided. */
		d->pd.capacity = sp->s->dom[i].online ? sp->s->dom[i].online : bd->cores;
		d->pd.cur_opp = sp->s->dom[i].opp;
		d->seen_opp = sp->s->dom[i].opp;
		d->pd.hysteresis_pct = SIM_PLAT_HYSTERESIS;
		read_limits(sp, d);
		d->dirty = true;
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
	out->min_khz = d->pd.min_khz;
	out->max_khz = d->pd.max_khz;
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

static struct simwl *find_wl(struct sim_priv *sp, u32 id)
{
	u32 i;

	for (i = 0; id && i < DNNGOV_POLICY_MAX_WORKLOADS; i++)
		if (sp->wl[i].id == id)
			return &sp->wl[i];
	return NULL;
}

static int sim_add(struct dnngov_platform *p, const struct dnngov_platform_workload *w, u32 *id)
{
	struct sim_priv *sp = p->priv;
	struct simdom *d = find_dom(sp, w->domain);
	struct simwl *s = NULL;
	u32 i;

	if (!d)
		return dnngov_platform_errf(p, -ENODEV, "no domain %s on board %s",
					    w->domain, sp->s->b->name);
	for (i = 0; i < DNNGOV_POLICY_MAX_WORKLOADS && !s; i++)
		if (!sp->wl[i].id)
			s = &sp->wl[i];
	if (!s || d->n_wl >= DNNGOV_POLICY_MAX_WORKLOADS)
		return dnngov_platform_errf(p, -ENOSPC, "too many workloads");
	memset(s, 0, sizeof(*s));
	s->id = ++sp->next_id;
	s->dom = (int)(d - sp->dom);
	s->pw.id = s->id;
	s->pw.target_us = w->target_us;
	s->pw.accuracy_floor = w->accuracy_floor;
	s->pw.period_us = w->period_us;
	dnngov_policy_workload_init(&s->pw);
	d->wl[d->n_wl++] = &s->pw;
	d->dirty = true;
	*id = s->id;
	return 0;
}

static int sim_change(struct dnngov_platform *p, u32 id, const struct dnngov_platform_workload *w)
{
	struct sim_priv *sp = p->priv;
	struct simwl *s = find_wl(sp, id);

	if (!s)
		return dnngov_platform_errf(p, -ENOENT, "no workload %u", id);
	s->pw.target_us = w->target_us;
	s->pw.accuracy_floor = w->accuracy_floor;
	s->pw.period_us = w->period_us;
	sp->dom[s->dom].dirty = true;
	return 0;
}

static int sim_del(struct dnngov_platform *p, u32 id)
{
	struct sim_priv *sp = p->priv;
	struct simwl *s = find_wl(sp, id);
	struct simdom *d;
	u32 i;

	if (!s)
		return dnngov_platform_errf(p, -ENOENT, "no workload %u", id);
	d = &sp->dom[s->dom];
	for (i = 0; i < d->n_wl; i++) {
		if (d->wl[i] == &s->pw) {
			memmove(&d->wl[i], &d->wl[i + 1], (d->n_wl - i - 1) * sizeof(d->wl[0]));
			d->n_wl--;
			break;
		}
	}
	s->id = 0;
	d->dirty = true;
	return 0;
}

static int sim_levels(struct dnngov_platform *p, u32 id, const struct dnngov_level *levels, u32 n)
{
	struct sim_priv *sp = p->priv;
	struct simwl *s = find_wl(sp, id);

	if (!s)
		return dnngov_platform_errf(p, -ENOENT, "no workload %u", id);
	if (n < 1 || n > DNNGOV_POLICY_MAX_LEVELS)
		return dnngov_platform_errf(p, -EINVAL, "level count %u out of range 1..%u",
					    n, DNNGOV_POLICY_MAX_LEVELS);
	memcpy(s->pw.levels, levels, n * sizeof(levels[0]));
	s->pw.n_levels = n;
	if (s->pw.cur_level >= n)
		s->pw.cur_level = 0;
	sp->dom[s->dom].dirty = true;
	return 0;
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
	struct simwl *s = find_wl(sp, id);
	struct dnngov_report rep;
	struct simdom *d;

	if (!s)
		return dnngov_platform_errf(p, -ENOENT, "no workload %u", id);
	if (r->level >= s->pw.n_levels)
		return dnngov_platform_errf(p, -EINVAL, "report level %u but the table has %u",
					    r->level, s->pw.n_levels);
	d = &sp->dom[s->dom];
	note_opp(sp, d);
	rep.level = r->level;
	rep.freq_khz = khz_of(sp, d, sp->s->dom[d->sd].opp);
	rep.latency_us = r->latency_us;
	rep.latency_max_us = r->latency_max_us;
	rep.busy_us = r->busy_us;
	rep.now_us = clock_us(sp);
	rep.freq_age_us = (sp->s->now - d->opp_since_ns) / 1000;
	dnngov_policy_report_window(&s->pw, &rep);
	d->dirty = true;
	return 0;
}

/* module/domain.c dnngov_dom_run(): sample, decide, apply. */
static int run_domain(struct dnngov_platform *p, struct sim_priv *sp, struct simdom *d,
		      u64 now, bool timer)
{
	const struct sim_dom *x = &sp->s->dom[d->sd];
	const struct dnngov_workload *ws[DNNGOV_POLICY_MAX_WORKLOADS];
	struct dnngov_decision dec;
	u32 i, n = 0, cur_khz = khz_of(sp, d, x->opp);
	int err;

	for (i = 0; i < d->n_wl; i++)
		ws[i] = d->wl[i];
	if (timer && now > d->last_sample_ns) {
		struct dnngov_load_sample ls = {
			.now_us = clock_us(sp),
			.window_us = (now - d->last_sample_ns) / 1000,
			.busy_us = (u64)((x->busy_core_ns - d->prev_busy_core_ns) / 1000.0),
			.busy_max_us = (u64)((x->busy_max_ns - d->prev_busy_max_ns) / 1000.0),
			.cur_khz = cur_khz,
		};

		dnngov_policy_sample(&d->pd, ws, d->n_wl, &ls);
		d->prev_busy_core_ns = x->busy_core_ns;
		d->prev_busy_max_ns = x->busy_max_ns;
		d->last_sample_ns = now;
	}
	for (i = 0; i < d->n_wl; i++)
		if (d->wl[i]->n_levels)
			ws[n++] = d->wl[i];
	err = dnngov_policy_decide(&d->pd, ws, n, &dec);
	if (err)
		return dnngov_platform_errf(p, -EINVAL, "%s: policy rejected the domain (%d)",
					    sp->s->b->dom[d->sd].platform_name, err);
	d->dirty = false;
	d->pd.cur_opp = dec.opp;
	for (i = 0; i < n; i++)
		((struct dnngov_workload *)ws[i])->cur_level = dec.level[i];
	sim_request_opp(sp->s, d->sd, dec.opp);
	d->dec = dec;
	/* Remember which workload each decision slot belongs to. */
	for (i = 0; i < n; i++)
		d->dec_wl[i] = ws[i];
	d->seq++;
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
		if (d->pd.capacity != sp->s->dom[d->sd].online) {
			d->pd.capacity = sp->s->dom[d->sd].online;
			d->dirty = true;
		}
		if (timer)
			d->next_sample_ns = now_ns + sp->s->plat_sample_ms * 1000000ULL;
		if (!timer && !d->dirty)
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
	struct simwl *s = find_wl(sp, id);
	struct simdom *d;
	u32 j;

	if (!s)
		return dnngov_platform_errf(p, -ENOENT, "no workload %u", id);
	d = &sp->dom[s->dom];
	if (!d->seq)
		return -ENODATA;
	for (j = 0; j < d->dec.n_workloads; j++) {
		if (d->dec_wl[j] != &s->pw)
			continue;
		out->seq = d->seq;
		out->freq_khz = d->dec.freq_khz;
		out->opp = d->dec.opp;
		out->flags = d->dec.flags;
		out->level = d->dec.level[j];
		out->latency_us = d->dec.latency_us[j];
		out->wl_flags = d->dec.wflags[j];
		return 0;
	}
	return -ENODATA;
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
