// SPDX-License-Identifier: MIT
/*
 * Whole engine: every level runs and is deterministic, level switches
 * allocate nothing (the allocator is wrapped at link time), switching from
 * another thread during inferences is safe and each result equals one of the
 * two levels, thread counts give the same logits, bad arguments fail with a
 * message. Numerical parity with an independent PyTorch forward is checked
 * by tests/engine/check_parity.py.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dnngov/dnngov.h>

/* ---- allocation counter (-Wl,--wrap=...) ---- */
static atomic_long allocs;
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t s);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);

void *__wrap_malloc(size_t n)
{
	allocs++;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t s)
{
	allocs++;
	return __real_calloc(n, s);
}

void *__wrap_realloc(void *p, size_t n)
{
	allocs++;
	return __real_realloc(p, n);
}

void *__wrap_aligned_alloc(size_t a, size_t n)
{
	allocs++;
	return __real_aligned_alloc(a, n);
}

int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
	allocs++;
	return __real_posix_memalign(p, a, n);
}

static const char *testdata(const char *name)
{
	static char buf[512];
	const char *dir = getenv("DNNGOV_TESTDATA");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "build/engine/testdata", name);
	return buf;
}

struct fix {
	dnngov_model *m;
	dnngov_engine *e;
	int nout;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (dnngov_model_open(&f->m, testdata("tiny.dnngov")) ||
	    dnngov_engine_create(&f->e, f->m, 1)) {
		fprintf(stderr, "setup: %s\n", dnngov_errmsg());
		return -1;
	}
	f->nout = dnngov_engine_output_size(f->e);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	dnngov_engine_destroy(f->e);
	dnngov_model_close(f->m);
	free(f);
	return 0;
}

static float *make_input(int c, int r, unsigned seed)
{
	float *x = malloc((size_t)c * r * r * sizeof(float));

	for (int i = 0; i < c * r * r; i++) {
		seed = seed * 1103515245u + 12345u;
		x[i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
	}
	return x;
}

static uint8_t image[28 * 28];

static void make_image(void)
{
	for (int i = 0; i < 28 * 28; i++)
		image[i] = (uint8_t)((i * 37 + (i / 28) * 11) & 0xff);
}

static double max_rel_diff(const float *a, const float *b, int n)
{
	double scale = 1e-6, d = 0.0;

	for (int i = 0; i < n; i++)
		scale = fabs(b[i]) > scale ? fabs(b[i]) : scale;
	for (int i = 0; i < n; i++)
		d = fabs((double)a[i] - b[i]) > d ? fabs((double)a[i] - b[i]) : d;
	return d / scale;
}

static void test_levels_run(void **state)
{
	struct fix *f = *state;
	float out1[64], out2[64];

	for (int l = 0; l < dnngov_model_level_count(f->m); l++) {
		struct dnngov_level_info li;
		float *x;

		assert_int_equal(dnngov_engine_set_level(f->e, l), 0);
		assert_int_equal(dnngov_engine_level(f->e), l);
		assert_int_equal(dnngov_model_level_info(f->m, l, &li), 0);
		assert_int_equal(dnngov_engine_resolution(f->e), li.config.r);
		x = make_input(1, li.config.r, 42u + l);
		assert_int_equal(dnngov_engine_run(f->e, x, out1), 0);
		assert_int_equal(dnngov_engine_run(f->e, x, out2), 0);
		for (int i = 0; i < f->nout; i++) {
			assert_true(isfinite(out1[i]));
			assert_memory_equal(&out1[i], &out2[i], sizeof(float));
		}
		free(x);
	}
}

static void test_switch_allocates_nothing(void **state)
{
	struct fix *f = *state;
	int n = dnngov_model_level_count(f->m);
	float out[64];
	long before;

	make_image();
	before = allocs;
	for (int i = 0; i < 10000; i++)
		assert_int_equal(dnngov_engine_set_level(f->e, i % n), 0);
	assert_int_equal(allocs - before, 0);
	/* nor does an inference (in libdnngov; OpenBLAS keeps its own buffers) */
	assert_int_equal(dnngov_engine_run_u8(f->e, image, 28, 28, 1, out), 0);
	before = allocs;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(dnngov_engine_set_level(f->e, i % n), 0);
		assert_int_equal(dnngov_engine_run_u8(f->e, image, 28, 28, 1, out), 0);
	}
	assert_int_equal(allocs - before, 0);
}

struct switcher {
	dnngov_engine *e;
	atomic_int stop;
	long switches;
};

static void *switch_thread(void *arg)
{
	struct switcher *s = arg;

	while (!s->stop) {
		dnngov_engine_set_level(s->e, (int)(s->switches & 1));
		s->switches++;
	}
	return NULL;
}

