// SPDX-License-Identifier: MIT
/*
 * Depthwise k x k convolution for AVX-512F, NCHW, 16 output columns per
 * vector, register-blocked: two output rows by up to four vectors (128
 * outputs in 8 accumulators) at a time, so each input vector is loaded once
 * for both rows and each weight broadcast once for four vectors; mask
 * registers for the row tails. Narrow planes, and k = 7 at stride 1, run
 * 16 channels per vector instead (see dw_small()).
 */
#include <immintrin.h>

#include "dwconv_pad.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE __m512 act16(__m512 v, int act)
{
	if (act == DG_ACT_RELU)
		return _mm512_max_ps(v, _mm512_setzero_ps());
	if (act == DG_ACT_HSWISH) {	/* v * clamp(v / 6 + 1 / 2, 0, 1): one op fewer */
		__m512 t = _mm512_fmadd_ps(v, _mm512_set1_ps(1.0f / 6.0f), _mm512_set1_ps(0.5f));

		t = _mm512_min_ps(_mm512_max_ps(t, _mm512_setzero_ps()), _mm512_set1_ps(1.0f));
		return _mm512_mul_ps(v, t);
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

/*
 * Narrow planes (the late stages: 7x7 and 6x6 outputs would fill half a
 * vector per row) and the ones dg_dw_small_use() lists run 16 channels per
 * vector instead: the 16 input planes are transposed into a padded
 * pixel-major scratch P[y][x][16] (applying the producer's epilogue), each
 * tap is then one load and one FMA for 16 channels with up to 12 output
 * columns in registers, and the outputs are transposed back. No lane is
 * idle whatever the width, at the cost of the transposes, which is why k = 3
 * (9 FMAs per output) gains less than k = 7 (49). The SE mean of 16
 * channels is one vector sum.
 */
/* r[i][j] <- r[j][i] (16 x 16) */
static ALWAYS_INLINE void tr16(__m512 r[16])
{
	__m512 t[16];

	for (int i = 0; i < 16; i += 2) {
		t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
		t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
	}
	for (int i = 0; i < 16; i += 4) {
		__m512d a = _mm512_castps_pd(t[i]), b = _mm512_castps_pd(t[i + 1]);
		__m512d c = _mm512_castps_pd(t[i + 2]), d = _mm512_castps_pd(t[i + 3]);

		r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
		r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
		r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
		r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
	}
	for (int i = 0; i < 4; i++) {
		t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
		t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xdd);
		t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
		t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xdd);
	}
	for (int i = 0; i < 8; i++) {
		r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
		r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
	}
}

/*
 * Load values [i0, i0 + m) of 16 rows (row j at src + j * ld) and transpose:
 * r[i] holds value i0 + i of the 16 rows.
 */
static ALWAYS_INLINE void load_tr16(__m512 r[16], const float *src, size_t ld, int i0, int m)
{
	__mmask16 mk = m >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << m) - 1);

	for (int j = 0; j < 16; j++)
		r[j] = _mm512_maskz_loadu_ps(mk, src + j * ld + i0);
	tr16(r);
}

struct small_geom {
	int hp, wp;		/* padded plane; see dg_dw_small_wp() */
	float *p, *w, *o;	/* P[hp][wp][16], W[k * k][16], O[ho * wo][16] */
};

/* must match the small-plane part of dg_dw_scratch_floats() */
static struct small_geom small_geom(int k, int stride, int h, int w, float *scratch)
{
	struct small_geom g;

	g.hp = h + k - 1;
	g.wp = dg_dw_small_wp(k, stride, w);
	g.p = scratch;
	g.w = g.p + (size_t)g.hp * g.wp * 16;
	g.o = g.w + (size_t)k * k * 16;
	return g;
}

/*
 * Output columns [ox0, ox0 + n) of output row oy for 16 channels, NACC >= n
 * of them in registers (the ones past n are padding and dropped).
 */
