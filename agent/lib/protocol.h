/* SPDX-License-Identifier: MIT */
/*
 * dnngov agent: the dnngovd socket protocol (Documentation/protocol.md).
 *
 * A stream of frames over a UNIX stream socket. Every frame is a 16-byte
 * header, little-endian, then the payload:
 *   u32 magic "DNGV"  u16 version (1)  u16 type  u32 id  u32 length
 * Requests: INFER (an 8-bit image for a workload) and CONTROL (JSON).
 * Replies carry the request's id: RESULT, CONTROL_REPLY or ERROR.
 */
#ifndef DNNGOV_AGENT_PROTOCOL_H
#define DNNGOV_AGENT_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_MAGIC		0x56474e44u	/* "DNGV" in little-endian */
#define PROTO_VERSION		1
#define PROTO_HDR_LEN		16

enum proto_type {
	PROTO_INFER = 1,
	PROTO_RESULT = 2,
	PROTO_ERROR = 3,
	PROTO_CONTROL = 4,
	PROTO_CONTROL_REPLY = 5,
};

/* Limits (checked on both sides). */
#define PROTO_NAME_LEN		32		/* workload name field, NUL-padded */
#define PROTO_INFER_FIXED	40		/* INFER payload before the pixels */
#define PROTO_MAX_DIM		4096		/* width, height */
#define PROTO_MAX_CHANNELS	4
#define PROTO_MAX_PIXELS	(4u << 20)	/* bytes of pixels: 4 MiB */
#define PROTO_MAX_TOPK		100
#define PROTO_MAX_CONTROL	(64u << 10)	/* CONTROL request JSON */
#define PROTO_MAX_REPLY		(1u << 20)	/* CONTROL_REPLY JSON */
#define PROTO_MAX_ERROR		512
#define PROTO_RESULT_FIXED	24

struct proto_hdr {
	uint16_t type;
	uint32_t id;
	uint32_t length;
};

struct proto_infer {
	char name[PROTO_NAME_LEN];	/* NUL-terminated */
	uint16_t width;
	uint16_t height;
	uint8_t channels;
	uint8_t top_k;
	const uint8_t *pixels;		/* width * height * channels, in the payload */
};

struct proto_class {
	uint32_t cls;
	float prob;
};

struct proto_result {
	uint32_t level;
	uint32_t latency_us;	/* inference only */
	uint32_t queue_us;	/* waiting in the daemon before it */
	uint32_t accuracy;	/* of the level used, 1/100 % */
	uint32_t n;
	struct proto_class top[PROTO_MAX_TOPK];
};

/* Largest payload a frame of @type may carry. */
uint32_t proto_max_payload(uint16_t type);

void proto_hdr_encode(uint8_t *buf, uint16_t type, uint32_t id, uint32_t len);

/*
 * Decode and check a header: 0, or -EPROTO (not this protocol),
 * -EPROTONOSUPPORT (version), -EBADMSG (unknown type), -EMSGSIZE (payload
 * over the limit of its type). @why gets a message for the peer.
 */
int proto_hdr_decode(const uint8_t *buf, struct proto_hdr *h, char *why,
		     size_t why_len);

/* INFER payload; returns its length, or -EINVAL/-EMSGSIZE (why says). */
long proto_infer_encode(uint8_t *buf, size_t cap, const char *name,
			unsigned int width, unsigned int height,
			unsigned int channels, unsigned int top_k,
			const uint8_t *pixels, char *why, size_t why_len);
int proto_infer_decode(const uint8_t *p, uint32_t len, struct proto_infer *out,
		       char *why, size_t why_len);

/* RESULT payload; encode returns the length (buffer of PROTO_RESULT_FIXED +
 * 8 * n bytes). */
size_t proto_result_encode(uint8_t *buf, const struct proto_result *r);
int proto_result_decode(const uint8_t *p, uint32_t len, struct proto_result *out);

/* ERROR payload: i32 negative errno, then text (no NUL). */
size_t proto_error_encode(uint8_t *buf, int err, const char *msg);
int proto_error_decode(const uint8_t *p, uint32_t len, int *err, char *msg,
		       size_t msg_len);

#endif /* DNNGOV_AGENT_PROTOCOL_H */
