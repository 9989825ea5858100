/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * dnngov-sim: a simulated board driven in virtual time, for comparing
 * frequency governors and dnngov on the same workload trace.
 *
 * Internal header of sim/ (not installed). Documentation/simulator.md lists
 * every parameter with its source.
 */
#ifndef DNNGOV_SIM_H
#define DNNGOV_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_MAX_DOMAINS		8
#define SIM_MAX_OPPS		64
#define SIM_MAX_MODES		16
#define SIM_MAX_VPOINTS		16
#define SIM_MAX_LEVELS		16
#define SIM_MAX_WORKLOADS	4
#define SIM_MAX_EVENTS		64
#define SIM_NAME_LEN		48
#define SIM_ERR_LEN		512

#define SIM_NS_PER_MS		1000000ULL
#define SIM_NS_PER_S		1000000000ULL

enum sim_dom_kind { SIM_DOM_CPU, SIM_DOM_GPU };

/* One frequency domain of the board: a CPU cluster or the GPU. */
struct sim_domain {
	char name[SIM_NAME_LEN];
	enum sim_dom_kind kind;
	unsigned int cores;		/* cores in the cluster; 1 for the GPU */
	unsigned int n_opps;
	uint32_t opp_khz[SIM_MAX_OPPS];	/* ascending */
	double volt[SIM_MAX_OPPS];	/* V at each OPP, from the curve */
	unsigned int n_vpoints;		/* voltage curve: (kHz, V) points */
	uint32_t vcurve_khz[SIM_MAX_VPOINTS];
	double vcurve_v[SIM_MAX_VPOINTS];
	double cdyn_uw;			/* uW / MHz / V^2 per busy core */
	double static_mw;		/* leakage per core at the top voltage */
	double idle_static_frac;	/* leakage share an idle core keeps */
	double idle_dyn_frac;		/* dynamic share an idle core keeps */
	double transition_min_us;	/* DVFS switch time, drawn uniformly */
	double transition_max_us;
	char rail[SIM_NAME_LEN];
	char platform_name[64];		/* cpufreq:policyN / devfreq:NAME */
};

/* An nvpmodel-style power mode: caps and floors per domain kind. */
struct sim_mode {
	char name[SIM_NAME_LEN];
	uint32_t cpu_min_khz, cpu_max_khz;
	uint32_t gpu_min_khz, gpu_max_khz;
	unsigned int cpu_online;	/* cores online; clusters fill in order */
};

struct sim_board {
	char name[SIM_NAME_LEN];
	char path[256];
	double base_w;			/* rest of the board (VDD_IN - rails) */
	unsigned int n_domains;
	struct sim_domain dom[SIM_MAX_DOMAINS];
	unsigned int n_modes;
	struct sim_mode mode[SIM_MAX_MODES];
	char default_mode[SIM_NAME_LEN];
	double compute_frac[2];		/* frequency-sensitive share: CPU, GPU */
	uint32_t ref_khz[2];		/* clocks the LUTs were measured at */
};

/* board.c */
int sim_board_load(struct sim_board *b, const char *path, char *err, size_t errlen);
int sim_board_find_domain(const struct sim_board *b, const char *name);
const struct sim_mode *sim_board_find_mode(const struct sim_board *b, const char *name);
double sim_volt_at(const struct sim_domain *d, uint32_t khz);
/* Power of one core at OPP i, busy (1.0) or idle (0.0) or in between. */
double sim_core_power_w(const struct sim_domain *d, unsigned int opp, double busy);
unsigned int sim_opp_index(const struct sim_domain *d, uint32_t khz);
/* Lowest OPP >= khz (cpufreq RELATION_L), clamped to [lo, hi] indices. */
unsigned int sim_opp_ceil(const struct sim_domain *d, uint32_t khz);
void sim_board_scale_power(struct sim_board *b, double factor);

/* One subnet of the library as the simulator runs it on a device. */
struct sim_level {
	double top1;			/* % */
	double t_ref_ms;		/* latency at the reference clock */
	double lut_ms;			/* raw LUT sum at the reference clock */
};

struct sim_library {
	char name[SIM_NAME_LEN];
	unsigned int n_levels;
	struct sim_level cpu[SIM_MAX_LEVELS];
	struct sim_level gpu[SIM_MAX_LEVELS];
	double gpu_scale;		/* measured / LUT fit on the GPU */
};

/* latency.c */
int sim_library_load(struct sim_library *lib, const char *data_dir,
		     const char *name, char *err, size_t errlen);

enum sim_arrival { SIM_ARR_BACK_TO_BACK, SIM_ARR_PERIODIC, SIM_ARR_BURST };

struct sim_wl_spec {
	char name[SIM_NAME_LEN];
	char domain[SIM_NAME_LEN];
	double target_ms;
	double floor_pct;		/* accuracy floor, top-1 % (0 none) */
	enum sim_arrival arrival;
	double period_ms;		/* periodic: period; burst: burst period */
	unsigned int burst_n;
	unsigned int start_level;	/* 1-based like Dynamic-OFA */
	double start_s;			/* 0 = present from the start */
	double stop_s;			/* 0 = until the end */
};

enum sim_ev_kind {
	SIM_EV_TARGET, SIM_EV_CORUNNER, SIM_EV_LIMIT, SIM_EV_MODE
};

struct sim_event_spec {
	char name[SIM_NAME_LEN];		/* section name after "event " */
	double at_s;
	enum sim_ev_kind kind;
	char workload[SIM_NAME_LEN];
	char domain[SIM_NAME_LEN];
	char mode[SIM_NAME_LEN];
	double target_ms;
	double share;			/* co-runner share of the domain */
	uint32_t max_khz;		/* limit: 0 = back to the mode cap */
};

struct sim_scenario {
	char name[SIM_NAME_LEN];
	char path[256];
	char description[256];
	char library[SIM_NAME_LEN];
	char mode[SIM_NAME_LEN];
	double duration_s;
	double jitter;			/* per-inference work, uniform +-jitter */
	uint64_t seed;
	unsigned int n_wl;
	struct sim_wl_spec wl[SIM_MAX_WORKLOADS];
	unsigned int n_ev;
	struct sim_event_spec ev[SIM_MAX_EVENTS];
};

/* scenario.c */
int sim_scenario_load(struct sim_scenario *sc, const struct sim_board *b,
		      const char *path, char *err, size_t errlen);

/* Shared parsing helpers (board.c) that name file, line and key. */
int sim_parse_double(const char *v, double lo, double hi, double *out);
int sim_parse_u32(const char *v, uint32_t lo, uint32_t hi, uint32_t *out);
/*
 * Line of an INI file that a validation message "[SECTION] key 'KEY': ..."
 * is about: the key's line in that section, else the section's header,
 * else 0.
 */
int sim_ini_locate(const char *path, const char *msg);

#endif /* DNNGOV_SIM_H */
