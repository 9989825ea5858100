// SPDX-License-Identifier: GPL-2.0
/*
 * dnngov-vmtest: init of the test VM and runner of the in-VM tests.
 *
 * As PID 1 (the initramfs /init) it mounts the pseudo file systems, loads
 * the kernel modules listed in /lib/modules/dnngov/preload, runs the tests in
 * a child (so a crashing test cannot take init and the kernel down), prints
 * a summary and the marker line scripts/vm/run.sh waits for, and powers off.
 * Run as root on a live system it only runs the tests.
 *
 * Kernel command line (passed to init as environment):
 *   vmtest=NAME[,NAME]   run only these tests (see tests[] below)
 *   vmshell=1            start /bin/sh on the console after the tests
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmtest.h"

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "platform", test_platform },
	{ "governors", test_governors },
	{ "decide", test_decide },
	{ "reports", test_reports },
	{ "set_domain", test_set_domain },
	{ "owner_exit", test_owner_exit },
	{ "two_clients", test_two_clients },
	{ "limits", test_limits },
	{ "cluster", test_cluster },
	{ "tail", test_tail },
	{ "floor", test_floor },
	{ "bad_messages", test_bad_messages },
	{ "fuzz", test_fuzz },
	{ "unload", test_unload },
	{ "kernel_log", test_kernel_log },
};

static bool selected(const char *only, const char *name)
{
	char buf[256], *tok, *save;

	if (!only || !*only)
		return true;
	snprintf(buf, sizeof(buf), "%s", only);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, name))
			return true;
	return false;
}

static void init_mounts(void)
{
	int fd;

	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mkdir("/dev", 0755);
	mkdir("/tmp", 01777);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	mount("tmpfs", "/tmp", "tmpfs", 0, NULL);

	/* The kernel may have started us without /dev/console. */
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Load the modules named one per line in <moddir>/preload, in order. */
static int init_modules(void)
{
	char path[256], line[128];
	FILE *f;
	int ret, bad = 0;

	snprintf(path, sizeof(path), "%s/preload", vt_moddir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *params;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		params = strchr(line, ' ');
		if (params)
			*params++ = '\0';
		ret = vt_insmod(line, params);
		if (ret && ret != -EEXIST) {
			printf("init: insmod %s: %s\n", line, strerror(-ret));
			bad++;
		}
	}
	fclose(f);
	return bad;
}

static int run_tests(const char *only)
{
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (!selected(only, tests[i].name))
			continue;
		vt_begin(tests[i].name);
		tests[i].fn();
		n++;
	}
	if (!n)
		printf("FAIL vmtest: no test named '%s'\n", only);
	return vt_failures() || !n;
}

int main(int argc, char **argv)
{
	const char *only = getenv("vmtest");
	bool as_init = getpid() == 1;
	int status = 1;
	pid_t pid;

	if (argc > 1)
		only = argv[1];
	if (!as_init)
		return run_tests(only);

	init_mounts();
	printf("dnngov-vmtest: kernel up, loading modules\n");
	if (init_modules())
		printf("FAIL init: a preloaded module did not load (see above)\n");

	pid = fork();
	if (pid == 0)
		_exit(run_tests(only));
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFSIGNALED(status))
		printf("FAIL vmtest: test runner killed by signal %d\n",
		       WTERMSIG(status));

	/* Reap anything the tests left behind before powering off. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	printf("DNNGOV-VM-DONE status=%d\n",
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	fflush(stdout);
	if (getenv("vmshell") && access("/bin/sh", X_OK) == 0) {
		pid = fork();
		if (pid == 0) {
			execl("/bin/sh", "sh", NULL);
			_exit(127);
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
