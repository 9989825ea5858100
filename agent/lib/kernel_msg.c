// SPDX-License-Identifier: MIT
/*
 * dnngov agent: netlink message building and parsing (kernel_msg.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "kernel_msg.h"

#define NLA_OK_(x)	((x) < 0 ? -ENOMEM : 0)

int kmsg_header(struct nl_msg *msg, int family, u8 cmd, int flags)
{
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd,
			 DNNGOV_GENL_VERSION))
		return -ENOMEM;
	return 0;
}

int kmsg_put_id(struct nl_msg *msg, u32 id)
{
	return NLA_OK_(nla_put_u32(msg, DNNGOV_A_WL_ID, id));
}

int kmsg_put_domain_name(struct nl_msg *msg, const char *domain)
{
	return NLA_OK_(nla_put_string(msg, DNNGOV_A_DOMAIN, domain));
}

int kmsg_put_power(struct nl_msg *msg, const char *domain, const u32 *khz,
		   const u32 *busy_uw, const u32 *idle_uw, u32 n)
{
	struct nlattr *opps, *e;
	u32 i;

	if (nla_put_string(msg, DNNGOV_A_DOMAIN, domain))
		return -ENOMEM;
	opps = nla_nest_start(msg, DNNGOV_A_OPPS);
	if (!opps)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		e = nla_nest_start(msg, DNNGOV_OPPS_A_ENTRY);
		if (!e || nla_put_u32(msg, DNNGOV_OPP_A_FREQ_KHZ, khz[i]) ||
		    nla_put_u32(msg, DNNGOV_OPP_A_POWER_BUSY_UW, busy_uw[i]) ||
		    nla_put_u32(msg, DNNGOV_OPP_A_POWER_IDLE_UW, idle_uw[i]))
			return -ENOMEM;
		nla_nest_end(msg, e);
	}
	nla_nest_end(msg, opps);
	return 0;
}

int kmsg_put_workload(struct nl_msg *msg, u32 id,
		      const struct dnngov_platform_workload *w)
{
	char name[DNNGOV_WORKLOAD_NAME_MAX];

	if (id) {
		if (nla_put_u32(msg, DNNGOV_A_WL_ID, id))
			return -ENOMEM;
	} else {
		/* the kernel refuses names that don't fit: truncate here */
		strncpy(name, w->name ? w->name : "", sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		if (nla_put_string(msg, DNNGOV_A_DOMAIN, w->domain) ||
		    nla_put_string(msg, DNNGOV_A_WL_NAME, name))
			return -ENOMEM;
	}
	if (nla_put_u32(msg, DNNGOV_A_TARGET_US, w->target_us) ||
	    nla_put_u32(msg, DNNGOV_A_ACC_FLOOR, w->accuracy_floor) ||
	    nla_put_u32(msg, DNNGOV_A_PERIOD_US, w->period_us))
		return -ENOMEM;
	return 0;
}

int kmsg_put_levels(struct nl_msg *msg, u32 id,
		    const struct dnngov_level *levels, u32 n)
{
	struct nlattr *nest, *e;
	u32 i;

	if (id && nla_put_u32(msg, DNNGOV_A_WL_ID, id))
		return -ENOMEM;
	nest = nla_nest_start(msg, DNNGOV_A_LEVELS);
	if (!nest)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		e = nla_nest_start(msg, DNNGOV_LEVELS_A_ENTRY);
		if (!e ||
		    nla_put_u32(msg, DNNGOV_LEVEL_A_ACCURACY, levels[i].accuracy) ||
		    nla_put_u64(msg, DNNGOV_LEVEL_A_CYCLES, levels[i].cycles) ||
		    nla_put_u32(msg, DNNGOV_LEVEL_A_FIXED_US, levels[i].fixed_us))
			return -ENOMEM;
		nla_nest_end(msg, e);
	}
	nla_nest_end(msg, nest);
	return 0;
}

int kmsg_put_report(struct nl_msg *msg, u32 id,
		    const struct dnngov_platform_report *r)
{
	if (nla_put_u32(msg, DNNGOV_A_WL_ID, id) ||
	    nla_put_u32(msg, DNNGOV_A_RPT_LEVEL, r->level) ||
	    nla_put_u32(msg, DNNGOV_A_RPT_LATENCY_US, r->latency_us) ||
	    nla_put_u32(msg, DNNGOV_A_RPT_COUNT, r->count) ||
	    nla_put_u64(msg, DNNGOV_A_RPT_BUSY_US, r->busy_us))
		return -ENOMEM;
	/* optional: the slowest latency teaches the module the tail ratio */
	if (r->latency_max_us &&
	    nla_put_u32(msg, DNNGOV_A_RPT_LATENCY_MAX_US, r->latency_max_us))
		return -ENOMEM;
	return 0;
}

