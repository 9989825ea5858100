// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * dnngov-sim: run one scenario on a simulated board with one or all
 * contenders; print a summary per contender and append CSV rows.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine.h"

static const struct sim_ctl *const contenders[] = {
	&sim_ctl_performance, &sim_ctl_powersave, &sim_ctl_schedutil, &sim_ctl_ondemand,
	&sim_ctl_dnngov, &sim_ctl_dnngov_subnet_only, &sim_ctl_dnngov_dvfs_only,
	&sim_ctl_oracle,
};
#define N_CONTENDERS (sizeof(contenders) / sizeof(contenders[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dnngov-sim --board FILE --scenario FILE [options]\n"
		"       dnngov-sim --board FILE --calibration [--data DIR]\n"
		"       dnngov-sim --list\n"
		"options:\n"
		"  --data DIR          shared data folder (default ../shared/data)\n"
		"  --contender NAME    one contender, or 'all' (default)\n"
		"  --seed N            override the scenario's seed\n"
		"  --cdyn-scale X      true dynamic power coefficients x X (dnngov keeps the board file's)\n"
		"  --compute-scale X   frequency-sensitive share of latency x X\n"
		"  --variant NAME      label of this run in the CSV (default 'base')\n"
		"  --dnngov-sample-ms N  sim backend's load-sampling timer (dnngov.ko sample_ms, default 50)\n"
		"  --csv FILE          append one row per contender (header if the file is new)\n"
		"  --trace-dir DIR     write DIR/<scenario>-<contender>.csv traces (10 ms rows)\n");
}

static const char *csv_header =
	"scenario,contender,variant,seed,duration_s,inferences,energy_j,board_energy_j,"
	"j_per_inf,miss_rate,acc_mean,p50_ms,p99_ms,transitions,cpu_energy_j,gpu_energy_j\n";

