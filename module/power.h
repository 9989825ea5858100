/* SPDX-License-Identifier: GPL-2.0 */
/* Default power model constants; Documentation/governor.md explains them. */
#ifndef _DNNGOV_POWER_H
#define _DNNGOV_POWER_H

struct device;
struct dnngov_dom;

/* switched capacitance of one CPU core and of a whole devfreq device, pF */
#define DNNGOV_CPU_CAP_PF	800
#define DNNGOV_DEVFREQ_CAP_PF	4000
/* idle power as a share of busy power at the same OPP, percent */
#define DNNGOV_IDLE_PCT		10
/* default V(f) line from the lowest to the highest OPP, mV */
#define DNNGOV_CURVE_MIN_MV	600
#define DNNGOV_CURVE_MAX_MV	1000
/* an OPP voltage above this is taken as bogus, mV */
#define DNNGOV_MAX_MV		2000

void dnngov_power_model(struct dnngov_dom *dom, struct device *dev, int em_cpu,
			u32 cap_pf);

#endif /* _DNNGOV_POWER_H */
