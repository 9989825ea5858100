// SPDX-License-Identifier: MIT
/* Depthwise convolution: plain C reference and scratch sizing. */
#include "kernels.h"

void dg_dw_ref(const struct dg_dw_args *a, int c0, int c1, float *scratch)
{
	int k = a->k, p = k / 2, s = a->stride;

	(void)scratch;
	for (int c = c0; c < c1; c++) {
		const float *in = a->in + (size_t)c * dg_dw_ldi(a);
		const float *wt = a->wt + (size_t)c * k * k;
		float *out = a->out + (size_t)c * dg_dw_ldo(a);
		double sum = 0.0;

		for (int oy = 0; oy < a->ho; oy++) {
			for (int ox = 0; ox < a->wo; ox++) {
				float acc = 0.0f;

				for (int ky = 0; ky < k; ky++) {
					int iy = oy * s + ky - p;

					if (iy < 0 || iy >= a->h)
						continue;
					for (int kx = 0; kx < k; kx++) {
						int ix = ox * s + kx - p;

						float v;

						if (ix < 0 || ix >= a->w)
							continue;
						v = in[(size_t)iy * a->w + ix];
						if (a->pre_scale)
							v = dg_act1(v * a->pre_scale[c] + a->pre_shift[c],
								    a->pre_act);
						acc += v * wt[ky * k + kx];
					}
				}
				acc = dg_act1(acc * a->scale[c] + a->shift[c], a->act);
				out[(size_t)oy * a->wo + ox] = acc;
				sum += acc;
			}
		}
		if (a->mean)
			a->mean[c] = (float)(sum / ((double)a->ho * a->wo));
	}
}

/*
 * The SIMD kernels copy one zero-padded input plane into scratch. Rows are
 * padded so that full vectors past the last output column stay in bounds;
 * stride 2 stores each row as its even and odd columns (two phases) so that
 * every tap is a contiguous load.
 */
size_t dg_dw_scratch_floats(int k, int stride, int h, int w)
{
	int ho = dg_conv_out(h, k, stride), wo = dg_conv_out(w, k, stride);
	size_t wv = (size_t)(wo + 15) / 16 * 16;
	size_t rows = (size_t)(ho - 1) * stride + k;
	size_t rs = stride == 1 ? wv + k + 16 : 2 * (wv + k / 2 + 16);

	/* must match dw_geom() in dwconv_pad.h; + one row for the fused input epilogue */
	size_t n = rows * ((rs + 15) / 16 * 16) + 16 + (size_t)w;
	/* AVX-512 channel-vector planes: P[h + k - 1][wp][16], W[k * k][16], O[ho * wo][16] */
	size_t small = (size_t)(h + k - 1) * dg_dw_small_wp(k, stride, w) * 16 +
		       (size_t)k * k * 16 + (size_t)ho * wo * 16;

	return dg_dw_small_use(k, stride, w) && small > n ? small : n;
}

static int small_force = -1;

void dg_dw_small_force(int wo_max)
{
	small_force = wo_max;
}

/*
 * Measured per shape (tests/bench/bench_dwconv, 128 - 256 channels, row
 * kernel time / channel-vector time): k = 3 gains up to 14 outputs wide
 * (3.3x at 7, 1.2x at 14, 0.8 - 1.1x at 22), k = 5 up to 22 at stride 1
 * (1.2 - 1.4x) and 14 at stride 2, k = 7 up to 22 at stride 2 (1.1 - 1.2x)
 * and at every width at stride 1 (1.0 - 1.2x from 28 to 56 wide).
 */
int dg_dw_small_use(int k, int stride, int w)
{
	int wo = dg_conv_out(w, k, stride);

	if (small_force >= 0)
		return wo <= small_force;
	return wo <= 14 || (k == 5 && stride == 1 && wo <= 22) ||
	       (k == 7 && wo <= (stride == 1 ? 64 : 22));
}
