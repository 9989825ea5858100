// SPDX-License-Identifier: MIT
/*
 * Model file parser (Documentation/model-format.md). The file is mmap'ed
 * and its tensors used in place; every header field, JSON value, offset and
 * shape is validated before use, and each failure names the field and what
 * was expected. Mirrors scripts/ofa/dnngov_model.py.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the model file is little-endian and used in place: big-endian hosts are not supported"
#endif

#define HEADER_SIZE	64
#define ALIGN		64
#define MAX_META	(64u << 20)
#define CRC_OFFSET	56

static const char MAGIC[8] = { 'D', 'N', 'N', 'G', 'O', 'V', 'M', 'F' };

struct hdr {
	char magic[8];
	uint32_t version, header_size;
	uint64_t file_size, meta_offset, meta_size, data_offset, data_size;
	uint32_t crc32, flags;
};

_Static_assert(sizeof(struct hdr) == HEADER_SIZE, "header layout");

struct ctx {
	dnngov_model *m;
	const unsigned char *data;
	uint64_t data_size;
	json_object *tensors;
	int matched;
};

#define FAIL(...) dg_error(-EINVAL, "model: " __VA_ARGS__)

int dg_make_divisible(double v, int divisor)
{
	int nv = (int)(v + divisor / 2.0) / divisor * divisor;

	if (nv < divisor)
		nv = divisor;
	if (nv < 0.9 * v)
		nv += divisor;
	return nv;
}

/* ---------------------------------------------------------- JSON helpers */

static int get_int(json_object *o, const char *key, long lo, long hi,
		   const char *where, int *out)
{
	json_object *v;
	int64_t x;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return FAIL("%s.%s: expected an integer", where, key);
	x = json_object_get_int64(v);
	if (x < lo || x > hi)
		return FAIL("%s.%s: %lld is out of range [%ld, %ld]", where, key,
			    (long long)x, lo, hi);
	*out = (int)x;
	return 0;
}

static int get_number(json_object *v, double *out)
{
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return -1;
	*out = json_object_get_double(v);
	return isfinite(*out) ? 0 : -1;
}

static int get_bool(json_object *o, const char *key, const char *where, int *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_boolean))
		return FAIL("%s.%s: expected true or false", where, key);
	*out = json_object_get_boolean(v);
	return 0;
}

static int get_act(json_object *o, const char *key, const char *where, int *out)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return FAIL("%s.%s: expected \"relu\", \"h_swish\" or \"none\"", where, key);
	s = json_object_get_string(v);
	if (!strcmp(s, "relu"))
		*out = DG_ACT_RELU;
	else if (!strcmp(s, "h_swish"))
		*out = DG_ACT_HSWISH;
	else if (!strcmp(s, "none"))
		*out = DG_ACT_NONE;
	else
		return FAIL("%s.%s: \"%s\" is not one of \"relu\", \"h_swish\", \"none\"",
			    where, key, s);
	return 0;
}

/* A list of distinct ints in [lo, hi] with at most max entries. */
static int get_int_list(json_object *o, const char *key, int lo, int hi, int max,
			const char *where, int *out, int *n)
{
	json_object *v;
	size_t len;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return FAIL("%s.%s: expected a list of integers", where, key);
	len = json_object_array_length(v);
	if (len < 1 || len > (size_t)max)
		return FAIL("%s.%s: expected 1..%d entries, got %zu", where, key, max, len);
	for (size_t i = 0; i < len; i++) {
		json_object *x = json_object_array_get_idx(v, i);
		int64_t y;

		if (!json_object_is_type(x, json_type_int))
			return FAIL("%s.%s[%zu]: expected an integer", where, key, i);
		y = json_object_get_int64(x);
		if (y < lo || y > hi)
			return FAIL("%s.%s[%zu]: %lld is out of range [%d, %d]", where, key, i,
				    (long long)y, lo, hi);
		out[i] = (int)y;
		for (size_t j = 0; j < i; j++)
			if (out[j] == out[i])
				return FAIL("%s.%s: duplicate entry %d", where, key, out[i]);
	}
	*n = (int)len;
	return 0;
}

/* --------------------------------------------------------------- arch */

static const char *const arch_keys[] = {
	"family", "in_channels", "stem", "first_block", "stages", "final_expand",
	"feature_mix", "n_classes", "ks_list", "expand_list", "depth_list",
	"resolutions", "bn_eps", "channel_divisible", "final_expand_act",
	"feature_mix_act",
};

static int cmp_desc(const void *a, const void *b)
{
	return *(const int *)b - *(const int *)a;
}

