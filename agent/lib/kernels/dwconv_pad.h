/* SPDX-License-Identifier: MIT */
/*
 * Shared by the SIMD depthwise kernels: copy one input plane into the
 * zero-padded scratch layout described at dg_dw_scratch_floats().
 */
#ifndef DNNGOV_DWCONV_PAD_H
#define DNNGOV_DWCONV_PAD_H

#include <string.h>

#include "kernels.h"

struct dw_geom {
	size_t rs;	/* floats per padded row */
	size_t ph;	/* stride 2: offset of the odd phase inside a row */
	int rows;
};

static inline struct dw_geom dw_geom(int k, int stride, int ho, int wo)
{
	struct dw_geom g;
	size_t wv = (size_t)(wo + 7) / 8 * 8;
	size_t rs = stride == 1 ? wv + k + 8 : 2 * (wv + k / 2 + 8);

	g.rs = (rs + 7) / 8 * 8;
	g.ph = g.rs / 2;
	g.rows = (ho - 1) * stride + k;
	return g;
}

static inline void dw_pad_plane(const float *in, int h, int w, int k, int stride,
				const struct dw_geom *g, float *pad)
{
	int p = k / 2;

	if (stride == 1) {
		for (int y = 0; y < g->rows; y++) {
			float *row = pad + (size_t)y * g->rs;
			int iy = y - p;

			if (iy < 0 || iy >= h) {
				memset(row, 0, g->rs * sizeof(float));
				continue;
			}
			memset(row, 0, (size_t)p * sizeof(float));
			memcpy(row + p, in + (size_t)iy * w, (size_t)w * sizeof(float));
			memset(row + p + w, 0, (g->rs - p - w) * sizeof(float));
		}
		return;
	}
	for (int y = 0; y < g->rows; y++) {
		float *row = pad + (size_t)y * g->rs;
		int iy = y - p;

		memset(row, 0, g->rs * sizeof(float));
		if (iy < 0 || iy >= h)
			continue;
		const float *src = in + (size_t)iy * w;

		for (int x = 0; x < w; x++) {
			int j = x + p;

			row[(j & 1) * g->ph + (j >> 1)] = src[x];
		}
	}
}

#endif /* DNNGOV_DWCONV_PAD_H */
