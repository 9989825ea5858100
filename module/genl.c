// SPDX-License-Identifier: GPL-2.0
/*
 * The "dnngov" generic netlink family: strict attribute policy, handlers,
 * notifications and the NETLINK_URELEASE notifier that drops a dead
 * socket's workloads. Documentation/netlink-api.md lists every error.
 */
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "compat.h"
#include "dnngov.h"

#define DNNGOV_CYCLES_MAX \
	((u64)DNNGOV_FREQ_KHZ_MAX * DNNGOV_TARGET_US_MAX / 1000)
#define DNNGOV_BUSY_US_MAX	(3600ULL * 1000000)	/* one hour */

static struct netlink_range_validation dnngov_target_range = {
	.min = 1, .max = DNNGOV_TARGET_US_MAX,
};

static struct netlink_range_validation dnngov_period_range = {
	.min = 0, .max = DNNGOV_PERIOD_US_MAX,
};

static struct netlink_range_validation dnngov_fixed_range = {
	.min = 0, .max = DNNGOV_TARGET_US_MAX,
};

static struct netlink_range_validation dnngov_freq_range = {
	.min = 1, .max = DNNGOV_FREQ_KHZ_MAX,
};

static struct netlink_range_validation dnngov_cycles_range = {
	.min = 0, .max = DNNGOV_CYCLES_MAX,
};

static struct netlink_range_validation dnngov_busy_range = {
	.min = 0, .max = DNNGOV_BUSY_US_MAX,
};

static struct netlink_range_validation dnngov_id_range = {
	.min = 1, .max = INT_MAX,
};

static const struct nla_policy dnngov_level_policy[DNNGOV_LEVEL_A_MAX + 1] = {
	[DNNGOV_LEVEL_A_ACCURACY] = NLA_POLICY_MAX(NLA_U32, DNNGOV_ACCURACY_MAX),
	[DNNGOV_LEVEL_A_CYCLES] = NLA_POLICY_FULL_RANGE(NLA_U64, &dnngov_cycles_range),
	[DNNGOV_LEVEL_A_FIXED_US] = NLA_POLICY_FULL_RANGE(NLA_U32, &dnngov_fixed_range),
};

static const struct nla_policy dnngov_opp_policy[DNNGOV_OPP_A_MAX + 1] = {
	[DNNGOV_OPP_A_FREQ_KHZ] = NLA_POLICY_FULL_RANGE(NLA_U32, &dnngov_freq_range),
	[DNNGOV_OPP_A_POWER_BUSY_UW] = { .type = NLA_U32 },
	[DNNGOV_OPP_A_POWER_IDLE_UW] = { .type = NLA_U32 },
};

/* Output-only attributes are rejected as input. */
static const struct nla_policy dnngov_policy[DNNGOV_A_MAX + 1] = {
	[DNNGOV_A_DOMAIN] = { .type = NLA_NUL_STRING,
			      .len = DNNGOV_DOMAIN_NAME_MAX - 1 },
	[DNNGOV_A_WL_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &dnngov_id_range),
	[DNNGOV_A_WL_NAME] = { .type = NLA_NUL_STRING,
			       .len = DNNGOV_WORKLOAD_NAME_MAX - 1 },
	[DNNGOV_A_TARGET_US] = NLA_POLICY_FULL_RANGE(NLA_U32, &dnngov_target_range),
	[DNNGOV_A_ACC_FLOOR] = NLA_POLICY_MAX(NLA_U32, DNNGOV_ACCURACY_MAX),
	[DNNGOV_A_PERIOD_US] = NLA_POLICY_FULL_RANGE(NLA_U32, &dnngov_period_range),
	[DNNGOV_A_LEVELS] = NLA_POLICY_NESTED_ARRAY(dnngov_level_policy),
	/* checked against the workload's table: -EINVAL, not -ERANGE */
	[DNNGOV_A_RPT_LEVEL] = { .type = NLA_U32 },
	[DNNGOV_A_RPT_LATENCY_US] = NLA_POLICY_FULL_RANGE(NLA_U32, &dnngov_target_range),
	[DNNGOV_A_RPT_COUNT] = NLA_POLICY_MIN(NLA_U32, 1),
	[DNNGOV_A_RPT_BUSY_US] = NLA_POLICY_FULL_RANGE(NLA_U64, &dnngov_busy_range),
	[DNNGOV_A_LEVEL] = { .type = NLA_REJECT },
	[DNNGOV_A_SLOWDOWN] = { .type = NLA_REJECT },
	[DNNGOV_A_OWNER_PORTID] = { .type = NLA_REJECT },
	[DNNGOV_A_OPPS] = NLA_POLICY_NESTED_ARRAY(dnngov_opp_policy),
	[DNNGOV_A_HYSTERESIS_PCT] = NLA_POLICY_MAX(NLA_U32, 100),
	[DNNGOV_A_CUR_KHZ] = { .type = NLA_REJECT },
	[DNNGOV_A_MIN_KHZ] = { .type = NLA_REJECT },
	[DNNGOV_A_MAX_KHZ] = { .type = NLA_REJECT },
	[DNNGOV_A_FLOOR_KHZ] = { .type = NLA_REJECT },
	[DNNGOV_A_STATS] = { .type = NLA_REJECT },
	[DNNGOV_A_DECISION] = { .type = NLA_REJECT },
	[DNNGOV_A_MISSES] = { .type = NLA_REJECT },
	[DNNGOV_A_INFERENCES] = { .type = NLA_REJECT },
	[DNNGOV_A_CAPACITY] = { .type = NLA_REJECT },
	/* checked against DNNGOV_A_RPT_LATENCY_US in the handler */
	[DNNGOV_A_RPT_LATENCY_MAX_US] = NLA_POLICY_FULL_RANGE(NLA_U32, &dnngov_target_range),
	[DNNGOV_A_TAIL] = { .type = NLA_REJECT },
};

