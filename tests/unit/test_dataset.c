// SPDX-License-Identifier: MIT
/* Replay datasets: IDX (.gz) with labels, PGM/PPM folders, bad files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "dataset.h"

static char dir[64];

static void path(char *out, const char *name)
{
	snprintf(out, 256, "%s/%s", dir, name);
}

static int setup(void **state)
{
	char p[256];
	gzFile g;
	FILE *f;
	/* 3 images of 2x4 (rows x cols) and 3 labels */
	static const uint8_t ih[] = { 0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4 };
	static const uint8_t lh[] = { 0, 0, 8, 1, 0, 0, 0, 3 };
	uint8_t px[24], lb[3] = { 9, 0, 4 };

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/dnngov-ds-XXXXXX");
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 24; i++)
		px[i] = (uint8_t)(i * 10);
	path(p, "img.idx.gz");
	g = gzopen(p, "wb");
	gzwrite(g, ih, sizeof(ih));
	gzwrite(g, px, sizeof(px));
	gzclose(g);
	path(p, "lab.idx");	/* plain, not compressed */
	f = fopen(p, "wb");
	fwrite(lh, 1, sizeof(lh), f);
	fwrite(lb, 1, 3, f);
	fclose(f);
	path(p, "short.idx");
	f = fopen(p, "wb");
	fwrite(ih, 1, sizeof(ih), f);
	fwrite(px, 1, 10, f);
	fclose(f);
	path(p, "pics");
	mkdir(p, 0700);
	path(p, "pics/a.pgm");
	f = fopen(p, "wb");
	fprintf(f, "P5\n# comment\n3 2\n255\n");
	fwrite(px, 1, 6, f);
	fclose(f);
	path(p, "pics/b.ppm");
	f = fopen(p, "wb");
	fprintf(f, "P6 2 2 15\n");
	for (int i = 0; i < 12; i++)
		fputc(15, f);
	fclose(f);
	path(p, "pics/notes.txt");
	f = fopen(p, "wb");
	fputs("ignored\n", f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_idx(void **state)
{
	struct dnngov_dataset *ds;
	struct dnngov_image im;
	char p[256], l[256], err[256];

	(void)state;
	path(p, "img.idx.gz");
	path(l, "lab.idx");
	assert_int_equal(dnngov_dataset_load(p, l, 0, &ds, err, sizeof(err)), 0);
	assert_int_equal(dnngov_dataset_count(ds), 3);
	dnngov_dataset_get(ds, 2, &im);
	assert_int_equal(im.width, 4);
	assert_int_equal(im.height, 2);
	assert_int_equal(im.channels, 1);
	assert_int_equal(im.label, 4);
	assert_int_equal(im.pixels[0], 160);
	dnngov_dataset_free(ds);

	assert_int_equal(dnngov_dataset_load(p, NULL, 2, &ds, err, sizeof(err)), 0);
	assert_int_equal(dnngov_dataset_count(ds), 2);
	dnngov_dataset_get(ds, 0, &im);
	assert_int_equal(im.label, -1);
	dnngov_dataset_free(ds);
}

static void test_folder(void **state)
{
	struct dnngov_dataset *ds;
	struct dnngov_image im;
	char p[256], err[256];

	(void)state;
	path(p, "pics");
	assert_int_equal(dnngov_dataset_load(p, NULL, 0, &ds, err, sizeof(err)), 0);
	assert_int_equal(dnngov_dataset_count(ds), 2);
	dnngov_dataset_get(ds, 0, &im);
	assert_int_equal(im.width, 3);
	assert_int_equal(im.height, 2);
	assert_int_equal(im.channels, 1);
	assert_int_equal(im.pixels[5], 50);
	dnngov_dataset_get(ds, 1, &im);
	assert_int_equal(im.channels, 3);
	assert_int_equal(im.pixels[11], 255);	/* maxval 15 scaled to 255 */
	dnngov_dataset_free(ds);
}

static void test_errors(void **state)
{
	struct dnngov_dataset *ds;
	char p[256], l[256], err[256];

	(void)state;
	path(p, "short.idx");
	assert_int_equal(dnngov_dataset_load(p, NULL, 0, &ds, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "truncated"));
	assert_null(ds);
	path(p, "lab.idx");	/* labels given as images */
	assert_int_equal(dnngov_dataset_load(p, NULL, 0, &ds, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "1 dimensions, expected 3"));
	path(p, "pics/notes.txt");
	assert_int_equal(dnngov_dataset_load(p, NULL, 0, &ds, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bad magic"));
	path(p, "img.idx.gz");
	path(l, "img.idx.gz");	/* images given as labels */
	assert_int_equal(dnngov_dataset_load(p, l, 0, &ds, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "expected 1"));
	path(p, "missing");
	assert_true(dnngov_dataset_load(p, NULL, 0, &ds, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "missing"));
}

static void test_fashion_mnist(void **state)
{
	const char *img = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
	const char *lab = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
	struct dnngov_dataset *ds;
	struct dnngov_image im;
	char err[256];

	(void)state;
	if (access(img, R_OK) || access(lab, R_OK))
		skip();
	assert_int_equal(dnngov_dataset_load(img, lab, 0, &ds, err, sizeof(err)), 0);
	assert_int_equal(dnngov_dataset_count(ds), 10000);
	dnngov_dataset_get(ds, 0, &im);
	assert_int_equal(im.width, 28);
	assert_int_equal(im.height, 28);
	assert_int_equal(im.label, 9);	/* the first test image is an ankle boot */
	dnngov_dataset_free(ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idx),
		cmocka_unit_test(test_folder),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_fashion_mnist),
	};

	return cmocka_run_group_tests_name("dataset", tests, setup, teardown);
}
