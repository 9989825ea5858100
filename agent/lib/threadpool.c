// SPDX-License-Identifier: MIT
/*
 * A small fork-join pool for depthwise and elementwise work. The caller takes
 * part as worker 0. Workers spin briefly before sleeping: layers are short
 * (tens of microseconds), so a condition-variable wake-up per layer would
 * cost more than the work it spreads.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "internal.h"

#define SPIN_ITERS 20000

struct dg_pool {
	int n;				/* workers including the caller */
	pthread_t *tids;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	atomic_uint gen;		/* bumped per job */
	atomic_int pending;		/* helper workers still busy */
	int stop;
	dg_task_fn fn;
	void *arg;
	int total;
};

struct worker_arg {
	struct dg_pool *p;
	int id;
};

static void run_share(struct dg_pool *p, int id)
{
	int per = p->total / p->n, rem = p->total % p->n;
	int b = id * per + (id < rem ? id : rem);
	int e = b + per + (id < rem);

	if (b < e)
		p->fn(p->arg, id, b, e);
}

static void *worker(void *v)
{
	struct worker_arg *wa = v;
	struct dg_pool *p = wa->p;
	int id = wa->id;
	unsigned seen = 0;

	free(wa);
	for (;;) {
		unsigned g;
		int spins = 0;

		while ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen &&
		       spins < SPIN_ITERS)
			spins++;
		if (g == seen) {
			pthread_mutex_lock(&p->lock);
			while ((g = atomic_load(&p->gen)) == seen && !p->stop)
				pthread_cond_wait(&p->wake, &p->lock);
			pthread_mutex_unlock(&p->lock);
		}
		if (p->stop)
			return NULL;
		seen = g;
		run_share(p, id);
		atomic_fetch_sub_explicit(&p->pending, 1, memory_order_release);
	}
}

int dg_pool_create(struct dg_pool **out, int n)
{
	struct dg_pool *p;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->n = n;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->tids = calloc((size_t)n, sizeof(*p->tids));
	if (!p->tids) {
		free(p);
		return -ENOMEM;
	}
	for (int i = 1; i < n; i++) {
		struct worker_arg *wa = malloc(sizeof(*wa));

		if (wa) {
			wa->p = p;
			wa->id = i;
		}
		if (!wa || pthread_create(&p->tids[i], NULL, worker, wa)) {
			free(wa);
			p->n = i;
			dg_pool_destroy(p);
			return -EAGAIN;
		}
	}
	*out = p;
	return 0;
}

void dg_pool_destroy(struct dg_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	atomic_fetch_add(&p->gen, 1);
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	for (int i = 1; i < p->n; i++)
		pthread_join(p->tids[i], NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	free(p->tids);
	free(p);
}

int dg_pool_size(const struct dg_pool *p)
{
	return p ? p->n : 1;
}

void dg_pool_run(struct dg_pool *p, dg_task_fn fn, void *arg, int total)
{
	if (!p || p->n == 1 || total < 2) {
		if (total > 0)
			fn(arg, 0, 0, total);
		return;
	}
	p->fn = fn;
	p->arg = arg;
	p->total = total;
	atomic_store(&p->pending, p->n - 1);
	pthread_mutex_lock(&p->lock);
	atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	run_share(p, 0);
	while (atomic_load_explicit(&p->pending, memory_order_acquire) > 0)
		sched_yield();
}