static struct genl_family dnngov_family;

enum dnngov_mcgrp { DNNGOV_MCGRP_EVENTS };

static const struct genl_multicast_group dnngov_mcgrps[] = {
	[DNNGOV_MCGRP_EVENTS] = { .name = DNNGOV_GENL_MCGRP_EVENTS },
};

/* Sets extack to name the attribute: "missing attribute DNNGOV_A_X". */
#define DNNGOV_REQUIRE(info, attr) ({					\
	struct genl_info *__i = (info);					\
	bool __miss = GENL_REQ_ATTR_CHECK(__i, attr);			\
	if (__miss)							\
		GENL_SET_ERR_MSG(__i, "missing attribute " #attr);	\
	__miss;								\
})

/* ---- message queue: built under locks, sent after ---- */

struct dnngov_msg {
	struct list_head node;
	struct sk_buff *skb;
	u32 portid;		/* 0: multicast to "events" */
};

void dnngov_msgq_init(struct dnngov_msgq *q)
{
	INIT_LIST_HEAD(&q->msgs);
}

static void dnngov_msgq_add(struct dnngov_msgq *q, struct sk_buff *skb,
			    u32 portid)
{
	struct dnngov_msg *m = kmalloc(sizeof(*m), GFP_KERNEL);

	if (!m) {
		nlmsg_free(skb);
		return;
	}
	m->skb = skb;
	m->portid = portid;
	list_add_tail(&m->node, &q->msgs);
}

/*
 * Sending may fail (no listener, a full socket buffer, a socket that went
 * away): notifications are best effort, GET_* has the state.
 */
void dnngov_msgq_flush(struct dnngov_msgq *q)
{
	struct dnngov_msg *m, *tmp;

	list_for_each_entry_safe(m, tmp, &q->msgs, node) {
		if (m->portid)
			genlmsg_unicast(&init_net, m->skb, m->portid);
		else
			genlmsg_multicast(&dnngov_family, m->skb, 0,
					  DNNGOV_MCGRP_EVENTS, GFP_KERNEL);
		list_del(&m->node);
		kfree(m);
	}
}

/* ---- attribute fillers (callers hold dnngov_lock) ---- */

