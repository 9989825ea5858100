// SPDX-License-Identifier: MIT
/*
 * dnngovd: the UNIX socket. Everything here runs on the main thread with
 * non-blocking sockets and per-client limits, so a slow or dead client
 * only ever costs its own buffers: reading pauses while it has
 * MAX_PENDING requests in flight, and it is dropped when more than
 * MAX_OUTBUF bytes of replies wait for it.
 */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dnngovd.h"

#define MAX_PENDING	8
#define MAX_OUTBUF	(8u << 20)

struct client {
	struct client *next;
	int fd;
	u64 id;
	uint8_t hdr[PROTO_HDR_LEN];
	u32 hdr_got;
	struct proto_hdr h;
	uint8_t *in;
	u32 in_got;
	bool in_payload;
	uint8_t *out;
	size_t out_len, out_off, out_cap;
	u32 pending;
	bool closing;		/* close once the output is flushed */
	bool dead;
};

bool server_in_use(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return false;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return r == 0;
}

int server_open(struct daemon *d, char *err, unsigned int err_len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = d->cfg.socket;
	char dir[sizeof(sa.sun_path)];
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, err_len, "%s: key 'socket': path too long", d->cfg.path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0755) && errno != EEXIST) {
		snprintf(err, err_len, "cannot create the socket's folder for %s: %s",
			 path, strerror(errno));
		return -errno;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, err_len, "socket: %s", strerror(errno));
		return -errno;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		snprintf(err, err_len, "another dnngovd is serving %s", path);
		return -EADDRINUSE;
	}
	close(fd);
	unlink(path);	/* stale socket of a dead daemon */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, err_len, "socket: %s", strerror(errno));
		return -errno;
	}
	old = umask(0177);	/* no window with a too-open socket */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		umask(old);
		close(fd);
		snprintf(err, err_len, "bind %s: %s", path, strerror(e));
		return -e;
	}
	umask(old);
	if (d->cfg.socket_group[0]) {
		struct group *g = getgrnam(d->cfg.socket_group);

		if (!g || chown(path, (uid_t)-1, g->gr_gid)) {
			snprintf(err, err_len, "%s: key 'socket_group': %s",
				 d->cfg.path, g ? strerror(errno) :
				 "no such group (create it: groupadd dnngov)");
			close(fd);
			unlink(path);
			return -EINVAL;
		}
	}
	if (chmod(path, d->cfg.socket_mode) || listen(fd, 64)) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -errno;
	}
	d->lfd = fd;
	snprintf(d->sock_path, sizeof(d->sock_path), "%s", path);
	return 0;
}

static void client_free(struct client *c)
{
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

void server_close(struct daemon *d)
{
	struct client *c;

	while ((c = d->clients)) {
		d->clients = c->next;
		client_free(c);
	}
	if (d->lfd >= 0) {
		close(d->lfd);
		unlink(d->sock_path);
		d->lfd = -1;
	}
}

static void flush(struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			c->dead = true;
			return;
		}
		c->out_off += (size_t)w;
	}
	c->out_off = c->out_len = 0;
	if (c->closing)
		c->dead = true;
}

/* Queue a frame for @c; the payload is written by @fill into @len bytes. */
static uint8_t *frame(struct client *c, uint16_t type, uint32_t id, size_t len)
{
	size_t need = c->out_len + PROTO_HDR_LEN + len;
	uint8_t *p;

	if (need - c->out_off > MAX_OUTBUF) {
		c->dead = true;	/* not reading its replies */
		return NULL;
	}
	if (need > c->out_cap) {
		size_t cap = need < 4096 ? 4096 : need * 2;

		p = realloc(c->out, cap);
		if (!p) {
			c->dead = true;
			return NULL;
		}
		c->out = p;
		c->out_cap = cap;
	}
	p = c->out + c->out_len;
	proto_hdr_encode(p, type, id, (uint32_t)len);
	c->out_len = need;
	return p + PROTO_HDR_LEN;
}

static void send_error(struct client *c, uint32_t id, int err, const char *msg)
{
	size_t n = strnlen(msg, PROTO_MAX_ERROR);
	uint8_t *p = frame(c, PROTO_ERROR, id, 4 + n);

	if (p)
		proto_error_encode(p, err, msg);
}

