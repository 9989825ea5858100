/* SPDX-License-Identifier: MIT */
/*
 * Shared by the SIMD depthwise kernels: copy one input plane into the
 * zero-padded scratch layout described at dg_dw_scratch_floats().
 */
#ifndef DNNGOV_DWCONV_PAD_H
#define DNNGOV_DWCONV_PAD_H

#include <string.h>

#include "kernels.h"

#if defined(__AVX2__)
#include <immintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

struct dw_geom {
	size_t rs;	/* floats per padded row */
	size_t ph;	/* stride 2: offset of the odd phase inside a row */
	int rows;
};

static inline struct dw_geom dw_geom(int k, int stride, int ho, int wo)
{
	struct dw_geom g;
	size_t wv = (size_t)(wo + 15) / 16 * 16;	/* whole 16-float vectors */
	size_t rs = stride == 1 ? wv + k + 16 : 2 * (wv + k / 2 + 16);

	g.rs = (rs + 15) / 16 * 16;
	g.ph = g.rs / 2;
	g.rows = (ho - 1) * stride + k;
	return g;
}

/* Optional epilogue of the producer (a GEMM), applied while copying. */
struct dw_pre {
	float scale, shift;
	int act;
};

static inline void pre_row(float *dst, const float *src, int n, const struct dw_pre *pre)
{
	int i = 0;

	if (!pre) {
		memcpy(dst, src, (size_t)n * sizeof(float));
		return;
	}
#if defined(__AVX2__)
	{
		__m256 sc = _mm256_set1_ps(pre->scale), sh = _mm256_set1_ps(pre->shift);
		__m256 zero = _mm256_setzero_ps(), three = _mm256_set1_ps(3.0f);
		__m256 six = _mm256_set1_ps(6.0f), sixth = _mm256_set1_ps(1.0f / 6.0f);

		for (; i + 8 <= n; i += 8) {
			__m256 v = _mm256_fmadd_ps(_mm256_loadu_ps(src + i), sc, sh);

			if (pre->act == DG_ACT_RELU) {
				v = _mm256_max_ps(v, zero);
			} else if (pre->act == DG_ACT_HSWISH) {
				__m256 t = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(v, three), zero), six);

				v = _mm256_mul_ps(_mm256_mul_ps(v, t), sixth);
			}
			_mm256_storeu_ps(dst + i, v);
		}
	}
#elif defined(__ARM_NEON)
	{
		float32x4_t sc = vdupq_n_f32(pre->scale), sh = vdupq_n_f32(pre->shift);
		float32x4_t zero = vdupq_n_f32(0.0f), three = vdupq_n_f32(3.0f);
		float32x4_t six = vdupq_n_f32(6.0f), sixth = vdupq_n_f32(1.0f / 6.0f);

		for (; i + 4 <= n; i += 4) {
			float32x4_t v = vfmaq_f32(sh, vld1q_f32(src + i), sc);

			if (pre->act == DG_ACT_RELU) {
				v = vmaxq_f32(v, zero);
			} else if (pre->act == DG_ACT_HSWISH) {
				float32x4_t t = vminq_f32(vmaxq_f32(vaddq_f32(v, three), zero), six);

				v = vmulq_f32(vmulq_f32(v, t), sixth);
			}
			vst1q_f32(dst + i, v);
		}
	}
#endif
	for (; i < n; i++)
		dst[i] = dg_act1(src[i] * pre->scale + pre->shift, pre->act);
}

/* Split n >= 0 values into even (e) and odd (o) positions. */
static inline void deinterleave(const float *src, int n, float *e, float *o)
{
	int i = 0;

#if defined(__AVX2__)
	for (; i + 16 <= n; i += 16) {
		__m256 a = _mm256_loadu_ps(src + i), b = _mm256_loadu_ps(src + i + 8);
		__m256 ev = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
		__m256 od = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));

		_mm256_storeu_ps(e + i / 2, _mm256_castpd_ps(_mm256_permute4x64_pd(
					       _mm256_castps_pd(ev), _MM_SHUFFLE(3, 1, 2, 0))));
		_mm256_storeu_ps(o + i / 2, _mm256_castpd_ps(_mm256_permute4x64_pd(
					       _mm256_castps_pd(od), _MM_SHUFFLE(3, 1, 2, 0))));
	}
#elif defined(__ARM_NEON)
	for (; i + 8 <= n; i += 8) {
		float32x4x2_t v = vld2q_f32(src + i);

		vst1q_f32(e + i / 2, v.val[0]);
		vst1q_f32(o + i / 2, v.val[1]);
	}
#endif
	for (; i + 1 < n; i += 2) {
		e[i / 2] = src[i];
		o[i / 2] = src[i + 1];
	}
	if (i < n)
		e[i / 2] = src[i];
}

/*
 * Zero the scratch rows a band uses once per call: every plane of the call
 * has the same geometry, so dw_pad_rows() rewrites exactly the same
 * interior positions and the borders stay zero from one band or channel to
 * the next.
 */
