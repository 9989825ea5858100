// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Scenario files (INI via libinih): the workloads, their latency targets and
 * arrivals, and timed events (target changes, co-runners, caps, mode
 * switches). Errors name the file, the line (where inih knows it) and the key.
 */
#include <ini.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct sc_ctx {
	struct sim_scenario *sc;
	char msg[SIM_ERR_LEN];
	char section[SIM_NAME_LEN * 2];
	int wl, ev;
	char ev_action[SIM_MAX_EVENTS][16];
};

static int bad(struct sc_ctx *c, const char *key, const char *what)
{
	snprintf(c->msg, sizeof(c->msg), "[%s] key '%s': %s", c->section, key, what);
	return 0;
}

#define NUM(lo, hi, dst, what) do {					\
		double _x;						\
		if (sim_parse_double(value, lo, hi, &_x))		\
			return bad(c, name, what);			\
		dst = _x;						\
	} while (0)

static int scenario_key(struct sc_ctx *c, const char *name, const char *value)
{
	struct sim_scenario *sc = c->sc;

	if (!strcmp(name, "name")) {
		snprintf(sc->name, sizeof(sc->name), "%s", value);
	} else if (!strcmp(name, "description")) {
		snprintf(sc->description, sizeof(sc->description), "%s", value);
	} else if (!strcmp(name, "library")) {
		snprintf(sc->library, sizeof(sc->library), "%s", value);
	} else if (!strcmp(name, "mode")) {
		snprintf(sc->mode, sizeof(sc->mode), "%s", value);
	} else if (!strcmp(name, "duration_s")) {
		NUM(0.1, 3600, sc->duration_s, "must be seconds, 0.1..3600");
	} else if (!strcmp(name, "jitter")) {
		NUM(0, 0.5, sc->jitter, "must be a fraction 0..0.5");
	} else if (!strcmp(name, "seed")) {
		char *end;

		sc->seed = strtoull(value, &end, 0);
		if (*end || !*value)
			return bad(c, name, "must be an unsigned integer");
	} else {
		return bad(c, name, "unknown key in [scenario]");
	}
	return 1;
}

static int workload_key(struct sc_ctx *c, struct sim_wl_spec *w, const char *name,
			const char *value)
{
	uint32_t u;

	if (!strcmp(name, "domain")) {
		snprintf(w->domain, sizeof(w->domain), "%s", value);
	} else if (!strcmp(name, "target_ms")) {
		NUM(0.1, 60000, w->target_ms, "must be milliseconds, 0.1..60000");
	} else if (!strcmp(name, "accuracy_floor")) {
		NUM(0, 100, w->floor_pct, "must be a top-1 percentage 0..100");
	} else if (!strcmp(name, "arrival")) {
		if (!strcmp(value, "back-to-back"))
			w->arrival = SIM_ARR_BACK_TO_BACK;
		else if (!strcmp(value, "periodic"))
			w->arrival = SIM_ARR_PERIODIC;
		else if (!strcmp(value, "burst"))
			w->arrival = SIM_ARR_BURST;
		else
			return bad(c, name, "must be back-to-back, periodic or burst");
	} else if (!strcmp(name, "period_ms")) {
		NUM(0.1, 60000, w->period_ms, "must be milliseconds, 0.1..60000");
	} else if (!strcmp(name, "burst_n")) {
		if (sim_parse_u32(value, 1, 64, &u))
			return bad(c, name, "must be an integer 1..64");
		w->burst_n = u;
	} else if (!strcmp(name, "start_level")) {
		if (sim_parse_u32(value, 1, SIM_MAX_LEVELS, &u))
			return bad(c, name, "must be a 1-based level 1..16");
		w->start_level = u;
	} else if (!strcmp(name, "start_s")) {
		NUM(0, 3600, w->start_s, "must be seconds, 0..3600");
	} else if (!strcmp(name, "stop_s")) {
		NUM(0, 3600, w->stop_s, "must be seconds, 0..3600");
	} else {
		return bad(c, name, "unknown key in a [workload] section");
	}
	return 1;
}

