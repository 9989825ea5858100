// SPDX-License-Identifier: MIT
/*
 * Runtime manager: fast loop and slow loop against a fake backend and a
 * simulated latency source (t = s * (c / f + m) with 2 % jitter).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "manager.h"

/* ---- allocation counter (linked with -Wl,--wrap=malloc,...) ------------ */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

static unsigned long allocs;

void *__wrap_malloc(size_t n)
{
	allocs++;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	allocs++;
	return __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	allocs++;
	return __real_realloc(p, n);
}

/* ---- fake backend ---------------------------------------------------- */

struct fake {
	int adds, changes, dels, levels, reports, ticks;
	u32 last_target;
	struct dnngov_platform_report last_report;
	struct dnngov_platform_decision dec;
	bool have_dec;
	int fail_add;
};

static struct fake fk;

static int f_add(struct dnngov_platform *p,
		 const struct dnngov_platform_workload *w, u32 *id)
{
	if (fk.fail_add)
		return dnngov_platform_errf(p, -ENODEV, "no domain %s", w->domain);
	fk.adds++;
	fk.last_target = w->target_us;
	*id = 7;
	return 0;
}

static int f_change(struct dnngov_platform *p, u32 id,
		    const struct dnngov_platform_workload *w)
{
	(void)p;
	assert_int_equal(id, 7);
	fk.changes++;
	fk.last_target = w->target_us;
	return 0;
}

static int f_del(struct dnngov_platform *p, u32 id)
{
	(void)p;
	assert_int_equal(id, 7);
	fk.dels++;
	return 0;
}

static int f_levels(struct dnngov_platform *p, u32 id,
		    const struct dnngov_level *l, u32 n)
{
	(void)p;
	(void)l;
	assert_int_equal(id, 7);
	assert_true(n >= 1);
	fk.levels++;
	return 0;
}

static int f_report(struct dnngov_platform *p, u32 id,
		    const struct dnngov_platform_report *r)
{
	(void)p;
	assert_int_equal(id, 7);
	fk.reports++;
	fk.last_report = *r;
	return 0;
}

static int f_tick(struct dnngov_platform *p, u64 now)
{
	(void)p;
	(void)now;
	fk.ticks++;
	return 0;
}

static int f_decision(struct dnngov_platform *p, u32 id,
		      struct dnngov_platform_decision *out)
{
	(void)p;
	assert_int_equal(id, 7);
	if (!fk.have_dec)
		return -ENODATA;
	*out = fk.dec;
	return 0;
}

static const struct dnngov_platform_ops fake_ops = {
	.name = "fake",
	.workload_add = f_add,
	.workload_change = f_change,
	.workload_del = f_del,
	.set_levels = f_levels,
	.report = f_report,
	.tick = f_tick,
	.decision = f_decision,
};

static struct dnngov_platform fake_plat = { .ops = &fake_ops };

/* ---- simulated workload ---------------------------------------------- */

#define NL 5
static const u32 acc[NL] = { 7000, 7600, 8000, 8300, 8500 };
/* us at 1 GHz: 2, 4, 6, 8, 10 ms, a quarter of it frequency-insensitive */
static const u32 base_us[NL] = { 2000, 4000, 6000, 8000, 10000 };

static u32 lcg = 1;

static double jitter(void)
{
	lcg = lcg * 1103515245u + 12345u;
	return 0.98 + 0.04 * ((lcg >> 16) & 0x7fff) / 32767.0;
}

/* latency (ns) of @level at @khz with slowdown @s */
static u64 sim_ns(u32 level, u32 khz, double s)
{
	double c = base_us[level] * 0.75 * 1e3;	/* cycles: 1000 per us at 1 GHz */
	double m = base_us[level] * 0.25;

	return (u64)(s * (c * 1000.0 / khz + m) * 1000.0 * jitter());
}

static void fill(struct dnngov_manager_workload *w, const char *domain,
		 u32 target, u32 floor)
{
	u32 i;

	memset(w, 0, sizeof(*w));
	w->name = "cam0";
	w->domain = domain;
	w->target_us = target;
	w->accuracy_floor = floor;
	w->n_levels = NL;
	for (i = 0; i < NL; i++) {
		w->levels[i].accuracy = acc[i];
		w->levels[i].cycles = (u64)base_us[i] * 750000ULL / 1000;
		w->levels[i].fixed_us = base_us[i] / 4;
	}
}

struct run {
	struct dnngov_manager *m;
	int h;
	u32 level;
	u64 now;
};

