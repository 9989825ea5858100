// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Board description files (INI, parsed with Debian's libinih) and the power
 * model: per core P_busy = P_static(V) + C * V^2 * f, an idle core keeps a
 * share of both terms. Documentation/simulator.md gives the source of every
 * number in sim/boards/xavier-nx.ini.
 */
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

int sim_parse_double(const char *v, double lo, double hi, double *out)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || *end != '\0' || !isfinite(x) || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

int sim_parse_u32(const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long long x;

	if (*v == '-' || *v == '\0')
		return -1;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || *end != '\0' || x < lo || x > hi)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

struct board_ctx {
	struct sim_board *b;
	char *err;
	size_t errlen;
	int cur_dom;		/* index being filled, -1 outside [domain] */
	int cur_mode;
	char section[SIM_NAME_LEN * 2];
};

static int bad(struct board_ctx *c, const char *key, const char *what)
{
	snprintf(c->err, c->errlen, "[%s] key '%s': %s", c->section, key, what);
	return 0;	/* inih stops and returns the line number */
}

/*
 * "v1 v2 ..." of ascending frequencies in kHz. inih hands over an indented
 * continuation line as the same key again, so a repeated key appends.
 */
static int parse_opps(struct sim_domain *d, const char *v)
{
	char buf[1024], *tok, *save;
	uint32_t prev = d->n_opps ? d->opp_khz[d->n_opps - 1] : 0;

	if (strlen(v) >= sizeof(buf))
		return -1;
	strcpy(buf, v);
	for (tok = strtok_r(buf, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		uint32_t khz;

		if (d->n_opps >= SIM_MAX_OPPS || sim_parse_u32(tok, 1, 10000000, &khz) ||
		    khz <= prev)
			return -1;
		d->opp_khz[d->n_opps++] = khz;
		prev = khz;
	}
	return d->n_opps ? 0 : -1;
}

/* "kHz:V kHz:V ..." points of the voltage curve, ascending; appends too. */
static int parse_vcurve(struct sim_domain *d, const char *v)
{
	char buf[1024], *tok, *save;
	uint32_t prev = d->n_vpoints ? d->vcurve_khz[d->n_vpoints - 1] : 0;

	if (strlen(v) >= sizeof(buf))
		return -1;
	strcpy(buf, v);
	for (tok = strtok_r(buf, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		char *colon = strchr(tok, ':');
		uint32_t khz;
		double volt;

		if (!colon || d->n_vpoints >= SIM_MAX_VPOINTS)
			return -1;
		*colon = '\0';
		if (sim_parse_u32(tok, 1, 10000000, &khz) || khz <= prev ||
		    sim_parse_double(colon + 1, 0.3, 2.0, &volt))
			return -1;
		d->vcurve_khz[d->n_vpoints] = khz;
		d->vcurve_v[d->n_vpoints++] = volt;
		prev = khz;
	}
	return d->n_vpoints ? 0 : -1;
}

static int domain_key(struct board_ctx *c, struct sim_domain *d,
		      const char *name, const char *v)
{
	double x;
	uint32_t u;

	if (!strcmp(name, "type")) {
		if (!strcmp(v, "cpu"))
			d->kind = SIM_DOM_CPU;
		else if (!strcmp(v, "gpu"))
			d->kind = SIM_DOM_GPU;
		else
			return bad(c, name, "must be 'cpu' or 'gpu'");
	} else if (!strcmp(name, "cores")) {
		if (sim_parse_u32(v, 1, 64, &u))
			return bad(c, name, "must be an integer 1..64");
		d->cores = u;
	} else if (!strcmp(name, "opps_khz")) {
		if (parse_opps(d, v))
			return bad(c, name, "must list 1..64 ascending frequencies in kHz");
	} else if (!strcmp(name, "voltage_curve")) {
		if (parse_vcurve(d, v))
			return bad(c, name, "must list ascending kHz:volts points, volts 0.3..2.0");
	} else if (!strcmp(name, "cdyn_uw_per_mhz_v2")) {
		if (sim_parse_double(v, 0.001, 1e6, &x))
			return bad(c, name, "must be a number 0.001..1e6 (uW/MHz/V^2)");
		d->cdyn_uw = x;
	} else if (!strcmp(name, "static_mw")) {
		if (sim_parse_double(v, 0, 1e5, &x))
			return bad(c, name, "must be a number 0..1e5 (mW)");
		d->static_mw = x;
	} else if (!strcmp(name, "idle_static_frac") || !strcmp(name, "idle_dyn_frac")) {
		if (sim_parse_double(v, 0, 1, &x))
			return bad(c, name, "must be a fraction 0..1");
		if (name[5] == 's')
			d->idle_static_frac = x;
		else
			d->idle_dyn_frac = x;
	} else if (!strcmp(name, "transition_us")) {
		double a, bb;
		char *dash = strchr(v, '-');
		char tmp[64];

		if (strlen(v) >= sizeof(tmp))
			return bad(c, name, "must be 'MIN-MAX' or 'US' in microseconds");
		strcpy(tmp, v);
		if (dash) {
			tmp[dash - v] = '\0';
			if (sim_parse_double(tmp, 0, 1e6, &a) ||
			    sim_parse_double(tmp + (dash - v) + 1, 0, 1e6, &bb) || bb < a)
				return bad(c, name, "must be 'MIN-MAX' or 'US' in microseconds");
		} else {
			if (sim_parse_double(tmp, 0, 1e6, &a))
				return bad(c, name, "must be 'MIN-MAX' or 'US' in microseconds");
			bb = a;
		}
		d->transition_min_us = a;
		d->transition_max_us = bb;
	} else if (!strcmp(name, "platform_name")) {
		snprintf(d->platform_name, sizeof(d->platform_name), "%s", v);
	} else if (!strcmp(name, "rail")) {
		snprintf(d->rail, sizeof(d->rail), "%s", v);
	} else {
		return bad(c, name, "unknown key in a [domain] section");
	}
	return 1;
}

static int mode_key(struct board_ctx *c, struct sim_mode *m, const char *name,
		    const char *v)
{
	uint32_t u;
	uint32_t *dst = NULL;

	if (!strcmp(name, "cpu_min_khz"))
		dst = &m->cpu_min_khz;
	else if (!strcmp(name, "cpu_max_khz"))
		dst = &m->cpu_max_khz;
	else if (!strcmp(name, "gpu_min_khz"))
		dst = &m->gpu_min_khz;
	else if (!strcmp(name, "gpu_max_khz"))
		dst = &m->gpu_max_khz;
	if (dst) {
		if (sim_parse_u32(v, 0, 10000000, &u))
			return bad(c, name, "must be a frequency in kHz");
		*dst = u;
		return 1;
	}
	if (!strcmp(name, "cpu_online")) {
		if (sim_parse_u32(v, 1, 64, &u))
			return bad(c, name, "must be a core count 1..64");
		m->cpu_online = u;
		return 1;
	}
	return bad(c, name, "unknown key in a [mode] section");
}

static int board_key(struct board_ctx *c, const char *name, const char *v)
{
	struct sim_board *b = c->b;
	double x;
	uint32_t u;

	if (!strcmp(name, "name")) {
		snprintf(b->name, sizeof(b->name), "%s", v);
	} else if (!strcmp(name, "base_w")) {
		if (sim_parse_double(v, 0, 1000, &x))
			return bad(c, name, "must be a power in W, 0..1000");
		b->base_w = x;
	} else if (!strcmp(name, "default_mode")) {
		snprintf(b->default_mode, sizeof(b->default_mode), "%s", v);
	} else if (!strcmp(name, "cpu_compute_frac") || !strcmp(name, "gpu_compute_frac")) {
		if (sim_parse_double(v, 0, 1, &x))
			return bad(c, name, "must be a fraction 0..1");
		b->compute_frac[name[0] == 'g'] = x;
	} else if (!strcmp(name, "cpu_ref_khz") || !strcmp(name, "gpu_ref_khz")) {
		if (sim_parse_u32(v, 1, 10000000, &u))
			return bad(c, name, "must be a frequency in kHz");
		b->ref_khz[name[0] == 'g'] = u;
	} else {
		return bad(c, name, "unknown key in [board]");
	}
	return 1;
}

static int board_handler(void *user, const char *section, const char *name,
			 const char *value)
{
	struct board_ctx *c = user;
	struct sim_board *b = c->b;

	if (strcmp(section, c->section)) {
		/* A new section starts. */
		snprintf(c->section, sizeof(c->section), "%s", section);
		c->cur_dom = -1;
		c->cur_mode = -1;
		if (!strncmp(section, "domain ", 7)) {
			if (b->n_domains >= SIM_MAX_DOMAINS)
				return bad(c, name, "too many [domain] sections (max 8)");
			if (sim_board_find_domain(b, section + 7) >= 0)
				return bad(c, name, "duplicate domain name");
			c->cur_dom = (int)b->n_domains++;
			snprintf(b->dom[c->cur_dom].name, SIM_NAME_LEN, "%s", section + 7);
			b->dom[c->cur_dom].cores = 1;
			b->dom[c->cur_dom].idle_static_frac = 1.0;
		} else if (!strncmp(section, "mode ", 5)) {
			if (b->n_modes >= SIM_MAX_MODES)
				return bad(c, name, "too many [mode] sections (max 16)");
			c->cur_mode = (int)b->n_modes++;
			snprintf(b->mode[c->cur_mode].name, SIM_NAME_LEN, "%s", section + 5);
		} else if (strcmp(section, "board")) {
			return bad(c, name, "unknown section (want [board], [domain NAME], [mode NAME])");
		}
	}
	if (c->cur_dom >= 0)
		return domain_key(c, &b->dom[c->cur_dom], name, value);
	if (c->cur_mode >= 0)
		return mode_key(c, &b->mode[c->cur_mode], name, value);
	return board_key(c, name, value);
}

static char *trim(char *x)
{
	char *end;

	while (*x == ' ' || *x == '\t')
		x++;
	end = x + strlen(x);
	while (end > x && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return x;
}

int sim_ini_locate(const char *path, const char *msg)
{
	char section[128] = "", key[64] = "", cur[128] = "", line[1024];
	const char *a, *z;
	int n = 0, sec_line = 0, key_line = 0;
	FILE *f;

	a = strchr(msg, '[');
	z = a ? strchr(a, ']') : NULL;
	if (!a || !z || (size_t)(z - a - 1) >= sizeof(section))
		return 0;
	memcpy(section, a + 1, (size_t)(z - a - 1));
	section[z - a - 1] = '\0';
	a = strstr(z, "key '");
	if (!a)
		a = strstr(z, "keys '");
	if (a) {
		a = strchr(a, '\'') + 1;
		z = strchr(a, '\'');
		if (z && (size_t)(z - a) < sizeof(key)) {
			memcpy(key, a, (size_t)(z - a));
			key[z - a] = '\0';
		}
	}
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *t = trim(line), *eq;

		n++;
		if (*t == '[') {
			char *close = strchr(t, ']');

			if (close) {
				*close = '\0';
				snprintf(cur, sizeof(cur), "%s", trim(t + 1));
				if (!sec_line && !strcmp(cur, section))
					sec_line = n;
			}
			continue;
		}
		eq = strchr(t, '=');
		if (eq && key[0] && !key_line && !strcmp(cur, section)) {
			*eq = '\0';
			if (!strcmp(trim(t), key))
				key_line = n;
		}
	}
	fclose(f);
	return key_line ? key_line : sec_line;
}

double sim_volt_at(const struct sim_domain *d, uint32_t khz)
{
	unsigned int i;

	if (khz <= d->vcurve_khz[0])
		return d->vcurve_v[0];
	for (i = 1; i < d->n_vpoints; i++) {
		if (khz <= d->vcurve_khz[i]) {
			double f0 = d->vcurve_khz[i - 1], f1 = d->vcurve_khz[i];

			return d->vcurve_v[i - 1] + (d->vcurve_v[i] - d->vcurve_v[i - 1]) *
				(khz - f0) / (f1 - f0);
		}
	}
	return d->vcurve_v[d->n_vpoints - 1];
}

/* Leakage scales linearly with voltage from its value at the top OPP. */
double sim_core_power_w(const struct sim_domain *d, unsigned int opp, double busy)
{
	double v = d->volt[opp], vtop = d->volt[d->n_opps - 1];
	double stat = d->static_mw * 1e-3 * v / vtop;
	double dyn = d->cdyn_uw * 1e-6 * v * v * (d->opp_khz[opp] / 1000.0);
	double idle = d->idle_static_frac * stat + d->idle_dyn_frac * dyn;

	return idle + busy * (stat + dyn - idle);
}

unsigned int sim_opp_index(const struct sim_domain *d, uint32_t khz)
{
	unsigned int i;

	for (i = 0; i < d->n_opps; i++)
		if (d->opp_khz[i] == khz)
			return i;
	return sim_opp_ceil(d, khz);
}

unsigned int sim_opp_ceil(const struct sim_domain *d, uint32_t khz)
{
	unsigned int i;

	for (i = 0; i < d->n_opps; i++)
		if (d->opp_khz[i] >= khz)
			return i;
	return d->n_opps - 1;
}

int sim_board_find_domain(const struct sim_board *b, const char *name)
{
	unsigned int i;

	for (i = 0; i < b->n_domains; i++)
		if (!strcmp(b->dom[i].name, name))
			return (int)i;
	return -1;
}

const struct sim_mode *sim_board_find_mode(const struct sim_board *b, const char *name)
{
	unsigned int i;

	for (i = 0; i < b->n_modes; i++)
		if (!strcmp(b->mode[i].name, name))
			return &b->mode[i];
	return NULL;
}

void sim_board_scale_power(struct sim_board *b, double factor)
{
	unsigned int i;

	for (i = 0; i < b->n_domains; i++)
		b->dom[i].cdyn_uw *= factor;
}

static int board_validate(struct sim_board *b, char *err, size_t errlen)
{
	unsigned int i;

	if (!b->name[0])
		return snprintf(err, errlen, "[board] key 'name': missing"), -1;
	if (!b->n_domains)
		return snprintf(err, errlen, "no [domain NAME] section"), -1;
	for (i = 0; i < 2; i++)
		if (!b->ref_khz[i] || b->compute_frac[i] <= 0)
			return snprintf(err, errlen, "[board] keys '%s_ref_khz' and '%s_compute_frac' are required",
					i ? "gpu" : "cpu", i ? "gpu" : "cpu"), -1;
	for (i = 0; i < b->n_domains; i++) {
		struct sim_domain *d = &b->dom[i];
		unsigned int j;

		if (!d->n_opps)
			return snprintf(err, errlen, "[domain %s] key 'opps_khz': missing", d->name), -1;
		if (!d->n_vpoints)
			return snprintf(err, errlen, "[domain %s] key 'voltage_curve': missing", d->name), -1;
		if (d->cdyn_uw <= 0)
			return snprintf(err, errlen, "[domain %s] key 'cdyn_uw_per_mhz_v2': missing", d->name), -1;
		for (j = 0; j < d->n_opps; j++)
			d->volt[j] = sim_volt_at(d, d->opp_khz[j]);
		if (!d->platform_name[0])
			snprintf(d->platform_name, sizeof(d->platform_name), "%s", d->name);
	}
	for (i = 0; i < b->n_modes; i++) {
		struct sim_mode *m = &b->mode[i];

		const char *miss = !m->cpu_online ? "cpu_online" : !m->cpu_max_khz ? "cpu_max_khz" :
				   !m->gpu_max_khz ? "gpu_max_khz" : NULL;

		if (miss)
			return snprintf(err, errlen, "[mode %s] key '%s': missing", m->name, miss), -1;
		if (m->cpu_min_khz > m->cpu_max_khz || m->gpu_min_khz > m->gpu_max_khz)
			return snprintf(err, errlen, "[mode %s] key 'cpu_min_khz'/'gpu_min_khz': above the maximum", m->name), -1;
	}
	if (b->default_mode[0] && !sim_board_find_mode(b, b->default_mode))
		return snprintf(err, errlen, "[board] key 'default_mode': no [mode %s] section", b->default_mode), -1;
	return 0;
}

int sim_board_load(struct sim_board *b, const char *path, char *err, size_t errlen)
{
	struct board_ctx c = { .b = b, .err = err, .errlen = errlen, .cur_dom = -1, .cur_mode = -1 };
	char msg[SIM_ERR_LEN] = "";
	int rc;

	memset(b, 0, sizeof(*b));
	snprintf(b->path, sizeof(b->path), "%s", path);
	c.err = msg;
	c.errlen = sizeof(msg);
	rc = ini_parse(path, board_handler, &c);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot open board file", path);
		return -1;
	}
	if (rc > 0) {
		snprintf(err, errlen, "%s:%d: %s", path, rc, msg[0] ? msg : "syntax error (want 'key = value' or '[section]')");
		return -1;
	}
	if (board_validate(b, msg, sizeof(msg))) {
		rc = sim_ini_locate(path, msg);
		if (rc > 0)
			snprintf(err, errlen, "%s:%d: %s", path, rc, msg);
		else
			snprintf(err, errlen, "%s: %s", path, msg);
		return -1;
	}
	return 0;
}
