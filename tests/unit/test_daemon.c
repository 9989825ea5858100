// SPDX-License-Identifier: MIT
/*
 * dnngovd end to end on a tiny model with the "none" backend: answers over
 * the client API, refusals of bad and oversized requests, a stalled client
 * that must not block others, control requests, SIGHUP reload keeping an
 * unchanged workload, SIGTERM exit. DNNGOVD and DNNGOV_TEST_MODEL name the
 * binary and the model (set by mk/agent.mk).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include <dnngov/dnngov.h>

#include "fake_sysfs.h"
#include "protocol.h"

static char dir[64], sock[128], conf[128];
static pid_t pid;
static uint8_t img[28 * 28];

static void write_conf(const char *extra, const char *target)
{
	FILE *f = fopen(conf, "w");

	assert_non_null(f);
	fprintf(f, "[daemon]\nbackend = none\nsocket = %s\nqueue_depth = 4\n\n"
		"[workload app]\nmodel = %s\ntarget_ms = %s\nthreads = 1\n%s",
		sock, getenv("DNNGOV_TEST_MODEL"), target, extra);
	fclose(f);
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int setup(void **state)
{
	const char *bin = getenv("DNNGOVD");
	int i;

	(void)state;
	if (!bin || !getenv("DNNGOV_TEST_MODEL") || access(bin, X_OK) ||
	    access(getenv("DNNGOV_TEST_MODEL"), R_OK)) {
		fprintf(stderr, "test_daemon: set DNNGOVD and DNNGOV_TEST_MODEL (make check-agent does)\n");
		return -1;
	}
	snprintf(dir, sizeof(dir), "/tmp/dnngovd-test-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/d.sock", dir);
	snprintf(conf, sizeof(conf), "%s/d.conf", dir);
	write_conf("", "50");
	for (i = 0; i < (int)sizeof(img); i++)
		img[i] = (uint8_t)(i * 7);
	pid = fork();
	if (pid == 0) {
		char log[160];

		snprintf(log, sizeof(log), "%s/log", dir);
		freopen(log, "w", stderr);
		execl(bin, "dnngovd", "-c", conf, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && access(sock, F_OK); i++)
		msleep(50);
	return access(sock, F_OK) ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static json_object *control(const char *req)
{
	dnngov_client *c;
	char *reply;
	json_object *o;

	assert_int_equal(dnngov_client_connect(&c, sock), 0);
	assert_int_equal(dnngov_client_control(c, req, &reply), 0);
	dnngov_client_close(c);
	o = json_tokener_parse(reply);
	free(reply);
	assert_non_null(o);
	return o;
}

static json_object *workload(json_object *status, const char *name)
{
	json_object *a, *w, *n;
	size_t i;

	assert_true(json_object_object_get_ex(status, "workloads", &a));
	for (i = 0; i < json_object_array_length(a); i++) {
		w = json_object_array_get_idx(a, i);
		if (json_object_object_get_ex(w, "name", &n) &&
		    !strcmp(json_object_get_string(n), name))
			return w;
	}
	return NULL;
}

static int64_t field(json_object *o, const char *k)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	return json_object_get_int64(v);
}

static void test_infer(void **state)
{
	static struct dnngov_client_result r;
	dnngov_client *c;
	int i, j;

	(void)state;
	assert_int_equal(dnngov_client_connect(&c, sock), 0);
	for (i = 0; i < 20; i++) {
		assert_int_equal(dnngov_client_infer(c, "app", img, 28, 28, 1, 3, &r), 0);
		assert_int_equal(r.n, 3);
		assert_in_range(r.level, 0, 3);
		assert_true(r.latency_us > 0);
		assert_true(r.level_accuracy >= 50.0 && r.level_accuracy <= 53.0);
		for (j = 1; j < r.n; j++)
			assert_true(r.top[j - 1].prob >= r.top[j].prob);
		assert_true(r.top[0].prob > 0 && r.top[0].prob <= 1);
		assert_in_range(r.top[0].cls, 0, 9);
	}
	/* an RGB image for a 1-channel model: refused with the engine's reason */
	{
		uint8_t rgb[8 * 8 * 3] = { 0 };

		assert_true(dnngov_client_infer(c, "app", rgb, 8, 8, 3, 1, &r) < 0);
		assert_non_null(strstr(dnngov_errmsg(), "dnngovd: workload app: "));
	}
	/* unknown workload */
	assert_int_equal(dnngov_client_infer(c, "cam9", img, 28, 28, 1, 3, &r), -ENOENT);
	assert_non_null(strstr(dnngov_errmsg(), "no workload cam9 (socket workloads: app)"));
	/* the connection survives an error */
	assert_int_equal(dnngov_client_infer(c, "app", img, 28, 28, 1, 1, &r), 0);
	dnngov_client_close(c);
}

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Read one frame; returns its type, error text in @msg. */
static int read_frame(int fd, int *err, char *msg, size_t len)
{
	uint8_t h[PROTO_HDR_LEN], p[4096];
	struct proto_hdr hd;
	char why[128];

	assert_int_equal(recv(fd, h, sizeof(h), MSG_WAITALL), sizeof(h));
	assert_int_equal(proto_hdr_decode(h, &hd, why, sizeof(why)), 0);
	assert_true(hd.length <= sizeof(p));
	assert_int_equal(recv(fd, p, hd.length, MSG_WAITALL), (ssize_t)hd.length);
	if (hd.type == PROTO_ERROR)
		assert_int_equal(proto_error_decode(p, hd.length, err, msg, len), 0);
	return hd.type;
}

