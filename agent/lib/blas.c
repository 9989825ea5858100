// SPDX-License-Identifier: MIT
/*
 * OpenBLAS picks its kernels from the CPU model when it loads. On a CPU it
 * does not recognise (common under virtualisation: "Intel Xeon Processor"
 * with no model number) it falls back to SSE3 "Prescott" kernels, and the
 * 1x1 convolutions run about 2x slower. OPENBLAS_CORETYPE overrides the
 * choice but is read only at load time, hence the re-exec.
 */
#include <cblas.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);

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

/*
 * How a 1x1 convolution C[m][n] = A[m][k] B[k][n] (row-major; A is a slice
 * of the shared weights with leading dimension lda) is cut into cblas_sgemm
 * calls.
 *
 * OpenBLAS's packed path copies panels of both operands and, for beta = 0,
 * first zeroes C and then accumulates into it. The early layers of a
 * MobileNet have a small k (24 .. 40) and a wide n (h * w up to 12544), so
 * the copies and the extra pass over C cost as much as the arithmetic.
 *
 * OpenBLAS >= 0.3.17 built with SMALL_MATRIX_OPT (Debian's is) runs a
 * product with m * n * k <= 10^6 on SkylakeX/Cooperlake through an unpacked
 * AVX-512 kernel that writes C once (sgemm_small_kernel_permit_skylakex.c).
 * There the product is cut into tiles under that size: whole rows of C when
 * at least 32 rows fit, else column tiles of all rows. Measured 1.15 - 1.44x
 * faster than one call for k <= 112 (w1.2 shapes); for k >= 480 such tiles
 * are no faster than the packed path, so deep reductions run as k-chunks
 * into a small C (gemm_ksplit) or as one packed call.
 *
 * Elsewhere (and for large k) a C wider than GEMM_TILE_FLOATS runs as column
 * tiles of that size, so each tile of C is still in L2 when the kernel
 * accumulates into the zeroed tile. With several OpenBLAS threads a product
 * is one call, which OpenBLAS splits.
 */
#define GEMM_SMALL_MNK	1000000.0
#define GEMM_SMALL_KMAX	320
#define GEMM_TILE_FLOATS (64 * 1024)

static int small_kernels;
static pthread_once_t small_once = PTHREAD_ONCE_INIT;

static void small_probe(void)
{
	const char *core = openblas_get_corename();
	const char *cfg = openblas_get_config();
	int major = 0, minor = 0, patch = 0;

	if (getenv("DNNGOV_NO_SMALL_GEMM"))
		return;
	if (!core || !cfg || sscanf(cfg, "OpenBLAS %d.%d.%d", &major, &minor, &patch) != 3)
		return;
	if (major * 10000 + minor * 100 + patch < 317)
		return;
	small_kernels = !strcasecmp(core, "skylakex") || !strcasecmp(core, "cooperlake");
}

int dg_blas_small_kernels(void)
{
	pthread_once(&small_once, small_probe);
	return small_kernels;
}

/* Split len into the fewest tiles of at most max, equal up to rounding to align. */
static int tile_of(int len, int max, int align)
{
	int tiles = (len + max - 1) / max;
	int t = (len + tiles - 1) / tiles;
	int up = (t + align - 1) / align * align;

	return up <= max ? up : t;
}

/*
 * Column tiles: whole vectors of 16 floats, so that each tile starts on a
 * 64-byte boundary of the (aligned) rows of B and C. A tile of 484 columns
 * (1936 / 4) left three of the four tiles unaligned: 32 x 1936 x 96 83 ->
 * 70 us, 32 x 7744 x 96 417 -> 342 us with tiles of 480 and a last one of 16.
 */
static int col_tile_of(int len, int max)
{
	int t = tile_of(len, max, 16);

	return t % 16 && t < len && max >= 16 ? max / 16 * 16 : t;
}

/* C[m][n] (+)= A[m][k] B[k][n], row-major */
static void sgemm(int m, int n, int k, const float *a, int lda, const float *b, size_t ldb,
		  float *c, size_t ldc, float beta)
{
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, lda, b, (int)ldb,
		    beta, c, (int)ldc);
}

/*
 * Deep reductions into a small C (the point-linear layers of the late
 * stages: k = 480 .. 1152 into 49 .. 784 columns): k in chunks of about
 * GEMM_KSPLIT_KC accumulated with beta = 1, each call within the small
 * kernel's size. C stays in L1/L2 between chunks. Measured against one
 * packed call: 192 x 49 x 1152 197 -> 155 us, 80 x 196 x 480 116 -> 100 us,
 * 40 x 784 x 240 151 -> 130 us; with a wide C (3136 columns and more) it is
 * about 2x slower, hence the bound on C.
 */