static u32 step(struct run *r, u32 khz, double s)
{
	u64 ns = sim_ns(r->level, khz, s);

	r->now += ns;
	r->level = dnngov_manager_infer_done(r->m, r->h, r->level, ns, ns, r->now);
	return r->level;
}

static void start(struct run *r, struct dnngov_platform *p, u32 target,
		  u32 floor)
{
	struct dnngov_manager_workload w;
	char err[256];

	memset(&fk, 0, sizeof(fk));
	memset(r, 0, sizeof(*r));
	assert_int_equal(dnngov_manager_create(p, NULL, &r->m), 0);
	fill(&w, p ? "cpufreq:policy0" : "", target, floor);
	assert_int_equal(dnngov_manager_add(r->m, &w, &r->h, err, sizeof(err)), 0);
	r->level = dnngov_manager_level(r->m, r->h);
}

/* ---- tests ----------------------------------------------------------- */

static void test_initial_level_fits(void **state)
{
	struct run r;

	(void)state;
	start(&r, NULL, 7000, 0);
	/* at the reference 1 GHz levels 0..2 (2, 4, 6 ms) fit 7 ms */
	assert_int_equal(r.level, 2);
	dnngov_manager_destroy(r.m);
}

static void test_miss_drops_at_once(void **state)
{
	struct dnngov_manager_stats st;
	struct run r;
	u32 before, i;

	(void)state;
	start(&r, NULL, 9000, 0);
	for (i = 0; i < 50; i++)
		step(&r, 1000000, 1.0);
	before = r.level;
	assert_int_equal(before, 3);	/* 8 ms fits 9 ms; 10 ms doesn't */
	/* a co-runner makes everything 1.5x slower: the very next inference
	 * misses and the level must drop right after it */
	step(&r, 1000000, 1.5);
	assert_true(r.level < before);
	/* 1.5 * 4 ms = 6 ms fits, 1.5 * 6 ms = 9 ms (+jitter) does not: the
	 * model-scaled prediction goes straight to level 1 */
	assert_int_equal(r.level, 1);
	assert_int_equal(dnngov_manager_stats(r.m, r.h, &st), 0);
	assert_int_equal(st.misses, 1);
	dnngov_manager_destroy(r.m);
}

static void test_floor_respected(void **state)
{
	struct run r;
	u32 i;

	(void)state;
	start(&r, NULL, 3000, 8000);	/* floor = level 2 (80.00 %) */
	assert_int_equal(r.level, 2);
	for (i = 0; i < 100; i++) {
		step(&r, 1000000, 2.0);	/* every inference misses */
		assert_true(r.level >= 2);
	}
	dnngov_manager_destroy(r.m);
}

static void test_no_ping_pong(void **state)
{
	struct dnngov_manager_stats st;
	struct run r;
	u32 i;

	(void)state;
	/* level 3 takes 8 ms: it fits 8.5 ms but with less than the 10 %
	 * slack a step up needs, so the manager must settle on one level and
	 * stay there through jitter */
	start(&r, NULL, 8500, 0);
	for (i = 0; i < 20; i++)
		step(&r, 1000000, 1.0);
	assert_int_equal(dnngov_manager_stats(r.m, r.h, &st), 0);
	u64 changes = st.level_changes;

	for (i = 0; i < 2000; i++)
		step(&r, 1000000, 1.0);
	assert_int_equal(dnngov_manager_stats(r.m, r.h, &st), 0);
	assert_int_equal(st.level_changes, changes);
	assert_int_equal(st.misses, 0);
	dnngov_manager_destroy(r.m);
}

/* inferences from a change until the level moves */
static u32 reaction(struct run *r, u32 khz, double s, u32 from)
{
	u32 n;

	for (n = 1; n <= 50; n++)
		if (step(r, khz, s) != from)
			return n;
	return 999;
}

static void test_reaction_within_3(void **state)
{
	struct run r;
	u32 n, i;

	(void)state;
	start(&r, NULL, 11000, 0);
	for (i = 0; i < 20; i++)
		step(&r, 1000000, 1.0);
	assert_int_equal(r.level, 4);

	/* co-runner appears */
	n = reaction(&r, 1000000, 1.6, 4);
	print_message("reaction to a co-runner (1.6x): %u inference(s)\n", n);
	assert_true(n <= 3);

	/* co-runner goes away: step back up after K = 3 good ones */
	for (i = 0; i < 5; i++)
		step(&r, 1000000, 1.6);
	u32 lv = r.level;

	n = reaction(&r, 1000000, 1.0, lv);
	print_message("reaction to the co-runner leaving: %u inference(s)\n", n);
	assert_true(n <= 3);
	assert_true(r.level > lv);

	/* tighter target */
	for (i = 0; i < 40; i++)
		step(&r, 1000000, 1.0);
	lv = r.level;
	assert_int_equal(dnngov_manager_change(r.m, r.h, 5000, 0, 0), 0);
	n = reaction(&r, 1000000, 1.0, lv);
	print_message("reaction to a tighter target: %u inference(s)\n", n);
	assert_true(n <= 3);
	assert_true(r.level <= 1);

	/* looser target */
	lv = r.level;
	assert_int_equal(dnngov_manager_change(r.m, r.h, 20000, 0, 0), 0);
	n = reaction(&r, 1000000, 1.0, lv);
	print_message("reaction to a looser target: %u inference(s)\n", n);
	assert_true(n <= 3);
	dnngov_manager_destroy(r.m);
}