static int parse_arch(dnngov_model *m, json_object *a)
{
	json_object *v, *stem, *fb, *stages;
	int err, fb_k, fb_stride, fb_act, fb_se, fb_out, res[512], nres;
	double eps;

	if (!json_object_is_type(a, json_type_object))
		return FAIL("arch: expected an object");
	json_object_object_foreach(a, key, val) {
		size_t i;

		(void)val;
		for (i = 0; i < sizeof(arch_keys) / sizeof(arch_keys[0]); i++)
			if (!strcmp(key, arch_keys[i]))
				break;
		if (i == sizeof(arch_keys) / sizeof(arch_keys[0]))
			return FAIL("arch: unknown key \"%s\"", key);
	}
	if (!json_object_object_get_ex(a, "family", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "ofa_mbv3"))
		return FAIL("arch.family: expected \"ofa_mbv3\"");
	if ((err = get_int(a, "in_channels", 1, 16, "arch", &m->in_channels)))
		return err;
	if (!json_object_object_get_ex(a, "stem", &stem) ||
	    !json_object_is_type(stem, json_type_object))
		return FAIL("arch.stem: expected an object with out, kernel, stride, act");
	if ((err = get_int(stem, "out", 1, 4096, "arch.stem", &m->stem_out)) ||
	    (err = get_int(stem, "kernel", 1, 11, "arch.stem", &m->stem_k)) ||
	    (err = get_int(stem, "stride", 1, 2, "arch.stem", &m->stem_stride)) ||
	    (err = get_act(stem, "act", "arch.stem", &m->stem_act)))
		return err;
	if (m->stem_k % 2 == 0)
		return FAIL("arch.stem.kernel: must be odd, got %d", m->stem_k);
	if (!json_object_object_get_ex(a, "first_block", &fb) ||
	    !json_object_is_type(fb, json_type_object))
		return FAIL("arch.first_block: expected an object with out, kernel, stride, act, se");
	if ((err = get_int(fb, "out", 1, 4096, "arch.first_block", &fb_out)) ||
	    (err = get_int(fb, "kernel", 1, 11, "arch.first_block", &fb_k)) ||
	    (err = get_int(fb, "stride", 1, 2, "arch.first_block", &fb_stride)) ||
	    (err = get_act(fb, "act", "arch.first_block", &fb_act)) ||
	    (err = get_bool(fb, "se", "arch.first_block", &fb_se)))
		return err;
	if (fb_k % 2 == 0)
		return FAIL("arch.first_block.kernel: must be odd, got %d", fb_k);
	if ((err = get_int_list(a, "depth_list", 1, 64, DG_MAX_E, "arch", m->dl, &m->n_dl)))
		return err;
	int dmax = 0;

	for (int i = 0; i < m->n_dl; i++)
		dmax = m->dl[i] > dmax ? m->dl[i] : dmax;
	if (!json_object_object_get_ex(a, "stages", &stages) ||
	    !json_object_is_type(stages, json_type_array) ||
	    json_object_array_length(stages) < 1 ||
	    json_object_array_length(stages) > DNNGOV_MAX_STAGES)
		return FAIL("arch.stages: expected a list of 1..%d stage objects", DNNGOV_MAX_STAGES);
	m->n_stages = (int)json_object_array_length(stages);
	int nblk = 1;

	for (int i = 0; i < m->n_stages; i++) {
		json_object *s = json_object_array_get_idx(stages, (size_t)i);
		char where[32];

		snprintf(where, sizeof(where), "arch.stages[%d]", i);
		if (!json_object_is_type(s, json_type_object))
			return FAIL("%s: expected an object with width, n_blocks, stride, act, se", where);
		if ((err = get_int(s, "width", 1, 4096, where, &m->st_width[i])) ||
		    (err = get_int(s, "n_blocks", 1, 64, where, &m->st_nblocks[i])) ||
		    (err = get_int(s, "stride", 1, 2, where, &m->st_stride[i])) ||
		    (err = get_act(s, "act", where, &m->st_act[i])) ||
		    (err = get_bool(s, "se", where, &m->st_se[i])))
			return err;
		if (m->st_nblocks[i] < dmax)
			return FAIL("%s.n_blocks: %d is smaller than max(depth_list) = %d", where,
				    m->st_nblocks[i], dmax);
		nblk += m->st_nblocks[i];
	}
	if (nblk - 1 > DNNGOV_MAX_BLOCKS)
		return FAIL("arch.stages: %d blocks in all, at most %d supported", nblk - 1,
			    DNNGOV_MAX_BLOCKS);
	if ((err = get_int(a, "final_expand", 1, 16384, "arch", &m->final_expand)) ||
	    (err = get_int(a, "feature_mix", 1, 16384, "arch", &m->feature_mix)) ||
	    (err = get_int(a, "n_classes", 1, 100000, "arch", &m->n_classes)) ||
	    (err = get_int_list(a, "ks_list", 1, 11, DG_MAX_KS, "arch", m->ks, &m->n_ks)) ||
	    (err = get_int_list(a, "expand_list", 1, 16, DG_MAX_E, "arch", m->ex, &m->n_ex)) ||
	    (err = get_int_list(a, "resolutions", 8, DG_MAX_RES, 512, "arch", res, &nres)) ||
	    (err = get_int(a, "channel_divisible", 1, 64, "arch", &m->divisor)))
		return err;
	for (int i = 0; i < m->n_ks; i++)
		if (m->ks[i] % 2 == 0)
			return FAIL("arch.ks_list: kernel sizes must be odd, got %d", m->ks[i]);
	qsort(m->ks, (size_t)m->n_ks, sizeof(int), cmp_desc);
	m->max_res = 0;
	for (int i = 0; i < nres; i++)
		m->max_res = res[i] > m->max_res ? res[i] : m->max_res;
	if (!json_object_object_get_ex(a, "bn_eps", &v) || get_number(v, &eps) ||
	    !(eps > 0 && eps < 1))
		return FAIL("arch.bn_eps: expected a number in (0, 1)");
	m->eps = (float)eps;
	m->fe_act = m->fm_act = DG_ACT_HSWISH;
	if (json_object_object_get_ex(a, "final_expand_act", &v) &&
	    (err = get_act(a, "final_expand_act", "arch", &m->fe_act)))
		return err;
	if (json_object_object_get_ex(a, "feature_mix_act", &v) &&
	    (err = get_act(a, "feature_mix_act", "arch", &m->fm_act)))
		return err;

	/* the block table */
	m->n_blocks = nblk;
	m->blocks = calloc((size_t)nblk, sizeof(*m->blocks));
	if (!m->blocks)
		return dg_error(-ENOMEM, "model: out of memory");
	struct dg_block *b = &m->blocks[0];

	b->stage = -1;
	b->in = m->stem_out;
	b->out = fb_out;
	b->stride = fb_stride;
	b->act = fb_act;
	b->se = fb_se;
	b->mid_max = m->stem_out;
	b->se_max = fb_se ? dg_make_divisible(m->stem_out / 4, m->divisor) : 0;
	b->kmax = fb_k;
	int c = fb_out, emax = 0, idx = 1;

	for (int i = 0; i < m->n_ex; i++)
		emax = m->ex[i] > emax ? m->ex[i] : emax;
	for (int s = 0; s < m->n_stages; s++) {
		for (int j = 0; j < m->st_nblocks[s]; j++, idx++) {
			b = &m->blocks[idx];
			b->stage = s;
			b->j = j;
			b->in = c;
			b->out = m->st_width[s];
			b->stride = j == 0 ? m->st_stride[s] : 1;
			b->act = m->st_act[s];
			b->se = m->st_se[s];
			b->mid_max = dg_make_divisible((double)c * emax, m->divisor);
			if (b->mid_max > DG_MAX_CH)
				return FAIL("arch: block %d has %d middle channels, at most %d supported",
					    idx, b->mid_max, DG_MAX_CH);
			b->se_max = b->se ? dg_make_divisible(b->mid_max / 4, m->divisor) : 0;
			b->kmax = m->ks[0];
			c = m->st_width[s];
		}
	}
	return 0;
}

