// SPDX-License-Identifier: GPL-2.0
/*
 * Tests "decide" and "reports": workloads with level tables on a CPU policy
 * and on the GPU; the frequency the module sets (sysfs and the fake
 * platform's transition log) and the decisions it sends (unicast to the
 * owner and on the events group) must equal what dnngov_policy_decide()
 * predicts from the state read back with GET_DOMAIN and GET_WORKLOAD; and a
 * report of slower inferences must move the decision the predicted way.
 */
#include <stdio.h>
#include <string.h>

#include "dg.h"
#include "vmtest.h"

/* MobileNetV3-like subnets: cycles, accuracy (0.01 %), fixed time (us). */
static const struct dg_level cpu_levels[] = {
	{ 20000000, 7000, 500 }, { 30000000, 7400, 500 }, { 45000000, 7700, 500 },
};
static const struct dg_level gpu_levels[] = {
	{ 4000000, 7000, 200 }, { 6000000, 7400, 200 }, { 9000000, 7700, 200 },
};

static bool dec_has(const struct dg_dec *d, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < d->n; i++)
		if (d->id[i] == id)
			return true;
	return false;
}

/* The transition log agrees with the decision: last change of @dom went to
 * @khz, or there was no change and the domain was already there. */
static bool log_agrees(const char *domain, uint32_t khz)
{
	char dom[32];
	unsigned long last;
	int pol;

	if (sscanf(domain, "cpufreq:policy%d", &pol) == 1) {
		snprintf(dom, sizeof(dom), "cpu%d", pol);
		last = vt_transitions_last(dom);
		return last ? last == khz : dg_sysfs_khz(domain) == khz;
	}
	last = vt_transitions_last("gpu");
	return last ? last / 1000 == khz : dg_sysfs_khz(domain) == khz;
}

static void one_domain(const char *domain, const struct dg_level *lv, int n,
		       uint32_t target, uint32_t period)
{
	struct nlc c, ev;
	struct dg_dom d;
	struct dg_dec u, e;
	struct dnngov_decision p;
	struct nlerr err;
	uint32_t id;
	char why[256];
	bool ok;
	int ret;

	if (!vt_check(nlc_open(&c) == 0 && nlc_open(&ev) == 0 && nlc_join_events(&ev) == 0,
		      "%s: sockets open, events joined", domain))
		return;
	if (!vt_check(dg_govern(&c, domain), "%s: governed by dnngov", domain))
		goto out;
	vt_transitions_clear();
	nlc_drain(&ev);
	ret = dg_new_wl(&c, domain, "mbv3", target, 7300, period, lv, n, &id, &err);
	if (!vt_check(ret == 0, "%s: NEW_WORKLOAD (%d %s)", domain, ret, err.msg))
		goto out;
	vt_check(id > 0, "%s: workload id %u assigned", domain, id);

	vt_check(dg_settled(&c, domain, &d, &p, why, sizeof(why)),
		 "%s: sysfs frequency equals the predicted decision (%s)", domain, why);
	vt_check(dec_has(&d.dec, id), "%s: decision covers workload %u", domain, id);
	vt_check(log_agrees(domain, d.dec.freq_khz),
		 "%s: transition log ends at %u kHz", domain, d.dec.freq_khz);
	vt_check(d.n_workloads == 1 && d.decisions > 0,
		 "%s: stats: %u workloads, %llu decisions", domain, d.n_workloads,
		 (unsigned long long)d.decisions);

	/* (evaluated first: the message prints what was received) */
	ok = dg_wait_decision_eq(&c, domain, &d.dec, &u, VT_DEADLINE_MS);
	vt_check(ok, "%s: the decision in force was sent to the owner (last seen %u kHz)",
		 domain, u.freq_khz);
	ok = dg_wait_decision_eq(&ev, domain, &d.dec, &e, VT_DEADLINE_MS);
	vt_check(ok, "%s: the decision in force was sent to the events group (last seen %u kHz)",
		 domain, e.freq_khz);

	ret = dg_del_wl(&c, id, &err);
	vt_check(ret == 0, "%s: DEL_WORKLOAD (%d %s)", domain, ret, err.msg);
out:
	nlc_close(&ev);
	nlc_close(&c);
}

void test_decide(void)
{
	if (!vt_check(dg_module(dg_default_params) == 0, "dnngov.ko loaded"))
		return;
	one_domain(dg_cpu_domain(), cpu_levels, 3, 30000, 100000);
	one_domain(DG_GPU_DOMAIN, gpu_levels, 3, 10000, 33000);
	dg_set_gov(dg_cpu_domain(), "schedutil");
	dg_set_gov(DG_GPU_DOMAIN, "simple_ondemand");
}

static const struct dg_wl *find_wl(const struct dg_wl *w, int n, uint32_t id)
{
	int i;

	for (i = 0; i < n; i++)
		if (w[i].id == id)
			return &w[i];
	return NULL;
}

void test_reports(void)
{
	static struct dg_wl wls[64];
	const char *domain = DG_GPU_DOMAIN;
	struct dg_dom d0, d1;
	struct dnngov_decision p;
	const struct dg_wl *w;
	struct nlerr err;
	struct nlc c;
	uint32_t id, lat, l0, l1;
	char why[256];
	int ret, n;

	if (!vt_check(dg_module(dg_default_params) == 0, "dnngov.ko loaded") ||
	    !vt_check(nlc_open(&c) == 0, "socket open"))
		return;
	if (!vt_check(dg_govern(&c, domain), "%s governed by dnngov", domain))
		goto out;
	ret = dg_new_wl(&c, domain, "mbv3", 10000, 7300, 33000, gpu_levels, 3, &id, &err);
	if (!vt_check(ret == 0, "NEW_WORKLOAD (%d %s)", ret, err.msg))
		goto out;
	if (!vt_check(dg_settled(&c, domain, &d0, &p, why, sizeof(why)),
		      "before the report: decision as predicted (%s)", why))
		goto del;
	l0 = d0.dec.level[0];
	/* 1.5x the modelled latency: slower than the model, not an outlier. */
	lat = d0.dec.lat[0] + d0.dec.lat[0] / 2;
	ret = dg_report(&c, id, l0, lat, 8, 8ULL * lat, &err);
	vt_check(ret == 0, "REPORT level %u, %u us x 8 (%d %s)", l0, lat, ret, err.msg);

	vt_check(dg_settled(&c, domain, &d1, &p, why, sizeof(why)),
		 "after the report: decision as predicted (%s)", why);
	n = dg_dump_wls(&c, wls, 64);
	w = n > 0 ? find_wl(wls, n, id) : NULL;
	if (vt_check(w != NULL, "workload %u in the dump", id)) {
		vt_check(w->pw.slowdown_fp > DNNGOV_FP_ONE, "slowdown rose to %u/65536",
			 w->pw.slowdown_fp);
		vt_check(w->inferences == 8, "8 inferences counted (%llu)",
			 (unsigned long long)w->inferences);
		vt_check(w->misses == (lat > 10000 ? 8 : 0), "misses counted (%llu)",
			 (unsigned long long)w->misses);
	}
	l1 = d1.dec.level[0];
	vt_check(d1.dec.freq_khz > d0.dec.freq_khz ||
		 gpu_levels[l1].cycles < gpu_levels[l0].cycles,
		 "decision moved: %u kHz level %u -> %u kHz level %u",
		 d0.dec.freq_khz, l0, d1.dec.freq_khz, l1);
del:
	dg_del_wl(&c, id, NULL);
out:
	dg_set_gov(domain, "simple_ondemand");
	nlc_close(&c);
}
