// SPDX-License-Identifier: MIT
/*
 * Kernel backend messages: build with libnl into a buffer and parse back,
 * both the agent's requests and the module's replies/notifications. No
 * module needed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "kernel_msg.h"

#define FAMILY 0x20

static struct nl_msg *msg_for(u8 cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	assert_non_null(m);
	assert_int_equal(kmsg_header(m, FAMILY, cmd, 0), 0);
	return m;
}

static void check_header(struct nl_msg *m, u8 cmd)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct genlmsghdr *gh = nlmsg_data(nlh);

	assert_int_equal(nlh->nlmsg_type, FAMILY);
	assert_int_equal(gh->cmd, cmd);
	assert_int_equal(gh->version, DNNGOV_GENL_VERSION);
}

static void test_new_workload(void **state)
{
	struct dnngov_platform_workload w = {
		.domain = "devfreq:17000000.gv11b",
		.name = "a-very-long-workload-name-longer-than-32-bytes",
		.target_us = 33000, .accuracy_floor = 7500, .period_us = 40000,
	};
	struct nlattr *tb[DNNGOV_A_MAX + 1];
	struct nl_msg *m = msg_for(DNNGOV_CMD_NEW_WORKLOAD);

	(void)state;
	assert_int_equal(kmsg_put_workload(m, 0, &w), 0);
	check_header(m, DNNGOV_CMD_NEW_WORKLOAD);
	assert_int_equal(genlmsg_parse(nlmsg_hdr(m), 0, tb, DNNGOV_A_MAX, NULL), 0);
	assert_string_equal(nla_get_string(tb[DNNGOV_A_DOMAIN]), w.domain);
	/* truncated to fit DNNGOV_WORKLOAD_NAME_MAX with the NUL */
	assert_int_equal(strlen(nla_get_string(tb[DNNGOV_A_WL_NAME])),
			 DNNGOV_WORKLOAD_NAME_MAX - 1);
	assert_int_equal(nla_get_u32(tb[DNNGOV_A_TARGET_US]), 33000);
	assert_int_equal(nla_get_u32(tb[DNNGOV_A_ACC_FLOOR]), 7500);
	assert_int_equal(nla_get_u32(tb[DNNGOV_A_PERIOD_US]), 40000);
	assert_null(tb[DNNGOV_A_WL_ID]);
	nlmsg_free(m);

	/* SET_WORKLOAD: id, no domain or name */
	m = msg_for(DNNGOV_CMD_SET_WORKLOAD);
	assert_int_equal(kmsg_put_workload(m, 5, &w), 0);
	assert_int_equal(genlmsg_parse(nlmsg_hdr(m), 0, tb, DNNGOV_A_MAX, NULL), 0);
	assert_int_equal(nla_get_u32(tb[DNNGOV_A_WL_ID]), 5);
	assert_null(tb[DNNGOV_A_DOMAIN]);
	assert_null(tb[DNNGOV_A_WL_NAME]);
	nlmsg_free(m);
}

