// SPDX-License-Identifier: GPL-2.0
/*
 * Test "bad_messages": a table of malformed or forbidden requests, each
 * with the errno and the extack text it must get (texts as documented in
 * Documentation/netlink-api.md and module/genl.c, or the netlink core's own).
 * The module is loaded with max_workloads=2 max_levels=4 for the limits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dg.h"
#include "vmtest.h"

#define BAD_PARAMS "hysteresis_pct=0 max_workloads=2 max_levels=4"

struct ctx {
	struct nlc *c;
	uint32_t own, other;	/* workload ids: ours and another socket's */
};

struct row {
	const char *name;
	void (*build)(struct nlmsg *m, const struct ctx *x);
	int err;
	const char *text;	/* extack must contain it; NULL: none expected */
	int miss;		/* NLMSGERR_ATTR_MISS_TYPE expected, or -1 */
};

static const struct dg_level lv[] = {
	{ 4000000, 7000, 200 }, { 6000000, 7400, 200 }, { 9000000, 7700, 200 },
	{ 12000000, 7800, 200 }, { 15000000, 7900, 200 },
};

static void new_wl(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_NEW_WORKLOAD, 0);
}

static void b_miss_domain(struct nlmsg *m, const struct ctx *x)
{
	new_wl(m, x);
	msg_put_str(m, DNNGOV_A_WL_NAME, "w");
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
}

static void b_miss_target(struct nlmsg *m, const struct ctx *x)
{
	new_wl(m, x);
	msg_put_str(m, DNNGOV_A_DOMAIN, DG_GPU_DOMAIN);
	msg_put_str(m, DNNGOV_A_WL_NAME, "w");
}

static void base_wl(struct nlmsg *m, const struct ctx *x)
{
	new_wl(m, x);
	msg_put_str(m, DNNGOV_A_DOMAIN, DG_GPU_DOMAIN);
	msg_put_str(m, DNNGOV_A_WL_NAME, "w");
}

static void b_target_zero(struct nlmsg *m, const struct ctx *x)
{
	base_wl(m, x);
	msg_put_u32(m, DNNGOV_A_TARGET_US, 0);
}

static void b_target_big(struct nlmsg *m, const struct ctx *x)
{
	base_wl(m, x);
	msg_put_u32(m, DNNGOV_A_TARGET_US, DNNGOV_TARGET_US_MAX + 1);
}

static void b_acc_big(struct nlmsg *m, const struct ctx *x)
{
	base_wl(m, x);
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
	msg_put_u32(m, DNNGOV_A_ACC_FLOOR, DNNGOV_ACCURACY_MAX + 1);
}

static void b_domain_long(struct nlmsg *m, const struct ctx *x)
{
	char name[200];

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	new_wl(m, x);
	msg_put_str(m, DNNGOV_A_DOMAIN, name);
	msg_put_str(m, DNNGOV_A_WL_NAME, "w");
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
}

static void b_domain_unterminated(struct nlmsg *m, const struct ctx *x)
{
	new_wl(m, x);
	msg_put(m, DNNGOV_A_DOMAIN, "devfreq:x", 9);
	msg_put_str(m, DNNGOV_A_WL_NAME, "w");
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
}

static void b_u32_short(struct nlmsg *m, const struct ctx *x)
{
	uint16_t v = 1000;

	base_wl(m, x);
	msg_put(m, DNNGOV_A_TARGET_US, &v, sizeof(v));
}

static void b_u32_long(struct nlmsg *m, const struct ctx *x)
{
	base_wl(m, x);
	msg_put_u64(m, DNNGOV_A_TARGET_US, 1000);
}

static void b_unknown_attr(struct nlmsg *m, const struct ctx *x)
{
	base_wl(m, x);
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
	msg_put_u32(m, DNNGOV_A_MAX + 1, 1);
}

static void b_output_attr(struct nlmsg *m, const struct ctx *x)
{
	base_wl(m, x);
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
	msg_put_u32(m, DNNGOV_A_SLOWDOWN, 65536);
}

static void b_levels_flat(struct nlmsg *m, const struct ctx *x)
{
	base_wl(m, x);
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
	msg_put_u32(m, DNNGOV_A_LEVELS, 1);
}

static void b_u32_nested(struct nlmsg *m, const struct ctx *x)
{
	/* right length, so the core gets as far as the flag */
	base_wl(m, x);
	msg_put_u32(m, DNNGOV_A_TARGET_US | NLA_F_NESTED, 1000);
}

