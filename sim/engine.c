// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Discrete-event engine in virtual time. Between two events every rate is
 * constant: each domain's OPP, the number of jobs in service and the
 * co-runner load, so energy and job progress are integrated exactly over
 * the interval. Jobs share a domain by processor sharing: n jobs plus a
 * co-runner of load u on c cores each progress at min(1, c / (n + u)).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double uniform01(uint64_t *x)
{
	return (splitmix64(x) >> 11) * (1.0 / 9007199254740992.0);
}

static uint64_t ms_to_ns(double ms)
{
	return (uint64_t)llround(ms * 1e6);
}

static const struct sim_domain *bdom(const struct sim *s, unsigned int d)
{
	return &s->b->dom[d];
}

static unsigned int kind_of(const struct sim *s, unsigned int d)
{
	return bdom(s, d)->kind == SIM_DOM_GPU;
}

double sim_service_ms(const struct sim *s, unsigned int w, unsigned int level,
		      unsigned int opp)
{
	const struct sim_wl *x = &s->wl[w];
	unsigned int k = kind_of(s, (unsigned int)x->dom);
	double phi = s->phi[k];
	double f = bdom(s, (unsigned int)x->dom)->opp_khz[opp];

	return x->lv[level].t_ref_ms * (phi * s->b->ref_khz[k] / f + 1.0 - phi);
}

unsigned int sim_floor_level(const struct sim *s, unsigned int w)
{
	const struct sim_wl *x = &s->wl[w];
	unsigned int j;

	for (j = 0; j < s->lib->n_levels; j++)
		if (x->lv[j].top1 >= x->spec->floor_pct)
			return j;
	return s->lib->n_levels - 1;
}

unsigned int sim_target_opp(const struct sim *s, unsigned int d)
{
	return s->dom[d].pending ? s->dom[d].pending_opp : s->dom[d].opp;
}

void sim_request_opp(struct sim *s, unsigned int d, unsigned int opp)
{
	struct sim_dom *x = &s->dom[d];
	const struct sim_domain *bd = bdom(s, d);
	double us;

	if (opp < x->lo)
		opp = x->lo;
	if (opp > x->hi)
		opp = x->hi;
	if (opp == sim_target_opp(s, d))
		return;
	if (x->pending) {
		/* A newer request replaces the one in flight; same switch. */
		x->pending_opp = opp;
		if (opp == x->opp)
			x->pending = false;
		return;
	}
	us = bd->transition_min_us +
	     (bd->transition_max_us - bd->transition_min_us) * uniform01(&x->rng);
	x->pending = true;
	x->pending_opp = opp;
	x->pending_at = s->now + (uint64_t)llround(us * 1000.0);
}

void sim_set_level(struct sim *s, unsigned int w, unsigned int level)
{
	if (level >= s->lib->n_levels)
		level = s->lib->n_levels - 1;
	s->wl[w].level = level;
}

static unsigned int opp_floor_idx(const struct sim_domain *d, uint32_t khz)
{
	unsigned int i = d->n_opps;

	while (i > 1 && d->opp_khz[i - 1] > khz)
		i--;
	return i - 1;
}

/* Limits from the power mode and any cap event; keeps the OPP inside. */
static void apply_limits(struct sim *s)
{
	unsigned int d, cpu_left = s->mode ? s->mode->cpu_online : 1000;

	for (d = 0; d < s->b->n_domains; d++) {
		const struct sim_domain *bd = bdom(s, d);
		struct sim_dom *x = &s->dom[d];
		uint32_t lo_khz = 0, hi_khz = bd->opp_khz[bd->n_opps - 1];

		if (s->mode) {
			lo_khz = bd->kind == SIM_DOM_GPU ? s->mode->gpu_min_khz : s->mode->cpu_min_khz;
			hi_khz = bd->kind == SIM_DOM_GPU ? s->mode->gpu_max_khz : s->mode->cpu_max_khz;
		}
		if (x->cap_khz && x->cap_khz < hi_khz)
			hi_khz = x->cap_khz;
		x->hi = opp_floor_idx(bd, hi_khz);
		x->lo = sim_opp_ceil(bd, lo_khz);
		if (x->lo > x->hi)
			x->lo = x->hi;
		if (bd->kind == SIM_DOM_CPU) {
			x->online = cpu_left < bd->cores ? cpu_left : bd->cores;
			cpu_left -= x->online;
		} else {
			x->online = bd->cores;
		}
		if (sim_target_opp(s, d) > x->hi || sim_target_opp(s, d) < x->lo)
			sim_request_opp(s, d, sim_target_opp(s, d));
	}
}

