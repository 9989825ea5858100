// SPDX-License-Identifier: MIT
/*
 * libFuzzer on what dnngovd reads from outside: socket frames (header,
 * INFER, RESULT, ERROR), config files, and netlink messages from the
 * module. The first byte picks the parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kernel_msg.h"
#include "protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_proto(const uint8_t *p, size_t n)
{
	static struct proto_result res;
	struct proto_infer in;
	struct proto_hdr h;
	char why[256], msg[64];
	int err;

	if (n >= PROTO_HDR_LEN)
		proto_hdr_decode(p, &h, why, sizeof(why));
	if (n > UINT32_MAX)
		return;
	proto_infer_decode(p, (uint32_t)n, &in, why, sizeof(why));
	if (proto_result_decode(p, (uint32_t)n, &res) == 0 && res.n > PROTO_MAX_TOPK)
		abort();
	proto_error_decode(p, (uint32_t)n, &err, msg, sizeof(msg));
}

static void fuzz_config(const uint8_t *p, size_t n)
{
	static struct dnngov_cfg cfg;
	char *text = malloc(n + 1), err[512];

	if (!text)
		return;
	memcpy(text, p, n);
	text[n] = '\0';
	dnngov_config_parse_string(text, "fuzz.conf", &cfg, err, sizeof(err));
	free(text);
}

static void fuzz_netlink(const uint8_t *p, size_t n)
{
	struct dnngov_platform_domain dom;
	struct kmsg_workload w;
	struct kmsg_decision d;
	struct nlmsghdr *nlh;

	if (n < NLMSG_HDRLEN + GENL_HDRLEN || n > 65536)
		return;
	nlh = malloc(NLMSG_ALIGN(n));
	if (!nlh)
		return;
	memcpy(nlh, p, n);
	nlh->nlmsg_len = (uint32_t)n;	/* the kernel's framing is trusted */
	kmsg_parse_decision(nlh, &d);
	kmsg_parse_domain(nlh, &dom);
	kmsg_parse_workload(nlh, &w);
	nlh->nlmsg_type = NLMSG_ERROR;
	if (n >= NLMSG_HDRLEN + sizeof(struct nlmsgerr))
		kmsg_ext_ack(nlh);
	free(nlh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_proto(data + 1, size - 1);
		break;
	case 1:
		fuzz_config(data + 1, size - 1);
		break;
	default:
		fuzz_netlink(data + 1, size - 1);
	}
	return 0;
}