#define GEMM_KSPLIT_KMIN	160
#define GEMM_KSPLIT_KC		128
#define GEMM_KSPLIT_C_BYTES	(256 * 1024)

/* The epilogue on rows [i, i + h) and columns [j, j + w) of C, if any. */
static void tile_ep(const struct dg_gemm_ep *ep, const float *c, size_t ldc, int i, int h,
		    int j, int w)
{
	if (ep)
		dg_epilogue(ep->dst + j, c + j, w, ldc, i, i + h, ep->scale, ep->shift, ep->act,
			    ep->res ? ep->res + j : NULL, NULL);
}

static void gemm_ksplit(int m, int n, int k, const float *a, int lda, const float *b, size_t ldb,
			float *c, size_t ldc, const struct dg_gemm_ep *ep)
{
	int kc = tile_of(k, GEMM_KSPLIT_KC, 8);
	int mt = tile_of(m, (int)(GEMM_SMALL_MNK / ((double)n * kc)), 8);

	for (int i = 0; i < m; i += mt) {
		int h = m - i < mt ? m - i : mt;

		for (int p = 0; p < k; p += kc)
			sgemm(h, n, k - p < kc ? k - p : kc, a + (size_t)i * lda + p, lda,
			      b + (size_t)p * ldb, ldb, c + (size_t)i * ldc, ldc, p ? 1.0f : 0.0f);
		tile_ep(ep, c, ldc, i, h, 0, n);
	}
}

/*
 * k is cut into chunks of at most GEMM_SMALL_KC (accumulated with beta = 1)
 * so that the kernel's panel of B (chunk x 64 columns) stays in L1 while it
 * runs through the rows of A: 32 x 3136 x 192 (a point-linear layer of the
 * 56 x 56 stage) 405 -> 300 us, 816 x 169 x 136 293 -> 255 us.
 */
#define GEMM_SMALL_KC	96

static void gemm_small(int m, int n, int k, const float *a, int lda, const float *b, size_t ldb,
		       float *c, size_t ldc, const struct dg_gemm_ep *ep)
{
	int kc = k > GEMM_SMALL_KC ? tile_of(k, GEMM_SMALL_KC, 8) : k;
	double row = (double)n * kc, col = (double)m * kc;
	int mt = m, nt = n;

	if (GEMM_SMALL_MNK / row >= 32) {
		mt = tile_of(m, (int)(GEMM_SMALL_MNK / row), 8);
	} else if (GEMM_SMALL_MNK / col >= 16) {
		nt = col_tile_of(n, (int)(GEMM_SMALL_MNK / col));
	} else {
		sgemm(m, n, k, a, lda, b, ldb, c, ldc, 0.0f);	/* k too deep for any useful tile */
		tile_ep(ep, c, ldc, 0, m, 0, n);
		return;
	}
	for (int i = 0; i < m; i += mt) {
		for (int j = 0; j < n; j += nt) {
			int h = m - i < mt ? m - i : mt, w = n - j < nt ? n - j : nt;

			for (int p = 0; p < k; p += kc)
				sgemm(h, w, k - p < kc ? k - p : kc, a + (size_t)i * lda + p, lda,
				      b + (size_t)p * ldb + j, ldb, c + (size_t)i * ldc + j, ldc,
				      p ? 1.0f : 0.0f);
			tile_ep(ep, c, ldc, i, h, j, w);
		}
	}
}

void dg_gemm(int m, int n, int k, const float *a, int lda, const float *b, size_t ldb, float *c,
	     size_t ldc, const struct dg_gemm_ep *ep)
{
	int nt;

	if (openblas_get_num_threads() > 1) {	/* OpenBLAS splits the product itself */
		sgemm(m, n, k, a, lda, b, ldb, c, ldc, 0.0f);
		tile_ep(ep, c, ldc, 0, m, 0, n);
		return;
	}
	if (k > GEMM_KSPLIT_KMIN && (size_t)m * n * sizeof(float) <= GEMM_KSPLIT_C_BYTES &&
	    (double)n * GEMM_KSPLIT_KC * 8 <= GEMM_SMALL_MNK && dg_blas_small_kernels()) {
		gemm_ksplit(m, n, k, a, lda, b, ldb, c, ldc, ep);
		return;
	}
	if (k <= GEMM_SMALL_KMAX && (double)m * n * k > GEMM_SMALL_MNK && dg_blas_small_kernels()) {
		gemm_small(m, n, k, a, lda, b, ldb, c, ldc, ep);
		return;
	}
	nt = GEMM_TILE_FLOATS / (m > 0 ? m : 1);
	nt = nt < 256 ? 256 : nt / 16 * 16;
	if (n <= nt + nt / 2) {
		sgemm(m, n, k, a, lda, b, ldb, c, ldc, 0.0f);
		tile_ep(ep, c, ldc, 0, m, 0, n);
		return;
	}
	for (int j = 0; j < n; j += nt) {
		int w = n - j < nt + nt / 2 ? n - j : nt;	/* no sliver at the end */

		sgemm(m, w, k, a, lda, b + j, ldb, c + j, ldc, 0.0f);
		tile_ep(ep, c, ldc, 0, m, j, w);
		if (w != nt)
			break;
	}
}

