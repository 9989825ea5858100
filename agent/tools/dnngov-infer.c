// SPDX-License-Identifier: MIT
/*
 * dnngov-infer: run or benchmark one subnet of a dnngov model file.
 *
 *   dnngov-infer --model M (--level N | --config cfg.json) [--threads T]
 *                [--input in.f32] [--output logits.f32] [--bench N [--all-levels]]
 *                [--rss] [--info]
 *
 * in.f32 is raw little-endian float32, NCHW, in_channels x r x r, already
 * normalised; logits.f32 gets n_classes float32. --bench N runs N timed
 * inferences after 5 warm-up runs and prints min and median.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dnngov/dnngov.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dnngov-infer --model M (--level N | --config cfg.json) [--threads T]\n"
		"                    [--input in.f32] [--output logits.f32] [--bench N [--all-levels]]\n"
		"                    [--rss] [--info]\n"
		"  --level N      library level (0-based; see --info)\n"
		"  --config F     JSON {\"ks\": [...], \"e\": [...], \"d\": [...], \"r\": N}\n"
		"  --input F      float32 NCHW input, in_channels x r x r, normalised\n"
		"  --output F     write the logits as float32\n"
		"  --bench N      time N runs (after 5 warm-up runs); print min/median ms\n"
		"  --all-levels   with --bench: benchmark every level in turn (random input)\n"
		"  --rss          print resident memory (weights mapped + engine) at the end\n"
		"  --info         list the model's levels\n");
}

static char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto out;
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
		goto out;
	}
	if (buf) {
		buf[n] = '\0';
		*size = (size_t)n;
	}
out:
	fclose(f);
	return buf;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static float *random_input(size_t n)
{
	float *x = malloc(n * sizeof(float));
	unsigned s = 12345;

	for (size_t i = 0; x && i < n; i++) {
		s = s * 1103515245u + 12345u;
		x[i] = (float)((s >> 8) & 0xffff) / 32768.0f - 1.0f;
	}
	return x;
}

/*
 * Resident memory (Linux): the whole process, its anonymous memory (engine
 * buffers, transformed kernels, folded BN), the model file's mapping (the
 * weights the levels touched), the derived (transformed) kernels, and the
 * weight memory (mapping + derived) against the largest level's weights.
 */
static void print_rss(const char *model, dnngov_model *m)
{
	unsigned long long big = 0;
	long model_kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	char line[512], *base = strrchr(model, '/');
	int in_model = 0;
	long kb;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6) || !strncmp(line, "RssAnon:", 8))
			fputs(line, stdout);
	fclose(f);
	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return;
	base = base ? base + 1 : (char *)model;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {	/* a mapping's header line */
			in_model = strstr(line, base) != NULL;
			continue;
		}
		if (in_model && sscanf(line, "Rss: %ld kB", &kb) == 1) {
			printf("ModelRss:\t%8ld kB\n", kb);
			model_kb = kb;
			in_model = 0;
		}
	}
	fclose(f);
	for (int i = 0; i < dnngov_model_level_count(m); i++) {
		struct dnngov_level_info li;

		if (!dnngov_model_level_info(m, i, &li) && li.params * 4 > big)
			big = li.params * 4;
	}
	printf("Derived:\t%8zu kB\n", dnngov_model_derived_bytes(m) / 1024);
	if (model_kb >= 0 && big)
		printf("Weights:\t%8.3f x the largest level (%llu kB)\n",
		       ((double)model_kb * 1024 + (double)dnngov_model_derived_bytes(m)) / (double)big,
		       big / 1024);
}

