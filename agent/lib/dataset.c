// SPDX-License-Identifier: MIT
/* dnngov agent: IDX(.gz) and PGM/PPM folder datasets (dataset.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include "dataset.h"

struct entry {
	size_t off;
	uint32_t w, h, c;
	int label;
};

struct dnngov_dataset {
	uint8_t *data;
	size_t size;
	uint32_t n;
	struct entry *e;
};

#define ERR(code, ...) (snprintf(err, err_len, __VA_ARGS__), (code))

static int gz_read(gzFile f, void *buf, size_t n)
{
	while (n) {
		unsigned int chunk = n > (1u << 30) ? (1u << 30) : (unsigned int)n;
		int r = gzread(f, buf, chunk);

		if (r <= 0)
			return -1;
		buf = (char *)buf + r;
		n -= (size_t)r;
	}
	return 0;
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

/* IDX header: 0 0 type ndim, then ndim big-endian u32 sizes. */
static int idx_open(const char *path, uint8_t want_dims, uint32_t *dims,
		    gzFile *out, char *err, unsigned int err_len)
{
	uint8_t h[4], d[12];
	gzFile f = gzopen(path, "rb");	/* reads plain files too */
	uint32_t i;

	if (!f)
		return ERR(-ENOENT, "%s: cannot open: %s", path, strerror(errno));
	if (gz_read(f, h, 4) || h[0] || h[1]) {
		gzclose(f);
		return ERR(-EINVAL, "%s: not an IDX file (bad magic)", path);
	}
	if (h[2] != 0x08) {
		gzclose(f);
		return ERR(-EINVAL, "%s: IDX element type 0x%02x: only unsigned bytes (0x08) are supported",
			   path, h[2]);
	}
	if (h[3] != want_dims) {
		gzclose(f);
		return ERR(-EINVAL, "%s: IDX with %u dimensions, expected %u (%s)",
			   path, h[3], want_dims,
			   want_dims == 3 ? "images: count x rows x cols" : "labels: count");
	}
	if (gz_read(f, d, 4u * want_dims)) {
		gzclose(f);
		return ERR(-EINVAL, "%s: truncated IDX header", path);
	}
	for (i = 0; i < want_dims; i++)
		dims[i] = be32(d + 4 * i);
	*out = f;
	return 0;
}

static int load_idx(struct dnngov_dataset *ds, const char *path,
		    const char *labels, uint32_t limit, char *err,
		    unsigned int err_len)
{
	uint32_t dims[3], ld[1], i;
	gzFile f, lf;
	size_t per;
	int r;

	r = idx_open(path, 3, dims, &f, err, err_len);
	if (r)
		return r;
	if (!dims[0] || !dims[1] || !dims[2] || dims[1] > 4096 || dims[2] > 4096) {
		gzclose(f);
		return ERR(-EINVAL, "%s: bad image dimensions %ux%ux%u", path,
			   dims[0], dims[1], dims[2]);
	}
	ds->n = limit && limit < dims[0] ? limit : dims[0];
	per = (size_t)dims[1] * dims[2];
	if ((uint64_t)per * ds->n > DNNGOV_DATASET_MAX_BYTES) {
		gzclose(f);
		return ERR(-EFBIG, "%s: %u images of %zu bytes are over the %u MiB limit; set replay_limit",
			   path, ds->n, per, DNNGOV_DATASET_MAX_BYTES >> 20);
	}
	ds->size = per * ds->n;
	ds->data = malloc(ds->size);
	ds->e = calloc(ds->n, sizeof(*ds->e));
	if (!ds->data || !ds->e) {
		gzclose(f);
		return ERR(-ENOMEM, "%s: out of memory", path);
	}
	if (gz_read(f, ds->data, ds->size)) {
		gzclose(f);
		return ERR(-EINVAL, "%s: truncated: expected %u images of %ux%u",
			   path, ds->n, dims[2], dims[1]);
	}
	gzclose(f);
	for (i = 0; i < ds->n; i++) {
		ds->e[i].off = per * i;
		ds->e[i].w = dims[2];
		ds->e[i].h = dims[1];
		ds->e[i].c = 1;
		ds->e[i].label = -1;
	}
	if (!labels || !labels[0])
		return 0;
	r = idx_open(labels, 1, ld, &lf, err, err_len);
	if (r)
		return r;
	if (ld[0] < ds->n) {
		gzclose(lf);
		return ERR(-EINVAL, "%s: %u labels for %u images", labels, ld[0], ds->n);
	}
	for (i = 0; i < ds->n; i++) {
		uint8_t b;

		if (gz_read(lf, &b, 1)) {
			gzclose(lf);
			return ERR(-EINVAL, "%s: truncated", labels);
		}
		ds->e[i].label = b;
	}
	gzclose(lf);
	return 0;
}

/* Next header token of a PNM file, skipping comments. */
static int pnm_num(FILE *f, uint32_t *v)
{
	int c;
	unsigned long x = 0;
	int digits = 0;

	do {
		c = fgetc(f);
		if (c == '#')
			while (c != '\n' && c != EOF)
				c = fgetc(f);
	} while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
	while (c >= '0' && c <= '9' && digits < 9) {
		x = x * 10 + (unsigned long)(c - '0');
		digits++;
		c = fgetc(f);
	}
	if (!digits)
		return -1;
	*v = (uint32_t)x;
	return 0;	/* c (one whitespace) consumed */
}

