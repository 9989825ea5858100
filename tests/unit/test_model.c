// SPDX-License-Identifier: MIT
/*
 * Model file parser: a valid file, then truncated, corrupted and mismatched
 * ones. Each bad file must fail with a message naming what is wrong, and
 * never crash. Corruptions that should get past the checksum recompute it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include <dnngov/dnngov.h>

static unsigned char *orig;
static size_t orig_size;
static char path[256];

static const char *testdata(const char *name)
{
	static char buf[512];
	const char *dir = getenv("DNNGOV_TESTDATA");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "build/engine/testdata", name);
	return buf;
}

static int setup(void **state)
{
	FILE *f = fopen(testdata("tiny.dnngov"), "rb");

	(void)state;
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	orig_size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	orig = malloc(orig_size);
	if (fread(orig, 1, orig_size, f) != orig_size)
		return -1;
	fclose(f);
	snprintf(path, sizeof(path), "/tmp/dnngov-test-model-%d.dnngov", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(orig);
	unlink(path);
	return 0;
}

static void fix_crc(unsigned char *b, size_t n)
{
	static const unsigned char zero[4];
	uLong crc = crc32(0, b, 56);
	uint32_t c;

	crc = crc32(crc, zero, 4);
	crc = crc32_z(crc, b + 60, n - 60);
	c = (uint32_t)crc;
	memcpy(b + 56, &c, 4);
}

/* Write b and open it; return the error and keep the message. */
static int try_open(const unsigned char *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	dnngov_model *m = NULL;
	int err;

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
	err = dnngov_model_open(&m, path);
	if (!err) {
		assert_non_null(m);
		dnngov_model_close(m);
	} else {
		assert_null(m);
	}
	return err;
}

static void expect_error(const unsigned char *b, size_t n, const char *needle)
{
	int err = try_open(b, n);

	if (err == 0)
		fail_msg("expected an error containing \"%s\", the file was accepted", needle);
	assert_int_equal(err, -EINVAL);
	if (!strstr(dnngov_errmsg(), needle))
		fail_msg("message \"%s\" does not mention \"%s\"", dnngov_errmsg(), needle);
}

/* Same-length edit of the JSON metadata, checksum recomputed. */
static void expect_json_error(const char *from, const char *to, const char *needle)
{
	unsigned char *b = malloc(orig_size);
	uint64_t msize;
	char *hit;

	assert_int_equal(strlen(from), strlen(to));
	memcpy(b, orig, orig_size);
	memcpy(&msize, b + 32, 8);
	hit = memmem(b + 64, msize, from, strlen(from));
	if (!hit)
		fail_msg("test bug: \"%s\" not in the metadata", from);
	memcpy(hit, to, strlen(to));
	fix_crc(b, orig_size);
	expect_error(b, orig_size, needle);
	free(b);
}

static void test_valid(void **state)
{
	dnngov_model *m;
	struct dnngov_level_info li;

	(void)state;
	assert_int_equal(try_open(orig, orig_size), 0);
	assert_int_equal(dnngov_model_open(&m, testdata("tiny.dnngov")), 0);
	assert_int_equal(dnngov_model_level_count(m), 4);
	assert_int_equal(dnngov_model_class_count(m), 10);
	assert_int_equal(dnngov_model_in_channels(m), 1);
	assert_string_equal(dnngov_model_class_name(m, 3), "class3");
	assert_null(dnngov_model_class_name(m, 10));
	assert_int_equal(dnngov_model_level_info(m, 0, &li), 0);
	assert_string_equal(li.name, "L1");
	assert_int_equal(li.config.n_blocks, 9);
	assert_int_equal(li.config.n_stages, 3);
	assert_true(li.macs > 1000000 && li.params > 10000);
	assert_true(li.latency_ms < 0);
	assert_int_equal(dnngov_model_level_info(m, 4, &li), -ERANGE);
	assert_non_null(strstr(dnngov_errmsg(), "levels 0..3"));
	dnngov_model_close(m);
}

static void test_missing_file(void **state)
{
	dnngov_model *m = (dnngov_model *)1;

	(void)state;
	assert_int_equal(dnngov_model_open(&m, "/nonexistent/x.dnngov"), -ENOENT);
	assert_null(m);
	assert_non_null(strstr(dnngov_errmsg(), "/nonexistent/x.dnngov"));
}

