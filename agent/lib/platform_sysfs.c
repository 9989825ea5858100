// SPDX-License-Identifier: MIT
/*
 * dnngov agent: the sysfs backend. No module: the stock "userspace"
 * governors (cpufreq scaling_setspeed, devfreq userspace/set_freq) are
 * driven by the same policy core as dnngov.ko (module/policy.c, compiled
 * into libdnngov). The sysfs root is configurable so that tests run it on a
 * fake tree. Domains, workloads and decisions live in the policy host
 * shared with the sim backend (policy_host.c); this file owns only the
 * sysfs and /proc/stat I/O and the governor hand-over.
 *
 * A domain is taken over (governor switched to "userspace") when its first
 * workload arrives and given back (previous governor restored) when its last
 * one goes or the backend closes.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform.h"
#include "policy_host.h"

#define CPUFREQ_DIR	"sys/devices/system/cpu/cpufreq"
#define DEVFREQ_DIR	"sys/class/devfreq"
#define HYSTERESIS_PCT	5

/* I/O side of a domain; its policy side is host.dom[] at the same index. */
struct sdom {
	char name[DNNGOV_DOMAIN_NAME_MAX];
	char dir[PATH_MAX];
	bool devfreq;		/* frequencies in Hz, userspace/set_freq */
	bool owned;		/* we switched it to userspace */
	char saved_gov[64];
	struct dnngov_host_domain *hd;	/* policy view: OPPs, limits, workloads */
	u32 last_set_khz;
	/* non-DNN load floor: CPU busy time from /proc/stat over a window */
	u64 cpu_mask;
	u64 last_busy_us;		/* all CPUs of the domain */
	u64 last_cpu_busy_us[64];	/* per CPU, for the busiest core */
	u64 last_ns;
	u64 freq_since_ns;	/* when last_set_khz took effect (0 = unknown) */
};

/* A report waits for the next tick, which brings the time. */
struct spending {
	bool pending;
	struct dnngov_platform_report rep;
};

struct sysfs_priv {
	u64 now_ns;		/* time of the last tick */
	char root[PATH_MAX / 2];
	u32 n_dom;
	struct sdom dom[DNNGOV_PLATFORM_MAX_DOMAINS];
	struct dnngov_policy_host host;
	struct spending rep[DNNGOV_POLICY_MAX_WORKLOADS];	/* by host.wl[] slot */
};

static int read_str(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX + 64];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

static int read_u64(const char *dir, const char *file, u64 *v)
{
	char buf[64], *end;
	int err = read_str(dir, file, buf, sizeof(buf));

	if (err)
		return err;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

static int write_str(struct dnngov_platform *p, const char *dir,
		     const char *file, const char *val)
{
	char path[PATH_MAX + 64];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "we");
	if (!f)
		return dnngov_platform_errf(p, -errno, "cannot open %s: %s",
					    path, strerror(errno));
	if (fputs(val, f) < 0)
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (err)
		return dnngov_platform_errf(p, err, "writing '%s' to %s: %s",
					    val, path, strerror(-err));
	return 0;
}

