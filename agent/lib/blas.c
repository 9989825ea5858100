// SPDX-License-Identifier: MIT
/*
 * OpenBLAS picks its kernels from the CPU model when it loads. On a CPU it
 * does not recognise (common under virtualisation: "Intel Xeon Processor"
 * with no model number) it falls back to SSE3 "Prescott" kernels, and the
 * 1x1 convolutions run about 2x slower. OPENBLAS_CORETYPE overrides the
 * choice but is read only at load time, hence the re-exec.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

char *openblas_get_corename(void);

const char *dg_blas_wanted_core(void)
{
#if defined(__x86_64__)
	static const char *const weak[] = {
		"prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai",
		"coppermine", "northwood", "banias", "sandybridge", "unknown",
	};
	const char *core = openblas_get_corename();

	__builtin_cpu_init();
	if (!core || !__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
		return NULL;
	for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++)
		if (!strcasecmp(core, weak[i]))
			return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
			       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")
			       ? "SkylakeX" : "Haswell";
#endif
	return NULL;
}

int dnngov_blas_check_coretype(char *const argv[])
{
	const char *want;

	if (getenv("OPENBLAS_CORETYPE") || getenv("DNNGOV_NO_REEXEC"))
		return 0;
	want = dg_blas_wanted_core();
	if (!want || !argv || !argv[0])
		return 0;
	if (setenv("OPENBLAS_CORETYPE", want, 1))
		return dg_error(-errno, "blas: cannot set OPENBLAS_CORETYPE");
	execv("/proc/self/exe", argv);
	return dg_error(-errno, "blas: re-exec with OPENBLAS_CORETYPE=%s failed: %s", want,
			strerror(errno));
}

/*
 * Every program that creates an engine (dnngovd, dnngov-infer, tests) gets
 * the fix before main(): glibc passes argc/argv/envp to ELF constructors,
 * and OpenBLAS's own constructor (a dependency) has already chosen its core.
 * A failed re-exec leaves the program running on the slower kernels.
 */
__attribute__((constructor)) static void dg_blas_ctor(int argc, char **argv, char **envp)
{
	(void)envp;
	if (argc > 0)
		dnngov_blas_check_coretype(argv);
}

/* Referenced by the engine so that static links keep the constructor. */
void dg_blas_link(void)
{
}