static int event_key(struct sc_ctx *c, struct sim_event_spec *e, const char *name,
		     const char *value)
{
	uint32_t u;

	if (!strcmp(name, "at_s")) {
		NUM(0, 3600, e->at_s, "must be seconds, 0..3600");
	} else if (!strcmp(name, "action")) {
		if (!strcmp(value, "target"))
			e->kind = SIM_EV_TARGET;
		else if (!strcmp(value, "corunner"))
			e->kind = SIM_EV_CORUNNER;
		else if (!strcmp(value, "limit"))
			e->kind = SIM_EV_LIMIT;
		else if (!strcmp(value, "mode"))
			e->kind = SIM_EV_MODE;
		else
			return bad(c, name, "must be target, corunner, limit or mode");
		snprintf(c->ev_action[c->ev], sizeof(c->ev_action[0]), "%s", value);
	} else if (!strcmp(name, "workload")) {
		snprintf(e->workload, sizeof(e->workload), "%s", value);
	} else if (!strcmp(name, "domain")) {
		snprintf(e->domain, sizeof(e->domain), "%s", value);
	} else if (!strcmp(name, "mode")) {
		snprintf(e->mode, sizeof(e->mode), "%s", value);
	} else if (!strcmp(name, "target_ms")) {
		NUM(0.1, 60000, e->target_ms, "must be milliseconds, 0.1..60000");
	} else if (!strcmp(name, "load")) {
		NUM(0, 64, e->share, "must be a load in cores (GPU: share of the GPU), 0..64");
	} else if (!strcmp(name, "max_khz")) {
		if (sim_parse_u32(value, 0, 10000000, &u))
			return bad(c, name, "must be a frequency in kHz (0 = the mode's cap)");
		e->max_khz = u;
	} else {
		return bad(c, name, "unknown key in an [event] section");
	}
	return 1;
}

static int sc_handler(void *user, const char *section, const char *name, const char *value)
{
	struct sc_ctx *c = user;
	struct sim_scenario *sc = c->sc;

	if (strcmp(section, c->section)) {
		unsigned int i;

		snprintf(c->section, sizeof(c->section), "%s", section);
		c->wl = c->ev = -1;
		if (!strncmp(section, "workload ", 9)) {
			if (sc->n_wl >= SIM_MAX_WORKLOADS)
				return bad(c, name, "too many [workload] sections (max 4)");
			for (i = 0; i < sc->n_wl; i++)
				if (!strcmp(sc->wl[i].name, section + 9))
					return bad(c, name, "duplicate workload name");
			c->wl = (int)sc->n_wl++;
			snprintf(sc->wl[c->wl].name, SIM_NAME_LEN, "%s", section + 9);
			sc->wl[c->wl].start_level = 1;
			sc->wl[c->wl].burst_n = 1;
		} else if (!strncmp(section, "event ", 6)) {
			if (sc->n_ev >= SIM_MAX_EVENTS)
				return bad(c, name, "too many [event] sections (max 64)");
			c->ev = (int)sc->n_ev++;
			sc->ev[c->ev].at_s = -1;
			snprintf(sc->ev[c->ev].name, SIM_NAME_LEN, "%s", section + 6);
		} else if (strcmp(section, "scenario")) {
			return bad(c, name, "unknown section (want [scenario], [workload NAME], [event NAME])");
		}
	} else if (!strncmp(section, "workload ", 9)) {
		c->wl = (int)sc->n_wl - 1;
	} else if (!strncmp(section, "event ", 6)) {
		c->ev = (int)sc->n_ev - 1;
	}
	if (c->wl >= 0)
		return workload_key(c, &sc->wl[c->wl], name, value);
	if (c->ev >= 0)
		return event_key(c, &sc->ev[c->ev], name, value);
	return scenario_key(c, name, value);
}

static int find_wl(const struct sim_scenario *sc, const char *name)
{
	unsigned int i;

	for (i = 0; i < sc->n_wl; i++)
		if (!strcmp(sc->wl[i].name, name))
			return (int)i;
	return -1;
}

