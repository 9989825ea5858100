/* SPDX-License-Identifier: MIT */
/*
 * Shape table and comparison shared by the depthwise tests (x86 cmocka test
 * and the NEON test run under qemu): optimised kernel vs reference.
 */
#ifndef DWCONV_CASES_H
#define DWCONV_CASES_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

struct dw_case {
	int c, h, w, k, stride, act, se, pre;
};

/* k 3/5/7 x stride 1/2 x odd/even/tiny/large planes, channels not multiple of 8 */
static const struct dw_case dw_cases[] = {
	{ 3, 1, 1, 3, 1, DG_ACT_NONE, 0, 0 },
	{ 5, 2, 3, 5, 2, DG_ACT_RELU, 1, 0 },
	{ 7, 7, 7, 7, 1, DG_ACT_HSWISH, 1, 1 },
	{ 7, 7, 7, 7, 2, DG_ACT_HSWISH, 0, 1 },
	{ 9, 14, 14, 3, 1, DG_ACT_RELU, 0, 1 },
	{ 9, 14, 14, 5, 2, DG_ACT_RELU, 1, 0 },
	{ 11, 13, 17, 7, 1, DG_ACT_NONE, 1, 0 },
	{ 11, 13, 17, 7, 2, DG_ACT_NONE, 1, 1 },
	{ 5, 28, 28, 3, 2, DG_ACT_HSWISH, 0, 1 },
	{ 5, 28, 28, 5, 1, DG_ACT_HSWISH, 1, 1 },
	{ 3, 56, 56, 7, 2, DG_ACT_RELU, 0, 0 },
	{ 2, 112, 112, 3, 1, DG_ACT_RELU, 1, 1 },
	{ 2, 112, 112, 7, 1, DG_ACT_HSWISH, 0, 0 },
	{ 2, 111, 97, 5, 2, DG_ACT_HSWISH, 1, 1 },
	{ 1, 6, 33, 3, 2, DG_ACT_NONE, 0, 0 },
	{ 1, 40, 9, 5, 1, DG_ACT_RELU, 1, 0 },
	{ 4, 3, 24, 7, 2, DG_ACT_RELU, 0, 1 },
	{ 4, 17, 16, 3, 1, DG_ACT_HSWISH, 1, 0 },
	{ 3, 37, 41, 7, 1, DG_ACT_HSWISH, 1, 1 },	/* 41: 2 x 16 + masked 9 */
	{ 3, 33, 65, 5, 2, DG_ACT_RELU, 1, 1 },
	{ 3, 20, 48, 3, 1, DG_ACT_NONE, 1, 0 },	/* 48: 32 + 16, no tail */
	/* outputs at most 8 wide, 16 or more channels a call: AVX-512 16-channel blocks */
	{ 37, 7, 7, 7, 1, DG_ACT_HSWISH, 1, 1 },	/* calls of 18 and 19: block + tail */
	{ 64, 7, 7, 5, 1, DG_ACT_RELU, 1, 0 },
	{ 64, 7, 7, 3, 1, DG_ACT_NONE, 0, 1 },
	{ 33, 14, 14, 7, 2, DG_ACT_HSWISH, 1, 1 },
	{ 32, 14, 14, 5, 2, DG_ACT_RELU, 0, 0 },
	{ 40, 11, 11, 3, 2, DG_ACT_HSWISH, 1, 1 },	/* 6 x 6 out */
	{ 32, 6, 6, 7, 1, DG_ACT_RELU, 1, 1 },
	{ 36, 5, 8, 5, 1, DG_ACT_NONE, 1, 1 },		/* not square, wo = 8 */
	{ 32, 16, 16, 7, 2, DG_ACT_HSWISH, 0, 1 },	/* wo = 8 at stride 2 */
	{ 48, 2, 3, 3, 1, DG_ACT_RELU, 1, 1 },
	{ 32, 1, 1, 7, 2, DG_ACT_HSWISH, 1, 1 },	/* a 1 x 1 plane */
	/* 9 .. 12 wide: 12 columns in registers */
	{ 40, 11, 11, 5, 1, DG_ACT_HSWISH, 1, 1 },
	{ 32, 12, 12, 3, 1, DG_ACT_RELU, 0, 1 },
	{ 33, 22, 22, 7, 2, DG_ACT_HSWISH, 1, 1 },
	{ 48, 24, 23, 5, 2, DG_ACT_NONE, 1, 0 },
	{ 32, 11, 11, 7, 1, DG_ACT_RELU, 1, 1 },
	/* wider planes, 16 channels per vector under AVX-512: 12-column blocks + last 4, 8 or 12 */
	{ 32, 44, 44, 3, 1, DG_ACT_HSWISH, 1, 1 },	/* 3 x 12 + 8 */
	{ 33, 56, 56, 7, 1, DG_ACT_RELU, 0, 1 },	/* k 7 at stride 1, any width; calls of 16 and 17 */
	{ 32, 29, 31, 7, 1, DG_ACT_HSWISH, 1, 0 },	/* 2 x 12 + 7 */
	{ 32, 45, 43, 7, 2, DG_ACT_NONE, 1, 1 },	/* 22 = 12 + 10 */
	{ 32, 26, 27, 5, 1, DG_ACT_RELU, 1, 1 },	/* 2 x 12 + 3 */
	{ 4, 16, 15, 9, 1, DG_ACT_RELU, 0, 0 },	/* k = 9: falls back to the reference */
};

