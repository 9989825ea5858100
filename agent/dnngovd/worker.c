// SPDX-License-Identifier: MIT
/*
 * dnngovd: workloads. Each runs on its own thread (pinned to its CPU set,
 * so the engine's pool threads it creates inherit the set): a socket
 * workload serves its request queue, a replay workload loops over its
 * dataset at its period. Every inference goes through the manager's fast
 * loop before the next one starts.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dnngovd.h"

struct start_ctx {
	struct daemon *d;
	struct workload *w;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool ready;
	int err;
	char msg[512];
};

struct workload *daemon_find(struct daemon *d, const char *name)
{
	u32 i;

	for (i = 0; i < DNNGOV_CFG_MAX_WORKLOADS; i++)
		if (d->wl[i] && !strcmp(d->wl[i]->cfg.name, name))
			return d->wl[i];
	return NULL;
}

/* Sort the model's levels by accuracy: manager level 0 = least accurate. */
static int load_levels(struct workload *w, char *err, unsigned int len)
{
	struct dnngov_level_info info;
	int n = dnngov_model_level_count(w->model), i, j;
	double acc[DNNGOV_POLICY_MAX_LEVELS];

	if (n < 1) {
		snprintf(err, len, "%s: the model has no levels", w->cfg.model);
		return -EINVAL;
	}
	if (n > DNNGOV_POLICY_MAX_LEVELS) {
		logmsg("workload %s: the model has %d levels; the manager uses the first %d",
		       w->cfg.name, n, DNNGOV_POLICY_MAX_LEVELS);
		n = DNNGOV_POLICY_MAX_LEVELS;
	}
	w->n_levels = 0;
	for (i = 0; i < n; i++) {
		if (dnngov_model_level_info(w->model, i, &info))
			continue;
		/* insertion sort, stable */
		for (j = (int)w->n_levels; j > 0 && acc[j - 1] > info.accuracy; j--) {
			acc[j] = acc[j - 1];
			w->eng_level[j] = w->eng_level[j - 1];
		}
		acc[j] = info.accuracy;
		w->eng_level[j] = i;
		w->n_levels++;
	}
	for (i = 0; i < (int)w->n_levels; i++) {
		dnngov_model_level_info(w->model, w->eng_level[i], &info);
		snprintf(w->level_name[i], sizeof(w->level_name[i]), "%s", info.name);
		w->level_res[i] = info.config.r;
		w->levels[i].accuracy = info.accuracy <= 0 ? 0 :
			info.accuracy >= 100 ? DNNGOV_ACC_MAX :
			(u32)lround(info.accuracy * 100);
	}
	return 0;
}