/* A level table whose one entry is built by @fill. */
static void one_level(struct nlmsg *m, const struct ctx *x, uint16_t etype,
		      void (*fill)(struct nlmsg *m))
{
	struct nlattr *l, *e;

	base_wl(m, x);
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
	l = msg_nest(m, DNNGOV_A_LEVELS);
	e = msg_nest(m, etype);
	fill(m);
	msg_nest_end(m, e);
	msg_nest_end(m, l);
}

static void f_no_cycles(struct nlmsg *m)
{
	msg_put_u32(m, DNNGOV_LEVEL_A_ACCURACY, 7000);
}

static void f_zero(struct nlmsg *m)
{
	msg_put_u32(m, DNNGOV_LEVEL_A_ACCURACY, 7000);
	msg_put_u64(m, DNNGOV_LEVEL_A_CYCLES, 0);
	msg_put_u32(m, DNNGOV_LEVEL_A_FIXED_US, 0);
}

static void f_acc_big(struct nlmsg *m)
{
	msg_put_u32(m, DNNGOV_LEVEL_A_ACCURACY, DNNGOV_ACCURACY_MAX + 1);
	msg_put_u64(m, DNNGOV_LEVEL_A_CYCLES, 1000);
}

static void f_unknown(struct nlmsg *m)
{
	msg_put_u32(m, DNNGOV_LEVEL_A_ACCURACY, 7000);
	msg_put_u64(m, DNNGOV_LEVEL_A_CYCLES, 1000);
	msg_put_u32(m, DNNGOV_LEVEL_A_MAX + 1, 1);
}

static void f_ok(struct nlmsg *m)
{
	msg_put_u32(m, DNNGOV_LEVEL_A_ACCURACY, 7000);
	msg_put_u64(m, DNNGOV_LEVEL_A_CYCLES, 1000);
}

static void b_lvl_no_cycles(struct nlmsg *m, const struct ctx *x)
{
	one_level(m, x, DNNGOV_LEVELS_A_ENTRY, f_no_cycles);
}

static void b_lvl_zero(struct nlmsg *m, const struct ctx *x)
{
	one_level(m, x, DNNGOV_LEVELS_A_ENTRY, f_zero);
}

static void b_lvl_acc_big(struct nlmsg *m, const struct ctx *x)
{
	one_level(m, x, DNNGOV_LEVELS_A_ENTRY, f_acc_big);
}

static void b_lvl_unknown(struct nlmsg *m, const struct ctx *x)
{
	one_level(m, x, DNNGOV_LEVELS_A_ENTRY, f_unknown);
}

static void b_lvl_bad_entry(struct nlmsg *m, const struct ctx *x)
{
	one_level(m, x, DNNGOV_LEVELS_A_ENTRY + 1, f_ok);
}

static void b_lvl_dup(struct nlmsg *m, const struct ctx *x)
{
	static const struct dg_level dup[] = { { 1000, 7000, 0 }, { 1000, 7000, 0 } };

	base_wl(m, x);
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
	dg_put_levels(m, dup, 2);
}

static void b_lvl_empty(struct nlmsg *m, const struct ctx *x)
{
	base_wl(m, x);
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
	msg_nest_end(m, msg_nest(m, DNNGOV_A_LEVELS));
}

static void b_lvl_too_many(struct nlmsg *m, const struct ctx *x)
{
	base_wl(m, x);
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
	dg_put_levels(m, lv, 5);
}

static void b_too_many_wl(struct nlmsg *m, const struct ctx *x)
{
	base_wl(m, x);
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
	dg_put_levels(m, lv, 2);
}

static void b_no_domain(struct nlmsg *m, const struct ctx *x)
{
	new_wl(m, x);
	msg_put_str(m, DNNGOV_A_DOMAIN, "cpufreq:policy99");
	msg_put_str(m, DNNGOV_A_WL_NAME, "w");
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
}

static void b_set_unknown_wl(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_SET_WORKLOAD, 0);
	msg_put_u32(m, DNNGOV_A_WL_ID, 0x7ffffff0);
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
}

static void b_set_wl_id_zero(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_SET_WORKLOAD, 0);
	msg_put_u32(m, DNNGOV_A_WL_ID, 0);
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
}

static void b_set_other(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_SET_WORKLOAD, 0);
	msg_put_u32(m, DNNGOV_A_WL_ID, x->other);
	msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
}

static void b_del_other(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_DEL_WORKLOAD, 0);
	msg_put_u32(m, DNNGOV_A_WL_ID, x->other);
}

