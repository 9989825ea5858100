// SPDX-License-Identifier: MIT
/*
 * The inference engine: runs one subnet plan over preallocated buffers.
 *
 * Switching: the current subnet is one atomic int (library level, or -1 for
 * the custom plan). dnngov_engine_set_level() stores it and returns: no lock,
 * no allocation, no copy. An inference reads it once at its start, so a
 * switch during an inference takes effect at the next one. Inferences on
 * one engine are serialised by run_lock, which set_config/set_threads also
 * take before they replace a plan or buffers.
 *
 * 1x1 convolutions are cblas_sgemm on the shared weights: a subnet's
 * W[:cout, :cin] is the same memory with lda = cin_max, NCHW activations:
 * Y[cout][hw] = W[cout][cin] * X[cin][hw]. The planes of every activation
 * tensor (block inputs/outputs, expanded, depthwise output) are
 * dg_plane_ld(h * w) floats apart, so each starts on a 64-byte line; only
 * the final expand's output, which is pooled at once, is dense.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

struct dnngov_engine {
	dnngov_model *m;
	struct dg_plan **plans;		/* one per library level */
	struct dg_plan *custom;		/* from set_config */
	atomic_int cur;			/* level index, or -1 = custom */
	pthread_mutex_t run_lock;

	dg_dw_fn dw;
	const char *dw_name;
	int threads;
	struct dg_pool *pool;

	struct dg_needs cap;		/* sizes of the buffers below */
	float *act[3], *col, *plw, *input;	/* block in/out, GEMM out, depthwise out */
	float **pad;			/* per thread */
	float *vec[4];			/* SE mean/hidden/gate, pooled features */
};

static void *aalloc(size_t floats)
{
	size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;

	return aligned_alloc(64, bytes ? bytes : 64);
}

static void free_buffers(struct dnngov_engine *e)
{
	for (int i = 0; i < 3; i++)
		free(e->act[i]);
	free(e->col);
	free(e->plw);
	free(e->input);
	if (e->pad)
		for (int t = 0; t < e->threads; t++)
			free(e->pad[t]);
	free(e->pad);
	for (int i = 0; i < 4; i++)
		free(e->vec[i]);
	memset(e->act, 0, sizeof(e->act));
	memset(e->vec, 0, sizeof(e->vec));
	e->col = e->plw = e->input = NULL;
	e->pad = NULL;
}

static size_t maxz(size_t a, size_t b)
{
	return a > b ? a : b;
}

static void needs_max(struct dg_needs *a, const struct dg_needs *b)
{
	a->cur = maxz(a->cur, b->cur);
	a->act = maxz(a->act, b->act);
	a->dw = maxz(a->dw, b->dw);
	a->in = maxz(a->in, b->in);
	a->col = maxz(a->col, b->col);
	a->pad = maxz(a->pad, b->pad);
	a->plw = maxz(a->plw, b->plw);
}

/* (Re)allocate every buffer for the given needs and thread count. */
static int alloc_buffers(struct dnngov_engine *e, const struct dg_needs *n, int threads)
{
	const dnngov_model *m = e->m;
	size_t vec = 16;

	free_buffers(e);
	for (int i = 0; i < m->n_blocks; i++)
		vec = maxz(vec, (size_t)m->blocks[i].mid_max);
	vec = maxz(vec, (size_t)m->final_expand);
	vec = maxz(vec, (size_t)m->feature_mix);
	e->threads = threads;
	e->pad = calloc((size_t)threads, sizeof(float *));
	if (!e->pad)
		goto nomem;
	if (!(e->act[0] = aalloc(n->cur)) || !(e->act[1] = aalloc(n->act)) ||
	    !(e->act[2] = aalloc(n->dw)) || !(e->col = aalloc(n->col)) ||
	    !(e->plw = aalloc(n->plw)) || !(e->input = aalloc(n->in)))
		goto nomem;
	for (int t = 0; t < threads; t++)
		if (!(e->pad[t] = aalloc(n->pad)))
			goto nomem;
	for (int i = 0; i < 4; i++)
		if (!(e->vec[i] = aalloc(vec)))
			goto nomem;
	e->cap = *n;
	return 0;
nomem:
	free_buffers(e);
	memset(&e->cap, 0, sizeof(e->cap));
	return dg_error(-ENOMEM, "engine: out of memory for activation buffers (%zu floats each)",
			n->act);
}

