// SPDX-License-Identifier: GPL-2.0
/*
 * Test "set_domain": DNNGOV_CMD_SET_DOMAIN replaces the power model and the
 * hysteresis of a domain; GET_DOMAIN reads back exactly what was set and
 * the decision made with it is still the one the policy predicts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dg.h"
#include "vmtest.h"

static const struct dg_level levels[] = {
	{ 4000000, 7000, 200 }, { 6000000, 7400, 200 }, { 9000000, 7700, 200 },
};

void test_set_domain(void)
{
	const char *domain = DG_GPU_DOMAIN;
	struct dnngov_decision p;
	struct nlattr *o, *e;
	struct dg_dom d0, d;
	struct nlmsg *m = NULL;
	struct nlerr err;
	struct nlc c;
	uint32_t id, i, bad = 0, held = 0;
	char why[256];
	int ret;

	if (!vt_check(dg_module(dg_default_params) == 0, "dnngov.ko loaded") ||
	    !vt_check(nlc_open(&c) == 0, "socket open"))
		return;
	if (!vt_check(dg_govern(&c, domain), "%s governed by dnngov", domain))
		goto out;
	ret = dg_new_wl(&c, domain, "mbv3", 10000, 7300, 33000, levels, 3, &id, &err);
	if (!vt_check(ret == 0, "NEW_WORKLOAD (%d %s)", ret, err.msg))
		goto out;
	if (!vt_check(dg_settled(&c, domain, &d0, &p, why, sizeof(why)),
		      "default power model: as predicted (%s)", why))
		goto del;

	/*
	 * A flat model (the same busy and idle power at every OPP) makes
	 * racing to idle the cheapest: the choice must move up from the
	 * default model's, to exactly the predicted one.
	 */
	m = calloc(1, sizeof(*m));
	if (!m)
		goto del;
	msg_cmd(&c, m, DNNGOV_CMD_SET_DOMAIN, 0);
	msg_put_str(m, DNNGOV_A_DOMAIN, domain);
	o = msg_nest(m, DNNGOV_A_OPPS);
	for (i = 0; i < d0.pd.n_opps; i++) {
		e = msg_nest(m, DNNGOV_OPPS_A_ENTRY);
		msg_put_u32(m, DNNGOV_OPP_A_FREQ_KHZ, d0.pd.opps[i].freq_khz);
		msg_put_u32(m, DNNGOV_OPP_A_POWER_BUSY_UW, 1100000);
		msg_put_u32(m, DNNGOV_OPP_A_POWER_IDLE_UW, 1000000);
		msg_nest_end(m, e);
	}
	msg_nest_end(m, o);
	msg_put_u32(m, DNNGOV_A_HYSTERESIS_PCT, 0);
	ret = nlc_request(&c, m, NULL, NULL, &err);
	vt_check(ret == 0, "SET_DOMAIN with %u OPP powers (%d %s)", d0.pd.n_opps, ret, err.msg);

	vt_check(dg_settled(&c, domain, &d, &p, why, sizeof(why)),
		 "user power model: as predicted (%s)", why);
	held = d.dec.freq_khz;
	vt_check(d.dec.freq_khz > d0.dec.freq_khz, "racing to idle: %u kHz, up from %u",
		 d.dec.freq_khz, d0.dec.freq_khz);
	for (i = 0; i < d.pd.n_opps; i++)
		bad += d.pd.opps[i].power_busy_uw != 1100000 ||
		       d.pd.opps[i].power_idle_uw != 1000000;
	vt_check(d.pd.n_opps == d0.pd.n_opps && !bad,
		 "GET_DOMAIN reads back the powers set (%u differ)", bad);

	ret = dg_set_hysteresis(&c, domain, 30, &err);
	vt_check(ret == 0, "SET_DOMAIN hysteresis 30 %% (%d %s)", ret, err.msg);
	ret = dg_get_dom(&c, domain, &d);
	vt_check(ret == 0 && d.pd.hysteresis_pct == 30, "HYSTERESIS_PCT reads back %u",
		 d.pd.hysteresis_pct);
	/* More hysteresis only makes the optimal choice in force stickier. */
	vt_check(ret == 0 && d.dec.freq_khz == held,
		 "the choice in force is kept: %u kHz (was %u)", d.dec.freq_khz, held);
del:
	dg_del_wl(&c, id, NULL);
out:
	free(m);
	dg_set_gov(domain, "simple_ondemand");
	nlc_close(&c);
}