/* Frequency files in the domain's unit, returned in kHz. */
static int read_khz(const struct sdom *d, const char *file, u32 *khz)
{
	u64 v;
	int err = read_u64(d->dir, file, &v);

	if (err)
		return err;
	if (d->devfreq)
		v /= 1000;
	*khz = v > DNNGOV_FREQ_KHZ_MAX ? DNNGOV_FREQ_KHZ_MAX : (u32)v;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* Parse a "related_cpus"-style list ("0 1 2" or "0-3,6") into a mask. */
static u64 parse_cpus(const char *s)
{
	u64 mask = 0;

	while (*s) {
		char *end;
		unsigned long a, b;

		if (!isdigit((unsigned char)*s)) {
			s++;
			continue;
		}
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		for (; a <= b && a < 64; a++)
			mask |= 1ULL << a;
		s = end;
	}
	return mask;
}

/*
 * Power proxy for the policy when the board gives no power model:
 * P = C * V^2 * f with V rising linearly from 0.6 V at the lowest OPP to
 * 1.0 V at the highest (the shape of DVFS tables), C = 100 uW/MHz/V^2, and
 * idle power a tenth of busy power at the same OPP (leakage).
 */
static void proxy_power(struct dnngov_domain *pd)
{
	u32 i, lo = pd->opps[0].freq_khz, hi = pd->opps[pd->n_opps - 1].freq_khz;

	for (i = 0; i < pd->n_opps; i++) {
		double f = pd->opps[i].freq_khz;
		double v = hi > lo ? 0.6 + 0.4 * (f - lo) / (hi - lo) : 1.0;
		double busy = 100.0 * v * v * f / 1000.0;

		pd->opps[i].power_busy_uw = (u32)busy + 1;
		pd->opps[i].power_idle_uw = (u32)(busy / 10) + 1;
	}
}

/* Read OPPs and limits of a domain into @pd (zeroed by the caller). */
static int load_domain(struct dnngov_platform *p, struct sdom *d,
		       struct dnngov_domain *pd)
{
	char buf[4096], *s, *end;
	u32 n = 0, khz, i;
	u64 v;

	if (read_str(d->dir, d->devfreq ? "available_frequencies" :
		     "scaling_available_frequencies", buf, sizeof(buf)) == 0) {
		for (s = buf; *s && n < DNNGOV_POLICY_MAX_OPPS; s = end) {
			errno = 0;
			v = strtoull(s, &end, 10);
			if (end == s)
				break;
			if (d->devfreq)
				v /= 1000;
			if (v && v <= DNNGOV_FREQ_KHZ_MAX)
				pd->opps[n++].freq_khz = (u32)v;
		}
	}
	if (n == 0) {
		/* drivers without a table (intel_pstate, ...): min and max */
		u32 lo, hi;

		if (read_khz(d, d->devfreq ? "min_freq" : "cpuinfo_min_freq", &lo) ||
		    read_khz(d, d->devfreq ? "max_freq" : "cpuinfo_max_freq", &hi))
			return dnngov_platform_errf(p, -ENOENT,
						    "%s: no frequency table in %s",
						    d->name, d->dir);
		pd->opps[n++].freq_khz = lo;
		if (hi > lo)
			pd->opps[n++].freq_khz = hi;
	}
	qsort(pd->opps, n, sizeof(pd->opps[0]), cmp_u32);
	for (i = 1; i < n; i++) {	/* drop duplicates */
		if (pd->opps[i].freq_khz == pd->opps[i - 1].freq_khz) {
			memmove(&pd->opps[i], &pd->opps[i + 1],
				(n - i - 1) * sizeof(pd->opps[0]));
			n--;
			i--;
		}
	}
	pd->n_opps = n;
	proxy_power(pd);
	pd->capacity = 1;
	if (!d->devfreq && read_str(d->dir, "related_cpus", buf, sizeof(buf)) == 0) {
		u64 mask = parse_cpus(buf);

		d->cpu_mask = mask;
		pd->capacity = (u32)__builtin_popcountll(mask);
		if (!pd->capacity)
			pd->capacity = 1;
	}
	pd->hysteresis_pct = HYSTERESIS_PCT;
	if (read_khz(d, d->devfreq ? "cur_freq" : "scaling_cur_freq", &khz) == 0)
		d->last_set_khz = khz;
	return 0;
}

static int add_domain(struct dnngov_platform *p, struct sysfs_priv *sp,
		      const char *name, const char *dir, bool devfreq)
{
	struct dnngov_domain pd;
	struct sdom *d;

	if (sp->n_dom >= DNNGOV_PLATFORM_MAX_DOMAINS)
		return 0;
	d = &sp->dom[sp->n_dom];
	memset(d, 0, sizeof(*d));
	memset(&pd, 0, sizeof(pd));
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->dir, sizeof(d->dir), "%s", dir);
	d->devfreq = devfreq;
	if (load_domain(p, d, &pd))
		return 0;	/* skip domains we can't read */
	d->hd = &sp->host.dom[dnngov_host_domain_add(&sp->host, &pd)];
	sp->n_dom++;
	return 0;
}

