/* SPDX-License-Identifier: MIT */
/* libdnngov engine internals: model, plans, thread pool. Not installed. */
#ifndef DNNGOV_INTERNAL_H
#define DNNGOV_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <dnngov/dnngov.h>

#include "kernels/kernels.h"

#define DG_MAX_KS	4	/* kernel sizes in ks_list */
#define DG_MAX_E	8	/* entries in expand_list */
#define DG_MAX_RES	1024
#define DG_MAX_CH	8192
#define DG_MAX_LEVELS	64

/* error.c */
int dg_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dg_error_clear(void);

/* A BatchNorm layer of the supernet (running statistics at full width). */
struct dg_bn {
	const float *gamma, *beta, *mean, *var;
	int c;
};

/*
 * One block. Block 0 is first_block (no inverted bottleneck, fixed kernel);
 * blocks 1.. are the elastic stage blocks.
 */
struct dg_block {
	int stage;		/* -1 for block 0 */
	int j;			/* index inside the stage */
	int in, out, stride, act, se;
	int mid_max, se_max;
	int kmax;
	const float *ib_w;	/* [mid_max][in] */
	const float *dw_w;	/* [mid_max][kmax][kmax] */
	const float *tm[DG_MAX_KS];	/* tm[i]: ks[i] -> ks[i+1] transform */
	const float *se_rw, *se_rb;	/* [se_max][mid_max], [se_max] */
	const float *se_ew, *se_eb;	/* [mid_max][se_max], [mid_max] */
	const float *pl_w;	/* [out][mid_max] */
	struct dg_bn bn[3];	/* inverted_bottleneck, depth_conv, point_linear */
	/* kernels per ks_list index, [mid_max][k][k]; kmax one is dw_w */
	float *dwk[DG_MAX_KS];
	int dwk_n[DG_MAX_KS];	/* channels of dwk[] computed so far */
};

/* BN slots: 0 stem, 1 + 3 * block + {0 ib, 1 dw, 2 pl}, last final_expand. */
#define DG_SLOT_STEM		0
#define DG_SLOT(b, part)	(1 + 3 * (b) + (part))
#define DG_SLOT_FINAL(nb)	(1 + 3 * (nb))

struct dg_level {
	struct dnngov_level_info info;
	/* per BN slot: per-level (mean, var) of the active channels, or NULL */
	const float **bn_mean, **bn_var;
};

struct dnngov_model {
	void *map;
	size_t size;
	void *meta;		/* struct json_object * */
	pthread_mutex_t lock;	/* guards lazily built dwk[] */
	int file_mapped;	/* map is a file mapping: read pages may be dropped */
	size_t derived_bytes;	/* bytes of dwk[] computed (under lock) */

	int in_channels;
	int stem_out, stem_k, stem_stride, stem_act;
	int n_stages;
	int st_width[DNNGOV_MAX_STAGES], st_nblocks[DNNGOV_MAX_STAGES];
	int st_stride[DNNGOV_MAX_STAGES], st_act[DNNGOV_MAX_STAGES];
	int st_se[DNNGOV_MAX_STAGES];
	int final_expand, feature_mix, n_classes, fe_act, fm_act;
	int ks[DG_MAX_KS], n_ks;	/* sorted descending */
	int ex[DG_MAX_E], n_ex;
	int dl[DG_MAX_E], n_dl;
	int max_res;
	float eps;
	int divisor;

	int n_blocks;		/* including block 0 */
	struct dg_block *blocks;
	const float *stem_w;	/* [stem_out][in][k][k] */
	const float *fe_w;	/* [final_expand][last width] */
	const float *fm_w;	/* [feature_mix][final_expand] */
	const float *cls_w, *cls_b;
	struct dg_bn bn_stem, bn_final;
	int n_slots;
	char **slot_names;	/* BN prefix per slot (NULL if the slot is unused) */
	struct dg_bn **slot_bn;	/* supernet BN per slot (NULL if unused) */
	float **sn_scale, **sn_shift;	/* folded supernet BN per slot */

	int n_levels;
	struct dg_level *levels;
	const char **classes;
	float norm_mean[16], norm_std[16];
};