static int fits(const struct dnngov_engine *e, const struct dg_plan *p)
{
	const struct dg_needs *n = &p->need, *c = &e->cap;

	return n->cur <= c->cur && n->act <= c->act && n->dw <= c->dw && n->in <= c->in && n->col <= c->col &&
	       n->pad <= c->pad && n->plw <= c->plw;
}

/* ------------------------------------------------------- parallel tasks */

struct ep_task {
	float *dst, *y;
	int hw, act;
	size_t ld;		/* row stride of y (and dst, res) */
	const float *scale, *shift, *res, *gate;
	float *mean;
};

static void ep_run(void *arg, int tid, int b, int e)
{
	struct ep_task *t = arg;

	(void)tid;
	dg_epilogue(t->dst, t->y, t->hw, t->ld, b, e, t->scale, t->shift, t->act, t->res, t->mean);
}

static void scale_run(void *arg, int tid, int b, int e)
{
	struct ep_task *t = arg;

	(void)tid;
	dg_scale_rows(t->y, t->hw, t->ld, b, e, t->gate);
}

struct dw_task {
	struct dnngov_engine *e;
	struct dg_dw_args a;
};

static void dw_run(void *arg, int tid, int b, int e)
{
	struct dw_task *t = arg;

	t->e->dw(&t->a, b, e, t->e->pad[tid]);
}

/* dst[c][hw] = act(y * scale + shift) (+ res) on dense rows, over the pool when large */
static void epilogue(struct dnngov_engine *e, float *dst, float *y, int c, int hw,
		     const float *scale, const float *shift, int act, const float *res, float *mean)
{
	struct ep_task t = { .dst = dst, .y = y, .hw = hw, .ld = (size_t)hw, .act = act,
			     .scale = scale, .shift = shift, .res = res, .mean = mean };

	if (e->threads == 1 || (size_t)c * hw < 4096)
		dg_epilogue(dst, y, hw, (size_t)hw, 0, c, scale, shift, act, res, mean);
	else
		dg_pool_run(e->pool, ep_run, &t, c);
}

/*
 * 1x1 convolution C = A B, then dst = act(C * scale + shift) (+ res), the
 * epilogue run on each tile of C as the GEMM completes it (still in L1/L2);
 * with several threads each worker does its part of C (dg_gemm_par()).
 */
static void gemm_ep(struct dnngov_engine *e, int m, int n, int k, const float *a, int lda,
		    const float *b, size_t ldb, float *c, size_t ldc, float *dst, const float *scale,
		    const float *shift, int act, const float *res)
{
	struct dg_gemm_ep ep = { .dst = dst, .scale = scale, .shift = shift, .res = res,
				 .act = act };

	dg_gemm_par(e->pool, m, n, k, a, lda, b, ldb, c, ldc, &ep);
}

/* SE: gate = h_sigmoid(expand(relu(reduce(mean)))) over the active channels. */
static void se_gate(struct dg_pool *pool, const struct dg_pblock *pb, const float *mean,
		    float *hidden, float *gate)
{
	const struct dg_block *b = pb->b;

	memcpy(hidden, b->se_rb, (size_t)pb->se_mid * sizeof(float));
	dg_gemv_par(pool, pb->se_mid, pb->mid, b->se_rw, b->mid_max, mean, 1.0f, hidden);
	for (int i = 0; i < pb->se_mid; i++)
		hidden[i] = hidden[i] > 0.0f ? hidden[i] : 0.0f;
	memcpy(gate, b->se_eb, (size_t)pb->mid * sizeof(float));
	dg_gemv_par(pool, pb->mid, pb->se_mid, b->se_ew, b->se_max, hidden, 1.0f, gate);
	for (int i = 0; i < pb->mid; i++)
		gate[i] = dg_act1(gate[i], DG_ACT_HSIGMOID);
}