static void scan(struct dnngov_platform *p, struct sysfs_priv *sp,
		 const char *sub, bool devfreq)
{
	char dir[PATH_MAX], path[PATH_MAX], name[DNNGOV_DOMAIN_NAME_MAX];
	struct dirent **ents;
	int n, i;

	snprintf(dir, sizeof(dir), "%s/%s", sp->root, sub);
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;

		if (e[0] == '.' || (!devfreq && strncmp(e, "policy", 6))) {
			free(ents[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%.*s/%.200s", PATH_MAX - 210, dir, e);
		snprintf(name, sizeof(name), "%s:%.50s",
			 devfreq ? "devfreq" : "cpufreq", e);
		add_domain(p, sp, name, path, devfreq);
		free(ents[i]);
	}
	free(ents);
}

static int sysfs_open(struct dnngov_platform *p)
{
	struct sysfs_priv *sp = p->priv;

	scan(p, sp, CPUFREQ_DIR, false);
	scan(p, sp, DEVFREQ_DIR, true);
	if (sp->n_dom == 0)
		return dnngov_platform_errf(p, -ENODEV,
					    "no cpufreq policy or devfreq device under %s/%s or %s/%s",
					    sp->root, CPUFREQ_DIR, sp->root,
					    DEVFREQ_DIR);
	return 0;
}

static struct sdom *find_dom(struct sysfs_priv *sp, const char *name)
{
	u32 i;

	for (i = 0; i < sp->n_dom; i++)
		if (!strcmp(sp->dom[i].name, name))
			return &sp->dom[i];
	return NULL;
}

static const char *gov_file(const struct sdom *d)
{
	return d->devfreq ? "governor" : "scaling_governor";
}

static int take_over(struct dnngov_platform *p, struct sdom *d)
{
	char avail[1024];
	int err;

	if (d->owned)
		return 0;
	if (read_str(d->dir, gov_file(d), d->saved_gov, sizeof(d->saved_gov)))
		d->saved_gov[0] = '\0';
	if (!strcmp(d->saved_gov, "userspace")) {
		d->owned = true;	/* already; nothing to restore */
		d->saved_gov[0] = '\0';
		return 0;
	}
	if (read_str(d->dir, d->devfreq ? "available_governors" :
		     "scaling_available_governors", avail, sizeof(avail)) == 0 &&
	    !strstr(avail, "userspace"))
		return dnngov_platform_errf(p, -EOPNOTSUPP,
					    "%s has no userspace governor (available: %s); build or load %s",
					    d->name, avail,
					    d->devfreq ? "CONFIG_DEVFREQ_GOV_USERSPACE" :
					    "cpufreq_userspace");
	err = write_str(p, d->dir, gov_file(d), "userspace");
	if (err)
		return err;
	d->owned = true;
	d->last_set_khz = 0;
	return 0;
}

static void give_back(struct dnngov_platform *p, struct sdom *d)
{
	if (!d->owned)
		return;
	if (d->saved_gov[0])
		write_str(p, d->dir, gov_file(d), d->saved_gov);
	d->owned = false;
}

static int set_khz(struct dnngov_platform *p, struct sdom *d, u32 khz)
{
	char val[32];

	if (d->devfreq)
		snprintf(val, sizeof(val), "%llu", (unsigned long long)khz * 1000);
	else
		snprintf(val, sizeof(val), "%u", khz);
	return write_str(p, d->dir, d->devfreq ? "userspace/set_freq" :
			 "scaling_setspeed", val);
}

static void fill_info(struct sdom *d, struct dnngov_platform_domain *out)
{
	char buf[1024];
	u32 i;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", d->name);
	read_khz(d, d->devfreq ? "cur_freq" : "scaling_cur_freq", &out->cur_khz);
	read_khz(d, d->devfreq ? "min_freq" : "scaling_min_freq", &out->min_khz);
	read_khz(d, d->devfreq ? "max_freq" : "scaling_max_freq", &out->max_khz);
	out->n_opps = d->hd->pd.n_opps;
	for (i = 0; i < d->hd->pd.n_opps; i++)
		out->opps_khz[i] = d->hd->pd.opps[i].freq_khz;
	out->capacity = d->hd->pd.capacity;
	if (!d->devfreq && read_str(d->dir, "related_cpus", buf, sizeof(buf)) == 0)
		out->cpu_mask = parse_cpus(buf);
	out->can_set = true;
	read_str(d->dir, gov_file(d), out->governor, sizeof(out->governor));
}

static int sysfs_list(struct dnngov_platform *p,
		      struct dnngov_platform_domain *out, u32 max, u32 *n)
{
	struct sysfs_priv *sp = p->priv;
	u32 i;

	for (i = 0; i < sp->n_dom && i < max; i++)
		fill_info(&sp->dom[i], &out[i]);
	*n = i;
	return 0;
}

static int sysfs_domain_get(struct dnngov_platform *p, const char *domain,
			    struct dnngov_platform_domain *out)
{
	struct sdom *d = find_dom(p->priv, domain);

	if (!d)
		return dnngov_platform_errf(p, -ENODEV,
					    "no domain %s (see dnngovctl domains)",
					    domain);
	fill_info(d, out);
	return 0;
}

static int sysfs_set_freq(struct dnngov_platform *p, const char *domain,
			  u32 khz)
{
	struct sdom *d = find_dom(p->priv, domain);
	int err;

	if (!d)
		return dnngov_platform_errf(p, -ENODEV, "no domain %s", domain);
	if (!khz)
		return 0;	/* no pin to release: this backend sets frequencies */
	err = take_over(p, d);
	if (!err)
		err = set_khz(p, d, khz);
	if (!err) {
		d->last_set_khz = khz;
		d->freq_since_ns = ((struct sysfs_priv *)p->priv)->now_ns;
	}
	return err;
}

static int sysfs_add(struct dnngov_platform *p,
		     const struct dnngov_platform_workload *w, u32 *id)
{
	struct sysfs_priv *sp = p->priv;
	struct sdom *d = find_dom(sp, w->domain);
	u32 dom;
	int err;

	if (!d)
		return dnngov_platform_errf(p, -ENODEV,
					    "no domain %s under %s (cpufreq:policyN or devfreq:NAME)",
					    w->domain, sp->root);
	dom = (u32)(d - sp->dom);
	/* room first: a full table must not switch the governor */
	err = dnngov_host_workload_room(&sp->host, dom);
	if (!err)
		err = take_over(p, d);
	if (!err)
		err = dnngov_host_workload_add(&sp->host, dom, w, id);
	return err;
}

static int sysfs_change(struct dnngov_platform *p, u32 id,
			const struct dnngov_platform_workload *w)
{
	struct sysfs_priv *sp = p->priv;

	return dnngov_host_workload_change(&sp->host, id, w);
}

static int sysfs_del(struct dnngov_platform *p, u32 id)
{
	struct sysfs_priv *sp = p->priv;
	struct dnngov_host_workload *s = dnngov_host_workload_find(&sp->host, id);
	u32 dom;
	int err;

	if (s)
		sp->rep[s - sp->host.wl].pending = false;
	err = dnngov_host_workload_del(&sp->host, id, &dom);
	if (err)
		return err;
	if (!sp->dom[dom].hd->n_wl)
		give_back(p, &sp->dom[dom]);
	return 0;
}

static int sysfs_levels(struct dnngov_platform *p, u32 id,
			const struct dnngov_level *levels, u32 n)
{
	struct sysfs_priv *sp = p->priv;

	return dnngov_host_levels_set(&sp->host, id, levels, n);
}

/*
 * Fold a report into its workload as dnngov.ko does (module/genl.c): the
 * policy core's one report path, with the frequency in force and how long
 * it has been.
 */
static void fold_report(struct sysfs_priv *sp, struct dnngov_host_workload *s,
			u64 now_ns)
{
	struct spending *pr = &sp->rep[s - sp->host.wl];
	struct sdom *d = &sp->dom[s->dom];
	struct dnngov_report rep = {
		.level = pr->rep.level,
		.latency_us = pr->rep.latency_us,
		.latency_max_us = pr->rep.latency_max_us,
		.busy_us = pr->rep.busy_us,
		.now_us = now_ns / 1000 ? now_ns / 1000 : 1,
		.freq_age_us = d->freq_since_ns && now_ns > d->freq_since_ns ?
			(now_ns - d->freq_since_ns) / 1000 : UINT64_MAX,
	};

	if (read_khz(d, d->devfreq ? "cur_freq" : "scaling_cur_freq",
		     &rep.freq_khz) || !rep.freq_khz)
		rep.freq_khz = d->last_set_khz;
	dnngov_host_report(&sp->host, s, &rep);
	s->pw.cur_level = pr->rep.level;
	pr->pending = false;
}

static int sysfs_report(struct dnngov_platform *p, u32 id,
			const struct dnngov_platform_report *r)
{
	struct sysfs_priv *sp = p->priv;
	struct dnngov_host_workload *s;
	struct spending *pr;
	int err = dnngov_host_report_check(&sp->host, id, r, &s);

	if (err)
		return err;
	if (r->latency_max_us && r->latency_max_us < r->latency_us)
		return dnngov_platform_errf(p, -EINVAL,
					    "report: slowest latency %u us is below the mean %u us",
					    r->latency_max_us, r->latency_us);
	pr = &sp->rep[s - sp->host.wl];
	if (pr->pending)	/* two reports between ticks: the older one now */
		fold_report(sp, s, sp->now_ns);
	pr->rep = *r;
	pr->pending = true;
	return 0;
}

/*
 * Busy time (us since boot) of the CPUs in @mask from <root>/proc/stat,
 * everything but idle and iowait: in total, and per CPU in @per_cpu.
 * -1 when unreadable.
 */
static long long cpu_busy_us(const char *root, u64 mask, u64 *per_cpu)
{
	static long hz;
	char path[PATH_MAX], line[512];
	unsigned long long busy = 0;
	FILE *f;

	if (!hz)
		hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	snprintf(path, sizeof(path), "%.*s/proc/stat", PATH_MAX - 16, root);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v[8] = { 0 }, b;
		unsigned int cpu;

		if (sscanf(line, "cpu%u %llu %llu %llu %llu %llu %llu %llu %llu",
			   &cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7]) < 5 || cpu >= 64 || !(mask & (1ULL << cpu)))
			continue;
		/* user nice system [idle iowait] irq softirq steal */
		b = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * 1000000ULL /
		    (unsigned long long)hz;
		per_cpu[cpu] = b;
		busy += b;
	}
	fclose(f);
	return (long long)busy;
}

