// SPDX-License-Identifier: GPL-2.0
/* dnngov requests, state read-back and decision prediction; see dg.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dg.h"
#include "vmtest.h"

static struct nlmsg *new_msg(void)
{
	struct nlmsg *m = malloc(sizeof(*m));

	if (!m) {
		perror("malloc");
		abort();
	}
	return m;
}

void dg_put_levels(struct nlmsg *m, const struct dg_level *lv, int n)
{
	struct nlattr *levels = msg_nest(m, DNNGOV_A_LEVELS), *e;
	int i;

	for (i = 0; i < n; i++) {
		e = msg_nest(m, DNNGOV_LEVELS_A_ENTRY);
		msg_put_u32(m, DNNGOV_LEVEL_A_ACCURACY, lv[i].acc);
		msg_put_u64(m, DNNGOV_LEVEL_A_CYCLES, lv[i].cycles);
		msg_put_u32(m, DNNGOV_LEVEL_A_FIXED_US, lv[i].fixed_us);
		msg_nest_end(m, e);
	}
	msg_nest_end(m, levels);
}

static int id_cb(const struct nlmsghdr *nlh, void *ctx)
{
	struct nlattr *tb[DNNGOV_A_MAX + 1];

	nla_parse_genl(tb, DNNGOV_A_MAX, nlh);
	if (tb[DNNGOV_A_WL_ID])
		*(uint32_t *)ctx = nla_u32(tb[DNNGOV_A_WL_ID]);
	return 0;
}

int dg_new_wl(struct nlc *c, const char *domain, const char *name,
	      uint32_t target_us, uint32_t acc_floor, uint32_t period_us,
	      const struct dg_level *lv, int n, uint32_t *id, struct nlerr *e)
{
	struct nlmsg *m = new_msg();
	int ret;

	*id = 0;
	msg_cmd(c, m, DNNGOV_CMD_NEW_WORKLOAD, 0);
	msg_put_str(m, DNNGOV_A_DOMAIN, domain);
	msg_put_str(m, DNNGOV_A_WL_NAME, name);
	msg_put_u32(m, DNNGOV_A_TARGET_US, target_us);
	msg_put_u32(m, DNNGOV_A_ACC_FLOOR, acc_floor);
	msg_put_u32(m, DNNGOV_A_PERIOD_US, period_us);
	if (n)
		dg_put_levels(m, lv, n);
	ret = nlc_request(c, m, id_cb, id, e);
	free(m);
	if (!ret && !*id)
		ret = -EBADMSG;
	return ret;
}

int dg_set_wl(struct nlc *c, uint32_t id, uint32_t target_us,
	      uint32_t acc_floor, uint32_t period_us, struct nlerr *e)
{
	struct nlmsg *m = new_msg();
	int ret;

	msg_cmd(c, m, DNNGOV_CMD_SET_WORKLOAD, 0);
	msg_put_u32(m, DNNGOV_A_WL_ID, id);
	msg_put_u32(m, DNNGOV_A_TARGET_US, target_us);
	msg_put_u32(m, DNNGOV_A_ACC_FLOOR, acc_floor);
	msg_put_u32(m, DNNGOV_A_PERIOD_US, period_us);
	ret = nlc_request(c, m, NULL, NULL, e);
	free(m);
	return ret;
}

int dg_set_levels(struct nlc *c, uint32_t id, const struct dg_level *lv,
		  int n, struct nlerr *e)
{
	struct nlmsg *m = new_msg();
	int ret;

	msg_cmd(c, m, DNNGOV_CMD_SET_LEVELS, 0);
	msg_put_u32(m, DNNGOV_A_WL_ID, id);
	dg_put_levels(m, lv, n);
	ret = nlc_request(c, m, NULL, NULL, e);
	free(m);
	return ret;
}

int dg_del_wl(struct nlc *c, uint32_t id, struct nlerr *e)
{
	struct nlmsg *m = new_msg();
	int ret;

	msg_cmd(c, m, DNNGOV_CMD_DEL_WORKLOAD, 0);
	msg_put_u32(m, DNNGOV_A_WL_ID, id);
	ret = nlc_request(c, m, NULL, NULL, e);
	free(m);
	return ret;
}

int dg_report(struct nlc *c, uint32_t id, uint32_t level, uint32_t lat_us,
	      uint32_t count, uint64_t busy_us, struct nlerr *e)
{
	struct nlmsg *m = new_msg();
	int ret;

	msg_cmd(c, m, DNNGOV_CMD_REPORT, 0);
	msg_put_u32(m, DNNGOV_A_WL_ID, id);
	msg_put_u32(m, DNNGOV_A_RPT_LEVEL, level);
	msg_put_u32(m, DNNGOV_A_RPT_LATENCY_US, lat_us);
	msg_put_u32(m, DNNGOV_A_RPT_COUNT, count);
	msg_put_u64(m, DNNGOV_A_RPT_BUSY_US, busy_us);
	ret = nlc_request(c, m, NULL, NULL, e);
	free(m);
	return ret;
}

int dg_report_max(struct nlc *c, uint32_t id, uint32_t level, uint32_t lat_us,
		  uint32_t max_us, uint32_t count, uint64_t busy_us,
		  struct nlerr *e)
{
	struct nlmsg *m = new_msg();
	int ret;

	msg_cmd(c, m, DNNGOV_CMD_REPORT, 0);
	msg_put_u32(m, DNNGOV_A_WL_ID, id);
	msg_put_u32(m, DNNGOV_A_RPT_LEVEL, level);
	msg_put_u32(m, DNNGOV_A_RPT_LATENCY_US, lat_us);
	msg_put_u32(m, DNNGOV_A_RPT_LATENCY_MAX_US, max_us);
	msg_put_u32(m, DNNGOV_A_RPT_COUNT, count);
	msg_put_u64(m, DNNGOV_A_RPT_BUSY_US, busy_us);
	ret = nlc_request(c, m, NULL, NULL, e);
	free(m);
	return ret;
}

int dg_set_hysteresis(struct nlc *c, const char *domain, uint32_t pct,
		      struct nlerr *e)
{
	struct nlmsg *m = new_msg();
	int ret;

	msg_cmd(c, m, DNNGOV_CMD_SET_DOMAIN, 0);
	msg_put_str(m, DNNGOV_A_DOMAIN, domain);
	msg_put_u32(m, DNNGOV_A_HYSTERESIS_PCT, pct);
	ret = nlc_request(c, m, NULL, NULL, e);
	free(m);
	return ret;
}

int dg_parse_decision(const struct nlattr *nest, struct dg_dec *d)
{
	struct nlattr *tb[DNNGOV_DECISION_A_MAX + 1], *w;
	struct nlattr *wtb[DNNGOV_DECISION_WL_A_MAX + 1];
	int rem;

	memset(d, 0, sizeof(*d));
	if (!nest)
		return -ENOENT;
	nla_parse_nest(tb, DNNGOV_DECISION_A_MAX, nest);
	if (!tb[DNNGOV_DECISION_A_FREQ_KHZ] || !tb[DNNGOV_DECISION_A_OPP])
		return -EBADMSG;
	d->freq_khz = nla_u32(tb[DNNGOV_DECISION_A_FREQ_KHZ]);
	d->opp = nla_u32(tb[DNNGOV_DECISION_A_OPP]);
	d->flags = nla_u32(tb[DNNGOV_DECISION_A_FLAGS]);
	d->power_uw = nla_u64(tb[DNNGOV_DECISION_A_POWER_UW]);
	if (tb[DNNGOV_DECISION_A_WORKLOADS]) {
		nla_for_each(w, NLA_DATA(tb[DNNGOV_DECISION_A_WORKLOADS]),
			     NLA_LEN(tb[DNNGOV_DECISION_A_WORKLOADS]), rem) {
			if (d->n == DNNGOV_POLICY_MAX_WORKLOADS)
				return -E2BIG;
			nla_parse_nest(wtb, DNNGOV_DECISION_WL_A_MAX, w);
			d->id[d->n] = nla_u32(wtb[DNNGOV_DECISION_WL_A_ID]);
			d->level[d->n] = nla_u32(wtb[DNNGOV_DECISION_WL_A_LEVEL]);
			d->lat[d->n] = nla_u32(wtb[DNNGOV_DECISION_WL_A_LATENCY_US]);
			d->wflags[d->n] = nla_u32(wtb[DNNGOV_DECISION_WL_A_FLAGS]);
			d->n++;
		}
	}
	d->valid = true;
	return 0;
}

static uint32_t domain_capacity(const char *name)
{
	char buf[256], *tok, *save;
	uint32_t n = 0;
	int pol;

	if (sscanf(name, "cpufreq:policy%d", &pol) != 1)
		return 1;
	if (vt_readf(buf, sizeof(buf), CPUFREQ_DIR "/policy%d/affected_cpus", pol) <= 0)
		return 1;
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		n++;
	return n ? n : 1;
}

struct dom_ctx {
	struct dg_dom *d;
	char (*names)[DNNGOV_DOMAIN_NAME_MAX];
	int n, max;
};

static void parse_dom(const struct nlmsghdr *nlh, struct dg_dom *d)
{
	struct nlattr *tb[DNNGOV_A_MAX + 1], *o;
	struct nlattr *otb[DNNGOV_OPP_A_MAX + 1], *stb[DNNGOV_STATS_A_MAX + 1];
	int rem;

	memset(d, 0, sizeof(*d));
	nla_parse_genl(tb, DNNGOV_A_MAX, nlh);
	snprintf(d->name, sizeof(d->name), "%s", nla_str(tb[DNNGOV_A_DOMAIN]));
	if (tb[DNNGOV_A_OPPS]) {
		nla_for_each(o, NLA_DATA(tb[DNNGOV_A_OPPS]),
			     NLA_LEN(tb[DNNGOV_A_OPPS]), rem) {
			struct dnngov_opp *opp;

			if (d->pd.n_opps == DNNGOV_POLICY_MAX_OPPS)
				break;
			opp = &d->pd.opps[d->pd.n_opps++];
			nla_parse_nest(otb, DNNGOV_OPP_A_MAX, o);
			opp->freq_khz = nla_u32(otb[DNNGOV_OPP_A_FREQ_KHZ]);
			opp->power_busy_uw = nla_u32(otb[DNNGOV_OPP_A_POWER_BUSY_UW]);
			opp->power_idle_uw = nla_u32(otb[DNNGOV_OPP_A_POWER_IDLE_UW]);
		}
	}
	/* DNNGOV_A_CAPACITY is the module's own count; sysfs if it is absent. */
	d->pd.capacity = tb[DNNGOV_A_CAPACITY] ? nla_u32(tb[DNNGOV_A_CAPACITY]) :
			 domain_capacity(d->name);
	d->pd.min_khz = nla_u32(tb[DNNGOV_A_MIN_KHZ]);
	d->pd.max_khz = nla_u32(tb[DNNGOV_A_MAX_KHZ]);
	d->pd.floor_khz = nla_u32(tb[DNNGOV_A_FLOOR_KHZ]);
	d->pd.hysteresis_pct = nla_u32(tb[DNNGOV_A_HYSTERESIS_PCT]);
	d->cur_khz = nla_u32(tb[DNNGOV_A_CUR_KHZ]);
	if (tb[DNNGOV_A_STATS]) {
		nla_parse_nest(stb, DNNGOV_STATS_A_MAX, tb[DNNGOV_A_STATS]);
		d->decisions = nla_u64(stb[DNNGOV_STATS_A_DECISIONS]);
		d->infeasible = nla_u64(stb[DNNGOV_STATS_A_INFEASIBLE]);
		d->transitions = nla_u64(stb[DNNGOV_STATS_A_TRANSITIONS]);
		d->fallbacks = nla_u64(stb[DNNGOV_STATS_A_FALLBACKS]);
		d->n_workloads = nla_u32(stb[DNNGOV_STATS_A_WORKLOADS]);
	}
	dg_parse_decision(tb[DNNGOV_A_DECISION], &d->dec);
	/* The module stores its decision as the state in force. */
	d->pd.cur_opp = d->dec.valid ? d->dec.opp : 0;
}

