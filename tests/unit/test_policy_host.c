// SPDX-License-Identifier: MIT
/*
 * The policy host shared by the sysfs and sim backends (policy_host.c):
 * domain and workload tables, errors that name what is wrong, dirty
 * tracking, deciding over the workloads that have levels, and which
 * decision each workload sees (also after another workload is deleted).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "policy_host.h"

static struct dnngov_platform plat;
static struct dnngov_policy_host host;

/* 4 OPPs 500..2000 MHz, 4 cores, power rising with frequency. */
static void make_domain(struct dnngov_domain *pd)
{
	u32 i;

	memset(pd, 0, sizeof(*pd));
	pd->n_opps = 4;
	for (i = 0; i < 4; i++) {
		pd->opps[i].freq_khz = 500000 * (i + 1);
		pd->opps[i].power_busy_uw = 100000 * (i + 1) * (i + 1);
		pd->opps[i].power_idle_uw = 10000 * (i + 1);
	}
	pd->capacity = 4;
}

static int setup(void **state)
{
	struct dnngov_domain pd;

	(void)state;
	memset(&plat, 0, sizeof(plat));
	dnngov_host_init(&host, &plat);
	make_domain(&pd);
	assert_int_equal(dnngov_host_domain_add(&host, &pd), 0);
	return 0;
}

/* 2 levels: 10 Mcycles at 70 %, 40 Mcycles at 80 %. */
static const struct dnngov_level levels[2] = {
	{ .cycles = 10000000, .accuracy = 7000, .fixed_us = 0 },
	{ .cycles = 40000000, .accuracy = 8000, .fixed_us = 0 },
};

static u32 add(u32 target_us, u32 floor)
{
	struct dnngov_platform_workload w = {
		.domain = "d0", .target_us = target_us, .accuracy_floor = floor,
	};
	u32 id = 0;

	assert_int_equal(dnngov_host_workload_add(&host, 0, &w, &id), 0);
	assert_true(id > 0);
	return id;
}

static void test_domain_table(void **state)
{
	struct dnngov_domain pd;
	u32 i;

	(void)state;
	make_domain(&pd);
	assert_int_equal(host.n_dom, 1);
	assert_true(host.dom[0].dirty);	/* first tick decides it */
	assert_int_equal(host.dom[0].pd.opps[3].freq_khz, 2000000);
	for (i = 1; i < DNNGOV_PLATFORM_MAX_DOMAINS; i++)
		assert_int_equal(dnngov_host_domain_add(&host, &pd), (int)i);
	assert_int_equal(dnngov_host_domain_add(&host, &pd), -ENOSPC);
	assert_int_equal(host.n_dom, DNNGOV_PLATFORM_MAX_DOMAINS);
}

static void test_workload_lifecycle(void **state)
{
	struct dnngov_platform_workload w = { .target_us = 5000, .period_us = 100 };
	struct dnngov_level bad[DNNGOV_POLICY_MAX_LEVELS + 1];
	u32 a, b, dom = 99;

	(void)state;
	a = add(20000, 0);
	b = add(10000, 0);
	assert_int_equal(b, a + 1);
	assert_int_equal(host.dom[0].n_wl, 2);

	host.dom[0].dirty = false;
	assert_int_equal(dnngov_host_workload_change(&host, a, &w), 0);
	assert_true(host.dom[0].dirty);
	assert_int_equal(dnngov_host_workload_find(&host, a)->pw.target_us, 5000);
	assert_int_equal(dnngov_host_workload_find(&host, a)->pw.period_us, 100);

	assert_int_equal(dnngov_host_workload_change(&host, 77, &w), -ENOENT);
	assert_string_equal(plat.errmsg, "no workload 77");
	assert_null(dnngov_host_workload_find(&host, 0));

	memset(bad, 0, sizeof(bad));
	assert_int_equal(dnngov_host_levels_set(&host, a, bad, 0), -EINVAL);
	assert_non_null(strstr(plat.errmsg, "level count 0 out of range"));
	assert_int_equal(dnngov_host_levels_set(&host, a, bad,
						DNNGOV_POLICY_MAX_LEVELS + 1), -EINVAL);
	assert_int_equal(dnngov_host_levels_set(&host, 55, levels, 2), -ENOENT);

	/* a level table that shrinks below the current level resets it */
	assert_int_equal(dnngov_host_levels_set(&host, a, levels, 2), 0);
	dnngov_host_workload_find(&host, a)->pw.cur_level = 1;
	assert_int_equal(dnngov_host_levels_set(&host, a, levels, 1), 0);
	assert_int_equal(dnngov_host_workload_find(&host, a)->pw.cur_level, 0);

	host.dom[0].dirty = false;
	assert_int_equal(dnngov_host_workload_del(&host, a, &dom), 0);
	assert_int_equal(dom, 0);
	assert_true(host.dom[0].dirty);
	assert_int_equal(host.dom[0].n_wl, 1);
	assert_ptr_equal(host.dom[0].wl[0], &dnngov_host_workload_find(&host, b)->pw);
	assert_int_equal(dnngov_host_workload_del(&host, a, NULL), -ENOENT);
	/* ids are not reused */
	assert_int_equal(add(1000, 0), b + 1);
}

