/* SPDX-License-Identifier: MIT */
/*
 * libdnngov: the public API of the dnngov userspace library.
 *
 * Conventions: opaque handles, dnngov_<object>_<verb> names, int returns
 * (0 on success or a negative errno). On failure dnngov_errmsg() returns a
 * thread-local message that says what went wrong and what to fix.
 *
 * Sections:
 *   1. Errors
 *   2. Model files (Documentation/model-format.md)
 *   3. Inference engine (Documentation/engine.md)
 *   (the agent part follows in its own section)
 */
#ifndef DNNGOV_DNNGOV_H
#define DNNGOV_DNNGOV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* 1. Errors                                                           */
/* ------------------------------------------------------------------ */

/*
 * Message of the last failed call in this thread ("" when none). Valid until
 * the next libdnngov call in the same thread.
 */
const char *dnngov_errmsg(void);

/* ------------------------------------------------------------------ */
/* 2. Model files                                                      */
/* ------------------------------------------------------------------ */

/* A supernet with its subnet library, mmap'ed read-only and validated. */
typedef struct dnngov_model dnngov_model;

/* Longest level name, including the terminating NUL. */
#define DNNGOV_LEVEL_NAME_MAX 65
/* Most elastic blocks / stages a config can describe. */
#define DNNGOV_MAX_BLOCKS 256
#define DNNGOV_MAX_STAGES 16

/* A subnet configuration (OFA's ks/e/d/r). */
struct dnngov_config {
	int n_blocks;			/* elastic blocks (entries in ks, e) */
	int n_stages;			/* entries in d */
	int ks[DNNGOV_MAX_BLOCKS];	/* kernel size per elastic block */
	int e[DNNGOV_MAX_BLOCKS];	/* expand ratio per elastic block */
	int d[DNNGOV_MAX_STAGES];	/* depth per stage */
	int r;				/* input resolution */
};

/* One entry of the model's subnet library. */
struct dnngov_level_info {
	char name[DNNGOV_LEVEL_NAME_MAX];
	double accuracy;	/* top-1 % */
	double latency_ms;	/* profiled latency, or a negative value if none */
	int has_level_bn;	/* per-level BN statistics present */
	uint64_t macs;		/* multiply-accumulates of one inference */
	uint64_t params;	/* weights the level uses */
	struct dnngov_config config;
};

/* Open and validate a model file; *out is NULL on failure. */
int dnngov_model_open(dnngov_model **out, const char *path);
void dnngov_model_close(dnngov_model *m);

int dnngov_model_level_count(const dnngov_model *m);
/*
 * Bytes the engines derived from the weights and keep in memory: the
 * transformed 5x5/3x3 elastic kernels, for the channels some plan used.
 */
size_t dnngov_model_derived_bytes(dnngov_model *m);
int dnngov_model_level_info(const dnngov_model *m, int level,
			    struct dnngov_level_info *info);
int dnngov_model_class_count(const dnngov_model *m);
/* Class name, or NULL when idx is out of range. */
const char *dnngov_model_class_name(const dnngov_model *m, int idx);
/* Input image channels of the model. */
int dnngov_model_in_channels(const dnngov_model *m);

/*
 * Parse a subnet config from JSON text {"ks": [...], "e": [...], "d": [...],
 * "r": 224} (r may also be [224]) and check it against the model's arch.
 */
int dnngov_config_parse(const dnngov_model *m, const char *json,
			struct dnngov_config *cfg);

/* ------------------------------------------------------------------ */
/* 3. Inference engine                                                 */
/* ------------------------------------------------------------------ */

/* Runs subnets of one model; the model must outlive the engine. */
typedef struct dnngov_engine dnngov_engine;

/*
 * Create an engine: precomputes one immutable plan per library level and
 * sizes all buffers for the largest level/resolution. threads >= 1. Starts
 * at level 0.
 */
int dnngov_engine_create(dnngov_engine **out, dnngov_model *m, int threads);
void dnngov_engine_destroy(dnngov_engine *e);

/*
 * Select a library level. O(1), allocates nothing, copies no weight; safe to
 * call from any thread while another runs an inference: it takes effect at
 * the next inference.
 */
int dnngov_engine_set_level(dnngov_engine *e, int level);