/* ------------------------------------------------------------- tensors */

static int validate_table(struct ctx *x)
{
	struct span {
		uint64_t b, e;
		const char *name;
	} *sp;
	size_t n = 0, cap = (size_t)json_object_object_length(x->tensors);
	int err = 0;

	sp = calloc(cap ? cap : 1, sizeof(*sp));
	if (!sp)
		return dg_error(-ENOMEM, "model: out of memory");
	json_object_object_foreach(x->tensors, name, e) {
		json_object *v, *shape;
		int64_t off, nb;
		uint64_t cnt = 1;
		size_t nd;

		if (!json_object_is_type(e, json_type_object) ||
		    !json_object_object_get_ex(e, "dtype", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    strcmp(json_object_get_string(v), "F32")) {
			err = FAIL("tensors[\"%s\"].dtype: expected \"F32\"", name);
			goto out;
		}
		if (!json_object_object_get_ex(e, "shape", &shape) ||
		    !json_object_is_type(shape, json_type_array) ||
		    (nd = json_object_array_length(shape)) < 1 || nd > 4) {
			err = FAIL("tensors[\"%s\"].shape: expected a list of 1..4 integers", name);
			goto out;
		}
		for (size_t i = 0; i < nd; i++) {
			json_object *d = json_object_array_get_idx(shape, i);
			int64_t dv;

			if (!json_object_is_type(d, json_type_int) ||
			    (dv = json_object_get_int64(d)) < 1 || dv >= (1LL << 31)) {
				err = FAIL("tensors[\"%s\"].shape[%zu]: expected a positive integer",
					   name, i);
				goto out;
			}
			cnt *= (uint64_t)dv;
			if (cnt > x->data_size / 4) {
				err = FAIL("tensors[\"%s\"].shape: larger than the data section", name);
				goto out;
			}
		}
		if (!json_object_object_get_ex(e, "offset", &v) ||
		    !json_object_is_type(v, json_type_int) ||
		    (off = json_object_get_int64(v)) < 0 || off % ALIGN) {
			err = FAIL("tensors[\"%s\"].offset: expected a non-negative multiple of %d",
				   name, ALIGN);
			goto out;
		}
		if (!json_object_object_get_ex(e, "nbytes", &v) ||
		    !json_object_is_type(v, json_type_int) ||
		    (nb = json_object_get_int64(v)) != (int64_t)(cnt * 4)) {
			err = FAIL("tensors[\"%s\"].nbytes: expected %llu (4 x the shape's %llu elements)",
				   name, (unsigned long long)cnt * 4, (unsigned long long)cnt);
			goto out;
		}
		if ((uint64_t)off > x->data_size || (uint64_t)nb > x->data_size - (uint64_t)off) {
			err = FAIL("tensors[\"%s\"]: bytes [%lld, %lld) run past the data section (%llu bytes)",
				   name, (long long)off, (long long)(off + nb),
				   (unsigned long long)x->data_size);
			goto out;
		}
		sp[n].b = (uint64_t)off;
		sp[n].e = (uint64_t)(off + nb);
		sp[n].name = name;
		n++;
	}
	/* overlap check: sort spans by start (insertion sort is fine for ~1000) */
	for (size_t i = 1; i < n; i++) {
		struct span t = sp[i];
		size_t j = i;

		for (; j > 0 && sp[j - 1].b > t.b; j--)
			sp[j] = sp[j - 1];
		sp[j] = t;
	}
	for (size_t i = 1; i < n; i++)
		if (sp[i].b < sp[i - 1].e) {
			err = FAIL("tensors \"%s\" and \"%s\" overlap", sp[i - 1].name, sp[i].name);
			goto out;
		}
out:
	free(sp);
	return err;
}

/* Look up a tensor that validate_table() accepted and check its shape. */
static int tensor(struct ctx *x, const char *name, int nd, const int *dims, const float **out)
{
	json_object *e, *shape, *v;
	size_t have;

	if (!json_object_object_get_ex(x->tensors, name, &e))
		return FAIL("tensor \"%s\" is missing", name);
	json_object_object_get_ex(e, "shape", &shape);
	have = json_object_array_length(shape);
	int ok = have == (size_t)nd;

	for (int i = 0; ok && i < nd; i++)
		ok = json_object_get_int64(json_object_array_get_idx(shape, (size_t)i)) == dims[i];
	if (!ok) {
		char exp[96];
		int len = 0;

		for (int i = 0; i < nd; i++)
			len += snprintf(exp + len, sizeof(exp) - (size_t)len, "%s%d", i ? ", " : "",
					dims[i]);
		return FAIL("tensor \"%s\": shape %s, expected [%s]", name,
			    json_object_to_json_string_ext(shape, JSON_C_TO_STRING_PLAIN), exp);
	}
	json_object_object_get_ex(e, "offset", &v);
	*out = (const float *)(x->data + json_object_get_int64(v));
	x->matched++;
	return 0;
}

#define T1(name, a, out) tensor(x, name, 1, (const int[]){ a }, out)
#define T2(name, a, b, out) tensor(x, name, 2, (const int[]){ a, b }, out)
#define T4(name, a, b, c, d, out) tensor(x, name, 4, (const int[]){ a, b, c, d }, out)

static int bn(struct ctx *x, const char *prefix, int c, struct dg_bn *out)
{
	static const char *const sfx[4] = { "weight", "bias", "running_mean", "running_var" };
	const float **dst[4] = { &out->gamma, &out->beta, &out->mean, &out->var };
	char name[256];
	int err;

	out->c = c;
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "%s.%s", prefix, sfx[i]);
		if ((err = T1(name, c, dst[i])))
			return err;
	}
	return 0;
}