static void test_switch_during_inference(void **state)
{
	struct fix *f = *state;
	float ref[2][64], out[64];
	struct switcher s = { .e = f->e };
	pthread_t t;
	int hits[2] = { 0, 0 };

	make_image();
	for (int l = 0; l < 2; l++) {
		assert_int_equal(dnngov_engine_set_level(f->e, l), 0);
		assert_int_equal(dnngov_engine_run_u8(f->e, image, 28, 28, 1, ref[l]), 0);
	}
	assert_true(max_rel_diff(ref[0], ref[1], f->nout) > 1e-3);
	assert_int_equal(pthread_create(&t, NULL, switch_thread, &s), 0);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(dnngov_engine_run_u8(f->e, image, 28, 28, 1, out), 0);
		int a = !memcmp(out, ref[0], (size_t)f->nout * sizeof(float));
		int b = !memcmp(out, ref[1], (size_t)f->nout * sizeof(float));

		if (!a && !b)
			fail_msg("inference %d matched neither level", i);
		hits[b]++;
	}
	s.stop = 1;
	pthread_join(t, NULL);
	assert_true(s.switches > 0);
	printf("# switch test: %ld switches, results level0 %d level1 %d\n", s.switches, hits[0],
	       hits[1]);
}

static void test_threads_same_result(void **state)
{
	struct fix *f = *state;
	float one[64], two[64];

	make_image();
	for (int l = 0; l < dnngov_model_level_count(f->m); l++) {
		assert_int_equal(dnngov_engine_set_threads(f->e, 1), 0);
		assert_int_equal(dnngov_engine_set_level(f->e, l), 0);
		assert_int_equal(dnngov_engine_run_u8(f->e, image, 28, 28, 1, one), 0);
		assert_int_equal(dnngov_engine_set_threads(f->e, 3), 0);
		assert_int_equal(dnngov_engine_run_u8(f->e, image, 28, 28, 1, two), 0);
		assert_true(max_rel_diff(two, one, f->nout) < 1e-5);
	}
	assert_int_equal(dnngov_engine_set_threads(f->e, 1), 0);
}

static void test_set_config(void **state)
{
	struct fix *f = *state;
	struct dnngov_config c, lc;
	struct dnngov_level_info li;
	float a[64], b[64], *x;

	/* the config of level 2 gives level 2's logits */
	assert_int_equal(dnngov_model_level_info(f->m, 2, &li), 0);
	lc = li.config;
	x = make_input(1, lc.r, 9);
	assert_int_equal(dnngov_engine_set_level(f->e, 2), 0);
	assert_int_equal(dnngov_engine_run(f->e, x, a), 0);
	assert_int_equal(dnngov_engine_set_config(f->e, &lc), 0);
	assert_int_equal(dnngov_engine_level(f->e), -1);
	assert_int_equal(dnngov_engine_run(f->e, x, b), 0);
	assert_memory_equal(a, b, (size_t)f->nout * sizeof(float));
	free(x);

	/* a bigger resolution than any level: buffers grow */
	assert_int_equal(dnngov_config_parse(f->m, "{\"ks\":[7,7,7,7,7,7,7,7,7],\"e\":[6,6,6,6,6,6,6,6,6],"
						"\"d\":[3,3,3],\"r\":96}", &c), 0);
	assert_int_equal(dnngov_engine_set_config(f->e, &c), 0);
	assert_int_equal(dnngov_engine_resolution(f->e), 96);
	x = make_input(1, 96, 3);
	assert_int_equal(dnngov_engine_run(f->e, x, b), 0);
	for (int i = 0; i < f->nout; i++)
		assert_true(isfinite(b[i]));
	free(x);

	c.d[0] = 7;
	assert_int_equal(dnngov_engine_set_config(f->e, &c), -EINVAL);
	assert_non_null(strstr(dnngov_errmsg(), "d[0] = 7"));
	c.d[0] = 2;
	c.n_blocks = 3;
	assert_int_equal(dnngov_engine_set_config(f->e, &c), -EINVAL);
	assert_non_null(strstr(dnngov_errmsg(), "9 entries"));
	assert_int_equal(dnngov_engine_set_level(f->e, 0), 0);
}

/*
 * Transformed kernels are computed for the channels plans use and extended
 * in place for wider plans: a narrow then a wide subnet on one model gives
 * the same logits as the wide subnet on a fresh model, and the narrow one
 * keeps its logits after the extension.
 */
