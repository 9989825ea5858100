// SPDX-License-Identifier: MIT
/*
 * dnngov agent: the kernel backend, dnngov.ko over generic netlink
 * (libnl-genl-3). One socket owns the workloads (the module deletes them
 * when it closes) and is subscribed to the "events" group; decisions arrive
 * on it asynchronously, so requests match their ack by sequence number and
 * everything else read meanwhile is dispatched as an event.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "kernel_msg.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* A request the module never answers must not hang dnngovd. */
#define KERNEL_REPLY_TIMEOUT_S	2

struct kwl {
	u32 id;
	struct dnngov_platform_decision dec;
};

struct kernel_priv {
	struct nl_sock *sk;
	int family;
	/* current request */
	u32 seq;
	bool done;
	int err;
	char ack[200];
	/* reply collection */
	struct kmsg_workload *wl_reply;
	struct dnngov_platform_domain *dom_out;
	u32 dom_max, dom_n;
	/* workloads we own, for decisions */
	struct kwl wl[DNNGOV_POLICY_MAX_WORKLOADS];
	u64 dec_seq;
	struct kmsg_decision last;	/* for dropping the multicast copy */
	bool have_last;
	/* a domain pinned through its limits (calibration), to restore */
	struct {
		char domain[DNNGOV_DOMAIN_NAME_MAX];
		char min[32], max[32];	/* the user's limits, as read */
	} pin;
};

static struct kwl *find_wl(struct kernel_priv *kp, u32 id)
{
	u32 i;

	for (i = 0; i < DNNGOV_POLICY_MAX_WORKLOADS; i++)
		if (id && kp->wl[i].id == id)
			return &kp->wl[i];
	return NULL;
}

static void on_decision(struct kernel_priv *kp, struct nlmsghdr *nlh)
{
	struct kmsg_decision d;
	u32 i;

	if (kmsg_parse_decision(nlh, &d))
		return;
	/* the owner gets a unicast and the group a multicast copy */
	if (kp->have_last && !memcmp(&d, &kp->last, sizeof(d)))
		return;
	kp->last = d;
	kp->have_last = true;
	kp->dec_seq++;
	for (i = 0; i < d.n; i++) {
		struct kwl *w = find_wl(kp, d.id[i]);

		if (!w)
			continue;
		w->dec.seq = kp->dec_seq;
		w->dec.freq_khz = d.freq_khz;
		w->dec.opp = d.opp;
		w->dec.flags = d.flags;
		w->dec.level = d.level[i];
		w->dec.latency_us = d.latency_us[i];
		w->dec.wl_flags = d.wflags[i];
	}
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct kernel_priv *kp = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);

	if (nlh->nlmsg_type != kp->family)
		return NL_SKIP;
	if (gh->cmd == DNNGOV_CMD_DECISION) {
		on_decision(kp, nlh);
		return NL_OK;
	}
	if (nlh->nlmsg_seq != kp->seq)
		return NL_SKIP;	/* another event, or stale */
	if (kp->wl_reply && (gh->cmd == DNNGOV_CMD_NEW_WORKLOAD ||
			     gh->cmd == DNNGOV_CMD_GET_WORKLOAD))
		kmsg_parse_workload(nlh, kp->wl_reply);
	if (kp->dom_out && gh->cmd == DNNGOV_CMD_GET_DOMAIN &&
	    kp->dom_n < kp->dom_max &&
	    kmsg_parse_domain(nlh, &kp->dom_out[kp->dom_n]) == 0)
		kp->dom_n++;
	return NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct kernel_priv *kp = arg;

	if (nlmsg_hdr(msg)->nlmsg_seq == kp->seq)
		kp->done = true;
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	return on_finish(msg, arg);
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct kernel_priv *kp = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	const char *m;

	(void)nla;
	if (nlh->nlmsg_seq != kp->seq)
		return NL_SKIP;
	kp->err = e->error;
	kp->done = true;
	m = kmsg_ext_ack(nlh);
	snprintf(kp->ack, sizeof(kp->ack), "%s", m ? m : "");
	return NL_STOP;
}

