// SPDX-License-Identifier: MIT
/* dnngovd socket protocol: encode/decode round trips and refusals. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol.h"

static void test_header(void **state)
{
	uint8_t b[PROTO_HDR_LEN];
	struct proto_hdr h;
	char why[256];

	(void)state;
	proto_hdr_encode(b, PROTO_CONTROL, 77, 123);
	/* little-endian on the wire whatever the host */
	assert_memory_equal(b, "DNGV", 4);
	assert_int_equal(b[8], 77);
	assert_int_equal(proto_hdr_decode(b, &h, why, sizeof(why)), 0);
	assert_int_equal(h.type, PROTO_CONTROL);
	assert_int_equal(h.id, 77);
	assert_int_equal(h.length, 123);

	b[0] = 'X';
	assert_int_equal(proto_hdr_decode(b, &h, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "bad magic"));
	proto_hdr_encode(b, PROTO_CONTROL, 1, 1);
	b[4] = 9;
	assert_int_equal(proto_hdr_decode(b, &h, why, sizeof(why)), -EPROTONOSUPPORT);
	assert_non_null(strstr(why, "version 9"));
	proto_hdr_encode(b, 42, 1, 1);
	assert_int_equal(proto_hdr_decode(b, &h, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "unknown frame type 42"));
	/* oversized requests are refused from the header alone */
	proto_hdr_encode(b, PROTO_INFER, 1, PROTO_INFER_FIXED + PROTO_MAX_PIXELS + 1);
	assert_int_equal(proto_hdr_decode(b, &h, why, sizeof(why)), -EMSGSIZE);
	assert_non_null(strstr(why, "too large"));
	proto_hdr_encode(b, PROTO_CONTROL, 1, PROTO_MAX_CONTROL + 1);
	assert_int_equal(proto_hdr_decode(b, &h, why, sizeof(why)), -EMSGSIZE);
	proto_hdr_encode(b, PROTO_INFER, 1, 0xffffffffu);
	assert_int_equal(proto_hdr_decode(b, &h, why, sizeof(why)), -EMSGSIZE);
}

static void test_infer_roundtrip(void **state)
{
	uint8_t pix[28 * 28], buf[PROTO_INFER_FIXED + sizeof(pix)];
	struct proto_infer in;
	char why[256];
	long n;

	(void)state;
	for (size_t i = 0; i < sizeof(pix); i++)
		pix[i] = (uint8_t)i;
	n = proto_infer_encode(buf, sizeof(buf), "cam0", 28, 28, 1, 5, pix,
			       why, sizeof(why));
	assert_int_equal(n, sizeof(buf));
	assert_int_equal(proto_infer_decode(buf, (uint32_t)n, &in, why, sizeof(why)), 0);
	assert_string_equal(in.name, "cam0");
	assert_int_equal(in.width, 28);
	assert_int_equal(in.height, 28);
	assert_int_equal(in.channels, 1);
	assert_int_equal(in.top_k, 5);
	assert_memory_equal(in.pixels, pix, sizeof(pix));

	/* length must match the dimensions exactly */
	assert_int_equal(proto_infer_decode(buf, (uint32_t)n - 1, &in, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "needs 784 bytes of pixels, the frame has 783"));
	assert_int_equal(proto_infer_decode(buf, 10, &in, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "shorter"));

	/* name not terminated / bad characters */
	memset(buf, 'a', PROTO_NAME_LEN);
	assert_int_equal(proto_infer_decode(buf, (uint32_t)n, &in, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "NUL"));
	n = proto_infer_encode(buf, sizeof(buf), "cam0", 28, 28, 1, 5, pix, why, sizeof(why));
	buf[1] = '/';
	assert_int_equal(proto_infer_decode(buf, (uint32_t)n, &in, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "bad character"));

	/* top_k 0, reserved flags */
	n = proto_infer_encode(buf, sizeof(buf), "cam0", 28, 28, 1, 5, pix, why, sizeof(why));
	buf[37] = 0;
	assert_int_equal(proto_infer_decode(buf, (uint32_t)n, &in, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "top_k 0"));
	buf[37] = 5;
	buf[38] = 1;
	assert_int_equal(proto_infer_decode(buf, (uint32_t)n, &in, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "reserved"));

	/* encoder refuses bad requests too */
	assert_int_equal(proto_infer_encode(buf, sizeof(buf), "", 28, 28, 1, 5, pix, why, sizeof(why)), -EINVAL);
	assert_int_equal(proto_infer_encode(buf, sizeof(buf), "cam0", 0, 28, 1, 5, pix, why, sizeof(why)), -EINVAL);
	assert_int_equal(proto_infer_encode(buf, sizeof(buf), "cam0", 28, 28, 5, 5, pix, why, sizeof(why)), -EINVAL);
	assert_int_equal(proto_infer_encode(buf, sizeof(buf), "cam0", 4096, 4096, 1, 5, pix, why, sizeof(why)), -EMSGSIZE);
	assert_non_null(strstr(why, "over the"));
	assert_int_equal(proto_infer_encode(buf, 10, "cam0", 28, 28, 1, 5, pix, why, sizeof(why)), -EMSGSIZE);
}

static void test_result_and_error(void **state)
{
	struct proto_result r = { .level = 3, .latency_us = 1234, .queue_us = 5,
				  .accuracy = 9012, .n = 2 };
	struct proto_result back;
	uint8_t buf[PROTO_RESULT_FIXED + 8 * PROTO_MAX_TOPK];
	char msg[64];
	size_t n;
	int err;

	(void)state;
	r.top[0].cls = 7;
	r.top[0].prob = 0.75f;
	r.top[1].cls = 2;
	r.top[1].prob = 0.125f;
	n = proto_result_encode(buf, &r);
	assert_int_equal(n, PROTO_RESULT_FIXED + 16);
	assert_int_equal(proto_result_decode(buf, (uint32_t)n, &back), 0);
	assert_int_equal(back.level, 3);
	assert_int_equal(back.latency_us, 1234);
	assert_int_equal(back.accuracy, 9012);
	assert_int_equal(back.n, 2);
	assert_int_equal(back.top[1].cls, 2);
	assert_true(back.top[0].prob == 0.75f);
	assert_int_equal(proto_result_decode(buf, (uint32_t)n - 1, &back), -EBADMSG);
	buf[20] = 200;	/* n over the limit */
	assert_int_equal(proto_result_decode(buf, (uint32_t)n, &back), -EBADMSG);

	n = proto_error_encode(buf, -ENOENT, "no workload cam9");
	assert_int_equal(proto_error_decode(buf, (uint32_t)n, &err, msg, sizeof(msg)), 0);
	assert_int_equal(err, -ENOENT);
	assert_string_equal(msg, "no workload cam9");
	/* truncated into a small buffer, still terminated */
	assert_int_equal(proto_error_decode(buf, (uint32_t)n, &err, msg, 5), 0);
	assert_string_equal(msg, "no w");
	n = proto_error_encode(buf, 3, "positive");
	assert_int_equal(proto_error_decode(buf, (uint32_t)n, &err, msg, sizeof(msg)), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_infer_roundtrip),
		cmocka_unit_test(test_result_and_error),
	};

	return cmocka_run_group_tests_name("protocol", tests, NULL, NULL);
}
