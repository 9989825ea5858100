// SPDX-License-Identifier: MIT
/*
 * dnngov agent: the runtime manager (manager.h). Pure logic on fixed-size
 * state; all time is passed in, all platform effects go through platform.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manager.h"

/* queueing ratio cap: a service target down to 1/16 of the target */
#define QUEUE_PM_MAX	16000
#define NO_LEVEL UINT32_MAX

struct mwl {
	bool used;
	bool registered;	/* known to the platform */
	bool dirty_params;	/* target/floor/period to push */
	bool dirty_levels;	/* level table to push */
	bool report_now;	/* a miss or change: report at the next tick */
	char name[DNNGOV_MANAGER_NAME_MAX];
	char domain[DNNGOV_DOMAIN_NAME_MAX];
	u32 target_us;
	u32 accuracy_floor;
	u32 period_us;
	u32 n_levels;
	struct dnngov_level levels[DNNGOV_POLICY_MAX_LEVELS];
	u32 platform_id;

	u32 level;		/* next level to use */
	u32 floor_level;	/* lowest level meeting the accuracy floor */
	u32 recommended;	/* platform's recommendation, NO_LEVEL if none */
	u32 ok_run;		/* consecutive inferences with slack */

	u64 dec_seq;
	u32 freq_khz;
	u32 decision_flags;
	u32 last_level;		/* level and frequency of the last inference */
	u32 last_khz;
	u32 last_service_us;	/* its service time (no queueing) */

	/* report window */
	u32 win_count[DNNGOV_POLICY_MAX_LEVELS];
	u64 win_lat_us[DNNGOV_POLICY_MAX_LEVELS];
	u32 win_max_us[DNNGOV_POLICY_MAX_LEVELS];
	u64 win_busy_us;
	u32 win_queue_pm;	/* largest latency / service time, per mille */

	/*
	 * Queueing allowance: the platform plans service times, so it gets
	 * the target divided by how much longer than their service time the
	 * inferences take end to end (a burst or backlog waits behind runs
	 * of the same workload, so the wait scales with the service time).
	 */
	u32 queue_pm;		/* learned ratio, per mille (>= 1000) */
	u32 pushed_target_us;	/* service target the platform has */
	u64 last_report_ns;
	bool reported_once;

	/* statistics */
	u64 inferences;
	u64 misses;
	u32 last_latency_us;
	u32 mean_latency_us;
	u64 accuracy_sum;
	u64 level_changes;
	u64 decisions;
};

struct dnngov_manager {
	struct dnngov_platform *plat;
	struct dnngov_manager_config cfg;
	struct mwl wl[DNNGOV_MANAGER_MAX_WORKLOADS];
	char errmsg[DNNGOV_PLATFORM_ERRMSG_MAX];
};

void dnngov_manager_config_default(struct dnngov_manager_config *cfg)
{
	cfg->up_after = 3;
	cfg->up_slack_pct = 10;
	cfg->report_period_ns = 100000000ULL;
	cfg->ref_khz = 1000000;
}

static void seterr(struct dnngov_manager *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void seterr(struct dnngov_manager *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->errmsg, sizeof(m->errmsg), fmt, ap);
	va_end(ap);
}

int dnngov_manager_create(struct dnngov_platform *plat,
			  const struct dnngov_manager_config *cfg,
			  struct dnngov_manager **out)
{
	struct dnngov_manager *m;

	*out = NULL;
	if (cfg && (cfg->up_after == 0 || cfg->up_slack_pct >= 100))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->plat = plat;
	if (cfg)
		m->cfg = *cfg;
	else
		dnngov_manager_config_default(&m->cfg);
	if (!m->cfg.ref_khz)
		m->cfg.ref_khz = 1000000;
	*out = m;
	return 0;
}

static bool has_platform(const struct dnngov_manager *m, const struct mwl *w)
{
	return m->plat && m->plat->ops && w->domain[0];
}

static void unregister(struct dnngov_manager *m, struct mwl *w)
{
	if (w->registered && m->plat->ops->workload_del &&
	    m->plat->ops->workload_del(m->plat, w->platform_id) < 0)
		seterr(m, "workload %s: delete: %s", w->name,
		       m->plat->errmsg);
	w->registered = false;
	w->platform_id = 0;
}

void dnngov_manager_destroy(struct dnngov_manager *m)
{
	u32 i;

	if (!m)
		return;
	for (i = 0; i < DNNGOV_MANAGER_MAX_WORKLOADS; i++)
		if (m->wl[i].used && has_platform(m, &m->wl[i]))
			unregister(m, &m->wl[i]);
	free(m);
}