/*
 * Several threads: the product is cut into one part per worker of the
 * engine's pool, columns in whole vectors when C is wide, else rows, and
 * each worker runs dg_gemm() on its part with OpenBLAS at one thread: the
 * small-kernel tiles, k-chunks and tile epilogues all stay in use, where
 * letting OpenBLAS split each product takes its packed path.
 */
struct gemm_par {
	int m, n, k, lda, by_cols, part;
	const float *a, *b;
	size_t ldb, ldc;
	float *c;
	const struct dg_gemm_ep *ep;
};

static void gemm_part(void *arg, int tid, int begin, int end)
{
	const struct gemm_par *g = arg;

	(void)tid;
	for (int t = begin; t < end; t++) {
		int lo = t * g->part, len = (g->by_cols ? g->n : g->m) - lo;
		/* a column part starts lo floats into B and C, a row part lo rows into A and C */
		int r0 = g->by_cols ? 0 : lo;
		size_t bo = g->by_cols ? (size_t)lo : 0, co = g->by_cols ? (size_t)lo : lo * g->ldc;
		struct dg_gemm_ep ep;

		len = len < g->part ? len : g->part;
		if (g->ep) {
			ep = *g->ep;
			ep.dst += co;
			ep.res = ep.res ? ep.res + co : NULL;
			ep.scale += r0;
			ep.shift += r0;
		}
		dg_gemm(g->by_cols ? g->m : len, g->by_cols ? len : g->n, g->k,
			g->a + (size_t)r0 * g->lda, g->lda, g->b + bo, g->ldb, g->c + co, g->ldc,
			g->ep ? &ep : NULL);
	}
}

void dg_gemm_par(struct dg_pool *pool, int m, int n, int k, const float *a, int lda,
		 const float *b, size_t ldb, float *c, size_t ldc, const struct dg_gemm_ep *ep)
{
	int w = pool ? dg_pool_size(pool) : 1;
	struct gemm_par g = { .m = m, .n = n, .k = k, .lda = lda, .a = a, .b = b, .ldb = ldb,
			      .ldc = ldc, .c = c, .ep = ep };

	if (w < 2 || (double)m * n * k < 2.0e5) {	/* too small to be worth a fork */
		dg_gemm(m, n, k, a, lda, b, ldb, c, ldc, ep);
		return;
	}
	g.by_cols = n >= 64 * w;
	if (g.by_cols)
		g.part = ((n + w - 1) / w + 15) / 16 * 16;	/* whole vectors */
	else
		g.part = (m + w - 1) / w;
	dg_pool_run(pool, gemm_part, &g, ((g.by_cols ? n : m) + g.part - 1) / g.part);
}

/* y[m] = A[m][n] x + beta y, rows split over the pool: the head's matrices are memory-bound. */
struct gemv_par {
	int m, n, lda, part;
	const float *a, *x;
	float beta, *y;
};

static void gemv_part(void *arg, int tid, int begin, int end)
{
	const struct gemv_par *g = arg;

	(void)tid;
	for (int t = begin; t < end; t++) {
		int r0 = t * g->part, rows = g->m - r0 < g->part ? g->m - r0 : g->part;

		cblas_sgemv(CblasRowMajor, CblasNoTrans, rows, g->n, 1.0f,
			    g->a + (size_t)r0 * g->lda, g->lda, g->x, 1, g->beta, g->y + r0, 1);
	}
}

void dg_gemv_par(struct dg_pool *pool, int m, int n, const float *a, int lda, const float *x,
		 float beta, float *y)
{
	int w = pool ? dg_pool_size(pool) : 1;
	struct gemv_par g = { .m = m, .n = n, .lda = lda, .part = (m + w - 1) / w, .a = a,
			      .x = x, .beta = beta, .y = y };

	if (w < 2 || (double)m * n < 2.0e5)
		cblas_sgemv(CblasRowMajor, CblasNoTrans, m, n, 1.0f, a, lda, x, 1, beta, y, 1);
	else
		dg_pool_run(pool, gemv_part, &g, (m + g.part - 1) / g.part);
}
