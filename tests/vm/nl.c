// SPDX-License-Identifier: GPL-2.0
/* Raw generic netlink client for the in-VM tests; see nl.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nl.h"
#include "uapi/linux/dnngov.h"
#include "vmtest.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NLMSGERR_ATTR_MISS_TYPE
#define NLMSGERR_ATTR_MISS_TYPE 5
#define NLMSGERR_ATTR_MISS_NEST 6
#endif

static unsigned char rxbuf[NL_BUFSZ];

void msg_init(struct nlmsg *m, uint16_t type, uint16_t flags, uint8_t cmd,
	      uint8_t version)
{
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = flags;
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = version;
	m->len = m->nlh.nlmsg_len;
}

void msg_cmd(struct nlc *c, struct nlmsg *m, uint8_t cmd, uint16_t flags)
{
	msg_init(m, c->family, NLM_F_REQUEST | NLM_F_ACK | flags, cmd,
		 DNNGOV_GENL_VERSION);
}

void msg_put(struct nlmsg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);
	size_t tot = NLA_HDRLEN + len;

	if (m->len + NLA_ALIGN(tot) > sizeof(m->buf)) {
		fprintf(stderr, "msg_put: message too long\n");
		abort();
	}
	a->nla_type = type;
	a->nla_len = (uint16_t)tot;
	if (len)
		memcpy(NLA_DATA(a), data, len);
	memset((char *)a + tot, 0, NLA_ALIGN(tot) - tot);
	m->len += NLA_ALIGN(tot);
	m->nlh.nlmsg_len = (uint32_t)m->len;
}

void msg_put_u32(struct nlmsg *m, uint16_t type, uint32_t v)
{
	msg_put(m, type, &v, sizeof(v));
}

void msg_put_u64(struct nlmsg *m, uint16_t type, uint64_t v)
{
	msg_put(m, type, &v, sizeof(v));
}

void msg_put_str(struct nlmsg *m, uint16_t type, const char *s)
{
	msg_put(m, type, s, strlen(s) + 1);
}

struct nlattr *msg_nest(struct nlmsg *m, uint16_t type)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);

	msg_put(m, type | NLA_F_NESTED, NULL, 0);
	return a;
}

void msg_nest_end(struct nlmsg *m, struct nlattr *nest)
{
	nest->nla_len = (uint16_t)((m->buf + m->len) - (unsigned char *)nest);
}

void nla_parse_buf(struct nlattr **tb, int max, const void *head, int len)
{
	struct nlattr *a;
	int rem, t;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	nla_for_each(a, head, len, rem) {
		t = a->nla_type & NLA_TYPE_MASK;
		if (t <= max)
			tb[t] = a;
	}
}

void nla_parse_genl(struct nlattr **tb, int max, const struct nlmsghdr *nlh)
{
	const char *head = (const char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN;

	nla_parse_buf(tb, max, head,
		      (int)nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
}

void nla_parse_nest(struct nlattr **tb, int max, const struct nlattr *nest)
{
	nla_parse_buf(tb, max, NLA_DATA(nest), NLA_LEN(nest));
}

uint32_t nla_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (a && NLA_LEN(a) >= 4)
		memcpy(&v, NLA_DATA(a), 4);
	return v;
}

uint64_t nla_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	if (a && NLA_LEN(a) >= 8)
		memcpy(&v, NLA_DATA(a), 8);
	else if (a && NLA_LEN(a) >= 4)
		v = nla_u32(a);
	return v;
}

const char *nla_str(const struct nlattr *a)
{
	if (!a || NLA_LEN(a) < 1 || ((char *)NLA_DATA(a))[NLA_LEN(a) - 1])
		return "";
	return NLA_DATA(a);
}

uint8_t genl_cmd(const struct nlmsghdr *nlh)
{
	return ((const struct genlmsghdr *)NLMSG_DATA(nlh))->cmd;
}

static void queue_push(struct nlc *c, const struct nlmsghdr *nlh)
{
	struct nl_held *h;

	if (c->q_len == NL_QUEUE) {	/* full: drop the oldest */
		free(c->q[c->q_head].buf);
		c->q_head = (c->q_head + 1) % NL_QUEUE;
		c->q_len--;
	}
	h = &c->q[(c->q_head + c->q_len) % NL_QUEUE];
	h->len = nlh->nlmsg_len;
	h->buf = malloc(h->len);
	if (!h->buf)
		return;
	memcpy(h->buf, nlh, h->len);
	c->q_len++;
}