static void b_set_nothing(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_SET_WORKLOAD, 0);
	msg_put_u32(m, DNNGOV_A_WL_ID, x->own);
}

static void b_report_level(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_REPORT, 0);
	msg_put_u32(m, DNNGOV_A_WL_ID, x->own);
	msg_put_u32(m, DNNGOV_A_RPT_LEVEL, 3);
	msg_put_u32(m, DNNGOV_A_RPT_LATENCY_US, 1000);
	msg_put_u32(m, DNNGOV_A_RPT_COUNT, 1);
}

static void b_report_count0(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_REPORT, 0);
	msg_put_u32(m, DNNGOV_A_WL_ID, x->own);
	msg_put_u32(m, DNNGOV_A_RPT_LEVEL, 0);
	msg_put_u32(m, DNNGOV_A_RPT_LATENCY_US, 1000);
	msg_put_u32(m, DNNGOV_A_RPT_COUNT, 0);
}

static void opp(struct nlmsg *m, const struct ctx *x, uint32_t khz,
		uint32_t busy, uint32_t idle)
{
	struct nlattr *o, *e;

	msg_cmd(x->c, m, DNNGOV_CMD_SET_DOMAIN, 0);
	msg_put_str(m, DNNGOV_A_DOMAIN, DG_GPU_DOMAIN);
	o = msg_nest(m, DNNGOV_A_OPPS);
	e = msg_nest(m, DNNGOV_OPPS_A_ENTRY);
	msg_put_u32(m, DNNGOV_OPP_A_FREQ_KHZ, khz);
	msg_put_u32(m, DNNGOV_OPP_A_POWER_BUSY_UW, busy);
	msg_put_u32(m, DNNGOV_OPP_A_POWER_IDLE_UW, idle);
	msg_nest_end(m, e);
	msg_nest_end(m, o);
}

static void b_opp_unknown_freq(struct nlmsg *m, const struct ctx *x)
{
	opp(m, x, 123456, 1000000, 100000);
}

static void b_opp_idle_above(struct nlmsg *m, const struct ctx *x)
{
	opp(m, x, 114750, 100000, 200000);
}

static void b_dom_nothing(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_SET_DOMAIN, 0);
	msg_put_str(m, DNNGOV_A_DOMAIN, DG_GPU_DOMAIN);
}

static void b_hyst_big(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_SET_DOMAIN, 0);
	msg_put_str(m, DNNGOV_A_DOMAIN, DG_GPU_DOMAIN);
	msg_put_u32(m, DNNGOV_A_HYSTERESIS_PCT, 101);
}

static void b_unknown_cmd(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_MAX + 1, 0);
}

static void b_decision_cmd(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_DECISION, 0);
	msg_put_str(m, DNNGOV_A_DOMAIN, DG_GPU_DOMAIN);
}

static void b_dump_new(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_NEW_WORKLOAD, NLM_F_DUMP);
}

static void b_reserved(struct nlmsg *m, const struct ctx *x)
{
	b_set_nothing(m, x);
	((struct genlmsghdr *)NLMSG_DATA(&m->nlh))->reserved = 1;
}

static void b_truncated(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_GET_DOMAIN, 0);
	m->len = NLMSG_HDRLEN + 2;	/* half a genlmsghdr */
	m->nlh.nlmsg_len = (uint32_t)m->len;
}

static void b_get_miss(struct nlmsg *m, const struct ctx *x)
{
	msg_cmd(x->c, m, DNNGOV_CMD_GET_DOMAIN, 0);
}

