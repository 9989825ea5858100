/* SPDX-License-Identifier: MIT */
/*
 * Compute kernels of the engine. Every optimised kernel has a plain C
 * reference twin with the same signature; tests compare the two.
 */
#ifndef DNNGOV_KERNELS_H
#define DNNGOV_KERNELS_H

#include <stddef.h>

enum dg_act { DG_ACT_NONE = 0, DG_ACT_RELU = 1, DG_ACT_HSWISH = 2, DG_ACT_HSIGMOID = 3 };

static inline float dg_act1(float x, int act)
{
	float t;

	switch (act) {
	case DG_ACT_RELU:
		return x > 0.0f ? x : 0.0f;
	case DG_ACT_HSWISH:
		t = x + 3.0f;
		t = t < 0.0f ? 0.0f : (t > 6.0f ? 6.0f : t);
		return x * t * (1.0f / 6.0f);
	case DG_ACT_HSIGMOID:
		t = x + 3.0f;
		t = t < 0.0f ? 0.0f : (t > 6.0f ? 6.0f : t);
		return t * (1.0f / 6.0f);
	default:
		return x;
	}
}

/*
 * Depthwise k x k convolution (pad k / 2, stride 1 or 2) on NCHW planes of
 * channels [c0, c1), with the fused epilogue
 *   out = act(conv * scale[c] + shift[c])
 * and, when mean is not NULL, mean[c] = average of the output plane (SE).
 * When pre_scale is not NULL the producer's epilogue is fused in: each input
 * value is first mapped to act(x * pre_scale[c] + pre_shift[c], pre_act).
 */
struct dg_dw_args {
	const float *in;	/* [C][h][w], planes ldi floats apart */
	float *out;		/* [C][ho][wo], planes ldo floats apart */
	const float *wt;	/* [C][k][k] */
	int k, stride, h, w, ho, wo;
	const float *scale, *shift;
	int act;
	float *mean;
	/* optional: the input is act(in * pre_scale[c] + pre_shift[c]) */
	const float *pre_scale, *pre_shift;
	int pre_act;
	/* floats from one plane to the next; 0: h * w and ho * wo (dense) */
	size_t ldi, ldo;
};

static inline size_t dg_dw_ldi(const struct dg_dw_args *a)
{
	return a->ldi ? a->ldi : (size_t)a->h * a->w;
}

static inline size_t dg_dw_ldo(const struct dg_dw_args *a)
{
	return a->ldo ? a->ldo : (size_t)a->ho * a->wo;
}

/*
 * Plane stride of the engine's activation tensors: whole 64-byte lines, so
 * that every plane starts aligned (the 16-channel depthwise kernel's
 * transposed stores and the GEMMs' vector loads of them).
 */
static inline size_t dg_plane_ld(size_t hw)
{
	return (hw + 15) / 16 * 16;
}

typedef void (*dg_dw_fn)(const struct dg_dw_args *a, int c0, int c1, float *scratch);

static inline int dg_conv_out(int h, int k, int stride)
{
	return (h + 2 * (k / 2) - k) / stride + 1;
}

/*
 * AVX-512 runs the planes dg_dw_small_use() picks 16 channels per vector
 * from a pixel-major scratch P[h + k - 1][wp][16], output columns in blocks
 * of 12 and one last block of 4, 8 or 12 (dg_dw_small_wop() columns in all,
 * the padding ones computed and dropped); wp leaves room for their taps.
 */
static inline int dg_dw_small_wop(int wo)
{
	int full = wo / 12 * 12, rem = wo - full;

	return full + (rem == 0 ? 0 : rem > 8 ? 12 : rem > 4 ? 8 : 4);
}

static inline int dg_dw_small_wp(int k, int stride, int w)
{
	int pw = w + k - 1, need = (dg_dw_small_wop(dg_conv_out(w, k, stride)) - 1) * stride + k;

	return pw > need ? pw : need;
}

/* Does the AVX-512 kernel run this plane 16 channels per vector? */
int dg_dw_small_use(int k, int stride, int w);
/* Tests: every plane at most wo_max wide (-1: the measured rule). */
void dg_dw_small_force(int wo_max);

/* Scratch floats one call of an optimised depthwise kernel needs (with w). */
size_t dg_dw_scratch_floats(int k, int stride, int h, int w);

void dg_dw_ref(const struct dg_dw_args *a, int c0, int c1, float *scratch);
#if defined(__x86_64__)
void dg_dw_avx2(const struct dg_dw_args *a, int c0, int c1, float *scratch);
void dg_dw_avx512(const struct dg_dw_args *a, int c0, int c1, float *scratch);
#endif
#if defined(__aarch64__)
void dg_dw_neon(const struct dg_dw_args *a, int c0, int c1, float *scratch);
#endif

/* Pick the best kernel the CPU supports; *name: "avx512", "avx2", "neon", "ref". */
dg_dw_fn dg_dw_select(const char **name);

/*
 * Epilogue after a GEMM, on rows [c0, c1) of y[C][n] (rows ld floats apart,
 * the same for dst and res):
 *   dst = act(y * scale[c] + shift[c]) (+ res[c] after the activation)
 * and, when mean is not NULL, mean[c] = average of the row. dst may be y
 * or res (elementwise, in place).
 */
void dg_epilogue(float *dst, const float *y, int n, size_t ld, int c0, int c1,
		 const float *scale, const float *shift, int act, const float *res, float *mean);

/* dst[r][c] = src[r * lds + c] * g[c] for r < rows, c < cols (dst packed, cols wide) */
void dg_scale_cols(float *restrict dst, const float *restrict src, size_t lds, int rows, int cols,
		   const float *restrict g);

/* y[C][n] (rows ld floats apart) rows [c0, c1) *= g[c] */
void dg_scale_rows(float *y, int n, size_t ld, int c0, int c1, const float *g);

/*
 * im2col of the stem: in [cin][h][w] -> col [cin * k * k][ho * wo], pad k / 2.
 */
void dg_im2col(const float *in, int cin, int h, int w, int k, int stride,
	       int ho, int wo, float *col);

/*
 * Bilinear resize (align_corners = false, like PyTorch) of an interleaved u8
 * image to dst [c][oh][ow], then (x / 255 - mean[c]) / std[c].
 */
void dg_resize_normalize(const unsigned char *src, int w, int h, int ch_src,
			 int c, int ow, int oh, const float *mean,
			 const float *std, float *dst);

#endif /* DNNGOV_KERNELS_H */
