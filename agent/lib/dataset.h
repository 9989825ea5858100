/* SPDX-License-Identifier: MIT */
/*
 * dnngov agent: datasets dnngovd replays for demos and benchmarks.
 *   IDX files (MNIST/Fashion-MNIST layout, plain or .gz) with optional IDX
 *   labels; or a folder of binary PGM (P5) / PPM (P6) images, maxval <= 255.
 */
#ifndef DNNGOV_AGENT_DATASET_H
#define DNNGOV_AGENT_DATASET_H

#include <stdint.h>

#define DNNGOV_DATASET_MAX_BYTES	(512u << 20)	/* pixels held in memory */

struct dnngov_image {
	const uint8_t *pixels;	/* height x width x channels */
	uint32_t width;
	uint32_t height;
	uint32_t channels;
	int label;		/* -1 if unknown */
};

struct dnngov_dataset;

/*
 * dnngov_dataset_load() - read a whole dataset into memory
 * @path: IDX images file (.gz or not) or a folder of .pgm/.ppm files
 * @labels: IDX labels file or NULL/""
 * @limit: at most this many images (0 = all)
 * @out: the dataset
 * @err: why it failed, naming the file
 * Return: 0 or -errno.
 */
int dnngov_dataset_load(const char *path, const char *labels, uint32_t limit,
			struct dnngov_dataset **out, char *err,
			unsigned int err_len);
void dnngov_dataset_free(struct dnngov_dataset *ds);
uint32_t dnngov_dataset_count(const struct dnngov_dataset *ds);
/* Image @i (0 <= i < count). */
void dnngov_dataset_get(const struct dnngov_dataset *ds, uint32_t i,
			struct dnngov_image *img);

#endif /* DNNGOV_AGENT_DATASET_H */