static struct mwl *get(struct dnngov_manager *m, int h)
{
	if (h < 0 || h >= DNNGOV_MANAGER_MAX_WORKLOADS || !m->wl[h].used)
		return NULL;
	return &m->wl[h];
}

static const struct mwl *cget(const struct dnngov_manager *m, int h)
{
	if (h < 0 || h >= DNNGOV_MANAGER_MAX_WORKLOADS || !m->wl[h].used)
		return NULL;
	return &m->wl[h];
}

/* Modelled latency (us, no slowdown) of a level at @khz. */
static u64 model_us(const struct dnngov_manager *m, const struct mwl *w,
		    u32 level, u32 khz)
{
	const struct dnngov_level *l = &w->levels[level];

	if (!khz)
		khz = m->cfg.ref_khz;
	return l->cycles * 1000 / khz + l->fixed_us;
}

/*
 * Latency of @to predicted from a measurement at @from: the measurement
 * carries interference and model error, so scale it by the model's ratio.
 */
static u64 predict_us(const struct dnngov_manager *m, const struct mwl *w,
		      u32 from, u64 measured_us, u32 to)
{
	u64 a = model_us(m, w, from, w->freq_khz);
	u64 b = model_us(m, w, to, w->freq_khz);

	if (!a)
		return b;
	return (measured_us * b + a - 1) / a;
}

static int check_levels(const struct dnngov_level *l, u32 n, char *err,
			unsigned int len)
{
	u32 i;

	if (n < 1 || n > DNNGOV_POLICY_MAX_LEVELS) {
		snprintf(err, len, "level count %u is out of range 1..%u", n,
			 DNNGOV_POLICY_MAX_LEVELS);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (l[i].accuracy > DNNGOV_ACC_MAX) {
			snprintf(err, len,
				 "level %u: accuracy %u is above %u (100.00 %%)",
				 i, l[i].accuracy, DNNGOV_ACC_MAX);
			return -EINVAL;
		}
		if (l[i].cycles == 0 && l[i].fixed_us == 0) {
			snprintf(err, len,
				 "level %u has no latency model (cycles and fixed time are 0)",
				 i);
			return -EINVAL;
		}
		if (i && l[i].accuracy < l[i - 1].accuracy) {
			snprintf(err, len,
				 "level %u is less accurate than level %u: order levels from least to most accurate",
				 i, i - 1);
			return -EINVAL;
		}
	}
	return 0;
}

static u32 floor_level_of(const struct mwl *w)
{
	u32 i;

	for (i = 0; i < w->n_levels; i++)
		if (w->levels[i].accuracy >= w->accuracy_floor)
			return i;
	return w->n_levels - 1;	/* floor above every level: best we have */
}

static u32 cap_of(const struct mwl *w)
{
	u32 cap = w->n_levels - 1;

	if (w->recommended != NO_LEVEL && w->recommended < cap)
		cap = w->recommended;
	return cap < w->floor_level ? w->floor_level : cap;
}

/* Target for the service time: the latency target divided by the
 * queueing ratio. */
static u32 service_target(const struct mwl *w)
{
	u64 t = w->queue_pm > 1000 ? (u64)w->target_us * 1000 / w->queue_pm : w->target_us;

	return t ? (u32)t : 1;
}

/* Highest level in [floor, cap] the model says meets the target at freq. */
static u32 initial_level(const struct dnngov_manager *m, const struct mwl *w)
{
	u32 j = cap_of(w);

	while (j > w->floor_level && model_us(m, w, j, w->freq_khz) > service_target(w))
		j--;
	return j;
}

static void set_level(struct mwl *w, u32 level)
{
	if (level != w->level) {
		w->level = level;
		w->level_changes++;
		w->ok_run = 0;
	}
}