/*
 * The userspace governor replaced schedutil: keep the domain's other work
 * fed, as dnngov.ko does (module/domain.c), with the policy core's load
 * sampling: busy time of the window minus the DNN busy time the workloads'
 * reports lead it to expect, the busiest core counted in full.
 */
static void sample_load(struct sysfs_priv *sp, struct sdom *d, u64 now_ns)
{
	u64 per_cpu[64] = { 0 }, busy_max = 0;
	struct dnngov_load_sample ls;
	long long busy;
	u32 i;

	if (d->devfreq || !d->cpu_mask)
		return;
	busy = cpu_busy_us(sp->root, d->cpu_mask, per_cpu);
	if (busy < 0)
		return;
	if (d->last_ns && now_ns > d->last_ns && (u64)busy >= d->last_busy_us &&
	    d->last_set_khz) {
		for (i = 0; i < 64; i++)
			if ((d->cpu_mask & (1ULL << i)) &&
			    per_cpu[i] >= d->last_cpu_busy_us[i] &&
			    per_cpu[i] - d->last_cpu_busy_us[i] > busy_max)
				busy_max = per_cpu[i] - d->last_cpu_busy_us[i];
		ls = (struct dnngov_load_sample){
			.now_us = now_ns / 1000 ? now_ns / 1000 : 1,
			.window_us = (now_ns - d->last_ns) / 1000,
			.busy_us = (u64)busy - d->last_busy_us,
			.busy_max_us = busy_max,
			.cur_khz = d->last_set_khz,
		};
		if (dnngov_host_sample(&sp->host, (u32)(d - sp->dom), &ls))
			d->hd->dirty = true;
	}
	d->last_busy_us = (u64)busy;
	memcpy(d->last_cpu_busy_us, per_cpu, sizeof(per_cpu));
	d->last_ns = now_ns;
}

