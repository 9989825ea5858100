// SPDX-License-Identifier: MIT
/*
 * dnngovctl: look at and steer dnngovd (Documentation/dnngovctl.md).
 *
 *   dnngovctl [-s SOCKET] [--json] status
 *   dnngovctl [-s SOCKET] levels WORKLOAD
 *   dnngovctl [-s SOCKET] set WORKLOAD [target MS] [floor PCT] [period MS]
 *   dnngovctl [-s SOCKET] [--json] domains
 *   dnngovctl [-s SOCKET] top [-d SECONDS] [-n COUNT]
 *   dnngovctl help
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include <dnngov/dnngov.h>

#include "platform.h"

static const char *sock_path;
static int json_out;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: dnngovctl [-s SOCKET] [--json] COMMAND [ARGS]\n"
		"\n"
		"Commands:\n"
		"  status                       workloads (level, frequency, latency, misses,\n"
		"                               accuracy) and domains\n"
		"  levels WORKLOAD              the level table of a workload\n"
		"  set WORKLOAD [target MS] [floor PCT] [period MS]\n"
		"                               change a workload's latency target, accuracy\n"
		"                               floor (top-1 %%) or period live\n"
		"  domains                      frequency domains (from dnngovd, or from\n"
		"                               dnngov.ko when dnngovd is not running)\n"
		"  top [-d SECONDS] [-n COUNT]  live view; prints once when not on a terminal\n"
		"  help                         this text\n"
		"\n"
		"Options:\n"
		"  -s SOCKET   dnngovd's socket (default %s)\n"
		"  --json      machine-readable output (status, levels, domains, set)\n",
		DNNGOV_CLIENT_DEFAULT_SOCKET);
}

static int request(const char *req, json_object **out)
{
	dnngov_client *c;
	char *reply;
	int err;

	*out = NULL;
	err = dnngov_client_connect(&c, sock_path);
	if (!err) {
		err = dnngov_client_control(c, req, &reply);
		dnngov_client_close(c);
	}
	if (err) {
		fprintf(stderr, "dnngovctl: %s\n", dnngov_errmsg());
		return err;
	}
	*out = json_tokener_parse(reply);
	free(reply);
	if (!*out) {
		fprintf(stderr, "dnngovctl: dnngovd sent a reply that is not JSON\n");
		return -EPROTO;
	}
	return 0;
}

static int64_t geti(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static double getd(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_double(v) : 0;
}

static const char *gets_(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static json_object *geta(json_object *o, const char *k)
{
	json_object *v;

	if (json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_array))
		return v;
	return NULL;
}

static void print_json(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_SPACED));
}

static void fmt_khz(char *b, size_t n, int64_t khz)
{
	if (!khz)
		snprintf(b, n, "-");
	else if (khz >= 1000000)
		snprintf(b, n, "%.2f GHz", khz / 1e6);
	else
		snprintf(b, n, "%.0f MHz", khz / 1e3);
}

static void print_domains(json_object *a)
{
	size_t i;

	for (i = 0; a && i < json_object_array_length(a); i++) {
		json_object *d = json_object_array_get_idx(a, i);
		char cur[32], lo[32], hi[32];

		fmt_khz(cur, sizeof(cur), geti(d, "cur_khz"));
		fmt_khz(lo, sizeof(lo), geti(d, "min_khz"));
		fmt_khz(hi, sizeof(hi), geti(d, "max_khz"));
		printf("domain %s\n  governor %s, %s (limits %s .. %s, %lld OPPs)\n",
		       gets_(d, "name"), gets_(d, "governor"), cur, lo, hi,
		       (long long)geti(d, "opps"));
	}
}

static void print_workload(json_object *w)
{
	int64_t inf = geti(w, "inferences"), miss = geti(w, "misses");
	int64_t lab = geti(w, "labelled"), rec = geti(w, "recommended");
	char f[32];

	fmt_khz(f, sizeof(f), geti(w, "freq_khz"));
	printf("workload %s\n", gets_(w, "name"));
	printf("  input %s, domain %s, frequency %s\n", gets_(w, "input"),
	       gets_(w, "domain"), f);
	printf("  level %lld/%lld (%s)", (long long)geti(w, "level"),
	       (long long)geti(w, "levels") - 1, gets_(w, "level_name"));
	if (rec >= 0)
		printf(", recommended %lld", (long long)rec);
	printf(", floor level %lld\n", (long long)geti(w, "floor_level"));
	printf("  target %.3f ms, accuracy floor %.2f %%, period %.3f ms\n",
	       geti(w, "target_us") / 1000.0, getd(w, "accuracy_floor"),
	       geti(w, "period_us") / 1000.0);
	printf("  latency last %.3f ms, mean %.3f ms\n",
	       geti(w, "last_latency_us") / 1000.0,
	       geti(w, "mean_latency_us") / 1000.0);
	printf("  inferences %lld, misses %lld (%.1f %%), level changes %lld\n",
	       (long long)inf, (long long)miss, inf ? 100.0 * miss / inf : 0.0,
	       (long long)geti(w, "level_changes"));
	printf("  accuracy of the levels used %.2f %%", getd(w, "mean_level_accuracy"));
	if (lab)
		printf(", measured online %.2f %% (%lld labelled)",
		       100.0 * geti(w, "correct") / lab, (long long)lab);
	printf("\n  latency model: %s\n", gets_(w, "latency_model"));
}

static int cmd_status(void)
{
	json_object *o, *a;
	size_t i;

	if (request("{\"cmd\":\"status\"}", &o))
		return 1;
	if (json_out) {
		print_json(o);
	} else {
		printf("backend %s", gets_(o, "backend"));
		if (gets_(o, "backend_note")[0])
			printf(" (not used: %s)", gets_(o, "backend_note"));
		printf(", up %.0f s, config %s\n", getd(o, "uptime_s"), gets_(o, "config"));
		a = geta(o, "workloads");
		for (i = 0; a && i < json_object_array_length(a); i++)
			print_workload(json_object_array_get_idx(a, i));
		print_domains(geta(o, "domains"));
	}
	json_object_put(o);
	return 0;
}

static int cmd_levels(const char *wl)
{
	json_object *o, *a, *req = json_object_new_object();
	size_t i;
	int r;

	json_object_object_add(req, "cmd", json_object_new_string("levels"));
	json_object_object_add(req, "workload", json_object_new_string(wl));
	r = request(json_object_to_json_string(req), &o);
	json_object_put(req);
	if (r)
		return 1;
	if (json_out) {
		print_json(o);
		json_object_put(o);
		return 0;
	}
	printf("workload %s, latency model: %s\n", gets_(o, "workload"),
	       gets_(o, "latency_model"));
	printf("  %-5s %-5s %-12s %8s %5s %14s %9s %10s\n", "level", "model", "name",
	       "accuracy", "res", "cycles", "fixed_us", "predicted");
	a = geta(o, "levels");
	for (i = 0; a && i < json_object_array_length(a); i++) {
		json_object *l = json_object_array_get_idx(a, i);
		char pred[32] = "-";

		if (json_object_object_get_ex(l, "predicted_us", NULL))
			snprintf(pred, sizeof(pred), "%.3f ms", geti(l, "predicted_us") / 1000.0);
		printf("%s %-5lld %-5lld %-12s %7.2f%% %5lld %14lld %9lld %10s\n",
		       geti(l, "in_use") ? "*" : " ", (long long)geti(l, "level"),
		       (long long)geti(l, "model_level"), gets_(l, "name"),
		       getd(l, "accuracy"), (long long)geti(l, "resolution"),
		       (long long)geti(l, "cycles"), (long long)geti(l, "fixed_us"), pred);
	}
	json_object_put(o);
	return 0;
}

static int number(const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || *out < lo || *out > hi ? -1 : 0;
}

static int cmd_set(int argc, char **argv)
{
	json_object *req, *o;
	int i, r;

	if (argc < 3 || argc % 2 == 0) {
		fprintf(stderr, "Usage: dnngovctl set WORKLOAD [target MS] [floor PCT] [period MS]\n");
		return 2;
	}
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("set"));
	json_object_object_add(req, "workload", json_object_new_string(argv[0]));
	for (i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i];
		double v;

		if (!strcmp(k, "target") && !number(argv[i + 1], 0.001, 60000, &v)) {
			json_object_object_add(req, "target_ms", json_object_new_double(v));
		} else if (!strcmp(k, "floor") && !number(argv[i + 1], 0, 100, &v)) {
			json_object_object_add(req, "accuracy_floor", json_object_new_double(v));
		} else if (!strcmp(k, "period") && !number(argv[i + 1], 0, 60000, &v)) {
			json_object_object_add(req, "period_ms", json_object_new_double(v));
		} else {
			fprintf(stderr, "dnngovctl: set: '%s %s': use target MS (0.001..60000), floor PCT (0..100) or period MS (0..60000)\n",
				k, argv[i + 1]);
			json_object_put(req);
			return 2;
		}
	}
	r = request(json_object_to_json_string(req), &o);
	json_object_put(req);
	if (r)
		return 1;
	if (json_out)
		print_json(o);
	else
		print_workload(o);
	json_object_put(o);
	return 0;
}

/* Domains from dnngovd, or straight from dnngov.ko without it. */
static int cmd_domains(void)
{
	struct dnngov_platform p;
	struct dnngov_platform_domain d[DNNGOV_PLATFORM_MAX_DOMAINS];
	json_object *o, *a;
	dnngov_client *c;
	u32 n, i;

	if (dnngov_client_connect(&c, sock_path) == 0) {
		dnngov_client_close(c);
		if (request("{\"cmd\":\"domains\"}", &o))
			return 1;
		if (json_out)
			print_json(o);
		else
			print_domains(geta(o, "domains"));
		json_object_put(o);
		return 0;
	}
	if (dnngov_platform_kernel_init(&p) || p.ops->open(&p) ||
	    p.ops->list_domains(&p, d, DNNGOV_PLATFORM_MAX_DOMAINS, &n)) {
		fprintf(stderr, "dnngovctl: dnngovd is not running (%s) and %s\n",
			dnngov_errmsg(), p.errmsg);
		if (p.ops)
			dnngov_platform_close(&p);
		return 1;
	}
	o = json_object_new_object();
	a = json_object_new_array();
	json_object_object_add(o, "backend", json_object_new_string("kernel"));
	for (i = 0; i < n; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "name", json_object_new_string(d[i].name));
		json_object_object_add(e, "cur_khz", json_object_new_int64(d[i].cur_khz));
		json_object_object_add(e, "min_khz", json_object_new_int64(d[i].min_khz));
		json_object_object_add(e, "max_khz", json_object_new_int64(d[i].max_khz));
		json_object_object_add(e, "opps", json_object_new_int64(d[i].n_opps));
		json_object_object_add(e, "governor", json_object_new_string(d[i].governor));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "domains", a);
	if (json_out)
		print_json(o);
	else
		print_domains(a);
	json_object_put(o);
	dnngov_platform_close(&p);
	return 0;
}