static void test_slow_loop_pushes_and_follows(void **state)
{
	struct dnngov_manager_stats st;
	struct run r;
	u32 i;

	(void)state;
	start(&r, &fake_plat, 9000, 7600);
	assert_int_equal(fk.adds, 1);
	assert_int_equal(fk.levels, 1);
	assert_int_equal(fk.last_target, 9000);

	for (i = 0; i < 10; i++)
		step(&r, 1000000, 1.0);
	assert_int_equal(dnngov_manager_tick(r.m, r.now), 0);
	assert_int_equal(fk.ticks, 1);
	assert_int_equal(fk.reports, 1);
	assert_int_equal(fk.last_report.count, 10);
	assert_in_range(fk.last_report.latency_us, 7600, 8400);
	/* the slowest of the window: at least the mean, within the jitter */
	assert_in_range(fk.last_report.latency_max_us, fk.last_report.latency_us, 8400);
	assert_true(fk.last_report.busy_us >= 10 * 7600);

	/* no report before the period has passed */
	step(&r, 1000000, 1.0);
	assert_int_equal(dnngov_manager_tick(r.m, r.now + 1000), 0);
	assert_int_equal(fk.reports, 1);
	assert_int_equal(dnngov_manager_tick(r.m, r.now + 200000000ULL), 0);
	assert_int_equal(fk.reports, 2);

	/* target change goes out at the next tick */
	assert_int_equal(dnngov_manager_change(r.m, r.h, 6000, 7600, 0), 0);
	assert_int_equal(fk.changes, 0);
	assert_int_equal(dnngov_manager_tick(r.m, r.now + 300000000ULL), 0);
	assert_int_equal(fk.changes, 1);
	assert_int_equal(fk.last_target, 6000);

	/* a decision: 1.8 GHz, level 3 recommended; 8 ms at 1 GHz becomes
	 * 5.3 ms there, within the 6 ms target: followed */
	fk.have_dec = true;
	fk.dec.seq = 1;
	fk.dec.freq_khz = 1800000;
	fk.dec.level = 3;
	assert_int_equal(dnngov_manager_tick(r.m, r.now + 400000000ULL), 0);
	assert_int_equal(dnngov_manager_stats(r.m, r.h, &st), 0);
	assert_int_equal(st.level, 3);
	assert_int_equal(st.recommended, 3);
	assert_int_equal(st.freq_khz, 1800000);
	assert_int_equal(st.decisions, 1);

	/* the same decision again is not followed twice */
	assert_int_equal(dnngov_manager_tick(r.m, r.now + 500000000ULL), 0);
	assert_int_equal(dnngov_manager_stats(r.m, r.h, &st), 0);
	assert_int_equal(st.decisions, 1);

	/* a recommendation below the floor is lifted to the floor level */
	fk.dec.seq = 2;
	fk.dec.level = 0;
	assert_int_equal(dnngov_manager_tick(r.m, r.now + 600000000ULL), 0);
	assert_int_equal(dnngov_manager_level(r.m, r.h), 1);

	/* the fast loop never steps above the recommendation */
	r.level = dnngov_manager_level(r.m, r.h);
	for (i = 0; i < 50; i++)
		assert_true(step(&r, 1800000, 0.5) <= 1);

	/* a co-runner: misses drop the level; a decision recommending a
	 * higher level (taken for another workload, before this one's report
	 * got in) is not followed up into a miss */
	fk.dec.seq = 3;
	fk.dec.level = 4;
	assert_int_equal(dnngov_manager_tick(r.m, r.now + 700000000ULL), 0);
	r.level = dnngov_manager_level(r.m, r.h);
	for (i = 0; i < 5; i++)
		step(&r, 1800000, 2.0);
	assert_int_equal(r.level, 1);	/* the floor level: 2x slower */
	fk.dec.seq = 4;
	assert_int_equal(dnngov_manager_tick(r.m, r.now + 800000000ULL), 0);
	assert_int_equal(dnngov_manager_stats(r.m, r.h, &st), 0);
	assert_int_equal(st.recommended, 4);
	assert_int_equal(st.level, 1);	/* level 2 at 2x would take 6.7 ms */
	/* a decision with more frequency makes room: level 2 fits again */
	fk.dec.seq = 5;
	fk.dec.freq_khz = 5000000;
	assert_int_equal(dnngov_manager_tick(r.m, r.now + 900000000ULL), 0);
	assert_int_equal(dnngov_manager_level(r.m, r.h), 2);	/* 4.8 ms; level 3: 6.4 */

	dnngov_manager_destroy(r.m);
	assert_int_equal(fk.dels, 1);
}