static int dnngov_fill_decision(struct sk_buff *skb, const struct dnngov_dom *dom)
{
	const struct dnngov_decision *d = &dom->dec;
	struct nlattr *nest, *wls, *e;
	u32 i;

	nest = nla_nest_start(skb, DNNGOV_A_DECISION);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, DNNGOV_DECISION_A_FREQ_KHZ, d->freq_khz) ||
	    nla_put_u32(skb, DNNGOV_DECISION_A_OPP, d->opp) ||
	    nla_put_u32(skb, DNNGOV_DECISION_A_FLAGS, d->flags) ||
	    nla_put_u64_64bit(skb, DNNGOV_DECISION_A_POWER_UW, d->power_uw,
			      DNNGOV_DECISION_A_PAD))
		goto cancel;
	wls = nla_nest_start(skb, DNNGOV_DECISION_A_WORKLOADS);
	if (!wls)
		goto cancel;
	for (i = 0; i < d->n_workloads; i++) {
		e = nla_nest_start(skb, DNNGOV_WORKLOADS_A_ENTRY);
		if (!e ||
		    nla_put_u32(skb, DNNGOV_DECISION_WL_A_ID, dom->dec_ids[i]) ||
		    nla_put_u32(skb, DNNGOV_DECISION_WL_A_LEVEL, d->level[i]) ||
		    nla_put_u32(skb, DNNGOV_DECISION_WL_A_LATENCY_US, d->latency_us[i]) ||
		    nla_put_u32(skb, DNNGOV_DECISION_WL_A_FLAGS, d->wflags[i]))
			goto cancel;
		nla_nest_end(skb, e);
	}
	nla_nest_end(skb, wls);
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int dnngov_fill_domain(struct sk_buff *skb, const struct dnngov_dom *dom)
{
	struct nlattr *nest, *e;
	u32 i;

	if (nla_put_string(skb, DNNGOV_A_DOMAIN, dom->name) ||
	    nla_put_u32(skb, DNNGOV_A_CAPACITY, dom->pd.capacity) ||
	    nla_put_u32(skb, DNNGOV_A_HYSTERESIS_PCT, dom->pd.hysteresis_pct) ||
	    nla_put_u32(skb, DNNGOV_A_CUR_KHZ, dom->cur_khz) ||
	    nla_put_u32(skb, DNNGOV_A_MIN_KHZ, dom->pd.min_khz) ||
	    nla_put_u32(skb, DNNGOV_A_MAX_KHZ, dom->pd.max_khz) ||
	    nla_put_u32(skb, DNNGOV_A_FLOOR_KHZ, dom->pd.floor_khz))
		return -EMSGSIZE;

	nest = nla_nest_start(skb, DNNGOV_A_OPPS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < dom->pd.n_opps; i++) {
		const struct dnngov_opp *o = &dom->pd.opps[i];

		e = nla_nest_start(skb, DNNGOV_OPPS_A_ENTRY);
		if (!e ||
		    nla_put_u32(skb, DNNGOV_OPP_A_FREQ_KHZ, o->freq_khz) ||
		    nla_put_u32(skb, DNNGOV_OPP_A_POWER_BUSY_UW, o->power_busy_uw) ||
		    nla_put_u32(skb, DNNGOV_OPP_A_POWER_IDLE_UW, o->power_idle_uw))
			return -EMSGSIZE;
		nla_nest_end(skb, e);
	}
	nla_nest_end(skb, nest);

	nest = nla_nest_start(skb, DNNGOV_A_STATS);
	if (!nest ||
	    nla_put_u64_64bit(skb, DNNGOV_STATS_A_DECISIONS, dom->stats.decisions,
			      DNNGOV_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DNNGOV_STATS_A_INFEASIBLE, dom->stats.infeasible,
			      DNNGOV_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, DNNGOV_STATS_A_TRANSITIONS, dom->stats.transitions,
			      DNNGOV_STATS_A_PAD) ||
	    nla_put_u32(skb, DNNGOV_STATS_A_WORKLOADS, dom->n_workloads) ||
	    nla_put_u64_64bit(skb, DNNGOV_STATS_A_FALLBACKS, dom->stats.fallbacks,
			      DNNGOV_STATS_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);

	if (dom->have_dec)
		return dnngov_fill_decision(skb, dom);
	return 0;
}

static int dnngov_fill_workload(struct sk_buff *skb, const struct dnngov_wl *wl)
{
	const struct dnngov_workload *w = &wl->pw;
	struct nlattr *nest, *e;
	u32 i;

	if (nla_put_u32(skb, DNNGOV_A_WL_ID, w->id) ||
	    nla_put_string(skb, DNNGOV_A_WL_NAME, wl->name) ||
	    nla_put_string(skb, DNNGOV_A_DOMAIN, wl->dom->name) ||
	    nla_put_u32(skb, DNNGOV_A_TARGET_US, w->target_us) ||
	    nla_put_u32(skb, DNNGOV_A_ACC_FLOOR, w->accuracy_floor) ||
	    nla_put_u32(skb, DNNGOV_A_PERIOD_US, w->period_us) ||
	    nla_put_u32(skb, DNNGOV_A_LEVEL, w->cur_level) ||
	    nla_put_u32(skb, DNNGOV_A_SLOWDOWN, w->slowdown_fp) ||
	    nla_put_u32(skb, DNNGOV_A_TAIL, w->tail_fp) ||
	    nla_put_u32(skb, DNNGOV_A_OWNER_PORTID, wl->portid) ||
	    nla_put_u64_64bit(skb, DNNGOV_A_MISSES, wl->misses, DNNGOV_A_PAD) ||
	    nla_put_u64_64bit(skb, DNNGOV_A_INFERENCES, wl->inferences,
			      DNNGOV_A_PAD))
		return -EMSGSIZE;

	nest = nla_nest_start(skb, DNNGOV_A_LEVELS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < w->n_levels; i++) {
		e = nla_nest_start(skb, DNNGOV_LEVELS_A_ENTRY);
		if (!e ||
		    nla_put_u32(skb, DNNGOV_LEVEL_A_ACCURACY, w->levels[i].accuracy) ||
		    nla_put_u64_64bit(skb, DNNGOV_LEVEL_A_CYCLES, w->levels[i].cycles,
				      DNNGOV_LEVEL_A_PAD) ||
		    nla_put_u32(skb, DNNGOV_LEVEL_A_FIXED_US, w->levels[i].fixed_us))
			return -EMSGSIZE;
		nla_nest_end(skb, e);
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A new message of @cmd with @fill(@obj); NULL on allocation failure. */
static struct sk_buff *dnngov_msg_build(u8 cmd, u32 portid, u32 seq,
					int (*fill)(struct sk_buff *, const void *),
					const void *obj)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	void *hdr;

	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, portid, seq, &dnngov_family, 0, cmd);
	if (!hdr || fill(skb, obj)) {
		nlmsg_free(skb);
		return NULL;
	}
	genlmsg_end(skb, hdr);
	return skb;
}

static int dnngov_fill_domain_v(struct sk_buff *skb, const void *obj)
{
	return dnngov_fill_domain(skb, obj);
}

static int dnngov_fill_workload_v(struct sk_buff *skb, const void *obj)
{
	return dnngov_fill_workload(skb, obj);
}

static int dnngov_fill_decision_msg(struct sk_buff *skb, const void *obj)
{
	const struct dnngov_dom *dom = obj;

	if (nla_put_string(skb, DNNGOV_A_DOMAIN, dom->name))
		return -EMSGSIZE;
	return dnngov_fill_decision(skb, dom);
}

static int dnngov_fill_deleted(struct sk_buff *skb, const void *obj)
{
	const struct dnngov_wl *wl = obj;

	if (nla_put_u32(skb, DNNGOV_A_WL_ID, wl->pw.id) ||
	    nla_put_string(skb, DNNGOV_A_WL_NAME, wl->name) ||
	    nla_put_string(skb, DNNGOV_A_DOMAIN, wl->dom->name) ||
	    nla_put_u32(skb, DNNGOV_A_OWNER_PORTID, wl->portid))
		return -EMSGSIZE;
	return 0;
}

/**
 * dnngov_msgq_decision() - queue a domain's decision for its owners and
 *	the "events" group
 * @q: queue
 * @dom: domain with a decision; caller holds dnngov_lock
 */
void dnngov_msgq_decision(struct dnngov_msgq *q, const struct dnngov_dom *dom)
{
	u32 sent[DNNGOV_POLICY_MAX_WORKLOADS];
	const struct dnngov_wl *wl;
	struct sk_buff *skb;
	u32 n = 0, i;

	list_for_each_entry(wl, &dom->workloads, node) {
		for (i = 0; i < n; i++)
			if (sent[i] == wl->portid)
				break;
		if (i < n || n == ARRAY_SIZE(sent))
			continue;
		sent[n++] = wl->portid;
		skb = dnngov_msg_build(DNNGOV_CMD_DECISION, 0, 0,
				       dnngov_fill_decision_msg, dom);
		if (skb)
			dnngov_msgq_add(q, skb, wl->portid);
	}
	skb = dnngov_msg_build(DNNGOV_CMD_DECISION, 0, 0,
			       dnngov_fill_decision_msg, dom);
	if (skb)
		dnngov_msgq_add(q, skb, 0);
}

/**
 * dnngov_msgq_wl_deleted() - queue DNNGOV_CMD_DEL_WORKLOAD for "events"
 * @q: queue
 * @wl: workload going away; caller holds dnngov_lock
 * @tell_owner: also unicast it to the owner (the owner did not ask for it)
 */
void dnngov_msgq_wl_deleted(struct dnngov_msgq *q, const struct dnngov_wl *wl,
			    bool tell_owner)
{
	struct sk_buff *skb;

	if (tell_owner) {
		skb = dnngov_msg_build(DNNGOV_CMD_DEL_WORKLOAD, 0, 0,
				       dnngov_fill_deleted, wl);
		if (skb)
			dnngov_msgq_add(q, skb, wl->portid);
	}
	skb = dnngov_msg_build(DNNGOV_CMD_DEL_WORKLOAD, 0, 0,
			       dnngov_fill_deleted, wl);
	if (skb)
		dnngov_msgq_add(q, skb, 0);
}

/* ---- parsing ---- */

static int dnngov_parse_levels(struct genl_info *info, const struct nlattr *nest,
			       struct dnngov_level *out, u32 *n_out)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[DNNGOV_LEVEL_A_MAX + 1];
	struct nlattr *e;
	u32 n = 0, i;
	int rem, ret;

	nla_for_each_nested(e, nest, rem) {
		struct dnngov_level *l = &out[n];

		if (nla_type(e) != DNNGOV_LEVELS_A_ENTRY) {
			NL_SET_ERR_MSG_ATTR(extack, e,
					    "level table entries must be DNNGOV_LEVELS_A_ENTRY");
			return -EINVAL;
		}
		if (n >= dnngov_max_levels) {
			NL_SET_ERR_MSG_ATTR(extack, e,
					    "too many levels (module parameter max_levels)");
			return -E2BIG;
		}
		ret = nla_parse_nested(tb, DNNGOV_LEVEL_A_MAX, e,
				       dnngov_level_policy, extack);
		if (ret)
			return ret;
		if (!tb[DNNGOV_LEVEL_A_ACCURACY]) {
			NL_SET_ERR_ATTR_MISS(extack, e, DNNGOV_LEVEL_A_ACCURACY);
			NL_SET_ERR_MSG_ATTR(extack, e,
					    "level lacks DNNGOV_LEVEL_A_ACCURACY");
			return -EINVAL;
		}
		if (!tb[DNNGOV_LEVEL_A_CYCLES]) {
			NL_SET_ERR_ATTR_MISS(extack, e, DNNGOV_LEVEL_A_CYCLES);
			NL_SET_ERR_MSG_ATTR(extack, e,
					    "level lacks DNNGOV_LEVEL_A_CYCLES");
			return -EINVAL;
		}
		l->accuracy = nla_get_u32(tb[DNNGOV_LEVEL_A_ACCURACY]);
		l->cycles = nla_get_u64(tb[DNNGOV_LEVEL_A_CYCLES]);
		l->fixed_us = tb[DNNGOV_LEVEL_A_FIXED_US] ?
			      nla_get_u32(tb[DNNGOV_LEVEL_A_FIXED_US]) : 0;
		if (!l->cycles && !l->fixed_us) {
			NL_SET_ERR_MSG_ATTR(extack, e,
					    "level has zero cycles and zero fixed time");
			return -EINVAL;
		}
		for (i = 0; i < n; i++) {
			if (out[i].accuracy == l->accuracy &&
			    out[i].cycles == l->cycles &&
			    out[i].fixed_us == l->fixed_us) {
				NL_SET_ERR_MSG_ATTR(extack, e, "duplicate level");
				return -EINVAL;
			}
		}
		n++;
	}
	if (!n) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "empty level table");
		return -EINVAL;
	}
	*n_out = n;
	return 0;
}

