// SPDX-License-Identifier: MIT
/*
 * sysfs backend on a fake sysfs tree in a temp dir: domain discovery,
 * governor take-over and give-back, policy decisions written to
 * scaling_setspeed / userspace/set_freq, errors that say what to fix.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_sysfs.h"

#include "manager.h"
#include "platform.h"

static char root[256];

static void put(const char *rel, const char *val)
{
	fake_sysfs_put(root, rel, val);
}

static void get(const char *rel, char *buf, size_t len)
{
	fake_sysfs_get(root, rel, buf, len);
}

#define CPU "sys/devices/system/cpu/cpufreq/policy0/"
#define GPU "sys/class/devfreq/17000000.gv11b/"

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/dnngov-sysfs-XXXXXX");
	assert_non_null(mkdtemp(root));
	put(CPU "scaling_available_frequencies",
	    "1190400 729600 1420800 1907200 \n");	/* unsorted on purpose */
	put(CPU "scaling_available_governors", "userspace schedutil performance\n");
	put(CPU "scaling_governor", "schedutil\n");
	put(CPU "scaling_setspeed", "<unsupported>\n");
	put(CPU "scaling_cur_freq", "1190400\n");
	put(CPU "scaling_min_freq", "729600\n");
	put(CPU "scaling_max_freq", "1907200\n");
	put(CPU "related_cpus", "0 1\n");
	put(GPU "available_frequencies", "114750000 510000000 1109250000\n");
	put(GPU "available_governors", "userspace simple_ondemand performance\n");
	put(GPU "governor", "simple_ondemand\n");
	put(GPU "cur_freq", "510000000\n");
	put(GPU "min_freq", "114750000\n");
	put(GPU "max_freq", "1109250000\n");
	put(GPU "userspace/set_freq", "0\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void levels(struct dnngov_level *l)
{
	/* 3 levels: 4, 8, 12 Mcycles (+0.5 ms) */
	for (int i = 0; i < 3; i++) {
		l[i].cycles = 4000000ULL * (i + 1);
		l[i].fixed_us = 500;
		l[i].accuracy = 8000 + 200 * i;
	}
}

static void test_discovery(void **state)
{
	struct dnngov_platform p;
	struct dnngov_platform_domain d[4];
	u32 n;

	(void)state;
	assert_int_equal(dnngov_platform_sysfs_init(&p, root), 0);
	assert_int_equal(p.ops->open(&p), 0);
	assert_int_equal(p.ops->list_domains(&p, d, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].name, "cpufreq:policy0");
	assert_int_equal(d[0].n_opps, 4);
	assert_int_equal(d[0].opps_khz[0], 729600);	/* sorted */
	assert_int_equal(d[0].opps_khz[3], 1907200);
	assert_int_equal(d[0].capacity, 2);
	assert_int_equal(d[0].cpu_mask, 3);
	assert_int_equal(d[0].cur_khz, 1190400);
	assert_string_equal(d[0].governor, "schedutil");
	assert_string_equal(d[1].name, "devfreq:17000000.gv11b");
	assert_int_equal(d[1].opps_khz[2], 1109250);	/* Hz -> kHz */
	assert_int_equal(d[1].cur_khz, 510000);
	assert_int_equal(d[1].capacity, 1);

	assert_int_equal(p.ops->domain_get(&p, "devfreq:nope", &d[0]), -ENODEV);
	assert_non_null(strstr(p.errmsg, "devfreq:nope"));
	dnngov_platform_close(&p);
}

static void test_decide_and_give_back(void **state)
{
	struct dnngov_platform p;
	struct dnngov_platform_workload w = {
		.domain = "cpufreq:policy0", .name = "cam", .target_us = 10000,
	};
	struct dnngov_platform_decision dec;
	struct dnngov_platform_report r;
	struct dnngov_level l[3];
	char buf[64];
	u32 id;

	(void)state;
	levels(l);
	assert_int_equal(dnngov_platform_sysfs_init(&p, root), 0);
	assert_int_equal(p.ops->open(&p), 0);
	assert_int_equal(p.ops->workload_add(&p, &w, &id), 0);
	get(CPU "scaling_governor", buf, sizeof(buf));
	assert_string_equal(buf, "userspace");
	assert_int_equal(p.ops->set_levels(&p, id, l, 3), 0);
	assert_int_equal(p.ops->decision(&p, id, &dec), -ENODATA);
	assert_int_equal(p.ops->tick(&p, 0), 0);
	assert_int_equal(p.ops->decision(&p, id, &dec), 0);
	assert_int_equal(dec.seq, 1);
	/* the policy's choice was written to scaling_setspeed */
	get(CPU "scaling_setspeed", buf, sizeof(buf));
	assert_int_equal(strtoul(buf, NULL, 10), dec.freq_khz);
	assert_true(dec.level < 3);
	assert_true(dec.latency_us <= 10000);
	u32 f1 = dec.freq_khz;

	/* reports twice as slow as the model at this frequency: the policy
	 * learns the slowdown and needs more frequency or a smaller level */
	snprintf(buf, sizeof(buf), "%u\n", f1);
	put(CPU "scaling_cur_freq", buf);
	r.level = dec.level;
	r.count = 10;
	r.latency_us = 2 * (u32)(l[dec.level].cycles * 1000 / f1 + 500);
	r.busy_us = 10ULL * r.latency_us;
	for (int i = 0; i < 12; i++) {
		assert_int_equal(p.ops->report(&p, id, &r), 0);
		assert_int_equal(p.ops->tick(&p, 0), 0);
	}
	assert_int_equal(p.ops->decision(&p, id, &dec), 0);
	assert_true(dec.seq > 1);
	assert_true(dec.freq_khz > f1 || dec.level < r.level);

	/* the target change is followed */
	w.target_us = 1000;	/* impossible: flagged infeasible */
	assert_int_equal(p.ops->workload_change(&p, id, &w), 0);
	assert_int_equal(p.ops->tick(&p, 0), 0);
	assert_int_equal(p.ops->decision(&p, id, &dec), 0);
	assert_true(dec.flags & DNNGOV_DECISION_INFEASIBLE);
	assert_int_equal(dec.freq_khz, 1907200);

	/* the last workload gone: schedutil is back */
	assert_int_equal(p.ops->workload_del(&p, id), 0);
	get(CPU "scaling_governor", buf, sizeof(buf));
	assert_string_equal(buf, "schedutil");
	assert_int_equal(p.ops->workload_del(&p, id), -ENOENT);
	dnngov_platform_close(&p);
}

static void test_devfreq_set_freq_and_close(void **state)
{
	struct dnngov_platform p;
	char buf[64];

	(void)state;
	assert_int_equal(dnngov_platform_sysfs_init(&p, root), 0);
	assert_int_equal(p.ops->open(&p), 0);
	assert_int_equal(p.ops->set_freq(&p, "devfreq:17000000.gv11b", 1109250), 0);
	get(GPU "userspace/set_freq", buf, sizeof(buf));
	assert_string_equal(buf, "1109250000");	/* kHz -> Hz */
	get(GPU "governor", buf, sizeof(buf));
	assert_string_equal(buf, "userspace");
	dnngov_platform_close(&p);	/* gives the GPU back */
	get(GPU "governor", buf, sizeof(buf));
	assert_string_equal(buf, "simple_ondemand");
}

static void test_manager_on_sysfs(void **state)
{
	struct dnngov_platform p;
	struct dnngov_manager *m;
	struct dnngov_manager_workload w = {
		.name = "cam", .domain = "cpufreq:policy0", .target_us = 8000,
		.n_levels = 3,
	};
	struct dnngov_manager_stats st;
	char err[256], buf[64];
	int h;

	(void)state;
	levels(w.levels);
	assert_int_equal(dnngov_platform_sysfs_init(&p, root), 0);
	assert_int_equal(p.ops->open(&p), 0);
	assert_int_equal(dnngov_manager_create(&p, NULL, &m), 0);
	assert_int_equal(dnngov_manager_add(m, &w, &h, err, sizeof(err)), 0);
	assert_int_equal(dnngov_manager_tick(m, 1000), 0);
	assert_int_equal(dnngov_manager_stats(m, h, &st), 0);
	assert_int_equal(st.decisions, 1);
	get(CPU "scaling_setspeed", buf, sizeof(buf));
	assert_int_equal(strtoul(buf, NULL, 10), st.freq_khz);
	dnngov_manager_destroy(m);
	get(CPU "scaling_governor", buf, sizeof(buf));
	assert_string_equal(buf, "schedutil");
	dnngov_platform_close(&p);
}

static void put_stat(long busy_ticks)
{
	char buf[256];

	/* user nice system idle iowait irq softirq steal */
	snprintf(buf, sizeof(buf),
		 "cpu  0 0 0 0 0 0 0 0\ncpu0 %ld 0 0 1000 0 0 0 0\ncpu1 %ld 0 0 1000 0 0 0 0\n"
		 "cpu2 99999 0 0 0 0 0 0 0\n", busy_ticks, busy_ticks);
	put("proc/stat", buf);
}

static void test_load_floor(void **state)
{
	struct dnngov_platform p;
	struct dnngov_platform_workload w = {
		.domain = "cpufreq:policy0", .name = "cam", .target_us = 100000,
	};
	struct dnngov_platform_decision dec;
	struct dnngov_level l[3];
	long hz = sysconf(_SC_CLK_TCK), ticks = 0;
	u64 s = 1000000000ULL, t = s;
	u32 id;
	int i;

	(void)state;
	levels(l);
	put_stat(0);
	assert_int_equal(dnngov_platform_sysfs_init(&p, root), 0);
	assert_int_equal(p.ops->open(&p), 0);
	assert_int_equal(p.ops->workload_add(&p, &w, &id), 0);
	assert_int_equal(p.ops->set_levels(&p, id, l, 3), 0);
	assert_int_equal(p.ops->tick(&p, t), 0);
	assert_int_equal(p.ops->decision(&p, id, &dec), 0);
	assert_int_equal(dec.freq_khz, 729600);	/* a relaxed target: lowest OPP */

	/* other work keeps both CPUs 90 % busy (CPU 2 is not ours): the
	 * schedutil-like floor, 1.25 x 0.9 x 729.6 MHz, rounds up to
	 * 1190.4 MHz */
	ticks += hz * 9 / 10;
	put_stat(ticks);
	t += s;
	assert_int_equal(p.ops->tick(&p, t), 0);
	assert_int_equal(p.ops->decision(&p, id, &dec), 0);
	assert_int_equal(dec.freq_khz, 1190400);

	/* the same busy time, now all of it DNN work the workload reports
	 * (busy rate 1.8 cores): no other load, and the floor comes down
	 * (slowly: the policy smooths it down with weight 1/4) */
	for (i = 0; i < 20 && dec.freq_khz != 729600; i++) {
		struct dnngov_platform_report r = {
			.level = 0, .latency_us = 3000, .latency_max_us = 3500,
			.count = 600, .busy_us = 1800000,
		};

		assert_int_equal(p.ops->report(&p, id, &r), 0);
		ticks += hz * 9 / 10;
		put_stat(ticks);
		t += s;
		assert_int_equal(p.ops->tick(&p, t), 0);
		assert_int_equal(p.ops->decision(&p, id, &dec), 0);
	}
	print_message("floor released after %d DNN-only windows\n", i);
	assert_int_equal(dec.freq_khz, 729600);

	/* a report whose slowest latency is below its mean is refused */
	{
		struct dnngov_platform_report r = {
			.level = 0, .latency_us = 3000, .latency_max_us = 2000,
			.count = 1, .busy_us = 3000,
		};

		assert_int_equal(p.ops->report(&p, id, &r), -EINVAL);
		assert_non_null(strstr(p.errmsg, "slowest latency"));
	}
	dnngov_platform_close(&p);
}

static void test_errors(void **state)
{
	struct dnngov_platform p;
	struct dnngov_platform_workload w = {
		.domain = "cpufreq:policy0", .name = "cam", .target_us = 10000,
	};
	char empty[300], buf[64];
	u32 id;

	(void)state;
	/* no userspace governor: refused with what to do */
	put(CPU "scaling_available_governors", "schedutil performance\n");
	assert_int_equal(dnngov_platform_sysfs_init(&p, root), 0);
	assert_int_equal(p.ops->open(&p), 0);
	assert_int_equal(p.ops->workload_add(&p, &w, &id), -EOPNOTSUPP);
	assert_non_null(strstr(p.errmsg, "cpufreq_userspace"));
	get(CPU "scaling_governor", buf, sizeof(buf));
	assert_string_equal(buf, "schedutil");
	w.domain = "cpufreq:policy9";
	assert_int_equal(p.ops->workload_add(&p, &w, &id), -ENODEV);
	assert_non_null(strstr(p.errmsg, "policy9"));
	dnngov_platform_close(&p);
	put(CPU "scaling_available_governors", "userspace schedutil performance\n");

	/* an empty tree */
	snprintf(empty, sizeof(empty), "%s/empty", root);
	mkdir(empty, 0700);
	assert_int_equal(dnngov_platform_sysfs_init(&p, empty), 0);
	assert_int_equal(p.ops->open(&p), -ENODEV);
	assert_non_null(strstr(p.errmsg, "no cpufreq policy"));
	p.ops->close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_discovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decide_and_give_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_devfreq_set_freq_and_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manager_on_sysfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_floor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests_name("sysfs_backend", tests, NULL, NULL);
}
