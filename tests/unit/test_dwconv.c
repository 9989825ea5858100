// SPDX-License-Identifier: MIT
/* Optimised depthwise kernels vs the plain C reference over a shape table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "dwconv_cases.h"

#define TOL 1e-5

static void check_all(dg_dw_fn fn, const char *name)
{
	for (size_t i = 0; i < sizeof(dw_cases) / sizeof(dw_cases[0]); i++) {
		const struct dw_case *t = &dw_cases[i];
		/* dense planes, then planes 5 floats apart (the ldi / ldo strides) */
		for (int gap = 0; gap <= 5; gap += 5) {
			double err = dw_compare(fn, t, gap);

			if (!(err <= TOL))
				fail_msg("%s: c=%d h=%d w=%d k=%d s=%d act=%d se=%d pre=%d gap=%d: "
					 "error %g > %g", name, t->c, t->h, t->w, t->k, t->stride,
					 t->act, t->se, t->pre, gap, err, TOL);
		}
	}
}

static void test_selected_kernel(void **state)
{
	const char *name;
	dg_dw_fn fn = dg_dw_select(&name);

	(void)state;
	assert_non_null(fn);
	check_all(fn, name);
}

#if defined(__x86_64__)
static void test_avx2(void **state)
{
	(void)state;
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
		skip();
	check_all(dg_dw_avx2, "avx2");
}

static void test_avx512(void **state)
{
	(void)state;
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx2") ||
	    !__builtin_cpu_supports("fma"))
		skip();
	check_all(dg_dw_avx512, "avx512");
	/* each shape both ways: all rows, then all 16 channels per vector */
	dg_dw_small_force(0);
	check_all(dg_dw_avx512, "avx512 row kernel");
	dg_dw_small_force(1 << 20);
	check_all(dg_dw_avx512, "avx512 16 channels per vector");
	dg_dw_small_force(-1);
}
#endif

/* The reference against a hand-computed 3x3 case (pad 1, stride 1). */
static void test_reference_by_hand(void **state)
{
	float in[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, wt[9] = { 0, 0, 0, 0, 1, 1, 0, 0, 0 };
	float out[9], mean, sc = 2.0f, sh = -1.0f;
	struct dg_dw_args a = { .in = in, .out = out, .wt = wt, .k = 3, .stride = 1, .h = 3, .w = 3,
				.ho = 3, .wo = 3, .scale = &sc, .shift = &sh, .act = DG_ACT_RELU,
				.mean = &mean };
	/* out = relu(2 * (x[i][j] + x[i][j+1]) - 1), right neighbour 0 past the edge */
	const float want[9] = { 5, 9, 5, 17, 21, 11, 29, 33, 17 };

	(void)state;
	dg_dw_ref(&a, 0, 1, NULL);
	for (int i = 0; i < 9; i++)
		assert_float_equal(out[i], want[i], 1e-6);
	assert_float_equal(mean, 147.0f / 9.0f, 1e-5);
}

/* Stride 2 output size: (h + 2 * (k / 2) - k) / 2 + 1 = ceil(h / 2) for odd k. */
static void test_output_size(void **state)
{
	(void)state;
	assert_int_equal(dg_conv_out(224, 3, 2), 112);
	assert_int_equal(dg_conv_out(7, 7, 2), 4);
	assert_int_equal(dg_conv_out(13, 5, 1), 13);
	assert_int_equal(dg_conv_out(1, 7, 2), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_by_hand),
		cmocka_unit_test(test_output_size),
		cmocka_unit_test(test_selected_kernel),
#if defined(__x86_64__)
		cmocka_unit_test(test_avx2),
		cmocka_unit_test(test_avx512),
#endif
	};

	return cmocka_run_group_tests_name("dwconv", tests, NULL, NULL);
}