int sim_init(struct sim *s, const struct sim_board *b, const struct sim_scenario *sc,
	     const struct sim_library *lib, double compute_scale)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->b = b;
	s->model_b = b;
	s->plat_sample_ms = SIM_PLAT_SAMPLE_MS;
	s->sc = sc;
	s->lib = lib;
	s->mode = sim_board_find_mode(b, sc->mode);
	for (i = 0; i < 2; i++) {
		s->phi[i] = b->compute_frac[i] * compute_scale;
		if (s->phi[i] > 1.0)
			s->phi[i] = 1.0;
	}
	s->end = (uint64_t)llround(sc->duration_s * 1e9);
	for (i = 0; i < b->n_domains; i++) {
		s->dom[i].opp = b->dom[i].n_opps - 1;
		s->dom[i].rng = sc->seed * 1000003ULL + 17 * i + 1;
	}
	apply_limits(s);
	for (i = 0; i < b->n_domains; i++) {
		s->dom[i].opp = s->dom[i].hi;	/* boot clocks: the mode's maximum */
		s->dom[i].pending = false;
	}
	for (i = 0; i < sc->n_wl; i++) {
		struct sim_wl *w = &s->wl[i];

		w->spec = &sc->wl[i];
		w->dom = sim_board_find_domain(b, w->spec->domain);
		w->lv = b->dom[w->dom].kind == SIM_DOM_GPU ? lib->gpu : lib->cpu;
		w->target_ms = w->spec->target_ms;
		w->level = w->spec->start_level - 1;
		if (w->level >= lib->n_levels)
			w->level = lib->n_levels - 1;
		w->rng = sc->seed * 7919ULL + 101 * i + 3;
		w->next_arrival = UINT64_MAX;
	}
	return 0;
}

void sim_free(struct sim *s)
{
	unsigned int i;

	for (i = 0; i < SIM_MAX_WORKLOADS; i++) {
		free(s->wl[i].lat);
		s->wl[i].lat = NULL;
	}
}

static double dom_scale(const struct sim *s, unsigned int d)
{
	const struct sim_dom *x = &s->dom[d];
	double demand = x->n_run + x->corunner, cap = x->online;

	return demand > cap ? cap / demand : 1.0;
}

/* Nominal service time (ns) of the job in service at the current OPP. */
static double job_ns(const struct sim *s, unsigned int w)
{
	const struct sim_wl *x = &s->wl[w];

	return sim_service_ms(s, w, x->run_level, s->dom[x->dom].opp) * 1e6;
}

static void advance(struct sim *s, uint64_t to)
{
	double dt = (double)(to - s->now);
	unsigned int d, w;

	if (to <= s->now)
		return;
	for (w = 0; w < s->sc->n_wl; w++) {
		struct sim_wl *x = &s->wl[w];

		if (!x->running)
			continue;
		x->remaining -= dt * dom_scale(s, (unsigned int)x->dom) / job_ns(s, w);
		x->busy_ns += dt;
	}
	for (d = 0; d < s->b->n_domains; d++) {
		struct sim_dom *x = &s->dom[d];
		const struct sim_domain *bd = bdom(s, d);
		double busy, umax, p;

		if (!x->online)
			continue;
		busy = x->n_run + x->corunner;
		if (busy > x->online)
			busy = x->online;
		umax = x->n_run ? 1.0 : (x->corunner < 1.0 ? x->corunner : 1.0);
		p = busy * sim_core_power_w(bd, x->opp, 1.0) +
		    (x->online - busy) * sim_core_power_w(bd, x->opp, 0.0);
		x->energy_j += p * dt * 1e-9;
		x->busy_core_ns += busy * dt;
		x->busy_max_ns += umax * dt;
		x->dnn_busy_ns += x->n_run * dom_scale(s, d) * dt;
	}
	s->base_energy_j += s->b->base_w * dt * 1e-9;
	s->now = to;
}