static ALWAYS_INLINE __m512 small_cols(const struct small_geom *g, int oy, int ox0, int n,
				       float *o, __m512 sc, __m512 sh, int act, __m512 vsum,
				       const int K, const int S, const int NACC)
{
	__m512 acc[NACC];

#pragma GCC unroll 12
	for (int ox = 0; ox < NACC; ox++)
		acc[ox] = _mm512_setzero_ps();
#pragma GCC unroll 7
	for (int ky = 0; ky < K; ky++) {
		const float *row = g->p + ((size_t)(oy * S + ky) * g->wp + (size_t)ox0 * S) * 16;

#pragma GCC unroll 7
		for (int kx = 0; kx < K; kx++) {
			__m512 wv = _mm512_loadu_ps(g->w + (size_t)(ky * K + kx) * 16);

#pragma GCC unroll 12
			for (int ox = 0; ox < NACC; ox++)
				acc[ox] = _mm512_fmadd_ps(
					_mm512_loadu_ps(row + (size_t)(ox * S + kx) * 16), wv, acc[ox]);
		}
	}
	for (int ox = 0; ox < n; ox++) {
		__m512 y = act16(_mm512_fmadd_ps(acc[ox], sc, sh), act);

		_mm512_storeu_ps(o + (size_t)ox * 16, y);
		vsum = _mm512_add_ps(vsum, y);
	}
	return vsum;
}

/* The 16 input planes from channel c, pixel-major, into the interior of P (PRE: with the producer's epilogue). */
static ALWAYS_INLINE void small_load(const struct dg_dw_args *a, int c, const struct small_geom *g,
				     int p, const int PRE)
{
	/* locals: the vector stores may alias anything, so fields would be reloaded per pixel */
	int hw = a->h * a->w, w = a->w, act = a->pre_act;
	size_t row = (size_t)g->wp * 16;
	size_t ldi = dg_dw_ldi(a);
	const float *in = a->in + (size_t)c * ldi;
	__m512 r[16], psc = _mm512_setzero_ps(), psh = _mm512_setzero_ps();
	float *dst = g->p + (size_t)p * row + (size_t)p * 16;

	if (PRE) {
		psc = _mm512_loadu_ps(a->pre_scale + c);
		psh = _mm512_loadu_ps(a->pre_shift + c);
	}
	for (int i0 = 0, x = 0; i0 < hw; i0 += 16) {
		int m = hw - i0 < 16 ? hw - i0 : 16;

		load_tr16(r, in, ldi, i0, m);
		for (int i = 0; i < m; i++) {
			__m512 v = r[i];

			if (PRE)
				v = act16(_mm512_fmadd_ps(v, psc, psh), act);
			_mm512_storeu_ps(dst + (size_t)x * 16, v);
			if (++x == w) {	/* next row of the interior */
				x = 0;
				dst += row;
			}
		}
	}
}