static void test_table_full(void **state)
{
	struct dnngov_platform_workload w = { .target_us = 1000 };
	u32 i, id;

	(void)state;
	for (i = 0; i < DNNGOV_POLICY_MAX_WORKLOADS; i++)
		add(1000, 0);
	assert_int_equal(dnngov_host_workload_room(&host, 0), -ENOSPC);
	assert_int_equal(dnngov_host_workload_add(&host, 0, &w, &id), -ENOSPC);
	assert_string_equal(plat.errmsg, "too many workloads");
	assert_int_equal(host.dom[0].n_wl, DNNGOV_POLICY_MAX_WORKLOADS);
}

static void test_decide_and_decision(void **state)
{
	struct dnngov_platform_decision out;
	struct dnngov_host_decision dec;
	u32 a, b, i;

	(void)state;
	a = add(50000, 8000);	/* 50 ms, 80 %: level 1, 40 ms at 1 GHz */
	b = add(20000, 0);	/* no level table yet: no demand */
	assert_false(dnngov_host_ready(&host, 0));
	assert_int_equal(dnngov_host_levels_set(&host, a, levels, 2), 0);
	assert_false(dnngov_host_ready(&host, 0));

	assert_int_equal(dnngov_host_decision_get(&host, a, &out), -ENODATA);
	assert_int_equal(dnngov_host_decide(&host, 0, &dec), 0);
	assert_false(host.dom[0].dirty);
	assert_int_equal(dec.dec.n_workloads, 1);
	assert_ptr_equal(dec.wl[0], &dnngov_host_workload_find(&host, a)->pw);
	/* the floor needs level 1; the least energy meeting 50 ms is 1 GHz */
	assert_int_equal(dec.dec.level[0], 1);
	assert_int_equal(dec.dec.freq_khz, 1000000);
	assert_true(dec.dec.latency_us[0] <= 50000);
	assert_int_equal(dec.dec.freq_khz,
			 host.dom[0].pd.opps[dec.dec.opp].freq_khz);
	assert_int_equal(host.dom[0].pd.cur_opp, dec.dec.opp);
	assert_int_equal(dnngov_host_workload_find(&host, a)->pw.cur_level, 1);

	/* not in force until committed (the backend applies it first) */
	assert_int_equal(dnngov_host_decision_get(&host, a, &out), -ENODATA);
	dnngov_host_commit(&host, 0, &dec);
	assert_int_equal(dnngov_host_decision_get(&host, a, &out), 0);
	assert_int_equal(out.seq, 1);
	assert_int_equal(out.freq_khz, dec.dec.freq_khz);
	assert_int_equal(out.opp, dec.dec.opp);
	assert_int_equal(out.level, 1);
	assert_int_equal(out.latency_us, dec.dec.latency_us[0]);
	assert_int_equal(dnngov_host_decision_get(&host, b, &out), -ENODATA);
	assert_int_equal(dnngov_host_decision_get(&host, 123, &out), -ENOENT);

	/* both with levels: both decided, in the order they were added */
	assert_int_equal(dnngov_host_levels_set(&host, b, levels, 2), 0);
	assert_true(dnngov_host_ready(&host, 0));
	assert_int_equal(dnngov_host_decide(&host, 0, &dec), 0);
	dnngov_host_commit(&host, 0, &dec);
	assert_int_equal(dec.dec.n_workloads, 2);
	for (i = 0; i < 2; i++)
		assert_true(dec.dec.latency_us[i] <=
			    dnngov_host_workload_find(&host, i ? b : a)->pw.target_us);
	assert_int_equal(dnngov_host_decision_get(&host, b, &out), 0);
	assert_int_equal(out.seq, 2);
	assert_int_equal(out.level, dec.dec.level[1]);
	assert_int_equal(out.latency_us, dec.dec.latency_us[1]);
}

