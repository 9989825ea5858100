// SPDX-License-Identifier: GPL-2.0
/*
 * Test "fuzz": a bounded, seeded random fuzz of the dnngov family. Random
 * commands, flags, header fields, attribute types, lengths, values and
 * nesting, half of them built around valid requests so that they get past
 * the parser, sent with CAP_NET_ADMIN and without. The kernel must answer
 * every one (or drop it) and afterwards still work exactly as predicted.
 * FUZZ_SEED / FUZZ_COUNT in the environment (kernel command line) override
 * the defaults, e.g. to replay a failure.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dg.h"
#include "vmtest.h"

static uint64_t rng;

static uint32_t rnd(void)
{
	/* xorshift64*: deterministic across libcs */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static uint32_t interesting_u32(void)
{
	static const uint32_t v[] = {
		0, 1, 2, 3, 4, 15, 16, 17, 100, 101, 1000, 7300, 10000, 10001,
		114750, 1109250, 1907200, 60000000, 60000001, 0x7fffffff,
		0x80000000, 0xffffffff,
	};

	return below(4) ? v[below(sizeof(v) / sizeof(v[0]))] : rnd();
}

static const char *const domains[] = {
	DG_GPU_DOMAIN, "cpufreq:policy0", "cpufreq:policy1", "devfreq:", "", "x",
};

static void put_random_attr(struct nlmsg *m, int depth)
{
	uint16_t type = (uint16_t)below(DNNGOV_A_MAX + 4);
	unsigned char buf[96];
	uint32_t len, i, k;
	struct nlattr *n;

	if (m->len > NL_BUFSZ - 2048)
		return;
	switch (below(6)) {
	case 0:		/* a u32 of an interesting value */
		msg_put_u32(m, type, interesting_u32());
		break;
	case 1:		/* a u64 */
		msg_put_u64(m, type, ((uint64_t)interesting_u32() << 32) | rnd());
		break;
	case 2:		/* a domain-like string, terminated or not */
		{
			const char *s = domains[below(sizeof(domains) / sizeof(domains[0]))];

			msg_put(m, type, s, strlen(s) + below(2));
		}
		break;
	case 3:		/* random bytes of a random length */
		len = below(sizeof(buf));
		for (i = 0; i < len; i++)
			buf[i] = (unsigned char)rnd();
		msg_put(m, type, buf, len);
		break;
	default:	/* nested, possibly without NLA_F_NESTED */
		if (depth > 3) {
			msg_put_u32(m, type, rnd());
			break;
		}
		n = msg_nest(m, type);
		if (below(4) == 0)
			n->nla_type &= ~NLA_F_NESTED;
		k = below(5);
		for (i = 0; i < k; i++)
			put_random_attr(m, depth + 1);
		msg_nest_end(m, n);
		break;
	}
}

/* A valid request of a random mutating or reading command. */
static void valid_base(struct nlc *c, struct nlmsg *m, uint32_t id)
{
	static const struct dg_level lv[] = {
		{ 4000000, 7000, 200 }, { 6000000, 7400, 200 },
	};
	uint8_t cmd = (uint8_t)(1 + below(DNNGOV_CMD_MAX));

	msg_cmd(c, m, cmd, below(8) == 0 ? NLM_F_DUMP : 0);
	if (below(4))
		msg_put_str(m, DNNGOV_A_DOMAIN, DG_GPU_DOMAIN);
	if (below(2))
		msg_put_u32(m, DNNGOV_A_WL_ID, below(3) ? id : interesting_u32());
	if (cmd == DNNGOV_CMD_NEW_WORKLOAD || below(3) == 0) {
		msg_put_str(m, DNNGOV_A_WL_NAME, "fuzz");
		msg_put_u32(m, DNNGOV_A_TARGET_US, 1 + below(100000));
	}
	if (below(3) == 0)
		dg_put_levels(m, lv, 1 + below(2));
	if (cmd == DNNGOV_CMD_REPORT) {
		msg_put_u32(m, DNNGOV_A_RPT_LEVEL, below(3));
		msg_put_u32(m, DNNGOV_A_RPT_LATENCY_US, 1 + below(50000));
		msg_put_u32(m, DNNGOV_A_RPT_COUNT, below(10));
	}
}

static void build(struct nlc *c, struct nlmsg *m, uint32_t id)
{
	struct genlmsghdr *g;
	uint32_t k, i;

	if (below(2))
		valid_base(c, m, id);
	else
		msg_init(m, below(16) ? c->family : (uint16_t)rnd(),
			 NLM_F_REQUEST | (below(2) ? NLM_F_ACK : 0) |
			 (below(8) ? 0 : (uint16_t)rnd()),
			 (uint8_t)below(DNNGOV_CMD_MAX + 4), (uint8_t)below(3));
	k = below(6);
	for (i = 0; i < k; i++)
		put_random_attr(m, 0);
	g = NLMSG_DATA(&m->nlh);
	if (below(32) == 0)
		g->reserved = (uint16_t)rnd();
	if (below(32) == 0) {	/* lie about the length */
		m->len = NLMSG_HDRLEN + below((uint32_t)m->len);
		m->nlh.nlmsg_len = (uint32_t)m->len;
	}
	if (below(64) == 0)
		m->nlh.nlmsg_flags ^= (uint16_t)(1U << below(16));
	m->nlh.nlmsg_seq = ++c->seq;
	m->nlh.nlmsg_pid = c->portid;
}