static void copy_name(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static void platform_desc(struct mwl *w, struct dnngov_platform_workload *pw)
{
	pw->domain = w->domain;
	pw->name = w->name;
	pw->target_us = service_target(w);
	w->pushed_target_us = pw->target_us;
	pw->accuracy_floor = w->accuracy_floor;
	pw->period_us = w->period_us;
}

/* Register @w on the platform with its table; 0 or the platform's error. */
static int do_register(struct dnngov_manager *m, struct mwl *w)
{
	struct dnngov_platform *p = m->plat;
	struct dnngov_platform_workload pw;
	struct dnngov_platform_domain d;
	int err;

	platform_desc(w, &pw);
	err = p->ops->workload_add(p, &pw, &w->platform_id);
	if (err < 0) {
		seterr(m, "workload %s on %s: %s", w->name, w->domain,
		       p->errmsg);
		return err;
	}
	w->registered = true;
	err = p->ops->set_levels(p, w->platform_id, w->levels, w->n_levels);
	if (err < 0) {
		seterr(m, "workload %s: levels: %s", w->name, p->errmsg);
		unregister(m, w);
		return err;
	}
	w->dirty_params = false;
	w->dirty_levels = false;
	if (p->ops->domain_get && p->ops->domain_get(p, w->domain, &d) == 0)
		w->freq_khz = d.cur_khz;
	return 0;
}

static int validate_params(u32 target_us, u32 floor, char *err,
			   unsigned int len)
{
	if (target_us == 0 || target_us > DNNGOV_TIME_US_MAX) {
		snprintf(err, len, "latency target %u us is out of range 1..%u",
			 target_us, DNNGOV_TIME_US_MAX);
		return -EINVAL;
	}
	if (floor > DNNGOV_ACC_MAX) {
		snprintf(err, len,
			 "accuracy floor %u is above %u (100.00 %%)", floor,
			 DNNGOV_ACC_MAX);
		return -EINVAL;
	}
	return 0;
}

int dnngov_manager_add(struct dnngov_manager *m,
		       const struct dnngov_manager_workload *d, int *handle,
		       char *err, unsigned int err_len)
{
	char tmp[DNNGOV_PLATFORM_ERRMSG_MAX];
	struct mwl *w = NULL;
	int i, ret;

	if (!err) {
		err = tmp;
		err_len = sizeof(tmp);
	}
	if (err_len)
		err[0] = '\0';
	if (!d->name || !d->name[0]) {
		snprintf(err, err_len, "workload has no name");
		return -EINVAL;
	}
	if (dnngov_manager_find(m, d->name) >= 0) {
		snprintf(err, err_len, "workload %s exists already", d->name);
		return -EEXIST;
	}
	ret = validate_params(d->target_us, d->accuracy_floor, err, err_len);
	if (!ret)
		ret = check_levels(d->levels, d->n_levels, err, err_len);
	if (ret)
		return ret;
	for (i = 0; i < DNNGOV_MANAGER_MAX_WORKLOADS; i++) {
		if (!m->wl[i].used) {
			w = &m->wl[i];
			break;
		}
	}
	if (!w) {
		snprintf(err, err_len, "too many workloads (at most %d)",
			 DNNGOV_MANAGER_MAX_WORKLOADS);
		return -ENOSPC;
	}
	memset(w, 0, sizeof(*w));
	copy_name(w->name, sizeof(w->name), d->name);
	copy_name(w->domain, sizeof(w->domain), d->domain);
	w->target_us = d->target_us;
	w->accuracy_floor = d->accuracy_floor;
	w->period_us = d->period_us;
	w->n_levels = d->n_levels;
	memcpy(w->levels, d->levels, sizeof(w->levels[0]) * d->n_levels);
	w->recommended = NO_LEVEL;
	w->floor_level = floor_level_of(w);
	if (has_platform(m, w)) {
		ret = do_register(m, w);
		if (ret) {
			snprintf(err, err_len, "%s", m->errmsg);
			return ret;
		}
	}
	w->level = initial_level(m, w);
	w->used = true;
	*handle = i;
	return 0;
}

int dnngov_manager_change(struct dnngov_manager *m, int handle, u32 target_us,
			  u32 accuracy_floor, u32 period_us)
{
	struct mwl *w = get(m, handle);

	if (!w)
		return -ENOENT;
	if (validate_params(target_us, accuracy_floor, m->errmsg,
			    sizeof(m->errmsg)))
		return -EINVAL;
	if (w->target_us == target_us && w->accuracy_floor == accuracy_floor &&
	    w->period_us == period_us)
		return 0;
	w->target_us = target_us;
	w->accuracy_floor = accuracy_floor;
	w->period_us = period_us;
	w->floor_level = floor_level_of(w);
	if (w->level < w->floor_level)
		set_level(w, w->floor_level);
	w->ok_run = 0;
	w->dirty_params = true;
	w->report_now = true;
	return 0;
}

int dnngov_manager_set_levels(struct dnngov_manager *m, int handle,
			      const struct dnngov_level *levels, u32 n)
{
	struct mwl *w = get(m, handle);

	if (!w)
		return -ENOENT;
	if (check_levels(levels, n, m->errmsg, sizeof(m->errmsg)))
		return -EINVAL;
	memcpy(w->levels, levels, sizeof(levels[0]) * n);
	w->n_levels = n;
	w->floor_level = floor_level_of(w);
	w->recommended = NO_LEVEL;
	memset(w->win_count, 0, sizeof(w->win_count));
	memset(w->win_lat_us, 0, sizeof(w->win_lat_us));
	memset(w->win_max_us, 0, sizeof(w->win_max_us));
	w->win_busy_us = 0;
	if (w->level >= n || w->level < w->floor_level)
		set_level(w, initial_level(m, w));
	w->dirty_levels = true;
	return 0;
}

int dnngov_manager_remove(struct dnngov_manager *m, int handle)
{
	struct mwl *w = get(m, handle);

	if (!w)
		return -ENOENT;
	if (has_platform(m, w))
		unregister(m, w);
	w->used = false;
	return 0;
}

u32 dnngov_manager_level(const struct dnngov_manager *m, int handle)
{
	const struct mwl *w = cget(m, handle);

	return w ? w->level : NO_LEVEL;
}

static u64 ns_to_us(u64 ns)
{
	u64 us = (ns + 999) / 1000;

	if (us == 0)
		us = 1;
	return us > UINT32_MAX ? UINT32_MAX : us;
}

/*
 * The service time (the inference's own run time) is what the platform
 * learns from: busy time and the latency reports behind the slowdown.
 * Queueing before the run says nothing about the speed of the level or the
 * frequency; counted in, a burst would be learned as a slower processor.
 * Deadlines are the user's end-to-end latency (arrival to result), and the
 * wait seen by this inference is carried over to predictions at other
 * levels.
 */
u32 dnngov_manager_infer_done(struct dnngov_manager *m, int handle,
			      u32 level_used, u64 service_ns, u64 latency_ns,
			      u64 now_ns)
{
	struct mwl *w = get(m, handle);
	u64 lat_us, svc_us, wait_us;
	u32 cap, j;

	(void)now_ns;	/* reports are timed by tick() */
	if (!w)
		return NO_LEVEL;
	if (level_used >= w->n_levels)
		level_used = w->level;
	if (latency_ns < service_ns)
		latency_ns = service_ns;
	lat_us = ns_to_us(latency_ns);
	svc_us = ns_to_us(service_ns);
	wait_us = lat_us - svc_us;

	w->inferences++;
	w->last_latency_us = (u32)lat_us;
	w->last_service_us = (u32)svc_us;
	w->last_level = level_used;
	w->last_khz = w->freq_khz;
	if (w->inferences == 1)
		w->mean_latency_us = (u32)lat_us;
	else
		w->mean_latency_us = (u32)(((u64)w->mean_latency_us * 7 +
					    lat_us) / 8);
	w->accuracy_sum += w->levels[level_used].accuracy;
	w->win_count[level_used]++;
	w->win_lat_us[level_used] += svc_us;
	if (svc_us > w->win_max_us[level_used])
		w->win_max_us[level_used] = (u32)svc_us;
	w->win_busy_us += svc_us;
	if (wait_us) {
		u64 q = lat_us * 1000 / svc_us;

		q = q > QUEUE_PM_MAX ? QUEUE_PM_MAX : q;
		if (q > w->win_queue_pm)
			w->win_queue_pm = (u32)q;
	}

	cap = cap_of(w);
	if (lat_us > w->target_us) {
		/* Deadline missed: drop at once to the highest level that the
		 * measurement, scaled by the model, says fits. */
		w->misses++;
		w->report_now = true;
		w->ok_run = 0;
		j = level_used < w->level ? level_used : w->level;
		if (j < w->floor_level)		/* ran before a floor was raised */
			j = w->floor_level;
		if (j > w->floor_level) {
			j--;
			while (j > w->floor_level &&
			       wait_us + predict_us(m, w, level_used, svc_us, j) >
			       w->target_us)
				j--;
		}
		set_level(w, j);
		return w->level;
	}
	if (w->level > cap) {
		set_level(w, cap);
		return w->level;
	}
	/* Step up only after up_after consecutive inferences with slack at
	 * the next level (hysteresis against ping-pong). */
	if (level_used == w->level && w->level < cap &&
	    (wait_us + predict_us(m, w, level_used, svc_us, level_used + 1)) * 100 <=
	    (u64)w->target_us * (100 - m->cfg.up_slack_pct)) {
		if (++w->ok_run >= m->cfg.up_after)
			set_level(w, w->level + 1);
	} else {
		w->ok_run = 0;
	}
	return w->level;
}

/*
 * Follow the window's largest queueing ratio: up at once, down by 1/16 of
 * the gap per window (a burst pattern keeps its allowance between
 * bursts). The platform's target changes when it moves by more than 5 %
 * of the target (scheduling noise stays below that).
 */
static void learn_wait(struct mwl *w)
{
	u32 seen = w->win_queue_pm < 1000 ? 1000 : w->win_queue_pm, t;

	w->win_queue_pm = 0;
	if (w->queue_pm < 1000)
		w->queue_pm = 1000;
	if (seen >= w->queue_pm)
		w->queue_pm = seen;
	else
		w->queue_pm -= (w->queue_pm - seen + 15) / 16;
	t = service_target(w);
	if ((u64)(t > w->pushed_target_us ? t - w->pushed_target_us :
		  w->pushed_target_us - t) * 20 > w->target_us)
		w->dirty_params = true;
}

/* Report the window: the most used level, its mean latency and count. */
static int send_report(struct dnngov_manager *m, struct mwl *w)
{
	struct dnngov_platform_report r = { 0 };
	u32 i, best = 0;
	int err;

	for (i = 1; i < w->n_levels; i++)
		if (w->win_count[i] > w->win_count[best])
			best = i;
	if (!w->win_count[best])
		return 0;
	r.level = best;
	r.count = w->win_count[best];
	r.latency_us = (u32)((w->win_lat_us[best] + r.count / 2) / r.count);
	if (!r.latency_us)
		r.latency_us = 1;
	r.latency_max_us = w->win_max_us[best] > r.latency_us ?
		w->win_max_us[best] : r.latency_us;
	r.busy_us = w->win_busy_us;
	err = m->plat->ops->report(m->plat, w->platform_id, &r);
	memset(w->win_count, 0, sizeof(w->win_count));
	memset(w->win_lat_us, 0, sizeof(w->win_lat_us));
	memset(w->win_max_us, 0, sizeof(w->win_max_us));
	w->win_busy_us = 0;
	learn_wait(w);
	if (err < 0)
		seterr(m, "workload %s: report: %s", w->name, m->plat->errmsg);
	return err;
}

/* Latency of level @to at @khz predicted from the last measurement. */
static u64 predict_at(const struct dnngov_manager *m, const struct mwl *w,
		      u32 to, u32 khz)
{
	u64 a = model_us(m, w, w->last_level, w->last_khz);
	u64 b = model_us(m, w, to, khz);

	if (!a)
		return b;
	return ((u64)w->last_service_us * b + a - 1) / a;
}

/*
 * Follow a new decision: its frequency, and its level as the cap. Down at
 * once; up only as far as the last measurement, carried to the new
 * frequency by the model, says fits: a decision taken for another workload
 * must not undo a drop this workload's misses just made.
 */
static void follow(struct dnngov_manager *m, struct mwl *w)
{
	struct dnngov_platform_decision d;
	u32 rec, j;

	if (!m->plat->ops->decision ||
	    m->plat->ops->decision(m->plat, w->platform_id, &d) < 0)
		return;
	if (d.seq == 0 || d.seq == w->dec_seq)
		return;
	w->dec_seq = d.seq;
	w->decisions++;
	w->freq_khz = d.freq_khz;
	w->decision_flags = d.flags;
	rec = d.level < w->n_levels ? d.level : w->n_levels - 1;
	w->recommended = rec;
	j = rec < w->floor_level ? w->floor_level : rec;
	if (w->inferences && j > w->last_level)
		while (j > w->floor_level && j > w->last_level &&
		       predict_at(m, w, j, d.freq_khz) > service_target(w))
			j--;
	set_level(w, j);
}

int dnngov_manager_tick(struct dnngov_manager *m, u64 now_ns)
{
	struct dnngov_platform *p = m->plat;
	int first = 0, err;
	u32 i;

	if (!p || !p->ops)
		return 0;
	for (i = 0; i < DNNGOV_MANAGER_MAX_WORKLOADS; i++) {
		struct mwl *w = &m->wl[i];
		struct dnngov_platform_workload pw;

		if (!w->used || !has_platform(m, w))
			continue;
		if (!w->registered) {
			err = do_register(m, w);
			if (err) {
				first = first ? first : err;
				continue;
			}
		}
		if (w->dirty_params) {
			platform_desc(w, &pw);
			err = p->ops->workload_change(p, w->platform_id, &pw);
			if (err < 0) {
				seterr(m, "workload %s: change: %s", w->name,
				       p->errmsg);
				first = first ? first : err;
			} else {
				w->dirty_params = false;
			}
		}
		if (w->dirty_levels) {
			err = p->ops->set_levels(p, w->platform_id, w->levels,
						 w->n_levels);
			if (err < 0) {
				seterr(m, "workload %s: levels: %s", w->name,
				       p->errmsg);
				first = first ? first : err;
			} else {
				w->dirty_levels = false;
			}
		}
		if (w->report_now || !w->reported_once ||
		    now_ns - w->last_report_ns >= m->cfg.report_period_ns) {
			bool any = false;
			u32 j;

			for (j = 0; j < w->n_levels; j++)
				any |= w->win_count[j] != 0;
			if (any) {
				err = send_report(m, w);
				if (err < 0)
					first = first ? first : err;
				w->report_now = false;
				w->reported_once = true;
				w->last_report_ns = now_ns;
			}
		}
	}
	if (p->ops->tick) {
		err = p->ops->tick(p, now_ns);
		if (err < 0) {
			seterr(m, "platform %s: %s", p->ops->name, p->errmsg);
			first = first ? first : err;
		}
	}
	for (i = 0; i < DNNGOV_MANAGER_MAX_WORKLOADS; i++)
		if (m->wl[i].used && m->wl[i].registered)
			follow(m, &m->wl[i]);
	return first;
}

int dnngov_manager_stats(const struct dnngov_manager *m, int handle,
			 struct dnngov_manager_stats *out)
{
	const struct mwl *w = cget(m, handle);

	if (!w)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	copy_name(out->name, sizeof(out->name), w->name);
	copy_name(out->domain, sizeof(out->domain), w->domain);
	out->platform_id = w->registered ? w->platform_id : 0;
	out->level = w->level;
	out->recommended = w->recommended;
	out->floor_level = w->floor_level;
	out->target_us = w->target_us;
	out->accuracy_floor = w->accuracy_floor;
	out->period_us = w->period_us;
	out->freq_khz = w->freq_khz;
	out->decision_flags = w->decision_flags;
	out->inferences = w->inferences;
	out->misses = w->misses;
	out->service_target_us = service_target(w);
	out->last_latency_us = w->last_latency_us;
	out->mean_latency_us = w->mean_latency_us;
	out->accuracy_sum = w->accuracy_sum;
	out->level_changes = w->level_changes;
	out->decisions = w->decisions;
	return 0;
}

int dnngov_manager_find(const struct dnngov_manager *m, const char *name)
{
	int i;

	for (i = 0; i < DNNGOV_MANAGER_MAX_WORKLOADS; i++)
		if (m->wl[i].used && !strcmp(m->wl[i].name, name))
			return i;
	return -ENOENT;
}

const char *dnngov_manager_last_error(const struct dnngov_manager *m)
{
	return m->errmsg;
}

int dnngov_level_fit(const u32 *khz, const u32 *us, u32 n,
		     struct dnngov_level *out)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, c, mm, den;
	u32 i;

	if (n < 1)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		double x = 1000.0 / (khz[i] ? khz[i] : 1);

		if (!khz[i])
			return -EINVAL;
		sx += x;
		sy += us[i];
		sxx += x * x;
		sxy += x * us[i];
	}
	den = n * sxx - sx * sx;
	if (n < 2 || den <= 1e-12 * sxx * n) {
		/* one frequency: all time counts as cycles */
		c = sy / sx;
		mm = 0;
	} else {
		c = (n * sxy - sx * sy) / den;
		mm = (sy - c * sx) / n;
		if (mm < 0) {
			mm = 0;
			c = sxy / sxx;
		} else if (c < 0) {
			c = 0;
			mm = sy / n;
		}
	}
	if (c > (double)DNNGOV_FREQ_KHZ_MAX * DNNGOV_TIME_US_MAX / 1000)
		return -EINVAL;
	out->cycles = (u64)(c + 0.5);
	out->fixed_us = mm > DNNGOV_TIME_US_MAX ? DNNGOV_TIME_US_MAX :
		(u32)(mm + 0.5);
	return 0;
}
