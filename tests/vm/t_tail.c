// SPDX-License-Identifier: GPL-2.0
/*
 * Tests "tail" and "floor": what reports teach the module beyond the
 * slowdown. "tail": DNNGOV_A_RPT_LATENCY_MAX_US is checked (not below the
 * mean), a report without it leaves the tail ratio at 1.0, one with it
 * teaches the ratio, and decisions stay as dnngov_policy_decide() predicts
 * with the ratio read back. "floor": on the fake GPU, non-DNN load lifts
 * the load floor, while a DNN whose reports (every 100 ms) and the
 * module's samples (every 50 ms) are not aligned no longer makes the floor
 * jump in every other window.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dg.h"
#include "vmtest.h"

static const struct dg_level levels[] = {
	{ 4000000, 7000, 200 }, { 6000000, 7400, 200 }, { 9000000, 7700, 200 },
};

static struct dg_wl wls[64];

/* The workload @id as GET_WORKLOAD dumps it, or NULL. */
static const struct dg_wl *get_wl(struct nlc *c, uint32_t id)
{
	int i, n = dg_dump_wls(c, wls, 64);

	for (i = 0; i < n; i++)
		if (wls[i].id == id)
			return &wls[i];
	return NULL;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void test_tail(void)
{
	const char *domain = DG_GPU_DOMAIN;
	const struct dg_wl *w;
	struct dnngov_decision p;
	struct dg_dom d0, d1;
	struct nlerr err;
	struct nlc c;
	uint32_t id, lat, l0, tail;
	char why[256];
	int ret, i;

	if (!vt_check(dg_module(dg_default_params) == 0, "dnngov.ko loaded") ||
	    !vt_check(nlc_open(&c) == 0, "socket open"))
		return;
	vt_write(FAKEPLAT_DBG "/gpu_load_pct", "0");
	if (!vt_check(dg_govern(&c, domain), "%s governed by dnngov", domain))
		goto out;
	ret = dg_new_wl(&c, domain, "tail", 12000, 7300, 33000, levels, 3, &id, &err);
	if (!vt_check(ret == 0, "NEW_WORKLOAD (%d %s)", ret, err.msg))
		goto out;
	if (!vt_check(dg_settled(&c, domain, &d0, &p, why, sizeof(why)),
		      "start: decision as predicted (%s)", why))
		goto del;
	l0 = d0.dec.level[0];
	lat = d0.dec.lat[0];

	/* the slowest latency must be a latency, and not below the mean */
	ret = dg_report_max(&c, id, l0, lat, lat - 1, 1, lat, &err);
	vt_check(ret == -EINVAL && strstr(err.msg, "below the mean"),
		 "slowest below the mean: -EINVAL \"%s\" (%d)", err.msg, ret);
	ret = dg_report_max(&c, id, l0, lat, 0, 1, lat, &err);
	vt_check(ret == -ERANGE, "slowest latency 0: -ERANGE (%d %s)", ret, err.msg);

	/* reports as the model predicts, without the slowest: no margin */
	for (i = 0; i < 5; i++) {
		ret = dg_report(&c, id, l0, lat, 1, lat, &err);
		vt_check(ret == 0, "REPORT %d without the slowest (%d %s)", i, ret, err.msg);
		vt_sleep_ms(20);
	}
	w = get_wl(&c, id);
	if (vt_check(w != NULL, "workload %u in the dump", id))
		vt_check(w->pw.tail_fp == DNNGOV_FP_ONE && w->inferences == 5,
			 "no slowest latency: tail ratio stays %u/65536 (%llu inferences)",
			 w->pw.tail_fp, (unsigned long long)w->inferences);

	/* one with the slowest 30 % over the mean teaches the ratio */
	vt_sleep_ms(30);
	ret = dg_report_max(&c, id, l0, lat, lat + lat * 3 / 10, 1, lat, &err);
	vt_check(ret == 0, "REPORT with the slowest at 1.3x (%d %s)", ret, err.msg);
	w = get_wl(&c, id);
	tail = w ? w->pw.tail_fp : 0;
	vt_check(tail > DNNGOV_FP_ONE * 128 / 100 && tail < DNNGOV_FP_ONE * 132 / 100,
		 "tail ratio learned: %u/65536 (about 1.3)", tail);
	vt_check(dg_settled(&c, domain, &d1, &p, why, sizeof(why)),
		 "with the tail ratio: decision as predicted (%s)", why);
	vt_check((uint64_t)d1.dec.lat[0] * tail <= 12000ULL * DNNGOV_FP_ONE ||
		 (d1.dec.flags & DNNGOV_DECISION_F_INFEASIBLE),
		 "the plan leaves the margin: %u us x %.3f <= 12000 us (or flagged %#x)",
		 d1.dec.lat[0], tail / 65536.0, d1.dec.flags);
	/* a report without the slowest neither teaches nor forgets it */
	ret = dg_report(&c, id, d1.dec.level[0], d1.dec.lat[0], 1, d1.dec.lat[0], &err);
	w = get_wl(&c, id);
	vt_check(ret == 0 && w && w->pw.tail_fp == tail,
		 "a report without the slowest keeps %u/65536 (%d)", w ? w->pw.tail_fp : 0, ret);
del:
	dg_del_wl(&c, id, NULL);
out:
	dg_set_gov(domain, "simple_ondemand");
	nlc_close(&c);
}

/* Highest floor and transition count over @ms of 100 ms DNN reports. */
static void run_reports(struct nlc *c, uint32_t id, uint32_t level, uint32_t lat,
			unsigned int ms, uint32_t *floor_max, uint64_t *transitions)
{
	uint64_t t0 = now_us(), last = t0, t, next_report = t0;
	struct dg_dom d;
	uint64_t tr0 = 0;
	bool first = true;

	*floor_max = 0;
	while ((t = now_us()) < t0 + ms * 1000ULL) {
		if (t >= next_report) {
			/* the GPU is 60 % busy: all of it this DNN's work */
			dg_report(c, id, level, lat, 1, (t - last) * 6 / 10, NULL);
			last = t;
			next_report += 100000;
		}
		if (dg_get_dom(c, DG_GPU_DOMAIN, &d) == 0) {
			if (first)
				tr0 = d.transitions;
			first = false;
			if (d.pd.floor_khz > *floor_max)
				*floor_max = d.pd.floor_khz;
			*transitions = d.transitions - tr0;
		}
		vt_sleep_ms(10);
	}
}

void test_floor(void)
{
	const char *domain = DG_GPU_DOMAIN;
	struct dnngov_decision p;
	struct dg_dom d;
	struct nlerr err;
	struct nlc c;
	uint32_t id, floor_max = 0, lat;
	uint64_t tr = 0;
	char why[256];
	int ret, i;

	if (!vt_check(dg_module(dg_default_params) == 0, "dnngov.ko loaded") ||
	    !vt_check(nlc_open(&c) == 0, "socket open"))
		return;
	if (!vt_check(dg_govern(&c, domain), "%s governed by dnngov", domain))
		goto out;
	/* non-DNN load alone: the floor follows it up (schedutil-like) */
	vt_write(FAKEPLAT_DBG "/gpu_load_pct", "100");
	/* one OPP up per sample; sampling is deferrable and a loaded host
	 * slows TCG, so allow 15 s */
	for (i = 0; i < 300; i++) {
		vt_sleep_ms(50);
		ret = dg_get_dom(&c, domain, &d);
		if (ret || d.pd.floor_khz > d.pd.opps[1].freq_khz)
			break;
	}
	vt_check(ret == 0 && d.pd.floor_khz > d.pd.opps[1].freq_khz &&
		 d.dec.freq_khz >= d.pd.floor_khz,
		 "100 %% non-DNN load lifts the floor: %u kHz, frequency %u kHz",
		 d.pd.floor_khz, d.dec.freq_khz);
	/* and down, 1/4 of the way per sample */
	vt_write(FAKEPLAT_DBG "/gpu_load_pct", "0");
	for (i = 0; i < 300; i++) {
		vt_sleep_ms(50);
		ret = dg_get_dom(&c, domain, &d);
		if (ret || d.pd.floor_khz <= d.pd.opps[0].freq_khz)
			break;
	}
	vt_check(ret == 0 && d.pd.floor_khz <= d.pd.opps[0].freq_khz,
		 "the floor comes down when the load goes: %u kHz after %d ms",
		 d.pd.floor_khz, (i + 1) * 50);

	/* a DNN busy 60 % of the time, reported every 100 ms */
	ret = dg_new_wl(&c, domain, "floor", 20000, 7300, 33000, levels, 3, &id, &err);
	if (!vt_check(ret == 0, "NEW_WORKLOAD (%d %s)", ret, err.msg))
		goto out;
	if (!vt_check(dg_settled(&c, domain, &d, &p, why, sizeof(why)),
		      "decision as predicted (%s)", why))
		goto del;
	lat = d.dec.lat[0];
	vt_write(FAKEPLAT_DBG "/gpu_load_pct", "60");
	/* warm up: the busy rate is learned from the second report on */
	run_reports(&c, id, d.dec.level[0], lat, 500, &floor_max, &tr);
	run_reports(&c, id, d.dec.level[0], lat, 1500, &floor_max, &tr);
	ret = dg_get_dom(&c, domain, &d);
	vt_check(ret == 0 && floor_max < d.dec.freq_khz / 2,
		 "misaligned reports and samples: floor at most %u kHz, below half of %u kHz",
		 floor_max, d.dec.freq_khz);
	vt_check(tr <= 2, "%llu frequency changes in 1.5 s (ping-pong would be ~30)",
		 (unsigned long long)tr);
	vt_check(dg_settled(&c, domain, &d, &p, why, sizeof(why)),
		 "decision as predicted after the reports (%s)", why);
del:
	vt_write(FAKEPLAT_DBG "/gpu_load_pct", "0");
	dg_del_wl(&c, id, NULL);
out:
	dg_set_gov(domain, "simple_ondemand");
	nlc_close(&c);
}