static int set_slot(dnngov_model *m, int slot, const char *prefix, struct dg_bn *b)
{
	m->slot_names[slot] = strdup(prefix);
	m->slot_bn[slot] = b;
	return m->slot_names[slot] ? 0 : dg_error(-ENOMEM, "model: out of memory");
}

static int bind_tensors(struct ctx *x)
{
	dnngov_model *m = x->m;
	char p[128], n[256];
	int err, k = m->stem_k;

	m->n_slots = DG_SLOT_FINAL(m->n_blocks) + 1;
	m->slot_names = calloc((size_t)m->n_slots, sizeof(char *));
	m->slot_bn = calloc((size_t)m->n_slots, sizeof(struct dg_bn *));
	if (!m->slot_names || !m->slot_bn)
		return dg_error(-ENOMEM, "model: out of memory");

	if ((err = T4("first_conv.conv.weight", m->stem_out, m->in_channels, k, k, &m->stem_w)) ||
	    (err = bn(x, "first_conv.bn", m->stem_out, &m->bn_stem)) ||
	    (err = set_slot(m, DG_SLOT_STEM, "first_conv.bn", &m->bn_stem)))
		return err;

	for (int i = 0; i < m->n_blocks; i++) {
		struct dg_block *b = &m->blocks[i];
		const char *dwc = i ? "depth_conv.conv.conv" : "depth_conv.conv";
		const char *bnx = i ? ".bn" : "";

		snprintf(p, sizeof(p), "blocks.%d.mobile_inverted_conv", i);
		if (i) {
			snprintf(n, sizeof(n), "%s.inverted_bottleneck.conv.conv.weight", p);
			if ((err = T4(n, b->mid_max, b->in, 1, 1, &b->ib_w)))
				return err;
			snprintf(n, sizeof(n), "%s.inverted_bottleneck.bn.bn", p);
			if ((err = bn(x, n, b->mid_max, &b->bn[0])) ||
			    (err = set_slot(m, DG_SLOT(i, 0), n, &b->bn[0])))
				return err;
		}
		snprintf(n, sizeof(n), "%s.%s.weight", p, dwc);
		if ((err = T4(n, b->mid_max, 1, b->kmax, b->kmax, &b->dw_w)))
			return err;
		for (int t = 0; i && t + 1 < m->n_ks; t++) {
			int s = m->ks[t + 1];

			snprintf(n, sizeof(n), "%s.depth_conv.conv.%dto%d_matrix", p, m->ks[t], s);
			if ((err = T2(n, s * s, s * s, &b->tm[t])))
				return err;
		}
		snprintf(n, sizeof(n), "%s.depth_conv.bn%s", p, bnx);
		if ((err = bn(x, n, b->mid_max, &b->bn[1])) ||
		    (err = set_slot(m, DG_SLOT(i, 1), n, &b->bn[1])))
			return err;
		if (b->se) {
			snprintf(n, sizeof(n), "%s.depth_conv.se.fc.reduce.weight", p);
			if ((err = T4(n, b->se_max, b->mid_max, 1, 1, &b->se_rw)))
				return err;
			snprintf(n, sizeof(n), "%s.depth_conv.se.fc.reduce.bias", p);
			if ((err = T1(n, b->se_max, &b->se_rb)))
				return err;
			snprintf(n, sizeof(n), "%s.depth_conv.se.fc.expand.weight", p);
			if ((err = T4(n, b->mid_max, b->se_max, 1, 1, &b->se_ew)))
				return err;
			snprintf(n, sizeof(n), "%s.depth_conv.se.fc.expand.bias", p);
			if ((err = T1(n, b->mid_max, &b->se_eb)))
				return err;
		}
		snprintf(n, sizeof(n), "%s.point_linear.conv%s.weight", p, i ? ".conv" : "");
		if ((err = T4(n, b->out, b->mid_max, 1, 1, &b->pl_w)))
			return err;
		snprintf(n, sizeof(n), "%s.point_linear.bn%s", p, bnx);
		if ((err = bn(x, n, b->out, &b->bn[2])) ||
		    (err = set_slot(m, DG_SLOT(i, 2), n, &b->bn[2])))
			return err;
		b->dwk[0] = NULL;
	}
	int last = m->st_width[m->n_stages - 1];

	if ((err = T4("final_expand_layer.conv.weight", m->final_expand, last, 1, 1, &m->fe_w)) ||
	    (err = bn(x, "final_expand_layer.bn", m->final_expand, &m->bn_final)) ||
	    (err = set_slot(m, DG_SLOT_FINAL(m->n_blocks), "final_expand_layer.bn", &m->bn_final)) ||
	    (err = T4("feature_mix_layer.conv.weight", m->feature_mix, m->final_expand, 1, 1,
		      &m->fm_w)) ||
	    (err = T2("classifier.linear.weight", m->n_classes, m->feature_mix, &m->cls_w)) ||
	    (err = T1("classifier.linear.bias", m->n_classes, &m->cls_b)))
		return err;
	return 0;
}

