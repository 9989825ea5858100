// SPDX-License-Identifier: MIT
/*
 * Depthwise k x k convolution for AVX2 + FMA, NCHW, 8 output columns per
 * vector. Each kernel row ky accumulates into its own register so that the
 * k chains of FMAs run in parallel even on the 7-wide planes of late
 * stages; k = 3 and 5 also do two vectors at a time for the same reason.
 * Kernel sizes other than 3/5/7 use the reference.
 */
#include <immintrin.h>

#include "dwconv_pad.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE __m256 act8(__m256 v, int act)
{
	if (act == DG_ACT_RELU)
		return _mm256_max_ps(v, _mm256_setzero_ps());
	if (act == DG_ACT_HSWISH) {
		__m256 t = _mm256_add_ps(v, _mm256_set1_ps(3.0f));

		t = _mm256_min_ps(_mm256_max_ps(t, _mm256_setzero_ps()), _mm256_set1_ps(6.0f));
		return _mm256_mul_ps(_mm256_mul_ps(v, t), _mm256_set1_ps(1.0f / 6.0f));
	}
	return v;
}

static ALWAYS_INLINE __m256 tap_row(const float *row, size_t ph, int x,
				    const float *w, __m256 acc, const int K, const int S)
{
#pragma GCC unroll 8
	for (int kx = 0; kx < K; kx++) {
		const float *src = S == 1 ? row + x + kx : row + (kx & 1) * ph + x + (kx >> 1);

		acc = _mm256_fmadd_ps(_mm256_loadu_ps(src), _mm256_set1_ps(w[kx]), acc);
	}
	return acc;
}

/* Sum of the K per-row accumulators of the output vector at column x. */
static ALWAYS_INLINE __m256 conv8(const float *r0, size_t rs, size_t ph, int x,
				  const float *wt, const int K, const int S)
{
	__m256 acc[K];

#pragma GCC unroll 8
	for (int ky = 0; ky < K; ky++)
		acc[ky] = tap_row(r0 + ky * rs, ph, x, wt + ky * K, _mm256_setzero_ps(), K, S);
#pragma GCC unroll 8
	for (int ky = 1; ky < K; ky++)
		acc[0] = _mm256_add_ps(acc[0], acc[ky]);
	return acc[0];
}

static ALWAYS_INLINE void plane(const float *pad, const struct dw_geom *g,
				const float *wt, float *out, int ho, int wo,
				float sc, float sh, int act, float *mean,
				const int K, const int S)
{
	__m256 vsc = _mm256_set1_ps(sc), vsh = _mm256_set1_ps(sh);
	__m256 vsum = _mm256_setzero_ps();
	int tail = wo & 7, wfull = wo - tail;
	__m256i mask = _mm256_setr_epi32(0 < tail ? -1 : 0, 1 < tail ? -1 : 0,
					 2 < tail ? -1 : 0, 3 < tail ? -1 : 0,
					 4 < tail ? -1 : 0, 5 < tail ? -1 : 0,
					 6 < tail ? -1 : 0, 0);

	for (int oy = 0; oy < ho; oy++) {
		const float *r0 = pad + (size_t)oy * S * g->rs;
		float *o = out + (size_t)oy * wo;
		int x = 0;

		if (K < 7) {
			for (; x + 16 <= wfull; x += 16) {
				__m256 v0 = conv8(r0, g->rs, g->ph, x, wt, K, S);
				__m256 v1 = conv8(r0, g->rs, g->ph, x + 8, wt, K, S);

				v0 = act8(_mm256_fmadd_ps(v0, vsc, vsh), act);
				v1 = act8(_mm256_fmadd_ps(v1, vsc, vsh), act);
				_mm256_storeu_ps(o + x, v0);
				_mm256_storeu_ps(o + x + 8, v1);
				vsum = _mm256_add_ps(vsum, _mm256_add_ps(v0, v1));
			}
		}
		for (; x < wfull; x += 8) {
			__m256 v = conv8(r0, g->rs, g->ph, x, wt, K, S);

			v = act8(_mm256_fmadd_ps(v, vsc, vsh), act);
			_mm256_storeu_ps(o + x, v);
			vsum = _mm256_add_ps(vsum, v);
		}
		if (tail) {
			__m256 v = conv8(r0, g->rs, g->ph, x, wt, K, S);

			v = act8(_mm256_fmadd_ps(v, vsc, vsh), act);
			_mm256_maskstore_ps(o + x, mask, v);
			vsum = _mm256_add_ps(vsum, _mm256_and_ps(v, _mm256_castsi256_ps(mask)));
		}
	}
	if (mean) {
		__m128 s = _mm_add_ps(_mm256_castps256_ps128(vsum), _mm256_extractf128_ps(vsum, 1));

		s = _mm_add_ps(s, _mm_movehl_ps(s, s));
		s = _mm_add_ss(s, _mm_movehdup_ps(s));
		*mean = _mm_cvtss_f32(s) / (float)((size_t)ho * wo);
	}
}

DW_DEFINE_PLANES()

void dg_dw_avx2(const struct dg_dw_args *a, int c0, int c1, float *scratch)
{
	if ((a->k != 3 && a->k != 5 && a->k != 7) || (a->stride != 1 && a->stride != 2)) {
		dg_dw_ref(a, c0, c1, scratch);
		return;
	}
	dw_run_planes(a, c0, c1, scratch, dw_planes);
}