static int push_arrival(struct sim *s, unsigned int w, uint64_t t)
{
	struct sim_wl *x = &s->wl[w];

	if (x->qn == SIM_QUEUE) {
		/* Queue full: the oldest request is dropped and counts as missed. */
		x->qh = (x->qh + 1) % SIM_QUEUE;
		x->qn--;
		x->n_dropped++;
		x->n_miss++;
	}
	x->q[(x->qh + x->qn) % SIM_QUEUE] = t;
	x->qn++;
	return 0;
}

static void start_job(struct sim *s, unsigned int w)
{
	struct sim_wl *x = &s->wl[w];

	if (x->running || !x->qn || !x->present)
		return;
	x->run_arrival = x->q[x->qh];
	x->run_start = s->now;
	x->qh = (x->qh + 1) % SIM_QUEUE;
	x->qn--;
	x->running = true;
	x->run_level = x->level;
	x->remaining = 1.0 + s->sc->jitter * (2.0 * uniform01(&x->rng) - 1.0);
	s->dom[x->dom].n_run++;
}

static int record_latency(struct sim_wl *x, double ms)
{
	if (x->n_lat == x->cap_lat) {
		size_t cap = x->cap_lat ? 2 * x->cap_lat : 1024;
		double *p = realloc(x->lat, cap * sizeof(*p));

		if (!p)
			return -1;
		x->lat = p;
		x->cap_lat = cap;
	}
	x->lat[x->n_lat++] = ms;
	return 0;
}

static int finish_job(struct sim *s, unsigned int w)
{
	struct sim_wl *x = &s->wl[w];
	double ms = (double)(s->now - x->run_arrival) / 1e6;

	x->running = false;
	s->dom[x->dom].n_run--;
	x->n_done++;
	x->acc_sum += x->lv[x->run_level].top1;
	x->last_latency_ms = ms;
	if (ms > x->target_ms)
		x->n_miss++;
	if (record_latency(x, ms))
		return -1;
	if (x->spec->arrival == SIM_ARR_BACK_TO_BACK)
		push_arrival(s, w, s->now);
	if (s->ctl->done)
		s->ctl->done(s, s->ctx, w, ms, x->run_level);
	start_job(s, w);
	return 0;
}

static void wl_start(struct sim *s, unsigned int w)
{
	struct sim_wl *x = &s->wl[w];

	x->present = true;
	if (x->spec->arrival == SIM_ARR_BACK_TO_BACK) {
		push_arrival(s, w, s->now);
		x->next_arrival = UINT64_MAX;
	} else {
		x->next_arrival = s->now;
	}
}

static void wl_stop(struct sim *s, unsigned int w)
{
	struct sim_wl *x = &s->wl[w];

	if (x->running)
		s->dom[x->dom].n_run--;
	x->running = false;
	x->qn = 0;
	x->present = false;
	x->next_arrival = UINT64_MAX;
}

static void apply_event(struct sim *s, const struct sim_event_spec *e)
{
	unsigned int i;

	switch (e->kind) {
	case SIM_EV_TARGET:
		for (i = 0; i < s->sc->n_wl; i++)
			if (!strcmp(s->wl[i].spec->name, e->workload))
				s->wl[i].target_ms = e->target_ms;
		break;
	case SIM_EV_CORUNNER:
		s->dom[sim_board_find_domain(s->b, e->domain)].corunner = e->share;
		break;
	case SIM_EV_LIMIT:
		s->dom[sim_board_find_domain(s->b, e->domain)].cap_khz = e->max_khz;
		apply_limits(s);
		break;
	case SIM_EV_MODE:
		s->mode = sim_board_find_mode(s->b, e->mode);
		apply_limits(s);
		break;
	}
}

static void trace_header(struct sim *s)
{
	unsigned int i;

	fprintf(s->trace, "t_s");
	for (i = 0; i < s->b->n_domains; i++)
		fprintf(s->trace, ",%s_mhz", s->b->dom[i].name);
	for (i = 0; i < s->sc->n_wl; i++)
		fprintf(s->trace, ",%s_level,%s_latency_ms,%s_target_ms", s->wl[i].spec->name,
			s->wl[i].spec->name, s->wl[i].spec->name);
	fprintf(s->trace, ",power_w\n");
}