static const struct row rows[] = {
	{ "NEW_WORKLOAD without DOMAIN", b_miss_domain, -EINVAL,
	  "missing attribute DNNGOV_A_DOMAIN", DNNGOV_A_DOMAIN },
	{ "NEW_WORKLOAD without TARGET_US", b_miss_target, -EINVAL,
	  "missing attribute DNNGOV_A_TARGET_US", DNNGOV_A_TARGET_US },
	{ "GET_DOMAIN (not a dump) without DOMAIN", b_get_miss, -EINVAL,
	  "missing attribute DNNGOV_A_DOMAIN", DNNGOV_A_DOMAIN },
	{ "TARGET_US 0", b_target_zero, -ERANGE, "integer out of range", -1 },
	{ "TARGET_US above 60 s", b_target_big, -ERANGE, "integer out of range", -1 },
	{ "ACC_FLOOR above 100 %", b_acc_big, -ERANGE, "integer out of range", -1 },
	{ "HYSTERESIS_PCT 101", b_hyst_big, -ERANGE, "integer out of range", -1 },
	{ "REPORT with COUNT 0", b_report_count0, -ERANGE, "integer out of range", -1 },
	{ "WL_ID 0", b_set_wl_id_zero, -ERANGE, "integer out of range", -1 },
	{ "oversized DOMAIN string", b_domain_long, -EINVAL,
	  "Attribute failed policy validation", -1 },
	{ "unterminated DOMAIN string", b_domain_unterminated, -EINVAL,
	  "Attribute failed policy validation", -1 },
	{ "u32 attribute of 2 bytes", b_u32_short, -EINVAL, "invalid attribute length", -1 },
	{ "u32 attribute of 8 bytes", b_u32_long, -EINVAL, "invalid attribute length", -1 },
	{ "unknown attribute type", b_unknown_attr, -EINVAL, "Unknown attribute type", -1 },
	{ "output-only attribute as input", b_output_attr, -EINVAL,
	  "Attribute failed policy validation", -1 },
	{ "LEVELS without NLA_F_NESTED", b_levels_flat, -EINVAL, "NLA_F_NESTED is missing", -1 },
	{ "u32 attribute with NLA_F_NESTED", b_u32_nested, -EINVAL,
	  "NLA_F_NESTED not expected", -1 },
	{ "level without CYCLES", b_lvl_no_cycles, -EINVAL,
	  "level lacks DNNGOV_LEVEL_A_CYCLES", DNNGOV_LEVEL_A_CYCLES },
	{ "level with zero cycles and fixed time", b_lvl_zero, -EINVAL,
	  "level has zero cycles and zero fixed time", -1 },
	{ "level accuracy above 100 %", b_lvl_acc_big, -ERANGE, "integer out of range", -1 },
	{ "unknown attribute inside a level", b_lvl_unknown, -EINVAL,
	  "Unknown attribute type", -1 },
	{ "level entry of the wrong type", b_lvl_bad_entry, -EINVAL,
	  "level table entries must be DNNGOV_LEVELS_A_ENTRY", -1 },
	{ "duplicate level", b_lvl_dup, -EINVAL, "duplicate level", -1 },
	{ "empty level table", b_lvl_empty, -EINVAL, "empty level table", -1 },
	{ "5 levels with max_levels=4", b_lvl_too_many, -E2BIG,
	  "too many levels (module parameter max_levels)", -1 },
	{ "third workload with max_workloads=2", b_too_many_wl, -ENOSPC,
	  "too many workloads on the domain (module parameter max_workloads)", -1 },
	{ "unknown domain", b_no_domain, -ENODEV,
	  "no such domain (set the dnngov governor on it first)", -1 },
	{ "unknown workload", b_set_unknown_wl, -ENOENT, "no such workload", -1 },
	{ "SET_WORKLOAD of another socket's workload", b_set_other, -EPERM,
	  "workload belongs to another socket", -1 },
	{ "DEL_WORKLOAD of another socket's workload", b_del_other, -EPERM,
	  "workload belongs to another socket", -1 },
	{ "SET_WORKLOAD changing nothing", b_set_nothing, -EINVAL,
	  "nothing to change: give DNNGOV_A_TARGET_US, DNNGOV_A_ACC_FLOOR or DNNGOV_A_PERIOD_US", -1 },
	{ "REPORT level beyond the table", b_report_level, -EINVAL,
	  "report level is not in the workload's level table", -1 },
	{ "SET_DOMAIN OPP not of the domain", b_opp_unknown_freq, -EINVAL,
	  "OPP frequency is not an OPP of the domain", -1 },
	{ "SET_DOMAIN OPP idle above busy", b_opp_idle_above, -EINVAL,
	  "OPP idle power is above its busy power", -1 },
	{ "SET_DOMAIN setting nothing", b_dom_nothing, -EINVAL,
	  "nothing to set: give DNNGOV_A_OPPS or DNNGOV_A_HYSTERESIS_PCT", -1 },
	{ "unknown command", b_unknown_cmd, -EOPNOTSUPP, NULL, -1 },
	{ "DECISION sent to the kernel", b_decision_cmd, -EOPNOTSUPP, NULL, -1 },
	{ "NEW_WORKLOAD as a dump", b_dump_new, -EOPNOTSUPP, NULL, -1 },
	{ "genlmsghdr.reserved set", b_reserved, -EINVAL,
	  "genlmsghdr.reserved field is not 0", -1 },
	{ "message shorter than its genl header", b_truncated, -EINVAL, NULL, -1 },
};