/* One frame of `top`; @prev (may be NULL) gives rates. */
static void top_frame(json_object *o, json_object *prev, double dt, int tty)
{
	json_object *a = geta(o, "workloads"), *pa = prev ? geta(prev, "workloads") : NULL;
	size_t i;

	if (tty)
		printf("\033[H\033[2J");
	printf("dnngovd  backend %s  up %.0f s\n\n", gets_(o, "backend"), getd(o, "uptime_s"));
	printf("%-14s %-15s %5s %7s %9s %9s %9s %8s %7s %8s\n", "WORKLOAD", "DOMAIN",
	       "LEVEL", "ACC%", "FREQ", "TARGET", "LATENCY", "MISS%", "INF/s", "TOP1%");
	for (i = 0; a && i < json_object_array_length(a); i++) {
		json_object *w = json_object_array_get_idx(a, i), *pw = NULL;
		int64_t inf = geti(w, "inferences"), miss = geti(w, "misses");
		int64_t dinf = inf, dmiss = miss, lab = geti(w, "labelled");
		char f[32], top1[16] = "-";
		size_t j;

		for (j = 0; pa && j < json_object_array_length(pa); j++)
			if (!strcmp(gets_(json_object_array_get_idx(pa, j), "name"),
				    gets_(w, "name")))
				pw = json_object_array_get_idx(pa, j);
		if (pw) {
			dinf = inf - geti(pw, "inferences");
			dmiss = miss - geti(pw, "misses");
		}
		if (lab)
			snprintf(top1, sizeof(top1), "%.2f", 100.0 * geti(w, "correct") / lab);
		fmt_khz(f, sizeof(f), geti(w, "freq_khz"));
		printf("%-14.14s %-15.15s %2lld/%-2lld %7.2f %9s %7.2fms %7.2fms %8.1f %7.1f %8s\n",
		       gets_(w, "name"), gets_(w, "domain"), (long long)geti(w, "level"),
		       (long long)geti(w, "levels") - 1, getd(w, "mean_level_accuracy"), f,
		       geti(w, "target_us") / 1000.0, geti(w, "mean_latency_us") / 1000.0,
		       dinf ? 100.0 * dmiss / dinf : 0.0,
		       pw && dt > 0 ? dinf / dt : 0.0, top1);
	}
	printf("\n");
	print_domains(geta(o, "domains"));
	fflush(stdout);
}

