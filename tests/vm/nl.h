/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small generic netlink client on raw AF_NETLINK sockets (in the spirit of
 * wireguard-tools' mnlg): no libnl, so the tests can also build malformed
 * messages byte by byte. Every request asks for NETLINK_EXT_ACK and
 * NETLINK_CAP_ACK, so errors come back with the kernel's extack text.
 */
#ifndef DNNGOV_VMTEST_NL_H
#define DNNGOV_VMTEST_NL_H

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NL_BUFSZ	65536
#define NL_QUEUE	64

/* One received message kept for later (notifications, decisions). */
struct nl_held {
	size_t len;
	unsigned char *buf;
};

struct nlc {
	int fd;
	uint32_t portid;
	uint16_t family;	/* dnngov family id */
	uint32_t events_grp;	/* "events" multicast group id */
	uint32_t seq;
	unsigned int q_head, q_len;
	struct nl_held q[NL_QUEUE];	/* notifications seen while waiting */
};

/* Outcome of a request: errno (0 or negative) and the extack. */
struct nlerr {
	int err;
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if none */
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS, 0 if none */
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, -1 if none */
	int miss_nest;		/* NLMSGERR_ATTR_MISS_NEST offset, -1 if none */
};

struct nlmsg {
	size_t len;
	union {
		struct nlmsghdr nlh;
		unsigned char buf[NL_BUFSZ];
	};
};

typedef int (*nl_cb)(const struct nlmsghdr *nlh, void *ctx);

/* Open a socket and resolve family "dnngov". 0, or -errno (-ENOENT: no family). */
int nlc_open(struct nlc *c);
void nlc_close(struct nlc *c);
int nlc_join_events(struct nlc *c);

void msg_init(struct nlmsg *m, uint16_t type, uint16_t flags, uint8_t cmd,
	      uint8_t version);
/* Start a dnngov request: type = family, version 1, REQUEST|ACK. */
void msg_cmd(struct nlc *c, struct nlmsg *m, uint8_t cmd, uint16_t flags);
void msg_put(struct nlmsg *m, uint16_t type, const void *data, size_t len);
void msg_put_u32(struct nlmsg *m, uint16_t type, uint32_t v);
void msg_put_u64(struct nlmsg *m, uint16_t type, uint64_t v);
void msg_put_str(struct nlmsg *m, uint16_t type, const char *s);
struct nlattr *msg_nest(struct nlmsg *m, uint16_t type);
void msg_nest_end(struct nlmsg *m, struct nlattr *nest);

/* Send @m (its seq and pid are filled in), wait for the ack or NLMSG_DONE;
 * @cb sees each reply. Returns the errno of the ack (0 or negative). */
int nlc_request(struct nlc *c, struct nlmsg *m, nl_cb cb, void *ctx,
		struct nlerr *e);
/* Send raw bytes; wait for the answer to seq @seq (if it comes) for @ms. */
int nlc_send_raw(struct nlc *c, const void *buf, size_t len);
/* Wait up to @ms for a notification (seq 0); it is copied into @m. */
bool nlc_next_notification(struct nlc *c, struct nlmsg *m, unsigned int ms);
/* Drop queued and pending notifications. */
void nlc_drain(struct nlc *c);

/* ---- attribute parsing ---- */
#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))
#define NLA_LEN(a)	((int)(a)->nla_len - NLA_HDRLEN)
#define nla_for_each(pos, head, len, rem)					\
	for (pos = (struct nlattr *)(head), rem = (int)(len);			\
	     rem >= (int)sizeof(*pos) && pos->nla_len >= sizeof(*pos) &&	\
	     pos->nla_len <= rem;						\
	     rem -= NLA_ALIGN(pos->nla_len),					\
	     pos = (struct nlattr *)((char *)pos + NLA_ALIGN(pos->nla_len)))

/* Fill tb[0..max] (NULL for absent) from the attributes at @head. */
void nla_parse_buf(struct nlattr **tb, int max, const void *head, int len);
/* The attributes of a genetlink message after its genlmsghdr. */
void nla_parse_genl(struct nlattr **tb, int max, const struct nlmsghdr *nlh);
void nla_parse_nest(struct nlattr **tb, int max, const struct nlattr *nest);
uint32_t nla_u32(const struct nlattr *a);
uint64_t nla_u64(const struct nlattr *a);
const char *nla_str(const struct nlattr *a);
uint8_t genl_cmd(const struct nlmsghdr *nlh);

#endif