static int load_pnm(struct dnngov_dataset *ds, const char *path, char *err,
		    unsigned int err_len)
{
	uint32_t w, h, maxval, ch;
	char magic[3] = { 0 };
	struct entry *e;
	size_t n;
	uint8_t *d;
	FILE *f = fopen(path, "rb");

	if (!f)
		return ERR(-ENOENT, "%s: cannot open: %s", path, strerror(errno));
	if (fread(magic, 1, 2, f) != 2 || magic[0] != 'P' ||
	    (magic[1] != '5' && magic[1] != '6')) {
		fclose(f);
		return ERR(-EINVAL, "%s: not a binary PGM (P5) or PPM (P6) file", path);
	}
	ch = magic[1] == '5' ? 1 : 3;
	if (pnm_num(f, &w) || pnm_num(f, &h) || pnm_num(f, &maxval) ||
	    !w || !h || w > 4096 || h > 4096) {
		fclose(f);
		return ERR(-EINVAL, "%s: bad PNM header", path);
	}
	if (maxval > 255 || !maxval) {
		fclose(f);
		return ERR(-EINVAL, "%s: maxval %u: only 8-bit images (maxval <= 255)", path, maxval);
	}
	n = (size_t)w * h * ch;
	if (ds->size + n > DNNGOV_DATASET_MAX_BYTES) {
		fclose(f);
		return ERR(-EFBIG, "%s: the folder is over the %u MiB limit; set replay_limit",
			   path, DNNGOV_DATASET_MAX_BYTES >> 20);
	}
	d = realloc(ds->data, ds->size + n);
	e = realloc(ds->e, (ds->n + 1) * sizeof(*e));
	if (d)
		ds->data = d;
	if (e)
		ds->e = e;
	if (!d || !e) {
		fclose(f);
		return ERR(-ENOMEM, "%s: out of memory", path);
	}
	if (fread(ds->data + ds->size, 1, n, f) != n) {
		fclose(f);
		return ERR(-EINVAL, "%s: truncated pixel data", path);
	}
	fclose(f);
	if (maxval != 255)
		for (size_t i = 0; i < n; i++)
			ds->data[ds->size + i] =
				(uint8_t)(ds->data[ds->size + i] * 255u / maxval);
	ds->e[ds->n] = (struct entry){ .off = ds->size, .w = w, .h = h,
				       .c = ch, .label = -1 };
	ds->size += n;
	ds->n++;
	return 0;
}

static int pnm_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && (!strcmp(d->d_name + n - 4, ".pgm") ||
			 !strcmp(d->d_name + n - 4, ".ppm"));
}

static int load_dir(struct dnngov_dataset *ds, const char *path,
		    uint32_t limit, char *err, unsigned int err_len)
{
	struct dirent **ents;
	int n, i, r = 0;

	n = scandir(path, &ents, pnm_filter, alphasort);
	if (n < 0)
		return ERR(-errno, "%s: cannot read the folder: %s", path, strerror(errno));
	for (i = 0; i < n; i++) {
		char file[4096];

		if (!r && (!limit || ds->n < limit)) {
			snprintf(file, sizeof(file), "%s/%s", path, ents[i]->d_name);
			r = load_pnm(ds, file, err, err_len);
		}
		free(ents[i]);
	}
	free(ents);
	if (!r && !ds->n)
		return ERR(-ENOENT, "%s: no .pgm or .ppm images in the folder", path);
	return r;
}

int dnngov_dataset_load(const char *path, const char *labels, uint32_t limit,
			struct dnngov_dataset **out, char *err,
			unsigned int err_len)
{
	struct dnngov_dataset *ds = calloc(1, sizeof(*ds));
	struct stat st;
	int r;

	*out = NULL;
	if (!ds)
		return ERR(-ENOMEM, "out of memory");
	if (stat(path, &st)) {
		r = ERR(-errno, "%s: %s", path, strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		r = labels && labels[0] ?
			ERR(-EINVAL, "%s: labels are only read for IDX datasets", labels) :
			load_dir(ds, path, limit, err, err_len);
	} else {
		r = load_idx(ds, path, labels, limit, err, err_len);
	}
	if (r) {
		dnngov_dataset_free(ds);
		return r;
	}
	*out = ds;
	return 0;
}

void dnngov_dataset_free(struct dnngov_dataset *ds)
{
	if (!ds)
		return;
	free(ds->data);
	free(ds->e);
	free(ds);
}

uint32_t dnngov_dataset_count(const struct dnngov_dataset *ds)
{
	return ds->n;
}

void dnngov_dataset_get(const struct dnngov_dataset *ds, uint32_t i,
			struct dnngov_image *img)
{
	const struct entry *e = &ds->e[i];

	img->pixels = ds->data + e->off;
	img->width = e->w;
	img->height = e->h;
	img->channels = e->c;
	img->label = e->label;
}
