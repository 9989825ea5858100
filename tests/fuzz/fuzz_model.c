// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the model file parser, then a plan for every level
 * (plans exercise the level configs, per-level BN and kernel transforms).
 * The checksum is not checked so that mutations reach the parser behind it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void dg_model_close_buffer(dnngov_model *m);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dnngov_model *m;
	void *copy;

	/* mmap'ed files are page aligned; give the parser an aligned copy */
	copy = aligned_alloc(4096, (size + 4095) / 4096 * 4096);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (dg_model_open_buffer(&m, copy, size, 0) == 0) {
		for (int i = 0; i < m->n_levels; i++) {
			struct dg_plan *p;

			if (dg_plan_build(m, &m->levels[i].info.config, &m->levels[i], &p) == 0)
				dg_plan_free(p);
		}
		dg_model_close_buffer(m);
	}
	free(copy);
	return 0;
}