static void test_levels_and_report(void **state)
{
	struct dnngov_level l[3] = {
		{ .cycles = 1000000, .accuracy = 7000, .fixed_us = 100 },
		{ .cycles = 5000000000ULL, .accuracy = 8000, .fixed_us = 200 },
		{ .cycles = 9000000000ULL, .accuracy = 9000, .fixed_us = 0 },
	};
	struct dnngov_platform_report r = {
		.level = 2, .latency_us = 12345, .count = 17, .busy_us = 1ULL << 40,
		.latency_max_us = 15000,
	};
	struct nlattr *tb[DNNGOV_A_MAX + 1], *lt[DNNGOV_LEVEL_A_MAX + 1], *e;
	struct nl_msg *m = msg_for(DNNGOV_CMD_SET_LEVELS);
	int rem, i = 0;

	(void)state;
	assert_int_equal(kmsg_put_levels(m, 9, l, 3), 0);
	assert_int_equal(genlmsg_parse(nlmsg_hdr(m), 0, tb, DNNGOV_A_MAX, NULL), 0);
	assert_int_equal(nla_get_u32(tb[DNNGOV_A_WL_ID]), 9);
	nla_for_each_nested(e, tb[DNNGOV_A_LEVELS], rem) {
		assert_int_equal(nla_type(e), DNNGOV_LEVELS_A_ENTRY);
		assert_int_equal(nla_parse_nested(lt, DNNGOV_LEVEL_A_MAX, e, NULL), 0);
		assert_int_equal(nla_get_u32(lt[DNNGOV_LEVEL_A_ACCURACY]), l[i].accuracy);
		assert_int_equal(nla_get_u64(lt[DNNGOV_LEVEL_A_CYCLES]), l[i].cycles);
		assert_int_equal(nla_get_u32(lt[DNNGOV_LEVEL_A_FIXED_US]), l[i].fixed_us);
		i++;
	}
	assert_int_equal(i, 3);
	nlmsg_free(m);

	m = msg_for(DNNGOV_CMD_REPORT);
	assert_int_equal(kmsg_put_report(m, 9, &r), 0);
	assert_int_equal(genlmsg_parse(nlmsg_hdr(m), 0, tb, DNNGOV_A_MAX, NULL), 0);
	assert_int_equal(nla_get_u32(tb[DNNGOV_A_RPT_LEVEL]), 2);
	assert_int_equal(nla_get_u32(tb[DNNGOV_A_RPT_LATENCY_US]), 12345);
	assert_int_equal(nla_get_u32(tb[DNNGOV_A_RPT_COUNT]), 17);
	assert_int_equal(nla_get_u64(tb[DNNGOV_A_RPT_BUSY_US]), 1ULL << 40);
	assert_int_equal(nla_get_u32(tb[DNNGOV_A_RPT_LATENCY_MAX_US]), 15000);
	nlmsg_free(m);

	/* no slowest latency measured: the optional attribute is left out */
	m = msg_for(DNNGOV_CMD_REPORT);
	r.latency_max_us = 0;
	assert_int_equal(kmsg_put_report(m, 9, &r), 0);
	assert_int_equal(genlmsg_parse(nlmsg_hdr(m), 0, tb, DNNGOV_A_MAX, NULL), 0);
	assert_null(tb[DNNGOV_A_RPT_LATENCY_MAX_US]);
	nlmsg_free(m);
}

/* A DECISION notification as dnngov.ko builds it. */
static struct nl_msg *kernel_decision(u32 nwl)
{
	struct nl_msg *m = msg_for(DNNGOV_CMD_DECISION);
	struct nlattr *d, *ws, *w;
	u32 i;

	nla_put_string(m, DNNGOV_A_DOMAIN, "cpufreq:policy0");
	d = nla_nest_start(m, DNNGOV_A_DECISION);
	nla_put_u32(m, DNNGOV_DECISION_A_FREQ_KHZ, 1420800);
	nla_put_u32(m, DNNGOV_DECISION_A_OPP, 7);
	nla_put_u32(m, DNNGOV_DECISION_A_FLAGS, DNNGOV_DECISION_F_HELD);
	nla_put_u64(m, DNNGOV_DECISION_A_POWER_UW, 2500000);
	ws = nla_nest_start(m, DNNGOV_DECISION_A_WORKLOADS);
	for (i = 0; i < nwl; i++) {
		w = nla_nest_start(m, DNNGOV_WORKLOADS_A_ENTRY);
		nla_put_u32(m, DNNGOV_DECISION_WL_A_ID, 10 + i);
		nla_put_u32(m, DNNGOV_DECISION_WL_A_LEVEL, i);
		nla_put_u32(m, DNNGOV_DECISION_WL_A_LATENCY_US, 1000 * (i + 1));
		nla_put_u32(m, DNNGOV_DECISION_WL_A_FLAGS,
			    i ? DNNGOV_DECISION_WL_F_DEADLINE_MISS : 0);
		nla_nest_end(m, w);
	}
	nla_nest_end(m, ws);
	nla_nest_end(m, d);
	return m;
}

