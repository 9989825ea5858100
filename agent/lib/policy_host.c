// SPDX-License-Identifier: MIT
/*
 * dnngov agent: the policy host shared by the sysfs and sim backends (see
 * policy_host.h). Named and ordered after module/domain.c, whose kernel
 * equivalent it is.
 */
#include <errno.h>
#include <string.h>

#include "policy_host.h"

void dnngov_host_init(struct dnngov_policy_host *h, struct dnngov_platform *p)
{
	memset(h, 0, sizeof(*h));
	h->p = p;
}

int dnngov_host_domain_add(struct dnngov_policy_host *h,
			   const struct dnngov_domain *pd)
{
	struct dnngov_host_domain *d;

	if (h->n_dom >= DNNGOV_PLATFORM_MAX_DOMAINS)
		return -ENOSPC;
	d = &h->dom[h->n_dom];
	memset(d, 0, sizeof(*d));
	d->pd = *pd;
	d->dirty = true;
	return (int)h->n_dom++;
}

struct dnngov_host_workload *dnngov_host_workload_find(struct dnngov_policy_host *h,
						       u32 id)
{
	u32 i;

	for (i = 0; id && i < DNNGOV_POLICY_MAX_WORKLOADS; i++)
		if (h->wl[i].id == id)
			return &h->wl[i];
	dnngov_platform_errf(h->p, -ENOENT, "no workload %u", id);
	return NULL;
}

static struct dnngov_host_workload *free_slot(struct dnngov_policy_host *h)
{
	u32 i;

	for (i = 0; i < DNNGOV_POLICY_MAX_WORKLOADS; i++)
		if (!h->wl[i].id)
			return &h->wl[i];
	return NULL;
}

int dnngov_host_workload_room(struct dnngov_policy_host *h, u32 dom)
{
	if (!free_slot(h) || h->dom[dom].n_wl >= DNNGOV_POLICY_MAX_WORKLOADS)
		return dnngov_platform_errf(h->p, -ENOSPC, "too many workloads");
	return 0;
}