/*
 * Queueing: the platform learns from service time (reports, busy time),
 * deadlines are counted on end-to-end latency (arrival to result).
 */
static void test_service_vs_queueing(void **state)
{
	struct dnngov_manager_stats st;
	struct run r;
	u64 svc;
	u32 i;

	(void)state;
	start(&r, &fake_plat, 9000, 7600);
	for (i = 0; i < 10; i++) {
		svc = sim_ns(r.level, 1000000, 1.0);
		r.now += svc + 2000000;		/* each waited 2 ms in the queue */
		r.level = dnngov_manager_infer_done(r.m, r.h, r.level, svc, svc + 2000000, r.now);
	}
	assert_int_equal(dnngov_manager_tick(r.m, r.now), 0);
	assert_int_equal(fk.reports, 1);
	assert_int_equal(fk.last_report.level, 2);
	/* level 2 runs 6 ms: reported as such, not 9 ms with the wait */
	assert_in_range(fk.last_report.latency_us, 5700, 6300);
	assert_in_range(fk.last_report.latency_max_us, fk.last_report.latency_us, 6300);
	assert_in_range(fk.last_report.busy_us, 10 * 5700, 10 * 6300);
	/* level 3 (8 + 2 ms) misses 9 ms end to end once, and with the wait
	 * is never predicted to fit again; level 2 (6 + 2 ms) holds */
	assert_int_equal(dnngov_manager_stats(r.m, r.h, &st), 0);
	assert_int_equal(st.level, 2);
	assert_int_equal(st.misses, 1);
	assert_in_range(st.last_latency_us, 7800, 8200);
	/* an inference that ran below a floor raised meanwhile misses: the
	 * level stays at the floor's */
	assert_int_equal(dnngov_manager_change(r.m, r.h, 1000, 8000, 0), 0);
	assert_int_equal(dnngov_manager_infer_done(r.m, r.h, 0, 3000000, 3000000, r.now), 2);
	assert_int_equal(dnngov_manager_change(r.m, r.h, 9000, 7600, 0), 0);
	/* a latency below the service time is taken as no wait */
	r.level = dnngov_manager_infer_done(r.m, r.h, r.level, 5000000, 1000, r.now);
	assert_int_equal(dnngov_manager_stats(r.m, r.h, &st), 0);
	assert_int_equal(st.last_latency_us, 5000);
	dnngov_manager_destroy(r.m);
}

static void test_decision_reaction_within_3(void **state)
{
	struct run r;
	u32 i, n;

	(void)state;
	start(&r, &fake_plat, 9000, 0);
	fk.have_dec = true;
	fk.dec.seq = 1;
	fk.dec.freq_khz = 1000000;
	fk.dec.level = 3;
	dnngov_manager_tick(r.m, 0);
	r.level = dnngov_manager_level(r.m, r.h);
	for (i = 0; i < 20; i++)
		step(&r, 1000000, 1.0);
	assert_int_equal(r.level, 3);
	/* the platform lowers the frequency (thermal cap): 1 GHz -> 600 MHz;
	 * the next inferences are too slow and the level adapts */
	n = reaction(&r, 600000, 1.0, 3);
	print_message("reaction to a frequency cap: %u inference(s)\n", n);
	assert_true(n <= 3);
	dnngov_manager_destroy(r.m);
}

/* The per-inference path and the slow loop allocate nothing after set-up. */
static void test_no_allocation(void **state)
{
	struct run r;
	unsigned long before;
	u32 i;

	(void)state;
	before = allocs;
	start(&r, &fake_plat, 9000, 0);
	assert_true(allocs > before);	/* the counter works: create allocates */
	fk.have_dec = true;
	before = allocs;
	for (i = 0; i < 10000; i++) {
		step(&r, 1000000, i % 100 < 50 ? 1.0 : 1.5);
		if (i % 10 == 0) {
			fk.dec.seq = i + 1;
			fk.dec.level = i % 5;
			dnngov_manager_tick(r.m, r.now + i * 200000000ULL);
		}
	}
	assert_int_equal(allocs - before, 0);
	assert_true(fk.reports > 100);
	dnngov_manager_destroy(r.m);
}