/* Re-decide the domains whose inputs changed; write the new frequency. */
static int sysfs_tick(struct dnngov_platform *p, u64 now_ns)
{
	struct sysfs_priv *sp = p->priv;
	int first = 0;
	u32 i;

	sp->now_ns = now_ns;
	for (i = 0; i < DNNGOV_POLICY_MAX_WORKLOADS; i++)
		if (sp->host.wl[i].id && sp->rep[i].pending)
			fold_report(sp, &sp->host.wl[i], now_ns);
	for (i = 0; i < sp->n_dom; i++) {
		struct sdom *d = &sp->dom[i];
		struct dnngov_host_decision dec;
		int err;

		if (d->owned)
			sample_load(sp, d, now_ns);
		/* a domain decides once every workload has its level table */
		if (!d->hd->dirty || !dnngov_host_ready(&sp->host, i))
			continue;
		d->hd->pd.min_khz = 0;
		d->hd->pd.max_khz = 0;
		read_khz(d, d->devfreq ? "min_freq" : "scaling_min_freq",
			 &d->hd->pd.min_khz);
		read_khz(d, d->devfreq ? "max_freq" : "scaling_max_freq",
			 &d->hd->pd.max_khz);
		err = dnngov_host_decide(&sp->host, i, &dec);
		if (err) {
			first = first ? first :
				dnngov_platform_errf(p, -EINVAL,
						     "%s: policy rejected the domain (%d)",
						     d->name, err);
			continue;
		}
		if (dec.dec.freq_khz != d->last_set_khz) {
			err = set_khz(p, d, dec.dec.freq_khz);
			if (err) {
				first = first ? first : err;
				continue;
			}
			d->last_set_khz = dec.dec.freq_khz;
			d->freq_since_ns = now_ns;
		}
		dnngov_host_commit(&sp->host, i, &dec);
	}
	return first;
}