/* Caller holds dnngov_lock. */
static struct dnngov_wl *dnngov_wl_owned(struct genl_info *info, int *err)
{
	struct nlattr *a = info->attrs[DNNGOV_A_WL_ID];
	struct dnngov_wl *wl = dnngov_wl_find(nla_get_u32(a));

	if (!wl) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "no such workload");
		*err = -ENOENT;
		return NULL;
	}
	if (wl->portid != info->snd_portid ||
	    !net_eq(wl->net, genl_info_net(info))) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "workload belongs to another socket");
		*err = -EPERM;
		return NULL;
	}
	return wl;
}

static struct dnngov_dom *dnngov_dom_get(struct genl_info *info, int *err)
{
	struct nlattr *a = info->attrs[DNNGOV_A_DOMAIN];
	struct dnngov_dom *dom = dnngov_dom_find(nla_data(a));

	if (!dom) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "no such domain (set the dnngov governor on it first)");
		*err = -ENODEV;
	}
	return dom;
}

/* Run a domain the caller holds a reference on, then drop it. */
static void dnngov_run_put(struct dnngov_dom *dom, enum dnngov_reason why)
{
	dnngov_dom_run(dom, why);
	dnngov_dom_put(dom);
}

/* ---- handlers ---- */

static int dnngov_nl_get_domain(struct sk_buff *skb, struct genl_info *info)
{
	struct dnngov_dom *dom;
	struct sk_buff *msg;
	int err = 0;

	if (DNNGOV_REQUIRE(info, DNNGOV_A_DOMAIN))
		return -EINVAL;
	mutex_lock(&dnngov_lock);
	dom = dnngov_dom_get(info, &err);
	msg = dom ? dnngov_msg_build(DNNGOV_CMD_GET_DOMAIN, info->snd_portid,
				     info->snd_seq, dnngov_fill_domain_v, dom) : NULL;
	mutex_unlock(&dnngov_lock);
	if (!dom)
		return err;
	dnngov_dom_put(dom);
	if (!msg)
		return -ENOMEM;
	return genlmsg_reply(msg, info);
}

