// SPDX-License-Identifier: MIT
/*
 * The agent's kernel backend and manager against the real dnngov.ko, in the
 * test VM (tests/agent-vm/run.sh): domains listed, a workload registered
 * with its levels, reports sent, decisions received and followed, a target
 * change re-decided, the module's ext-ack text surfaced, clean close.
 * Prints PASS/FAIL lines like tests/vm.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "manager.h"

static int fails;

#define CHECK(cond, ...) do { \
	printf("%s agent-kernel: ", (cond) ? "PASS" : "FAIL"); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	fails += !(cond); \
} while (0)

static u64 now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (u64)t.tv_sec * 1000000000ULL + (u64)t.tv_nsec;
}

static bool is_opp(const struct dnngov_platform_domain *d, u32 khz)
{
	u32 i;

	for (i = 0; i < d->n_opps; i++)
		if (d->opps_khz[i] == khz)
			return true;
	return false;
}

/* n inferences at the latency the model predicts at the current frequency,
 * a tick every 4; returns the stats after. */
static void run(struct dnngov_platform *p, struct dnngov_manager *m, int h,
		const struct dnngov_manager_workload *w, int n,
		struct dnngov_manager_stats *st)
{
	struct dnngov_platform_domain cur;
	u64 svc;
	int i;

	for (i = 0; i < n; i++) {
		u32 lvl = dnngov_manager_level(m, h), khz;

		p->ops->domain_get(p, w->domain, &cur);
		khz = cur.cur_khz ? cur.cur_khz : 1000000;
		svc = (w->levels[lvl].cycles * 1000 / khz + w->levels[lvl].fixed_us) * 1000;
		dnngov_manager_infer_done(m, h, lvl, svc, svc, now());
		if (i % 4 == 3)
			dnngov_manager_tick(m, now() + (u64)i * 200000000ULL);
	}
	dnngov_manager_stats(m, h, st);
}

int main(void)
{
	struct dnngov_manager_workload w = {
		.name = "smoke", .domain = "cpufreq:policy0", .target_us = 20000,
		.n_levels = 3,
	};
	struct dnngov_platform_domain d[DNNGOV_PLATFORM_MAX_DOMAINS], dom;
	struct dnngov_level bad = { .cycles = 1, .accuracy = 20000 };
	struct dnngov_manager_stats st;
	struct dnngov_manager *m;
	struct dnngov_platform p;
	char err[256];
	u32 n = 0, i, f1;
	int h, r;

	r = dnngov_platform_kernel_init(&p);
	if (!r)
		r = p.ops->open(&p);
	CHECK(r == 0, "open the kernel backend (%s)", r ? p.errmsg : "ok");
	if (r)
		return 1;
	r = p.ops->list_domains(&p, d, DNNGOV_PLATFORM_MAX_DOMAINS, &n);
	for (i = 0; i < n && strcmp(d[i].name, "cpufreq:policy0"); i++)
		;
	CHECK(r == 0 && i < n && d[i].n_opps > 1,
	      "cpufreq:policy0 listed with its OPP table (%u domains)", n);
	if (i >= n)
		return 1;
	dom = d[i];
	for (i = 0; i < 3; i++) {
		w.levels[i].cycles = 5000000ULL * (i + 1);
		w.levels[i].fixed_us = 300;
		w.levels[i].accuracy = 7000 + 500 * i;
	}
	dnngov_manager_create(&p, NULL, &m);
	r = dnngov_manager_add(m, &w, &h, err, sizeof(err));
	CHECK(r == 0, "workload registered with 3 levels (%s)", r ? err : "ok");
	if (r)
		return 1;

	run(&p, m, h, &w, 20, &st);
	CHECK(st.decisions >= 1, "decisions received and followed (%llu)",
	      (unsigned long long)st.decisions);
	CHECK(is_opp(&dom, st.freq_khz), "decided frequency %u kHz is an OPP", st.freq_khz);
	CHECK(st.misses == 0, "a 20 ms target is met (%llu misses)",
	      (unsigned long long)st.misses);
	f1 = st.freq_khz;

	dnngov_manager_change(m, h, 4000, 0, 0);
	run(&p, m, h, &w, 20, &st);
	CHECK(st.target_us == 4000 && st.freq_khz > f1,
	      "a 4 ms target raises the frequency (%u -> %u kHz)", f1, st.freq_khz);
	p.ops->domain_get(&p, w.domain, &dom);
	CHECK(dom.cur_khz == st.freq_khz, "the domain runs at the decision (%u kHz)",
	      dom.cur_khz);

	r = p.ops->set_levels(&p, st.platform_id, &bad, 1);
	CHECK(r < 0 && strstr(p.errmsg, "set levels: ") &&
	      strlen(p.errmsg) > strlen("set levels: ") + strlen(strerror(-r)),
	      "a bad level table is refused with the module's message (%d: %s)",
	      r, p.errmsg);

	dnngov_manager_destroy(m);
	dnngov_platform_close(&p);
	printf("agent-kernel: %d failed\n", fails);
	return fails != 0;
}
