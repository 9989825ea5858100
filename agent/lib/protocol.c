// SPDX-License-Identifier: MIT
/* dnngov agent: frame encoding and checking (protocol.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "protocol.h"

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)v);
	put16(b + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)get16(b) | (uint32_t)get16(b + 2) << 16;
}

uint32_t proto_max_payload(uint16_t type)
{
	switch (type) {
	case PROTO_INFER:
		return PROTO_INFER_FIXED + PROTO_MAX_PIXELS;
	case PROTO_RESULT:
		return PROTO_RESULT_FIXED + 8 * PROTO_MAX_TOPK;
	case PROTO_ERROR:
		return 4 + PROTO_MAX_ERROR;
	case PROTO_CONTROL:
		return PROTO_MAX_CONTROL;
	case PROTO_CONTROL_REPLY:
		return PROTO_MAX_REPLY;
	}
	return 0;
}

void proto_hdr_encode(uint8_t *buf, uint16_t type, uint32_t id, uint32_t len)
{
	put32(buf, PROTO_MAGIC);
	put16(buf + 4, PROTO_VERSION);
	put16(buf + 6, type);
	put32(buf + 8, id);
	put32(buf + 12, len);
}

int proto_hdr_decode(const uint8_t *buf, struct proto_hdr *h, char *why,
		     size_t why_len)
{
	uint16_t version;
	uint32_t max;

	if (get32(buf) != PROTO_MAGIC) {
		snprintf(why, why_len, "not a dnngov frame (bad magic): speak Documentation/protocol.md or use dnngov_client_*()");
		return -EPROTO;
	}
	version = get16(buf + 4);
	if (version != PROTO_VERSION) {
		snprintf(why, why_len, "protocol version %u is not supported (this daemon speaks %u)",
			 version, PROTO_VERSION);
		return -EPROTONOSUPPORT;
	}
	h->type = get16(buf + 6);
	h->id = get32(buf + 8);
	h->length = get32(buf + 12);
	max = proto_max_payload(h->type);
	if (!max) {
		snprintf(why, why_len, "unknown frame type %u", h->type);
		return -EBADMSG;
	}
	if (h->length > max) {
		snprintf(why, why_len, "frame too large: %u bytes, the limit for type %u is %u",
			 h->length, h->type, max);
		return -EMSGSIZE;
	}
	return 0;
}

static int check_name(const char *name, char *why, size_t why_len)
{
	size_t n = strnlen(name, PROTO_NAME_LEN);
	size_t i;

	if (n == 0 || n >= PROTO_NAME_LEN) {
		snprintf(why, why_len, "workload name must be 1..%d characters",
			 PROTO_NAME_LEN - 1);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isalnum(c) && c != '-' && c != '_' && c != '.') {
			snprintf(why, why_len, "workload name has a bad character (0x%02x)", c);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_dims(unsigned int w, unsigned int h, unsigned int c,
		      unsigned int k, char *why, size_t why_len)
{
	if (w < 1 || h < 1 || w > PROTO_MAX_DIM || h > PROTO_MAX_DIM) {
		snprintf(why, why_len, "image %ux%u: width and height must be 1..%d",
			 w, h, PROTO_MAX_DIM);
		return -EINVAL;
	}
	if (c < 1 || c > PROTO_MAX_CHANNELS) {
		snprintf(why, why_len, "%u channels: must be 1..%d", c,
			 PROTO_MAX_CHANNELS);
		return -EINVAL;
	}
	if ((uint64_t)w * h * c > PROTO_MAX_PIXELS) {
		snprintf(why, why_len, "image %ux%ux%u is %llu bytes, over the %u-byte limit",
			 w, h, c, (unsigned long long)w * h * c, PROTO_MAX_PIXELS);
		return -EMSGSIZE;
	}
	if (k < 1 || k > PROTO_MAX_TOPK) {
		snprintf(why, why_len, "top_k %u: must be 1..%d", k, PROTO_MAX_TOPK);
		return -EINVAL;
	}
	return 0;
}

long proto_infer_encode(uint8_t *buf, size_t cap, const char *name,
			unsigned int width, unsigned int height,
			unsigned int channels, unsigned int top_k,
			const uint8_t *pixels, char *why, size_t why_len)
{
	char nm[PROTO_NAME_LEN] = { 0 };
	size_t npix;
	int err;

	if (!name || strlen(name) >= PROTO_NAME_LEN) {
		snprintf(why, why_len, "workload name must be 1..%d characters",
			 PROTO_NAME_LEN - 1);
		return -EINVAL;
	}
	memcpy(nm, name, strlen(name));
	err = check_name(nm, why, why_len);
	if (!err)
		err = check_dims(width, height, channels, top_k, why, why_len);
	if (err)
		return err;
	npix = (size_t)width * height * channels;
	if (cap < PROTO_INFER_FIXED + npix) {
		snprintf(why, why_len, "buffer too small");
		return -EMSGSIZE;
	}
	memcpy(buf, nm, PROTO_NAME_LEN);
	put16(buf + 32, (uint16_t)width);
	put16(buf + 34, (uint16_t)height);
	buf[36] = (uint8_t)channels;
	buf[37] = (uint8_t)top_k;
	put16(buf + 38, 0);
	memcpy(buf + PROTO_INFER_FIXED, pixels, npix);
	return (long)(PROTO_INFER_FIXED + npix);
}

int proto_infer_decode(const uint8_t *p, uint32_t len, struct proto_infer *out,
		       char *why, size_t why_len)
{
	uint64_t npix;
	int err;

	if (len < PROTO_INFER_FIXED) {
		snprintf(why, why_len, "INFER payload of %u bytes is shorter than its %d-byte header",
			 len, PROTO_INFER_FIXED);
		return -EINVAL;
	}
	memcpy(out->name, p, PROTO_NAME_LEN);
	if (memchr(out->name, 0, PROTO_NAME_LEN) == NULL) {
		snprintf(why, why_len, "workload name is not NUL-terminated");
		return -EINVAL;
	}
	err = check_name(out->name, why, why_len);
	if (err)
		return err;
	out->width = get16(p + 32);
	out->height = get16(p + 34);
	out->channels = p[36];
	out->top_k = p[37];
	if (get16(p + 38)) {
		snprintf(why, why_len, "reserved flags must be 0");
		return -EINVAL;
	}
	err = check_dims(out->width, out->height, out->channels, out->top_k,
			 why, why_len);
	if (err)
		return err;
	npix = (uint64_t)out->width * out->height * out->channels;
	if (len != PROTO_INFER_FIXED + npix) {
		snprintf(why, why_len, "image %ux%ux%u needs %llu bytes of pixels, the frame has %u",
			 out->width, out->height, out->channels,
			 (unsigned long long)npix, len - PROTO_INFER_FIXED);
		return -EINVAL;
	}
	out->pixels = p + PROTO_INFER_FIXED;
	return 0;
}

size_t proto_result_encode(uint8_t *buf, const struct proto_result *r)
{
	uint32_t i, n = r->n > PROTO_MAX_TOPK ? PROTO_MAX_TOPK : r->n;

	put32(buf, 0);
	put32(buf + 4, r->level);
	put32(buf + 8, r->latency_us);
	put32(buf + 12, r->queue_us);
	put32(buf + 16, r->accuracy);
	put32(buf + 20, n);
	for (i = 0; i < n; i++) {
		uint32_t bits;

		memcpy(&bits, &r->top[i].prob, 4);
		put32(buf + PROTO_RESULT_FIXED + 8 * i, r->top[i].cls);
		put32(buf + PROTO_RESULT_FIXED + 8 * i + 4, bits);
	}
	return PROTO_RESULT_FIXED + 8 * n;
}

int proto_result_decode(const uint8_t *p, uint32_t len, struct proto_result *out)
{
	uint32_t i;

	if (len < PROTO_RESULT_FIXED || get32(p) != 0)
		return -EBADMSG;
	out->level = get32(p + 4);
	out->latency_us = get32(p + 8);
	out->queue_us = get32(p + 12);
	out->accuracy = get32(p + 16);
	out->n = get32(p + 20);
	if (out->n > PROTO_MAX_TOPK || len != PROTO_RESULT_FIXED + 8 * out->n)
		return -EBADMSG;
	for (i = 0; i < out->n; i++) {
		uint32_t bits = get32(p + PROTO_RESULT_FIXED + 8 * i + 4);

		out->top[i].cls = get32(p + PROTO_RESULT_FIXED + 8 * i);
		memcpy(&out->top[i].prob, &bits, 4);
	}
	return 0;
}

size_t proto_error_encode(uint8_t *buf, int err, const char *msg)
{
	size_t n = strnlen(msg, PROTO_MAX_ERROR);

	put32(buf, (uint32_t)err);
	memcpy(buf + 4, msg, n);
	return 4 + n;
}

int proto_error_decode(const uint8_t *p, uint32_t len, int *err, char *msg,
		       size_t msg_len)
{
	size_t n;

	if (len < 4 || len > 4 + PROTO_MAX_ERROR)
		return -EBADMSG;
	*err = (int)get32(p);
	if (*err >= 0)
		return -EBADMSG;
	n = len - 4;
	if (n >= msg_len)
		n = msg_len - 1;
	memcpy(msg, p + 4, n);
	msg[n] = '\0';
	return 0;
}
