// SPDX-License-Identifier: MIT
/*
 * dnngov agent: config file parser on inih (config.h). A line-counting
 * reader gives every handler call its line, so errors found after the
 * syntax (bad value, unknown key, missing key) name the line too.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config.h"

struct pstate {
	FILE *f;
	int line;		/* line just read */
	int headers;		/* section headers read so far */
	int cur_header;		/* the header the current section came from */
	const char *fname;
	struct dnngov_cfg *cfg;
	struct dnngov_cfg_workload *cur;
	char cur_section[128];
	char *err;
	unsigned int err_len;
	bool failed;
};

static char *reader(char *str, int num, void *stream)
{
	struct pstate *ps = stream;
	char *r = fgets(str, num, ps->f);

	if (r) {
		const char *t = r;

		ps->line++;
		while (*t == ' ' || *t == '\t')
			t++;
		if (*t == '[')
			ps->headers++;	/* inih can't tell us: repeated names */
	}
	return r;
}

static int fail(struct pstate *ps, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct pstate *ps, const char *key, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (ps->failed)
		return 0;	/* keep the first error */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (key)
		snprintf(ps->err, ps->err_len, "%s:%d: key '%s': %s", ps->fname,
			 ps->line, key, msg);
	else
		snprintf(ps->err, ps->err_len, "%s:%d: %s", ps->fname, ps->line,
			 msg);
	ps->failed = true;
	return 0;
}

void dnngov_config_defaults(struct dnngov_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->backend, sizeof(cfg->backend), "auto");
	snprintf(cfg->sysfs_root, sizeof(cfg->sysfs_root), "/");
	snprintf(cfg->socket, sizeof(cfg->socket), "%s",
		 DNNGOV_CFG_DEFAULT_SOCKET);
	cfg->socket_mode = 0660;
	cfg->tick_ms = 100;
	cfg->max_clients = 64;
	cfg->queue_depth = 16;
}

int dnngov_cpulist_parse(const char *s, u64 *mask)
{
	u64 m = 0;

	while (*s) {
		char *end;
		unsigned long a, b;

		while (*s == ' ' || *s == ',')
			s++;
		if (!*s)
			break;
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return -EINVAL;
			b = strtoul(end + 1, &end, 10);
		}
		if (a > b || b > 63 || (*end && *end != ',' && *end != ' '))
			return -EINVAL;
		for (; a <= b; a++)
			m |= 1ULL << a;
		s = end;
	}
	if (!m)
		return -EINVAL;
	*mask = m;
	return 0;
}

/* A non-negative decimal with at most 3 fractional digits, times @scale. */
static int parse_scaled(const char *v, double scale, u64 max, u64 *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	while (*end == ' ')
		end++;
	if (errno || end == v || *end || !isfinite(d) || d < 0 ||
	    d * scale > (double)max)
		return -EINVAL;
	*out = (u64)llround(d * scale);
	return 0;
}

static int parse_u32(const char *v, u32 lo, u32 hi, u32 *out)
{
	char *end;
	unsigned long long x;

	errno = 0;
	if (!isdigit((unsigned char)v[0]))
		return -EINVAL;
	x = strtoull(v, &end, 0);
	if (errno || *end || x < lo || x > hi)
		return -EINVAL;
	*out = (u32)x;
	return 0;
}