static void send_result(struct client *c, struct request *r)
{
	uint8_t *p = frame(c, PROTO_RESULT, r->frame_id,
			   PROTO_RESULT_FIXED + 8 * (size_t)r->res.n);

	if (p)
		proto_result_encode(p, &r->res);
}

static void known_workloads(struct daemon *d, char *buf, size_t len)
{
	size_t off = 0;
	u32 i;

	buf[0] = '\0';
	for (i = 0; i < DNNGOV_CFG_MAX_WORKLOADS && off < len; i++)
		if (d->wl[i] && d->wl[i]->cfg.input == DNNGOV_INPUT_SOCKET)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						off ? ", " : "", d->wl[i]->cfg.name);
	if (!off)
		snprintf(buf, len, "none");
}

static void on_infer(struct daemon *d, struct client *c)
{
	struct proto_infer in;
	struct workload *w;
	struct request *r;
	char why[256], names[200];
	int err;

	err = proto_infer_decode(c->in, c->h.length, &in, why, sizeof(why));
	if (err) {
		send_error(c, c->h.id, err, why);
		return;
	}
	w = daemon_find(d, in.name);
	if (!w || w->cfg.input != DNNGOV_INPUT_SOCKET) {
		known_workloads(d, names, sizeof(names));
		snprintf(why, sizeof(why), w ?
			 "workload %s replays a dataset and takes no socket input (socket workloads: %s)" :
			 "no workload %s (socket workloads: %s)", in.name, names);
		send_error(c, c->h.id, w ? -EOPNOTSUPP : -ENOENT, why);
		return;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		send_error(c, c->h.id, -ENOMEM, "out of memory");
		return;
	}
	/* the payload buffer becomes the request's pixels: no copy */
	r->pixels = c->in;
	memmove(r->pixels, in.pixels, (size_t)in.width * in.height * in.channels);
	c->in = NULL;
	r->client_id = c->id;
	r->frame_id = c->h.id;
	r->width = in.width;
	r->height = in.height;
	r->channels = in.channels;
	r->top_k = in.top_k;
	r->t_enqueue_ns = now_ns();
	err = workload_submit(w, r);
	if (err) {
		snprintf(why, sizeof(why), "workload %s: %u requests are queued already; retry later",
			 w->cfg.name, d->cfg.queue_depth);
		send_error(c, c->h.id, err, why);
		free(r->pixels);
		free(r);
		return;
	}
	c->pending++;
}

static void on_control(struct daemon *d, struct client *c)
{
	char *reply = NULL, why[512];
	uint8_t *p;
	size_t n;
	int err;

	err = control_handle(d, (const char *)c->in, c->h.length, &reply, why,
			     sizeof(why));
	if (err) {
		send_error(c, c->h.id, err, why);
		return;
	}
	n = strlen(reply);
	if (n > PROTO_MAX_REPLY) {
		send_error(c, c->h.id, -EMSGSIZE, "reply too large");
	} else {
		p = frame(c, PROTO_CONTROL_REPLY, c->h.id, n);
		if (p)
			memcpy(p, reply, n);
	}
	free(reply);
}

static void dispatch(struct daemon *d, struct client *c)
{
	char why[64];

	switch (c->h.type) {
	case PROTO_INFER:
		on_infer(d, c);
		break;
	case PROTO_CONTROL:
		on_control(d, c);
		break;
	default:
		snprintf(why, sizeof(why), "frame type %u is not a request",
			 c->h.type);
		send_error(c, c->h.id, -EBADMSG, why);
	}
	free(c->in);
	c->in = NULL;
	c->in_got = 0;
	c->hdr_got = 0;
	c->in_payload = false;
}