/* Read what is there without waiting long; count acks and errors. */
static void drain(struct nlc *c, unsigned int ms, unsigned long *acks)
{
	static unsigned char buf[NL_BUFSZ];
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	struct nlmsghdr *nlh;
	ssize_t n;
	int rem;

	while (poll(&p, 1, (int)ms) > 0) {
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			break;
		rem = (int)n;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, rem); nlh = NLMSG_NEXT(nlh, rem))
			if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE)
				(*acks)++;
		ms = 0;
	}
}

static int fuzz_run(uint64_t seed, unsigned long count, unsigned long *acks,
		    bool keep_workload)
{
	static const struct dg_level lv[] = { { 4000000, 7000, 200 } };
	struct nlmsg *m = malloc(sizeof(*m));
	struct nlc c;
	uint32_t id = 1;
	unsigned long i;

	if (!m || nlc_open(&c))
		return -1;
	rng = seed ? seed : 1;
	if (keep_workload)
		dg_new_wl(&c, DG_GPU_DOMAIN, "fuzz-base", 10000, 0, 0, lv, 1, &id, NULL);
	for (i = 0; i < count; i++) {
		build(&c, m, id);
		nlc_send_raw(&c, m->buf, m->len);
		drain(&c, (i % 16) ? 0 : 20, acks);
	}
	drain(&c, 200, acks);
	nlc_close(&c);
	free(m);
	return 0;
}

struct unpriv_arg {
	uint64_t seed;
	unsigned long count;
};

static int fuzz_unpriv(void *arg)
{
	struct unpriv_arg *a = arg;
	unsigned long acks = 0;

	return fuzz_run(a->seed, a->count, &acks, false) ? 2 : 0;
}

void test_fuzz(void)
{
	static const struct dg_level lv[] = {
		{ 4000000, 7000, 200 }, { 6000000, 7400, 200 }, { 9000000, 7700, 200 },
	};
	static struct dg_wl wls[64];
	const char *s = getenv("FUZZ_SEED"), *n = getenv("FUZZ_COUNT");
	uint64_t seed = s ? strtoull(s, NULL, 0) : 0x646e6e676f76ULL;
	unsigned long count = n ? strtoul(n, NULL, 0) : 3000, acks = 0;
	struct unpriv_arg ua;
	struct dnngov_decision p;
	struct dg_dom d;
	struct nlerr e;
	struct nlc c;
	uint64_t t0 = vt_now_ms();
	uint32_t id;
	char why[256];
	int ret, nw, i;

	if (!vt_check(dg_module(dg_default_params) == 0, "dnngov.ko loaded") ||
	    !vt_check(nlc_open(&c) == 0, "socket open"))
		return;
	vt_check(dg_govern(&c, DG_GPU_DOMAIN) && dg_govern(&c, dg_cpu_domain()),
		 "GPU and %s governed by dnngov", dg_cpu_domain());
	vt_note("fuzz seed %#llx, %lu messages privileged, %lu unprivileged",
		(unsigned long long)seed, count, count / 3);

	ret = fuzz_run(seed, count, &acks, true);
	vt_check(ret == 0, "%lu privileged messages sent, %lu answers", count, acks);
	ua.seed = seed ^ 0x5555;
	ua.count = count / 3;
	ret = dg_unprivileged(fuzz_unpriv, &ua);
	vt_check(ret == 0, "%lu unprivileged messages sent (%d)", ua.count, ret);
	vt_note("fuzz took %llu ms", (unsigned long long)(vt_now_ms() - t0));

	/* The fuzzing sockets are closed: none of their workloads may remain. */
	nw = dg_dump_wls(&c, wls, 64);
	vt_check(nw == 0, "no workload left behind by the fuzzers (%d)", nw);
	for (i = 0; i < nw && i < 4; i++)
		vt_note("left: id %u \"%s\" on %s owner %u", wls[i].id, wls[i].name,
			wls[i].domain, wls[i].owner);

	ret = dg_new_wl(&c, DG_GPU_DOMAIN, "after", 10000, 7300, 33000, lv, 3, &id, &e);
	vt_check(ret == 0, "NEW_WORKLOAD after the fuzz (%d %s)", ret, e.msg);
	vt_check(dg_settled(&c, DG_GPU_DOMAIN, &d, &p, why, sizeof(why)),
		 "decision after the fuzz as predicted (%s)", why);
	ret = dg_set_wl(&c, id, 0, 0, 0, &e);
	vt_check(ret == -ERANGE, "validation still works after the fuzz (%d)", ret);
	vt_check(dg_del_wl(&c, id, &e) == 0, "DEL_WORKLOAD after the fuzz");
	nlc_close(&c);
	dg_set_gov(DG_GPU_DOMAIN, "simple_ondemand");
	dg_set_gov(dg_cpu_domain(), "schedutil");
}