/* Send @msg (freed) and read until its ack, dispatching events meanwhile. */
static int request(struct dnngov_platform *p, struct nl_msg *msg,
		   const char *what)
{
	struct kernel_priv *kp = p->priv;
	struct timespec t0, t1;
	int err;

	kp->done = false;
	kp->err = 0;
	kp->ack[0] = '\0';
	err = nl_send_auto(kp->sk, msg);
	kp->seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (err < 0)
		return dnngov_platform_errf(p, -EIO, "%s: netlink send: %s",
					    what, nl_geterror(err));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!kp->done) {
		/* SO_RCVTIMEO: libnl returns 0 (nothing read) when it expires */
		err = nl_recvmsgs_default(kp->sk);
		if (err < 0 && err != -NLE_AGAIN && !kp->done)
			return dnngov_platform_errf(p, -EIO,
						    "%s: netlink receive: %s",
						    what, nl_geterror(err));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!kp->done && t1.tv_sec - t0.tv_sec >= KERNEL_REPLY_TIMEOUT_S)
			return dnngov_platform_errf(p, -ETIMEDOUT,
						    "%s: no answer from dnngov.ko within %d s",
						    what, KERNEL_REPLY_TIMEOUT_S);
	}
	if (kp->err < 0) {
		if (kp->err == -EPERM)
			return dnngov_platform_errf(p, kp->err,
						    "%s: not permitted (needs CAP_NET_ADMIN: run dnngovd as root or give it the capability)",
						    what);
		return dnngov_platform_errf(p, kp->err, "%s: %s%s%s", what,
					    strerror(-kp->err),
					    kp->ack[0] ? ": " : "", kp->ack);
	}
	return 0;
}