static void on_readable(struct daemon *d, struct client *c)
{
	char why[256];
	ssize_t r;
	int err;

	while (!c->dead && !c->closing && c->pending < MAX_PENDING) {
		if (!c->in_payload) {
			r = recv(c->fd, c->hdr + c->hdr_got,
				 PROTO_HDR_LEN - c->hdr_got, MSG_DONTWAIT);
		} else {
			r = recv(c->fd, c->in + c->in_got,
				 c->h.length - c->in_got, MSG_DONTWAIT);
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0) {
			c->dead = true;	/* closed or reset */
			return;
		}
		if (!c->in_payload) {
			c->hdr_got += (u32)r;
			if (c->hdr_got < PROTO_HDR_LEN)
				continue;
			err = proto_hdr_decode(c->hdr, &c->h, why, sizeof(why));
			if (err) {
				/* can't resynchronise a stream: answer, close */
				send_error(c, err == -EMSGSIZE ? c->h.id : 0, err, why);
				c->closing = true;
				return;
			}
			c->in = malloc(c->h.length ? c->h.length : 1);
			if (!c->in) {
				send_error(c, c->h.id, -ENOMEM, "out of memory");
				c->closing = true;
				return;
			}
			c->in_payload = true;
			c->in_got = 0;
		} else {
			c->in_got += (u32)r;
		}
		if (c->in_payload && c->in_got == c->h.length)
			dispatch(d, c);
	}
}

static void accept_clients(struct daemon *d)
{
	for (;;) {
		int fd = accept4(d->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c;

		if (fd < 0)
			return;
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->id = ++d->next_client_id;
		if (d->n_clients >= d->cfg.max_clients) {
			send_error(c, 0, -EUSERS, "too many clients; raise max_clients in [daemon]");
			c->closing = true;
			flush(c);
			client_free(c);
			continue;
		}
		c->next = d->clients;
		d->clients = c;
		d->n_clients++;
	}
}

int server_pollfds(struct daemon *d, struct pollfd *pfd, int max)
{
	struct client *c;
	int n = 0;

	if (max < 1)
		return 0;
	pfd[n++] = (struct pollfd){ .fd = d->lfd, .events = POLLIN };
	for (c = d->clients; c && n < max; c = c->next) {
		short ev = 0;

		if (!c->closing && c->pending < MAX_PENDING)
			ev |= POLLIN;
		if (c->out_len > c->out_off)
			ev |= POLLOUT;
		pfd[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
	}
	return n;
}

static void reap(struct daemon *d)
{
	struct client **pp = &d->clients, *c;

	while ((c = *pp)) {
		if (c->dead) {
			*pp = c->next;
			d->n_clients--;
			client_free(c);	/* its requests in flight are dropped on completion */
		} else {
			pp = &c->next;
		}
	}
}

static struct client *find_client(struct daemon *d, int fd)
{
	struct client *c;

	for (c = d->clients; c; c = c->next)
		if (c->fd == fd)
			return c;
	return NULL;
}

void server_handle(struct daemon *d, struct pollfd *pfd, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct client *c;

		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == d->lfd) {
			accept_clients(d);
			continue;
		}
		c = find_client(d, pfd[i].fd);
		if (!c)
			continue;
		if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
			on_readable(d, c);
		if (!c->dead)
			flush(c);
	}
	reap(d);
}

void request_complete(struct daemon *d, struct request *r)
{
	uint64_t one = 1;

	pthread_mutex_lock(&d->done_lock);
	r->next = NULL;
	if (d->done_tail)
		d->done_tail->next = r;
	else
		d->done_head = r;
	d->done_tail = r;
	pthread_mutex_unlock(&d->done_lock);
	if (write(d->efd, &one, sizeof(one)) < 0) {
		/* the counter can't overflow in practice; nothing to do */
	}
}

void server_deliver(struct daemon *d)
{
	struct request *r, *list;
	uint64_t v;

	if (read(d->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: woken for nothing */
	}
	pthread_mutex_lock(&d->done_lock);
	list = d->done_head;
	d->done_head = d->done_tail = NULL;
	pthread_mutex_unlock(&d->done_lock);
	while ((r = list)) {
		struct client *c;

		list = r->next;
		for (c = d->clients; c && c->id != r->client_id; c = c->next)
			;
		if (c && !c->dead) {
			c->pending--;
			if (r->err)
				send_error(c, r->frame_id, r->err, r->msg);
			else
				send_result(c, r);
			flush(c);
			/* it may have frames waiting behind the pause */
			if (!c->dead)
				on_readable(d, c);
		}
		free(r->pixels);
		free(r);
	}
	reap(d);
}
