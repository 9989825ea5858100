/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/* Governor model internals, exposed for the unit tests. */
#ifndef DNNGOV_SIM_GOVERNORS_H
#define DNNGOV_SIM_GOVERNORS_H

#include "sim.h"

#define GOV_SU_TICK_MS		4	/* scheduler tick at HZ=250: util updates */
#define GOV_SU_HEADROOM		1.25	/* util += util >> 2 */
#define GOV_SU_RATE_LIMIT_US	10000	/* 6.1 default cap, kernel.md §5.3 */
#define GOV_PELT_HALFLIFE_MS	32.0	/* PELT: y^32 = 0.5 */
#define GOV_OD_UP_THRESHOLD	80.0
#define GOV_OD_SAMPLING_MS	10
#define GOV_SO_UPTHRESHOLD	90.0
#define GOV_SO_DOWNDIFF		5.0
#define GOV_SO_POLLING_MS	50	/* assumption: devfreq polling_ms */

#define SIM_DOFA_WINDOW		20

struct sim_dofa {
	double win[SIM_DOFA_WINDOW];
	unsigned int n;
	bool pinned, stepped_up;
};

unsigned int gov_schedutil_next(const struct sim_domain *d, double util);
unsigned int gov_ondemand_next(const struct sim_domain *d, double load_pct,
			       unsigned int hi);
unsigned int gov_simple_ondemand_next(const struct sim_domain *d, double busy,
				      double total, unsigned int cur, unsigned int hi);
double gov_pelt_step(double util, double busy_frac, double dt_ms);
void sim_dofa_done(struct sim_dofa *r, unsigned int *level, double lat_ms,
		   double target_ms, double acc_of_level, double floor_pct,
		   unsigned int n_levels);

#endif /* DNNGOV_SIM_GOVERNORS_H */
