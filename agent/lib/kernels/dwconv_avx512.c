// SPDX-License-Identifier: MIT
/*
 * Depthwise k x k convolution for AVX-512F, NCHW, 16 output columns per
 * vector, register-blocked: two output rows by up to four vectors (128
 * outputs in 8 accumulators) at a time, so each input vector is loaded once
 * for both rows and each weight broadcast once for four vectors; mask
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

/* Input row r of the window: taps into output row oy (ky = r) and oy + 1 (ky = r - S). */
static ALWAYS_INLINE void tap(const float *r0, const struct dw_geom *g, int x, const float *wt,
			      int r, int two, __m512 *acc0, __m512 *acc1,
			      const int NV, const int K, const int S)
{
	const float *row = r0 + (size_t)r * g->rs;
	int u0 = r < K, u1 = two && r >= S;
	const float *w0 = wt + (size_t)(u0 ? r : 0) * K;
	const float *w1 = wt + (size_t)(u1 ? r - S : 0) * K;

	if (u0 && u1) {
#pragma GCC unroll 8
		for (int kx = 0; kx < K; kx++) {
			const float *src = S == 1 ? row + x + kx : row + (kx & 1) * g->ph + x + (kx >> 1);
			__m512 a = _mm512_set1_ps(w0[kx]), b = _mm512_set1_ps(w1[kx]);

#pragma GCC unroll 4
			for (int v = 0; v < NV; v++) {
				__m512 in = _mm512_loadu_ps(src + 16 * v);

				acc0[v] = _mm512_fmadd_ps(in, a, acc0[v]);
				acc1[v] = _mm512_fmadd_ps(in, b, acc1[v]);
			}
		}
	} else if (u0 || u1) {
		const float *w = u0 ? w0 : w1;
		__m512 *acc = u0 ? acc0 : acc1;

#pragma GCC unroll 8
		for (int kx = 0; kx < K; kx++) {
			const float *src = S == 1 ? row + x + kx : row + (kx & 1) * g->ph + x + (kx >> 1);
			__m512 a = _mm512_set1_ps(w[kx]);

#pragma GCC unroll 4
			for (int v = 0; v < NV; v++)
				acc[v] = _mm512_fmadd_ps(_mm512_loadu_ps(src + 16 * v), a, acc[v]);
		}
	}
}

/*
 * NV output vectors (16 columns each, from column x) of one or two output
 * rows (oy, oy + 1). Each input row vector is loaded once and feeds both
 * output rows, and each weight broadcast feeds NV vectors: about 0.75 loads
 * per FMA instead of 2. With NV <= 2, even and odd window rows accumulate
 * separately so that at least 4 FMA chains are in flight.
 */
static ALWAYS_INLINE void block(const float *r0, const struct dw_geom *g, int x,
				const float *wt, __m512 *acc0, __m512 *acc1, int two,
				const int NV, const int K, const int S)
{
	__m512 b0[4], b1[4];
	const int split = NV <= 2;

#pragma GCC unroll 4
	for (int v = 0; v < NV; v++)
		acc0[v] = acc1[v] = b0[v] = b1[v] = _mm512_setzero_ps();
#pragma GCC unroll 5
	for (int r = 0; r < K + S; r += 2) {
		tap(r0, g, x, wt, r, two, acc0, acc1, NV, K, S);
		if (r + 1 < K + S)
			tap(r0, g, x, wt, r + 1, two, split ? b0 : acc0, split ? b1 : acc1, NV, K, S);
	}
	if (split) {
#pragma GCC unroll 4
		for (int v = 0; v < NV; v++) {
			acc0[v] = _mm512_add_ps(acc0[v], b0[v]);
			acc1[v] = _mm512_add_ps(acc1[v], b1[v]);
		}
	}
}

/* BN + activation of NV accumulators, stored at o; the last may be partial. */
static ALWAYS_INLINE __m512 store(float *o, __m512 *acc, __m512 vsc, __m512 vsh, int act,
				  __mmask16 last, __m512 vsum, const int NV)
{
#pragma GCC unroll 4
	for (int v = 0; v < NV; v++) {
		__m512 y = act16(_mm512_fmadd_ps(acc[v], vsc, vsh), act);

		if (v == NV - 1) {
			_mm512_mask_storeu_ps(o + 16 * v, last, y);
			vsum = _mm512_mask_add_ps(vsum, last, vsum, y);
		} else {
			_mm512_storeu_ps(o + 16 * v, y);
			vsum = _mm512_add_ps(vsum, y);
		}
	}
	return vsum;
}

/* Output columns [x, x + 16 * NV) of rows oy (and oy + 1 when two), clipped to wo. */
static ALWAYS_INLINE __m512 blk(const float *r0, const struct dw_geom *g, const float *wt,
				float *o, int wo, int x, int two, __m512 vsc, __m512 vsh,
				int act, __m512 vsum, const int NV, const int K, const int S)
{
	__m512 acc0[4], acc1[4];
	int cols = wo - x - 16 * (NV - 1);	/* 1..16 in the last vector */
	__mmask16 last = cols >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << cols) - 1);

	block(r0, g, x, wt, acc0, acc1, two, NV, K, S);
	vsum = store(o + x, acc0, vsc, vsh, act, last, vsum, NV);
	if (two)
		vsum = store(o + wo + x, acc1, vsc, vsh, act, last, vsum, NV);
	return vsum;
}

static ALWAYS_INLINE void plane(const float *pad, const struct dw_geom *g,
				const float *wt, float *out, int ho, int wo,
				float sc, float sh, int act, float *mean,
				const int K, const int S)
{
	__m512 vsc = _mm512_set1_ps(sc), vsh = _mm512_set1_ps(sh);
	__m512 vsum = _mm512_setzero_ps();
	int nv = (wo + 15) / 16;	/* vectors per output row */

	for (int oy = 0; oy < ho; oy += 2) {
		const float *r0 = pad + (size_t)oy * S * g->rs;
		float *o = out + (size_t)oy * wo;
		int two = oy + 1 < ho, i = 0;

		for (; i + 4 <= nv; i += 4)
			vsum = blk(r0, g, wt, o, wo, 16 * i, two, vsc, vsh, act, vsum, 4, K, S);
		switch (nv - i) {
		case 3:
			vsum = blk(r0, g, wt, o, wo, 16 * i, two, vsc, vsh, act, vsum, 3, K, S);
			break;
		case 2:
			vsum = blk(r0, g, wt, o, wo, 16 * i, two, vsc, vsh, act, vsum, 2, K, S);
			break;
		case 1:
			vsum = blk(r0, g, wt, o, wo, 16 * i, two, vsc, vsh, act, vsum, 1, K, S);
			break;
		}
	}
	if (mean)
		*mean = _mm512_reduce_add_ps(vsum) / (float)((size_t)ho * wo);
}

DW_DEFINE_PLANES()

void dg_dw_avx512(const struct dg_dw_args *a, int c0, int c1, float *scratch)
{
	if ((a->k != 3 && a->k != 5 && a->k != 7) || (a->stride != 1 && a->stride != 2) ||
	    a->wo <= 8) {
		dg_dw_avx2(a, c0, c1, scratch);
		return;
	}
	dw_run_planes(a, c0, c1, scratch, dw_planes);
}
