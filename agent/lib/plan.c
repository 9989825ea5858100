// SPDX-License-Identifier: MIT
/*
 * Subnet plans. A plan is everything one inference of one subnet needs:
 * active channel counts, spatial sizes, the depthwise kernels of the chosen
 * sizes and the folded BN scale/shift vectors. Weights stay where they are
 * (mmap'ed); a plan only points into them, so switching plans is free.
 *
 * BN is folded to y = x * scale + shift, applied in the fused epilogue of
 * each GEMM or depthwise kernel. The supernet vectors are computed once per
 * model (prefix slicing keeps them valid for every width); levels with their
 * own BN statistics get their own vectors, computed when the plan is built.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

static void fold_bn(const struct dg_bn *bn, const float *mean, const float *var, int c,
		    float eps, float *scale, float *shift)
{
	for (int i = 0; i < c; i++) {
		double s = bn->gamma[i] / sqrt((double)var[i] + eps);

		scale[i] = (float)s;
		shift[i] = (float)(bn->beta[i] - mean[i] * s);
	}
}

int dg_model_prepare_supernet_bn(dnngov_model *m)
{
	m->sn_scale = calloc((size_t)m->n_slots, sizeof(float *));
	m->sn_shift = calloc((size_t)m->n_slots, sizeof(float *));
	if (!m->sn_scale || !m->sn_shift)
		return dg_error(-ENOMEM, "model: out of memory");
	for (int s = 0; s < m->n_slots; s++) {
		const struct dg_bn *bn = m->slot_bn[s];

		if (!bn)
			continue;
		for (int i = 0; i < bn->c; i++)
			if (!(bn->var[i] >= 0.0f) || !isfinite(bn->var[i]) ||
			    !isfinite(bn->gamma[i]) || !isfinite(bn->beta[i]) ||
			    !isfinite(bn->mean[i]))
				return dg_error(-EINVAL, "model: %s: non-finite value or negative variance at channel %d",
						m->slot_names[s], i);
		m->sn_scale[s] = malloc((size_t)bn->c * sizeof(float));
		m->sn_shift[s] = malloc((size_t)bn->c * sizeof(float));
		if (!m->sn_scale[s] || !m->sn_shift[s])
			return dg_error(-ENOMEM, "model: out of memory");
		fold_bn(bn, bn->mean, bn->var, bn->c, m->eps, m->sn_scale[s], m->sn_shift[s]);
	}
	return 0;
}

void dg_model_free_bn(dnngov_model *m)
{
	for (int s = 0; s < m->n_slots; s++) {
		if (m->sn_scale)
			free(m->sn_scale[s]);
		if (m->sn_shift)
			free(m->sn_shift[s]);
	}
	free(m->sn_scale);
	free(m->sn_shift);
	m->sn_scale = m->sn_shift = NULL;
}

/* Drop the whole pages inside [p, p + n) of a file mapping from the process. */
static void drop_pages(const dnngov_model *m, const void *p, size_t n)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + pg - 1) & ~(pg - 1), z = ((uintptr_t)p + n) & ~(pg - 1);

	if (m->file_mapped && z > a)
		madvise((void *)a, z - a, MADV_DONTNEED);
}

/*
 * The depthwise kernel of ks[idx] for a block, valid for its first `need`
 * channels: OFA's elastic kernel, the centre s x s of the next larger
 * kernel, flattened, times M^T (F.linear). Computed under the model lock
 * for the channels plans ask for and extended in place when a wider plan
 * comes (the buffer is sized for mid_max and never moves, so plans keep
 * pointing at it; pages past the computed channels are never touched and
 * stay out of RSS). The larger kernels it was computed from are dropped
 * from the process again: a plan that runs them faults them back in.
 */
static const float *dw_kernel(dnngov_model *m, struct dg_block *b, int idx, int need)
{
	const float *res;

	if (idx == 0)
		return b->dw_w;
	pthread_mutex_lock(&m->lock);
	for (int t = 1; t <= idx; t++) {
		int a = m->ks[t - 1], s = m->ks[t], o = (a - s) / 2, n = s * s;
		const float *src = t == 1 ? b->dw_w : b->dwk[t - 1];
		const float *mat = b->tm[t - 1];
		int c0 = b->dwk_n[t];
		float *dst, v[121];

		if (c0 >= need)
			continue;
		if (!b->dwk[t] && !(b->dwk[t] = malloc((size_t)b->mid_max * n * sizeof(float))))
			break;
		dst = b->dwk[t];
		for (int c = c0; c < need; c++) {
			const float *sk = src + (size_t)c * a * a;

			for (int j = 0; j < n; j++)
				v[j] = sk[(o + j / s) * a + o + j % s];
			for (int i = 0; i < n; i++) {
				double acc = 0.0;

				for (int j = 0; j < n; j++)
					acc += (double)v[j] * mat[i * n + j];
				dst[(size_t)c * n + i] = (float)acc;
			}
		}
		if (t == 1)
			drop_pages(m, src + (size_t)c0 * a * a, (size_t)(need - c0) * a * a * sizeof(float));
		m->derived_bytes += (size_t)(need - c0) * n * sizeof(float);
		b->dwk_n[t] = need;
	}
	res = b->dwk_n[idx] >= need ? b->dwk[idx] : NULL;
	pthread_mutex_unlock(&m->lock);
	return res;
}

static size_t maxz(size_t a, size_t b)
{
	return a > b ? a : b;
}