static void test_truncated(void **state)
{
	size_t cuts[] = { 0, 1, 10, 63, 64, 100, 4096, orig_size / 2, orig_size - 1 };

	(void)state;
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		assert_int_not_equal(try_open(orig, cuts[i]), 0);
		if (!strstr(dnngov_errmsg(), "too short") && !strstr(dnngov_errmsg(), "truncated"))
			fail_msg("cut at %zu: \"%s\"", cuts[i], dnngov_errmsg());
	}
}

static void test_header(void **state)
{
	unsigned char *b = malloc(orig_size + 64);
	uint32_t v = 2;
	uint64_t big;

	(void)state;
	memcpy(b, orig, orig_size);
	b[0] = 'X';
	expect_error(b, orig_size, "bad magic");

	memcpy(b, orig, orig_size);
	b[orig_size - 5] ^= 0x40;
	expect_error(b, orig_size, "checksum");

	memcpy(b, orig, orig_size);
	memcpy(b + 8, &v, 4);
	fix_crc(b, orig_size);
	expect_error(b, orig_size, "version 2");

	memcpy(b, orig, orig_size);
	memset(b + orig_size, 0, 64);
	expect_error(b, orig_size + 64, "truncated or padded");

	memcpy(b, orig, orig_size);
	big = 1ull << 40;
	memcpy(b + 32, &big, 8);	/* meta_size */
	fix_crc(b, orig_size);
	expect_error(b, orig_size, "inconsistent layout");

	memcpy(b, orig, orig_size);
	big = 65;
	memcpy(b + 40, &big, 8);	/* data_offset not aligned */
	fix_crc(b, orig_size);
	expect_error(b, orig_size, "inconsistent layout");
	free(b);
}

static void test_metadata(void **state)
{
	(void)state;
	expect_json_error("{\"format\"", "[\"format\"", "not one valid JSON");
	expect_json_error("\"dnngov-model\"", "\"dnngov-mode1\"", "metadata.format");
	expect_json_error("\"family\":\"ofa_mbv3\"", "\"family\":\"ofa_mbv4\"", "arch.family");
	expect_json_error("\"ks_list\":[3,5,7]", "\"ks_list\":[3,5,8]", "must be odd");
	expect_json_error("\"ks_list\":[3,5,7]", "\"ks_list\":[3,5,5]", "duplicate");
	expect_json_error("\"in_channels\":1", "\"in_channels\":3", "first_conv.conv.weight");
	expect_json_error("\"stride\":2,\"act\":\"relu\"", "\"stride\":3,\"act\":\"relu\"",
			  "out of range");
	expect_json_error("\"act\":\"relu\"", "\"act\":\"gelu\"", "\"gelu\" is not one of");
	expect_json_error("\"n_classes\":10", "\"n_classes\":11", "classifier.linear.weight");
	expect_json_error("\"channel_divisible\":8", "\"channel_divisible\":0",
			  "channel_divisible");
	expect_json_error("\"final_expand\":96", "\"final_expand\":95", "final_expand_layer");
	expect_json_error("\"dtype\":\"F32\"", "\"dtype\":\"F16\"", "dtype");
	expect_json_error("\"shape\":[8,1,3,3]", "\"shape\":[8,1,3,2]", "nbytes");
	expect_json_error("\"offset\":0,", "\"offset\":1,", "multiple of 64");
	expect_json_error("\"normalization\":{\"mean\"", "\"normalization\":{\"mea_\"",
			  "normalization.mean");
	expect_json_error("\"class9\"", "\"\"      ", "classes[9]");
	expect_json_error("\"name\":\"L2\"", "\"name\":\"L1\"", "duplicate level name");
	expect_json_error("\"accuracy\":50.0", "\"accuracy\":500.", "accuracy");
	expect_json_error("\"levels\":[{", "\"levels\":[[", "not one valid JSON");
}

