// SPDX-License-Identifier: GPL-2.0
/* dnngov in-VM tests: results, sysfs/debugfs files, modules. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vmtest.h"

const char *vt_moddir = "/lib/modules/dnngov";

static const char *cur_test = "?";
static int n_fail;

void vt_begin(const char *test)
{
	cur_test = test;
	printf("# --- %s\n", test);
	fflush(stdout);
}

bool vt_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s: ", ok ? "PASS" : "FAIL", cur_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		n_fail++;
	return ok;
}

void vt_skip(const char *fmt, ...)
{
	va_list ap;

	printf("SKIP %s: ", cur_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void vt_note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int vt_failures(void)
{
	return n_fail;
}

int vt_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, tot = 0;

	if (fd < 0)
		return -errno;
	while ((size_t)tot + 1 < len) {
		n = read(fd, buf + tot, len - 1 - tot);
		if (n < 0) {
			int e = -errno;

			close(fd);
			return e;
		}
		if (n == 0)
			break;
		tot += n;
	}
	buf[tot] = '\0';
	close(fd);
	return (int)tot;
}

int vt_readf(char *buf, size_t len, const char *fmt, ...)
{
	char path[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return vt_read(path, buf, len);
}

int vt_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	close(fd);
	return 0;
}

int vt_writef(const char *val, const char *fmt, ...)
{
	char path[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return vt_write(path, val);
}

long long vt_read_ll(const char *path)
{
	char buf[64];

	if (vt_read(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

bool vt_word_in(const char *list, const char *word)
{
	size_t wl = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		bool start = p == list || p[-1] == ' ' || p[-1] == '\n';
		bool end = p[wl] == '\0' || p[wl] == ' ' || p[wl] == '\n';

		if (start && end)
			return true;
		p += wl;
	}
	return false;
}

uint64_t vt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void vt_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

bool vt_wait_file(const char *path, const char *want, unsigned int ms)
{
	uint64_t end = vt_now_ms() + ms;
	char buf[256];

	for (;;) {
		if (vt_read(path, buf, sizeof(buf)) > 0) {
			buf[strcspn(buf, "\n")] = '\0';
			if (!strcmp(buf, want))
				return true;
		}
		if (vt_now_ms() > end)
			return false;
		vt_sleep_ms(10);
	}
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int vt_cpu_policies(int *pol, int max)
{
	DIR *d = opendir(CPUFREQ_DIR);
	struct dirent *e;
	char buf[64];
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		if (strncmp(e->d_name, "policy", 6))
			continue;
		if (vt_readf(buf, sizeof(buf), CPUFREQ_DIR "/%s/scaling_driver",
			     e->d_name) <= 0 || strncmp(buf, "dnngov_fake", 11))
			continue;
		pol[n++] = atoi(e->d_name + 6);
	}
	closedir(d);
	qsort(pol, n, sizeof(*pol), cmp_int);
	return n;
}

int vt_insmod(const char *name, const char *params)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s.ko", vt_moddir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params ? params : "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

int vt_rmmod(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

bool vt_mod_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return access(path, F_OK) == 0;
}

void vt_transitions_clear(void)
{
	vt_write(FAKEPLAT_DBG "/transitions", "0");
}

unsigned long vt_transitions_last(const char *dom)
{
	static char buf[4096 * 64];
	unsigned long last = 0, oldf, newf;
	unsigned long long ns;
	char d[32];
	char *line, *save;

	if (vt_read(FAKEPLAT_DBG "/transitions", buf, sizeof(buf)) <= 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%llu %31s %lu %lu", &ns, d, &oldf, &newf) == 4 &&
		    !strcmp(d, dom))
			last = newf;
	return last;
}