static int sysfs_decision(struct dnngov_platform *p, u32 id,
			  struct dnngov_platform_decision *out)
{
	struct sysfs_priv *sp = p->priv;

	return dnngov_host_decision_get(&sp->host, id, out);
}

static void sysfs_close(struct dnngov_platform *p)
{
	struct sysfs_priv *sp = p->priv;
	u32 i;

	if (!sp)
		return;
	for (i = 0; i < sp->n_dom; i++)
		give_back(p, &sp->dom[i]);
	free(sp);
	p->priv = NULL;
}

static const struct dnngov_platform_ops sysfs_ops = {
	.name = "sysfs",
	.open = sysfs_open,
	.close = sysfs_close,
	.list_domains = sysfs_list,
	.domain_get = sysfs_domain_get,
	.set_freq = sysfs_set_freq,
	.workload_add = sysfs_add,
	.workload_change = sysfs_change,
	.workload_del = sysfs_del,
	.set_levels = sysfs_levels,
	.report = sysfs_report,
	.tick = sysfs_tick,
	.decision = sysfs_decision,
};

int dnngov_platform_sysfs_init(struct dnngov_platform *p,
			       const char *sysfs_root)
{
	struct sysfs_priv *sp;

	memset(p, 0, sizeof(*p));
	p->ops = &sysfs_ops;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return dnngov_platform_errf(p, -ENOMEM, "out of memory");
	dnngov_host_init(&sp->host, p);
	snprintf(sp->root, sizeof(sp->root), "%s",
		 sysfs_root && sysfs_root[0] ? sysfs_root : "");
	/* "/" and "" both mean the real root: paths are root + "/sys/..." */
	if (!strcmp(sp->root, "/"))
		sp->root[0] = '\0';
	p->priv = sp;
	return 0;
}