static void check_row(const struct row *r, const struct ctx *x, struct nlmsg *m)
{
	struct nlerr e;
	int ret;

	r->build(m, x);
	ret = nlc_request(x->c, m, NULL, NULL, &e);
	if (r->text)
		vt_check(ret == r->err && strstr(e.msg, r->text) &&
			 (r->miss < 0 || e.miss_type == r->miss),
			 "%s: %d \"%s\" miss %d (want %d \"%s\" miss %d)", r->name, ret,
			 e.msg, e.miss_type, r->err, r->text, r->miss);
	else
		vt_check(ret == r->err, "%s: %d \"%s\" (want %d)", r->name, ret, e.msg,
			 r->err);
}

/* Child without CAP_NET_ADMIN: exit 0 when every mutating command got
 * -EPERM and reading still works. */
static int unpriv(void *arg)
{
	static const uint8_t cmds[] = {
		DNNGOV_CMD_NEW_WORKLOAD, DNNGOV_CMD_SET_WORKLOAD, DNNGOV_CMD_DEL_WORKLOAD,
		DNNGOV_CMD_SET_LEVELS, DNNGOV_CMD_REPORT, DNNGOV_CMD_SET_DOMAIN,
	};
	uint32_t id = *(uint32_t *)arg;
	struct nlmsg *m = malloc(sizeof(*m));
	struct dg_dom *d = malloc(sizeof(*d));
	struct nlc c;
	size_t i;
	int bad = 0, ret;

	if (!m || !d || nlc_open(&c))
		return 2;
	for (i = 0; i < sizeof(cmds); i++) {
		msg_cmd(&c, m, cmds[i], 0);
		msg_put_str(m, DNNGOV_A_DOMAIN, DG_GPU_DOMAIN);
		msg_put_u32(m, DNNGOV_A_WL_ID, id);
		msg_put_str(m, DNNGOV_A_WL_NAME, "u");
		msg_put_u32(m, DNNGOV_A_TARGET_US, 1000);
		ret = nlc_request(&c, m, NULL, NULL, NULL);
		if (ret != -EPERM) {
			printf("# unprivileged command %u got %d, not -EPERM\n", cmds[i], ret);
			bad = 1;
		}
	}
	if (dg_get_dom(&c, DG_GPU_DOMAIN, d)) {
		printf("# unprivileged GET_DOMAIN failed\n");
		bad |= 4;
	}
	nlc_close(&c);
	return bad;
}

void test_bad_messages(void)
{
	struct nlmsg *m = malloc(sizeof(*m));
	struct nlc a, b;
	struct ctx x = { &a, 0, 0 };
	struct nlerr e;
	size_t i;
	int ret;

	dg_set_gov(DG_GPU_DOMAIN, "simple_ondemand");
	ret = dg_module(BAD_PARAMS);
	if (!vt_check(ret == 0, "dnngov.ko reloaded with %s (%s)", BAD_PARAMS, strerror(-ret)) ||
	    !vt_check(m && nlc_open(&a) == 0 && nlc_open(&b) == 0, "two sockets open"))
		goto out_mem;
	if (!vt_check(dg_govern(&a, DG_GPU_DOMAIN), "GPU governed by dnngov"))
		goto out;
	ret = dg_new_wl(&a, DG_GPU_DOMAIN, "own", 10000, 0, 0, lv, 3, &x.own, &e);
	vt_check(ret == 0, "own workload %u (%d %s)", x.own, ret, e.msg);
	ret = dg_new_wl(&b, DG_GPU_DOMAIN, "other", 10000, 0, 0, lv, 3, &x.other, &e);
	vt_check(ret == 0, "another socket's workload %u (%d %s)", x.other, ret, e.msg);

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i], &x, m);

	ret = dg_unprivileged(unpriv, &x.own);
	vt_check(ret == 0, "without CAP_NET_ADMIN: every mutating command -EPERM, GET works (%d)",
		 ret);
	ret = dg_set_levels(&a, x.own, lv, 4, &e);
	vt_check(ret == 0, "4 levels accepted with max_levels=4 (%d %s)", ret, e.msg);
out:
	nlc_close(&b);
	nlc_close(&a);
	dg_set_gov(DG_GPU_DOMAIN, "simple_ondemand");
	ret = dg_module(dg_default_params);
	vt_check(ret == 0, "dnngov.ko reloaded with %s (%s)", dg_default_params, strerror(-ret));
out_mem:
	free(m);
}
