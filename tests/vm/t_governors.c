// SPDX-License-Identifier: GPL-2.0
/*
 * Test "governors": dnngov is offered by every fake cpufreq policy and by
 * the fake GPU, selecting it makes a domain, and selecting the kernel's own
 * governors again works and removes the domain.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dg.h"
#include "vmtest.h"

/* The parameters every test but bad_messages runs the module with. */
const char *const dg_default_params = "hysteresis_pct=0";

static bool has_domain(struct nlc *c, const char *name)
{
	char names[16][DNNGOV_DOMAIN_NAME_MAX];
	int n = dg_dump_doms(c, names, 16), i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

static const uint32_t cpu_khz[] = {
	115200, 192000, 268800, 345600, 422400, 499200, 576000, 652800, 729600,
	806400, 883200, 960000, 1036800, 1113600, 1190400, 1267200, 1344000,
	1420800, 1497600, 1574400, 1651200, 1728000, 1804800, 1881600, 1907200,
};
static const uint32_t gpu_khz[] = {
	114750, 204000, 306000, 408000, 510000, 599250, 701250, 752250, 803250,
	854250, 905250, 956250, 1007250, 1058250, 1109250,
};

/* GET_DOMAIN carries the platform's OPP table with a usable power model. */
static void check_opps(struct nlc *c, const char *dom)
{
	bool gpu = !strncmp(dom, "devfreq:", 8);
	const uint32_t *want = gpu ? gpu_khz : cpu_khz;
	uint32_t n = gpu ? 15 : 25, i, bad_f = 0, bad_p = 0;
	struct dg_dom d;

	if (!vt_check(dg_get_dom(c, dom, &d) == 0, "%s: GET_DOMAIN", dom))
		return;
	vt_check(d.pd.n_opps == n, "%s: %u OPPs (want %u)", dom, d.pd.n_opps, n);
	for (i = 0; i < d.pd.n_opps && i < n; i++) {
		bad_f += d.pd.opps[i].freq_khz != want[i];
		bad_p += !d.pd.opps[i].power_busy_uw ||
			 d.pd.opps[i].power_idle_uw > d.pd.opps[i].power_busy_uw ||
			 (i && d.pd.opps[i].power_busy_uw < d.pd.opps[i - 1].power_busy_uw);
	}
	vt_check(!bad_f, "%s: OPP frequencies are the platform's (%u differ)", dom, bad_f);
	vt_check(!bad_p, "%s: per-OPP power positive, idle <= busy, rising (%u bad; top %u uW)",
		 dom, bad_p, d.pd.n_opps ? d.pd.opps[d.pd.n_opps - 1].power_busy_uw : 0);
	vt_check(d.pd.capacity == 1, "%s: capacity %u", dom, d.pd.capacity);
}

static void cycle(struct nlc *c, const char *dom, const char *avail_path,
		  const char *const *others)
{
	char buf[512], path[192];
	int i;

	vt_read(avail_path, buf, sizeof(buf));
	vt_check(vt_word_in(buf, "dnngov"), "%s offers dnngov (%.*s)", dom,
		 (int)strcspn(buf, "\n"), buf);
	dg_gov_path(dom, path, sizeof(path));
	for (i = 0; others[i]; i++) {
		vt_check(dg_set_gov(dom, "dnngov") == 0 &&
			 vt_wait_file(path, "dnngov", VT_DEADLINE_MS),
			 "%s: select dnngov", dom);
		vt_check(has_domain(c, dom), "%s: domain in the GET_DOMAIN dump", dom);
		if (i == 0)
			check_opps(c, dom);
		vt_check(dg_set_gov(dom, others[i]) == 0 &&
			 vt_wait_file(path, others[i], VT_DEADLINE_MS),
			 "%s: back to %s", dom, others[i]);
		vt_check(!has_domain(c, dom), "%s: domain gone after switching to %s",
			 dom, others[i]);
	}
}

void test_governors(void)
{
	static const char *const cpu_govs[] = { "performance", "schedutil", NULL };
	static const char *const gpu_govs[] = { "simple_ondemand", NULL };
	char dom[DNNGOV_DOMAIN_NAME_MAX], avail[192];
	struct nlc c;
	int pol[16], n, i, ret;

	ret = dg_module(dg_default_params);
	if (!vt_check(ret == 0, "insmod dnngov.ko %s (%s)", dg_default_params, strerror(-ret)))
		return;
	ret = nlc_open(&c);
	if (!vt_check(ret == 0, "generic netlink family \"dnngov\" resolves (%s)", strerror(-ret)))
		return;
	vt_check(c.events_grp != 0, "multicast group \"events\" exists");

	n = vt_cpu_policies(pol, 16);
	vt_check(n > 0, "%d fake cpufreq policies", n);
	for (i = 0; i < n; i++) {
		snprintf(dom, sizeof(dom), "cpufreq:policy%d", pol[i]);
		snprintf(avail, sizeof(avail), CPUFREQ_DIR "/policy%d/scaling_available_governors", pol[i]);
		cycle(&c, dom, avail, cpu_govs);
	}
	cycle(&c, DG_GPU_DOMAIN, FAKE_GPU_DIR "/available_governors", gpu_govs);
	nlc_close(&c);
}
