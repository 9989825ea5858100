// SPDX-License-Identifier: GPL-2.0
/*
 * Test "limits": lowering the maximum (scaling_max_freq, devfreq max_freq)
 * caps the frequency even when the workloads want more, raising the minimum
 * lifts it, and the decision is flagged LIMITED / INFEASIBLE exactly as the
 * policy predicts from the limits read back.
 */
#include <stdio.h>
#include <string.h>

#include "dg.h"
#include "vmtest.h"

static const struct dg_level levels[] = {
	{ 4000000, 7000, 200 }, { 6000000, 7400, 200 }, { 9000000, 7700, 200 },
};

struct lim {
	const char *domain;
	char min_path[160], max_path[160];
	unsigned long scale;		/* sysfs unit per kHz */
	unsigned long cap_khz, lift_khz, def_min, def_max;
};

static void run(struct lim *l, uint32_t tight, uint32_t loose)
{
	struct dnngov_decision p;
	struct dg_dom d;
	struct nlerr e;
	struct nlc c;
	uint32_t id;
	char why[256], val[32];
	bool ok;
	int ret;

	if (!vt_check(nlc_open(&c) == 0, "%s: socket open", l->domain))
		return;
	if (!vt_check(dg_govern(&c, l->domain), "%s: governed by dnngov", l->domain))
		goto out;
	ret = dg_new_wl(&c, l->domain, "tight", tight, 7700, 0, levels, 3, &id, &e);
	if (!vt_check(ret == 0, "%s: NEW_WORKLOAD (%d %s)", l->domain, ret, e.msg))
		goto out;
	vt_check(dg_settled(&c, l->domain, &d, &p, why, sizeof(why)),
		 "%s: unlimited: as predicted (%s)", l->domain, why);
	vt_check(d.dec.freq_khz > l->cap_khz, "%s: the workload wants %u kHz > %lu",
		 l->domain, d.dec.freq_khz, l->cap_khz);

	snprintf(val, sizeof(val), "%lu", l->cap_khz * l->scale);
	vt_check(vt_write(l->max_path, val) == 0, "%s: max set to %s", l->domain, val);
	vt_check(dg_settled(&c, l->domain, &d, &p, why, sizeof(why)),
		 "%s: capped: as predicted (%s)", l->domain, why);
	vt_check(d.dec.freq_khz <= l->cap_khz && dg_sysfs_khz(l->domain) <= l->cap_khz,
		 "%s: frequency %u kHz within the cap", l->domain, d.dec.freq_khz);
	vt_check(d.pd.max_khz == l->cap_khz, "%s: MAX_KHZ reads %u", l->domain, d.pd.max_khz);
	vt_check(d.dec.flags & DNNGOV_DECISION_F_LIMITED, "%s: flagged LIMITED (%#x)",
		 l->domain, d.dec.flags);
	vt_check(d.dec.flags & DNNGOV_DECISION_F_INFEASIBLE,
		 "%s: flagged INFEASIBLE: the target is missed under the cap (%#x)",
		 l->domain, d.dec.flags);
	snprintf(val, sizeof(val), "%lu", l->def_max);
	vt_write(l->max_path, val);

	ret = dg_set_wl(&c, id, loose, 0, 0, &e);
	vt_check(ret == 0, "%s: target relaxed (%d %s)", l->domain, ret, e.msg);
	ok = dg_settled(&c, l->domain, &d, &p, why, sizeof(why));
	vt_check(ok && d.dec.freq_khz < l->lift_khz,
		 "%s: relaxed: %u kHz, as predicted (%s)", l->domain, d.dec.freq_khz, why);
	snprintf(val, sizeof(val), "%lu", l->lift_khz * l->scale);
	vt_check(vt_write(l->min_path, val) == 0, "%s: min set to %s", l->domain, val);
	vt_check(dg_settled(&c, l->domain, &d, &p, why, sizeof(why)),
		 "%s: lifted: as predicted (%s)", l->domain, why);
	vt_check(d.dec.freq_khz >= l->lift_khz && dg_sysfs_khz(l->domain) >= l->lift_khz,
		 "%s: frequency %u kHz at or above the minimum", l->domain, d.dec.freq_khz);
	vt_check(!(d.dec.flags & DNNGOV_DECISION_F_INFEASIBLE), "%s: feasible (%#x)",
		 l->domain, d.dec.flags);
	snprintf(val, sizeof(val), "%lu", l->def_min);
	vt_write(l->min_path, val);
	dg_del_wl(&c, id, NULL);
out:
	nlc_close(&c);
}

void test_limits(void)
{
	struct lim gpu = {
		.domain = DG_GPU_DOMAIN, .scale = 1000,
		.cap_khz = 599250, .lift_khz = 1007250, .def_min = 0, .def_max = 0,
	};
	struct lim cpu = {
		.domain = dg_cpu_domain(), .scale = 1,
		.cap_khz = 806400, .lift_khz = 1497600, .def_min = 115200, .def_max = 1907200,
	};
	int pol;

	if (!vt_check(dg_module(dg_default_params) == 0, "dnngov.ko loaded"))
		return;
	snprintf(gpu.min_path, sizeof(gpu.min_path), FAKE_GPU_DIR "/min_freq");
	snprintf(gpu.max_path, sizeof(gpu.max_path), FAKE_GPU_DIR "/max_freq");
	vt_write(FAKEPLAT_DBG "/gpu_load_pct", "0");
	/* 9e6 cycles in 6 ms needs 1.5 GHz: more than the GPU has. */
	run(&gpu, 6000, 60000);
	dg_set_gov(gpu.domain, "simple_ondemand");

	sscanf(cpu.domain, "cpufreq:policy%d", &pol);
	snprintf(cpu.min_path, sizeof(cpu.min_path), CPUFREQ_DIR "/policy%d/scaling_min_freq", pol);
	snprintf(cpu.max_path, sizeof(cpu.max_path), CPUFREQ_DIR "/policy%d/scaling_max_freq", pol);
	/* 9e6 cycles in 5 ms needs 1.88 GHz; capped at 806 MHz it misses. */
	run(&cpu, 5000, 60000);
	dg_set_gov(cpu.domain, "schedutil");
}

