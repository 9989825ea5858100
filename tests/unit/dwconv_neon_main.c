// SPDX-License-Identifier: MIT
/*
 * NEON depthwise kernel vs the reference; cross-compiled for arm64 and run
 * under qemu-aarch64 by `make check-engine-neon` (no arm64 cmocka there).
 */
#include <stdio.h>

#include "dwconv_cases.h"

int main(void)
{
	int pass = 0, fail = 0;

	for (size_t i = 0; i < sizeof(dw_cases) / sizeof(dw_cases[0]); i++) {
		const struct dw_case *t = &dw_cases[i];
		/* dense planes, then planes 5 floats apart (the ldi / ldo strides) */
		double err = dw_compare(dg_dw_neon, t, 0), err5 = dw_compare(dg_dw_neon, t, 5);

		err = err5 > err || err5 != err5 ? err5 : err;

		if (err <= 1e-5) {
			pass++;
		} else {
			fail++;
			printf("FAIL c=%d h=%d w=%d k=%d s=%d act=%d se=%d pre=%d: error %g\n", t->c,
			       t->h, t->w, t->k, t->stride, t->act, t->se, t->pre, err);
		}
	}
	printf("neon: %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
