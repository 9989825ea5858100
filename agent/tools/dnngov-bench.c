// SPDX-License-Identifier: MIT
/*
 * dnngov-bench: the engine side of `make bench` (scripts/bench/run.py).
 *
 *   dnngov-bench latency MODEL INDIR OUTDIR [--threads T] [--warmup W] [--runs N]
 *                        [--budget-ms B] [--levels a,b]
 *   dnngov-bench switch  MODEL [--batches B] [--calls K]
 *   dnngov-bench memory  MODEL
 *   dnngov-bench blas
 *
 * latency: for each level, reads INDIR/<name>.in.f32 (normalised float32
 *   NCHW at the level's resolution, from scripts/bench/prepare.py), W warm-up
 *   runs then N timed dnngov_engine_run calls (fewer, but at least
 *   MIN_RUNS, once a level has used B ms: a loaded machine must not stretch
 *   `make bench` without bound); one JSON line per level, and
 *   the logits to OUTDIR/<name>.ours.f32 for the cross-engine check. Each
 *   sample has its wall time and the process CPU time it used (all threads):
 *   at 1 thread the latter does not count time spent preempted by other
 *   tenants of a shared machine.
 * switch: B batches of K dnngov_engine_set_level calls cycling through the
 *   levels; ns per call, min and median over batches. Then what a switch
 *   costs the inference after it (cold caches): see first_run_cost().
 * memory: VmRSS before the model is opened, after open, after the engine is
 *   created and after every level ran once; VmHWM; the resident part of the
 *   model file's mapping (the weights in use); the largest level's parameter
 *   bytes.
 * blas: the OpenBLAS core (kernel set) in use, after the engine's
 *   OPENBLAS_CORETYPE check (dnngov_blas_check_coretype), so the driver can
 *   give PyTorch, which links the same OpenBLAS, the same kernels.
 *
 * Output is JSON on stdout; errors go to stderr with the engine's message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dnngov/dnngov.h>

#define MAX_SAMPLES 100000
#define MIN_RUNS 5

/* OpenBLAS's own query (cblas.h of OpenBLAS; not in the reference CBLAS). */
char *openblas_get_corename(void);

struct opts {
	int threads;
	int warmup;
	int runs;
	int budget_ms;		/* 0 = no time limit */
	int batches;
	int calls;
	const char *levels;	/* comma-separated names, NULL = all */
};

static void usage(void)
{
	fprintf(stderr,
		"usage: dnngov-bench latency MODEL INDIR OUTDIR [--threads T] [--warmup W] [--runs N]\n"
		"                            [--budget-ms B] [--levels a,b]\n"
		"       dnngov-bench switch MODEL [--batches B] [--calls K]\n"
		"       dnngov-bench memory MODEL\n"
		"       dnngov-bench blas\n");
}

static double clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts v in place; returns the median. */
static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Bytes of a /proc/self/status field ("VmRSS", "VmHWM"), or -1. */
static long long proc_status(const char *field)
{
	char line[256];
	long long kb = -1;
	size_t n = strlen(field);
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, n) && line[n] == ':') {
			kb = strtoll(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* Has budget_ms (0 = unlimited) passed since start? */
static int over(double start, int budget_ms)
{
	return budget_ms > 0 && now_ns() - start > budget_ms * 1e6;
}

/* Resident bytes of the mappings of file `path` (the model's weights), or -1. */
static long long mapped_rss(const char *path)
{
	char line[4352], perms[8], *real = realpath(path, NULL);
	unsigned long long lo, hi, off, inode;
	unsigned int major, minor;
	long long kb = 0;
	int in = 0, n;
	FILE *f = real ? fopen("/proc/self/smaps", "r") : NULL;

	if (!f) {
		free(real);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		/* A mapping header: "start-end perms offset major:minor inode   [path]". */
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &lo, &hi, perms, &off, &major,
			   &minor, &inode, &n) == 7)
			in = !strcmp(line + n, real);
		else if (in && !strncmp(line, "Rss:", 4))
			kb += strtoll(line + 4, NULL, 10);
	}
	fclose(f);
	free(real);
	return kb * 1024;
}