/* -------------------------------------------------------------- levels */

int dg_ks_index(const dnngov_model *m, int k)
{
	for (int i = 0; i < m->n_ks; i++)
		if (m->ks[i] == k)
			return i;
	return -1;
}

int dg_config_check(const dnngov_model *m, const struct dnngov_config *c)
{
	int nb = m->n_blocks - 1;

	if (c->n_blocks != nb)
		return dg_error(-EINVAL, "config: ks and e need %d entries (one per elastic block), got %d",
				nb, c->n_blocks);
	if (c->n_stages != m->n_stages)
		return dg_error(-EINVAL, "config: d needs %d entries (one per stage), got %d",
				m->n_stages, c->n_stages);
	for (int i = 0; i < nb; i++) {
		int ok = 0;

		if (dg_ks_index(m, c->ks[i]) < 0)
			return dg_error(-EINVAL, "config: ks[%d] = %d is not in the model's ks_list",
					i, c->ks[i]);
		for (int j = 0; j < m->n_ex; j++)
			ok |= m->ex[j] == c->e[i];
		if (!ok)
			return dg_error(-EINVAL, "config: e[%d] = %d is not in the model's expand_list",
					i, c->e[i]);
	}
	for (int s = 0; s < m->n_stages; s++) {
		int ok = 0;

		for (int j = 0; j < m->n_dl; j++)
			ok |= m->dl[j] == c->d[s];
		if (!ok)
			return dg_error(-EINVAL, "config: d[%d] = %d is not in the model's depth_list",
					s, c->d[s]);
	}
	if (c->r < 8 || c->r > DG_MAX_RES)
		return dg_error(-EINVAL, "config: r = %d is outside [8, %d]", c->r, DG_MAX_RES);
	return 0;
}

static int int_array(json_object *a, int n, int *out)
{
	if (!json_object_is_type(a, json_type_array) || json_object_array_length(a) != (size_t)n)
		return -1;
	for (int i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(a, (size_t)i);

		if (!json_object_is_type(v, json_type_int))
			return -1;
		int64_t x = json_object_get_int64(v);

		if (x < -1000000 || x > 1000000)
			return -1;
		out[i] = (int)x;
	}
	return 0;
}

static int parse_config(const dnngov_model *m, json_object *o, const char *where,
			struct dnngov_config *c)
{
	json_object *v;
	int nb = m->n_blocks - 1, err;

	memset(c, 0, sizeof(*c));
	c->n_blocks = nb;
	c->n_stages = m->n_stages;
	if (!json_object_is_type(o, json_type_object))
		return dg_error(-EINVAL, "%s: expected an object with ks, e, d, r", where);
	if (!json_object_object_get_ex(o, "ks", &v) || int_array(v, nb, c->ks))
		return dg_error(-EINVAL, "%s.ks: expected a list of %d integers", where, nb);
	if (!json_object_object_get_ex(o, "e", &v) || int_array(v, nb, c->e))
		return dg_error(-EINVAL, "%s.e: expected a list of %d integers", where, nb);
	if (!json_object_object_get_ex(o, "d", &v) || int_array(v, m->n_stages, c->d))
		return dg_error(-EINVAL, "%s.d: expected a list of %d integers", where, m->n_stages);
	if (!json_object_object_get_ex(o, "r", &v))
		return dg_error(-EINVAL, "%s.r: missing", where);
	if (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 1)
		v = json_object_array_get_idx(v, 0);
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 8 ||
	    json_object_get_int64(v) > DG_MAX_RES)
		return dg_error(-EINVAL, "%s.r: expected an integer resolution in [8, %d]", where,
				DG_MAX_RES);
	c->r = (int)json_object_get_int64(v);
	err = dg_config_check(m, c);
	if (err) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", dnngov_errmsg() + strlen("config: "));
		return dg_error(err, "%s: %s", where, msg);
	}
	return 0;
}

/* Active channel count of a BN slot under a config, or 0 if unused. */
static int slot_channels(const dnngov_model *m, const struct dnngov_config *c, int slot)
{
	if (slot == DG_SLOT_STEM)
		return m->stem_out;
	if (slot == DG_SLOT_FINAL(m->n_blocks))
		return m->final_expand;
	int bi = (slot - 1) / 3, part = (slot - 1) % 3;
	const struct dg_block *b = &m->blocks[bi];

	if (bi == 0)
		return part == 0 ? 0 : (part == 1 ? b->mid_max : b->out);
	if (b->j >= c->d[b->stage])
		return 0;
	if (part == 2)
		return b->out;
	return dg_make_divisible((double)b->in * c->e[bi - 1], m->divisor);
}