/* model.c */
int dg_model_parse(dnngov_model *m, int check_crc);
void dg_model_free_parsed(dnngov_model *m);
int dg_make_divisible(double v, int divisor);
int dg_config_check(const dnngov_model *m, const struct dnngov_config *c);
int dg_ks_index(const dnngov_model *m, int k);

/* Open from memory (not copied; must outlive the model). For the fuzzer. */
int dg_model_open_buffer(dnngov_model **out, const void *buf, size_t size,
			 int check_crc);

/* A block as one subnet runs it. */
struct dg_pblock {
	const struct dg_block *b;
	int k, mid, se_mid, shortcut;
	int h, w, ho, wo;	/* input and output spatial size */
	const float *dw;	/* [mid_max][k][k] */
	const float *scale[3], *shift[3];
};

/* Buffer sizes (floats) an inference needs. */
struct dg_needs {
	size_t cur;	/* block input/output (also the residual) */
	size_t act;	/* inverted-bottleneck / point-linear / final-expand output */
	size_t dw;	/* depthwise output */
	size_t in;	/* input image at the subnet's resolution (run_u8) */
	size_t col;	/* stem im2col */
	size_t pad;	/* depthwise scratch, per thread */
	size_t plw;	/* SE-scaled point-linear weights */
};

/* An immutable per-subnet plan: everything an inference needs. */
struct dg_plan {
	struct dnngov_config cfg;
	int r, stem_h, fin_h;	/* input, stem output and final spatial size */
	const float *stem_scale, *stem_shift, *fe_scale, *fe_shift;
	float *owned;		/* per-level scale/shift storage */
	struct dg_needs need;	/* buffer sizes this plan needs */
	uint64_t macs, params;
	int n;
	struct dg_pblock blk[];
};

/* plan.c */
int dg_plan_build(dnngov_model *m, const struct dnngov_config *cfg,
		  const struct dg_level *lv, struct dg_plan **out);
void dg_plan_free(struct dg_plan *p);
int dg_model_prepare_supernet_bn(dnngov_model *m);
void dg_model_free_bn(dnngov_model *m);

/* blas.c: the OpenBLAS core type this CPU should use, or NULL if fine */
const char *dg_blas_wanted_core(void);
/* 1 if OpenBLAS has unpacked small-matrix kernels for this core (SkylakeX) */
int dg_blas_small_kernels(void);
/* The epilogue dg_gemm() applies to each finished tile of C (see dg_epilogue()). */
struct dg_gemm_ep {
	float *dst;			/* rows like C's; may be C or res */
	const float *scale, *shift, *res;
	int act;
};
/*
 * C[m][n] = A[m][k] B[k][n], row-major, rows lda, ldb and ldc floats apart;
 * 1x1 convolutions. With ep, each tile of C is passed through the epilogue
 * as soon as it is complete, while it is still in L1/L2 (ep->dst and
 * ep->res have C's row stride).
 */
void dg_gemm(int m, int n, int k, const float *a, int lda, const float *b, size_t ldb, float *c,
	     size_t ldc, const struct dg_gemm_ep *ep);
void dg_blas_link(void);

/* threadpool.c */
struct dg_pool;
typedef void (*dg_task_fn)(void *arg, int tid, int begin, int end);
int dg_pool_create(struct dg_pool **out, int n);
void dg_pool_destroy(struct dg_pool *p);
int dg_pool_size(const struct dg_pool *p);
void dg_pool_run(struct dg_pool *p, dg_task_fn fn, void *arg, int total);

/* blas.c: dg_gemm() cut into one part per worker of pool (NULL or 1 worker: dg_gemm()) */
void dg_gemm_par(struct dg_pool *pool, int m, int n, int k, const float *a, int lda,
		 const float *b, size_t ldb, float *c, size_t ldc, const struct dg_gemm_ep *ep);
/* y[m] = A[m][n] x + beta y (row-major), rows split over pool when large */
void dg_gemv_par(struct dg_pool *pool, int m, int n, const float *a, int lda, const float *x,
		 float beta, float *y);

#endif /* DNNGOV_INTERNAL_H */
