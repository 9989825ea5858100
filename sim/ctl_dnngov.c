// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * The dnngov contender: the agent's real runtime manager (agent/lib/manager.c)
 * on the "sim" platform backend (agent/lib/platform_sim.c), which runs the
 * real policy core (module/policy.c) as dnngov.ko does. The simulator only
 * plays the daemon's part: it calibrates each level's latency model at two
 * frequencies (as dnngovd does where the platform can set frequencies),
 * registers workloads as they come and go, passes every inference to the
 * fast loop and calls the slow loop on a 10 ms period.
 *
 * Ablations: subnet-only pins every domain at its maximum (the policy then
 * only picks levels); DVFS-only gives the manager a one-level table (the
 * scenario's start level), so only frequencies move.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "manager.h"
#include "platform.h"

#define DNNGOV_TICK_MS	10

enum variant { V_FULL, V_SUBNET_ONLY, V_DVFS_ONLY };

struct dnngov_ctx {
	enum variant v;
	struct dnngov_platform plat;
	bool opened;
	struct dnngov_manager *m;
	int handle[SIM_MAX_WORKLOADS];	/* -1 = not registered */
	unsigned int base[SIM_MAX_WORKLOADS];	/* sim level of manager level 0 */
	double target_ms[SIM_MAX_WORKLOADS];
	unsigned int errors;
};

static u32 to_mgr(const struct dnngov_ctx *c, unsigned int w, unsigned int sim_level)
{
	return c->v == V_DVFS_ONLY ? 0 : sim_level - c->base[w];
}

static unsigned int to_sim(const struct dnngov_ctx *c, unsigned int w, u32 mgr_level)
{
	return c->base[w] + (c->v == V_DVFS_ONLY ? 0 : mgr_level);
}

static void warn_once(struct dnngov_ctx *c, const char *what)
{
	if (!c->errors++)
		fprintf(stderr, "dnngov-sim: dnngov: %s: %s\n", what, dnngov_manager_last_error(c->m));
}

/* Two-point calibration at the lowest and highest OPP within limits. */
static void calibrate(struct sim *s, unsigned int w, unsigned int level, struct dnngov_level *out)
{
	const struct sim_wl *x = &s->wl[w];
	const struct sim_domain *bd = &s->b->dom[x->dom];
	unsigned int opp[2] = { s->dom[x->dom].lo, s->dom[x->dom].hi };
	u32 khz[2], us[2];
	unsigned int i;

	if (opp[0] == opp[1])
		opp[0] = 0;
	for (i = 0; i < 2; i++) {
		khz[i] = bd->opp_khz[opp[i]];
		us[i] = (u32)(sim_service_ms(s, w, level, opp[i]) * 1000.0 + 0.5);
	}
	dnngov_level_fit(khz, us, 2, out);
	out->accuracy = (u32)(x->lv[level].top1 * 100.0 + 0.5);
}

static u32 period_us(const struct sim_wl_spec *w)
{
	switch (w->arrival) {
	case SIM_ARR_PERIODIC:
		return (u32)(w->period_ms * 1000.0);
	case SIM_ARR_BURST:
		return (u32)(w->period_ms * 1000.0 / w->burst_n);
	default:
		return 0;
	}
}

static int add_workload(struct sim *s, struct dnngov_ctx *c, unsigned int w)
{
	const struct sim_wl *x = &s->wl[w];
	struct dnngov_manager_workload mw;
	char err[256];
	unsigned int j;
	int rc;

	memset(&mw, 0, sizeof(mw));
	mw.name = x->spec->name;
	mw.domain = s->b->dom[x->dom].platform_name;
	mw.target_us = (u32)(x->target_ms * 1000.0);
	mw.accuracy_floor = (u32)(x->spec->floor_pct * 100.0 + 0.5);
	mw.period_us = period_us(x->spec);
	if (c->v == V_DVFS_ONLY) {
		c->base[w] = x->spec->start_level - 1;
		if (c->base[w] >= s->lib->n_levels)
			c->base[w] = s->lib->n_levels - 1;
		mw.n_levels = 1;
		mw.accuracy_floor = 0;	/* the one level is the user's choice */
	} else {
		c->base[w] = 0;
		mw.n_levels = s->lib->n_levels;
	}
	for (j = 0; j < mw.n_levels; j++)
		calibrate(s, w, c->base[w] + j, &mw.levels[j]);
	rc = dnngov_manager_add(c->m, &mw, &c->handle[w], err, sizeof(err));
	if (rc) {
		fprintf(stderr, "dnngov-sim: dnngov: cannot add workload %s: %s\n", x->spec->name, err);
		c->handle[w] = -1;
		return rc;
	}
	c->target_ms[w] = x->target_ms;
	sim_set_level(s, w, to_sim(c, w, dnngov_manager_level(c->m, c->handle[w])));
	return 0;
}

static void follow_levels(struct sim *s, struct dnngov_ctx *c)
{
	unsigned int w;

	for (w = 0; w < s->sc->n_wl; w++)
		if (c->handle[w] >= 0)
			sim_set_level(s, w, to_sim(c, w, dnngov_manager_level(c->m, c->handle[w])));
}

static void dnngov_tick(struct sim *s, void *ctx)
{
	struct dnngov_ctx *c = ctx;

	if (dnngov_manager_tick(c->m, s->now))
		warn_once(c, "slow loop");
	follow_levels(s, c);
}

static void dnngov_changed(struct sim *s, void *ctx)
{
	struct dnngov_ctx *c = ctx;
	unsigned int w;

	for (w = 0; w < s->sc->n_wl; w++) {
		struct sim_wl *x = &s->wl[w];

		if (x->present && c->handle[w] < 0) {
			add_workload(s, c, w);
		} else if (!x->present && c->handle[w] >= 0) {
			dnngov_manager_remove(c->m, c->handle[w]);
			c->handle[w] = -1;
		} else if (x->present && x->target_ms != c->target_ms[w]) {
			struct dnngov_manager_stats st;

			dnngov_manager_stats(c->m, c->handle[w], &st);
			if (dnngov_manager_change(c->m, c->handle[w], (u32)(x->target_ms * 1000.0),
						  st.accuracy_floor, st.period_us))
				warn_once(c, "target change");
			c->target_ms[w] = x->target_ms;
		}
	}
	/* The module reacts to limit and target changes at once. */
	dnngov_tick(s, ctx);
}

static void dnngov_done(struct sim *s, void *ctx, unsigned int w, double lat_ms,
			unsigned int level)
{
	struct dnngov_ctx *c = ctx;
	u64 service_ns = s->now - s->wl[w].run_start;	/* as dnngovd: no queueing */
	u32 next;

	if (c->handle[w] < 0)
		return;
	next = dnngov_manager_infer_done(c->m, c->handle[w], to_mgr(c, w, level),
					 service_ns, (u64)(lat_ms * 1e6), s->now);
	if (next != UINT32_MAX)
		sim_set_level(s, w, to_sim(c, w, next));
}

static void dnngov_fini(void *ctx)
{
	struct dnngov_ctx *c = ctx;

	if (!c)
		return;
	dnngov_manager_destroy(c->m);
	if (c->opened)
		c->plat.ops->close(&c->plat);
	free(c);
}

static int init_variant(struct sim *s, void **ctx, enum variant v)
{
	struct dnngov_ctx *c = calloc(1, sizeof(*c));
	unsigned int w;
	int rc;

	if (!c)
		return -ENOMEM;
	c->v = v;
	for (w = 0; w < SIM_MAX_WORKLOADS; w++)
		c->handle[w] = -1;
	rc = dnngov_platform_sim_init(&c->plat, s, v == V_SUBNET_ONLY ? SIM_PLAT_PIN_MAX : 0);
	if (!rc) {
		rc = c->plat.ops->open(&c->plat);
		if (rc)
			fprintf(stderr, "dnngov-sim: sim backend: %s\n", c->plat.errmsg);
		else
			c->opened = true;
	}
	if (!rc)
		rc = dnngov_manager_create(&c->plat, NULL, &c->m);
	for (w = 0; !rc && w < s->sc->n_wl; w++)
		if (s->wl[w].present)
			rc = add_workload(s, c, w);
	if (rc) {
		dnngov_fini(c);
		return rc;
	}
	*ctx = c;
	dnngov_tick(s, c);
	return 0;
}

static int full_init(struct sim *s, void **ctx)
{
	return init_variant(s, ctx, V_FULL);
}

static int subnet_init(struct sim *s, void **ctx)
{
	return init_variant(s, ctx, V_SUBNET_ONLY);
}

static int dvfs_init(struct sim *s, void **ctx)
{
	return init_variant(s, ctx, V_DVFS_ONLY);
}

#define DNNGOV_CTL(var, nm, dsc, fn) \
	const struct sim_ctl var = { \
		.name = nm, .desc = dsc, .tick_ns = DNNGOV_TICK_MS * SIM_NS_PER_MS, \
		.init = fn, .fini = dnngov_fini, .tick = dnngov_tick, \
		.done = dnngov_done, .changed = dnngov_changed, \
	}

DNNGOV_CTL(sim_ctl_dnngov, "dnngov",
	   "agent manager + policy core through the sim backend (levels and frequencies)", full_init);
DNNGOV_CTL(sim_ctl_dnngov_subnet_only, "subnet-only",
	   "ablation: dnngov with every domain pinned at its maximum frequency", subnet_init);
DNNGOV_CTL(sim_ctl_dnngov_dvfs_only, "dvfs-only",
	   "ablation: dnngov with the level fixed at the scenario's start level", dvfs_init);
