// SPDX-License-Identifier: MIT
/* dnngovd config parser: a good file, and every error naming file/line/key. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static const char good[] =
	"# dnngovd test config\n"
	"[daemon]\n"
	"backend = sysfs\n"
	"sysfs_root = /tmp/fake\n"
	"socket = /run/dnngov/test.sock\n"
	"socket_group = video\n"
	"socket_mode = 0660\n"
	"tick_ms = 50\n"
	"\n"
	"[workload cam0]\n"
	"model = models/fmnist-ofa.dnngov\n"
	"domain = cpufreq:policy0\n"
	"cpus = 0-1,3\n"
	"threads = 2\n"
	"target_ms = 12.5\n"
	"accuracy_floor = 85.25\n"
	"period_ms = 33\n"
	"input = replay\n"
	"replay = /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz\n"
	"labels = /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz\n"
	"calibrate = profile\n"
	"\n"
	"[workload app]\n"
	"model = /opt/m.dnngov\n"
	"target_us = 900\n";

static void test_good(void **state)
{
	struct dnngov_cfg c;
	char err[256];
	const struct dnngov_cfg_workload *w;

	(void)state;
	assert_int_equal(dnngov_config_parse_string(good, "t.conf", &c, err, sizeof(err)), 0);
	assert_string_equal(c.backend, "sysfs");
	assert_string_equal(c.sysfs_root, "/tmp/fake");
	assert_string_equal(c.socket, "/run/dnngov/test.sock");
	assert_string_equal(c.socket_group, "video");
	assert_int_equal(c.socket_mode, 0660);
	assert_int_equal(c.tick_ms, 50);
	assert_int_equal(c.n_workloads, 2);
	w = dnngov_config_find(&c, "cam0");
	assert_non_null(w);
	assert_string_equal(w->domain, "cpufreq:policy0");
	assert_int_equal(w->cpu_mask, 0xb);
	assert_int_equal(w->threads, 2);
	assert_int_equal(w->target_us, 12500);
	assert_int_equal(w->accuracy_floor, 8525);
	assert_int_equal(w->period_us, 33000);
	assert_int_equal(w->input, DNNGOV_INPUT_REPLAY);
	assert_int_equal(w->calibrate, DNNGOV_CALIB_PROFILE);
	assert_int_equal(w->line, 11);
	w = dnngov_config_find(&c, "app");
	assert_non_null(w);
	assert_string_equal(w->domain, "auto");	/* default */
	assert_int_equal(w->input, DNNGOV_INPUT_SOCKET);
	assert_int_equal(w->target_us, 900);
	assert_int_equal(w->threads, 1);
	assert_null(dnngov_config_find(&c, "nope"));
}

static void test_file_and_same_structure(void **state)
{
	char path[] = "/tmp/dnngov-cfg-XXXXXX";
	struct dnngov_cfg a, b;
	char err[256];
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, good, strlen(good)), (ssize_t)strlen(good));
	close(fd);
	assert_int_equal(dnngov_config_load(path, &a, err, sizeof(err)), 0);
	assert_string_equal(a.path, path);
	/* relative files are relative to the config's folder */
	assert_string_equal(a.wl[0].model, "/tmp/models/fmnist-ofa.dnngov");
	assert_string_equal(a.wl[1].model, "/opt/m.dnngov");
	assert_string_equal(a.wl[0].replay, "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
	b = a;
	b.wl[0].target_us = 1000;	/* changes in place */
	b.wl[0].accuracy_floor = 0;
	assert_true(dnngov_config_same_structure(&a.wl[0], &b.wl[0]));
	b.wl[0].threads = 4;		/* needs a restart */
	assert_false(dnngov_config_same_structure(&a.wl[0], &b.wl[0]));
	unlink(path);
	assert_int_equal(dnngov_config_load(path, &a, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, path));
}

struct bad {
	const char *text;
	const char *want;	/* substring of the error */
};

