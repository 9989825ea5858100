/* SPDX-License-Identifier: MIT */
/*
 * Files of a fake sysfs tree under a temporary directory, for the tests of
 * the sysfs backend (alone and inside dnngovd). Include after <cmocka.h>.
 */
#ifndef FAKE_SYSFS_H
#define FAKE_SYSFS_H

#include <stdio.h>
#include <stdlib.h>

/* Write val to root/rel, creating the directories on the way. */
static inline void fake_sysfs_put(const char *root, const char *rel, const char *val)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(val, f);
	fclose(f);
}

/* Read root/rel into buf, without trailing newlines and spaces. */
static inline void fake_sysfs_get(const char *root, const char *rel, char *buf, size_t len)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
}

#endif /* FAKE_SYSFS_H */
