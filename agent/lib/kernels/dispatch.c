// SPDX-License-Identifier: MIT
/* Runtime choice of the depthwise kernel set. */
#include <stdlib.h>

#include "kernels.h"

dg_dw_fn dg_dw_select(const char **name)
{
#if defined(__x86_64__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && !getenv("DNNGOV_NO_AVX512")) {
		*name = "avx512";
		return dg_dw_avx512;
	}
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
		*name = "avx2";
		return dg_dw_avx2;
	}
#elif defined(__aarch64__)
	*name = "neon";
	return dg_dw_neon;
#endif
	*name = "ref";
	return dg_dw_ref;
}