static int dnngov_nl_dump_domains(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct dnngov_dom *dom;
	long idx = 0, start = cb->args[0];
	int ret = 0;
	void *hdr;

	mutex_lock(&dnngov_lock);
	list_for_each_entry(dom, &dnngov_domains, node) {
		if (idx < start) {
			idx++;
			continue;
		}
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &dnngov_family,
				  NLM_F_MULTI, DNNGOV_CMD_GET_DOMAIN);
		if (!hdr) {
			ret = -EMSGSIZE;
			break;
		}
		if (dnngov_fill_domain(skb, dom)) {
			genlmsg_cancel(skb, hdr);
			ret = -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
		idx++;
	}
	mutex_unlock(&dnngov_lock);
	cb->args[0] = idx;
	/* an entry that does not fit an empty message is an error */
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

static int dnngov_nl_get_workload(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a = info->attrs[DNNGOV_A_WL_ID];
	struct sk_buff *msg = NULL;
	struct dnngov_wl *wl;

	if (DNNGOV_REQUIRE(info, DNNGOV_A_WL_ID))
		return -EINVAL;
	mutex_lock(&dnngov_lock);
	wl = dnngov_wl_find(nla_get_u32(a));
	if (wl)
		msg = dnngov_msg_build(DNNGOV_CMD_GET_WORKLOAD, info->snd_portid,
				       info->snd_seq, dnngov_fill_workload_v, wl);
	mutex_unlock(&dnngov_lock);
	if (!wl) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "no such workload");
		return -ENOENT;
	}
	if (!msg)
		return -ENOMEM;
	return genlmsg_reply(msg, info);
}

static int dnngov_nl_dump_workloads(struct sk_buff *skb, struct netlink_callback *cb)
{
	long idx = 0, start = cb->args[0];
	struct dnngov_dom *dom;
	struct dnngov_wl *wl;
	int ret = 0;
	void *hdr;

	mutex_lock(&dnngov_lock);
	list_for_each_entry(dom, &dnngov_domains, node) {
		list_for_each_entry(wl, &dom->workloads, node) {
			if (idx < start) {
				idx++;
				continue;
			}
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, &dnngov_family,
					  NLM_F_MULTI, DNNGOV_CMD_GET_WORKLOAD);
			if (!hdr || dnngov_fill_workload(skb, wl)) {
				if (hdr)
					genlmsg_cancel(skb, hdr);
				ret = -EMSGSIZE;
				goto out;
			}
			genlmsg_end(skb, hdr);
			idx++;
		}
	}
out:
	mutex_unlock(&dnngov_lock);
	cb->args[0] = idx;
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

static int dnngov_nl_new_workload(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct dnngov_dom *dom;
	struct dnngov_wl *wl;
	struct sk_buff *msg;
	int err = 0;

	if (DNNGOV_REQUIRE(info, DNNGOV_A_DOMAIN) ||
	    DNNGOV_REQUIRE(info, DNNGOV_A_WL_NAME) ||
	    DNNGOV_REQUIRE(info, DNNGOV_A_TARGET_US))
		return -EINVAL;

	wl = kzalloc(sizeof(*wl), GFP_KERNEL);
	if (!wl)
		return -ENOMEM;
	nla_strscpy(wl->name, attrs[DNNGOV_A_WL_NAME], sizeof(wl->name));
	wl->portid = info->snd_portid;
	wl->net = genl_info_net(info);
	wl->pw.target_us = nla_get_u32(attrs[DNNGOV_A_TARGET_US]);
	if (attrs[DNNGOV_A_ACC_FLOOR])
		wl->pw.accuracy_floor = nla_get_u32(attrs[DNNGOV_A_ACC_FLOOR]);
	if (attrs[DNNGOV_A_PERIOD_US])
		wl->pw.period_us = nla_get_u32(attrs[DNNGOV_A_PERIOD_US]);
	if (attrs[DNNGOV_A_LEVELS]) {
		err = dnngov_parse_levels(info, attrs[DNNGOV_A_LEVELS],
					  wl->pw.levels, &wl->pw.n_levels);
		if (err)
			goto free;
	}
	dnngov_policy_workload_init(&wl->pw);

	mutex_lock(&dnngov_lock);
	dom = dnngov_dom_get(info, &err);
	if (!dom)
		goto unlock;
	if (dom->n_workloads >= dnngov_max_workloads) {
		GENL_SET_ERR_MSG(info,
				 "too many workloads on the domain (module parameter max_workloads)");
		err = -ENOSPC;
		goto put;
	}
	err = dnngov_wl_alloc_id(wl);
	if (err)
		goto put;
	wl->dom = dom;
	list_add_tail(&wl->node, &dom->workloads);
	dom->n_workloads++;
	msg = dnngov_msg_build(DNNGOV_CMD_NEW_WORKLOAD, info->snd_portid,
			       info->snd_seq, dnngov_fill_workload_v, wl);
	mutex_unlock(&dnngov_lock);

	if (msg)
		genlmsg_reply(msg, info);
	dnngov_run_put(dom, DNNGOV_WHY_WORKLOAD);
	return 0;

put:
	dnngov_dom_put(dom);
unlock:
	mutex_unlock(&dnngov_lock);
free:
	kfree(wl);
	return err;
}

