// SPDX-License-Identifier: MIT
/*
 * Depthwise kernel micro-benchmark: min time over repeats for the shapes of
 * the OFA w1.2 supernet at r = 224, each kernel set vs the reference.
 *   bench_dwconv [reps]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kernels.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	static const int shapes[][4] = {	/* c, h, k, stride */
		{ 144, 112, 7, 2 }, { 192, 56, 7, 1 }, { 192, 56, 5, 2 }, { 288, 28, 7, 1 },
		{ 288, 28, 3, 2 }, { 576, 14, 7, 1 }, { 816, 14, 5, 1 }, { 816, 14, 7, 2 },
		{ 1152, 7, 7, 1 }, { 1152, 7, 3, 1 },
	};
	int reps = argc > 1 ? atoi(argv[1]) : 20;
	const char *name;
	dg_dw_fn fn = dg_dw_select(&name);

	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		int c = shapes[s][0], h = shapes[s][1], k = shapes[s][2], st = shapes[s][3];
		int ho = dg_conv_out(h, k, st);
		float *in = calloc((size_t)c * h * h, 4), *out = calloc((size_t)c * ho * ho, 4);
		float *wt = calloc((size_t)c * k * k, 4), *sc = calloc((size_t)c, 4);
		float *sh = calloc((size_t)c, 4), *mean = calloc((size_t)c, 4);
		float *scratch = calloc(dg_dw_scratch_floats(k, st, h, h), 4);
		struct dg_dw_args a = { .in = in, .out = out, .wt = wt, .k = k, .stride = st, .h = h,
					.w = h, .ho = ho, .wo = ho, .scale = sc, .shift = sh,
					.act = DG_ACT_HSWISH, .mean = mean, .pre_scale = sc,
					.pre_shift = sh, .pre_act = DG_ACT_HSWISH };
		double best = 1e9, bref = 1e9;

		for (int r = 0; r < reps; r++) {
			double t0 = now();

			fn(&a, 0, c, scratch);
			t0 = now() - t0;
			best = t0 < best ? t0 : best;
		}
		for (int r = 0; r < 2; r++) {
			double t0 = now();

			dg_dw_ref(&a, 0, c, scratch);
			t0 = now() - t0;
			bref = t0 < bref ? t0 : bref;
		}
		double macs = (double)c * ho * ho * k * k;

		printf("c=%4d %3dx%-3d k=%d s=%d: %s %7.3f ms (%5.1f GMAC/s)  ref %7.3f ms\n", c, h,
		       h, k, st, name, best * 1e3, macs / best * 1e-9, bref * 1e3);
		free(in);
		free(out);
		free(wt);
		free(sc);
		free(sh);
		free(mean);
		free(scratch);
	}
	return 0;
}