/* SET_DOMAIN with a board power model: one nested entry per OPP. */
static void test_power_model(void **state)
{
	const u32 khz[2] = { 115200, 1907200 }, busy[2] = { 100000, 2500000 },
		  idle[2] = { 20000, 300000 };
	struct nlattr *tb[DNNGOV_A_MAX + 1], *ot[DNNGOV_OPP_A_MAX + 1], *e;
	struct nl_msg *m = msg_for(DNNGOV_CMD_SET_DOMAIN);
	int rem, i = 0;

	(void)state;
	assert_int_equal(kmsg_put_power(m, "cpufreq:policy0", khz, busy, idle, 2), 0);
	check_header(m, DNNGOV_CMD_SET_DOMAIN);
	assert_int_equal(genlmsg_parse(nlmsg_hdr(m), 0, tb, DNNGOV_A_MAX, NULL), 0);
	assert_string_equal(nla_get_string(tb[DNNGOV_A_DOMAIN]), "cpufreq:policy0");
	assert_non_null(tb[DNNGOV_A_OPPS]);
	nla_for_each_nested(e, tb[DNNGOV_A_OPPS], rem) {
		assert_int_equal(nla_type(e), DNNGOV_OPPS_A_ENTRY);
		assert_int_equal(nla_parse_nested(ot, DNNGOV_OPP_A_MAX, e, NULL), 0);
		assert_int_equal(nla_get_u32(ot[DNNGOV_OPP_A_FREQ_KHZ]), khz[i]);
		assert_int_equal(nla_get_u32(ot[DNNGOV_OPP_A_POWER_BUSY_UW]), busy[i]);
		assert_int_equal(nla_get_u32(ot[DNNGOV_OPP_A_POWER_IDLE_UW]), idle[i]);
		i++;
	}
	assert_int_equal(i, 2);
	nlmsg_free(m);
}

static void test_parse_decision(void **state)
{
	struct kmsg_decision d;
	struct nl_msg *m = kernel_decision(2);

	(void)state;
	assert_int_equal(kmsg_parse_decision(nlmsg_hdr(m), &d), 0);
	assert_string_equal(d.domain, "cpufreq:policy0");
	assert_int_equal(d.freq_khz, 1420800);
	assert_int_equal(d.opp, 7);
	assert_int_equal(d.flags, DNNGOV_DECISION_F_HELD);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.id[1], 11);
	assert_int_equal(d.level[1], 1);
	assert_int_equal(d.latency_us[1], 2000);
	assert_int_equal(d.wflags[1], DNNGOV_DECISION_WL_F_DEADLINE_MISS);
	nlmsg_free(m);

	/* more workloads than the policy allows: refused, no overflow */
	m = kernel_decision(DNNGOV_POLICY_MAX_WORKLOADS + 1);
	assert_int_equal(kmsg_parse_decision(nlmsg_hdr(m), &d), -EINVAL);
	nlmsg_free(m);

	/* no decision nest: refused */
	m = msg_for(DNNGOV_CMD_DECISION);
	nla_put_string(m, DNNGOV_A_DOMAIN, "cpufreq:policy0");
	assert_int_equal(kmsg_parse_decision(nlmsg_hdr(m), &d), -EINVAL);
	nlmsg_free(m);
}

