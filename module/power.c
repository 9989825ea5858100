// SPDX-License-Identifier: GPL-2.0
/*
 * Per-OPP power model of a domain, in order of preference:
 *  1. the kernel Energy Model (cpufreq, when it is registered in uW);
 *  2. P_busy = C * V^2 * f from the OPP voltages of the CPU device or the
 *     devfreq parent;
 *  3. the same formula on a default V(f) line.
 * P_idle is DNNGOV_IDLE_PCT of P_busy in 2 and 3 and for the Energy Model,
 * which has no idle figure. The agent replaces the model with a board
 * calibration through DNNGOV_CMD_SET_DOMAIN. Documentation/governor.md
 * explains the constants.
 */
#include <linux/energy_model.h>
#include <linux/math64.h>
#include <linux/pm_opp.h>
#include <linux/rcupdate.h>
#include <linux/version.h>

#include "dnngov.h"
#include "power.h"

static u32 dnngov_idle_uw(u64 busy_uw)
{
	return min_t(u64, div_u64(busy_uw * DNNGOV_IDLE_PCT, 100), U32_MAX);
}

/* uW = pF * mV^2 * kHz / 1e9; fits u64 up to 10 GHz, 2 V and 100 nF */
static u32 dnngov_cv2f_uw(u32 cap_pf, u64 mv, u32 khz)
{
	u64 p = div_u64((u64)cap_pf * mv * mv, 1000) * khz;

	return min_t(u64, div_u64(p, 1000000), U32_MAX);
}

static void dnngov_power_set(struct dnngov_opp *o, u32 busy_uw)
{
	o->power_busy_uw = busy_uw;
	o->power_idle_uw = dnngov_idle_uw(busy_uw);
}

static bool dnngov_power_from_em(struct dnngov_dom *dom, int cpu)
{
#if IS_ENABLED(CONFIG_ENERGY_MODEL) && defined(EM_PERF_DOMAIN_MICROWATTS)
	struct em_perf_domain *em = em_cpu_get(cpu);
	struct em_perf_state *table;
	u32 i, found = 0;
	int j;

	if (!em || !(em->flags & EM_PERF_DOMAIN_MICROWATTS))
		return false;
#if KERNEL_VERSION(6, 9, 0) <= LINUX_VERSION_CODE
	rcu_read_lock();
	table = em_perf_state_from_pd(em);
#else
	table = em->table;
#endif
	for (i = 0; i < dom->pd.n_opps; i++) {
		for (j = 0; j < em->nr_perf_states; j++) {
			if (table[j].frequency == dom->pd.opps[i].freq_khz) {
				dnngov_power_set(&dom->pd.opps[i],
						 min_t(u64, table[j].power, U32_MAX));
				found++;
				break;
			}
		}
	}
#if KERNEL_VERSION(6, 9, 0) <= LINUX_VERSION_CODE
	rcu_read_unlock();
#endif
	/* all or nothing: a partial EM would mix units with the fallback */
	return found == dom->pd.n_opps;
#else
	return false;
#endif
}

static bool dnngov_power_from_opp(struct dnngov_dom *dom, struct device *dev,
				  u32 cap_pf)
{
	unsigned long mv[DNNGOV_POLICY_MAX_OPPS];
	struct dev_pm_opp *opp;
	u32 i;

	/* checked first: the lookups below log an error without a table */
	if (!dev || dev_pm_opp_get_opp_count(dev) <= 0)
		return false;
	for (i = 0; i < dom->pd.n_opps; i++) {
		unsigned long hz = dom->opp_hz[i] ? dom->opp_hz[i] :
				   dom->pd.opps[i].freq_khz * 1000UL;

		opp = dev_pm_opp_find_freq_exact(dev, hz, true);
		if (IS_ERR(opp))
			return false;
		mv[i] = dev_pm_opp_get_voltage(opp) / 1000;
		dev_pm_opp_put(opp);
		if (!mv[i] || mv[i] > DNNGOV_MAX_MV)
			return false;
	}
	for (i = 0; i < dom->pd.n_opps; i++)
		dnngov_power_set(&dom->pd.opps[i],
				 dnngov_cv2f_uw(cap_pf, mv[i],
						dom->pd.opps[i].freq_khz));
	return true;
}

static void dnngov_power_from_curve(struct dnngov_dom *dom, u32 cap_pf)
{
	u32 fmax = dom->pd.opps[dom->pd.n_opps - 1].freq_khz;
	u32 i;

	for (i = 0; i < dom->pd.n_opps; i++) {
		u32 f = dom->pd.opps[i].freq_khz;
		u64 mv = DNNGOV_CURVE_MIN_MV +
			 div_u64((u64)(DNNGOV_CURVE_MAX_MV - DNNGOV_CURVE_MIN_MV) * f,
				 fmax);

		dnngov_power_set(&dom->pd.opps[i], dnngov_cv2f_uw(cap_pf, mv, f));
	}
}

/**
 * dnngov_power_model() - fill the per-OPP power of a domain
 * @dom: domain with its OPP table (and opp_hz for devfreq) filled
 * @dev: device whose OPPs carry voltages (CPU device, devfreq parent) or NULL
 * @em_cpu: CPU whose Energy Model to try, or -1
 * @cap_pf: switched capacitance for the C * V^2 * f model, pF
 */
void dnngov_power_model(struct dnngov_dom *dom, struct device *dev, int em_cpu,
			u32 cap_pf)
{
	if (em_cpu >= 0 && dnngov_power_from_em(dom, em_cpu)) {
		dom->power_src = DNNGOV_POWER_EM;
	} else if (dnngov_power_from_opp(dom, dev, cap_pf)) {
		dom->power_src = DNNGOV_POWER_OPP;
	} else {
		dnngov_power_from_curve(dom, cap_pf);
		dom->power_src = DNNGOV_POWER_CURVE;
	}
}