static inline void dw_pad_zero(const struct dw_geom *g, int rows, float *pad)
{
	memset(pad, 0, (size_t)(rows < g->rows ? rows : g->rows) * g->rs * sizeof(float));
}

#if defined(__AVX512F__)
/* AVX-512: the producer's epilogue on 16 floats. */
static inline __m512 pre16(__m512 v, const struct dw_pre *pre)
{
	if (!pre)
		return v;
	v = _mm512_fmadd_ps(v, _mm512_set1_ps(pre->scale), _mm512_set1_ps(pre->shift));
	if (pre->act == DG_ACT_RELU) {
		v = _mm512_max_ps(v, _mm512_setzero_ps());
	} else if (pre->act == DG_ACT_HSWISH) {	/* as act16() in dwconv_avx512.c */
		__m512 t = _mm512_fmadd_ps(v, _mm512_set1_ps(1.0f / 6.0f), _mm512_set1_ps(0.5f));

		t = _mm512_min_ps(_mm512_max_ps(t, _mm512_setzero_ps()), _mm512_set1_ps(1.0f));
		v = _mm512_mul_ps(v, t);
	}
	return v;
}

/* Stride 1: dst[0, n) = pre(src[0, n)), 16 at a time, masked tail. */
static inline void pre_row16(float *dst, const float *src, int n, const struct dw_pre *pre)
{
	int i = 0;

	for (; i + 16 <= n; i += 16)
		_mm512_storeu_ps(dst + i, pre16(_mm512_loadu_ps(src + i), pre));
	if (i < n) {
		__mmask16 m = (__mmask16)((1u << (n - i)) - 1);

		_mm512_mask_storeu_ps(dst + i, m, pre16(_mm512_maskz_loadu_ps(m, src + i), pre));
	}
}

/* Stride 2: even/odd positions of pre(src[0, n)) to e and o in one pass. */
static inline void deinterleave_pre16(const float *src, int n, float *e, float *o,
				      const struct dw_pre *pre)
{
	const __m512i ie = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
	const __m512i io = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
	int i = 0;

	for (; i + 32 <= n; i += 32) {
		__m512 a = pre16(_mm512_loadu_ps(src + i), pre);
		__m512 b = pre16(_mm512_loadu_ps(src + i + 16), pre);

		_mm512_storeu_ps(e + i / 2, _mm512_permutex2var_ps(a, ie, b));
		_mm512_storeu_ps(o + i / 2, _mm512_permutex2var_ps(a, io, b));
	}
	if (i < n) {	/* 1..31 left: masked loads, masked stores */
		int rem = n - i;
		__mmask16 ma = rem >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << rem) - 1);
		__mmask16 mb = rem > 16 ? (__mmask16)((1u << (rem - 16)) - 1) : 0;
		__m512 a = pre16(_mm512_maskz_loadu_ps(ma, src + i), pre);
		__m512 b = pre16(_mm512_maskz_loadu_ps(mb, src + i + 16), pre);

		_mm512_mask_storeu_ps(e + i / 2, (__mmask16)((1u << ((rem + 1) / 2)) - 1),
				      _mm512_permutex2var_ps(a, ie, b));
		_mm512_mask_storeu_ps(o + i / 2, (__mmask16)((1u << (rem / 2)) - 1),
				      _mm512_permutex2var_ps(a, io, b));
	}
}
#endif

/*
 * Copy padded rows [y0, y1) of one plane (padded coordinates: input row
 * y - k / 2) into consecutive scratch rows from pad. Rows outside the input
 * are zeroed; the left and right borders stay zero from dw_pad_zero().
 */
static inline void dw_pad_rows(const float *in, int h, int w, int k, int stride,
			       const struct dw_geom *g, const struct dw_pre *pre,
			       float *tmp, float *pad, int y0, int y1)
{
	int p = k / 2;

	for (int y = y0; y < y1; y++) {
		float *row = pad + (size_t)(y - y0) * g->rs;
		const float *src;

		if (y < p || y - p >= h) {
			memset(row, 0, g->rs * sizeof(float));
			continue;
		}
		src = in + (size_t)(y - p) * w;
#if defined(__AVX512F__)
		if (stride == 1) {
			pre_row16(row + p, src, w, pre);
			continue;
		}
		if (p & 1) {
			row[g->ph + (p >> 1)] = pre ? dg_act1(src[0] * pre->scale + pre->shift, pre->act)
						    : src[0];
			deinterleave_pre16(src + 1, w - 1, row + (p + 1) / 2,
					   row + g->ph + (p + 1) / 2, pre);
		} else {
			deinterleave_pre16(src, w, row + p / 2, row + g->ph + p / 2, pre);
		}
		(void)tmp;
		continue;
#endif
		if (stride == 1) {
			pre_row(row + p, src, w, pre);
			continue;
		}
		if (pre) {
			pre_row(tmp, src, w, pre);
			src = tmp;
		}
		/* padded column j = x + p goes to phase j & 1, index j >> 1 */
		if (p & 1) {
			row[g->ph + (p >> 1)] = src[0];
			deinterleave(src + 1, w - 1, row + (p + 1) / 2, row + g->ph + (p + 1) / 2);
		} else {
			deinterleave(src, w, row + p / 2, row + g->ph + p / 2);
		}
	}
}