static int dom_cb(const struct nlmsghdr *nlh, void *ctx)
{
	struct dom_ctx *x = ctx;

	if (x->d) {
		parse_dom(nlh, x->d);
		x->n++;
	} else if (x->n < x->max) {
		struct nlattr *tb[DNNGOV_A_MAX + 1];

		nla_parse_genl(tb, DNNGOV_A_MAX, nlh);
		snprintf(x->names[x->n++], DNNGOV_DOMAIN_NAME_MAX, "%s",
			 nla_str(tb[DNNGOV_A_DOMAIN]));
	}
	return 0;
}

int dg_get_dom(struct nlc *c, const char *name, struct dg_dom *d)
{
	struct dom_ctx x = { .d = d };
	struct nlmsg *m = new_msg();
	int ret;

	msg_cmd(c, m, DNNGOV_CMD_GET_DOMAIN, 0);
	msg_put_str(m, DNNGOV_A_DOMAIN, name);
	ret = nlc_request(c, m, dom_cb, &x, NULL);
	free(m);
	if (!ret && x.n != 1)
		ret = -EBADMSG;
	return ret;
}

int dg_dump_doms(struct nlc *c, char (*names)[DNNGOV_DOMAIN_NAME_MAX], int max)
{
	struct dom_ctx x = { .names = names, .max = max };
	struct nlmsg *m = new_msg();
	int ret;

	msg_cmd(c, m, DNNGOV_CMD_GET_DOMAIN, NLM_F_DUMP);
	ret = nlc_request(c, m, dom_cb, &x, NULL);
	free(m);
	return ret ? ret : x.n;
}