static struct nl_msg *new_msg(struct dnngov_platform *p, u8 cmd, int flags)
{
	struct kernel_priv *kp = p->priv;
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (kmsg_header(msg, kp->family, cmd, flags | NLM_F_ACK)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

#define NOMEM(p) dnngov_platform_errf(p, -ENOMEM, "out of memory")

static int kernel_open(struct dnngov_platform *p)
{
	struct kernel_priv *kp = p->priv;
	int one = 1, grp, err;

	kp->sk = nl_socket_alloc();
	if (!kp->sk)
		return NOMEM(p);
	err = genl_connect(kp->sk);
	if (err < 0)
		return dnngov_platform_errf(p, -ENODEV,
					    "cannot open a generic netlink socket: %s",
					    nl_geterror(err));
	kp->family = genl_ctrl_resolve(kp->sk, DNNGOV_GENL_NAME);
	if (kp->family < 0)
		return dnngov_platform_errf(p, -ENOENT,
					    "dnngov.ko is not loaded (no generic netlink family \"%s\"; modprobe dnngov)",
					    DNNGOV_GENL_NAME);
	grp = genl_ctrl_resolve_grp(kp->sk, DNNGOV_GENL_NAME,
				    DNNGOV_GENL_MCGRP_EVENTS);
	if (grp >= 0)
		nl_socket_add_membership(kp->sk, grp);
	setsockopt(nl_socket_get_fd(kp->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(kp->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	{
		struct timeval tv = { .tv_sec = KERNEL_REPLY_TIMEOUT_S };

		setsockopt(nl_socket_get_fd(kp->sk), SOL_SOCKET, SO_RCVTIMEO,
			   &tv, sizeof(tv));
	}
	/* notifications carry seq 0: match replies ourselves */
	nl_socket_disable_seq_check(kp->sk);
	nl_socket_modify_cb(kp->sk, NL_CB_VALID, NL_CB_CUSTOM, on_valid, kp);
	nl_socket_modify_cb(kp->sk, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, kp);
	nl_socket_modify_cb(kp->sk, NL_CB_ACK, NL_CB_CUSTOM, on_ack, kp);
	nl_socket_modify_err_cb(kp->sk, NL_CB_CUSTOM, on_error, kp);
	return 0;
}

static int restore_pin(struct dnngov_platform *p);

static void kernel_close(struct dnngov_platform *p)
{
	struct kernel_priv *kp = p->priv;

	if (!kp)
		return;
	restore_pin(p);
	/* closing the socket deletes our workloads in the module */
	if (kp->sk)
		nl_socket_free(kp->sk);
	free(kp);
	p->priv = NULL;
}

static int get_domains(struct dnngov_platform *p, const char *name,
		       struct dnngov_platform_domain *out, u32 max, u32 *n)
{
	struct kernel_priv *kp = p->priv;
	struct nl_msg *msg = new_msg(p, DNNGOV_CMD_GET_DOMAIN,
				     name ? 0 : NLM_F_DUMP);
	int err;

	if (!msg || (name && kmsg_put_domain_name(msg, name))) {
		nlmsg_free(msg);
		return NOMEM(p);
	}
	kp->dom_out = out;
	kp->dom_max = max;
	kp->dom_n = 0;
	err = request(p, msg, name ? name : "list domains");
	kp->dom_out = NULL;
	*n = kp->dom_n;
	return err;
}

static int kernel_list(struct dnngov_platform *p,
		       struct dnngov_platform_domain *out, u32 max, u32 *n)
{
	return get_domains(p, NULL, out, max, n);
}

static int kernel_domain_get(struct dnngov_platform *p, const char *domain,
			     struct dnngov_platform_domain *out)
{
	u32 n = 0;
	int err = get_domains(p, domain, out, 1, &n);

	if (!err && n != 1)
		return dnngov_platform_errf(p, -ENODEV,
					    "%s: no reply from dnngov.ko", domain);
	return err;
}

/* Limits files of a domain: cpufreq scaling_{min,max}_freq (kHz), devfreq
 * {min,max}_freq (Hz). */
static int limit_paths(const char *domain, char *min, char *max, size_t len,
		       u32 *scale)
{
	const char *root = "/sys";

	if (!strncmp(domain, "cpufreq:", 8)) {
		snprintf(min, len, "%s/devices/system/cpu/cpufreq/%s/scaling_min_freq", root, domain + 8);
		snprintf(max, len, "%s/devices/system/cpu/cpufreq/%s/scaling_max_freq", root, domain + 8);
		*scale = 1;
		return 0;
	}
	if (!strncmp(domain, "devfreq:", 8)) {
		snprintf(min, len, "%s/class/devfreq/%s/min_freq", root, domain + 8);
		snprintf(max, len, "%s/class/devfreq/%s/max_freq", root, domain + 8);
		*scale = 1000;
		return 0;
	}
	return -EINVAL;
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return -EIO;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_line(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(val, f) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/*
 * Write min and max so the kernel accepts each step (min may not exceed
 * max): the one that moves away from the other first.
 */
static int write_limits(const char *minp, const char *maxp, const char *min,
			const char *max, unsigned long long cur_min)
{
	int err;

	if (strtoull(min, NULL, 10) > cur_min) {
		err = write_line(maxp, max);
		return err ? err : write_line(minp, min);
	}
	err = write_line(minp, min);
	return err ? err : write_line(maxp, max);
}

/* Give the pinned domain its user's limits back. */
static int restore_pin(struct dnngov_platform *p)
{
	struct kernel_priv *kp = p->priv;
	char minp[256], maxp[256], cur[32];
	u32 scale;
	int err;

	if (!kp->pin.domain[0])
		return 0;
	if (limit_paths(kp->pin.domain, minp, maxp, sizeof(minp), &scale) ||
	    read_line(minp, cur, sizeof(cur)))
		cur[0] = '0', cur[1] = '\0';
	err = write_limits(minp, maxp, kp->pin.min, kp->pin.max, strtoull(cur, NULL, 10));
	if (err)
		dnngov_platform_errf(p, err, "%s: cannot restore the limits %s..%s: %s",
				     kp->pin.domain, kp->pin.min, kp->pin.max, strerror(-err));
	kp->pin.domain[0] = '\0';
	return err;
}

/*
 * Calibration: the governor always honours the domain's limits, so a
 * frequency is pinned by setting min = max = @khz; the user's limits are
 * saved at the first pin and restored by @khz = 0 (and at close).
 */
static int kernel_set_freq(struct dnngov_platform *p, const char *domain,
			   u32 khz)
{
	struct kernel_priv *kp = p->priv;
	char minp[256], maxp[256], val[32], cur[32];
	u32 scale;
	int err;

	if (!khz)
		return restore_pin(p);
	if (limit_paths(domain, minp, maxp, sizeof(minp), &scale))
		return dnngov_platform_errf(p, -EINVAL, "%s: not a cpufreq: or devfreq: domain", domain);
	if (kp->pin.domain[0] && strcmp(kp->pin.domain, domain)) {
		err = restore_pin(p);
		if (err)
			return err;
	}
	if (read_line(minp, cur, sizeof(cur)) == 0 && !kp->pin.domain[0]) {
		err = read_line(maxp, kp->pin.max, sizeof(kp->pin.max));
		if (err)
			return dnngov_platform_errf(p, err, "%s: cannot read %s: %s", domain, maxp,
						    strerror(-err));
		snprintf(kp->pin.min, sizeof(kp->pin.min), "%s", cur);
		snprintf(kp->pin.domain, sizeof(kp->pin.domain), "%s", domain);
	} else if (!kp->pin.domain[0]) {
		return dnngov_platform_errf(p, -errno ? -errno : -EIO,
					    "%s: cannot read %s: pinning a frequency for calibration needs its limits (root)",
					    domain, minp);
	}
	snprintf(val, sizeof(val), "%llu", (unsigned long long)khz * scale);
	err = write_limits(minp, maxp, val, val, strtoull(cur, NULL, 10));
	if (err)
		return dnngov_platform_errf(p, err, "%s: cannot pin %u kHz through %s: %s",
					    domain, khz, minp, strerror(-err));
	return 0;
}

static int kernel_add(struct dnngov_platform *p,
		      const struct dnngov_platform_workload *w, u32 *id)
{
	struct kernel_priv *kp = p->priv;
	struct nl_msg *msg = new_msg(p, DNNGOV_CMD_NEW_WORKLOAD, 0);
	struct kmsg_workload reply = { 0 };
	struct kwl *slot = NULL;
	char what[128];
	int err;

	for (u32 i = 0; i < DNNGOV_POLICY_MAX_WORKLOADS && !slot; i++)
		if (!kp->wl[i].id)
			slot = &kp->wl[i];
	if (!slot) {
		nlmsg_free(msg);
		return dnngov_platform_errf(p, -ENOSPC, "too many workloads");
	}
	if (!msg || kmsg_put_workload(msg, 0, w)) {
		nlmsg_free(msg);
		return NOMEM(p);
	}
	snprintf(what, sizeof(what), "new workload on %s", w->domain);
	kp->wl_reply = &reply;
	err = request(p, msg, what);
	kp->wl_reply = NULL;
	if (err)
		return err;
	if (!reply.id)
		return dnngov_platform_errf(p, -EPROTO,
					    "%s: dnngov.ko sent no workload id", what);
	memset(slot, 0, sizeof(*slot));
	slot->id = reply.id;
	*id = reply.id;
	return 0;
}

static int kernel_change(struct dnngov_platform *p, u32 id,
			 const struct dnngov_platform_workload *w)
{
	struct nl_msg *msg = new_msg(p, DNNGOV_CMD_SET_WORKLOAD, 0);

	if (!msg || kmsg_put_workload(msg, id, w)) {
		nlmsg_free(msg);
		return NOMEM(p);
	}
	return request(p, msg, "set workload");
}

static int kernel_del(struct dnngov_platform *p, u32 id)
{
	struct kernel_priv *kp = p->priv;
	struct nl_msg *msg = new_msg(p, DNNGOV_CMD_DEL_WORKLOAD, 0);
	struct kwl *w = find_wl(kp, id);

	if (w)
		w->id = 0;
	if (!msg || kmsg_put_id(msg, id)) {
		nlmsg_free(msg);
		return NOMEM(p);
	}
	return request(p, msg, "delete workload");
}

static int kernel_set_power(struct dnngov_platform *p, const char *domain,
			    const u32 *khz, const u32 *busy_uw, const u32 *idle_uw,
			    u32 n)
{
	struct nl_msg *msg = new_msg(p, DNNGOV_CMD_SET_DOMAIN, 0);

	if (!msg || kmsg_put_power(msg, domain, khz, busy_uw, idle_uw, n)) {
		nlmsg_free(msg);
		return NOMEM(p);
	}
	return request(p, msg, "set the power model");
}

static int kernel_levels(struct dnngov_platform *p, u32 id,
			 const struct dnngov_level *levels, u32 n)
{
	struct nl_msg *msg = new_msg(p, DNNGOV_CMD_SET_LEVELS, 0);

	if (!msg || kmsg_put_levels(msg, id, levels, n)) {
		nlmsg_free(msg);
		return NOMEM(p);
	}
	return request(p, msg, "set levels");
}

static int kernel_report(struct dnngov_platform *p, u32 id,
			 const struct dnngov_platform_report *r)
{
	struct nl_msg *msg = new_msg(p, DNNGOV_CMD_REPORT, 0);

	if (!msg || kmsg_put_report(msg, id, r)) {
		nlmsg_free(msg);
		return NOMEM(p);
	}
	return request(p, msg, "report");
}

/* Drain pending decisions without blocking. */
static int kernel_tick(struct dnngov_platform *p, u64 now_ns)
{
	struct kernel_priv *kp = p->priv;
	struct pollfd pfd = { .fd = nl_socket_get_fd(kp->sk), .events = POLLIN };
	int err;

	(void)now_ns;
	kp->seq = 0;
	while (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN)) {
		err = nl_recvmsgs_default(kp->sk);
		if (err < 0 && err != -NLE_AGAIN)
			return dnngov_platform_errf(p, -EIO,
						    "netlink receive: %s",
						    nl_geterror(err));
	}
	return 0;
}

static int kernel_decision(struct dnngov_platform *p, u32 id,
			   struct dnngov_platform_decision *out)
{
	struct kwl *w = find_wl(p->priv, id);

	if (!w)
		return dnngov_platform_errf(p, -ENOENT, "no workload %u", id);
	if (!w->dec.seq)
		return -ENODATA;
	*out = w->dec;
	return 0;
}

static int kernel_event_fd(struct dnngov_platform *p)
{
	struct kernel_priv *kp = p->priv;

	return kp->sk ? nl_socket_get_fd(kp->sk) : -1;
}

static const struct dnngov_platform_ops kernel_ops = {
	.name = "kernel",
	.open = kernel_open,
	.close = kernel_close,
	.list_domains = kernel_list,
	.domain_get = kernel_domain_get,
	.set_freq = kernel_set_freq,
	.set_power = kernel_set_power,
	.workload_add = kernel_add,
	.workload_change = kernel_change,
	.workload_del = kernel_del,
	.set_levels = kernel_levels,
	.report = kernel_report,
	.tick = kernel_tick,
	.decision = kernel_decision,
	.event_fd = kernel_event_fd,
};

int dnngov_platform_kernel_init(struct dnngov_platform *p)
{
	memset(p, 0, sizeof(*p));
	p->ops = &kernel_ops;
	p->priv = calloc(1, sizeof(struct kernel_priv));
	if (!p->priv)
		return dnngov_platform_errf(p, -ENOMEM, "out of memory");
	return 0;
}