static void test_bad_input(void **state)
{
	struct dnngov_manager_workload w;
	struct dnngov_manager *m;
	char err[256];
	int h;

	(void)state;
	assert_int_equal(dnngov_manager_create(NULL, NULL, &m), 0);
	fill(&w, "", 0, 0);
	assert_int_equal(dnngov_manager_add(m, &w, &h, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "latency target"));

	fill(&w, "", 5000, 0);
	w.levels[2].accuracy = 9000;	/* breaks the order */
	assert_int_equal(dnngov_manager_add(m, &w, &h, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "level 3 is less accurate than level 2"));

	fill(&w, "", 5000, 0);
	w.n_levels = 0;
	assert_int_equal(dnngov_manager_add(m, &w, &h, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "level count"));

	fill(&w, "", 5000, 0);
	assert_int_equal(dnngov_manager_add(m, &w, &h, err, sizeof(err)), 0);
	assert_int_equal(dnngov_manager_add(m, &w, &h, err, sizeof(err)), -EEXIST);
	assert_int_equal(dnngov_manager_change(m, h, 5000, 20000, 0), -EINVAL);
	assert_non_null(strstr(dnngov_manager_last_error(m), "accuracy floor"));
	assert_int_equal(dnngov_manager_change(m, 31, 5000, 0, 0), -ENOENT);
	assert_int_equal(dnngov_manager_infer_done(m, -1, 0, 1, 1, 1), UINT32_MAX);
	/* an out-of-table level from the caller is not trusted */
	assert_true(dnngov_manager_infer_done(m, h, 99, 1000, 1000, 1) < NL);
	dnngov_manager_destroy(m);

	/* platform errors carry the backend's message */
	memset(&fk, 0, sizeof(fk));
	fk.fail_add = 1;
	assert_int_equal(dnngov_manager_create(&fake_plat, NULL, &m), 0);
	fill(&w, "devfreq:gpu", 5000, 0);
	assert_int_equal(dnngov_manager_add(m, &w, &h, err, sizeof(err)), -ENODEV);
	assert_non_null(strstr(err, "no domain devfreq:gpu"));
	dnngov_manager_destroy(m);
}

static void test_level_fit(void **state)
{
	struct dnngov_level l;
	u32 khz[3] = { 600000, 1200000, 1800000 };
	u32 us[3];
	int i;

	(void)state;
	/* c = 6e6 cycles, m = 1500 us */
	for (i = 0; i < 3; i++)
		us[i] = (u32)(6000000ULL * 1000 / khz[i] + 1500);
	assert_int_equal(dnngov_level_fit(khz, us, 3, &l), 0);
	assert_in_range(l.cycles, 5990000, 6010000);
	assert_in_range(l.fixed_us, 1495, 1505);
	/* two points suffice */
	assert_int_equal(dnngov_level_fit(khz, us, 2, &l), 0);
	assert_in_range(l.fixed_us, 1495, 1505);
	/* one frequency: everything is cycles */
	assert_int_equal(dnngov_level_fit(khz, us, 1, &l), 0);
	assert_int_equal(l.fixed_us, 0);
	assert_in_range(l.cycles, (u64)us[0] * 600 - 600, (u64)us[0] * 600 + 600);
	/* frequency-insensitive work only: no negative cycles */
	us[0] = us[1] = us[2] = 4000;
	assert_int_equal(dnngov_level_fit(khz, us, 3, &l), 0);
	assert_true(l.cycles < 10);
	assert_in_range(l.fixed_us, 3990, 4010);
	khz[0] = 0;
	assert_int_equal(dnngov_level_fit(khz, us, 3, &l), -EINVAL);
	assert_int_equal(dnngov_level_fit(khz, us, 0, &l), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial_level_fits),
		cmocka_unit_test(test_miss_drops_at_once),
		cmocka_unit_test(test_floor_respected),
		cmocka_unit_test(test_no_ping_pong),
		cmocka_unit_test(test_reaction_within_3),
		cmocka_unit_test(test_slow_loop_pushes_and_follows),
		cmocka_unit_test(test_decision_reaction_within_3),
		cmocka_unit_test(test_no_allocation),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_level_fit),
		cmocka_unit_test(test_service_vs_queueing),
	};

	return cmocka_run_group_tests_name("manager", tests, NULL, NULL);
}