static int copy_path(struct pstate *ps, const char *key, char *dst,
		     size_t len, const char *v)
{
	if (!v[0])
		return fail(ps, key, "empty value");
	if (strlen(v) >= len)
		return fail(ps, key, "value longer than %zu characters", len - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 1;
}

static int daemon_key(struct pstate *ps, const char *k, const char *v)
{
	struct dnngov_cfg *c = ps->cfg;

	if (!strcmp(k, "backend")) {
		if (strcmp(v, "auto") && strcmp(v, "kernel") &&
		    strcmp(v, "sysfs") && strcmp(v, "none"))
			return fail(ps, k, "'%s' is not a backend (use auto, kernel, sysfs or none)", v);
		snprintf(c->backend, sizeof(c->backend), "%s", v);
		return 1;
	}
	if (!strcmp(k, "sysfs_root"))
		return copy_path(ps, k, c->sysfs_root, sizeof(c->sysfs_root), v);
	if (!strcmp(k, "power_model"))
		return copy_path(ps, k, c->power_model, sizeof(c->power_model), v);
	if (!strcmp(k, "socket")) {
		if (v[0] != '/')
			return fail(ps, k, "'%s' is not an absolute path", v);
		return copy_path(ps, k, c->socket, sizeof(c->socket), v);
	}
	if (!strcmp(k, "socket_group"))
		return copy_path(ps, k, c->socket_group, sizeof(c->socket_group), v);
	if (!strcmp(k, "socket_mode")) {
		if (v[0] != '0' || parse_u32(v, 0, 0777, &c->socket_mode))
			return fail(ps, k, "'%s' is not an octal mode like 0660", v);
		if (c->socket_mode & 0007)
			return fail(ps, k, "mode %s gives access to everyone: use at most 0770", v);
		return 1;
	}
	if (!strcmp(k, "tick_ms")) {
		if (parse_u32(v, 1, 10000, &c->tick_ms))
			return fail(ps, k, "'%s' is not a period in 1..10000 ms", v);
		return 1;
	}
	if (!strcmp(k, "max_clients")) {
		if (parse_u32(v, 1, 1024, &c->max_clients))
			return fail(ps, k, "'%s' is not in 1..1024", v);
		return 1;
	}
	if (!strcmp(k, "queue_depth")) {
		if (parse_u32(v, 1, 1024, &c->queue_depth))
			return fail(ps, k, "'%s' is not in 1..1024", v);
		return 1;
	}
	return fail(ps, k, "unknown key in [daemon] (known: backend, sysfs_root, power_model, socket, socket_group, socket_mode, tick_ms, max_clients, queue_depth)");
}

static int time_key(struct pstate *ps, const char *k, const char *v,
		    double scale, u32 lo, u32 *out)
{
	u64 x;

	if (parse_scaled(v, scale, DNNGOV_TIME_US_MAX, &x) || x < lo)
		return fail(ps, k, "'%s' is not a time in range (%.3f .. %.0f %s)",
			    v, lo / scale, DNNGOV_TIME_US_MAX / scale,
			    scale == 1000 ? "ms" : "us");
	*out = (u32)x;
	return 1;
}

static int workload_key(struct pstate *ps, const char *k, const char *v)
{
	struct dnngov_cfg_workload *w = ps->cur;
	u64 x;

	if (!strcmp(k, "model"))
		return copy_path(ps, k, w->model, sizeof(w->model), v);
	if (!strcmp(k, "domain")) {
		if (strcmp(v, "auto") && strncmp(v, "cpufreq:", 8) &&
		    strncmp(v, "devfreq:", 8) && strcmp(v, "none"))
			return fail(ps, k, "'%s' is not a domain (cpufreq:policyN, devfreq:NAME, auto or none)", v);
		return copy_path(ps, k, w->domain, sizeof(w->domain), v);
	}
	if (!strcmp(k, "cpus")) {
		if (dnngov_cpulist_parse(v, &w->cpu_mask))
			return fail(ps, k, "'%s' is not a CPU list like 0-3,6 (CPUs 0..63)", v);
		snprintf(w->cpus, sizeof(w->cpus), "%s", v);
		return 1;
	}
	if (!strcmp(k, "threads")) {
		if (parse_u32(v, 1, 64, &w->threads))
			return fail(ps, k, "'%s' is not a thread count in 1..64", v);
		return 1;
	}
	if (!strcmp(k, "target_ms"))
		return time_key(ps, k, v, 1000, 1, &w->target_us);
	if (!strcmp(k, "target_us"))
		return time_key(ps, k, v, 1, 1, &w->target_us);
	if (!strcmp(k, "period_ms"))
		return time_key(ps, k, v, 1000, 0, &w->period_us);
	if (!strcmp(k, "accuracy_floor")) {
		if (parse_scaled(v, 100, DNNGOV_ACC_MAX, &x))
			return fail(ps, k, "'%s' is not a top-1 accuracy in percent (0..100)", v);
		w->accuracy_floor = (u32)x;
		return 1;
	}
	if (!strcmp(k, "input")) {
		if (!strcmp(v, "socket"))
			w->input = DNNGOV_INPUT_SOCKET;
		else if (!strcmp(v, "replay"))
			w->input = DNNGOV_INPUT_REPLAY;
		else
			return fail(ps, k, "'%s' is not an input (socket or replay)", v);
		return 1;
	}
	if (!strcmp(k, "replay"))
		return copy_path(ps, k, w->replay, sizeof(w->replay), v);
	if (!strcmp(k, "labels"))
		return copy_path(ps, k, w->labels, sizeof(w->labels), v);
	if (!strcmp(k, "replay_limit")) {
		if (parse_u32(v, 0, 100000000, &w->replay_limit))
			return fail(ps, k, "'%s' is not an image count", v);
		return 1;
	}
	if (!strcmp(k, "calibrate")) {
		if (!strcmp(v, "auto"))
			w->calibrate = DNNGOV_CALIB_AUTO;
		else if (!strcmp(v, "profile"))
			w->calibrate = DNNGOV_CALIB_PROFILE;
		else if (!strcmp(v, "measure"))
			w->calibrate = DNNGOV_CALIB_MEASURE;
		else
			return fail(ps, k, "'%s' is not auto, profile or measure", v);
		return 1;
	}
	return fail(ps, k, "unknown key in [workload %s] (known: model, domain, cpus, threads, target_ms, target_us, accuracy_floor, period_ms, input, replay, labels, replay_limit, calibrate)",
		    w->name);
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= DNNGOV_WORKLOAD_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return 0;
	return 1;
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct pstate *ps = user;

	if (ps->failed)
		return 0;
	if (ps->headers != ps->cur_header || strcmp(section, ps->cur_section)) {
		ps->cur_header = ps->headers;
		snprintf(ps->cur_section, sizeof(ps->cur_section), "%s", section);
		ps->cur = NULL;
		if (!strncmp(section, "workload", 8) &&
		    (section[8] == ' ' || section[8] == '\t')) {
			const char *n = section + 9;
			struct dnngov_cfg_workload *w;

			while (*n == ' ')
				n++;
			if (!valid_name(n))
				return fail(ps, NULL,
					    "[%s]: a workload name is 1..%d characters of A-Z a-z 0-9 - _ .",
					    section, DNNGOV_WORKLOAD_NAME_MAX - 1);
			if (dnngov_config_find(ps->cfg, n))
				return fail(ps, NULL, "[%s]: workload %s is declared twice",
					    section, n);
			if (ps->cfg->n_workloads >= DNNGOV_CFG_MAX_WORKLOADS)
				return fail(ps, NULL, "too many workloads (at most %d)",
					    DNNGOV_CFG_MAX_WORKLOADS);
			w = &ps->cfg->wl[ps->cfg->n_workloads++];
			memset(w, 0, sizeof(*w));
			snprintf(w->name, sizeof(w->name), "%s", n);
			snprintf(w->domain, sizeof(w->domain), "auto");
			w->threads = 1;
			w->line = ps->line;
			ps->cur = w;
		} else if (strcmp(section, "daemon")) {
			return fail(ps, NULL,
				    "unknown section [%s] (use [daemon] or [workload NAME])",
				    section);
		}
	}
	if (!name)
		return 1;	/* section header only (INI_CALL_HANDLER_ON_NEW_SECTION) */
	if (ps->cur)
		return workload_key(ps, name, value);
	return daemon_key(ps, name, value);
}

static int check_workloads(struct pstate *ps)
{
	u32 i;

	for (i = 0; i < ps->cfg->n_workloads; i++) {
		struct dnngov_cfg_workload *w = &ps->cfg->wl[i];
		const char *missing = NULL;

		ps->line = w->line;
		if (!w->model[0])
			missing = "model";
		else if (!w->target_us)
			missing = "target_ms";
		else if (w->input == DNNGOV_INPUT_REPLAY && !w->replay[0])
			missing = "replay";
		if (missing)
			return fail(ps, missing, "[workload %s] needs this key",
				    w->name);
		if (w->labels[0] && w->input != DNNGOV_INPUT_REPLAY)
			return fail(ps, "labels", "[workload %s]: labels need input = replay",
				    w->name);
	}
	return 1;
}

static int parse_file(FILE *f, const char *name, struct dnngov_cfg *cfg,
		      char *err, unsigned int err_len)
{
	struct pstate ps = {
		.f = f, .fname = name, .cfg = cfg, .err = err,
		.err_len = err_len,
	};
	int r;

	dnngov_config_defaults(cfg);
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	err[0] = '\0';
	r = ini_parse_stream(reader, &ps, handler, &ps);
	if (ps.failed)
		return -EINVAL;
	if (r > 0) {
		/* a syntax error inih found itself */
		snprintf(err, err_len,
			 "%s:%d: syntax error (expected [section] or key = value)",
			 name, r);
		return -EINVAL;
	}
	if (r < 0) {
		snprintf(err, err_len, "%s: cannot read (out of memory?)", name);
		return -EIO;
	}
	if (!check_workloads(&ps))
		return -EINVAL;
	return 0;
}

/* Relative file names in a config file are relative to its folder. */
static int resolve(const char *cfgpath, char *file, size_t len, const char *key,
		   const char *wl, char *err, unsigned int err_len)
{
	char tmp[DNNGOV_CFG_PATH_MAX];
	const char *slash = strrchr(cfgpath, '/');
	int n;

	if (!file[0] || file[0] == '/' || !slash)
		return 0;
	n = snprintf(tmp, sizeof(tmp), "%.*s/%s", (int)(slash - cfgpath),
		     cfgpath, file);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, err_len, "%s: [workload %s] key '%s': path too long once made relative to the config's folder",
			 cfgpath, wl, key);
		return -EINVAL;
	}
	memcpy(file, tmp, (size_t)n + 1);
	return 0;
}