struct wl_ctx {
	struct dg_wl *out;
	int n, max;
};

static int wl_cb(const struct nlmsghdr *nlh, void *ctx)
{
	struct nlattr *tb[DNNGOV_A_MAX + 1], *l, *ltb[DNNGOV_LEVEL_A_MAX + 1];
	struct wl_ctx *x = ctx;
	struct dg_wl *w;
	int rem;

	if (x->n >= x->max)
		return 0;
	w = &x->out[x->n++];
	memset(w, 0, sizeof(*w));
	nla_parse_genl(tb, DNNGOV_A_MAX, nlh);
	w->id = nla_u32(tb[DNNGOV_A_WL_ID]);
	snprintf(w->name, sizeof(w->name), "%s", nla_str(tb[DNNGOV_A_WL_NAME]));
	snprintf(w->domain, sizeof(w->domain), "%s", nla_str(tb[DNNGOV_A_DOMAIN]));
	dnngov_policy_workload_init(&w->pw);
	w->pw.id = w->id;
	w->pw.target_us = nla_u32(tb[DNNGOV_A_TARGET_US]);
	w->pw.accuracy_floor = nla_u32(tb[DNNGOV_A_ACC_FLOOR]);
	w->pw.period_us = nla_u32(tb[DNNGOV_A_PERIOD_US]);
	if (tb[DNNGOV_A_LEVELS]) {
		nla_for_each(l, NLA_DATA(tb[DNNGOV_A_LEVELS]),
			     NLA_LEN(tb[DNNGOV_A_LEVELS]), rem) {
			struct dnngov_level *lv;

			if (w->pw.n_levels == DNNGOV_POLICY_MAX_LEVELS)
				break;
			lv = &w->pw.levels[w->pw.n_levels++];
			nla_parse_nest(ltb, DNNGOV_LEVEL_A_MAX, l);
			lv->accuracy = nla_u32(ltb[DNNGOV_LEVEL_A_ACCURACY]);
			lv->cycles = nla_u64(ltb[DNNGOV_LEVEL_A_CYCLES]);
			lv->fixed_us = nla_u32(ltb[DNNGOV_LEVEL_A_FIXED_US]);
		}
	}
	w->pw.cur_level = nla_u32(tb[DNNGOV_A_LEVEL]);
	w->pw.slowdown_fp = nla_u32(tb[DNNGOV_A_SLOWDOWN]);
	/* a module without the tail ratio plans with none */
	w->pw.tail_fp = tb[DNNGOV_A_TAIL] ? nla_u32(tb[DNNGOV_A_TAIL]) :
			DNNGOV_FP_ONE;
	w->owner = nla_u32(tb[DNNGOV_A_OWNER_PORTID]);
	w->misses = nla_u64(tb[DNNGOV_A_MISSES]);
	w->inferences = nla_u64(tb[DNNGOV_A_INFERENCES]);
	return 0;
}