/* Overlapping tensors, and a tensor table that does not fit the data. */
static void test_tensor_bounds(void **state)
{
	(void)state;
	/* first_conv.bn.weight moved into first_conv.conv.weight's bytes */
	expect_json_error("\"offset\":320,\"nbytes\":32}", "\"offset\":256,\"nbytes\":32}",
			  "overlap");
	expect_json_error("\"shape\":[8,1,3,3]", "\"shape\":[8,1,3,9]", "nbytes");
	expect_json_error("\"shape\":[8,1,3,3]", "\"shape\":[8,1,3,0]", "shape[3]");
}

/* Random byte flips with a good checksum: errors or success, never a crash. */
static void test_random_corruption(void **state)
{
	unsigned char *b = malloc(orig_size);
	unsigned s = 7;
	uint64_t msize;
	int rejected = 0;

	(void)state;
	memcpy(&msize, orig + 32, 8);
	for (int i = 0; i < 300; i++) {
		memcpy(b, orig, orig_size);
		for (int k = 0; k < 1 + i % 4; k++) {
			s = s * 1103515245u + 12345u;
			size_t pos = 64 + (s >> 4) % msize;	/* inside the JSON */

			b[pos] = (unsigned char)(s >> 20);
		}
		fix_crc(b, orig_size);
		if (try_open(b, orig_size)) {
			rejected++;
			assert_true(strlen(dnngov_errmsg()) > 10);
		}
	}
	assert_true(rejected > 150);
	free(b);
}

static void test_level_bn_model(void **state)
{
	dnngov_model *m;
	struct dnngov_level_info li;

	(void)state;
	assert_int_equal(dnngov_model_open(&m, testdata("tiny-bn.dnngov")), 0);
	assert_int_equal(dnngov_model_level_info(m, 0, &li), 0);
	assert_true(li.has_level_bn);
	dnngov_model_close(m);
}

static void test_config_parse(void **state)
{
	dnngov_model *m;
	struct dnngov_config c;

	(void)state;
	assert_int_equal(dnngov_model_open(&m, testdata("tiny.dnngov")), 0);
	assert_int_equal(dnngov_config_parse(m, "{\"ks\":[3,5,7,3,5,7,3,5,7],\"e\":[3,4,6,3,4,6,3,4,6],"
					      "\"d\":[2,3,2],\"r\":[40]}", &c), 0);
	assert_int_equal(c.r, 40);
	assert_int_equal(c.ks[2], 7);
	assert_int_equal(c.d[1], 3);
	assert_int_equal(dnngov_config_parse(m, "{\"ks\":[3,5,7,3,5,7,3,5,9],\"e\":[3,4,6,3,4,6,3,4,6],"
					      "\"d\":[2,3,2],\"r\":40}", &c), -EINVAL);
	assert_non_null(strstr(dnngov_errmsg(), "ks[8] = 9"));
	assert_int_equal(dnngov_config_parse(m, "{\"ks\":[3,5,7],\"e\":[3,4,6,3,4,6,3,4,6],"
					      "\"d\":[2,3,2],\"r\":40}", &c), -EINVAL);
	assert_non_null(strstr(dnngov_errmsg(), "9 integers"));
	assert_int_equal(dnngov_config_parse(m, "{\"ks\":[3,5,7,3,5,7,3,5,7],\"e\":[3,4,6,3,4,6,3,4,6],"
					      "\"d\":[2,4,2],\"r\":40}", &c), -EINVAL);
	assert_non_null(strstr(dnngov_errmsg(), "depth_list"));
	assert_int_equal(dnngov_config_parse(m, "{\"ks\":[3,5,7,3,5,7,3,5,7],\"e\":[3,4,6,3,4,6,3,4,6],"
					      "\"d\":[2,3,2],\"r\":4}", &c), -EINVAL);
	assert_non_null(strstr(dnngov_errmsg(), "r"));
	assert_int_equal(dnngov_config_parse(m, "{\"ks\":", &c), -EINVAL);
	assert_non_null(strstr(dnngov_errmsg(), "not valid JSON"));
	dnngov_model_close(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_tensor_bounds),
		cmocka_unit_test(test_random_corruption),
		cmocka_unit_test(test_level_bn_model),
		cmocka_unit_test(test_config_parse),
	};

	return cmocka_run_group_tests_name("model", tests, setup, teardown);
}