/*
 * Inverted bottleneck + depthwise in groups of channels: the IB
 * GEMM writes one group's rows of the expanded tensor into the same few
 * hundred KB of t1, and the depthwise kernel reads them back from L2 at
 * once. Done in one pass, the expanded tensor of the early blocks (7 MB at
 * 112 x 112 x 144) goes out to L3 and back. Tensors larger than CHAIN_BYTES
 * are chained, in groups of about CHAIN_GROUP_BYTES (nets_6 L4-L6: 4-7 %
 * faster; 128 KB and 512 KB groups measured the same within noise).
 */
#define CHAIN_BYTES		(256 * 1024)
#define CHAIN_GROUP_BYTES	(256 * 1024)

struct chain_task {
	struct dnngov_engine *e;
	const struct dg_pblock *pb;
	const float *x;
	float *t1;
	const struct dg_dw_args *all;
	int g;				/* channels per group */
};

/* Groups [begin, end) on worker tid, in its own g-plane region of t1. */
static void chain_run(void *arg, int tid, int begin, int end)
{
	const struct chain_task *t = arg;
	const struct dg_pblock *pb = t->pb;
	const struct dg_block *b = pb->b;
	int hw = pb->h * pb->w, kk = pb->k * pb->k;
	float *t1 = t->t1 + (size_t)tid * t->g * t->all->ldi;

	for (int q = begin; q < end; q++) {
		int c0 = q * t->g, n = pb->mid - c0 < t->g ? pb->mid - c0 : t->g;
		struct dg_dw_args a = *t->all;	/* channels c0.. of the block, input in t1 */

		a.in = t1;
		a.out += (size_t)c0 * a.ldo;
		a.wt += (size_t)c0 * kk;
		a.scale += c0;
		a.shift += c0;
		a.pre_scale += c0;
		a.pre_shift += c0;
		if (a.mean)
			a.mean += c0;
		/* x's planes have t1's stride, dg_plane_ld(hw) */
		dg_gemm(n, hw, b->in, b->ib_w + (size_t)c0 * b->in, b->in, t->x, a.ldi, t1, a.ldi,
			NULL);
		t->e->dw(&a, 0, n, t->e->pad[tid]);
	}
}

/*
 * With several threads each worker chains its own groups: worker w writes
 * its groups' rows at plane w * g of t1, which stays within the mid planes
 * the buffer has (a worker past the last group gets none).
 */
static void ib_dw_chain(struct dnngov_engine *e, const struct dg_pblock *pb, const float *x,
			float *t1, const struct dg_dw_args *all)
{
	int hw = pb->h * pb->w;
	/* whole 16-channel blocks: the AVX-512 kernel runs a rest of < 16 channels on AVX2 */
	int g = (int)(CHAIN_GROUP_BYTES / sizeof(float) / (size_t)hw) / 16 * 16;
	struct chain_task t = { .e = e, .pb = pb, .x = x, .t1 = t1, .all = all };

	t.g = g < 16 ? 16 : g;
	if (e->threads == 1)
		chain_run(&t, 0, 0, (pb->mid + t.g - 1) / t.g);
	else
		dg_pool_run(e->pool, chain_run, &t, (pb->mid + t.g - 1) / t.g);
}