/* Deleting a workload must not shift the others onto its decision slot. */
static void test_decision_after_delete(void **state)
{
	struct dnngov_platform_decision out;
	struct dnngov_host_decision dec;
	u32 a, b, c;

	(void)state;
	a = add(100000, 8000);	/* loose: level 1 (80 %) */
	b = add(6000, 0);	/* tight: only level 0 makes it */
	assert_int_equal(dnngov_host_levels_set(&host, a, levels, 2), 0);
	assert_int_equal(dnngov_host_levels_set(&host, b, levels, 2), 0);
	assert_int_equal(dnngov_host_decide(&host, 0, &dec), 0);
	dnngov_host_commit(&host, 0, &dec);
	assert_int_equal(dec.dec.level[0], 1);
	assert_int_equal(dec.dec.level[1], 0);

	assert_int_equal(dnngov_host_workload_del(&host, a, NULL), 0);
	assert_int_equal(dnngov_host_decision_get(&host, b, &out), 0);
	assert_int_equal(out.level, 0);
	assert_int_equal(out.latency_us, dec.dec.latency_us[1]);
	/* a new workload in the freed slot has no decision until the next one */
	c = add(100000, 0);
	assert_int_equal(dnngov_host_levels_set(&host, c, levels, 2), 0);
	assert_int_equal(dnngov_host_decision_get(&host, c, &out), -ENODATA);
}

static void test_reports_and_samples(void **state)
{
	struct dnngov_platform_report r = { .level = 2, .latency_us = 9000, .count = 1 };
	struct dnngov_host_workload *w = NULL;
	struct dnngov_report rep = {
		.level = 1, .freq_khz = 1000000, .latency_us = 60000,
		.now_us = 1000, .freq_age_us = UINT64_MAX,
	};
	struct dnngov_load_sample ls = {
		.now_us = 2000, .window_us = 100000, .busy_us = 400000,
		.busy_max_us = 100000, .cur_khz = 1000000,
	};
	u32 a, slow;

	(void)state;
	a = add(40000, 0);
	assert_int_equal(dnngov_host_levels_set(&host, a, levels, 2), 0);
	assert_int_equal(dnngov_host_report_check(&host, a, &r, &w), -EINVAL);
	assert_string_equal(plat.errmsg, "report level 2 but the table has 2");
	assert_int_equal(dnngov_host_report_check(&host, 9, &r, &w), -ENOENT);
	r.level = 1;
	assert_int_equal(dnngov_host_report_check(&host, a, &r, &w), 0);
	assert_ptr_equal(w, dnngov_host_workload_find(&host, a));

	/* 40 Mcycles at 1 GHz model 40 ms; 60 ms measured: slower than modelled */
	slow = w->pw.slowdown_fp;
	host.dom[0].dirty = false;
	dnngov_host_report(&host, w, &rep);
	assert_true(host.dom[0].dirty);
	assert_true(w->pw.slowdown_fp > slow);

	/* all four cores busy the whole window: the floor goes to the top */
	assert_int_equal(host.dom[0].pd.floor_khz, 0);
	assert_true(dnngov_host_sample(&host, 0, &ls));
	assert_true(host.dom[0].pd.floor_khz > 1000000);
	assert_false(dnngov_host_sample(&host, 0, &ls));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_domain_table, setup),
		cmocka_unit_test_setup(test_workload_lifecycle, setup),
		cmocka_unit_test_setup(test_table_full, setup),
		cmocka_unit_test_setup(test_decide_and_decision, setup),
		cmocka_unit_test_setup(test_decision_after_delete, setup),
		cmocka_unit_test_setup(test_reports_and_samples, setup),
	};

	return cmocka_run_group_tests_name("policy_host", tests, NULL, NULL);
}
