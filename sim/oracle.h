/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
#ifndef DNNGOV_SIM_ORACLE_H
#define DNNGOV_SIM_ORACLE_H

#include "engine.h"

/*
 * Energy per inference of domain @d at @opp with workloads @wl at levels
 * @lvl, by the simulator's true model. Return: 1 and *@j_per_inf if every
 * worst-case response meets its target, else 0.
 */
int sim_oracle_eval(const struct sim *s, unsigned int d, unsigned int opp,
		    const unsigned int *wl, const unsigned int *lvl, unsigned int n,
		    double *j_per_inf);

#endif