static void forward(struct dnngov_engine *e, const struct dg_plan *p, const float *input,
		    float *logits)
{
	const dnngov_model *m = e->m;
	/* x: block input/output (residual), t1: GEMM output, t2: depthwise output */
	float *x = e->act[0], *t1 = e->act[1], *t2 = e->act[2];
	int hs = p->stem_h, kk = m->in_channels * m->stem_k * m->stem_k;

	/* stem: im2col + GEMM + BN + act */
	dg_im2col(input, m->in_channels, p->r, p->r, m->stem_k, m->stem_stride, hs, hs, e->col);
	gemm_ep(e, m->stem_out, hs * hs, kk, m->stem_w, kk, e->col, (size_t)hs * hs, x,
		dg_plane_ld((size_t)hs * hs), x, p->stem_scale, p->stem_shift, m->stem_act, NULL);

	for (int i = 0; i < p->n; i++) {
		const struct dg_pblock *pb = &p->blk[i];
		const struct dg_block *b = pb->b;
		int hw = pb->h * pb->w, hwo = pb->ho * pb->wo;
		size_t ld = dg_plane_ld((size_t)hw), ldo = dg_plane_ld((size_t)hwo);
		const float *pw = b->pl_w;
		int plda = b->mid_max;
		struct dw_task dt;

		/* the IB's BN + act is applied by the depthwise kernel as it reads */
		dt.e = e;
		dt.a = (struct dg_dw_args){
			.in = b->ib_w ? t1 : x, .out = t2, .wt = pb->dw, .k = pb->k,
			.stride = b->stride, .h = pb->h, .w = pb->w, .ho = pb->ho, .wo = pb->wo,
			.scale = pb->scale[1], .shift = pb->shift[1], .act = b->act,
			.mean = b->se ? e->vec[0] : NULL,
			.pre_scale = b->ib_w ? pb->scale[0] : NULL, .pre_shift = pb->shift[0],
			.pre_act = b->act,
			.ldi = ld, .ldo = ldo,
		};
		if (b->ib_w && (size_t)pb->mid * hw * sizeof(float) > CHAIN_BYTES) {
			ib_dw_chain(e, pb, x, t1, &dt.a);
		} else {
			if (b->ib_w)
				dg_gemm_par(e->pool, pb->mid, hw, b->in, b->ib_w, b->in, x, ld, t1,
					    ld, NULL);
			if (e->threads == 1)
				e->dw(&dt.a, 0, pb->mid, e->pad[0]);
			else
				dg_pool_run(e->pool, dw_run, &dt, pb->mid);
		}
		if (b->se) {
			float *gate = e->vec[2];

			se_gate(e->pool, pb, e->vec[0], e->vec[1], gate);
			/* fold the gate into whichever is smaller: PL weights or activations */
			if ((size_t)b->out * pb->mid < (size_t)pb->mid * hwo) {
				dg_scale_cols(e->plw, b->pl_w, (size_t)b->mid_max, b->out, pb->mid, gate);
				pw = e->plw;
				plda = pb->mid;
			} else if (e->threads == 1) {
				dg_scale_rows(t2, hwo, ldo, 0, pb->mid, gate);
			} else {
				struct ep_task st = { .y = t2, .hw = hwo, .ld = ldo, .gate = gate };

				dg_pool_run(e->pool, scale_run, &st, pb->mid);
			}
		}
		/* with a shortcut the sum lands back in x; without, x is free for the GEMM */
		gemm_ep(e, b->out, hwo, pb->mid, pw, plda, t2, ldo, pb->shortcut ? t1 : x, ldo, x,
			pb->scale[2], pb->shift[2], DG_ACT_NONE, pb->shortcut ? x : NULL);
	}

	/* final expand + BN + act, fused global average pool */
	int hw = p->fin_h * p->fin_h, last = m->st_width[m->n_stages - 1];
	float *pooled = e->vec[0], *feat = e->vec[1];

	dg_gemm_par(e->pool, m->final_expand, hw, last, m->fe_w, last, x, dg_plane_ld((size_t)hw),
		    t1, (size_t)hw, NULL);
	epilogue(e, t1, t1, m->final_expand, hw, p->fe_scale, p->fe_shift, m->fe_act, NULL, pooled);
	dg_gemv_par(e->pool, m->feature_mix, m->final_expand, m->fm_w, m->final_expand, pooled,
		    0.0f, feat);
	for (int i = 0; i < m->feature_mix; i++)
		feat[i] = dg_act1(feat[i], m->fm_act);
	memcpy(logits, m->cls_b, (size_t)m->n_classes * sizeof(float));
	dg_gemv_par(e->pool, m->n_classes, m->feature_mix, m->cls_w, m->feature_mix, feat, 1.0f,
		    logits);
}

/* ------------------------------------------------------------------ API */