int dg_dump_wls(struct nlc *c, struct dg_wl *out, int max)
{
	struct wl_ctx x = { out, 0, max };
	struct nlmsg *m = new_msg();
	int ret;

	msg_cmd(c, m, DNNGOV_CMD_GET_WORKLOAD, NLM_F_DUMP);
	ret = nlc_request(c, m, wl_cb, &x, NULL);
	free(m);
	return ret ? ret : x.n;
}

bool dg_is_decision(const struct nlmsghdr *nlh, const char *domain,
		    struct dg_dec *d)
{
	struct nlattr *tb[DNNGOV_A_MAX + 1];

	if (nlh->nlmsg_type < NLMSG_MIN_TYPE || genl_cmd(nlh) != DNNGOV_CMD_DECISION)
		return false;
	nla_parse_genl(tb, DNNGOV_A_MAX, nlh);
	if (strcmp(nla_str(tb[DNNGOV_A_DOMAIN]), domain))
		return false;
	return dg_parse_decision(tb[DNNGOV_A_DECISION], d) == 0;
}

bool dg_dec_eq(const struct dg_dec *a, const struct dg_dec *b)
{
	uint32_t i;

	if (!a->valid || !b->valid || a->freq_khz != b->freq_khz || a->opp != b->opp ||
	    a->flags != b->flags || a->n != b->n || a->power_uw != b->power_uw)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->id[i] != b->id[i] || a->level[i] != b->level[i] ||
		    a->lat[i] != b->lat[i] || a->wflags[i] != b->wflags[i])
			return false;
	return true;
}