/* Median latency (us) of @runs inferences at manager level @l. */
static u32 time_level(struct workload *w, u32 l, const uint8_t *img, int side,
		      int ch, int runs)
{
	u32 t[16], i, j, n = (u32)runs;

	dnngov_engine_set_level(w->eng, w->eng_level[l]);
	dnngov_engine_run_u8(w->eng, img, side, side, ch, w->logits);	/* warm */
	for (i = 0; i < n; i++) {
		u64 a = now_ns();

		dnngov_engine_run_u8(w->eng, img, side, side, ch, w->logits);
		t[i] = (u32)((now_ns() - a + 999) / 1000);
		for (j = i; j > 0 && t[j - 1] > t[j]; j--) {
			u32 x = t[j];

			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	}
	return t[n / 2] ? t[n / 2] : 1;
}

/*
 * The latency model per level (cycles, fixed time): measured at two
 * frequencies and fitted where the platform can pin them, else from the
 * model's profile, else measured at the current frequency.
 */
static void calibrate(struct daemon *d, struct workload *w)
{
	struct dnngov_platform_domain dom = { 0 };
	struct dnngov_level_info info;
	bool have_dom = false, profile = true;
	int side = 32, ch = dnngov_model_in_channels(w->model);
	uint8_t *img;
	u32 l, ref;

	if (w->domain[0] && d->plat.ops && d->plat.ops->domain_get) {
		pthread_mutex_lock(&d->lock);
		have_dom = d->plat.ops->domain_get(&d->plat, w->domain, &dom) == 0;
		pthread_mutex_unlock(&d->lock);
	}
	for (l = 0; l < w->n_levels; l++) {
		dnngov_model_level_info(w->model, w->eng_level[l], &info);
		if (!(info.latency_ms > 0))
			profile = false;
		if (info.config.r > side)
			side = info.config.r;
	}
	img = malloc((size_t)side * side * ch);
	if (!img)
		return;
	memset(img, 128, (size_t)side * side * ch);

	if (w->cfg.calibrate == DNNGOV_CALIB_AUTO && have_dom &&
	    d->plat.ops->set_freq && dom.n_opps >= 2) {
		u32 lo = dom.opps_khz[0], hi = dom.opps_khz[dom.n_opps - 1];
		u32 k, khz[2], us[DNNGOV_POLICY_MAX_LEVELS][2];
		int ok = 1;

		if (dom.min_khz)
			for (k = 0; k < dom.n_opps; k++)
				if (dom.opps_khz[k] >= dom.min_khz) {
					lo = dom.opps_khz[k];
					break;
				}
		if (dom.max_khz)
			for (k = dom.n_opps; k-- > 0;)
				if (dom.opps_khz[k] <= dom.max_khz) {
					hi = dom.opps_khz[k];
					break;
				}
		khz[0] = lo;
		khz[1] = hi;
		for (k = 0; k < 2 && ok && lo < hi; k++) {
			pthread_mutex_lock(&d->lock);
			ok = d->plat.ops->set_freq(&d->plat, w->domain, khz[k]) == 0;
			pthread_mutex_unlock(&d->lock);
			for (l = 0; ok && l < w->n_levels; l++)
				us[l][k] = time_level(w, l, img, side, ch, 5);
		}
		/* release the pin (the kernel backend restores the limits) */
		pthread_mutex_lock(&d->lock);
		if (d->plat.ops->set_freq(&d->plat, w->domain, 0))
			logmsg("workload %s: %s", w->cfg.name, d->plat.errmsg);
		pthread_mutex_unlock(&d->lock);
		if (ok && lo < hi) {
			for (l = 0; l < w->n_levels; l++) {
				u32 t[2] = { us[l][0], us[l][1] };

				dnngov_level_fit(khz, t, 2, &w->levels[l]);
			}
			snprintf(w->calib_how, sizeof(w->calib_how),
				 "measured at %u and %u kHz", lo, hi);
			free(img);
			return;
		}
	}
	ref = have_dom && dom.max_khz ? dom.max_khz : 1000000;
	if (profile && w->cfg.calibrate != DNNGOV_CALIB_MEASURE) {
		for (l = 0; l < w->n_levels; l++) {
			dnngov_model_level_info(w->model, w->eng_level[l], &info);
			w->levels[l].cycles = (u64)llround(info.latency_ms * 1000.0 * ref / 1000.0);
			w->levels[l].fixed_us = 0;
		}
		snprintf(w->calib_how, sizeof(w->calib_how),
			 "model profile (assumed at %u kHz)", ref);
	} else {
		u32 cur = have_dom && dom.cur_khz ? dom.cur_khz : ref;

		for (l = 0; l < w->n_levels; l++) {
			u32 us = time_level(w, l, img, side, ch, 5);

			dnngov_level_fit(&cur, &us, 1, &w->levels[l]);
		}
		snprintf(w->calib_how, sizeof(w->calib_how),
			 "measured at %u kHz", cur);
	}
	free(img);
}

/*
 * Keep the Pareto front: a level that is no more accurate than a faster
 * one (by more than 3 %, at the highest frequency) is never worth running,
 * and it would break the manager's order (a drop must make it faster).
 */
static void prune_levels(struct workload *w, u32 khz)
{
	u32 l, k, n = 0;

	for (l = 0; l < w->n_levels; l++) {
		u64 tl = w->levels[l].cycles * 1000 / khz + w->levels[l].fixed_us;
		bool dominated = false;

		for (k = l + 1; k < w->n_levels && !dominated; k++) {
			u64 tk = w->levels[k].cycles * 1000 / khz + w->levels[k].fixed_us;

			dominated = tk * 100 < tl * 97;
		}
		if (dominated) {
			logmsg("workload %s: level %s (%.2f %%) is slower than a more accurate one: not used",
			       w->cfg.name, w->level_name[l], w->levels[l].accuracy / 100.0);
			continue;
		}
		w->levels[n] = w->levels[l];
		w->eng_level[n] = w->eng_level[l];
		w->level_res[n] = w->level_res[l];
		memcpy(w->level_name[n], w->level_name[l], sizeof(w->level_name[n]));
		n++;
	}
	w->n_levels = n;	/* the most accurate level always stays */
}

static void top_k(const float *logits, int n, u32 k, struct proto_result *r)
{
	float mx = logits[0], sum = 0;
	int i;
	u32 j, m;

	for (i = 1; i < n; i++)
		if (logits[i] > mx)
			mx = logits[i];
	for (i = 0; i < n; i++)
		sum += expf(logits[i] - mx);
	if (k > (u32)n)
		k = (u32)n;
	if (k > PROTO_MAX_TOPK)
		k = PROTO_MAX_TOPK;
	r->n = 0;
	for (i = 0; i < n; i++) {
		float p = expf(logits[i] - mx) / sum;

		if (r->n == k && p <= r->top[k - 1].prob)
			continue;
		m = r->n < k ? r->n++ : k - 1;
		for (j = m; j > 0 && r->top[j - 1].prob < p; j--)
			r->top[j] = r->top[j - 1];
		r->top[j].cls = (u32)i;
		r->top[j].prob = p;
	}
}

/*
 * One inference at the manager's level; returns the engine's error. The
 * manager gets its service time and, for deadlines, the latency since
 * @arrival_ns (when the request came in or the replayed image was due).
 */
static int infer(struct workload *w, const uint8_t *px, int width, int height,
		 int ch, u64 arrival_ns, u32 *level_used, u32 *lat_us)
{
	struct daemon *d = w->d;
	u32 level;
	u64 a, b;
	int err;

	pthread_mutex_lock(&d->lock);
	level = dnngov_manager_level(d->mgr, w->handle);
	pthread_mutex_unlock(&d->lock);
	if (level >= w->n_levels)
		level = 0;
	dnngov_engine_set_level(w->eng, w->eng_level[level]);
	a = now_ns();
	err = dnngov_engine_run_u8(w->eng, px, width, height, ch, w->logits);
	b = now_ns();
	if (err)
		return err;
	*level_used = level;
	*lat_us = (u32)((b - a + 999) / 1000);
	pthread_mutex_lock(&d->lock);
	if (!arrival_ns || arrival_ns > a)
		arrival_ns = a;
	dnngov_manager_infer_done(d->mgr, w->handle, level, b - a, b - arrival_ns, b);
	w->latency_sum_us += *lat_us;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

static void serve_socket(struct workload *w)
{
	struct request *r;

	for (;;) {
		pthread_mutex_lock(&w->qlock);
		while (!w->stop && !w->qhead)
			pthread_cond_wait(&w->qcond, &w->qlock);
		if (w->stop) {
			pthread_mutex_unlock(&w->qlock);
			return;
		}
		r = w->qhead;
		w->qhead = r->next;
		if (!w->qhead)
			w->qtail = NULL;
		w->qlen--;
		pthread_mutex_unlock(&w->qlock);

		r->res.queue_us = (u32)((now_ns() - r->t_enqueue_ns) / 1000);
		r->err = infer(w, r->pixels, r->width, r->height, r->channels,
			       r->t_enqueue_ns, &r->res.level, &r->res.latency_us);
		if (r->err) {
			snprintf(r->msg, sizeof(r->msg), "workload %s: %s",
				 w->cfg.name, dnngov_errmsg());
		} else {
			r->res.accuracy = w->levels[r->res.level].accuracy;
			top_k(w->logits, w->n_classes, r->top_k, &r->res);
		}
		request_complete(w->d, r);
	}
}

static void serve_replay(struct workload *w)
{
	struct dnngov_image im;
	u32 i = 0, n = dnngov_dataset_count(w->ds), level, lat, period_us = 0;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!w->stop) {
		int best = 0, k;

		dnngov_dataset_get(w->ds, i, &im);
		if (!period_us)		/* back to back: due now */
			clock_gettime(CLOCK_MONOTONIC, &next);
		/* due at @next (or now, when the previous one ran late) */
		if (infer(w, im.pixels, (int)im.width, (int)im.height, (int)im.channels,
			  (u64)next.tv_sec * 1000000000ULL + (u64)next.tv_nsec, &level, &lat)) {
			logmsg("workload %s: image %u: %s", w->cfg.name, i,
			       dnngov_errmsg());
			return;
		}
		for (k = 1; k < w->n_classes; k++)
			if (w->logits[k] > w->logits[best])
				best = k;
		pthread_mutex_lock(&w->d->lock);
		w->replayed++;
		if (im.label >= 0) {
			w->labelled++;
			w->correct += best == im.label;
		}
		period_us = w->cfg.period_us;	/* dnngovctl may change it */
		pthread_mutex_unlock(&w->d->lock);
		i = (i + 1) % n;
		if (period_us) {
			next.tv_nsec += (long)period_us * 1000;
			while (next.tv_nsec >= 1000000000L) {
				next.tv_nsec -= 1000000000L;
				next.tv_sec++;
			}
			/* late: don't burst to catch up */
			if (now_ns() > (u64)next.tv_sec * 1000000000ULL + (u64)next.tv_nsec) {
				clock_gettime(CLOCK_MONOTONIC, &next);
			} else {
				/* wait on the queue's condition: stop wakes it */
				pthread_mutex_lock(&w->qlock);
				while (!w->stop &&
				       pthread_cond_timedwait(&w->qcond, &w->qlock, &next) == 0)
					;
				pthread_mutex_unlock(&w->qlock);
			}
		}
	}
}

static int setup_engine(struct start_ctx *sc)
{
	struct workload *w = sc->w;
	struct daemon *d = sc->d;
	struct dnngov_manager_workload mw = { 0 };
	cpu_set_t set;
	u32 i;
	int err;

	if (w->cfg.cpu_mask) {
		CPU_ZERO(&set);
		for (i = 0; i < 64; i++)
			if (w->cfg.cpu_mask & (1ULL << i))
				CPU_SET(i, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
			logmsg("workload %s: cannot pin to CPUs %s (ignored)",
			       w->cfg.name, w->cfg.cpus);
	}
	err = dnngov_engine_create(&w->eng, w->model, (int)w->cfg.threads);
	if (err) {
		snprintf(sc->msg, sizeof(sc->msg), "workload %s: %s", w->cfg.name,
			 dnngov_errmsg());
		return err;
	}
	w->n_classes = dnngov_engine_output_size(w->eng);
	w->logits = calloc((size_t)w->n_classes, sizeof(float));
	if (!w->logits) {
		snprintf(sc->msg, sizeof(sc->msg), "out of memory");
		return -ENOMEM;
	}
	calibrate(d, w);
	{
		struct dnngov_platform_domain dom;
		u32 khz = 1000000;

		pthread_mutex_lock(&d->lock);
		if (w->domain[0] && d->plat.ops->domain_get &&
		    d->plat.ops->domain_get(&d->plat, w->domain, &dom) == 0 &&
		    dom.n_opps)
			khz = dom.opps_khz[dom.n_opps - 1];
		pthread_mutex_unlock(&d->lock);
		prune_levels(w, khz);
	}

	mw.name = w->cfg.name;
	mw.domain = w->domain;
	mw.target_us = w->cfg.target_us;
	mw.accuracy_floor = w->cfg.accuracy_floor;
	mw.period_us = w->cfg.period_us;
	mw.n_levels = w->n_levels;
	memcpy(mw.levels, w->levels, sizeof(w->levels));
	pthread_mutex_lock(&d->lock);
	err = dnngov_manager_add(d->mgr, &mw, &w->handle, sc->msg, sizeof(sc->msg));
	if (err && w->domain[0] && err != -EINVAL && err != -EEXIST) {
		/* the platform refused the domain: keep the workload with
		 * subnet adaptation only, and say so */
		logmsg("workload %s: %s; running without frequency control",
		       w->cfg.name, sc->msg);
		w->domain[0] = '\0';
		err = dnngov_manager_add(d->mgr, &mw, &w->handle, sc->msg,
					 sizeof(sc->msg));
	}
	pthread_mutex_unlock(&d->lock);
	if (err)
		return err;
	return 0;
}

static void *worker_main(void *arg)
{
	struct start_ctx *sc = arg;
	struct workload *w = sc->w;
	int err = setup_engine(sc);

	pthread_mutex_lock(&sc->lock);
	sc->err = err;
	sc->ready = true;
	pthread_cond_signal(&sc->cond);
	pthread_mutex_unlock(&sc->lock);
	if (err)
		return NULL;	/* sc belongs to the starter now */
	if (w->cfg.input == DNNGOV_INPUT_REPLAY)
		serve_replay(w);
	else
		serve_socket(w);
	return NULL;
}

static void resolve_domain(struct daemon *d, struct workload *w)
{
	struct dnngov_platform_domain dom[DNNGOV_PLATFORM_MAX_DOMAINS];
	u32 n = 0, i;

	w->domain[0] = '\0';
	if (!strcmp(w->cfg.domain, "none") || !d->plat.ops ||
	    !strcmp(d->plat.ops->name, "none"))
		return;
	if (strcmp(w->cfg.domain, "auto")) {
		snprintf(w->domain, sizeof(w->domain), "%s", w->cfg.domain);
		return;
	}
	pthread_mutex_lock(&d->lock);
	if (d->plat.ops->list_domains(&d->plat, dom, DNNGOV_PLATFORM_MAX_DOMAINS, &n))
		n = 0;
	pthread_mutex_unlock(&d->lock);
	/* the cpufreq policy of the workload's CPUs, else the first one */
	for (i = 0; i < n; i++) {
		if (strncmp(dom[i].name, "cpufreq:", 8))
			continue;
		if (!w->domain[0] || (dom[i].cpu_mask & w->cfg.cpu_mask)) {
			snprintf(w->domain, sizeof(w->domain), "%s", dom[i].name);
			if (dom[i].cpu_mask & w->cfg.cpu_mask)
				break;
		}
	}
}

static void free_workload(struct workload *w)
{
	dnngov_engine_destroy(w->eng);
	dnngov_model_close(w->model);
	dnngov_dataset_free(w->ds);
	free(w->logits);
	pthread_mutex_destroy(&w->qlock);
	pthread_cond_destroy(&w->qcond);
	free(w);
}

int workload_start(struct daemon *d, const struct dnngov_cfg_workload *c,
		   struct workload **out, char *err, unsigned int err_len)
{
	struct start_ctx sc = { .d = d };
	struct workload *w = calloc(1, sizeof(*w));
	int r;

	*out = NULL;
	if (!w) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	w->cfg = *c;
	w->d = d;
	w->handle = -1;
	pthread_mutex_init(&w->qlock, NULL);
	{
		pthread_condattr_t ca;

		/* replay pacing waits on it with CLOCK_MONOTONIC deadlines */
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&w->qcond, &ca);
		pthread_condattr_destroy(&ca);
	}
	r = dnngov_model_open(&w->model, c->model);
	if (r) {
		snprintf(err, err_len, "%s:%d: workload %s: %s", d->cfg.path,
			 c->line, c->name, dnngov_errmsg());
		free_workload(w);
		return r;
	}
	r = load_levels(w, err, err_len);
	if (!r && c->input == DNNGOV_INPUT_REPLAY) {
		char why[400];

		r = dnngov_dataset_load(c->replay, c->labels, c->replay_limit,
					&w->ds, why, sizeof(why));
		if (r)
			snprintf(err, err_len, "%s:%d: workload %s: %s", d->cfg.path,
				 c->line, c->name, why);
	}
	if (r) {
		free_workload(w);
		return r;
	}
	resolve_domain(d, w);
	sc.w = w;
	pthread_mutex_init(&sc.lock, NULL);
	pthread_cond_init(&sc.cond, NULL);
	r = pthread_create(&w->thread, NULL, worker_main, &sc);
	if (r) {
		snprintf(err, err_len, "workload %s: cannot start a thread: %s",
			 c->name, strerror(r));
		free_workload(w);
		return -r;
	}
	pthread_mutex_lock(&sc.lock);
	while (!sc.ready)
		pthread_cond_wait(&sc.cond, &sc.lock);
	pthread_mutex_unlock(&sc.lock);
	if (sc.err) {
		pthread_join(w->thread, NULL);
		snprintf(err, err_len, "%s", sc.msg);
		free_workload(w);
		return sc.err;
	}
	w->started = true;
	logmsg("workload %s: %u levels, domain %s, %s input, latency model: %s",
	       c->name, w->n_levels, w->domain[0] ? w->domain : "none",
	       c->input == DNNGOV_INPUT_REPLAY ? "replay" : "socket", w->calib_how);
	*out = w;
	return 0;
}

void workload_stop(struct daemon *d, struct workload *w)
{
	struct request *r;

	pthread_mutex_lock(&w->qlock);
	w->stop = true;
	pthread_cond_broadcast(&w->qcond);
	pthread_mutex_unlock(&w->qlock);
	pthread_join(w->thread, NULL);
	/* requests still queued get an answer */
	while ((r = w->qhead)) {
		w->qhead = r->next;
		r->err = -ESHUTDOWN;
		snprintf(r->msg, sizeof(r->msg), "workload %s was removed",
			 w->cfg.name);
		request_complete(d, r);
	}
	pthread_mutex_lock(&d->lock);
	if (w->handle >= 0)
		dnngov_manager_remove(d->mgr, w->handle);
	pthread_mutex_unlock(&d->lock);
	free_workload(w);
}

int workload_submit(struct workload *w, struct request *r)
{
	if (w->cfg.input != DNNGOV_INPUT_SOCKET)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&w->qlock);
	if (w->qlen >= w->d->cfg.queue_depth) {
		pthread_mutex_unlock(&w->qlock);
		return -EBUSY;
	}
	r->next = NULL;
	if (w->qtail)
		w->qtail->next = r;
	else
		w->qhead = r;
	w->qtail = r;
	w->qlen++;
	pthread_cond_signal(&w->qcond);
	pthread_mutex_unlock(&w->qlock);
	return 0;
}