static void config_cost(const dnngov_model *m, const struct dnngov_config *c,
			uint64_t *macs, uint64_t *params)
{
	uint64_t mac = 0, par = 0;
	int h = dg_conv_out(c->r, m->stem_k, m->stem_stride);

	par += (uint64_t)m->stem_out * m->in_channels * m->stem_k * m->stem_k;
	mac += par * (uint64_t)h * h;
	for (int i = 0; i < m->n_blocks; i++) {
		const struct dg_block *b = &m->blocks[i];
		int k = i ? c->ks[i - 1] : b->kmax, mid = b->mid_max;

		if (i) {
			if (b->j >= c->d[b->stage])
				continue;
			mid = dg_make_divisible((double)b->in * c->e[i - 1], m->divisor);
			par += (uint64_t)mid * b->in;
			mac += (uint64_t)mid * b->in * h * h;
		}
		int ho = dg_conv_out(h, k, b->stride);

		par += (uint64_t)mid * k * k + (uint64_t)b->out * mid;
		mac += (uint64_t)mid * k * k * ho * ho + (uint64_t)b->out * mid * ho * ho;
		if (b->se) {
			int se = dg_make_divisible(mid / 4, m->divisor);

			par += 2ull * se * mid + se + mid;
			mac += 2ull * se * mid;
		}
		h = ho;
	}
	uint64_t tail = (uint64_t)m->final_expand * m->st_width[m->n_stages - 1];

	par += tail;
	mac += tail * h * h;
	tail = (uint64_t)m->feature_mix * m->final_expand +
	       (uint64_t)m->n_classes * m->feature_mix;
	par += tail + m->n_classes;
	mac += tail;
	*macs = mac;
	*params = par;
}

static int parse_levels(struct ctx *x, json_object *levels)
{
	dnngov_model *m = x->m;
	size_t n;
	int err;

	if (!json_object_is_type(levels, json_type_array) ||
	    (n = json_object_array_length(levels)) < 1 || n > DG_MAX_LEVELS)
		return FAIL("levels: expected a list of 1..%d levels", DG_MAX_LEVELS);
	m->levels = calloc(n, sizeof(*m->levels));
	if (!m->levels)
		return dg_error(-ENOMEM, "model: out of memory");
	m->n_levels = (int)n;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(levels, i), *v;
		struct dg_level *lv = &m->levels[i];
		struct dnngov_level_info *in = &lv->info;
		char where[40];
		const char *s;

		snprintf(where, sizeof(where), "model: levels[%zu]", i);
		if ((err = parse_config(m, o, where, &in->config)))
			return err;
		if (!json_object_object_get_ex(o, "name", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    !(s = json_object_get_string(v))[0] || strlen(s) >= DNNGOV_LEVEL_NAME_MAX)
			return FAIL("levels[%zu].name: expected a string of 1..%d characters", i,
				    DNNGOV_LEVEL_NAME_MAX - 1);
		strcpy(in->name, s);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(m->levels[j].info.name, s))
				return FAIL("levels[%zu].name: duplicate level name \"%s\"", i, s);
		if (!json_object_object_get_ex(o, "accuracy", &v) || get_number(v, &in->accuracy) ||
		    in->accuracy < 0 || in->accuracy > 100)
			return FAIL("levels[%zu].accuracy: expected top-1 %% in [0, 100]", i);
		in->latency_ms = -1.0;
		if (json_object_object_get_ex(o, "latency_ms", &v) && v &&
		    (get_number(v, &in->latency_ms) || in->latency_ms < 0))
			return FAIL("levels[%zu].latency_ms: expected null or a non-negative number", i);
		config_cost(m, &in->config, &in->macs, &in->params);

		if (!json_object_object_get_ex(o, "bn", &v) || !v)
			continue;
		if (!json_object_is_type(v, json_type_array))
			return FAIL("levels[%zu].bn: expected null or a list of BN prefixes", i);
		lv->bn_mean = calloc((size_t)m->n_slots, sizeof(float *));
		lv->bn_var = calloc((size_t)m->n_slots, sizeof(float *));
		if (!lv->bn_mean || !lv->bn_var)
			return dg_error(-ENOMEM, "model: out of memory");
		in->has_level_bn = 1;
		for (size_t j = 0; j < json_object_array_length(v); j++) {
			json_object *pv = json_object_array_get_idx(v, j);
			char name[320];
			int slot = -1, ch;

			if (!json_object_is_type(pv, json_type_string))
				return FAIL("levels[%zu].bn[%zu]: expected a BN prefix string", i, j);
			s = json_object_get_string(pv);
			for (int t = 0; t < m->n_slots && slot < 0; t++)
				if (m->slot_names[t] && !strcmp(m->slot_names[t], s))
					slot = t;
			if (slot < 0)
				return FAIL("levels[%zu].bn: \"%s\" is not a BN layer of this arch", i, s);
			ch = slot_channels(m, &in->config, slot);
			if (!ch)
				return FAIL("levels[%zu].bn: \"%s\" is in a block this level skips", i, s);
			if (lv->bn_mean[slot])
				return FAIL("levels[%zu].bn: \"%s\" listed twice", i, s);
			snprintf(name, sizeof(name), "levels.%zu.%s.running_mean", i, s);
			if ((err = T1(name, ch, &lv->bn_mean[slot])))
				return err;
			snprintf(name, sizeof(name), "levels.%zu.%s.running_var", i, s);
			if ((err = T1(name, ch, &lv->bn_var[slot])))
				return err;
		}
	}
	return 0;
}