static int validate(struct sc_ctx *c, const struct sim_board *b)
{
	struct sim_scenario *sc = c->sc;
	char *m = c->msg;
	size_t ml = sizeof(c->msg);
	unsigned int i;

	if (!sc->name[0])
		return snprintf(m, ml, "[scenario] key 'name': missing"), -1;
	if (sc->duration_s <= 0)
		return snprintf(m, ml, "[scenario] key 'duration_s': missing"), -1;
	if (!sc->library[0])
		snprintf(sc->library, sizeof(sc->library), "nets_6");
	if (!sc->mode[0])
		snprintf(sc->mode, sizeof(sc->mode), "%s", b->default_mode);
	if (sc->mode[0] && !sim_board_find_mode(b, sc->mode))
		return snprintf(m, ml, "[scenario] key 'mode': board '%s' has no mode '%s'", b->name, sc->mode), -1;
	if (!sc->n_wl)
		return snprintf(m, ml, "no [workload NAME] section"), -1;
	for (i = 0; i < sc->n_wl; i++) {
		struct sim_wl_spec *w = &sc->wl[i];

		if (sim_board_find_domain(b, w->domain) < 0)
			return snprintf(m, ml, "[workload %s] key 'domain': board '%s' has no domain '%s'",
					w->name, b->name, w->domain), -1;
		if (w->target_ms <= 0)
			return snprintf(m, ml, "[workload %s] key 'target_ms': missing", w->name), -1;
		if (w->arrival != SIM_ARR_BACK_TO_BACK && w->period_ms <= 0)
			return snprintf(m, ml, "[workload %s] key 'period_ms': required for periodic and burst arrivals",
					w->name), -1;
		if (w->stop_s && w->stop_s <= w->start_s)
			return snprintf(m, ml, "[workload %s] key 'stop_s': must be after start_s", w->name), -1;
	}
	for (i = 0; i < sc->n_ev; i++) {
		struct sim_event_spec *e = &sc->ev[i];
		const char *act = c->ev_action[i];

		if (e->at_s < 0)
			return snprintf(m, ml, "[event %s] key 'at_s': missing", e->name), -1;
		if (!act[0])
			return snprintf(m, ml, "[event %s] key 'action': missing", e->name), -1;
		if (e->kind == SIM_EV_TARGET && (find_wl(sc, e->workload) < 0 || e->target_ms <= 0))
			return snprintf(m, ml, "[event %s] keys 'workload' and 'target_ms': action 'target' needs an existing workload and a target",
					e->name), -1;
		if ((e->kind == SIM_EV_CORUNNER || e->kind == SIM_EV_LIMIT) &&
		    sim_board_find_domain(b, e->domain) < 0)
			return snprintf(m, ml, "[event %s] key 'domain': board '%s' has no domain '%s'",
					e->name, b->name, e->domain), -1;
		if (e->kind == SIM_EV_MODE && !sim_board_find_mode(b, e->mode))
			return snprintf(m, ml, "[event %s] key 'mode': board '%s' has no mode '%s'",
					e->name, b->name, e->mode), -1;
		if (i && e->at_s < sc->ev[i - 1].at_s)
			return snprintf(m, ml, "[event %s] key 'at_s': events must be in time order", e->name), -1;
	}
	return 0;
}

int sim_scenario_load(struct sim_scenario *sc, const struct sim_board *b,
		      const char *path, char *err, size_t errlen)
{
	struct sc_ctx *c = calloc(1, sizeof(*c));
	int line, rc = -1;

	if (!c) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	memset(sc, 0, sizeof(*sc));
	sc->seed = 1;
	sc->jitter = 0.03;
	snprintf(sc->path, sizeof(sc->path), "%s", path);
	c->sc = sc;
	c->wl = c->ev = -1;
	line = ini_parse(path, sc_handler, c);
	if (line < 0)
		snprintf(err, errlen, "%s: cannot open scenario file", path);
	else if (line > 0)
		snprintf(err, errlen, "%s:%d: %s", path, line,
			 c->msg[0] ? c->msg : "syntax error (want 'key = value' or '[section]')");
	else if (validate(c, b) && (line = sim_ini_locate(path, c->msg)) > 0)
		snprintf(err, errlen, "%s:%d: %s", path, line, c->msg);
	else if (c->msg[0])
		snprintf(err, errlen, "%s: %s", path, c->msg);
	else
		rc = 0;
	free(c);
	return rc;
}