static void print_info(const dnngov_model *m)
{
	int n = dnngov_model_level_count(m);

	printf("%d levels, %d classes, %d input channels\n", n, dnngov_model_class_count(m),
	       dnngov_model_in_channels(m));
	for (int i = 0; i < n; i++) {
		struct dnngov_level_info li;

		dnngov_model_level_info(m, i, &li);
		printf("  %d %-8s r=%d acc=%.2f%% MMACs=%.1f params=%.2fM%s\n", i, li.name,
		       li.config.r, li.accuracy, li.macs / 1e6, li.params / 1e6,
		       li.has_level_bn ? " (per-level BN)" : "");
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "level", required_argument, NULL, 'l' },
		{ "config", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "bench", required_argument, NULL, 'b' },
		{ "info", no_argument, NULL, 'I' },
		{ "all-levels", no_argument, NULL, 'A' },
		{ "rss", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *model = NULL, *config = NULL, *input = NULL, *output = NULL;
	int level = -1, threads = 1, bench = 0, info = 0, all = 0, rss = 0, c, err, rc = 1;
	dnngov_model *m = NULL;
	dnngov_engine *e = NULL;
	float *in = NULL, *logits = NULL;
	char *end;

	if (dnngov_blas_check_coretype(argv))
		fprintf(stderr, "dnngov-infer: warning: %s\n", dnngov_errmsg());
	while ((c = getopt_long(argc, argv, "m:l:c:t:i:o:b:IARh", opts, NULL)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'c': config = optarg; break;
		case 'i': input = optarg; break;
		case 'o': output = optarg; break;
		case 'I': info = 1; break;
		case 'A': all = 1; break;
		case 'R': rss = 1; break;
		case 'l':
		case 't':
		case 'b': {
			long v = strtol(optarg, &end, 10);

			if (*end || v < 0 || v > 1000000) {
				fprintf(stderr, "dnngov-infer: --%s needs a non-negative integer, got \"%s\"\n",
					c == 'l' ? "level" : c == 't' ? "threads" : "bench", optarg);
				return 2;
			}
			if (c == 'l')
				level = (int)v;
			else if (c == 't')
				threads = (int)v;
			else
				bench = (int)v;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (all && bench)
		level = 0;
	if (!model || optind != argc || (!info && (level < 0) == !config)) {
		fprintf(stderr, "dnngov-infer: need --model and exactly one of --level or --config\n");
		usage(stderr);
		return 2;
	}
	if (!info && !input && !bench) {
		fprintf(stderr, "dnngov-infer: nothing to do: give --input (and --output) or --bench N\n");
		return 2;
	}
	if ((err = dnngov_model_open(&m, model))) {
		fprintf(stderr, "dnngov-infer: %s\n", dnngov_errmsg());
		return 1;
	}
	if (info) {
		print_info(m);
		if (level < 0 && !config) {
			dnngov_model_close(m);
			return 0;
		}
	}
	if ((err = dnngov_engine_create(&e, m, threads ? threads : 1)))
		goto fail;
	if (config) {
		struct dnngov_config cfg;
		size_t n;
		char *text = read_file(config, &n);

		if (!text) {
			fprintf(stderr, "dnngov-infer: cannot read %s: %s\n", config, strerror(errno));
			goto out;
		}
		err = dnngov_config_parse(m, text, &cfg);
		free(text);
		if (err || (err = dnngov_engine_set_config(e, &cfg)))
			goto fail;
	} else if ((err = dnngov_engine_set_level(e, level))) {
		goto fail;
	}

	int r = dnngov_engine_resolution(e), nout = dnngov_engine_output_size(e);
	size_t nin = (size_t)dnngov_model_in_channels(m) * r * r;

	logits = malloc((size_t)nout * sizeof(float));
	if (input) {
		size_t n;

		in = (float *)read_file(input, &n);
		if (!in) {
			fprintf(stderr, "dnngov-infer: cannot read %s: %s\n", input, strerror(errno));
			goto out;
		}
		if (n != nin * sizeof(float)) {
			fprintf(stderr, "dnngov-infer: %s has %zu bytes; this subnet needs %zu (float32 %d x %d x %d)\n",
				input, n, nin * sizeof(float), dnngov_model_in_channels(m), r, r);
			goto out;
		}
	} else {
		in = random_input(nin);
	}
	if (!in || !logits) {
		fprintf(stderr, "dnngov-infer: out of memory\n");
		goto out;
	}
	if ((err = dnngov_engine_run(e, in, logits)))
		goto fail;
	if (output) {
		FILE *f = fopen(output, "wb");

		if (!f || fwrite(logits, sizeof(float), (size_t)nout, f) != (size_t)nout) {
			fprintf(stderr, "dnngov-infer: cannot write %s: %s\n", output, strerror(errno));
			if (f)
				fclose(f);
			goto out;
		}
		if (fclose(f)) {
			fprintf(stderr, "dnngov-infer: cannot write %s: %s\n", output, strerror(errno));
			goto out;
		}
	}
	for (int lv = all ? 0 : level; bench && lv < (all ? dnngov_model_level_count(m) : level + 1);
	     lv++) {
		double *t = malloc((size_t)bench * sizeof(double));

		if (!t) {
			fprintf(stderr, "dnngov-infer: out of memory\n");
			goto out;
		}
		if (all) {
			dnngov_engine_set_level(e, lv);
			r = dnngov_engine_resolution(e);
			free(in);
			in = random_input((size_t)dnngov_model_in_channels(m) * r * r);
			if (!in) {
				free(t);
				fprintf(stderr, "dnngov-infer: out of memory\n");
				goto out;
			}
		}
		for (int i = 0; i < 5; i++)
			dnngov_engine_run(e, in, logits);
		for (int i = 0; i < bench; i++) {
			double t0 = now_ms();

			dnngov_engine_run(e, in, logits);
			t[i] = now_ms() - t0;
		}
		qsort(t, (size_t)bench, sizeof(double), cmp_double);
		if (config)
			printf("config r=%d", r);
		else
			printf("level %d r=%d", lv, r);
		printf(" threads=%d kernels=%s: min %.3f ms, median %.3f ms (%d runs)\n", threads,
		       dnngov_engine_kernels(e), t[0], t[bench / 2], bench);
		free(t);
	}
	if (rss)
		print_rss(model, m);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "dnngov-infer: %s\n", dnngov_errmsg());
out:
	free(in);
	free(logits);
	dnngov_engine_destroy(e);
	dnngov_model_close(m);
	return rc;
}