bool dg_wait_decision_eq(struct nlc *c, const char *domain,
			 const struct dg_dec *want, struct dg_dec *d,
			 unsigned int ms)
{
	uint64_t end = vt_now_ms() + ms;
	struct nlmsg *m = new_msg();
	bool got = false;

	memset(d, 0, sizeof(*d));
	while (!got && vt_now_ms() <= end &&
	       nlc_next_notification(c, m, (unsigned int)(end - vt_now_ms())))
		if (dg_is_decision(&m->nlh, domain, d))
			got = dg_dec_eq(d, want);
	free(m);
	return got;
}

int dg_predict(const struct dg_dom *d, const struct dg_wl *wls, int n,
	       struct dnngov_decision *out, uint32_t *ids)
{
	const struct dnngov_workload *ws[DNNGOV_POLICY_MAX_WORKLOADS];
	uint32_t k = 0, i;
	int j;

	/* The module's order first (it matters for ties), then the rest. */
	for (i = 0; i < d->dec.n; i++)
		for (j = 0; j < n; j++)
			if (wls[j].id == d->dec.id[i] && wls[j].pw.n_levels &&
			    !strcmp(wls[j].domain, d->name) && k < DNNGOV_POLICY_MAX_WORKLOADS) {
				ids[k] = wls[j].id;
				ws[k++] = &wls[j].pw;
			}
	for (j = 0; j < n; j++) {
		bool seen = false;

		for (i = 0; i < k; i++)
			seen |= ids[i] == wls[j].id;
		if (!seen && wls[j].pw.n_levels && !strcmp(wls[j].domain, d->name) &&
		    k < DNNGOV_POLICY_MAX_WORKLOADS) {
			ids[k] = wls[j].id;
			ws[k++] = &wls[j].pw;
		}
	}
	return dnngov_policy_decide(&d->pd, ws, k, out);
}

bool dg_same(const struct dnngov_decision *p, const uint32_t *ids,
	     const struct dg_dec *d, char *why, size_t len)
{
	uint32_t i, flags = d->flags & ~DNNGOV_DECISION_F_FALLBACK;

	if (!d->valid) {
		snprintf(why, len, "no decision reported");
		return false;
	}
	if (p->freq_khz != d->freq_khz || p->opp != d->opp || p->flags != flags) {
		snprintf(why, len, "predicted %u kHz opp %u flags %#x, module %u kHz opp %u flags %#x",
			 p->freq_khz, p->opp, p->flags, d->freq_khz, d->opp, d->flags);
		return false;
	}
	if (p->n_workloads != d->n) {
		snprintf(why, len, "predicted %u workloads, module %u", p->n_workloads, d->n);
		return false;
	}
	for (i = 0; i < d->n; i++)
		if (ids[i] != d->id[i] || p->level[i] != d->level[i] ||
		    p->latency_us[i] != d->lat[i] || p->wflags[i] != d->wflags[i]) {
			snprintf(why, len, "workload %u: predicted level %u %u us flags %#x, module id %u level %u %u us flags %#x",
				 ids[i], p->level[i], p->latency_us[i], p->wflags[i],
				 d->id[i], d->level[i], d->lat[i], d->wflags[i]);
			return false;
		}
	snprintf(why, len, "%u kHz opp %u flags %#x", d->freq_khz, d->opp, d->flags);
	return true;
}

