// SPDX-License-Identifier: GPL-2.0
/*
 * Tests "owner_exit" and "two_clients": a workload lives exactly as long as
 * the socket that created it, and only that socket may change it; workloads
 * of several clients on one domain are decided jointly.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dg.h"
#include "vmtest.h"

static const struct dg_level levels[] = {
	{ 4000000, 7000, 200 }, { 6000000, 7400, 200 }, { 9000000, 7700, 200 },
};

static bool wl_exists(struct nlc *c, uint32_t id)
{
	static struct dg_wl wls[64];
	int n = dg_dump_wls(c, wls, 64), i;

	for (i = 0; i < n; i++)
		if (wls[i].id == id)
			return true;
	return false;
}

/* Wait for DEL_WORKLOAD of @id on the events socket. */
static bool wait_deleted(struct nlc *ev, uint32_t id, unsigned int ms)
{
	struct nlattr *tb[DNNGOV_A_MAX + 1];
	uint64_t end = vt_now_ms() + ms;
	struct nlmsg *m = malloc(sizeof(*m));
	bool got = false;

	while (m && !got && vt_now_ms() < end &&
	       nlc_next_notification(ev, m, (unsigned int)(end - vt_now_ms()))) {
		if (genl_cmd(&m->nlh) != DNNGOV_CMD_DEL_WORKLOAD)
			continue;
		nla_parse_genl(tb, DNNGOV_A_MAX, &m->nlh);
		got = nla_u32(tb[DNNGOV_A_WL_ID]) == id;
	}
	free(m);
	return got;
}

void test_owner_exit(void)
{
	const char *domain = DG_GPU_DOMAIN;
	struct dnngov_decision p;
	struct dg_dom d;
	struct nlc c, ev;
	uint64_t t0;
	uint32_t id = 0, low;
	char why[256];
	int fds[2], status;
	pid_t pid;

	if (!vt_check(dg_module(dg_default_params) == 0, "dnngov.ko loaded") ||
	    !vt_check(nlc_open(&c) == 0 && nlc_open(&ev) == 0 && nlc_join_events(&ev) == 0,
		      "sockets open, events joined"))
		return;
	if (!vt_check(dg_govern(&c, domain), "%s governed by dnngov", domain) ||
	    pipe(fds))
		goto out;
	vt_write(FAKEPLAT_DBG "/gpu_load_pct", "0");

	pid = fork();
	if (pid == 0) {
		struct nlc cc;
		uint32_t cid = 0;

		close(fds[0]);
		if (nlc_open(&cc) == 0)
			dg_new_wl(&cc, domain, "child", 6000, 7300, 20000, levels, 3,
				  &cid, NULL);
		if (write(fds[1], &cid, sizeof(cid)) != sizeof(cid))
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (read(fds[0], &id, sizeof(id)) != sizeof(id))
		id = 0;
	close(fds[0]);
	if (!vt_check(id > 0, "child created workload %u", id)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		goto out;
	}
	vt_check(dg_settled(&c, domain, &d, &p, why, sizeof(why)) && d.n_workloads == 1,
		 "child's workload decided as predicted (%s)", why);
	low = d.pd.opps[0].freq_khz;
	vt_check(d.dec.freq_khz > low, "the workload raised the GPU to %u kHz",
		 d.dec.freq_khz);
	nlc_drain(&ev);

	t0 = vt_now_ms();
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	vt_check(wait_deleted(&ev, id, VT_DEADLINE_MS),
		 "events group saw DEL_WORKLOAD %u after SIGKILL", id);
	vt_check(dg_settled(&c, domain, &d, &p, why, sizeof(why)) && d.n_workloads == 0,
		 "domain decided without it (%s)", why);
	vt_check(d.dec.freq_khz == low && (d.dec.flags & DNNGOV_DECISION_F_FALLBACK),
		 "back to the floor, %u kHz, flagged FALLBACK, %llu ms after the kill",
		 d.dec.freq_khz, (unsigned long long)(vt_now_ms() - t0));
	vt_check(d.fallbacks >= 1, "fallback counted (%llu)", (unsigned long long)d.fallbacks);
	vt_check(!wl_exists(&c, id), "workload %u gone from the dump", id);
out:
	dg_set_gov(domain, "simple_ondemand");
	nlc_close(&ev);
	nlc_close(&c);
}

void test_two_clients(void)
{
	const char *domain = DG_GPU_DOMAIN;
	struct dnngov_decision p;
	struct dg_dom d;
	struct nlerr e;
	struct nlc a, b;
	uint32_t ida = 0, idb = 0;
	char why[256];
	int ret;

	if (!vt_check(dg_module(dg_default_params) == 0, "dnngov.ko loaded") ||
	    !vt_check(nlc_open(&a) == 0 && nlc_open(&b) == 0, "two sockets open"))
		return;
	if (!vt_check(dg_govern(&a, domain), "%s governed by dnngov", domain))
		goto out;
	ret = dg_new_wl(&a, domain, "client-a", 10000, 7300, 33000, levels, 3, &ida, &e);
	vt_check(ret == 0, "client A: NEW_WORKLOAD %u (%d %s)", ida, ret, e.msg);
	ret = dg_new_wl(&b, domain, "client-b", 20000, 7600, 50000, levels, 3, &idb, &e);
	vt_check(ret == 0, "client B: NEW_WORKLOAD %u (%d %s)", idb, ret, e.msg);

	vt_check(dg_settled(&a, domain, &d, &p, why, sizeof(why)),
		 "joint decision as predicted with both workloads (%s)", why);
	vt_check(d.dec.n == 2 && d.n_workloads == 2, "decision covers %u workloads", d.dec.n);

	ret = dg_set_wl(&b, ida, 5000, 0, 0, &e);
	vt_check(ret == -EPERM, "B cannot SET_WORKLOAD A's workload (%d \"%s\")", ret, e.msg);
	ret = dg_set_levels(&b, ida, levels, 2, &e);
	vt_check(ret == -EPERM, "B cannot SET_LEVELS on A's workload (%d \"%s\")", ret, e.msg);
	ret = dg_report(&b, ida, 0, 1000, 1, 1000, &e);
	vt_check(ret == -EPERM, "B cannot REPORT for A's workload (%d \"%s\")", ret, e.msg);
	ret = dg_del_wl(&b, ida, &e);
	vt_check(ret == -EPERM, "B cannot DEL_WORKLOAD A's workload (%d \"%s\")", ret, e.msg);
	vt_check(wl_exists(&a, ida), "A's workload %u still there", ida);

	ret = dg_del_wl(&a, ida, &e);
	vt_check(ret == 0, "A deletes its own workload (%d %s)", ret, e.msg);
	vt_check(dg_settled(&b, domain, &d, &p, why, sizeof(why)) && d.dec.n == 1 &&
		 d.dec.id[0] == idb, "decision now for B's workload alone (%s)", why);
	ret = dg_del_wl(&b, idb, &e);
	vt_check(ret == 0, "B deletes its own workload (%d %s)", ret, e.msg);
out:
	dg_set_gov(domain, "simple_ondemand");
	nlc_close(&b);
	nlc_close(&a);
}