static int set_pool(struct dnngov_engine *e, int threads)
{
	struct dg_pool *pool = NULL;
	int err;

	if (threads > 1 && (err = dg_pool_create(&pool, threads)))
		return dg_error(err, "engine: cannot start %d worker threads", threads);
	dg_pool_destroy(e->pool);
	e->pool = pool;
	/* the pool splits the GEMMs (dg_gemm_par()); each part runs on one OpenBLAS thread */
	openblas_set_num_threads(1);
	return 0;
}

int dnngov_engine_create(dnngov_engine **out, dnngov_model *m, int threads)
{
	struct dnngov_engine *e;
	struct dnngov_config big;
	struct dg_plan *bp = NULL;
	struct dg_needs need;
	int err, emax = 0, dmax = 0, rmax;

	if (!out || !m)
		return dg_error(-EINVAL, "dnngov_engine_create: out and model must not be NULL");
	*out = NULL;
	if (threads < 1 || threads > 256)
		return dg_error(-EINVAL, "engine: threads must be in 1..256, got %d", threads);
	e = calloc(1, sizeof(*e));
	if (!e)
		return dg_error(-ENOMEM, "engine: out of memory");
	e->m = m;
	dg_blas_link();
	e->dw = dg_dw_select(&e->dw_name);
	pthread_mutex_init(&e->run_lock, NULL);
	e->plans = calloc((size_t)m->n_levels, sizeof(*e->plans));
	if (!e->plans) {
		err = dg_error(-ENOMEM, "engine: out of memory");
		goto fail;
	}
	for (int i = 0; i < m->n_levels; i++)
		if ((err = dg_plan_build(m, &m->levels[i].info.config, &m->levels[i], &e->plans[i])))
			goto fail;

	/* size buffers for the largest subnet at the largest resolution */
	memset(&big, 0, sizeof(big));
	big.n_blocks = m->n_blocks - 1;
	big.n_stages = m->n_stages;
	for (int i = 0; i < m->n_ex; i++)
		emax = m->ex[i] > emax ? m->ex[i] : emax;
	for (int i = 0; i < m->n_dl; i++)
		dmax = m->dl[i] > dmax ? m->dl[i] : dmax;
	rmax = m->max_res;
	for (int i = 0; i < m->n_levels; i++)
		rmax = m->levels[i].info.config.r > rmax ? m->levels[i].info.config.r : rmax;
	/* spatial sizes do not depend on k; the largest k needs the most scratch */
	for (int i = 0; i < big.n_blocks; i++) {
		big.ks[i] = m->ks[0];
		big.e[i] = emax;
	}
	for (int s = 0; s < big.n_stages; s++)
		big.d[s] = dmax;
	big.r = rmax;
	if ((err = dg_plan_build(m, &big, NULL, &bp)))
		goto fail;
	need = bp->need;
	dg_plan_free(bp);
	for (int i = 0; i < m->n_levels; i++)
		needs_max(&need, &e->plans[i]->need);
	if ((err = alloc_buffers(e, &need, threads)) || (err = set_pool(e, threads)))
		goto fail;
	atomic_init(&e->cur, 0);
	*out = e;
	return 0;
fail:
	dnngov_engine_destroy(e);
	return err;
}

void dnngov_engine_destroy(dnngov_engine *e)
{
	if (!e)
		return;
	dg_pool_destroy(e->pool);
	if (e->plans)
		for (int i = 0; i < e->m->n_levels; i++)
			dg_plan_free(e->plans[i]);
	free(e->plans);
	dg_plan_free(e->custom);
	free_buffers(e);
	pthread_mutex_destroy(&e->run_lock);
	free(e);
}

int dnngov_engine_set_level(dnngov_engine *e, int level)
{
	if (!e)
		return dg_error(-EINVAL, "dnngov_engine_set_level: engine is NULL");
	if (level < 0 || level >= e->m->n_levels)
		return dg_error(-ERANGE, "engine: level %d does not exist: the model has levels 0..%d",
				level, e->m->n_levels - 1);
	atomic_store_explicit(&e->cur, level, memory_order_release);
	return 0;
}

