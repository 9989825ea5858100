// SPDX-License-Identifier: MIT
/*
 * dnngovd: control requests (JSON over the socket, Documentation/protocol.md):
 *   {"cmd": "status"}                       daemon, workloads, domains
 *   {"cmd": "levels", "workload": W}        the level table of W
 *   {"cmd": "set", "workload": W, "target_ms": T, "accuracy_floor": A,
 *    "period_ms": P}                        live change (any subset)
 *   {"cmd": "domains"}                      frequency domains
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dnngovd.h"

#define ERRF(code, ...) (snprintf(err, err_len, __VA_ARGS__), (code))

static void add_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_dbl(json_object *o, const char *k, double v)
{
	json_object_object_add(o, k, json_object_new_double(v));
}

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static json_object *domains_json(struct daemon *d)
{
	struct dnngov_platform_domain dom[DNNGOV_PLATFORM_MAX_DOMAINS];
	json_object *a = json_object_new_array();
	u32 n = 0, i;

	if (d->plat.ops && d->plat.ops->list_domains &&
	    d->plat.ops->list_domains(&d->plat, dom, DNNGOV_PLATFORM_MAX_DOMAINS, &n))
		n = 0;
	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		add_str(o, "name", dom[i].name);
		add_int(o, "cur_khz", dom[i].cur_khz);
		add_int(o, "min_khz", dom[i].min_khz);
		add_int(o, "max_khz", dom[i].max_khz);
		add_int(o, "opps", dom[i].n_opps);
		add_str(o, "governor", dom[i].governor);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *workload_json(struct daemon *d, struct workload *w)
{
	struct dnngov_manager_stats st;
	json_object *o = json_object_new_object();

	if (dnngov_manager_stats(d->mgr, w->handle, &st))
		memset(&st, 0, sizeof(st));
	add_str(o, "name", w->cfg.name);
	add_str(o, "domain", w->domain[0] ? w->domain : "none");
	add_str(o, "model", w->cfg.model);
	add_str(o, "input", w->cfg.input == DNNGOV_INPUT_REPLAY ? "replay" : "socket");
	add_int(o, "level", st.level);
	add_str(o, "level_name", w->level_name[st.level < w->n_levels ? st.level : 0]);
	add_int(o, "levels", w->n_levels);
	add_int(o, "recommended", st.recommended == UINT32_MAX ? -1 : (int64_t)st.recommended);
	add_int(o, "floor_level", st.floor_level);
	add_int(o, "target_us", st.target_us);
	add_dbl(o, "accuracy_floor", st.accuracy_floor / 100.0);
	add_int(o, "period_us", st.period_us);
	add_int(o, "freq_khz", st.freq_khz);
	add_int(o, "decision_flags", st.decision_flags);
	add_int(o, "decisions", (int64_t)st.decisions);
	add_int(o, "inferences", (int64_t)st.inferences);
	add_int(o, "misses", (int64_t)st.misses);
	add_int(o, "service_target_us", st.service_target_us);
	add_int(o, "last_latency_us", st.last_latency_us);
	add_int(o, "mean_latency_us", st.mean_latency_us);
	add_dbl(o, "mean_level_accuracy",
		st.inferences ? st.accuracy_sum / 100.0 / (double)st.inferences : 0);
	add_int(o, "level_changes", (int64_t)st.level_changes);
	add_int(o, "latency_sum_us", (int64_t)w->latency_sum_us);
	add_int(o, "accuracy_sum", (int64_t)st.accuracy_sum);
	add_int(o, "labelled", (int64_t)w->labelled);
	add_int(o, "correct", (int64_t)w->correct);
	add_str(o, "latency_model", w->calib_how);
	return o;
}

static json_object *status_json(struct daemon *d)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	u32 i;

	add_str(o, "backend", d->plat.ops ? d->plat.ops->name : "none");
	add_str(o, "backend_note", d->plat_note);
	add_str(o, "config", d->cfg.path);
	add_dbl(o, "uptime_s", (double)(now_ns() - d->start_ns) / 1e9);
	for (i = 0; i < DNNGOV_CFG_MAX_WORKLOADS; i++)
		if (d->wl[i])
			json_object_array_add(a, workload_json(d, d->wl[i]));
	json_object_object_add(o, "workloads", a);
	json_object_object_add(o, "domains", domains_json(d));
	return o;
}

static json_object *levels_json(struct daemon *d, struct workload *w)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	struct dnngov_manager_stats st;
	u32 l;

	if (dnngov_manager_stats(d->mgr, w->handle, &st))
		memset(&st, 0, sizeof(st));
	add_str(o, "workload", w->cfg.name);
	add_str(o, "latency_model", w->calib_how);
	add_int(o, "freq_khz", st.freq_khz);
	for (l = 0; l < w->n_levels; l++) {
		json_object *e = json_object_new_object();

		add_int(e, "level", l);
		add_int(e, "model_level", w->eng_level[l]);
		add_str(e, "name", w->level_name[l]);
		add_dbl(e, "accuracy", w->levels[l].accuracy / 100.0);
		add_int(e, "resolution", w->level_res[l]);
		add_int(e, "cycles", (int64_t)w->levels[l].cycles);
		add_int(e, "fixed_us", w->levels[l].fixed_us);
		/* at the frequency last seen, else the manager's reference */
		add_int(e, "predicted_us", (int64_t)(w->levels[l].cycles * 1000 /
						     (st.freq_khz ? st.freq_khz : 1000000) +
						     w->levels[l].fixed_us));
		add_int(e, "in_use", l == st.level);
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "levels", a);
	return o;
}