/*
 * Select an arbitrary subnet (not necessarily in the library): builds its
 * plan (may allocate; serialised with inferences). Current level becomes -1.
 */
int dnngov_engine_set_config(dnngov_engine *e, const struct dnngov_config *cfg);

/* Current level, or -1 after dnngov_engine_set_config(). */
int dnngov_engine_level(const dnngov_engine *e);
/* Input resolution of the current subnet. */
int dnngov_engine_resolution(const dnngov_engine *e);
/* Number of logits dnngov_engine_run writes (the model's class count). */
int dnngov_engine_output_size(const dnngov_engine *e);

/* Change the worker count (depthwise/elementwise pool and BLAS). */
int dnngov_engine_set_threads(dnngov_engine *e, int threads);

/*
 * Run one inference. input: normalised NCHW float32, in_channels x r x r at
 * the current subnet's resolution r (dnngov_engine_resolution). logits:
 * dnngov_engine_output_size() floats. Calls on one engine are serialised.
 */
int dnngov_engine_run(dnngov_engine *e, const float *input, float *logits);

/*
 * Run on an 8-bit image (height x width x channels, interleaved): bilinear
 * resize to r x r, scale to [0, 1], normalise with the model's mean/std.
 * channels must equal the model's in_channels, or be 1 (replicated).
 */
int dnngov_engine_run_u8(dnngov_engine *e, const uint8_t *pixels, int width,
			 int height, int channels, float *logits);

/* Name of the depthwise kernel set in use ("avx2", "neon" or "ref"). */
const char *dnngov_engine_kernels(const dnngov_engine *e);

/*
 * OpenBLAS chooses its kernels by CPU model at load time and falls back to
 * slow SSE3 kernels on models it does not know (frequent in VMs). When that
 * happened on an AVX2 CPU and OPENBLAS_CORETYPE is unset, this sets
 * OPENBLAS_CORETYPE and re-executes the program with argv (it does not
 * return then). Returns 0 when nothing needed doing; set DNNGOV_NO_REEXEC=1
 * to disable. A constructor in libdnngov already does this before main() in
 * every program that uses the engine; an explicit call is harmless.
 */
int dnngov_blas_check_coretype(char *const argv[]);

/* ------------------------------------------------------------------ */
/* 4. Agent client (dnngovd's socket, Documentation/protocol.md)       */
/* ------------------------------------------------------------------ */

/* A connection to dnngovd. One request at a time per connection. */
typedef struct dnngov_client dnngov_client;

/* Default socket of dnngovd ([daemon] socket in its config). */
#define DNNGOV_CLIENT_DEFAULT_SOCKET "/run/dnngov/dnngovd.sock"
/* Most classes a result can carry. */
#define DNNGOV_CLIENT_TOPK_MAX 100

/* One inference as dnngovd ran it. */
struct dnngov_client_result {
	int level;		/* level (subnet) used, 0 = least accurate */
	double level_accuracy;	/* its profiled top-1 accuracy, % */
	uint32_t latency_us;	/* inference time */
	uint32_t queue_us;	/* time waiting in the daemon before it */
	int n;			/* entries in top */
	struct {
		int cls;	/* class index */
		float prob;	/* softmax probability */
	} top[DNNGOV_CLIENT_TOPK_MAX];
};

/* Connect to dnngovd at path (NULL: DNNGOV_CLIENT_DEFAULT_SOCKET). */
int dnngov_client_connect(dnngov_client **out, const char *path);
void dnngov_client_close(dnngov_client *c);

/*
 * Run one 8-bit image (height x width x channels, interleaved) on the
 * workload named workload; top_k in 1..DNNGOV_CLIENT_TOPK_MAX. Errors from
 * the daemon come back as their negative errno with dnngov_errmsg() set to
 * the daemon's message.
 */
int dnngov_client_infer(dnngov_client *c, const char *workload,
			const uint8_t *pixels, int width, int height,
			int channels, int top_k,
			struct dnngov_client_result *out);

/*
 * Send a control request (JSON text, see Documentation/protocol.md) and
 * get the reply; *reply is malloc'ed, free it.
 */
int dnngov_client_control(dnngov_client *c, const char *request,
			  char **reply);

#ifdef __cplusplus
}
#endif

#endif /* DNNGOV_DNNGOV_H */