int dnngov_engine_set_config(dnngov_engine *e, const struct dnngov_config *cfg)
{
	struct dg_plan *p, *old;
	int err = 0;

	if (!e || !cfg)
		return dg_error(-EINVAL, "dnngov_engine_set_config: engine and config must not be NULL");
	if ((err = dg_plan_build(e->m, cfg, NULL, &p)))
		return err;
	pthread_mutex_lock(&e->run_lock);
	if (!fits(e, p)) {
		struct dg_needs need = e->cap;

		needs_max(&need, &p->need);
		if ((err = alloc_buffers(e, &need, e->threads))) {
			pthread_mutex_unlock(&e->run_lock);
			dg_plan_free(p);
			return err;
		}
	}
	old = e->custom;
	e->custom = p;
	atomic_store_explicit(&e->cur, -1, memory_order_release);
	pthread_mutex_unlock(&e->run_lock);
	dg_plan_free(old);
	return 0;
}

static const struct dg_plan *current(const struct dnngov_engine *e)
{
	int cur = atomic_load_explicit(&e->cur, memory_order_acquire);

	return cur >= 0 ? e->plans[cur] : e->custom;
}

int dnngov_engine_level(const dnngov_engine *e)
{
	return e ? atomic_load(&e->cur) : -EINVAL;
}

int dnngov_engine_resolution(const dnngov_engine *e)
{
	return e ? current(e)->r : -EINVAL;
}

int dnngov_engine_output_size(const dnngov_engine *e)
{
	return e ? e->m->n_classes : -EINVAL;
}

const char *dnngov_engine_kernels(const dnngov_engine *e)
{
	return e ? e->dw_name : "";
}

int dnngov_engine_set_threads(dnngov_engine *e, int threads)
{
	int err;

	if (!e)
		return dg_error(-EINVAL, "dnngov_engine_set_threads: engine is NULL");
	if (threads < 1 || threads > 256)
		return dg_error(-EINVAL, "engine: threads must be in 1..256, got %d", threads);
	pthread_mutex_lock(&e->run_lock);
	struct dg_needs need = e->cap;

	err = alloc_buffers(e, &need, threads);
	if (!err)
		err = set_pool(e, threads);
	pthread_mutex_unlock(&e->run_lock);
	return err;
}

int dnngov_engine_run(dnngov_engine *e, const float *input, float *logits)
{
	const struct dg_plan *p;

	if (!e || !input || !logits)
		return dg_error(-EINVAL, "dnngov_engine_run: engine, input and logits must not be NULL");
	pthread_mutex_lock(&e->run_lock);
	if (!e->act[0]) {
		pthread_mutex_unlock(&e->run_lock);
		return dg_error(-ENOMEM, "engine: buffers lost after a failed reallocation; recreate the engine");
	}
	p = current(e);
	forward(e, p, input, logits);
	pthread_mutex_unlock(&e->run_lock);
	return 0;
}

int dnngov_engine_run_u8(dnngov_engine *e, const uint8_t *pixels, int width, int height,
			 int channels, float *logits)
{
	const struct dg_plan *p;
	const dnngov_model *m;

	if (!e || !pixels || !logits)
		return dg_error(-EINVAL, "dnngov_engine_run_u8: engine, pixels and logits must not be NULL");
	m = e->m;
	if (width < 1 || height < 1 || width > 16384 || height > 16384)
		return dg_error(-EINVAL, "engine: image size %dx%d is outside 1..16384", width, height);
	if (channels != m->in_channels && channels != 1)
		return dg_error(-EINVAL, "engine: image has %d channels; the model takes %d (or 1, replicated)",
				channels, m->in_channels);
	pthread_mutex_lock(&e->run_lock);
	if (!e->act[0]) {
		pthread_mutex_unlock(&e->run_lock);
		return dg_error(-ENOMEM, "engine: buffers lost after a failed reallocation; recreate the engine");
	}
	p = current(e);
	dg_resize_normalize(pixels, width, height, channels, m->in_channels, p->r, p->r,
			    m->norm_mean, m->norm_std, e->input);
	forward(e, p, e->input, logits);
	pthread_mutex_unlock(&e->run_lock);
	return 0;
}