static int dnngov_nl_set_workload(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct dnngov_dom *dom;
	struct dnngov_wl *wl;
	int err = 0;

	if (DNNGOV_REQUIRE(info, DNNGOV_A_WL_ID))
		return -EINVAL;
	if (!attrs[DNNGOV_A_TARGET_US] && !attrs[DNNGOV_A_ACC_FLOOR] &&
	    !attrs[DNNGOV_A_PERIOD_US] && !attrs[DNNGOV_A_WL_NAME]) {
		GENL_SET_ERR_MSG(info,
				 "nothing to change: give DNNGOV_A_TARGET_US, DNNGOV_A_ACC_FLOOR or DNNGOV_A_PERIOD_US");
		return -EINVAL;
	}
	mutex_lock(&dnngov_lock);
	wl = dnngov_wl_owned(info, &err);
	if (!wl) {
		mutex_unlock(&dnngov_lock);
		return err;
	}
	if (attrs[DNNGOV_A_TARGET_US])
		wl->pw.target_us = nla_get_u32(attrs[DNNGOV_A_TARGET_US]);
	if (attrs[DNNGOV_A_ACC_FLOOR])
		wl->pw.accuracy_floor = nla_get_u32(attrs[DNNGOV_A_ACC_FLOOR]);
	if (attrs[DNNGOV_A_PERIOD_US])
		wl->pw.period_us = nla_get_u32(attrs[DNNGOV_A_PERIOD_US]);
	if (attrs[DNNGOV_A_WL_NAME])
		nla_strscpy(wl->name, attrs[DNNGOV_A_WL_NAME], sizeof(wl->name));
	dom = wl->dom;
	kref_get(&dom->ref);
	mutex_unlock(&dnngov_lock);
	dnngov_run_put(dom, DNNGOV_WHY_WORKLOAD);
	return 0;
}

static int dnngov_nl_del_workload(struct sk_buff *skb, struct genl_info *info)
{
	struct dnngov_dom *dom;
	struct dnngov_msgq q;
	struct dnngov_wl *wl;
	int err = 0;

	if (DNNGOV_REQUIRE(info, DNNGOV_A_WL_ID))
		return -EINVAL;
	dnngov_msgq_init(&q);
	mutex_lock(&dnngov_lock);
	wl = dnngov_wl_owned(info, &err);
	if (!wl) {
		mutex_unlock(&dnngov_lock);
		return err;
	}
	dom = wl->dom;
	kref_get(&dom->ref);
	dnngov_wl_unlink(wl, &q, false);
	mutex_unlock(&dnngov_lock);
	dnngov_wl_free(wl);
	dnngov_msgq_flush(&q);
	dnngov_run_put(dom, DNNGOV_WHY_WORKLOAD);
	return 0;
}

static int dnngov_nl_set_levels(struct sk_buff *skb, struct genl_info *info)
{
	struct dnngov_level *levels;
	struct dnngov_dom *dom;
	struct dnngov_wl *wl;
	u32 n = 0;
	int err = 0;

	if (DNNGOV_REQUIRE(info, DNNGOV_A_WL_ID) ||
	    DNNGOV_REQUIRE(info, DNNGOV_A_LEVELS))
		return -EINVAL;
	levels = kcalloc(DNNGOV_POLICY_MAX_LEVELS, sizeof(*levels), GFP_KERNEL);
	if (!levels)
		return -ENOMEM;
	err = dnngov_parse_levels(info, info->attrs[DNNGOV_A_LEVELS], levels, &n);
	if (err)
		goto out;
	mutex_lock(&dnngov_lock);
	wl = dnngov_wl_owned(info, &err);
	if (!wl) {
		mutex_unlock(&dnngov_lock);
		goto out;
	}
	memcpy(wl->pw.levels, levels, n * sizeof(*levels));
	wl->pw.n_levels = n;
	if (wl->pw.cur_level >= n)
		wl->pw.cur_level = 0;
	dom = wl->dom;
	kref_get(&dom->ref);
	mutex_unlock(&dnngov_lock);
	dnngov_run_put(dom, DNNGOV_WHY_WORKLOAD);
out:
	kfree(levels);
	return err;
}