static int parse_classes_norm(dnngov_model *m, json_object *root)
{
	json_object *cls, *norm, *v;

	if (!json_object_object_get_ex(root, "classes", &cls) ||
	    !json_object_is_type(cls, json_type_array) ||
	    json_object_array_length(cls) != (size_t)m->n_classes)
		return FAIL("classes: expected a list of %d class names", m->n_classes);
	m->classes = calloc((size_t)m->n_classes, sizeof(char *));
	if (!m->classes)
		return dg_error(-ENOMEM, "model: out of memory");
	for (int i = 0; i < m->n_classes; i++) {
		v = json_object_array_get_idx(cls, (size_t)i);
		if (!json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) < 1 || json_object_get_string_len(v) > 256)
			return FAIL("classes[%d]: expected a string of 1..256 bytes", i);
		m->classes[i] = json_object_get_string(v);
	}
	if (!json_object_object_get_ex(root, "normalization", &norm) ||
	    !json_object_is_type(norm, json_type_object))
		return FAIL("normalization: expected {\"mean\": [...], \"std\": [...]}");
	for (int k = 0; k < 2; k++) {
		const char *key = k ? "std" : "mean";
		float *dst = k ? m->norm_std : m->norm_mean;

		if (!json_object_object_get_ex(norm, key, &v) ||
		    !json_object_is_type(v, json_type_array) ||
		    json_object_array_length(v) != (size_t)m->in_channels)
			return FAIL("normalization.%s: expected %d numbers (one per input channel)",
				    key, m->in_channels);
		for (int c = 0; c < m->in_channels; c++) {
			double d;

			if (get_number(json_object_array_get_idx(v, (size_t)c), &d) ||
			    (k && !(d > 0)))
				return FAIL("normalization.%s[%d]: expected a finite number%s", key, c,
					    k ? " > 0" : "");
			dst[c] = (float)d;
		}
	}
	return 0;
}

/* -------------------------------------------------------------- header */

int dg_model_parse(dnngov_model *m, int check_crc)
{
	const unsigned char *buf = m->map;
	struct hdr h;
	struct ctx x = { .m = m };
	json_tokener *tok;
	json_object *root, *v;
	int err;

	if (m->size < HEADER_SIZE)
		return FAIL("file is %zu bytes, too short for the %d-byte header", m->size,
			    HEADER_SIZE);
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, MAGIC, sizeof(MAGIC)))
		return FAIL("bad magic: not a dnngov model file (expected \"DNNGOVMF\")");
	if (h.version != 1)
		return FAIL("format version %u, this library reads version 1", h.version);
	if (h.header_size != HEADER_SIZE || h.flags)
		return FAIL("header_size %u / flags %u, expected %d / 0", h.header_size, h.flags,
			    HEADER_SIZE);
	if (h.file_size != m->size)
		return FAIL("header says file_size %llu but the file has %zu bytes (truncated or padded?)",
			    (unsigned long long)h.file_size, m->size);
	if (h.meta_offset != HEADER_SIZE || h.meta_size < 2 || h.meta_size > MAX_META ||
	    h.data_offset % ALIGN || h.data_offset < h.meta_offset + h.meta_size ||
	    h.data_offset > h.file_size || h.data_size != h.file_size - h.data_offset)
		return FAIL("inconsistent layout: meta_offset %llu meta_size %llu data_offset %llu data_size %llu file_size %llu",
			    (unsigned long long)h.meta_offset, (unsigned long long)h.meta_size,
			    (unsigned long long)h.data_offset, (unsigned long long)h.data_size,
			    (unsigned long long)h.file_size);
	if (check_crc) {
		static const unsigned char zero[4];
		uLong crc = crc32_z(0, buf, CRC_OFFSET);

		crc = crc32_z(crc, zero, 4);
		crc = crc32_z(crc, buf + CRC_OFFSET + 4, m->size - CRC_OFFSET - 4);
		if ((uint32_t)crc != h.crc32)
			return FAIL("checksum mismatch (stored %08x, computed %08x): the file is corrupted",
				    h.crc32, (uint32_t)crc);
	}

	tok = json_tokener_new_ex(64);
	if (!tok)
		return dg_error(-ENOMEM, "model: out of memory");
	root = json_tokener_parse_ex(tok, (const char *)buf + h.meta_offset, (int)h.meta_size);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != h.meta_size) {
		err = FAIL("metadata is not one valid JSON object (%s at byte %zu)",
			   json_tokener_error_desc(json_tokener_get_error(tok)),
			   json_tokener_get_parse_end(tok));
		json_object_put(root);
		json_tokener_free(tok);
		return err;
	}
	json_tokener_free(tok);
	m->meta = root;
	if (!json_object_is_type(root, json_type_object))
		return FAIL("metadata: expected a JSON object");
	if (!json_object_object_get_ex(root, "format", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "dnngov-model"))
		return FAIL("metadata.format: expected \"dnngov-model\"");
	if (!json_object_object_get_ex(root, "version", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != 1)
		return FAIL("metadata.version: expected 1");
	if (!json_object_object_get_ex(root, "arch", &v))
		return FAIL("metadata.arch: missing");
	if ((err = parse_arch(m, v)))
		return err;
	if (!json_object_object_get_ex(root, "tensors", &x.tensors) ||
	    !json_object_is_type(x.tensors, json_type_object))
		return FAIL("metadata.tensors: expected an object");
	x.data = buf + h.data_offset;
	x.data_size = h.data_size;
	if ((err = validate_table(&x)) || (err = bind_tensors(&x)))
		return err;
	if (!json_object_object_get_ex(root, "levels", &v))
		return FAIL("metadata.levels: missing");
	if ((err = parse_levels(&x, v)) || (err = parse_classes_norm(m, root)))
		return err;
	if (x.matched != json_object_object_length(x.tensors))
		return FAIL("%d tensors in the table are not part of this arch or its levels",
			    json_object_object_length(x.tensors) - x.matched);
	return dg_model_prepare_supernet_bn(m);
}

