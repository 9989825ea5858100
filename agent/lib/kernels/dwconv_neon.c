// SPDX-License-Identifier: MIT
/*
 * Depthwise k x k convolution for arm64 NEON, NCHW, 4 output columns per
 * vector; same structure as the AVX2 kernel (one accumulator per kernel row,
 * two vectors at a time for k = 3 and 5). Other kernel sizes use the
 * reference.
 */
#include <arm_neon.h>

#include "dwconv_pad.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE float32x4_t act4(float32x4_t v, int act)
{
	if (act == DG_ACT_RELU)
		return vmaxq_f32(v, vdupq_n_f32(0.0f));
	if (act == DG_ACT_HSWISH) {
		float32x4_t t = vaddq_f32(v, vdupq_n_f32(3.0f));

		t = vminq_f32(vmaxq_f32(t, vdupq_n_f32(0.0f)), vdupq_n_f32(6.0f));
		return vmulq_f32(vmulq_f32(v, t), vdupq_n_f32(1.0f / 6.0f));
	}
	return v;
}

static ALWAYS_INLINE float32x4_t conv4(const float *r0, size_t rs, size_t ph, int x,
				       const float *wt, const int K, const int S)
{
	float32x4_t acc[K];

#pragma GCC unroll 8
	for (int ky = 0; ky < K; ky++) {
		const float *row = r0 + ky * rs;

		acc[ky] = vdupq_n_f32(0.0f);
#pragma GCC unroll 8
		for (int kx = 0; kx < K; kx++) {
			const float *src = S == 1 ? row + x + kx : row + (kx & 1) * ph + x + (kx >> 1);

			acc[ky] = vfmaq_n_f32(acc[ky], vld1q_f32(src), wt[ky * K + kx]);
		}
	}
#pragma GCC unroll 8
	for (int ky = 1; ky < K; ky++)
		acc[0] = vaddq_f32(acc[0], acc[ky]);
	return acc[0];
}

static ALWAYS_INLINE void plane(const float *pad, const struct dw_geom *g,
				const float *wt, float *out, int ho, int wo,
				float sc, float sh, int act, float *mean,
				const int K, const int S)
{
	float32x4_t vsc = vdupq_n_f32(sc), vsh = vdupq_n_f32(sh);
	float32x4_t vsum = vdupq_n_f32(0.0f);
	int tail = wo & 3, wfull = wo - tail;

	for (int oy = 0; oy < ho; oy++) {
		const float *r0 = pad + (size_t)oy * S * g->rs;
		float *o = out + (size_t)oy * wo;
		int x = 0;

		if (K < 7) {
			for (; x + 8 <= wfull; x += 8) {
				float32x4_t v0 = conv4(r0, g->rs, g->ph, x, wt, K, S);
				float32x4_t v1 = conv4(r0, g->rs, g->ph, x + 4, wt, K, S);

				v0 = act4(vfmaq_f32(vsh, v0, vsc), act);
				v1 = act4(vfmaq_f32(vsh, v1, vsc), act);
				vst1q_f32(o + x, v0);
				vst1q_f32(o + x + 4, v1);
				vsum = vaddq_f32(vsum, vaddq_f32(v0, v1));
			}
		}
		for (; x < wfull; x += 4) {
			float32x4_t v = conv4(r0, g->rs, g->ph, x, wt, K, S);

			v = act4(vfmaq_f32(vsh, v, vsc), act);
			vst1q_f32(o + x, v);
			vsum = vaddq_f32(vsum, v);
		}
		if (tail) {
			float tmp[4];
			float32x4_t v = conv4(r0, g->rs, g->ph, x, wt, K, S);

			v = act4(vfmaq_f32(vsh, v, vsc), act);
			vst1q_f32(tmp, v);
			for (int i = 0; i < tail; i++) {
				o[x + i] = tmp[i];
				vsum = vsetq_lane_f32(vgetq_lane_f32(vsum, 0) + tmp[i], vsum, 0);
			}
		}
	}
	if (mean)
		*mean = vaddvq_f32(vsum) / (float)((size_t)ho * wo);
}

DW_DEFINE_PLANES()

void dg_dw_neon(const struct dg_dw_args *a, int c0, int c1, float *scratch)
{
	if ((a->k != 3 && a->k != 5 && a->k != 7) || (a->stride != 1 && a->stride != 2)) {
		dg_dw_ref(a, c0, c1, scratch);
		return;
	}
	dw_run_planes(a, c0, c1, scratch, dw_planes);
}