static void parse_extack(const struct nlmsghdr *nlh, struct nlerr *e)
{
	const struct nlmsgerr *err = NLMSG_DATA(nlh);
	struct nlattr *tb[8];
	size_t off = NLMSG_HDRLEN + sizeof(*err);

	e->err = err->error;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - NLMSG_HDRLEN;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= nlh->nlmsg_len)
		return;
	nla_parse_buf(tb, 7, (const char *)nlh + off, (int)(nlh->nlmsg_len - off));
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(e->msg, sizeof(e->msg), "%s", nla_str(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_OFFS])
		e->offs = nla_u32(tb[NLMSGERR_ATTR_OFFS]);
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		e->miss_type = (int)nla_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	if (tb[NLMSGERR_ATTR_MISS_NEST])
		e->miss_nest = (int)nla_u32(tb[NLMSGERR_ATTR_MISS_NEST]);
}

/* Receive until the answer to @seq is complete. */
static int recv_reply(struct nlc *c, uint32_t seq, nl_cb cb, void *ctx,
		      struct nlerr *e, unsigned int ms)
{
	uint64_t end = vt_now_ms() + ms;
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	for (;;) {
		struct nlmsghdr *nlh;
		ssize_t n;
		int rem;

		int left = (int)(end - vt_now_ms());

		if (left <= 0 || poll(&p, 1, left) <= 0) {
			e->err = -ETIMEDOUT;
			snprintf(e->msg, sizeof(e->msg), "no answer in %u ms", ms);
			return e->err;
		}
		n = recv(c->fd, rxbuf, sizeof(rxbuf), 0);
		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			e->err = -errno;
			return e->err;
		}
		rem = (int)n;
		for (nlh = (struct nlmsghdr *)rxbuf; NLMSG_OK(nlh, rem);
		     nlh = NLMSG_NEXT(nlh, rem)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != c->portid) {
				if (nlh->nlmsg_seq == 0)
					queue_push(c, nlh);
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				parse_extack(nlh, e);
				return e->err;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
					memcpy(&err, NLMSG_DATA(nlh), sizeof(int));
				e->err = err;
				return err;
			}
			if (cb && cb(nlh, ctx) < 0)
				continue;
		}
	}
}

int nlc_request(struct nlc *c, struct nlmsg *m, nl_cb cb, void *ctx,
		struct nlerr *e)
{
	struct nlerr dummy;
	struct sockaddr_nl kern = { .nl_family = AF_NETLINK };

	if (!e)
		e = &dummy;
	memset(e, 0, sizeof(*e));
	e->miss_type = -1;
	e->miss_nest = -1;
	m->nlh.nlmsg_seq = ++c->seq;
	m->nlh.nlmsg_pid = c->portid;
	if (sendto(c->fd, m->buf, m->len, 0, (struct sockaddr *)&kern,
		   sizeof(kern)) < 0) {
		e->err = -errno;
		return e->err;
	}
	return recv_reply(c, m->nlh.nlmsg_seq, cb, ctx, e, VT_DEADLINE_MS);
}

int nlc_send_raw(struct nlc *c, const void *buf, size_t len)
{
	struct sockaddr_nl kern = { .nl_family = AF_NETLINK };

	if (sendto(c->fd, buf, len, 0, (struct sockaddr *)&kern,
		   sizeof(kern)) < 0)
		return -errno;
	return 0;
}