void dg_plan_free(struct dg_plan *p)
{
	if (!p)
		return;
	free(p->owned);
	free(p);
}

/* Scale/shift of a BN slot: the level's own statistics if it has them. */
static void slot_vectors(const dnngov_model *m, const struct dg_level *lv, int slot, int c,
			 float **own, const float **scale, const float **shift)
{
	if (lv && lv->bn_mean && lv->bn_mean[slot]) {
		float *sc = *own, *sh = *own + c;

		fold_bn(m->slot_bn[slot], lv->bn_mean[slot], lv->bn_var[slot], c, m->eps, sc, sh);
		*own += 2 * (size_t)c;
		*scale = sc;
		*shift = sh;
		return;
	}
	*scale = m->sn_scale[slot];
	*shift = m->sn_shift[slot];
}

int dg_plan_build(dnngov_model *m, const struct dnngov_config *cfg, const struct dg_level *lv,
		  struct dg_plan **out)
{
	struct dg_plan *p;
	size_t own_floats = 0;
	float *own;
	int n = 1, err, h;

	*out = NULL;
	if ((err = dg_config_check(m, cfg)))
		return err;
	for (int i = 1; i < m->n_blocks; i++)
		n += m->blocks[i].j < cfg->d[m->blocks[i].stage];
	p = calloc(1, sizeof(*p) + (size_t)n * sizeof(p->blk[0]));
	if (!p)
		return dg_error(-ENOMEM, "plan: out of memory");
	p->cfg = *cfg;
	p->n = n;
	p->r = cfg->r;
	if (lv && lv->bn_mean)
		for (int s = 0; s < m->n_slots; s++)
			if (lv->bn_mean[s])
				own_floats += 2 * (size_t)m->slot_bn[s]->c;
	if (own_floats && !(p->owned = malloc(own_floats * sizeof(float)))) {
		free(p);
		return dg_error(-ENOMEM, "plan: out of memory");
	}
	own = p->owned;

	h = dg_conv_out(cfg->r, m->stem_k, m->stem_stride);
	p->stem_h = h;
	p->need.in = (size_t)m->in_channels * cfg->r * cfg->r;
	p->need.cur = (size_t)m->stem_out * dg_plane_ld((size_t)h * h);
	p->need.col = (size_t)m->in_channels * m->stem_k * m->stem_k * h * h;
	slot_vectors(m, lv, DG_SLOT_STEM, m->stem_out, &own, &p->stem_scale, &p->stem_shift);
	p->macs = (uint64_t)p->need.col * m->stem_out;

	for (int i = 0, k = 0; i < m->n_blocks; i++) {
		struct dg_block *b = &m->blocks[i];
		struct dg_pblock *pb;

		if (i && b->j >= cfg->d[b->stage])
			continue;
		pb = &p->blk[k++];
		pb->b = b;
		pb->k = i ? cfg->ks[i - 1] : b->kmax;
		pb->mid = i ? dg_make_divisible((double)b->in * cfg->e[i - 1], m->divisor) : b->mid_max;
		pb->se_mid = b->se ? dg_make_divisible(pb->mid / 4, m->divisor) : 0;
		pb->shortcut = b->stride == 1 && b->in == b->out;
		pb->h = pb->w = h;
		pb->ho = pb->wo = dg_conv_out(h, pb->k, b->stride);
		pb->dw = i ? dw_kernel(m, b, dg_ks_index(m, pb->k), pb->mid) : b->dw_w;
		if (!pb->dw) {
			dg_plan_free(p);
			return dg_error(-ENOMEM, "plan: out of memory");
		}
		for (int part = i ? 0 : 1; part < 3; part++)
			slot_vectors(m, lv, DG_SLOT(i, part), part == 2 ? b->out : pb->mid, &own,
				     &pb->scale[part], &pb->shift[part]);
		size_t hw = (size_t)h * h, hwo = (size_t)pb->ho * pb->wo;

		/* every block input/output, expanded and depthwise tensor has aligned planes */
		p->need.cur = maxz(p->need.cur, (size_t)b->out * dg_plane_ld(hwo));
		p->need.act = maxz(p->need.act, (size_t)maxz(pb->mid, b->out) * dg_plane_ld(hw));
		p->need.dw = maxz(p->need.dw, (size_t)pb->mid * dg_plane_ld(hwo));
		p->need.pad = maxz(p->need.pad, dg_dw_scratch_floats(pb->k, b->stride, h, h));
		if (b->se)
			p->need.plw = maxz(p->need.plw, (size_t)b->out * pb->mid);
		p->macs += (i ? (uint64_t)pb->mid * b->in * hw : 0) +
			   (uint64_t)pb->mid * pb->k * pb->k * hwo + (uint64_t)b->out * pb->mid * hwo +
			   2ull * pb->se_mid * pb->mid;
		h = pb->ho;
	}
	p->fin_h = h;
	p->need.act = maxz(p->need.act, (size_t)m->final_expand * h * h);
	slot_vectors(m, lv, DG_SLOT_FINAL(m->n_blocks), m->final_expand, &own, &p->fe_scale,
		     &p->fe_shift);
	p->macs += (uint64_t)m->final_expand * m->st_width[m->n_stages - 1] * h * h +
		   (uint64_t)m->feature_mix * m->final_expand +
		   (uint64_t)m->n_classes * m->feature_mix;
	*out = p;
	return 0;
}