static unsigned dw_rng = 1;

static float dw_rand(void)
{
	dw_rng = dw_rng * 1664525u + 1013904223u;
	return (float)((dw_rng >> 8) & 0xffff) / 32768.0f - 1.0f;
}

/*
 * Run fn and the reference on one case; return the worst relative error
 * (|a - b| / (1 + |b|)) over outputs and means, or +inf on a NaN or on a
 * store outside the output planes. gap > 0: the planes are gap floats
 * further apart than dense (the ldi / ldo strides), and the gaps must stay
 * untouched.
 */
static double dw_compare(dg_dw_fn fn, const struct dw_case *t, int gap)
{
	int ho = dg_conv_out(t->h, t->k, t->stride), wo = dg_conv_out(t->w, t->k, t->stride);
	size_t ldi = (size_t)t->h * t->w + gap, ldo = (size_t)ho * wo + gap;
	size_t nin = (size_t)t->c * ldi, nout = (size_t)t->c * ldo;
	float *in = malloc(nin * sizeof(float)), *wt = malloc((size_t)t->c * t->k * t->k * 4);
	float *o1 = malloc(nout * 4 + 64), *o2 = malloc(nout * 4 + 64);
	float *sc = malloc((size_t)t->c * 4 * 4), *sh = sc + t->c, *ps = sh + t->c, *pb = ps + t->c;
	float *m1 = calloc((size_t)t->c, 4), *m2 = calloc((size_t)t->c, 4);
	float *scratch = malloc(dg_dw_scratch_floats(t->k, t->stride, t->h, t->w) * 4);
	double worst = 0.0;
	struct dg_dw_args a;

	for (size_t i = 0; i < nin; i++)
		in[i] = dw_rand() * 4.0f;
	for (int i = 0; i < t->c * t->k * t->k; i++)
		wt[i] = dw_rand();
	for (int i = 0; i < t->c; i++) {
		sc[i] = 0.5f + dw_rand() * 0.25f;
		sh[i] = dw_rand();
		ps[i] = 1.0f + dw_rand() * 0.5f;
		pb[i] = dw_rand();
	}
	/* canaries past the end (and in the gaps) catch stores beyond the planes */
	for (size_t i = 0; i < nout + 16; i++)
		o1[i] = o2[i] = 12345.0f;
	memset(&a, 0, sizeof(a));
	a.in = in;
	a.wt = wt;
	a.ldi = gap ? ldi : 0;
	a.ldo = gap ? ldo : 0;
	a.k = t->k;
	a.stride = t->stride;
	a.h = t->h;
	a.w = t->w;
	a.ho = ho;
	a.wo = wo;
	a.scale = sc;
	a.shift = sh;
	a.act = t->act;
	if (t->pre) {
		a.pre_scale = ps;
		a.pre_shift = pb;
		a.pre_act = DG_ACT_HSWISH;
	}
	a.mean = t->se ? m1 : NULL;
	a.out = o1;
	dg_dw_ref(&a, 0, t->c, NULL);
	a.mean = t->se ? m2 : NULL;
	a.out = o2;
	/* split the channels in two calls, as the thread pool does */
	fn(&a, 0, t->c / 2, scratch);
	fn(&a, t->c / 2, t->c, scratch);
	for (size_t i = 0; i < nout; i++) {
		double d = fabs((double)o1[i] - o2[i]) / (1.0 + fabs(o1[i]));

		if (i % ldo >= (size_t)ho * wo)	/* a gap: neither kernel may write it */
			d = o1[i] != 12345.0f || o2[i] != 12345.0f ? INFINITY : 0.0;
		if (d != d)
			d = INFINITY;
		worst = d > worst ? d : worst;
	}
	for (int i = 0; i < t->c && t->se; i++) {
		double d = fabs((double)m1[i] - m2[i]) / (1.0 + fabs(m1[i]));

		worst = d > worst || d != d ? (d != d ? INFINITY : d) : worst;
	}
	for (int i = 0; i < 16; i++)
		if (o2[nout + i] != 12345.0f)
			worst = INFINITY;
	free(in);
	free(wt);
	free(o1);
	free(o2);
	free(sc);
	free(m1);
	free(m2);
	free(scratch);
	return worst;
}

#endif /* DWCONV_CASES_H */