void dg_model_free_parsed(dnngov_model *m)
{
	dg_model_free_bn(m);
	if (m->blocks)
		for (int i = 0; i < m->n_blocks; i++)
			for (int k = 1; k < DG_MAX_KS; k++)
				free(m->blocks[i].dwk[k]);
	free(m->blocks);
	if (m->slot_names)
		for (int i = 0; i < m->n_slots; i++)
			free(m->slot_names[i]);
	free(m->slot_names);
	free(m->slot_bn);
	if (m->levels)
		for (int i = 0; i < m->n_levels; i++) {
			free(m->levels[i].bn_mean);
			free(m->levels[i].bn_var);
		}
	free(m->levels);
	free(m->classes);
	json_object_put(m->meta);
	m->meta = NULL;
}

/* ---------------------------------------------------------------- API */

static int model_new(dnngov_model **out, void *map, size_t size)
{
	dnngov_model *m = calloc(1, sizeof(*m));

	if (!m)
		return dg_error(-ENOMEM, "model: out of memory");
	m->map = map;
	m->size = size;
	pthread_mutex_init(&m->lock, NULL);
	*out = m;
	return 0;
}

int dg_model_open_buffer(dnngov_model **out, const void *buf, size_t size, int check_crc)
{
	dnngov_model *m = NULL;
	int err;

	*out = NULL;
	if ((err = model_new(&m, (void *)buf, size)))
		return err;
	if ((err = dg_model_parse(m, check_crc))) {
		dg_model_free_parsed(m);
		pthread_mutex_destroy(&m->lock);
		free(m);
		return err;
	}
	*out = m;
	return 0;
}

int dnngov_model_open(dnngov_model **out, const char *path)
{
	struct stat st;
	void *map;
	int fd, err;
	char msg[512];

	if (!out || !path)
		return dg_error(-EINVAL, "dnngov_model_open: out and path must not be NULL");
	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dg_error(-errno, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return dg_error(-EINVAL, "%s: not a regular file", path);
	}
	if (st.st_size < HEADER_SIZE) {
		close(fd);
		return dg_error(-EINVAL, "%s: model: file is %lld bytes, too short for the %d-byte header",
				path, (long long)st.st_size, HEADER_SIZE);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	err = errno;
	close(fd);
	if (map == MAP_FAILED)
		return dg_error(-err, "%s: mmap failed: %s", path, strerror(err));
	err = dg_model_open_buffer(out, map, (size_t)st.st_size, 1);
	if (err) {
		snprintf(msg, sizeof(msg), "%s", dnngov_errmsg());
		munmap(map, (size_t)st.st_size);
		return dg_error(err, "%s: %s", path, msg);
	}
	/*
	 * The checksum read every page. Drop them from this process (they stay
	 * in the page cache) so that only the weights the levels use stay
	 * resident. The mapping is private and never written: nothing is lost.
	 */
	madvise(map, (size_t)st.st_size, MADV_DONTNEED);
	(*out)->file_mapped = 1;
	return 0;
}

void dnngov_model_close(dnngov_model *m)
{
	void *map;
	size_t size;

	if (!m)
		return;
	map = m->map;
	size = m->size;
	dg_model_free_parsed(m);
	pthread_mutex_destroy(&m->lock);
	free(m);
	munmap(map, size);
}

/* Only for models from dg_model_open_buffer (the fuzzer): no munmap. */
void dg_model_close_buffer(dnngov_model *m);
void dg_model_close_buffer(dnngov_model *m)
{
	if (!m)
		return;
	dg_model_free_parsed(m);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

size_t dnngov_model_derived_bytes(dnngov_model *m)
{
	size_t n;

	if (!m)
		return 0;
	pthread_mutex_lock(&m->lock);
	n = m->derived_bytes;
	pthread_mutex_unlock(&m->lock);
	return n;
}

int dnngov_model_level_count(const dnngov_model *m)
{
	return m ? m->n_levels : -EINVAL;
}

int dnngov_model_level_info(const dnngov_model *m, int level, struct dnngov_level_info *info)
{
	if (!m || !info)
		return dg_error(-EINVAL, "dnngov_model_level_info: model and info must not be NULL");
	if (level < 0 || level >= m->n_levels)
		return dg_error(-ERANGE, "level %d does not exist: the model has levels 0..%d", level,
				m->n_levels - 1);
	*info = m->levels[level].info;
	return 0;
}

int dnngov_model_class_count(const dnngov_model *m)
{
	return m ? m->n_classes : -EINVAL;
}

const char *dnngov_model_class_name(const dnngov_model *m, int idx)
{
	return m && idx >= 0 && idx < m->n_classes ? m->classes[idx] : NULL;
}

int dnngov_model_in_channels(const dnngov_model *m)
{
	return m ? m->in_channels : -EINVAL;
}

int dnngov_config_parse(const dnngov_model *m, const char *json, struct dnngov_config *cfg)
{
	json_tokener *tok;
	json_object *o;
	int err;

	if (!m || !json || !cfg)
		return dg_error(-EINVAL, "dnngov_config_parse: arguments must not be NULL");
	tok = json_tokener_new_ex(16);
	if (!tok)
		return dg_error(-ENOMEM, "config: out of memory");
	o = json_tokener_parse_ex(tok, json, (int)strlen(json));
	if (!o || json_tokener_get_error(tok) != json_tokener_success) {
		err = dg_error(-EINVAL, "config: not valid JSON (%s); expected {\"ks\": [...], \"e\": [...], \"d\": [...], \"r\": N}",
			       json_tokener_error_desc(json_tokener_get_error(tok)));
		json_object_put(o);
		json_tokener_free(tok);
		return err;
	}
	json_tokener_free(tok);
	err = parse_config(m, o, "config", cfg);
	json_object_put(o);
	return err;
}