static int dnngov_nl_report(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct dnngov_report rep = { };
	u32 level, latency, count = 1;
	struct dnngov_dom *dom;
	struct dnngov_wl *wl;
	u64 now;
	int err = 0;

	if (DNNGOV_REQUIRE(info, DNNGOV_A_WL_ID) ||
	    DNNGOV_REQUIRE(info, DNNGOV_A_RPT_LEVEL) ||
	    DNNGOV_REQUIRE(info, DNNGOV_A_RPT_LATENCY_US))
		return -EINVAL;
	level = nla_get_u32(attrs[DNNGOV_A_RPT_LEVEL]);
	latency = nla_get_u32(attrs[DNNGOV_A_RPT_LATENCY_US]);
	if (attrs[DNNGOV_A_RPT_COUNT])
		count = nla_get_u32(attrs[DNNGOV_A_RPT_COUNT]);
	if (attrs[DNNGOV_A_RPT_LATENCY_MAX_US]) {
		rep.latency_max_us = nla_get_u32(attrs[DNNGOV_A_RPT_LATENCY_MAX_US]);
		if (rep.latency_max_us < latency) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    attrs[DNNGOV_A_RPT_LATENCY_MAX_US],
					    "slowest latency is below the mean DNNGOV_A_RPT_LATENCY_US");
			return -EINVAL;
		}
	}
	if (attrs[DNNGOV_A_RPT_BUSY_US])
		rep.busy_us = nla_get_u64(attrs[DNNGOV_A_RPT_BUSY_US]);

	mutex_lock(&dnngov_lock);
	wl = dnngov_wl_owned(info, &err);
	if (!wl) {
		mutex_unlock(&dnngov_lock);
		return err;
	}
	if (level >= wl->pw.n_levels) {
		mutex_unlock(&dnngov_lock);
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[DNNGOV_A_RPT_LEVEL],
				    "report level is not in the workload's level table");
		return -EINVAL;
	}
	dom = wl->dom;
	now = ktime_get_ns();
	rep.level = level;
	rep.freq_khz = dom->cur_khz;
	rep.latency_us = latency;
	rep.now_us = max_t(u64, div_u64(now, NSEC_PER_USEC), 1);
	rep.freq_age_us = dom->freq_since_ns && now > dom->freq_since_ns ?
			  div_u64(now - dom->freq_since_ns, NSEC_PER_USEC) :
			  U64_MAX;
	/* slowdown, busy rate and tail ratio: the policy core's one path */
	dnngov_policy_report_window(&wl->pw, &rep);
	wl->pw.cur_level = level;
	wl->inferences += count;
	if (latency > wl->pw.target_us)
		wl->misses += count;
	kref_get(&dom->ref);
	mutex_unlock(&dnngov_lock);
	dnngov_run_put(dom, DNNGOV_WHY_REPORT);
	return 0;
}

static int dnngov_nl_set_domain(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[DNNGOV_OPP_A_MAX + 1];
	struct nlattr **attrs = info->attrs;
	struct netlink_ext_ack *extack = info->extack;
	struct dnngov_opp *opps = NULL;
	struct dnngov_dom *dom;
	bool seen[DNNGOV_POLICY_MAX_OPPS] = { };
	struct nlattr *e;
	u32 n = 0, i;
	int rem, idx, err = 0;

	if (DNNGOV_REQUIRE(info, DNNGOV_A_DOMAIN))
		return -EINVAL;
	if (!attrs[DNNGOV_A_OPPS] && !attrs[DNNGOV_A_HYSTERESIS_PCT]) {
		GENL_SET_ERR_MSG(info,
				 "nothing to set: give DNNGOV_A_OPPS or DNNGOV_A_HYSTERESIS_PCT");
		return -EINVAL;
	}
	opps = kcalloc(DNNGOV_POLICY_MAX_OPPS, sizeof(*opps), GFP_KERNEL);
	if (!opps)
		return -ENOMEM;

	mutex_lock(&dnngov_lock);
	dom = dnngov_dom_get(info, &err);
	if (!dom)
		goto unlock;
	if (attrs[DNNGOV_A_OPPS]) {
		nla_for_each_nested(e, attrs[DNNGOV_A_OPPS], rem) {
			if (nla_type(e) != DNNGOV_OPPS_A_ENTRY) {
				NL_SET_ERR_MSG_ATTR(extack, e,
						    "OPP table entries must be DNNGOV_OPPS_A_ENTRY");
				err = -EINVAL;
				goto put;
			}
			if (n >= dnngov_max_opps) {
				NL_SET_ERR_MSG_ATTR(extack, e,
						    "too many OPPs (module parameter max_opps)");
				err = -E2BIG;
				goto put;
			}
			err = nla_parse_nested(tb, DNNGOV_OPP_A_MAX, e,
					       dnngov_opp_policy, extack);
			if (err)
				goto put;
			if (!tb[DNNGOV_OPP_A_FREQ_KHZ] || !tb[DNNGOV_OPP_A_POWER_BUSY_UW]) {
				NL_SET_ERR_ATTR_MISS(extack, e, tb[DNNGOV_OPP_A_FREQ_KHZ] ?
						     DNNGOV_OPP_A_POWER_BUSY_UW :
						     DNNGOV_OPP_A_FREQ_KHZ);
				NL_SET_ERR_MSG_ATTR(extack, e,
						    "OPP lacks DNNGOV_OPP_A_FREQ_KHZ or DNNGOV_OPP_A_POWER_BUSY_UW");
				err = -EINVAL;
				goto put;
			}
			opps[n].freq_khz = nla_get_u32(tb[DNNGOV_OPP_A_FREQ_KHZ]);
			opps[n].power_busy_uw = nla_get_u32(tb[DNNGOV_OPP_A_POWER_BUSY_UW]);
			opps[n].power_idle_uw = tb[DNNGOV_OPP_A_POWER_IDLE_UW] ?
				nla_get_u32(tb[DNNGOV_OPP_A_POWER_IDLE_UW]) :
				opps[n].power_busy_uw / 10;
			idx = dnngov_dom_opp_index(dom, opps[n].freq_khz);
			if (idx < 0) {
				NL_SET_ERR_MSG_ATTR(extack, tb[DNNGOV_OPP_A_FREQ_KHZ],
						    "OPP frequency is not an OPP of the domain");
				err = -EINVAL;
				goto put;
			}
			if (seen[idx]) {
				NL_SET_ERR_MSG_ATTR(extack, tb[DNNGOV_OPP_A_FREQ_KHZ],
						    "duplicate OPP frequency");
				err = -EINVAL;
				goto put;
			}
			if (opps[n].power_idle_uw > opps[n].power_busy_uw) {
				NL_SET_ERR_MSG_ATTR(extack, e,
						    "OPP idle power is above its busy power");
				err = -EINVAL;
				goto put;
			}
			seen[idx] = true;
			n++;
		}
		if (!n) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[DNNGOV_A_OPPS], "empty OPP table");
			err = -EINVAL;
			goto put;
		}
	}
	/* all checked: apply */
	for (i = 0; i < n; i++) {
		idx = dnngov_dom_opp_index(dom, opps[i].freq_khz);
		dom->pd.opps[idx].power_busy_uw = opps[i].power_busy_uw;
		dom->pd.opps[idx].power_idle_uw = opps[i].power_idle_uw;
	}
	if (n)
		dom->power_src = DNNGOV_POWER_USER;
	if (attrs[DNNGOV_A_HYSTERESIS_PCT]) {
		dom->pd.hysteresis_pct = nla_get_u32(attrs[DNNGOV_A_HYSTERESIS_PCT]);
		dom->hyst_set = true;
	}
	mutex_unlock(&dnngov_lock);
	kfree(opps);
	dnngov_run_put(dom, DNNGOV_WHY_DOMAIN);
	return 0;
