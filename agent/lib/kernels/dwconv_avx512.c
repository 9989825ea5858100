// SPDX-License-Identifier: MIT
/*
 * Depthwise k x k convolution for AVX-512F, NCHW, 16 output columns per
 * vector: the AVX2 kernel's structure (one accumulator per kernel row, two
 * vectors at a time for k = 3 and 5) at twice the width, with mask
 * registers for the row tails. Planes at most 8 wide (late stages) would
 * waste half of each vector: they go to the AVX2 kernel.
 */
#include <immintrin.h>

#include "dwconv_pad.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE __m512 act16(__m512 v, int act)
{
	if (act == DG_ACT_RELU)
		return _mm512_max_ps(v, _mm512_setzero_ps());
	if (act == DG_ACT_HSWISH) {
		__m512 t = _mm512_add_ps(v, _mm512_set1_ps(3.0f));

		t = _mm512_min_ps(_mm512_max_ps(t, _mm512_setzero_ps()), _mm512_set1_ps(6.0f));
		return _mm512_mul_ps(_mm512_mul_ps(v, t), _mm512_set1_ps(1.0f / 6.0f));
	}
	return v;
}

static ALWAYS_INLINE __m512 tap_row(const float *row, size_t ph, int x,
				    const float *w, __m512 acc, const int K, const int S)
{
#pragma GCC unroll 8
	for (int kx = 0; kx < K; kx++) {
		const float *src = S == 1 ? row + x + kx : row + (kx & 1) * ph + x + (kx >> 1);

		acc = _mm512_fmadd_ps(_mm512_loadu_ps(src), _mm512_set1_ps(w[kx]), acc);
	}
	return acc;
}

/* Sum of the K per-row accumulators of the output vector at column x. */
static ALWAYS_INLINE __m512 conv16(const float *r0, size_t rs, size_t ph, int x,
				  const float *wt, const int K, const int S)
{
	__m512 acc[K];

#pragma GCC unroll 8
	for (int ky = 0; ky < K; ky++)
		acc[ky] = tap_row(r0 + ky * rs, ph, x, wt + ky * K, _mm512_setzero_ps(), K, S);
#pragma GCC unroll 8
	for (int ky = 1; ky < K; ky++)
		acc[0] = _mm512_add_ps(acc[0], acc[ky]);
	return acc[0];
}

static ALWAYS_INLINE void plane(const float *pad, const struct dw_geom *g,
				const float *wt, float *out, int ho, int wo,
				float sc, float sh, int act, float *mean,
				const int K, const int S)
{
	__m512 vsc = _mm512_set1_ps(sc), vsh = _mm512_set1_ps(sh);
	__m512 vsum = _mm512_setzero_ps();
	int tail = wo & 15, wfull = wo - tail;
	__mmask16 mask = (__mmask16)((1u << tail) - 1);

	for (int oy = 0; oy < ho; oy++) {
		const float *r0 = pad + (size_t)oy * S * g->rs;
		float *o = out + (size_t)oy * wo;
		int x = 0;

		if (K < 7) {
			for (; x + 32 <= wfull; x += 32) {
				__m512 v0 = conv16(r0, g->rs, g->ph, x, wt, K, S);
				__m512 v1 = conv16(r0, g->rs, g->ph, x + 16, wt, K, S);

				v0 = act16(_mm512_fmadd_ps(v0, vsc, vsh), act);
				v1 = act16(_mm512_fmadd_ps(v1, vsc, vsh), act);
				_mm512_storeu_ps(o + x, v0);
				_mm512_storeu_ps(o + x + 16, v1);
				vsum = _mm512_add_ps(vsum, _mm512_add_ps(v0, v1));
			}
		}
		for (; x < wfull; x += 16) {
			__m512 v = conv16(r0, g->rs, g->ph, x, wt, K, S);

			v = act16(_mm512_fmadd_ps(v, vsc, vsh), act);
			_mm512_storeu_ps(o + x, v);
			vsum = _mm512_add_ps(vsum, v);
		}
		if (tail) {
			__m512 v = conv16(r0, g->rs, g->ph, x, wt, K, S);

			v = act16(_mm512_fmadd_ps(v, vsc, vsh), act);
			_mm512_mask_storeu_ps(o + x, mask, v);
			vsum = _mm512_mask_add_ps(vsum, mask, vsum, v);
		}
	}
	if (mean)
		*mean = _mm512_reduce_add_ps(vsum) / (float)((size_t)ho * wo);
}

#define DEFINE_PLANE(K, S)							\
static void plane_k##K##s##S(const float *pad, const struct dw_geom *g,	\
			     const float *wt, float *out, int ho, int wo,	\
			     float sc, float sh, int act, float *mean)		\
{										\
	switch (act) {								\
	case DG_ACT_RELU:							\
		plane(pad, g, wt, out, ho, wo, sc, sh, DG_ACT_RELU, mean, K, S); \
		break;								\
	case DG_ACT_HSWISH:							\
		plane(pad, g, wt, out, ho, wo, sc, sh, DG_ACT_HSWISH, mean, K, S); \
		break;								\
	default:								\
		plane(pad, g, wt, out, ho, wo, sc, sh, DG_ACT_NONE, mean, K, S); \
	}									\
}

DEFINE_PLANE(3, 1)
DEFINE_PLANE(3, 2)
DEFINE_PLANE(5, 1)
DEFINE_PLANE(5, 2)
DEFINE_PLANE(7, 1)
DEFINE_PLANE(7, 2)

typedef void (*plane_fn)(const float *pad, const struct dw_geom *g, const float *wt,
			 float *out, int ho, int wo, float sc, float sh, int act,
			 float *mean);

void dg_dw_avx512(const struct dg_dw_args *a, int c0, int c1, float *scratch)
{
	static const plane_fn fns[3][2] = {
		{ plane_k3s1, plane_k3s2 }, { plane_k5s1, plane_k5s2 },
		{ plane_k7s1, plane_k7s2 },
	};
	struct dw_geom g;
	plane_fn fn;

	if ((a->k != 3 && a->k != 5 && a->k != 7) || (a->stride != 1 && a->stride != 2) ||
	    a->wo <= 8) {
		dg_dw_avx2(a, c0, c1, scratch);
		return;
	}
	fn = fns[a->k / 2 - 1][a->stride - 1];
	g = dw_geom(a->k, a->stride, a->ho, a->wo);
	float *tmp = scratch + (size_t)g.rows * g.rs;

	dw_pad_zero(&g, scratch);
	for (int c = c0; c < c1; c++) {
		struct dw_pre pre, *pp = NULL;

		if (a->pre_scale) {
			pre.scale = a->pre_scale[c];
			pre.shift = a->pre_shift[c];
			pre.act = a->pre_act;
			pp = &pre;
		}
		dw_pad_plane(a->in + (size_t)c * a->h * a->w, a->h, a->w, a->k, a->stride,
			     &g, pp, tmp, scratch);
		fn(scratch, &g, a->wt + (size_t)c * a->k * a->k,
		   a->out + (size_t)c * a->ho * a->wo, a->ho, a->wo, a->scale[c], a->shift[c],
		   a->act, a->mean ? a->mean + c : NULL);
	}
}