static void test_bad_requests(void **state)
{
	uint8_t buf[PROTO_HDR_LEN + PROTO_INFER_FIXED + 16];
	char msg[600], why[64];
	int fd, err;
	long n;

	(void)state;
	/* dimensions that don't match the payload */
	fd = raw_connect();
	n = proto_infer_encode(buf + PROTO_HDR_LEN, sizeof(buf) - PROTO_HDR_LEN,
			       "app", 4, 4, 1, 1, img, why, sizeof(why));
	assert_int_equal(n, PROTO_INFER_FIXED + 16);
	buf[PROTO_HDR_LEN + 32] = 5;	/* width 5: 20 bytes needed */
	proto_hdr_encode(buf, PROTO_INFER, 9, (uint32_t)n);
	assert_int_equal(send(fd, buf, PROTO_HDR_LEN + (size_t)n, 0), PROTO_HDR_LEN + n);
	assert_int_equal(read_frame(fd, &err, msg, sizeof(msg)), PROTO_ERROR);
	assert_int_equal(err, -EINVAL);
	assert_non_null(strstr(msg, "needs 20 bytes of pixels"));
	/* control garbage on the same connection */
	proto_hdr_encode(buf, PROTO_CONTROL, 10, 5);
	memcpy(buf + PROTO_HDR_LEN, "{oops", 5);
	assert_int_equal(send(fd, buf, PROTO_HDR_LEN + 5, 0), PROTO_HDR_LEN + 5);
	assert_int_equal(read_frame(fd, &err, msg, sizeof(msg)), PROTO_ERROR);
	assert_non_null(strstr(msg, "not a JSON object"));
	/* oversized: refused from the header, then the connection is closed */
	proto_hdr_encode(buf, PROTO_INFER, 11, 64u << 20);
	assert_int_equal(send(fd, buf, PROTO_HDR_LEN, 0), PROTO_HDR_LEN);
	assert_int_equal(read_frame(fd, &err, msg, sizeof(msg)), PROTO_ERROR);
	assert_int_equal(err, -EMSGSIZE);
	assert_non_null(strstr(msg, "too large"));
	assert_int_equal(recv(fd, buf, 1, 0), 0);
	close(fd);
	/* not our protocol at all */
	fd = raw_connect();
	assert_int_equal(send(fd, "GET / HTTP/1.0\r\n\r\n", 18, 0), 18);
	assert_int_equal(read_frame(fd, &err, msg, sizeof(msg)), PROTO_ERROR);
	assert_int_equal(err, -EPROTO);
	close(fd);
}