int dnngov_host_workload_add(struct dnngov_policy_host *h, u32 dom,
			     const struct dnngov_platform_workload *w, u32 *id)
{
	struct dnngov_host_domain *d = &h->dom[dom];
	struct dnngov_host_workload *s;
	int err = dnngov_host_workload_room(h, dom);

	if (err)
		return err;
	s = free_slot(h);
	memset(s, 0, sizeof(*s));
	s->id = ++h->next_id;
	s->dom = dom;
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

int dnngov_host_workload_change(struct dnngov_policy_host *h, u32 id,
				const struct dnngov_platform_workload *w)
{
	struct dnngov_host_workload *s = dnngov_host_workload_find(h, id);

	if (!s)
		return -ENOENT;
	s->pw.target_us = w->target_us;
	s->pw.accuracy_floor = w->accuracy_floor;
	s->pw.period_us = w->period_us;
	h->dom[s->dom].dirty = true;
	return 0;
}

int dnngov_host_workload_del(struct dnngov_policy_host *h, u32 id, u32 *dom)
{
	struct dnngov_host_workload *s = dnngov_host_workload_find(h, id);
	struct dnngov_host_domain *d;
	u32 i;

	if (!s)
		return -ENOENT;
	d = &h->dom[s->dom];
	for (i = 0; i < d->n_wl; i++) {
		if (d->wl[i] == &s->pw) {
			memmove(&d->wl[i], &d->wl[i + 1],
				(d->n_wl - i - 1) * sizeof(d->wl[0]));
			d->n_wl--;
			break;
		}
	}
	/*
	 * The slot may be reused by the next add: the decision in force must
	 * not hand this workload's slot to it.
	 */
	for (i = 0; i < d->last.dec.n_workloads; i++)
		if (d->last.wl[i] == &s->pw)
			d->last.wl[i] = NULL;
	s->id = 0;
	d->dirty = true;
	if (dom)
		*dom = s->dom;
	return 0;
}

int dnngov_host_levels_set(struct dnngov_policy_host *h, u32 id,
			   const struct dnngov_level *levels, u32 n)
{
	struct dnngov_host_workload *s = dnngov_host_workload_find(h, id);

	if (!s)
		return -ENOENT;
	if (n < 1 || n > DNNGOV_POLICY_MAX_LEVELS)
		return dnngov_platform_errf(h->p, -EINVAL,
					    "level count %u out of range 1..%u",
					    n, DNNGOV_POLICY_MAX_LEVELS);
	memcpy(s->pw.levels, levels, n * sizeof(levels[0]));
	s->pw.n_levels = n;
	if (s->pw.cur_level >= n)
		s->pw.cur_level = 0;
	h->dom[s->dom].dirty = true;
	return 0;
}

int dnngov_host_report_check(struct dnngov_policy_host *h, u32 id,
			     const struct dnngov_platform_report *r,
			     struct dnngov_host_workload **out)
{
	struct dnngov_host_workload *s = dnngov_host_workload_find(h, id);

	if (!s)
		return -ENOENT;
	if (r->level >= s->pw.n_levels)
		return dnngov_platform_errf(h->p, -EINVAL,
					    "report level %u but the table has %u",
					    r->level, s->pw.n_levels);
	*out = s;
	return 0;
}

void dnngov_host_report(struct dnngov_policy_host *h,
			struct dnngov_host_workload *w,
			const struct dnngov_report *rep)
{
	dnngov_policy_report_window(&w->pw, rep);
	h->dom[w->dom].dirty = true;
}

bool dnngov_host_sample(struct dnngov_policy_host *h, u32 dom,
			const struct dnngov_load_sample *ls)
{
	struct dnngov_host_domain *d = &h->dom[dom];
	const struct dnngov_workload *ws[DNNGOV_POLICY_MAX_WORKLOADS];
	u32 floor = d->pd.floor_khz, i;

	for (i = 0; i < d->n_wl; i++)
		ws[i] = d->wl[i];
	dnngov_policy_sample(&d->pd, ws, d->n_wl, ls);
	return d->pd.floor_khz != floor;
}

bool dnngov_host_ready(const struct dnngov_policy_host *h, u32 dom)
{
	const struct dnngov_host_domain *d = &h->dom[dom];
	u32 i;

	for (i = 0; i < d->n_wl; i++)
		if (!d->wl[i]->n_levels)
			return false;
	return d->n_wl > 0;
}

int dnngov_host_decide(struct dnngov_policy_host *h, u32 dom,
		       struct dnngov_host_decision *out)
{
	struct dnngov_host_domain *d = &h->dom[dom];
	u32 i, n = 0;
	int err;

	/* Workloads without a level table have no model yet: no demand. */
	for (i = 0; i < d->n_wl; i++)
		if (d->wl[i]->n_levels)
			out->wl[n++] = d->wl[i];
	err = dnngov_policy_decide(&d->pd, out->wl, n, &out->dec);
	if (err)
		return err;
	d->dirty = false;
	d->pd.cur_opp = out->dec.opp;
	/* the agent follows the recommendation unless it reports otherwise */
	for (i = 0; i < n; i++)
		((struct dnngov_workload *)out->wl[i])->cur_level = out->dec.level[i];
	return 0;
}

void dnngov_host_commit(struct dnngov_policy_host *h, u32 dom,
			const struct dnngov_host_decision *dec)
{
	struct dnngov_host_domain *d = &h->dom[dom];

	d->last = *dec;
	d->seq++;
}

int dnngov_host_decision_get(struct dnngov_policy_host *h, u32 id,
			     struct dnngov_platform_decision *out)
{
	struct dnngov_host_workload *s = dnngov_host_workload_find(h, id);
	const struct dnngov_host_domain *d;
	u32 j;

	if (!s)
		return -ENOENT;
	d = &h->dom[s->dom];
	if (!d->seq)
		return -ENODATA;
	for (j = 0; j < d->last.dec.n_workloads; j++) {
		if (d->last.wl[j] != &s->pw)
			continue;
		out->seq = d->seq;
		out->freq_khz = d->last.dec.freq_khz;
		out->opp = d->last.dec.opp;
		out->flags = d->last.dec.flags;
		out->level = d->last.dec.level[j];
		out->latency_us = d->last.dec.latency_us[j];
		out->wl_flags = d->last.dec.wflags[j];
		return 0;
	}
	return -ENODATA;	/* added after the decision in force */
}