static void test_parse_domain_and_workload(void **state)
{
	struct dnngov_platform_domain dom;
	struct kmsg_workload w;
	struct nlattr *o, *e;
	struct nl_msg *m = msg_for(DNNGOV_CMD_GET_DOMAIN);
	u32 f[3] = { 729600, 1190400, 1907200 };

	(void)state;
	nla_put_string(m, DNNGOV_A_DOMAIN, "cpufreq:policy2");
	nla_put_u32(m, DNNGOV_A_CUR_KHZ, 1190400);
	nla_put_u32(m, DNNGOV_A_MIN_KHZ, 729600);
	nla_put_u32(m, DNNGOV_A_MAX_KHZ, 1907200);
	nla_put_u32(m, DNNGOV_A_CAPACITY, 2);
	o = nla_nest_start(m, DNNGOV_A_OPPS);
	for (int i = 0; i < 3; i++) {
		e = nla_nest_start(m, DNNGOV_OPPS_A_ENTRY);
		nla_put_u32(m, DNNGOV_OPP_A_FREQ_KHZ, f[i]);
		nla_put_u32(m, DNNGOV_OPP_A_POWER_BUSY_UW, 1000 * (i + 1));
		nla_nest_end(m, e);
	}
	nla_nest_end(m, o);
	assert_int_equal(kmsg_parse_domain(nlmsg_hdr(m), &dom), 0);
	assert_string_equal(dom.name, "cpufreq:policy2");
	assert_int_equal(dom.cur_khz, 1190400);
	assert_int_equal(dom.min_khz, 729600);
	assert_int_equal(dom.max_khz, 1907200);
	assert_int_equal(dom.n_opps, 3);
	assert_int_equal(dom.opps_khz[2], 1907200);
	assert_int_equal(dom.capacity, 2);
	nlmsg_free(m);

	m = msg_for(DNNGOV_CMD_NEW_WORKLOAD);
	nla_put_u32(m, DNNGOV_A_WL_ID, 42);
	nla_put_string(m, DNNGOV_A_WL_NAME, "cam0");
	nla_put_u32(m, DNNGOV_A_TARGET_US, 20000);
	nla_put_u32(m, DNNGOV_A_LEVEL, 3);
	nla_put_u64(m, DNNGOV_A_MISSES, 5);
	assert_int_equal(kmsg_parse_workload(nlmsg_hdr(m), &w), 0);
	assert_int_equal(w.id, 42);
	assert_string_equal(w.name, "cam0");
	assert_int_equal(w.target_us, 20000);
	assert_int_equal(w.level, 3);
	assert_int_equal(w.misses, 5);
	nlmsg_free(m);

	/* a reply with no id is refused */
	m = msg_for(DNNGOV_CMD_NEW_WORKLOAD);
	nla_put_string(m, DNNGOV_A_WL_NAME, "cam0");
	assert_int_equal(kmsg_parse_workload(nlmsg_hdr(m), &w), -EINVAL);
	nlmsg_free(m);
}

static void test_ext_ack(void **state)
{
	unsigned char buf[512] = { 0 };
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	struct nlattr *a;
	const char *text = "target_us out of range";
	size_t off;

	(void)state;
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	e->error = -ERANGE;
	e->msg.nlmsg_len = 100;	/* capped: only the header was echoed */
	off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*e));
	a = (struct nlattr *)(buf + off);
	a->nla_type = NLMSGERR_ATTR_MSG;
	a->nla_len = (u16)(NLA_HDRLEN + strlen(text) + 1);
	memcpy((char *)a + NLA_HDRLEN, text, strlen(text) + 1);
	nlh->nlmsg_len = (u32)(off + NLA_ALIGN(a->nla_len));
	assert_non_null(kmsg_ext_ack(nlh));
	assert_string_equal(kmsg_ext_ack(nlh), text);

	nlh->nlmsg_flags = NLM_F_CAPPED;	/* no TLVs */
	assert_null(kmsg_ext_ack(nlh));

	/* not capped: the whole 24-byte request is echoed before the TLVs */
	memset(buf, 0, sizeof(buf));
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	e->error = -EINVAL;
	e->msg.nlmsg_len = 24;
	off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*e) + 24 - sizeof(e->msg));
	a = (struct nlattr *)(buf + off);
	a->nla_type = NLMSGERR_ATTR_MSG;
	a->nla_len = (u16)(NLA_HDRLEN + strlen(text) + 1);
	memcpy((char *)a + NLA_HDRLEN, text, strlen(text) + 1);
	nlh->nlmsg_len = (u32)(off + NLA_ALIGN(a->nla_len));
	assert_non_null(kmsg_ext_ack(nlh));
	assert_string_equal(kmsg_ext_ack(nlh), text);
	/* an echoed length past the message (found by fuzz-agent) */
	e->msg.nlmsg_len = 0xfffffff0u;
	assert_null(kmsg_ext_ack(nlh));
	e->msg.nlmsg_len = 3;
	assert_null(kmsg_ext_ack(nlh));
	/* a message that is not NUL-terminated */
	e->msg.nlmsg_len = 24;
	((char *)a)[NLA_HDRLEN + strlen(text)] = 'x';
	assert_null(kmsg_ext_ack(nlh));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_workload),
		cmocka_unit_test(test_levels_and_report),
		cmocka_unit_test(test_power_model),
		cmocka_unit_test(test_parse_decision),
		cmocka_unit_test(test_parse_domain_and_workload),
		cmocka_unit_test(test_ext_ack),
	};

	return cmocka_run_group_tests_name("kernel_msg", tests, NULL, NULL);
}