uint32_t dg_sysfs_khz(const char *domain)
{
	char path[192];
	long long v;
	int pol;

	if (sscanf(domain, "cpufreq:policy%d", &pol) == 1) {
		snprintf(path, sizeof(path), CPUFREQ_DIR "/policy%d/scaling_cur_freq", pol);
		v = vt_read_ll(path);
		return v > 0 ? (uint32_t)v : 0;
	}
	if (!strncmp(domain, "devfreq:", 8)) {
		snprintf(path, sizeof(path), "/sys/class/devfreq/%s/cur_freq", domain + 8);
		v = vt_read_ll(path);
		return v > 0 ? (uint32_t)(v / 1000) : 0;
	}
	return 0;
}

bool dg_settled(struct nlc *c, const char *domain, struct dg_dom *d,
		struct dnngov_decision *p, char *why, size_t len)
{
	static struct dg_wl wls[64];
	uint64_t end = vt_now_ms() + VT_DEADLINE_MS;
	uint32_t ids[DNNGOV_POLICY_MAX_WORKLOADS], khz;
	int n, ret;

	for (;;) {
		ret = dg_get_dom(c, domain, d);
		n = ret ? ret : dg_dump_wls(c, wls, 64);
		if (ret || n < 0) {
			snprintf(why, len, "GET_DOMAIN/GET_WORKLOAD failed: %s",
				 strerror(-(ret ? ret : n)));
		} else if ((ret = dg_predict(d, wls, n, p, ids))) {
			snprintf(why, len, "dnngov_policy_decide() returned %d", ret);
		} else if (dg_same(p, ids, &d->dec, why, len)) {
			khz = dg_sysfs_khz(domain);
			if (khz == d->dec.freq_khz)
				return true;
			snprintf(why, len, "decision %u kHz but sysfs says %u kHz",
				 d->dec.freq_khz, khz);
		}
		if (vt_now_ms() > end)
			return false;
		vt_sleep_ms(20);
	}
}

const char *dg_gov_path(const char *domain, char *buf, size_t len)
{
	int pol;

	if (sscanf(domain, "cpufreq:policy%d", &pol) == 1)
		snprintf(buf, len, CPUFREQ_DIR "/policy%d/scaling_governor", pol);
	else
		snprintf(buf, len, "/sys/class/devfreq/%s/governor", domain + 8);
	return buf;
}

int dg_set_gov(const char *domain, const char *gov)
{
	char path[192];

	return vt_write(dg_gov_path(domain, path, sizeof(path)), gov);
}

/* Switch every fake domain still on dnngov (a failed test's leftovers)
 * back to the kernel's governors, so the module can be unloaded. */
static void release_all(void)
{
	char path[192], buf[64];
	int pol[16], n, i;

	n = vt_cpu_policies(pol, 16);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), CPUFREQ_DIR "/policy%d/scaling_governor", pol[i]);
		if (vt_read(path, buf, sizeof(buf)) > 0 && !strcmp(buf, "dnngov\n"))
			vt_write(path, "schedutil");
	}
	if (vt_read(FAKE_GPU_DIR "/governor", buf, sizeof(buf)) > 0 &&
	    !strcmp(buf, "dnngov\n"))
		vt_write(FAKE_GPU_DIR "/governor", "simple_ondemand");
}

int dg_module(const char *params)
{
	static char loaded_with[128];
	int ret;

	if (vt_mod_loaded("dnngov")) {
		if (!strcmp(loaded_with, params))
			return 0;
		release_all();
		ret = vt_rmmod("dnngov");
		if (ret)
			return ret;
	}
	ret = vt_insmod("dnngov", params);
	if (!ret)
		snprintf(loaded_with, sizeof(loaded_with), "%s", params);
	return ret;
}

bool dg_govern(struct nlc *c, const char *domain)
{
	uint64_t end = vt_now_ms() + VT_DEADLINE_MS;
	struct dg_dom *d = malloc(sizeof(*d));
	bool ok = false;

	if (!d)
		return false;
	if (dg_set_gov(domain, "dnngov") == 0) {
		do {
			ok = dg_get_dom(c, domain, d) == 0 && d->dec.valid;
			if (!ok)
				vt_sleep_ms(10);
		} while (!ok && vt_now_ms() < end);
	}
	free(d);
	return ok;
}

const char *dg_cpu_domain(void)
{
	static char name[DNNGOV_DOMAIN_NAME_MAX];
	int pol[16];

	if (vt_cpu_policies(pol, 16) < 1)
		return "cpufreq:policy-none";
	snprintf(name, sizeof(name), "cpufreq:policy%d", pol[0]);
	return name;
}

int dg_unprivileged(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(99);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}