/* A number field in @unit_scale units, or -1 if absent; -2 if invalid. */
static int64_t num_field(json_object *req, const char *k, double scale,
			 double max)
{
	json_object *v;
	double x;

	if (!json_object_object_get_ex(req, k, &v))
		return -1;
	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return -2;
	x = json_object_get_double(v) * scale;
	if (!isfinite(x) || x < 0 || x > max)
		return -2;
	return llround(x);
}

static int do_set(struct daemon *d, struct workload *w, json_object *req,
		  char *err, unsigned int err_len)
{
	struct dnngov_manager_stats st;
	int64_t t_ms = num_field(req, "target_ms", 1000, DNNGOV_TIME_US_MAX);
	int64_t t_us = num_field(req, "target_us", 1, DNNGOV_TIME_US_MAX);
	int64_t fl = num_field(req, "accuracy_floor", 100, DNNGOV_ACC_MAX);
	int64_t per = num_field(req, "period_ms", 1000, DNNGOV_TIME_US_MAX);
	u32 target, floor, period;
	int r;

	if (t_ms == -2 || t_us == -2)
		return ERRF(-EINVAL, "target_ms/target_us: a time in 0.001 .. %u ms",
			    DNNGOV_TIME_US_MAX / 1000);
	if (fl == -2)
		return ERRF(-EINVAL, "accuracy_floor: a top-1 accuracy in percent, 0..100");
	if (per == -2)
		return ERRF(-EINVAL, "period_ms: a time in 0 .. %u ms", DNNGOV_TIME_US_MAX / 1000);
	if (t_ms == -1 && t_us == -1 && fl == -1 && per == -1)
		return ERRF(-EINVAL, "set: give target_ms, accuracy_floor and/or period_ms");
	if (dnngov_manager_stats(d->mgr, w->handle, &st))
		return ERRF(-ENOENT, "workload %s is not running", w->cfg.name);
	target = t_us >= 0 ? (u32)t_us : t_ms >= 0 ? (u32)t_ms : st.target_us;
	floor = fl >= 0 ? (u32)fl : st.accuracy_floor;
	period = per >= 0 ? (u32)per : st.period_us;
	if (!target)
		return ERRF(-EINVAL, "target must be above 0");
	r = dnngov_manager_change(d->mgr, w->handle, target, floor, period);
	if (r)
		return ERRF(r, "%s", dnngov_manager_last_error(d->mgr));
	w->cfg.target_us = target;
	w->cfg.accuracy_floor = floor;
	w->cfg.period_us = period;	/* the replay pacing follows */
	logmsg("workload %s: target %u us, accuracy floor %.2f %%, period %u us (dnngovctl)",
	       w->cfg.name, target, floor / 100.0, period);
	return 0;
}

int control_handle(struct daemon *d, const char *text, uint32_t len,
		   char **reply, char *err, unsigned int err_len)
{
	json_tokener *tok = json_tokener_new();
	json_object *req, *cmdv, *wv, *out = NULL;
	struct workload *w = NULL;
	const char *cmd;
	int r = 0;

	*reply = NULL;
	if (!tok)
		return ERRF(-ENOMEM, "out of memory");
	req = json_tokener_parse_ex(tok, text, (int)len);
	if (!req || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(req, json_type_object)) {
		json_tokener_free(tok);
		json_object_put(req);
		return ERRF(-EINVAL, "control request is not a JSON object");
	}
	json_tokener_free(tok);
	if (!json_object_object_get_ex(req, "cmd", &cmdv) ||
	    !json_object_is_type(cmdv, json_type_string)) {
		json_object_put(req);
		return ERRF(-EINVAL, "control request has no \"cmd\" string");
	}
	cmd = json_object_get_string(cmdv);
	if (json_object_object_get_ex(req, "workload", &wv)) {
		const char *name = json_object_get_string(wv);

		w = name ? daemon_find(d, name) : NULL;
		if (!w) {
			r = ERRF(-ENOENT, "no workload %s (see dnngovctl status)",
				 name ? name : "?");
			goto out;
		}
	}

	pthread_mutex_lock(&d->lock);
	if (!strcmp(cmd, "status")) {
		out = status_json(d);
	} else if (!strcmp(cmd, "domains")) {
		out = json_object_new_object();
		add_str(out, "backend", d->plat.ops ? d->plat.ops->name : "none");
		json_object_object_add(out, "domains", domains_json(d));
	} else if (!strcmp(cmd, "levels") || !strcmp(cmd, "set")) {
		if (!w)
			r = ERRF(-EINVAL, "%s needs \"workload\"", cmd);
		else if (!strcmp(cmd, "levels"))
			out = levels_json(d, w);
		else if (!(r = do_set(d, w, req, err, err_len)))
			out = workload_json(d, w);
	} else {
		r = ERRF(-EINVAL, "unknown command \"%s\" (status, domains, levels, set)", cmd);
	}
	pthread_mutex_unlock(&d->lock);
out:
	json_object_put(req);
	if (r)
		return r;
	*reply = strdup(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
	json_object_put(out);
	if (!*reply)
		return ERRF(-ENOMEM, "out of memory");
	return 0;
}
