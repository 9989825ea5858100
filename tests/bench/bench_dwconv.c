// SPDX-License-Identifier: MIT
/*
 * Depthwise kernel micro-benchmark: min time over repeats for the shapes of
 * the OFA w1.2 supernet at r = 224, each kernel set vs the reference; with
 * AVX-512, then the two ways of running a plane side by side (row kernel
 * time / 16-channels-per-vector time, per output width), the measurement
 * behind dg_dw_small_use().
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

/* One benchmark shape: c channels of h x h, k x k at stride st, planes ld-aligned or dense. */
struct shape {
	struct dg_dw_args a;
	float *buf, *scratch;
};

static void shape_init(struct shape *s, int c, int h, int k, int st, int aligned,
		       size_t scratch_floats)
{
	int ho = dg_conv_out(h, k, st);
	size_t ldi = aligned ? dg_plane_ld((size_t)h * h) : (size_t)h * h;
	size_t ldo = aligned ? dg_plane_ld((size_t)ho * ho) : (size_t)ho * ho;
	float *p;

	/* in, out, weights, scale, shift, mean in one zeroed block */
	s->buf = calloc((size_t)c * (ldi + ldo + (size_t)k * k + 3), 4);
	s->scratch = calloc(scratch_floats, 4);
	p = s->buf;
	s->a = (struct dg_dw_args){ .in = p, .out = p + (size_t)c * ldi,
				    .wt = p + (size_t)c * (ldi + ldo), .k = k, .stride = st,
				    .h = h, .w = h, .ho = ho, .wo = ho, .act = DG_ACT_HSWISH,
				    .pre_act = DG_ACT_HSWISH, .ldi = ldi, .ldo = ldo };
	p += (size_t)c * (ldi + ldo + (size_t)k * k);
	s->a.scale = s->a.pre_scale = p;
	s->a.shift = s->a.pre_shift = p + c;
	s->a.mean = p + 2 * c;
}

static void shape_free(struct shape *s)
{
	free(s->buf);
	free(s->scratch);
}

#if defined(__x86_64__)
/* Row kernel vs channel-vector kernel, interleaved, per k, stride and output width. */
static void paths(int reps)
{
	static const int hs[2][10] = {
		{ 7, 11, 13, 14, 22, 26, 28, 44, 52, 56 },
		{ 14, 22, 26, 28, 44, 52, 56, 88, 104, 112 },
	};

	printf("\nrow kernel time / 16-channels-per-vector time (> 1: the latter is faster), "
	       "output width: ratio\n");
	for (int st = 1; st <= 2; st++) {
		for (int k = 3; k <= 7; k += 2) {
			printf("k=%d s=%d:", k, st);
			for (int i = 0; i < 10; i++) {
				int h = hs[st - 1][i], c = h >= 88 ? 96 : h >= 44 ? 128 : 256;
				double best[2] = { 1e9, 1e9 };
				size_t n;
				struct shape sh;

				/* scratch for either way; aligned planes, as the engine passes them */
				dg_dw_small_force(1 << 20);
				n = dg_dw_scratch_floats(k, st, h, h);
				dg_dw_small_force(0);
				if (dg_dw_scratch_floats(k, st, h, h) > n)
					n = dg_dw_scratch_floats(k, st, h, h);
				shape_init(&sh, c, h, k, st, 1, n);
				for (int r = 0; r < reps; r++) {
					for (int v = 0; v < 2; v++) {
						double t0;

						dg_dw_small_force(v ? 1 << 20 : 0);
						t0 = now();
						dg_dw_avx512(&sh.a, 0, c, sh.scratch);
						t0 = now() - t0;
						best[v] = t0 < best[v] ? t0 : best[v];
					}
				}
				printf(" %d:%.2f", sh.a.ho, best[0] / best[1]);
				fflush(stdout);
				shape_free(&sh);
			}
			printf("\n");
		}
	}
	dg_dw_small_force(-1);
}
#endif

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
		double best = 1e9, bref = 1e9;
		struct shape sh;

		shape_init(&sh, c, h, k, st, 0, dg_dw_scratch_floats(k, st, h, h));
		for (int r = 0; r < reps; r++) {
			double t0 = now();

			fn(&sh.a, 0, c, sh.scratch);
			t0 = now() - t0;
			best = t0 < best ? t0 : best;
		}
		for (int r = 0; r < 2; r++) {
			double t0 = now();

			dg_dw_ref(&sh.a, 0, c, sh.scratch);
			t0 = now() - t0;
			bref = t0 < bref ? t0 : bref;
		}
		double macs = (double)c * sh.a.ho * sh.a.wo * k * k;

		printf("c=%4d %3dx%-3d k=%d s=%d: %s %7.3f ms (%5.1f GMAC/s)  ref %7.3f ms\n", c, h,
		       h, k, st, name, best * 1e3, macs / best * 1e-9, bref * 1e3);
		shape_free(&sh);
	}
#if defined(__x86_64__)
	if (fn == dg_dw_avx512)
		paths(reps);
#endif
	return 0;
}