static int parse_int(const char *opt, const char *s, int lo, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = s ? strtol(s, &end, 10) : 0;
	if (!s || errno || *end || v < lo || v > MAX_SAMPLES * 10) {
		fprintf(stderr, "dnngov-bench: %s needs an integer in %d..%d, got '%s'\n",
			opt, lo, MAX_SAMPLES * 10, s ? s : "");
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* Parses options from argv[first..]; positional arguments are not allowed there. */
static int parse_opts(int argc, char **argv, int first, struct opts *o)
{
	for (int i = first; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int r;

		if (!strcmp(k, "--threads"))
			r = parse_int(k, v, 1, &o->threads);
		else if (!strcmp(k, "--warmup"))
			r = parse_int(k, v, 0, &o->warmup);
		else if (!strcmp(k, "--runs"))
			r = parse_int(k, v, 1, &o->runs);
		else if (!strcmp(k, "--budget-ms"))
			r = parse_int(k, v, 0, &o->budget_ms);
		else if (!strcmp(k, "--batches"))
			r = parse_int(k, v, 1, &o->batches);
		else if (!strcmp(k, "--calls"))
			r = parse_int(k, v, 1, &o->calls);
		else if (!strcmp(k, "--levels") && v)
			o->levels = v, r = 0;
		else {
			fprintf(stderr, "dnngov-bench: unknown option or missing value: %s\n", k);
			return -1;
		}
		if (r)
			return -1;
		i++;
	}
	if (o->runs > MAX_SAMPLES || o->batches > MAX_SAMPLES) {
		fprintf(stderr, "dnngov-bench: --runs and --batches are at most %d\n", MAX_SAMPLES);
		return -1;
	}
	return 0;
}

static int wanted(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!list)
		return 1;
	for (const char *p = list; *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		if (len == n && !strncmp(p, name, n))
			return 1;
		p += len + (c ? 1 : 0);
	}
	return 0;
}

static int read_floats(const char *path, float *buf, size_t n)
{
	FILE *f = fopen(path, "rb");
	size_t got;
	int extra;

	if (!f) {
		fprintf(stderr, "dnngov-bench: cannot open %s: %s (run scripts/bench/prepare.py first)\n",
			path, strerror(errno));
		return -1;
	}
	got = fread(buf, sizeof(float), n, f);
	extra = fgetc(f) != EOF;
	fclose(f);
	if (got != n || extra) {
		fprintf(stderr, "dnngov-bench: %s does not hold exactly %zu float32 values; "
			"it was prepared for another model or resolution\n", path, n);
		return -1;
	}
	return 0;
}

static int write_floats(const char *path, const float *buf, size_t n)
{
	FILE *f = fopen(path, "wb");
	int bad;

	if (!f) {
		fprintf(stderr, "dnngov-bench: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	bad = fwrite(buf, sizeof(float), n, f) != n;
	bad |= fclose(f) != 0;
	if (bad)
		fprintf(stderr, "dnngov-bench: cannot write %s\n", path);
	return bad ? -1 : 0;
}

static int engine_fail(const char *what)
{
	fprintf(stderr, "dnngov-bench: %s: %s\n", what, dnngov_errmsg());
	return 1;
}

static int open_engine(const char *path, int threads, dnngov_model **m, dnngov_engine **e)
{
	*e = NULL;
	if (dnngov_model_open(m, path))
		return engine_fail("model");
	if (dnngov_engine_create(e, *m, threads)) {
		engine_fail("engine");
		dnngov_model_close(*m);
		return 1;
	}
	return 0;
}

static void close_engine(dnngov_model *m, dnngov_engine *e)
{
	dnngov_engine_destroy(e);
	dnngov_model_close(m);
}

/* Largest resolution and channel count over the library: one input buffer fits all. */
static size_t max_input(const dnngov_model *m)
{
	struct dnngov_level_info li;
	size_t c = (size_t)dnngov_model_in_channels(m), best = 0;

	for (int i = 0; i < dnngov_model_level_count(m); i++) {
		if (!dnngov_model_level_info(m, i, &li)) {
			size_t n = c * (size_t)li.config.r * (size_t)li.config.r;

			best = n > best ? n : best;
		}
	}
	return best;
}

static int cmd_latency(const char *model, const char *indir, const char *outdir,
		       const struct opts *o)
{
	dnngov_model *m;
	dnngov_engine *e;
	struct dnngov_level_info li;
	char path[4096];
	float *in = NULL, *out = NULL;
	double *ms = NULL, *cpu = NULL, start;
	int rc = 1, matched = 0, runs;

	if (open_engine(model, o->threads, &m, &e))
		return 1;
	in = malloc(max_input(m) * sizeof(float));
	out = malloc((size_t)dnngov_engine_output_size(e) * sizeof(float));
	ms = malloc((size_t)o->runs * sizeof(double));
	cpu = malloc((size_t)o->runs * sizeof(double));
	if (!in || !out || !ms || !cpu) {
		fprintf(stderr, "dnngov-bench: out of memory\n");
		goto done;
	}
	for (int lv = 0; lv < dnngov_model_level_count(m); lv++) {
		size_t n;

		if (dnngov_model_level_info(m, lv, &li)) {
			engine_fail("level info");
			goto done;
		}
		if (!wanted(o->levels, li.name))
			continue;
		matched++;
		if (dnngov_engine_set_level(e, lv)) {
			engine_fail("set level");
			goto done;
		}
		n = (size_t)dnngov_model_in_channels(m) * (size_t)li.config.r * (size_t)li.config.r;
		snprintf(path, sizeof(path), "%s/%s.in.f32", indir, li.name);
		if (read_floats(path, in, n))
			goto done;
		start = now_ns();
		/* Warm-up may use half the budget. */
		for (int i = 0; i < o->warmup && !over(start, o->budget_ms / 2); i++)
			if (dnngov_engine_run(e, in, out)) {
				engine_fail("run");
				goto done;
			}
		start = now_ns();
		for (runs = 0; runs < o->runs; runs++) {
			double t0 = now_ns(), c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);

			if (runs >= MIN_RUNS && over(start, o->budget_ms))
				break;
			if (dnngov_engine_run(e, in, out)) {
				engine_fail("run");
				goto done;
			}
			ms[runs] = (now_ns() - t0) / 1e6;
			cpu[runs] = (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c0) / 1e6;
		}
		snprintf(path, sizeof(path), "%s/%s.ours.f32", outdir, li.name);
		if (write_floats(path, out, (size_t)dnngov_engine_output_size(e)))
			goto done;
		printf("{\"engine\":\"ours\",\"level\":\"%s\",\"threads\":%d,\"runs\":%d,"
		       "\"kernels\":\"%s\",\"samples_ms\":[", li.name, o->threads, runs,
		       dnngov_engine_kernels(e));
		for (int i = 0; i < runs; i++)
			printf("%s%.6f", i ? "," : "", ms[i]);
		printf("],\"cpu_samples_ms\":[");
		for (int i = 0; i < runs; i++)
			printf("%s%.6f", i ? "," : "", cpu[i]);
		printf("],\"median_ms\":%.6f,", median(ms, runs));
		printf("\"min_ms\":%.6f}\n", ms[0]);
		fflush(stdout);
	}
	if (!matched) {
		fprintf(stderr, "dnngov-bench: --levels %s matches no level of %s\n", o->levels, model);
		goto done;
	}
	rc = 0;
done:
	free(in);
	free(out);
	free(ms);
	free(cpu);
	close_engine(m, e);
	return rc;
}

/* CPU ms of one inference at the current level. */
static double run_cpu_ms(dnngov_engine *e, const float *in, float *out, int *err)
{
	double c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);

	*err |= dnngov_engine_run(e, in, out);
	return (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c0) / 1e6;
}

/*
 * What a switch costs the next inference: per level, the first run right
 * after switching to it from another level against a run that follows
 * runs of the same level (caches warm with its activations). Prints the
 * median over levels of the extra CPU ms and per cent, then closes the JSON.
 */
static int first_run_cost(dnngov_model *m, dnngov_engine *e, int n)
{
	enum { REPS = 5 };
	double steady[REPS], first[REPS], extra_ms[64], extra_pct[64];
	float *in = calloc(max_input(m), sizeof(float));
	float *out = malloc((size_t)dnngov_engine_output_size(e) * sizeof(float));
	int err = 0, levels = n < 64 ? n : 64;

	if (!in || !out) {
		fprintf(stderr, "dnngov-bench: out of memory\n");
		free(in);
		free(out);
		return -1;
	}
	for (int b = 0; b < levels && n > 1; b++) {
		for (int r = 0; r < REPS; r++) {
			err |= dnngov_engine_set_level(e, b);
			run_cpu_ms(e, in, out, &err);
			steady[r] = run_cpu_ms(e, in, out, &err);
			err |= dnngov_engine_set_level(e, (b + 1 + r % (n - 1)) % n);
			run_cpu_ms(e, in, out, &err);
			err |= dnngov_engine_set_level(e, b);
			first[r] = run_cpu_ms(e, in, out, &err);
		}
		double s = median(steady, REPS), f = median(first, REPS);

		extra_ms[b] = f - s;
		extra_pct[b] = s > 0 ? 100.0 * (f - s) / s : 0;
	}
	free(in);
	free(out);
	if (err)
		return engine_fail("run");
	if (n < 2) {
		printf("\"first_run_extra_ms\":0,\"first_run_extra_pct\":0}\n");
		return 0;
	}
	printf("\"first_run_extra_ms\":%.4f,", median(extra_ms, levels));
	printf("\"first_run_extra_pct\":%.2f}\n", median(extra_pct, levels));
	return 0;
}

static int cmd_switch(const char *model, const struct opts *o)
{
	dnngov_model *m;
	dnngov_engine *e;
	double *ns;
	int n, rc = 1;

	if (open_engine(model, 1, &m, &e))
		return 1;
	n = dnngov_model_level_count(m);
	ns = malloc((size_t)o->batches * sizeof(double));
	if (!ns) {
		fprintf(stderr, "dnngov-bench: out of memory\n");
		goto done;
	}
	for (int b = 0; b < o->batches; b++) {
		double t0 = now_ns();
		int err = 0;

		for (int i = 0; i < o->calls; i++)
			err |= dnngov_engine_set_level(e, (b + i) % n);
		ns[b] = (now_ns() - t0) / o->calls;
		if (err) {
			engine_fail("set level");
			goto done;
		}
	}
	printf("{\"engine\":\"ours\",\"levels\":%d,\"batches\":%d,\"calls\":%d,", n, o->batches,
	       o->calls);
	printf("\"median_ns\":%.3f,", median(ns, o->batches));
	printf("\"min_ns\":%.3f,", ns[0]);
	if (first_run_cost(m, e, n))
		goto done;
	rc = 0;
done:
	free(ns);
	close_engine(m, e);
	return rc;
}

static int cmd_memory(const char *model)
{
	long long base = proc_status("VmRSS"), opened, created, ran;
	dnngov_model *m;
	dnngov_engine *e;
	struct dnngov_level_info li;
	unsigned long long max_params = 0;
	float *in, *out;
	int rc = 1;

	if (dnngov_model_open(&m, model))
		return engine_fail("model");
	opened = proc_status("VmRSS");
	if (dnngov_engine_create(&e, m, 1)) {
		dnngov_model_close(m);
		return engine_fail("engine");
	}
	created = proc_status("VmRSS");
	in = calloc(max_input(m), sizeof(float));
	out = malloc((size_t)dnngov_engine_output_size(e) * sizeof(float));
	if (!in || !out) {
		fprintf(stderr, "dnngov-bench: out of memory\n");
		goto done;
	}
	for (int lv = 0; lv < dnngov_model_level_count(m); lv++) {
		if (dnngov_model_level_info(m, lv, &li) || dnngov_engine_set_level(e, lv) ||
		    dnngov_engine_run(e, in, out)) {
			engine_fail("level");
			goto done;
		}
		if (li.params > max_params)
			max_params = li.params;
	}
	ran = proc_status("VmRSS");
	printf("{\"engine\":\"ours\",\"model_rss\":%lld,", mapped_rss(model));
	printf("\"rss_base\":%lld,\"rss_opened\":%lld,\"rss_created\":%lld,"
	       "\"rss_all\":%lld,\"rss_growth\":%lld,\"hwm\":%lld,\"rss_anon\":%lld,"
	       "\"rss_file\":%lld,\"max_level_params\":%llu}\n",
	       base, opened, created, ran, ran - base, proc_status("VmHWM"),
	       proc_status("RssAnon"), proc_status("RssFile"), max_params);
	rc = 0;
done:
	free(in);
	free(out);
	close_engine(m, e);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = { .threads = 1, .warmup = 10, .runs = 50, .batches = 1000, .calls = 1000 };

	/* Same BLAS kernels as dnngovd and dnngov-infer (may re-execute us). */
	if (dnngov_blas_check_coretype(argv))
		fprintf(stderr, "dnngov-bench: %s\n", dnngov_errmsg());
	if (argc == 2 && !strcmp(argv[1], "blas")) {
		const char *core = openblas_get_corename();
		const char *env = getenv("OPENBLAS_CORETYPE");

		printf("{\"openblas_core\":\"%s\",\"openblas_coretype_env\":\"%s\"}\n",
		       core ? core : "", env ? env : "");
		return 0;
	}

	if (argc >= 5 && !strcmp(argv[1], "latency")) {
		if (parse_opts(argc, argv, 5, &o))
			return 2;
		return cmd_latency(argv[2], argv[3], argv[4], &o);
	}
	if (argc >= 3 && !strcmp(argv[1], "switch")) {
		if (parse_opts(argc, argv, 3, &o))
			return 2;
		return cmd_switch(argv[2], &o);
	}
	if (argc == 3 && !strcmp(argv[1], "memory"))
		return cmd_memory(argv[2]);
	usage();
	return 2;
}
