/* SPDX-License-Identifier: MIT */
/*
 * dnngov agent: building and parsing the generic netlink messages of
 * dnngov.ko (include/uapi/linux/dnngov.h). No socket here, so the unit tests
 * check both directions without the module.
 */
#ifndef DNNGOV_AGENT_KERNEL_MSG_H
#define DNNGOV_AGENT_KERNEL_MSG_H

#include <netlink/msg.h>

#include <uapi/linux/dnngov.h>
#include "platform.h"

/* A decision notification (DNNGOV_CMD_DECISION) for one domain. */
struct kmsg_decision {
	char domain[DNNGOV_DOMAIN_NAME_MAX];
	u32 freq_khz;
	u32 opp;
	u32 flags;
	u32 n;
	u32 id[DNNGOV_POLICY_MAX_WORKLOADS];
	u32 level[DNNGOV_POLICY_MAX_WORKLOADS];
	u32 latency_us[DNNGOV_POLICY_MAX_WORKLOADS];
	u32 wflags[DNNGOV_POLICY_MAX_WORKLOADS];
};

/* Fields of a GET_WORKLOAD / NEW_WORKLOAD reply the agent uses. */
struct kmsg_workload {
	u32 id;
	char domain[DNNGOV_DOMAIN_NAME_MAX];
	char name[DNNGOV_WORKLOAD_NAME_MAX];
	u32 target_us;
	u32 accuracy_floor;
	u32 period_us;
	u32 level;
	u32 slowdown_fp;
	u64 inferences;
	u64 misses;
};

/* Add a genl header for @cmd to @msg. 0 or -ENOMEM. */
int kmsg_header(struct nl_msg *msg, int family, u8 cmd, int flags);

/* NEW_WORKLOAD (@id 0) or SET_WORKLOAD (@id > 0) attributes. */
int kmsg_put_workload(struct nl_msg *msg, u32 id,
		      const struct dnngov_platform_workload *w);
int kmsg_put_levels(struct nl_msg *msg, u32 id,
		    const struct dnngov_level *levels, u32 n);
int kmsg_put_report(struct nl_msg *msg, u32 id,
		    const struct dnngov_platform_report *r);
int kmsg_put_id(struct nl_msg *msg, u32 id);
int kmsg_put_domain_name(struct nl_msg *msg, const char *domain);
/* SET_DOMAIN's power model: @n OPPs at @khz with busy/idle power (uW). */
int kmsg_put_power(struct nl_msg *msg, const char *domain, const u32 *khz,
		   const u32 *busy_uw, const u32 *idle_uw, u32 n);

/* Parsers: 0, or -EINVAL when a required attribute is missing/invalid. */
int kmsg_parse_decision(struct nlmsghdr *nlh, struct kmsg_decision *out);
int kmsg_parse_domain(struct nlmsghdr *nlh, struct dnngov_platform_domain *out);
int kmsg_parse_workload(struct nlmsghdr *nlh, struct kmsg_workload *out);

/*
 * The ext-ack message of an NLMSG_ERROR reply, or NULL. Needs
 * NETLINK_EXT_ACK on the socket (NETLINK_CAP_ACK or not).
 */
const char *kmsg_ext_ack(struct nlmsghdr *nlh);

#endif /* DNNGOV_AGENT_KERNEL_MSG_H */