static ALWAYS_INLINE void small_block(const struct dg_dw_args *a, int c,
				      const struct small_geom *g, const int K, const int S)
{
	int p = K / 2, ho = a->ho, wo = a->wo, act = a->act, n = ho * wo;
	float *out = a->out;
	size_t ldo = dg_dw_ldo(a);
	__m512 r[16], vsum = _mm512_setzero_ps();
	__m512 sc = _mm512_loadu_ps(a->scale + c), sh = _mm512_loadu_ps(a->shift + c);

	if (a->pre_scale)
		small_load(a, c, g, p, 1);
	else
		small_load(a, c, g, p, 0);
	for (int t0 = 0; t0 < K * K; t0 += 16) {
		int m = K * K - t0 < 16 ? K * K - t0 : 16;

		load_tr16(r, a->wt + (size_t)c * K * K, (size_t)K * K, t0, m);
		for (int i = 0; i < m; i++)
			_mm512_storeu_ps(g->w + (size_t)(t0 + i) * 16, r[i]);
	}
	for (int oy = 0; oy < ho; oy++) {
		float *o = g->o + (size_t)oy * wo * 16;
		int ox0 = 0, rem;

		for (; ox0 + 12 <= wo; ox0 += 12)
			vsum = small_cols(g, oy, ox0, 12, o + ox0 * 16, sc, sh, act, vsum, K, S, 12);
		rem = wo - ox0;
		if (rem > 8)
			vsum = small_cols(g, oy, ox0, rem, o + ox0 * 16, sc, sh, act, vsum, K, S, 12);
		else if (rem > 4)
			vsum = small_cols(g, oy, ox0, rem, o + ox0 * 16, sc, sh, act, vsum, K, S, 8);
		else if (rem > 0)
			vsum = small_cols(g, oy, ox0, rem, o + ox0 * 16, sc, sh, act, vsum, K, S, 4);
	}
	/* outputs back to planes: 16 pixels of 16 channels at a time */
	for (int i0 = 0; i0 < n; i0 += 16) {
		int m = n - i0 < 16 ? n - i0 : 16;
		__mmask16 mk = m >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << m) - 1);

		for (int i = 0; i < 16; i++)
			r[i] = i < m ? _mm512_loadu_ps(g->o + (size_t)(i0 + i) * 16)
				     : _mm512_setzero_ps();
		tr16(r);
		for (int j = 0; j < 16; j++)
			_mm512_mask_storeu_ps(out + (size_t)(c + j) * ldo + i0, mk, r[j]);
	}
	if (a->mean)
		_mm512_storeu_ps(a->mean + c, _mm512_div_ps(vsum, _mm512_set1_ps((float)n)));
}

#define SMALL_FN(K, S)								\
static void small_k##K##s##S(const struct dg_dw_args *a, int c,		\
			     const struct small_geom *g)			\
{										\
	small_block(a, c, g, K, S);						\
}
SMALL_FN(3, 1) SMALL_FN(3, 2) SMALL_FN(5, 1) SMALL_FN(5, 2) SMALL_FN(7, 1) SMALL_FN(7, 2)

typedef void (*small_fn)(const struct dg_dw_args *a, int c, const struct small_geom *g);
static const small_fn small_fns[3][2] = {
	{ small_k3s1, small_k3s2 }, { small_k5s1, small_k5s2 }, { small_k7s1, small_k7s2 },
};

/* Zero the border of P around the h x w interior at (p, p). */
static void small_border(const struct small_geom *g, int p, int h, int w)
{
	size_t row = (size_t)g->wp * 16;

	memset(g->p, 0, (size_t)p * row * sizeof(float));
	memset(g->p + (size_t)(p + h) * row, 0, (size_t)(g->hp - p - h) * row * sizeof(float));
	for (int y = p; y < p + h; y++) {
		memset(g->p + y * row, 0, (size_t)p * 16 * sizeof(float));
		memset(g->p + y * row + (size_t)(p + w) * 16, 0,
		       (size_t)(g->wp - p - w) * 16 * sizeof(float));
	}
}

/* Channels [c0, c1) in blocks of 16; fewer than 16 left go to the AVX2 kernel. */
static void dw_small(const struct dg_dw_args *a, int c0, int c1, float *scratch)
{
	struct small_geom g = small_geom(a->k, a->stride, a->h, a->w, scratch);
	small_fn fn = small_fns[a->k / 2 - 1][a->stride - 1];
	int c = c0;

	small_border(&g, a->k / 2, a->h, a->w);
	for (; c + 16 <= c1; c += 16)
		fn(a, c, &g);
	if (c < c1)
		dg_dw_avx2(a, c, c1, scratch);
}

void dg_dw_avx512(const struct dg_dw_args *a, int c0, int c1, float *scratch)
{
	if ((a->k != 3 && a->k != 5 && a->k != 7) || (a->stride != 1 && a->stride != 2)) {
		dg_dw_avx2(a, c0, c1, scratch);
		return;
	}
	if (dg_dw_small_use(a->k, a->stride, a->w)) {
		dw_small(a, c0, c1, scratch);
		return;
	}
	dw_run_planes(a, c0, c1, scratch, dw_planes);
}