static struct nla_policy top_policy[DNNGOV_A_MAX + 1] = {
	[DNNGOV_A_DOMAIN] = { .type = NLA_STRING,
			      .maxlen = DNNGOV_DOMAIN_NAME_MAX },
	[DNNGOV_A_WL_ID] = { .type = NLA_U32 },
	[DNNGOV_A_WL_NAME] = { .type = NLA_STRING,
			       .maxlen = DNNGOV_WORKLOAD_NAME_MAX },
	[DNNGOV_A_TARGET_US] = { .type = NLA_U32 },
	[DNNGOV_A_ACC_FLOOR] = { .type = NLA_U32 },
	[DNNGOV_A_PERIOD_US] = { .type = NLA_U32 },
	[DNNGOV_A_LEVELS] = { .type = NLA_NESTED },
	[DNNGOV_A_LEVEL] = { .type = NLA_U32 },
	[DNNGOV_A_SLOWDOWN] = { .type = NLA_U32 },
	[DNNGOV_A_OPPS] = { .type = NLA_NESTED },
	[DNNGOV_A_CUR_KHZ] = { .type = NLA_U32 },
	[DNNGOV_A_MIN_KHZ] = { .type = NLA_U32 },
	[DNNGOV_A_MAX_KHZ] = { .type = NLA_U32 },
	[DNNGOV_A_FLOOR_KHZ] = { .type = NLA_U32 },
	[DNNGOV_A_STATS] = { .type = NLA_NESTED },
	[DNNGOV_A_DECISION] = { .type = NLA_NESTED },
	[DNNGOV_A_MISSES] = { .type = NLA_U64 },
	[DNNGOV_A_INFERENCES] = { .type = NLA_U64 },
	[DNNGOV_A_CAPACITY] = { .type = NLA_U32 },
};

static struct nla_policy dec_policy[DNNGOV_DECISION_A_MAX + 1] = {
	[DNNGOV_DECISION_A_FREQ_KHZ] = { .type = NLA_U32 },
	[DNNGOV_DECISION_A_OPP] = { .type = NLA_U32 },
	[DNNGOV_DECISION_A_FLAGS] = { .type = NLA_U32 },
	[DNNGOV_DECISION_A_POWER_UW] = { .type = NLA_U64 },
	[DNNGOV_DECISION_A_WORKLOADS] = { .type = NLA_NESTED },
};

static struct nla_policy dwl_policy[DNNGOV_DECISION_WL_A_MAX + 1] = {
	[DNNGOV_DECISION_WL_A_ID] = { .type = NLA_U32 },
	[DNNGOV_DECISION_WL_A_LEVEL] = { .type = NLA_U32 },
	[DNNGOV_DECISION_WL_A_LATENCY_US] = { .type = NLA_U32 },
	[DNNGOV_DECISION_WL_A_FLAGS] = { .type = NLA_U32 },
};

static struct nla_policy opp_policy[DNNGOV_OPP_A_MAX + 1] = {
	[DNNGOV_OPP_A_FREQ_KHZ] = { .type = NLA_U32 },
	[DNNGOV_OPP_A_POWER_BUSY_UW] = { .type = NLA_U32 },
	[DNNGOV_OPP_A_POWER_IDLE_UW] = { .type = NLA_U32 },
};

static u32 get_u32(struct nlattr **tb, int a, u32 def)
{
	return tb[a] ? nla_get_u32(tb[a]) : def;
}

static void get_str(struct nlattr **tb, int a, char *dst, size_t len)
{
	dst[0] = '\0';
	if (tb[a])
		nla_strlcpy(dst, tb[a], len);
}

static int parse_top(struct nlmsghdr *nlh, struct nlattr **tb)
{
	if (genlmsg_parse(nlh, 0, tb, DNNGOV_A_MAX, top_policy) < 0)
		return -EINVAL;
	return 0;
}

static int parse_decision_nest(struct nlattr *nest, struct kmsg_decision *out)
{
	struct nlattr *tb[DNNGOV_DECISION_A_MAX + 1];
	struct nlattr *wtb[DNNGOV_DECISION_WL_A_MAX + 1];
	struct nlattr *e;
	int rem;

	if (nla_parse_nested(tb, DNNGOV_DECISION_A_MAX, nest, dec_policy) < 0 ||
	    !tb[DNNGOV_DECISION_A_FREQ_KHZ])
		return -EINVAL;
	out->freq_khz = nla_get_u32(tb[DNNGOV_DECISION_A_FREQ_KHZ]);
	out->opp = get_u32(tb, DNNGOV_DECISION_A_OPP, 0);
	out->flags = get_u32(tb, DNNGOV_DECISION_A_FLAGS, 0);
	out->n = 0;
	if (!tb[DNNGOV_DECISION_A_WORKLOADS])
		return 0;
	nla_for_each_nested(e, tb[DNNGOV_DECISION_A_WORKLOADS], rem) {
		if (out->n >= DNNGOV_POLICY_MAX_WORKLOADS)
			return -EINVAL;
		if (nla_parse_nested(wtb, DNNGOV_DECISION_WL_A_MAX, e,
				     dwl_policy) < 0 ||
		    !wtb[DNNGOV_DECISION_WL_A_ID] ||
		    !wtb[DNNGOV_DECISION_WL_A_LEVEL])
			return -EINVAL;
		out->id[out->n] = nla_get_u32(wtb[DNNGOV_DECISION_WL_A_ID]);
		out->level[out->n] = nla_get_u32(wtb[DNNGOV_DECISION_WL_A_LEVEL]);
		out->latency_us[out->n] = get_u32(wtb, DNNGOV_DECISION_WL_A_LATENCY_US, 0);
		out->wflags[out->n] = get_u32(wtb, DNNGOV_DECISION_WL_A_FLAGS, 0);
		out->n++;
	}
	return 0;
}