static void test_errors(void **state)
{
	static const struct bad bad[] = {
		{ "[daemon]\nbackend = gpu\n", "e.conf:2: key 'backend': 'gpu' is not a backend" },
		{ "[daemon]\nbogus = 1\n", "e.conf:2: key 'bogus': unknown key in [daemon]" },
		{ "[daemon]\nsocket = rel.sock\n", "e.conf:2: key 'socket'" },
		{ "[daemon]\nsocket_mode = 0666\n", "e.conf:2: key 'socket_mode': mode 0666 gives access to everyone" },
		{ "[daemon]\nsocket_mode = 660\n", "key 'socket_mode'" },
		{ "[daemon]\ntick_ms = 0\n", "e.conf:2: key 'tick_ms'" },
		{ "[workload a]\nmodel = m\n\ntarget_ms = fast\n", "e.conf:4: key 'target_ms': 'fast' is not a time" },
		{ "[workload a]\nmodel = m\ntarget_ms = -3\n", "e.conf:3: key 'target_ms'" },
		{ "[workload a]\nmodel = m\ntarget_ms = 5\naccuracy_floor = 101\n", "e.conf:4: key 'accuracy_floor'" },
		{ "[workload a]\nmodel = m\ntarget_ms = 5\ncpus = 3-1\n", "e.conf:4: key 'cpus'" },
		{ "[workload a]\nmodel = m\ntarget_ms = 5\ncpus = 64\n", "key 'cpus'" },
		{ "[workload a]\nmodel = m\ntarget_ms = 5\nthreads = 0\n", "e.conf:4: key 'threads'" },
		{ "[workload a]\nmodel = m\ntarget_ms = 5\ndomain = gpu0\n", "e.conf:4: key 'domain': 'gpu0' is not a domain" },
		{ "[workload a]\nmodel = m\ntarget_ms = 5\ninput = camera\n", "e.conf:4: key 'input'" },
		{ "[workload a]\nmodel = m\ntarget_ms = 5\ncolour = red\n", "e.conf:4: key 'colour': unknown key in [workload a]" },
		{ "[workload a]\ntarget_ms = 5\n", "e.conf:2: key 'model': [workload a] needs this key" },
		{ "[workload a]\nmodel = m\n", "key 'target_ms': [workload a] needs this key" },
		{ "[workload a]\nmodel = m\ntarget_ms = 5\ninput = replay\n", "key 'replay': [workload a] needs this key" },
		{ "[workload a]\nmodel = m\ntarget_ms = 5\n[workload a]\nmodel = n\n", "e.conf:5: [workload a]: workload a is declared twice" },
		{ "[workload a/b]\nmodel = m\n", "e.conf:2: [workload a/b]: a workload name" },
		{ "[cameras]\nx = 1\n", "e.conf:2: unknown section [cameras]" },
		{ "[daemon]\nthis line has no equals sign\n", "e.conf:2: syntax error" },
		{ "[workload a]\nmodel = m\ntarget_ms = 5\nlabels = l\n", "key 'labels': [workload a]: labels need input = replay" },
	};
	struct dnngov_cfg c;
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = dnngov_config_parse_string(bad[i].text, "e.conf", &c, err,
						   sizeof(err));

		if (r != -EINVAL || !strstr(err, bad[i].want))
			fail_msg("case %zu: got %d '%s', want '%s'", i, r, err,
				 bad[i].want);
	}
}

static void test_cpulist(void **state)
{
	u64 m;

	(void)state;
	assert_int_equal(dnngov_cpulist_parse("0", &m), 0);
	assert_int_equal(m, 1);
	assert_int_equal(dnngov_cpulist_parse("0-2, 5", &m), 0);
	assert_int_equal(m, 0x27);
	assert_int_equal(dnngov_cpulist_parse("63", &m), 0);
	assert_int_equal(m, 1ULL << 63);
	assert_int_equal(dnngov_cpulist_parse("", &m), -EINVAL);
	assert_int_equal(dnngov_cpulist_parse("a", &m), -EINVAL);
	assert_int_equal(dnngov_cpulist_parse("1-", &m), -EINVAL);
	assert_int_equal(dnngov_cpulist_parse("1x", &m), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_file_and_same_structure),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_cpulist),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