static void test_stalled_client(void **state)
{
	static struct dnngov_client_result r;
	dnngov_client *c;
	uint8_t half[8];
	int fd, i;

	(void)state;
	/* a client that sends half a header and then nothing */
	fd = raw_connect();
	proto_hdr_encode(half, PROTO_INFER, 1, 100);
	assert_int_equal(send(fd, half, 8, 0), 8);
	assert_int_equal(dnngov_client_connect(&c, sock), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(dnngov_client_infer(c, "app", img, 28, 28, 1, 1, &r), 0);
	dnngov_client_close(c);
	close(fd);
}

static void test_control_and_set(void **state)
{
	json_object *o, *w, *v;

	(void)state;
	o = control("{\"cmd\":\"status\"}");
	assert_true(json_object_object_get_ex(o, "backend", &v));
	assert_string_equal(json_object_get_string(v), "none");
	w = workload(o, "app");
	assert_non_null(w);
	assert_true(field(w, "inferences") >= 26);
	assert_int_equal(field(w, "target_us"), 50000);
	json_object_put(o);

	/* the level table (dominated levels pruned): at least one level */
	o = control("{\"cmd\":\"levels\",\"workload\":\"app\"}");
	assert_true(json_object_object_get_ex(o, "levels", &v));
	size_t n = json_object_array_length(v);
	assert_true(n >= 1 && n <= 4);
	json_object *top = json_object_array_get_idx(v, (int)n - 1), *acc;
	assert_true(json_object_object_get_ex(top, "accuracy", &acc));
	char req[160];

	snprintf(req, sizeof(req),
		 "{\"cmd\":\"set\",\"workload\":\"app\",\"target_ms\":20,\"accuracy_floor\":%.2f}",
		 json_object_get_double(acc));
	json_object_put(o);
	/* a floor at the top level's accuracy pins the top level */
	o = control(req);
	assert_int_equal(field(o, "target_us"), 20000);
	assert_int_equal(field(o, "level"), (int64_t)n - 1);
	assert_int_equal(field(o, "floor_level"), (int64_t)n - 1);
	json_object_put(o);

	{
		dnngov_client *c;
		char *reply;

		assert_int_equal(dnngov_client_connect(&c, sock), 0);
		assert_int_equal(dnngov_client_control(c, "{\"cmd\":\"reboot\"}", &reply), -EINVAL);
		assert_non_null(strstr(dnngov_errmsg(), "unknown command"));
		assert_int_equal(dnngov_client_control(c, "{\"cmd\":\"set\",\"workload\":\"app\",\"target_ms\":-1}", &reply), -EINVAL);
		assert_non_null(strstr(dnngov_errmsg(), "target_ms"));
		dnngov_client_close(c);
	}
}

/* Run dnngovctl with @args; its stdout into @out, returns the exit status. */
static int ctl(const char *args, char *out, size_t len)
{
	char cmd[512];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s -s %s %s 2>&1", getenv("DNNGOVCTL"), sock, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n + 1 < len && fgets(out + n, (int)(len - n), p))
		n += strlen(out + n);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_dnngovctl(void **state)
{
	static char out[16384];
	json_object *o;

	(void)state;
	if (!getenv("DNNGOVCTL"))
		skip();
	assert_int_equal(ctl("status", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "backend none"));
	assert_non_null(strstr(out, "workload app"));
	assert_non_null(strstr(out, "misses"));
	assert_int_equal(ctl("--json status", out, sizeof(out)), 0);
	o = json_tokener_parse(out);
	assert_non_null(o);
	assert_non_null(workload(o, "app"));
	json_object_put(o);
	assert_int_equal(ctl("levels app", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "predicted"));
	assert_int_equal(ctl("set app target 25", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "target 25.000 ms"));
	/* top on a pipe prints one frame and exits */
	assert_int_equal(ctl("top", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "WORKLOAD"));
	assert_null(strstr(out, "\033["));	/* no escapes on a pipe */
	assert_int_equal(ctl("help", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Usage: dnngovctl"));
	/* mistakes: exit 2 with usage, or 1 with the daemon's reason */
	assert_int_equal(ctl("frobnicate", out, sizeof(out)), 2);
	assert_int_equal(ctl("set app target fast", out, sizeof(out)), 2);
	assert_non_null(strstr(out, "target MS"));
	assert_int_equal(ctl("set nope target 5", out, sizeof(out)), 1);
	assert_non_null(strstr(out, "no workload nope"));
}

static void test_sighup_reload(void **state)
{
	json_object *o, *w;
	int64_t before;
	int i;

	(void)state;
	o = control("{\"cmd\":\"status\"}");
	before = field(workload(o, "app"), "inferences");
	json_object_put(o);
	/* same structure, new target; plus a new workload */
	write_conf("\n[workload app2]\nmodel = TEST_MODEL\ntarget_ms = 8\n", "30");
	{
		/* put the real model path in */
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "sed -i 's|TEST_MODEL|%s|' '%s'",
			 getenv("DNNGOV_TEST_MODEL"), conf);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(kill(pid, SIGHUP), 0);
	for (i = 0; i < 100; i++) {
		o = control("{\"cmd\":\"status\"}");
		if (workload(o, "app2"))
			break;
		json_object_put(o);
		o = NULL;
		msleep(50);
	}
	assert_non_null(o);
	w = workload(o, "app");
	assert_non_null(w);
	assert_int_equal(field(w, "target_us"), 30000);	/* changed in place */
	assert_true(field(w, "inferences") >= before);	/* not restarted */
	json_object_put(o);

	/* a broken config is refused and the daemon keeps running */
	write_conf("bogus line\n", "30");
	assert_int_equal(kill(pid, SIGHUP), 0);
	msleep(300);
	o = control("{\"cmd\":\"status\"}");
	assert_non_null(workload(o, "app2"));
	json_object_put(o);
}

static void test_sigterm(void **state)
{
	int st, i;

	(void)state;
	assert_int_equal(kill(pid, SIGTERM), 0);
	for (i = 0; i < 200 && waitpid(pid, &st, WNOHANG) == 0; i++)
		msleep(50);
	assert_true(i < 200);
	pid = 0;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_not_equal(access(sock, F_OK), 0);	/* socket removed */
}

/* ---- the sysfs backend inside dnngovd, on a fake sysfs tree ---------- */

#define CPU0 "/sys/devices/system/cpu/cpufreq/policy0/"

static void put_file(const char *rel, const char *val)
{
	char root[300];

	snprintf(root, sizeof(root), "%s/root", dir);
	fake_sysfs_put(root, rel, val);
}

static void get_file(const char *rel, char *buf, size_t len)
{
	char root[300];

	snprintf(root, sizeof(root), "%s/root", dir);
	fake_sysfs_get(root, rel, buf, len);
}

static int setup_sysfs(void **state)
{
	const char *bin = getenv("DNNGOVD");
	FILE *f;
	int i;

	(void)state;
	if (!bin || !getenv("DNNGOV_TEST_MODEL"))
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/dnngovd-test-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/d.sock", dir);
	snprintf(conf, sizeof(conf), "%s/d.conf", dir);
	put_file(CPU0 "scaling_available_frequencies", "729600 1190400 1907200\n");
	put_file(CPU0 "scaling_available_governors", "userspace schedutil\n");
	put_file(CPU0 "scaling_governor", "schedutil\n");
	put_file(CPU0 "scaling_setspeed", "<unsupported>\n");
	put_file(CPU0 "scaling_cur_freq", "1190400\n");
	put_file(CPU0 "scaling_min_freq", "729600\n");
	put_file(CPU0 "scaling_max_freq", "1907200\n");
	put_file(CPU0 "related_cpus", "0\n");
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "[daemon]\nbackend = sysfs\nsysfs_root = %s/root\nsocket = %s\n\n"
		"[workload app]\nmodel = %s\ntarget_ms = 50\ndomain = auto\ncpus = 0\n",
		dir, sock, getenv("DNNGOV_TEST_MODEL"));
	fclose(f);
	pid = fork();
	if (pid == 0) {
		char log[160];

		snprintf(log, sizeof(log), "%s/log", dir);
		freopen(log, "w", stderr);
		execl(bin, "dnngovd", "-c", conf, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && access(sock, F_OK); i++)
		msleep(50);
	return access(sock, F_OK) ? -1 : 0;
}

static void test_sysfs_daemon(void **state)
{
	static struct dnngov_client_result r;
	json_object *o, *w, *v;
	dnngov_client *c;
	char buf[64];
	int i, st;

	(void)state;
	get_file(CPU0 "scaling_governor", buf, sizeof(buf));
	assert_string_equal(buf, "userspace");	/* taken over */
	assert_int_equal(dnngov_client_connect(&c, sock), 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(dnngov_client_infer(c, "app", img, 28, 28, 1, 1, &r), 0);
	dnngov_client_close(c);
	msleep(300);	/* a few slow-loop ticks */
	o = control("{\"cmd\":\"status\"}");
	assert_true(json_object_object_get_ex(o, "backend", &v));
	assert_string_equal(json_object_get_string(v), "sysfs");
	w = workload(o, "app");
	assert_non_null(w);
	assert_true(json_object_object_get_ex(w, "domain", &v));
	assert_string_equal(json_object_get_string(v), "cpufreq:policy0");	/* auto, from cpus */
	assert_true(json_object_object_get_ex(w, "latency_model", &v));
	assert_string_equal(json_object_get_string(v), "measured at 729600 and 1907200 kHz");
	assert_true(field(w, "decisions") >= 1);
	/* the policy's frequency is what dnngovd wrote */
	get_file(CPU0 "scaling_setspeed", buf, sizeof(buf));
	assert_int_equal(strtol(buf, NULL, 10), field(w, "freq_khz"));
	json_object_put(o);

	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	pid = 0;
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	get_file(CPU0 "scaling_governor", buf, sizeof(buf));
	assert_string_equal(buf, "schedutil");	/* given back */
}

/*
 * power_model files: every mistake stops dnngovd before any workload runs,
 * with the file and line; run with the none backend (nothing to push to).
 */
static void test_power_model_file(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "devfreq:x 1000 5\n", "p.txt:1: not 4 fields" },
		{ "# ok\ndevfreq:x 1000 5 9\n", "p.txt:2: domain name too long, frequency 0" },
		{ "devfreq:x 0 5 1\n", "p.txt:1: domain name too long, frequency 0" },
		{ "devfreq:x 1000 5 1 7\n", "p.txt:1: not 4 fields" },
		{ "# nothing\n", "no OPP lines" },
	};
	char d[] = "/tmp/dnngov-power-XXXXXX", path[128], cmd[512], out[2048];
	const char *bin = getenv("DNNGOVD"), *model = getenv("DNNGOV_TEST_MODEL");
	size_t i, n;
	FILE *f, *p;
	int st;

	(void)state;
	if (!bin || !model)
		skip();
	assert_non_null(mkdtemp(d));
	snprintf(path, sizeof(path), "%s/d.conf", d);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[daemon]\nbackend = none\nsocket = %s/s.sock\npower_model = p.txt\n"
		"[workload a]\nmodel = %s\ntarget_ms = 50\n", d, model);
	fclose(f);
	for (i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "%s/p.txt", d);
		unlink(path);
		if (i < sizeof(bad) / sizeof(bad[0])) {	/* the last run: no file */
			f = fopen(path, "w");
			assert_non_null(f);
			fputs(bad[i].text, f);
			fclose(f);
		}
		snprintf(cmd, sizeof(cmd), "%s -c %s/d.conf 2>&1", bin, d);
		p = popen(cmd, "r");
		assert_non_null(p);
		n = fread(out, 1, sizeof(out) - 1, p);
		out[n] = '\0';
		st = pclose(p);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
		if (!strstr(out, i < sizeof(bad) / sizeof(bad[0]) ? bad[i].want :
			    "p.txt: No such file or directory"))
			fail_msg("case %zu: got '%s'", i, out);
		assert_null(strstr(out, "listening"));
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", d);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest sysfs_tests[] = {
		cmocka_unit_test(test_sysfs_daemon),
	};
	const struct CMUnitTest power_tests[] = {
		cmocka_unit_test(test_power_model_file),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_infer),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_stalled_client),
		cmocka_unit_test(test_control_and_set),
		cmocka_unit_test(test_dnngovctl),
		cmocka_unit_test(test_sighup_reload),
		cmocka_unit_test(test_sigterm),
	};

	int fails = cmocka_run_group_tests_name("daemon", tests, setup, teardown);

	for (int i = 0; i < (int)sizeof(img); i++)
		img[i] = (uint8_t)(i * 7);
	fails += cmocka_run_group_tests_name("daemon_power_model", power_tests, NULL, NULL);
	return fails + cmocka_run_group_tests_name("daemon_sysfs", sysfs_tests,
						   setup_sysfs, teardown);
}
