// SPDX-License-Identifier: MIT
/*
 * bench-agent: the agent's overheads, printed (not asserted):
 *  - the manager's fast loop (dnngov_manager_infer_done), ns per call;
 *  - the slow loop with the sysfs policy on 4 workloads, us per tick;
 *  - the socket path of a running dnngovd: round-trip time of an INFER
 *    minus the inference time the daemon measured (framing, queueing,
 *    thread hand-off), median and p99 over N requests.
 *
 *   bench_agent [SOCKET WORKLOAD N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dnngov/dnngov.h>

#include "manager.h"

static uint64_t now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void bench_fast_loop(void)
{
	struct dnngov_manager_workload w = {
		.name = "b", .domain = "", .target_us = 10000, .n_levels = 8,
	};
	struct dnngov_manager *m;
	char err[128];
	uint64_t a, t = 0, lat;
	u32 level = 0, i, n = 10000000;
	int h;

	for (i = 0; i < 8; i++) {
		w.levels[i].cycles = 1000000ULL * (i + 1);
		w.levels[i].accuracy = 7000 + 100 * i;
	}
	dnngov_manager_create(NULL, NULL, &m);
	dnngov_manager_add(m, &w, &h, err, sizeof(err));
	a = now();
	for (i = 0; i < n; i++) {
		/* latency alternates around the target: drops and step-ups */
		t += 1000;
		lat = (i & 64) ? 12000000 : 3000000;
		level = dnngov_manager_infer_done(m, h, level, lat, lat, t);
	}
	printf("manager fast loop: %.1f ns per inference (%u calls)\n",
	       (double)(now() - a) / n, n);
	dnngov_manager_destroy(m);
}

static void bench_socket(const char *sock, const char *wl, int n)
{
	static struct dnngov_client_result r;
	uint8_t img[28 * 28];
	uint64_t *ov = calloc((size_t)n, sizeof(*ov)), a, b;
	dnngov_client *c;
	int i;

	if (!ov || dnngov_client_connect(&c, sock)) {
		fprintf(stderr, "bench_agent: %s\n", dnngov_errmsg());
		exit(1);
	}
	memset(img, 100, sizeof(img));
	for (i = 0; i < n; i++) {
		a = now();
		if (dnngov_client_infer(c, wl, img, 28, 28, 1, 5, &r)) {
			fprintf(stderr, "bench_agent: %s\n", dnngov_errmsg());
			exit(1);
		}
		b = now();
		ov[i] = (b - a) / 1000 > r.latency_us ? (b - a) / 1000 - r.latency_us : 0;
	}
	qsort(ov, (size_t)n, sizeof(*ov), cmp_u64);
	printf("dnngovd socket overhead (round trip - inference): median %llu us, p99 %llu us (%d requests, 28x28, top-5)\n",
	       (unsigned long long)ov[n / 2], (unsigned long long)ov[n * 99 / 100], n);
	dnngov_client_close(c);
	free(ov);
}

int main(int argc, char **argv)
{
	bench_fast_loop();
	if (argc == 4)
		bench_socket(argv[1], argv[2], atoi(argv[3]));
	return 0;
}