int dnngov_config_load(const char *path, struct dnngov_cfg *cfg, char *err,
		       unsigned int err_len)
{
	FILE *f = fopen(path, "re");
	u32 i;
	int r;

	if (!f) {
		snprintf(err, err_len, "%s: cannot open: %s", path,
			 strerror(errno));
		return -ENOENT;
	}
	r = parse_file(f, path, cfg, err, err_len);
	fclose(f);
	if (!r)
		r = resolve(path, cfg->power_model, sizeof(cfg->power_model), "power_model",
			    "-", err, err_len);
	for (i = 0; !r && i < cfg->n_workloads; i++) {
		struct dnngov_cfg_workload *w = &cfg->wl[i];

		r = resolve(path, w->model, sizeof(w->model), "model", w->name, err, err_len);
		if (!r)
			r = resolve(path, w->replay, sizeof(w->replay), "replay", w->name, err, err_len);
		if (!r)
			r = resolve(path, w->labels, sizeof(w->labels), "labels", w->name, err, err_len);
	}
	return r;
}

int dnngov_config_parse_string(const char *text, const char *name,
			       struct dnngov_cfg *cfg, char *err,
			       unsigned int err_len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	if (!f) {
		snprintf(err, err_len, "%s: out of memory", name);
		return -ENOMEM;
	}
	r = parse_file(f, name, cfg, err, err_len);
	fclose(f);
	return r;
}

const struct dnngov_cfg_workload *
dnngov_config_find(const struct dnngov_cfg *cfg, const char *name)
{
	u32 i;

	for (i = 0; i < cfg->n_workloads; i++)
		if (!strcmp(cfg->wl[i].name, name))
			return &cfg->wl[i];
	return NULL;
}

bool dnngov_config_same_structure(const struct dnngov_cfg_workload *a,
				  const struct dnngov_cfg_workload *b)
{
	return !strcmp(a->model, b->model) && !strcmp(a->domain, b->domain) &&
	       a->cpu_mask == b->cpu_mask && a->threads == b->threads &&
	       a->input == b->input && !strcmp(a->replay, b->replay) &&
	       !strcmp(a->labels, b->labels) &&
	       a->replay_limit == b->replay_limit &&
	       a->calibrate == b->calibrate;
}
