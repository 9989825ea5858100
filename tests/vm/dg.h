/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dnngov requests on top of nl.h, and the read-back of a domain's state into
 * the policy core's structures so that a test can call dnngov_policy_decide()
 * itself and compare with what the module did.
 */
#ifndef DNNGOV_VMTEST_DG_H
#define DNNGOV_VMTEST_DG_H

#include "dnngov/policy.h"
#include "nl.h"
#include "uapi/linux/dnngov.h"

#define DG_GPU_DOMAIN	"devfreq:" FAKE_GPU

/* Module parameters of every test but bad_messages (t_governors.c). */
extern const char *const dg_default_params;

struct dg_level {
	uint64_t cycles;
	uint32_t acc;
	uint32_t fixed_us;
};

struct dg_dec {
	bool valid;
	uint32_t freq_khz, opp, flags;
	uint64_t power_uw;
	uint32_t n;
	uint32_t id[DNNGOV_POLICY_MAX_WORKLOADS];
	uint32_t level[DNNGOV_POLICY_MAX_WORKLOADS];
	uint32_t lat[DNNGOV_POLICY_MAX_WORKLOADS];
	uint32_t wflags[DNNGOV_POLICY_MAX_WORKLOADS];
};

struct dg_dom {
	char name[DNNGOV_DOMAIN_NAME_MAX];
	struct dnngov_domain pd;	/* as the module's policy sees it */
	uint32_t cur_khz;
	uint64_t decisions, infeasible, transitions, fallbacks;
	uint32_t n_workloads;
	struct dg_dec dec;
};

struct dg_wl {
	uint32_t id;
	char name[DNNGOV_WORKLOAD_NAME_MAX];
	char domain[DNNGOV_DOMAIN_NAME_MAX];
	struct dnngov_workload pw;
	uint32_t owner;
	uint64_t misses, inferences;
};

void dg_put_levels(struct nlmsg *m, const struct dg_level *lv, int n);
int dg_new_wl(struct nlc *c, const char *domain, const char *name,
	      uint32_t target_us, uint32_t acc_floor, uint32_t period_us,
	      const struct dg_level *lv, int n, uint32_t *id, struct nlerr *e);
int dg_set_wl(struct nlc *c, uint32_t id, uint32_t target_us,
	      uint32_t acc_floor, uint32_t period_us, struct nlerr *e);
int dg_set_levels(struct nlc *c, uint32_t id, const struct dg_level *lv,
		  int n, struct nlerr *e);
int dg_del_wl(struct nlc *c, uint32_t id, struct nlerr *e);
int dg_report(struct nlc *c, uint32_t id, uint32_t level, uint32_t lat_us,
	      uint32_t count, uint64_t busy_us, struct nlerr *e);
/* A report with DNNGOV_A_RPT_LATENCY_MAX_US. */
int dg_report_max(struct nlc *c, uint32_t id, uint32_t level, uint32_t lat_us,
		  uint32_t max_us, uint32_t count, uint64_t busy_us,
		  struct nlerr *e);
int dg_set_hysteresis(struct nlc *c, const char *domain, uint32_t pct,
		      struct nlerr *e);

/* GET_DOMAIN of one domain; -errno. */
int dg_get_dom(struct nlc *c, const char *name, struct dg_dom *d);
/* Names of all domains (dump) into names[max][64]; count or -errno. */
int dg_dump_doms(struct nlc *c, char (*names)[DNNGOV_DOMAIN_NAME_MAX], int max);
/* All workloads (dump); count or -errno. */
int dg_dump_wls(struct nlc *c, struct dg_wl *out, int max);
int dg_parse_decision(const struct nlattr *nest, struct dg_dec *d);
/* A DNNGOV_CMD_DECISION notification for @domain? Fills @d. */
bool dg_is_decision(const struct nlmsghdr *nlh, const char *domain,
		    struct dg_dec *d);
/* Wait up to @ms for a DECISION for @domain equal to @want (the timer may
 * have announced others before or after it); the last one seen in @d. */
bool dg_wait_decision_eq(struct nlc *c, const char *domain,
			 const struct dg_dec *want, struct dg_dec *d,
			 unsigned int ms);
bool dg_dec_eq(const struct dg_dec *a, const struct dg_dec *b);

/*
 * Predict the decision for @d from the read-back state: the workloads of
 * @wls on that domain with a level table, in the order of the module's own
 * decision. Returns dnngov_policy_decide()'s result.
 */
int dg_predict(const struct dg_dom *d, const struct dg_wl *wls, int n,
	       struct dnngov_decision *out, uint32_t *ids);
/* Same decision? Otherwise @why says what differs. */
bool dg_same(const struct dnngov_decision *p, const uint32_t *ids,
	     const struct dg_dec *d, char *why, size_t len);

/*
 * Poll until the domain's state, its reported decision, the prediction and
 * the frequency in sysfs all agree (the timer may re-decide meanwhile).
 * Fills @d and @p; false with @why after the deadline.
 */
bool dg_settled(struct nlc *c, const char *domain, struct dg_dom *d,
		struct dnngov_decision *p, char *why, size_t len);

/* sysfs frequency of a domain in kHz (cpufreq scaling_cur_freq, devfreq
 * cur_freq / 1000), 0 on error. */
uint32_t dg_sysfs_khz(const char *domain);
/* sysfs governor file of a domain. */
const char *dg_gov_path(const char *domain, char *buf, size_t len);
/* Load dnngov.ko with @params unless loaded with them already. */
int dg_module(const char *params);
/* Set the governor of a domain; 0 or -errno. */
int dg_set_gov(const char *domain, const char *gov);
/* Set dnngov on a domain and wait until the module knows it; false on error. */
bool dg_govern(struct nlc *c, const char *domain);
/* Name of the first fake CPU domain ("cpufreq:policyN"). */
const char *dg_cpu_domain(void);
/* Fork a child that drops root (uid 65534, no capabilities) and runs @fn;
 * returns its exit status, or -1. */
int dg_unprivileged(int (*fn)(void *), void *arg);

#endif
