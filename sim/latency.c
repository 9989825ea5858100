// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Latency model calibrated from the Dynamic-OFA Xavier NX lookup tables.
 *
 * For every subnet of a library (subnets.json) the per-operator LUT means of
 * the OFA MobileNetV3 w1.2 network are summed at the subnet's resolution, for
 * the CPU and the GPU table (the OFA latency predictor's method). The GPU
 * tables under-predict the measured subnet latencies (ofa.md §6), so the GPU
 * sums are scaled by the least-squares factor that fits the measured
 * gpu_latency_ms of the same library; the CPU tables are used as they are.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

/* OFA MobileNetV3 w1.2 (ofa/tutorial/latency_table.py). */
static const int stage_width[5] = { 32, 48, 96, 136, 192 };
static const int stage_stride[5] = { 2, 2, 2, 1, 2 };
static const int stage_hs[5] = { 0, 0, 1, 1, 1 };
static const int stage_se[5] = { 0, 1, 0, 1, 1 };

static int lut_get(json_object *lut, const char *key, double *sum,
		   const char *file, char *err, size_t errlen)
{
	json_object *e, *mean;

	if (!json_object_object_get_ex(lut, key, &e) ||
	    !json_object_object_get_ex(e, "mean", &mean)) {
		snprintf(err, errlen, "%s: no entry '%s' (is this an OFA MBv3 w1.2 table?)", file, key);
		return -1;
	}
	*sum += json_object_get_double(mean);
	return 0;
}

static int int_at(json_object *arr, int i, int *out)
{
	json_object *x = json_object_array_get_idx(arr, (size_t)i);

	if (!x || !json_object_is_type(x, json_type_int))
		return -1;
	*out = json_object_get_int(x);
	return 0;
}

/* Sum of the LUT means for one subnet config at its resolution. */
static int subnet_lut_ms(const char *dir, const char *dev, json_object *cfg,
			 double *out, char *err, size_t errlen)
{
	json_object *ks, *e, *d, *r, *lut;
	char file[512], key[256];
	int res, fs, in, s, i, rc = -1;
	double sum = 0;

	if (!json_object_object_get_ex(cfg, "ks", &ks) || !json_object_object_get_ex(cfg, "e", &e) ||
	    !json_object_object_get_ex(cfg, "d", &d) || !json_object_object_get_ex(cfg, "r", &r)) {
		snprintf(err, errlen, "subnets.json: a level lacks ks/e/d/r");
		return -1;
	}
	res = json_object_get_int(r);
	snprintf(file, sizeof(file), "%s/dynamic-ofa/latency_table_xavier_nx_%s/%d_lookup_table.json",
		 dir, dev, res);
	lut = json_object_from_file(file);
	if (!lut) {
		snprintf(err, errlen, "%s: cannot read or parse (%s)", file, json_util_get_last_err());
		return -1;
	}
	fs = (res + 1) / 2;
	snprintf(key, sizeof(key), "Conv-input:%dx%dx3-output:%dx%dx24", res, res, fs, fs);
	if (lut_get(lut, key, &sum, file, err, errlen))
		goto out;
	snprintf(key, sizeof(key),
		 "expanded_conv-input:%dx%dx24-output:%dx%dx24-expand:24-kernel:3-stride:1-idskip:1-se:0-hs:0",
		 fs, fs, fs, fs);
	if (lut_get(lut, key, &sum, file, err, errlen))
		goto out;
	in = 24;
	for (s = 0; s < 5; s++) {
		int depth;

		if (int_at(d, s, &depth) || depth < 1 || depth > 4) {
			snprintf(err, errlen, "subnets.json: bad depth for stage %d", s);
			goto out;
		}
		for (i = 0; i < depth; i++) {
			int k, x, stride = i ? 1 : stage_stride[s];
			int ofs = stride == 2 ? (fs + 1) / 2 : fs;

			if (int_at(ks, 4 * s + i, &k) || int_at(e, 4 * s + i, &x)) {
				snprintf(err, errlen, "subnets.json: bad ks/e for block %d", 4 * s + i);
				goto out;
			}
			snprintf(key, sizeof(key),
				 "expanded_conv-input:%dx%dx%d-output:%dx%dx%d-expand:%d-kernel:%d-stride:%d-idskip:%d-se:%d-hs:%d",
				 fs, fs, in, ofs, ofs, stage_width[s], in * x, k, stride,
				 i ? 1 : 0, stage_se[s], stage_hs[s]);
			if (lut_get(lut, key, &sum, file, err, errlen))
				goto out;
			fs = ofs;
			in = stage_width[s];
		}
	}
	snprintf(key, sizeof(key), "Conv_1-input:%dx%dx192-output:%dx%dx1152", fs, fs, fs, fs);
	if (lut_get(lut, key, &sum, file, err, errlen))
		goto out;
	snprintf(key, sizeof(key), "AvgPool2D-input:%dx%dx1152-output:1x1x1152", fs, fs);
	if (lut_get(lut, key, &sum, file, err, errlen) ||
	    lut_get(lut, "Conv_2-input:1x1x1152-output:1x1x1536", &sum, file, err, errlen) ||
	    lut_get(lut, "Logits-input:1x1x1536-output:1000", &sum, file, err, errlen))
		goto out;
	*out = sum;
	rc = 0;
out:
	json_object_put(lut);
	return rc;
}

int sim_library_load(struct sim_library *lib, const char *data_dir,
		     const char *name, char *err, size_t errlen)
{
	char file[512];
	json_object *root, *libs, *arr;
	double num = 0, den = 0;
	size_t i, n;
	int rc = -1;

	memset(lib, 0, sizeof(*lib));
	snprintf(lib->name, sizeof(lib->name), "%s", name);
	snprintf(file, sizeof(file), "%s/dynamic-ofa/subnets.json", data_dir);
	root = json_object_from_file(file);
	if (!root) {
		snprintf(err, errlen, "%s: cannot read or parse (%s); point --data at the shared data folder",
			 file, json_util_get_last_err());
		return -1;
	}
	if (!json_object_object_get_ex(root, "libraries", &libs) ||
	    !json_object_object_get_ex(libs, name, &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		snprintf(err, errlen, "%s: no library '%s' under \"libraries\"", file, name);
		goto out;
	}
	n = json_object_array_length(arr);
	if (n < 1 || n > SIM_MAX_LEVELS) {
		snprintf(err, errlen, "%s: library '%s' has %zu levels (1..%d allowed)", file, name, n,
			 SIM_MAX_LEVELS);
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_object *cfg = json_object_array_get_idx(arr, i), *t, *g;
		struct sim_level *c = &lib->cpu[i], *gl = &lib->gpu[i];

		if (!json_object_object_get_ex(cfg, "top1", &t) ||
		    !json_object_object_get_ex(cfg, "gpu_latency_ms", &g)) {
			snprintf(err, errlen, "%s: level %zu lacks top1/gpu_latency_ms", file, i + 1);
			goto out;
		}
		c->top1 = gl->top1 = json_object_get_double(t);
		if (subnet_lut_ms(data_dir, "cpu", cfg, &c->lut_ms, err, errlen) ||
		    subnet_lut_ms(data_dir, "gpu", cfg, &gl->lut_ms, err, errlen))
			goto out;
		c->t_ref_ms = c->lut_ms;
		/* Least squares through the origin: measured = k * lut. */
		num += json_object_get_double(g) * gl->lut_ms;
		den += gl->lut_ms * gl->lut_ms;
	}
	lib->n_levels = (unsigned int)n;
	lib->gpu_scale = num / den;
	for (i = 0; i < n; i++)
		lib->gpu[i].t_ref_ms = lib->gpu[i].lut_ms * lib->gpu_scale;
	rc = 0;
out:
	json_object_put(root);
	return rc;
}