put:
	dnngov_dom_put(dom);
unlock:
	mutex_unlock(&dnngov_lock);
	kfree(opps);
	return err;
}

static const struct genl_small_ops dnngov_ops[] = {
	{
		.cmd = DNNGOV_CMD_GET_DOMAIN,
		.doit = dnngov_nl_get_domain,
		.dumpit = dnngov_nl_dump_domains,
	},
	{
		.cmd = DNNGOV_CMD_GET_WORKLOAD,
		.doit = dnngov_nl_get_workload,
		.dumpit = dnngov_nl_dump_workloads,
	},
	{
		.cmd = DNNGOV_CMD_NEW_WORKLOAD,
		.doit = dnngov_nl_new_workload,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DNNGOV_CMD_SET_WORKLOAD,
		.doit = dnngov_nl_set_workload,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DNNGOV_CMD_DEL_WORKLOAD,
		.doit = dnngov_nl_del_workload,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DNNGOV_CMD_SET_LEVELS,
		.doit = dnngov_nl_set_levels,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DNNGOV_CMD_REPORT,
		.doit = dnngov_nl_report,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = DNNGOV_CMD_SET_DOMAIN,
		.doit = dnngov_nl_set_domain,
		.flags = GENL_ADMIN_PERM,
	},
};

/*
 * The family lives in the initial network namespace only: it controls host
 * hardware, and one namespace keeps ownership (portid) unambiguous.
 */
static struct genl_family dnngov_family __ro_after_init = {
	.name = DNNGOV_GENL_NAME,
	.version = DNNGOV_GENL_VERSION,
	.maxattr = DNNGOV_A_MAX,
	.policy = dnngov_policy,
	.netnsok = false,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.small_ops = dnngov_ops,
	.n_small_ops = ARRAY_SIZE(dnngov_ops),
	.mcgrps = dnngov_mcgrps,
	.n_mcgrps = ARRAY_SIZE(dnngov_mcgrps),
};

/* Drop every workload of a released socket; its domains fall back at once. */
static void dnngov_release_owner(struct net *net, u32 portid)
{
	struct dnngov_dom **doms = NULL;
	struct dnngov_wl *wl, *tmp;
	struct dnngov_dom *dom;
	struct dnngov_msgq q;
	u32 n = 0, max = 0, i;
	LIST_HEAD(gone);

	dnngov_msgq_init(&q);
	mutex_lock(&dnngov_lock);
	list_for_each_entry(dom, &dnngov_domains, node)
		max++;
	if (max)
		doms = kcalloc(max, sizeof(*doms), GFP_KERNEL);
	list_for_each_entry(dom, &dnngov_domains, node) {
		bool hit = false;

		list_for_each_entry_safe(wl, tmp, &dom->workloads, node) {
			if (wl->portid != portid || !net_eq(wl->net, net))
				continue;
			dnngov_wl_unlink(wl, &q, false);
			list_add(&wl->node, &gone);
			hit = true;
		}
		if (hit && doms) {
			kref_get(&dom->ref);
			doms[n++] = dom;
		}
	}
	mutex_unlock(&dnngov_lock);

	list_for_each_entry_safe(wl, tmp, &gone, node)
		dnngov_wl_free(wl);
	dnngov_msgq_flush(&q);
	/* without memory for the list the sampling timer re-decides them */
	for (i = 0; i < n; i++)
		dnngov_run_put(doms[i], DNNGOV_WHY_RELEASE);
	kfree(doms);
}

static int dnngov_netlink_notify(struct notifier_block *nb, unsigned long state,
				 void *ptr)
{
	struct netlink_notify *n = ptr;

	if (state == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC && n->portid)
		dnngov_release_owner(n->net, n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block dnngov_netlink_nb = {
	.notifier_call = dnngov_netlink_notify,
};

int dnngov_genl_init(void)
{
	int ret = genl_register_family(&dnngov_family);

	if (ret) {
		pr_err("dnngov: cannot register the generic netlink family: %d\n", ret);
		return ret;
	}
	ret = netlink_register_notifier(&dnngov_netlink_nb);
	if (ret) {
		genl_unregister_family(&dnngov_family);
		pr_err("dnngov: cannot register the netlink notifier: %d\n", ret);
	}
	return ret;
}

/* The notifier goes first so that no release runs against a dead family. */
void dnngov_genl_exit(void)
{
	netlink_unregister_notifier(&dnngov_netlink_nb);
	genl_unregister_family(&dnngov_family);
}
