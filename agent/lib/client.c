// SPDX-License-Identifier: MIT
/*
 * libdnngov: the client side of dnngovd's socket protocol (dnngov.h
 * section 4, Documentation/protocol.md).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <dnngov/dnngov.h>

#include "internal.h"
#include "protocol.h"

struct dnngov_client {
	int fd;
	uint32_t next_id;
	uint8_t *buf;		/* request frame */
	size_t cap;
	struct proto_result r;	/* large: not on the caller's stack */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

int dnngov_client_connect(dnngov_client **out, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	dnngov_client *c;

	*out = NULL;
	if (!path)
		path = DNNGOV_CLIENT_DEFAULT_SOCKET;
	if (strlen(path) >= sizeof(sa.sun_path))
		return dg_error(-ENAMETOOLONG, "socket path %s is too long", path);
	c = calloc(1, sizeof(*c));
	if (!c)
		return dg_error(-ENOMEM, "out of memory");
	memcpy(sa.sun_path, path, strlen(path) + 1);
	memcpy(c->path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		if (c->fd >= 0)
			close(c->fd);
		free(c);
		if (err == -ENOENT || err == -ECONNREFUSED)
			return dg_error(err, "dnngovd is not running at %s (start it: systemctl start dnngovd)",
					path);
		if (err == -EACCES)
			return dg_error(err, "no permission on %s (join the socket's group, see socket_group in dnngovd.conf)",
					path);
		return dg_error(err, "connect %s: %s", path, strerror(-err));
	}
	c->next_id = 1;
	*out = c;
	return 0;
}

void dnngov_client_close(dnngov_client *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c->buf);
	free(c);
}

static int grow(dnngov_client *c, size_t n)
{
	uint8_t *b;

	if (c->cap >= n)
		return 0;
	b = realloc(c->buf, n);
	if (!b)
		return dg_error(-ENOMEM, "out of memory");
	c->buf = b;
	c->cap = n;
	return 0;
}

static int write_all(dnngov_client *c, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return dg_error(-errno, "sending to dnngovd: %s",
					strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(dnngov_client *c, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = recv(c->fd, p, n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return dg_error(-errno, "reading from dnngovd: %s",
					strerror(errno));
		if (r == 0)
			return dg_error(-ECONNRESET, "dnngovd closed the connection");
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * Send the frame in c->buf (header included) and read the reply of @id;
 * the reply payload is left in *payload (malloc'ed).
 */
static int exchange(dnngov_client *c, size_t len, uint32_t id,
		    struct proto_hdr *h, uint8_t **payload)
{
	uint8_t hb[PROTO_HDR_LEN];
	char why[256];
	int err;

	*payload = NULL;
	err = write_all(c, c->buf, len);
	if (err)
		return err;
	err = read_all(c, hb, sizeof(hb));
	if (err)
		return err;
	err = proto_hdr_decode(hb, h, why, sizeof(why));
	if (err)
		return dg_error(err, "bad reply from dnngovd: %s", why);
	if (h->id != id)
		return dg_error(-EPROTO, "reply to request %u, expected %u", h->id, id);
	*payload = malloc(h->length ? h->length : 1);
	if (!*payload)
		return dg_error(-ENOMEM, "out of memory");
	err = read_all(c, *payload, h->length);
	if (err) {
		free(*payload);
		*payload = NULL;
		return err;
	}
	if (h->type == PROTO_ERROR) {
		int e;
		char msg[PROTO_MAX_ERROR + 1];

		if (proto_error_decode(*payload, h->length, &e, msg, sizeof(msg)))
			err = dg_error(-EPROTO, "malformed error reply from dnngovd");
		else
			err = dg_error(e, "dnngovd: %s", msg);
		free(*payload);
		*payload = NULL;
		return err;
	}
	return 0;
}

int dnngov_client_infer(dnngov_client *c, const char *workload,
			const uint8_t *pixels, int width, int height,
			int channels, int top_k,
			struct dnngov_client_result *out)
{
	struct proto_result *r = &c->r;
	struct proto_hdr h;
	uint8_t *payload;
	char why[256];
	uint32_t id = c->next_id++;
	long n;
	int err, i;

	if (width < 1 || height < 1 || channels < 1 || top_k < 1 || !pixels)
		return dg_error(-EINVAL, "image %dx%dx%d, top_k %d: all must be >= 1",
				width, height, channels, top_k);
	if (width > PROTO_MAX_DIM || height > PROTO_MAX_DIM ||
	    channels > PROTO_MAX_CHANNELS)
		return dg_error(-EINVAL, "image %dx%dx%d is over the protocol limits (%dx%dx%d)",
				width, height, channels, PROTO_MAX_DIM,
				PROTO_MAX_DIM, PROTO_MAX_CHANNELS);
	err = grow(c, PROTO_HDR_LEN + PROTO_INFER_FIXED +
		   (size_t)width * height * channels);
	if (err)
		return err;
	n = proto_infer_encode(c->buf + PROTO_HDR_LEN, c->cap - PROTO_HDR_LEN,
			       workload, (unsigned int)width,
			       (unsigned int)height, (unsigned int)channels,
			       (unsigned int)top_k, pixels, why, sizeof(why));
	if (n < 0)
		return dg_error((int)n, "%s", why);
	proto_hdr_encode(c->buf, PROTO_INFER, id, (uint32_t)n);
	err = exchange(c, PROTO_HDR_LEN + (size_t)n, id, &h, &payload);
	if (err)
		return err;
	if (h.type != PROTO_RESULT ||
	    proto_result_decode(payload, h.length, r)) {
		free(payload);
		return dg_error(-EPROTO, "malformed result from dnngovd");
	}
	free(payload);
	out->level = (int)r->level;
	out->level_accuracy = r->accuracy / 100.0;
	out->latency_us = r->latency_us;
	out->queue_us = r->queue_us;
	out->n = (int)r->n;
	for (i = 0; i < out->n; i++) {
		out->top[i].cls = (int)r->top[i].cls;
		out->top[i].prob = r->top[i].prob;
	}
	return 0;
}

int dnngov_client_control(dnngov_client *c, const char *request,
			  char **reply)
{
	size_t n = request ? strlen(request) : 0;
	struct proto_hdr h;
	uint8_t *payload;
	uint32_t id = c->next_id++;
	int err;

	*reply = NULL;
	if (!n || n > PROTO_MAX_CONTROL)
		return dg_error(-EINVAL, "control request must be 1..%u bytes of JSON",
				PROTO_MAX_CONTROL);
	err = grow(c, PROTO_HDR_LEN + n);
	if (err)
		return err;
	proto_hdr_encode(c->buf, PROTO_CONTROL, id, (uint32_t)n);
	memcpy(c->buf + PROTO_HDR_LEN, request, n);
	err = exchange(c, PROTO_HDR_LEN + n, id, &h, &payload);
	if (err)
		return err;
	if (h.type != PROTO_CONTROL_REPLY) {
		free(payload);
		return dg_error(-EPROTO, "unexpected reply type %u", h.type);
	}
	*reply = malloc(h.length + 1);
	if (!*reply) {
		free(payload);
		return dg_error(-ENOMEM, "out of memory");
	}
	memcpy(*reply, payload, h.length);
	(*reply)[h.length] = '\0';
	free(payload);
	return 0;
}
