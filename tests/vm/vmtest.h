/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dnngov in-VM tests: shared helpers. The tests run as /init of a QEMU guest
 * (or as root on a machine with dnngov_fakeplat.ko loaded) and print one
 * "PASS <test>: <case>" or "FAIL <test>: <case>" line per checked case;
 * scripts/vm/run.sh counts those lines.
 */
#ifndef DNNGOV_VMTEST_H
#define DNNGOV_VMTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_GPU	"dnngov-fake-gpu"
#define FAKE_GPU_DIR	"/sys/class/devfreq/" FAKE_GPU
#define FAKEPLAT_DBG	"/sys/kernel/debug/dnngov_fakeplat"
#define CPUFREQ_DIR	"/sys/devices/system/cpu/cpufreq"

/* Directory holding the test modules (dnngov.ko, dnngov_fakeplat.ko, ...). */
extern const char *vt_moddir;
/* Deadline for polled conditions, in ms (TCG is slow; be generous). */
#define VT_DEADLINE_MS	5000

/* ---- results ---- */
void vt_begin(const char *test);
/* Record one case of the current test; returns @ok. */
bool vt_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vt_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Free-form diagnostic line, prefixed with "# ". */
void vt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vt_failures(void);

/* ---- files ---- */
int vt_read(const char *path, char *buf, size_t len);		/* -errno or bytes */
int vt_readf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vt_write(const char *path, const char *val);		/* 0 or -errno */
int vt_writef(const char *val, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
long long vt_read_ll(const char *path);				/* -1 on error */
bool vt_word_in(const char *list, const char *word);
uint64_t vt_now_ms(void);
void vt_sleep_ms(unsigned int ms);
/* Poll @path until its first line equals @want or the deadline passes. */
bool vt_wait_file(const char *path, const char *want, unsigned int ms);

/* cpufreq policies of the fake driver: fills policy numbers, returns count. */
int vt_cpu_policies(int *pol, int max);

/* ---- modules ---- */
int vt_insmod(const char *name, const char *params);	/* 0 or -errno */
int vt_rmmod(const char *name);				/* 0 or -errno */
bool vt_mod_loaded(const char *name);

/* ---- transitions log of the fake platform ---- */
void vt_transitions_clear(void);
/* Last new frequency logged for domain "cpuN"/"gpu", or 0 if none. */
unsigned long vt_transitions_last(const char *dom);

/* ---- tests (t_*.c) ---- */
void test_platform(void);
void test_governors(void);
void test_decide(void);
void test_reports(void);
void test_set_domain(void);
void test_owner_exit(void);
void test_two_clients(void);
void test_bad_messages(void);
void test_fuzz(void);
void test_limits(void);
void test_cluster(void);
void test_tail(void);
void test_floor(void);
void test_unload(void);
void test_kernel_log(void);

#endif