static int cmd_top(int argc, char **argv)
{
	json_object *o = NULL, *prev = NULL;
	double delay = 1, dt = 0;
	long count = -1;
	int i, tty = isatty(STDOUT_FILENO);
	struct timespec a, b;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-d") && i + 1 < argc &&
		    !number(argv[i + 1], 0.1, 3600, &delay)) {
			i++;
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			count = atol(argv[++i]);
		} else {
			fprintf(stderr, "Usage: dnngovctl top [-d SECONDS] [-n COUNT]\n");
			return 2;
		}
	}
	if (!tty && count < 0)
		count = 1;	/* a pipe or a file: one frame */
	clock_gettime(CLOCK_MONOTONIC, &a);
	while (count < 0 || count-- > 0) {
		if (request("{\"cmd\":\"status\"}", &o)) {
			json_object_put(prev);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		dt = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
		a = b;
		top_frame(o, prev, dt, tty);
		json_object_put(prev);
		prev = o;
		if (count != 0)
			usleep((useconds_t)(delay * 1e6));
	}
	json_object_put(prev);
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			sock_path = argv[++i];
		} else if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
			json_out = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "dnngovctl: unknown option %s\n\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc || !strcmp(argv[i], "status"))
		return cmd_status();
	if (!strcmp(argv[i], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[i], "levels") && i + 2 == argc)
		return cmd_levels(argv[i + 1]);
	if (!strcmp(argv[i], "set"))
		return cmd_set(argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "domains"))
		return cmd_domains();
	if (!strcmp(argv[i], "top"))
		return cmd_top(argc - i - 1, argv + i + 1);
	fprintf(stderr, "dnngovctl: unknown command or arguments: %s\n\n", argv[i]);
	usage(stderr);
	return 2;
}
