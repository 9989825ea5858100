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