static double total_energy(const struct sim *s)
{
	double e = 0;
	unsigned int d;

	for (d = 0; d < s->b->n_domains; d++)
		e += s->dom[d].energy_j;
	return e;
}

static void trace_row(struct sim *s)
{
	double e = total_energy(s);
	unsigned int i;

	fprintf(s->trace, "%.3f", s->now / 1e9);
	for (i = 0; i < s->b->n_domains; i++)
		fprintf(s->trace, ",%.1f", s->dom[i].online ?
			s->b->dom[i].opp_khz[s->dom[i].opp] / 1000.0 : 0.0);
	for (i = 0; i < s->sc->n_wl; i++) {
		const struct sim_wl *x = &s->wl[i];

		if (x->present)
			fprintf(s->trace, ",%u,%.2f,%.1f", x->level + 1, x->last_latency_ms, x->target_ms);
		else
			fprintf(s->trace, ",,,");
	}
	fprintf(s->trace, ",%.3f\n", (e - s->trace_energy) / (s->trace_ns / 1e9));
	s->trace_energy = e;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int summarise(struct sim *s, struct sim_result *r)
{
	size_t n = 0, k = 0;
	double acc = 0, *all;
	unsigned int w, d;

	memset(r, 0, sizeof(*r));
	r->duration_s = s->end / 1e9;
	r->energy_j = total_energy(s);
	r->board_energy_j = r->energy_j + s->base_energy_j;
	for (d = 0; d < s->b->n_domains; d++) {
		r->transitions += s->dom[d].transitions;
		if (s->b->dom[d].kind == SIM_DOM_GPU)
			r->gpu_energy_j += s->dom[d].energy_j;
		else
			r->cpu_energy_j += s->dom[d].energy_j;
	}
	for (w = 0; w < s->sc->n_wl; w++) {
		struct sim_wl *x = &s->wl[w];
		uint64_t over = 0;
		unsigned int i;

		/* Requests still waiting past their deadline count as missed. */
		if (x->running && s->now - x->run_arrival > ms_to_ns(x->target_ms))
			over++;
		for (i = 0; i < x->qn; i++)
			if (s->now - x->q[(x->qh + i) % SIM_QUEUE] > ms_to_ns(x->target_ms))
				over++;
		x->n_unfinished = over;
		r->n_done += x->n_done;
		r->n_miss += x->n_miss + over;
		r->n_unfinished += over + x->n_dropped;
		acc += x->acc_sum;
		n += x->n_lat;
	}
	if (r->n_done)
		r->acc_mean = acc / r->n_done;
	if (r->n_done + r->n_unfinished)
		r->miss_rate = (double)r->n_miss / (r->n_done + r->n_unfinished);
	r->j_per_inf = r->n_done ? r->energy_j / r->n_done : 0;
	if (!n)
		return 0;
	all = malloc(n * sizeof(*all));
	if (!all)
		return -1;
	for (w = 0; w < s->sc->n_wl; w++) {
		memcpy(all + k, s->wl[w].lat, s->wl[w].n_lat * sizeof(*all));
		k += s->wl[w].n_lat;
	}
	qsort(all, n, sizeof(*all), cmp_double);
	/* Nearest-rank percentiles. */
	r->p50_ms = all[(size_t)ceil(0.50 * n) - 1];
	r->p99_ms = all[(size_t)ceil(0.99 * n) - 1];
	free(all);
	return 0;
}

#define EARLIER(t, cand) do { if ((cand) < (t)) (t) = (cand); } while (0)

int sim_run(struct sim *s, const struct sim_ctl *ctl, FILE *trace,
	    struct sim_result *res, char *err, size_t errlen)
{
	struct timespec t0, t1;
	unsigned int w, d;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	s->ctl = ctl;
	s->trace = trace;
	s->trace_ns = 10 * SIM_NS_PER_MS;
	s->next_trace = trace ? s->trace_ns : UINT64_MAX;
	for (w = 0; w < s->sc->n_wl; w++) {
		if (!s->dom[s->wl[w].dom].online) {
			snprintf(err, errlen, "%s: workload '%s' is on domain '%s', which mode '%s' turns off",
				 s->sc->path, s->wl[w].spec->name, s->wl[w].spec->domain, s->sc->mode);
			return -1;
		}
		if (s->wl[w].spec->start_s == 0)
			wl_start(s, w);
	}
	if (ctl->init && ctl->init(s, &s->ctx)) {
		snprintf(err, errlen, "contender %s: initialisation failed", ctl->name);
		return -1;
	}
	if (trace)
		trace_header(s);
	s->next_tick = ctl->tick_ns ? ctl->tick_ns : UINT64_MAX;
	for (w = 0; w < s->sc->n_wl; w++)
		start_job(s, w);

	while (s->now < s->end) {
		uint64_t t = s->end;
		bool changed = false;

		EARLIER(t, s->next_tick);
		EARLIER(t, s->next_trace);
		if (s->next_ev < s->sc->n_ev)
			EARLIER(t, (uint64_t)llround(s->sc->ev[s->next_ev].at_s * 1e9));
		for (d = 0; d < s->b->n_domains; d++)
			if (s->dom[d].pending)
				EARLIER(t, s->dom[d].pending_at);
		for (w = 0; w < s->sc->n_wl; w++) {
			struct sim_wl *x = &s->wl[w];
			uint64_t start = (uint64_t)llround(x->spec->start_s * 1e9);
			uint64_t stop = (uint64_t)llround(x->spec->stop_s * 1e9);

			if (!x->present && start > s->now)
				EARLIER(t, start);
			if (x->present && x->spec->stop_s > 0)
				EARLIER(t, stop);
			EARLIER(t, x->next_arrival);
			if (x->running) {
				double ns = x->remaining * job_ns(s, w) /
					    dom_scale(s, (unsigned int)x->dom);
				uint64_t due = s->now + (ns > 0 ? (uint64_t)ceil(ns) : 0);

				EARLIER(t, due);
			}
		}
		advance(s, t);

		for (d = 0; d < s->b->n_domains; d++) {
			struct sim_dom *x = &s->dom[d];

			if (x->pending && x->pending_at <= s->now) {
				x->pending = false;
				if (x->pending_opp != x->opp)
					x->transitions++;
				x->opp = x->pending_opp;
			}
		}
		for (w = 0; w < s->sc->n_wl; w++)
			if (s->wl[w].running && s->wl[w].remaining <= 1e-9)
				if (finish_job(s, w)) {
					snprintf(err, errlen, "out of memory");
					return -1;
				}
		while (s->next_ev < s->sc->n_ev &&
		       (uint64_t)llround(s->sc->ev[s->next_ev].at_s * 1e9) <= s->now) {
			apply_event(s, &s->sc->ev[s->next_ev++]);
			changed = true;
		}
		for (w = 0; w < s->sc->n_wl; w++) {
			struct sim_wl *x = &s->wl[w];

			if (!x->present && x->n_done == 0 && x->qn == 0 && !x->running &&
			    x->spec->start_s > 0 && (uint64_t)llround(x->spec->start_s * 1e9) <= s->now &&
			    (x->spec->stop_s == 0 || (uint64_t)llround(x->spec->stop_s * 1e9) > s->now)) {
				wl_start(s, w);
				changed = true;
			}
			if (x->present && x->spec->stop_s > 0 &&
			    (uint64_t)llround(x->spec->stop_s * 1e9) <= s->now) {
				wl_stop(s, w);
				changed = true;
			}
		}
		if (changed && ctl->changed)
			ctl->changed(s, s->ctx);
		for (w = 0; w < s->sc->n_wl; w++) {
			struct sim_wl *x = &s->wl[w];

			while (x->present && x->next_arrival <= s->now) {
				unsigned int k, n = x->spec->arrival == SIM_ARR_BURST ? x->spec->burst_n : 1;

				for (k = 0; k < n; k++)
					push_arrival(s, w, x->next_arrival);
				x->next_arrival += ms_to_ns(x->spec->period_ms);
			}
			start_job(s, w);
		}
		if (s->next_tick <= s->now) {
			ctl->tick(s, s->ctx);
			s->next_tick += ctl->tick_ns;
			for (w = 0; w < s->sc->n_wl; w++)
				start_job(s, w);
		}
		if (s->next_trace <= s->now) {
			trace_row(s);
			s->next_trace += s->trace_ns;
		}
	}
	if (ctl->fini)
		ctl->fini(s->ctx);
	s->ctx = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (summarise(s, res)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	res->wall_s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	return 0;
}