bool nlc_next_notification(struct nlc *c, struct nlmsg *m, unsigned int ms)
{
	uint64_t end = vt_now_ms() + ms;
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	for (;;) {
		struct nlmsghdr *nlh;
		ssize_t n;
		int rem, left;

		if (c->q_len) {
			struct nl_held *h = &c->q[c->q_head];

			memcpy(m->buf, h->buf, h->len);
			m->len = h->len;
			free(h->buf);
			c->q_head = (c->q_head + 1) % NL_QUEUE;
			c->q_len--;
			return true;
		}
		left = (int)(end - vt_now_ms());
		if (left < 0 || poll(&p, 1, left) <= 0)
			return false;
		n = recv(c->fd, rxbuf, sizeof(rxbuf), 0);
		if (n < 0)
			continue;
		rem = (int)n;
		for (nlh = (struct nlmsghdr *)rxbuf; NLMSG_OK(nlh, rem);
		     nlh = NLMSG_NEXT(nlh, rem))
			if (nlh->nlmsg_seq == 0 && nlh->nlmsg_type >= NLMSG_MIN_TYPE)
				queue_push(c, nlh);
	}
}

void nlc_drain(struct nlc *c)
{
	struct nlmsg *m = malloc(sizeof(*m));

	if (!m)
		return;
	while (nlc_next_notification(c, m, 0))
		;
	free(m);
}

struct resolve_ctx {
	struct nlc *c;
	bool found;
};

static int resolve_cb(const struct nlmsghdr *nlh, void *ctx)
{
	struct resolve_ctx *r = ctx;
	struct nlattr *tb[CTRL_ATTR_MAX + 1], *g, *gtb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	int rem;

	nla_parse_genl(tb, CTRL_ATTR_MAX, nlh);
	if (!tb[CTRL_ATTR_FAMILY_ID])
		return 0;
	memcpy(&r->c->family, NLA_DATA(tb[CTRL_ATTR_FAMILY_ID]), 2);
	r->found = true;
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	nla_for_each(g, NLA_DATA(tb[CTRL_ATTR_MCAST_GROUPS]),
		     NLA_LEN(tb[CTRL_ATTR_MCAST_GROUPS]), rem) {
		nla_parse_nest(gtb, CTRL_ATTR_MCAST_GRP_MAX, g);
		if (gtb[CTRL_ATTR_MCAST_GRP_NAME] && gtb[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(nla_str(gtb[CTRL_ATTR_MCAST_GRP_NAME]),
			    DNNGOV_GENL_MCGRP_EVENTS))
			r->c->events_grp = nla_u32(gtb[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return 0;
}

int nlc_open(struct nlc *c)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t sl = sizeof(sa);
	struct resolve_ctx r = { c, false };
	struct nlmsg *m;
	struct nlerr e;
	int one = 1, rcv = 1 << 20, ret;

	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (c->fd < 0)
		return -errno;
	setsockopt(c->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(c->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(c->fd, (struct sockaddr *)&sa, &sl)) {
		ret = -errno;
		close(c->fd);
		return ret;
	}
	c->portid = sa.nl_pid;

	m = malloc(sizeof(*m));
	if (!m) {
		close(c->fd);
		return -ENOMEM;
	}
	msg_init(m, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	msg_put_str(m, CTRL_ATTR_FAMILY_NAME, DNNGOV_GENL_NAME);
	ret = nlc_request(c, m, resolve_cb, &r, &e);
	free(m);
	if (!ret && !r.found)
		ret = -ENOENT;
	if (ret) {
		close(c->fd);
		c->fd = -1;
	}
	return ret;
}

void nlc_close(struct nlc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	while (c->q_len) {
		free(c->q[c->q_head].buf);
		c->q_head = (c->q_head + 1) % NL_QUEUE;
		c->q_len--;
	}
}

int nlc_join_events(struct nlc *c)
{
	int grp = (int)c->events_grp;

	if (!grp)
		return -ENOENT;
	if (setsockopt(c->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp)))
		return -errno;
	return 0;
}