int kmsg_parse_decision(struct nlmsghdr *nlh, struct kmsg_decision *out)
{
	struct nlattr *tb[DNNGOV_A_MAX + 1];

	memset(out, 0, sizeof(*out));
	if (parse_top(nlh, tb) || !tb[DNNGOV_A_DOMAIN] || !tb[DNNGOV_A_DECISION])
		return -EINVAL;
	get_str(tb, DNNGOV_A_DOMAIN, out->domain, sizeof(out->domain));
	return parse_decision_nest(tb[DNNGOV_A_DECISION], out);
}

int kmsg_parse_domain(struct nlmsghdr *nlh, struct dnngov_platform_domain *out)
{
	struct nlattr *tb[DNNGOV_A_MAX + 1];
	struct nlattr *otb[DNNGOV_OPP_A_MAX + 1];
	struct nlattr *e;
	int rem;

	memset(out, 0, sizeof(*out));
	if (parse_top(nlh, tb) || !tb[DNNGOV_A_DOMAIN])
		return -EINVAL;
	get_str(tb, DNNGOV_A_DOMAIN, out->name, sizeof(out->name));
	out->cur_khz = get_u32(tb, DNNGOV_A_CUR_KHZ, 0);
	out->min_khz = get_u32(tb, DNNGOV_A_MIN_KHZ, 0);
	out->max_khz = get_u32(tb, DNNGOV_A_MAX_KHZ, 0);
	out->capacity = get_u32(tb, DNNGOV_A_CAPACITY, 1);
	snprintf(out->governor, sizeof(out->governor), "dnngov");
	if (tb[DNNGOV_A_OPPS]) {
		nla_for_each_nested(e, tb[DNNGOV_A_OPPS], rem) {
			if (out->n_opps >= DNNGOV_POLICY_MAX_OPPS)
				break;
			if (nla_parse_nested(otb, DNNGOV_OPP_A_MAX, e,
					     opp_policy) < 0 ||
			    !otb[DNNGOV_OPP_A_FREQ_KHZ])
				return -EINVAL;
			out->opps_khz[out->n_opps++] =
				nla_get_u32(otb[DNNGOV_OPP_A_FREQ_KHZ]);
		}
	}
	return 0;
}

int kmsg_parse_workload(struct nlmsghdr *nlh, struct kmsg_workload *out)
{
	struct nlattr *tb[DNNGOV_A_MAX + 1];

	memset(out, 0, sizeof(*out));
	if (parse_top(nlh, tb) || !tb[DNNGOV_A_WL_ID])
		return -EINVAL;
	out->id = nla_get_u32(tb[DNNGOV_A_WL_ID]);
	get_str(tb, DNNGOV_A_DOMAIN, out->domain, sizeof(out->domain));
	get_str(tb, DNNGOV_A_WL_NAME, out->name, sizeof(out->name));
	out->target_us = get_u32(tb, DNNGOV_A_TARGET_US, 0);
	out->accuracy_floor = get_u32(tb, DNNGOV_A_ACC_FLOOR, 0);
	out->period_us = get_u32(tb, DNNGOV_A_PERIOD_US, 0);
	out->level = get_u32(tb, DNNGOV_A_LEVEL, 0);
	out->slowdown_fp = get_u32(tb, DNNGOV_A_SLOWDOWN, 0);
	if (tb[DNNGOV_A_INFERENCES])
		out->inferences = nla_get_u64(tb[DNNGOV_A_INFERENCES]);
	if (tb[DNNGOV_A_MISSES])
		out->misses = nla_get_u64(tb[DNNGOV_A_MISSES]);
	return 0;
}

const char *kmsg_ext_ack(struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = nlmsg_data(nlh);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off, datalen;

	if (nlh->nlmsg_type != NLMSG_ERROR || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    nlh->nlmsg_len < NLMSG_HDRLEN)
		return NULL;
	datalen = nlh->nlmsg_len - NLMSG_HDRLEN;
	if (datalen < sizeof(*e))
		return NULL;
	/* the echoed request: its header only when capped, else all of it */
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(e->msg) ||
		    e->msg.nlmsg_len - sizeof(e->msg) > datalen)
			return NULL;
		off += e->msg.nlmsg_len - sizeof(e->msg);
	}
	off = NLMSG_ALIGN(off);
	if (off >= datalen)
		return NULL;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      (int)(datalen - off), NULL) < 0 || !tb[NLMSGERR_ATTR_MSG])
		return NULL;
	/* the kernel NUL-terminates it; don't trust that blindly */
	if (!memchr(nla_data(tb[NLMSGERR_ATTR_MSG]), 0,
		    (size_t)nla_len(tb[NLMSGERR_ATTR_MSG])))
		return NULL;
	return nla_data(tb[NLMSGERR_ATTR_MSG]);
}