static void test_derived_kernels_grow(void **state)
{
	static const char narrow[] = "{\"ks\":[3,5,3,5,3,5,3,5,3],\"e\":[3,3,3,3,3,3,3,3,3],"
				     "\"d\":[3,3,3],\"r\":32}";
	static const char wide[] = "{\"ks\":[3,5,3,5,3,5,3,5,3],\"e\":[6,6,6,6,6,6,6,6,6],"
				   "\"d\":[3,3,3],\"r\":32}";
	struct fix *f = *state;
	struct dnngov_config cn, cw;
	dnngov_model *m2;
	dnngov_engine *e2;
	float a[64], a2[64], b[64], c[64], *x = make_input(1, 32, 5);
	size_t d0, d1, d2;

	(void)f;
	assert_int_equal(dnngov_model_open(&m2, testdata("tiny.dnngov")), 0);
	assert_int_equal(dnngov_engine_create(&e2, m2, 1), 0);
	assert_int_equal(dnngov_config_parse(m2, narrow, &cn), 0);
	assert_int_equal(dnngov_config_parse(m2, wide, &cw), 0);
	d0 = dnngov_model_derived_bytes(m2);
	assert_int_equal(dnngov_engine_set_config(e2, &cn), 0);
	assert_int_equal(dnngov_engine_run(e2, x, a), 0);
	d1 = dnngov_model_derived_bytes(m2);
	assert_true(d1 >= d0);
	assert_int_equal(dnngov_engine_set_config(e2, &cw), 0);
	assert_int_equal(dnngov_engine_run(e2, x, b), 0);
	d2 = dnngov_model_derived_bytes(m2);
	assert_true(d2 > d1);	/* twice the channels in every 3x3/5x5 block */
	assert_int_equal(dnngov_engine_set_config(e2, &cn), 0);
	assert_int_equal(dnngov_engine_run(e2, x, a2), 0);
	assert_memory_equal(a, a2, (size_t)f->nout * sizeof(float));
	assert_true(dnngov_model_derived_bytes(m2) == d2);
	dnngov_engine_destroy(e2);
	dnngov_model_close(m2);

	/* the wide subnet first, on a fresh model */
	assert_int_equal(dnngov_model_open(&m2, testdata("tiny.dnngov")), 0);
	assert_int_equal(dnngov_engine_create(&e2, m2, 1), 0);
	assert_int_equal(dnngov_engine_set_config(e2, &cw), 0);
	assert_int_equal(dnngov_engine_run(e2, x, c), 0);
	assert_memory_equal(b, c, (size_t)f->nout * sizeof(float));
	assert_true(dnngov_model_derived_bytes(NULL) == 0);
	dnngov_engine_destroy(e2);
	dnngov_model_close(m2);
	free(x);
}

static void test_bad_arguments(void **state)
{
	struct fix *f = *state;
	float out[64];
	dnngov_engine *e = (dnngov_engine *)1;

	assert_int_equal(dnngov_engine_set_level(f->e, 4), -ERANGE);
	assert_non_null(strstr(dnngov_errmsg(), "levels 0..3"));
	assert_int_equal(dnngov_engine_set_level(f->e, -1), -ERANGE);
	assert_int_equal(dnngov_engine_set_threads(f->e, 0), -EINVAL);
	assert_non_null(strstr(dnngov_errmsg(), "threads"));
	assert_int_equal(dnngov_engine_run(f->e, NULL, out), -EINVAL);
	assert_int_equal(dnngov_engine_run_u8(f->e, image, 28, 28, 3, out), -EINVAL);
	assert_non_null(strstr(dnngov_errmsg(), "3 channels"));
	assert_int_equal(dnngov_engine_run_u8(f->e, image, 0, 28, 1, out), -EINVAL);
	assert_int_equal(dnngov_engine_create(&e, f->m, 0), -EINVAL);
	assert_null(e);
	assert_int_equal(dnngov_engine_create(NULL, f->m, 1), -EINVAL);
}

/* Per-level BN statistics change the result; u8 input of any size works. */
static void test_level_bn_and_resize(void **state)
{
	dnngov_model *m;
	dnngov_engine *e;
	uint8_t big[3 * 50 * 40];
	float a[64];

	(void)state;
	assert_int_equal(dnngov_model_open(&m, testdata("tiny-bn.dnngov")), 0);
	assert_int_equal(dnngov_engine_create(&e, m, 2), 0);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	assert_int_equal(dnngov_engine_run_u8(e, big, 50, 40, 1, a), 0);
	for (int i = 0; i < dnngov_engine_output_size(e); i++)
		assert_true(isfinite(a[i]));
	dnngov_engine_destroy(e);
	dnngov_model_close(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels_run),
		cmocka_unit_test(test_switch_allocates_nothing),
		cmocka_unit_test(test_switch_during_inference),
		cmocka_unit_test(test_threads_same_result),
		cmocka_unit_test(test_set_config),
		cmocka_unit_test(test_derived_kernels_grow),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_level_bn_and_resize),
	};

	return cmocka_run_group_tests_name("engine", tests, setup, teardown);
}
