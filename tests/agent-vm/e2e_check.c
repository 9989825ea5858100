// SPDX-License-Identifier: GPL-2.0
/*
 * e2e_check: the in-VM checker of the end-to-end run (tests/agent-vm/e2e.sh).
 * It reads a domain's state back from dnngov.ko and predicts its decision
 * with dnngov_policy_decide() (tests/vm/dg.c), so dnngovd's behaviour is
 * checked against the policy, not against fixed numbers.
 *
 *   e2e_check settle LABEL DOMAIN NWL   decision as predicted, NWL workloads
 *                                       on the domain, sysfs at the decision
 *   e2e_check floor LABEL DOMAIN        no workloads left: the floor policy
 *                                       (FALLBACK) decided as predicted
 *   e2e_check power LABEL DOMAIN BUSY_UW IDLE_UW
 *                                       every OPP has this power (a
 *                                       power_model file was pushed)
 *
 * Prints "PASS agent-e2e: ..." / "FAIL agent-e2e: ..." and, for the summary,
 * "E2E-DEC LABEL DOMAIN KHZ NAME:LEVEL..." with the module's decision.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dg.h"
#include "vmtest.h"

static const char *wl_name(const struct dg_wl *wls, int n, uint32_t id)
{
	for (int i = 0; i < n; i++)
		if (wls[i].id == id)
			return wls[i].name;
	return "?";
}

static void print_dec(const char *label, const char *domain,
		      const struct dg_dom *d, const struct dg_wl *wls, int n)
{
	printf("E2E-DEC %s %s %u", label, domain, d->dec.freq_khz);
	for (uint32_t i = 0; i < d->dec.n; i++)
		printf(" %s:%u", wl_name(wls, n, d->dec.id[i]), d->dec.level[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	static struct dg_wl wls[64];
	struct dnngov_decision p;
	struct dg_dom d;
	struct nlc c;
	char why[256] = "";
	bool ok;
	int n;

	if (argc < 4 || (strcmp(argv[1], "settle") && strcmp(argv[1], "floor") &&
			  strcmp(argv[1], "power")) ||
	    (!strcmp(argv[1], "settle") && argc < 5) || (!strcmp(argv[1], "power") && argc < 6)) {
		fprintf(stderr, "usage: e2e_check settle LABEL DOMAIN NWL | floor LABEL DOMAIN | power LABEL DOMAIN BUSY_UW IDLE_UW\n");
		return 2;
	}
	vt_begin("agent-e2e");
	if (!vt_check(nlc_open(&c) == 0, "%s: netlink socket to dnngov.ko", argv[2]))
		return 1;
	if (!strcmp(argv[1], "power")) {
		uint32_t busy = (uint32_t)atoi(argv[4]), idle = (uint32_t)atoi(argv[5]), i, off = 0;
		int r = dg_get_dom(&c, argv[3], &d);

		for (i = 0; !r && i < d.pd.n_opps; i++)
			off += d.pd.opps[i].power_busy_uw != busy || d.pd.opps[i].power_idle_uw != idle;
		vt_check(!r && d.pd.n_opps && !off,
			 "%s: GET_DOMAIN %s: the power_model file's %u/%u uW at all %u OPPs (%u differ)",
			 argv[2], argv[3], busy, idle, r ? 0 : d.pd.n_opps, off);
		nlc_close(&c);
		return vt_failures() ? 1 : 0;
	}
	ok = dg_settled(&c, argv[3], &d, &p, why, sizeof(why));
	n = dg_dump_wls(&c, wls, 64);
	if (n < 0)
		n = 0;
	if (!strcmp(argv[1], "settle")) {
		uint32_t want = (uint32_t)atoi(argv[4]);

		vt_check(ok && d.n_workloads == want,
			 "%s: %s decided as dnngov_policy_decide() predicts from the module's state, %u kHz, %u workload(s) (want %u)%s%s",
			 argv[2], argv[3], d.dec.freq_khz, d.n_workloads, want,
			 ok ? "" : ": ", ok ? "" : why);
	} else {
		/* the floor policy: the load floor of the non-DNN load (the
		 * VM's own processes), as predicted, lowest OPP when idle */
		vt_check(ok && d.n_workloads == 0 && (d.dec.flags & DNNGOV_DECISION_F_FALLBACK),
			 "%s: %s back to the floor policy: %u workload(s), %u kHz as predicted (lowest OPP %u), flags 0x%x%s%s",
			 argv[2], argv[3], d.n_workloads, d.dec.freq_khz,
			 d.pd.n_opps ? d.pd.opps[0].freq_khz : 0, d.dec.flags,
			 ok ? "" : ": ", ok ? "" : why);
	}
	print_dec(argv[2], argv[3], &d, wls, n);
	nlc_close(&c);
	return vt_failures() ? 1 : 0;
}