static int print_calibration(const struct sim_board *b, const struct sim_library *lib)
{
	unsigned int j;

	printf("library %s: GPU LUT scale (measured/LUT, least squares) %.3f\n", lib->name,
	       lib->gpu_scale);
	printf("level  top1%%   cpu_lut_ms  gpu_lut_ms  gpu_model_ms (at %u / %u kHz)\n",
	       b->ref_khz[0], b->ref_khz[1]);
	for (j = 0; j < lib->n_levels; j++)
		printf("%5u  %6.2f  %10.1f  %10.2f  %12.2f\n", j + 1, lib->cpu[j].top1,
		       lib->cpu[j].lut_ms, lib->gpu[j].lut_ms, lib->gpu[j].t_ref_ms);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "scenario", required_argument, NULL, 's' },
		{ "data", required_argument, NULL, 'd' },
		{ "contender", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 'S' },
		{ "cdyn-scale", required_argument, NULL, 'P' },
		{ "compute-scale", required_argument, NULL, 'C' },
		{ "variant", required_argument, NULL, 'v' },
		{ "csv", required_argument, NULL, 'o' },
		{ "trace-dir", required_argument, NULL, 't' },
		{ "calibration", no_argument, NULL, 'L' },
		{ "dnngov-sample-ms", required_argument, NULL, 'T' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *board_path = NULL, *sc_path = NULL, *data = "../shared/data";
	const char *only = "all", *variant = "base", *csv_path = NULL, *trace_dir = NULL;
	double cdyn_scale = 1.0, compute_scale = 1.0;
	bool calib = false, seed_set = false;
	uint32_t sample_ms = SIM_PLAT_SAMPLE_MS;
	unsigned long long seed = 0;
	static struct sim_board board, nominal;
	static struct sim_scenario sc;
	static struct sim_library lib;
	char err[SIM_ERR_LEN];
	unsigned int i, ran = 0;
	FILE *csv = NULL;
	int opt, status = 0;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;

		switch (opt) {
		case 'b': board_path = optarg; break;
		case 's': sc_path = optarg; break;
		case 'd': data = optarg; break;
		case 'c': only = optarg; break;
		case 'v': variant = optarg; break;
		case 'o': csv_path = optarg; break;
		case 't': trace_dir = optarg; break;
		case 'L': calib = true; break;
		case 'T':
			if (sim_parse_u32(optarg, 1, 10000, &sample_ms)) {
				fprintf(stderr, "dnngov-sim: --dnngov-sample-ms wants 1..10000, got '%s'\n", optarg);
				return 2;
			}
			break;
		case 'S':
			seed = strtoull(optarg, &end, 0);
			if (*end || !*optarg) {
				fprintf(stderr, "dnngov-sim: --seed wants an unsigned integer, got '%s'\n", optarg);
				return 2;
			}
			seed_set = true;
			break;
		case 'P':
		case 'C': {
			double x;

			if (sim_parse_double(optarg, 0.01, 100, &x)) {
				fprintf(stderr, "dnngov-sim: --%s wants a factor 0.01..100, got '%s'\n",
					opt == 'P' ? "cdyn-scale" : "compute-scale", optarg);
				return 2;
			}
			if (opt == 'P')
				cdyn_scale = x;
			else
				compute_scale = x;
			break;
		}
		case 'l':
			for (i = 0; i < N_CONTENDERS; i++)
				printf("%-12s %s\n", contenders[i]->name, contenders[i]->desc);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!board_path || (!sc_path && !calib) || optind != argc) {
		usage(stderr);
		return 2;
	}
	/* A usage error is reported before any file is read. */
	for (i = 0; i < N_CONTENDERS && strcmp(only, "all") && strcmp(only, contenders[i]->name); i++)
		;
	if (i == N_CONTENDERS) {
		fprintf(stderr, "dnngov-sim: no contender named '%s' (see --list)\n", only);
		return 2;
	}
	if (sim_board_load(&board, board_path, err, sizeof(err))) {
		fprintf(stderr, "dnngov-sim: %s\n", err);
		return 1;
	}
	nominal = board;
	sim_board_scale_power(&board, cdyn_scale);
	if (calib) {
		if (sim_library_load(&lib, data, "nets_6", err, sizeof(err))) {
			fprintf(stderr, "dnngov-sim: %s\n", err);
			return 1;
		}
		return print_calibration(&board, &lib);
	}
	if (sim_scenario_load(&sc, &board, sc_path, err, sizeof(err))) {
		fprintf(stderr, "dnngov-sim: %s\n", err);
		return 1;
	}
	if (seed_set)
		sc.seed = seed;
	if (sim_library_load(&lib, data, sc.library, err, sizeof(err))) {
		fprintf(stderr, "dnngov-sim: %s\n", err);
		return 1;
	}
	if (csv_path) {
		struct stat st;
		bool fresh = stat(csv_path, &st) != 0 || st.st_size == 0;

		csv = fopen(csv_path, "a");
		if (!csv) {
			fprintf(stderr, "dnngov-sim: %s: %s\n", csv_path, strerror(errno));
			return 1;
		}
		if (fresh)
			fputs(csv_header, csv);
	}
	if (trace_dir && mkdir(trace_dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "dnngov-sim: %s: %s\n", trace_dir, strerror(errno));
		return 1;
	}
	for (i = 0; i < N_CONTENDERS; i++) {
		const struct sim_ctl *ctl = contenders[i];
		struct sim_result r;
		FILE *trace = NULL;
		struct sim s;

		if (strcmp(only, "all") && strcmp(only, ctl->name))
			continue;
		ran++;
		if (trace_dir) {
			char path[768];

			snprintf(path, sizeof(path), "%s/%s-%s.csv", trace_dir, sc.name, ctl->name);
			trace = fopen(path, "w");
			if (!trace) {
				fprintf(stderr, "dnngov-sim: %s: %s\n", path, strerror(errno));
				return 1;
			}
		}
		sim_init(&s, &board, &sc, &lib, compute_scale);
		s.model_b = &nominal;
		s.plat_sample_ms = sample_ms;
		if (sim_run(&s, ctl, trace, &r, err, sizeof(err))) {
			fprintf(stderr, "dnngov-sim: %s/%s: %s\n", sc.name, ctl->name, err);
			status = 1;
		} else {
			printf("%-10s %-12s %8.2f J %7.4f J/inf  miss %5.1f%%  acc %5.2f%%  p50 %6.1f ms  p99 %6.1f ms  %5u DVFS  x%.0f real time\n",
			       sc.name, ctl->name, r.energy_j, r.j_per_inf, 100 * r.miss_rate,
			       r.acc_mean, r.p50_ms, r.p99_ms, r.transitions,
			       r.wall_s > 0 ? r.duration_s / r.wall_s : 0.0);
			if (csv)
				fprintf(csv, "%s,%s,%s,%llu,%.3f,%llu,%.4f,%.4f,%.6f,%.5f,%.3f,%.3f,%.3f,%u,%.4f,%.4f\n",
					sc.name, ctl->name, variant, (unsigned long long)sc.seed,
					r.duration_s, (unsigned long long)r.n_done, r.energy_j,
					r.board_energy_j, r.j_per_inf, r.miss_rate, r.acc_mean,
					r.p50_ms, r.p99_ms, r.transitions, r.cpu_energy_j, r.gpu_energy_j);
		}
		if (trace)
			fclose(trace);
		sim_free(&s);
	}
	if (csv)
		fclose(csv);
	return ran ? status : 2;
}