/* One ISA's kernel for one padded plane: out = act(sc * dw(pad) + sh). */
typedef void (*dw_plane_fn)(const float *pad, const struct dw_geom *g, const float *wt,
			    float *out, int ho, int wo, float sc, float sh, int act,
			    float *mean);

/*
 * plane_k<K>s<S>(): the including file's plane(pad, g, wt, out, ho, wo, sc,
 * sh, act, mean, K, S) specialised per kernel, stride and activation, so
 * the compiler unrolls each; DW_DEFINE_PLANES() also lists them in
 * dw_planes[k / 2 - 1][s - 1].
 */
#define DW_DEFINE_PLANE(K, S)							\
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

#define DW_DEFINE_PLANES()							\
	DW_DEFINE_PLANE(3, 1) DW_DEFINE_PLANE(3, 2)				\
	DW_DEFINE_PLANE(5, 1) DW_DEFINE_PLANE(5, 2)				\
	DW_DEFINE_PLANE(7, 1) DW_DEFINE_PLANE(7, 2)				\
	static const dw_plane_fn dw_planes[3][2] = {				\
		{ plane_k3s1, plane_k3s2 }, { plane_k5s1, plane_k5s2 },		\
		{ plane_k7s1, plane_k7s2 },					\
	};

/* Padded scratch kept in L1 while a band of output rows reads it (bytes). */
#define DW_BAND_BYTES (24 * 1024)

/*
 * Output rows per band: as many as keep the band's input rows within
 * DW_BAND_BYTES (at least 2, even so the kernels' row pairs line up).
 * Copying a whole 112 x 112 plane first (80 KB padded at stride 2) and then
 * convolving it made both passes run from L2: 3.4 us per plane for the copy
 * alone, against 0.7 us for the same rows in L1.
 */
static inline int dw_band(const struct dw_geom *g, int k, int stride, int ho)
{
	int rows = (int)(DW_BAND_BYTES / sizeof(float) / g->rs);
	int band = rows > k ? (rows - k) / stride + 1 : 2;

	band = band < 2 ? 2 : band & ~1;
	return band < ho ? band : ho;
}

/*
 * The channel loop every ISA shares: per plane, per band of output rows,
 * copy the band's input rows into the padded scratch (fusing the producer's
 * BN and activation) and run the ISA's plane kernel on them. The k - stride
 * rows two bands share are moved, not copied again from the input. k is
 * 3, 5 or 7 and stride 1 or 2 (the caller falls back otherwise).
 */
static inline void dw_run_planes(const struct dg_dw_args *a, int c0, int c1,
				 float *scratch, const dw_plane_fn planes[3][2])
{
	dw_plane_fn fn = planes[a->k / 2 - 1][a->stride - 1];
	struct dw_geom g = dw_geom(a->k, a->stride, a->ho, a->wo);
	int band = dw_band(&g, a->k, a->stride, a->ho), keep = a->k - a->stride;
	float *tmp = scratch + (size_t)g.rows * g.rs;

	dw_pad_zero(&g, (band - 1) * a->stride + a->k, scratch);
	for (int c = c0; c < c1; c++) {
		const float *in = a->in + (size_t)c * dg_dw_ldi(a);
		float *out = a->out + (size_t)c * dg_dw_ldo(a);
		const float *wt = a->wt + (size_t)c * a->k * a->k;
		struct dw_pre pre, *pp = NULL;
		float sum = 0.0f;

		if (a->pre_scale) {
			pre.scale = a->pre_scale[c];
			pre.shift = a->pre_shift[c];
			pre.act = a->pre_act;
			pp = &pre;
		}
		for (int oy = 0; oy < a->ho; oy += band) {
			int n = a->ho - oy < band ? a->ho - oy : band;
			int y0 = oy * a->stride, y1 = (oy + n - 1) * a->stride + a->k;
			int have = 0;
			float m;

			if (oy) {	/* the previous band's last keep rows come first */
				memmove(scratch, scratch + (size_t)(band * a->stride) * g.rs,
					(size_t)keep * g.rs * sizeof(float));
				have = keep;
			}
			dw_pad_rows(in, a->h, a->w, a->k, a->stride, &g, pp, tmp,
				    scratch + (size_t)have * g.rs, y0 + have, y1);
			fn(scratch, &g, wt, out + (size_t)oy * a->wo, n, a->wo, a->scale[c],
			   a->shift[c], a->act, a->mean ? &m : NULL);
			if (a->mean)
				sum += m * (float)(n * a->wo);
		}
		if (a->mean)
			a->mean[c] = sum / (float)(a->ho * a->wo);
	}
}

#endif /* DNNGOV_DWCONV_PAD_H */
