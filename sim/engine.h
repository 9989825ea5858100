/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * The virtual-time engine of dnngov-sim and the interface its contenders
 * (governor models, oracle, dnngov) implement. Time is in nanoseconds of
 * virtual time; nothing here reads a clock except the wall-time figure.
 */
#ifndef DNNGOV_SIM_ENGINE_H
#define DNNGOV_SIM_ENGINE_H

#include "sim.h"

#define SIM_QUEUE	256

struct sim;

/* A contender: a frequency policy for every domain plus a level policy. */
struct sim_ctl {
	const char *name;
	const char *desc;
	uint64_t tick_ns;	/* period of tick(); 0 = no timer */
	int (*init)(struct sim *s, void **ctx);
	void (*fini)(void *ctx);
	void (*tick)(struct sim *s, void *ctx);
	/* After every inference of workload w (latency from arrival). */
	void (*done)(struct sim *s, void *ctx, unsigned int w, double lat_ms,
		     unsigned int level);
	/* After a scenario event or a workload arriving or leaving. */
	void (*changed)(struct sim *s, void *ctx);
};

struct sim_wl {
	const struct sim_wl_spec *spec;
	int dom;
	bool present;
	double target_ms;
	unsigned int level;		/* 0-based level of the next inference */
	const struct sim_level *lv;	/* the library on this device kind */
	uint64_t q[SIM_QUEUE];		/* arrival times waiting */
	unsigned int qh, qn;
	bool running;
	double remaining;		/* work left, in nominal inferences */
	uint64_t run_arrival;
	uint64_t run_start;		/* when the running job left the queue */
	unsigned int run_level;
	uint64_t next_arrival;		/* UINT64_MAX when none */
	uint64_t rng;			/* per-workload stream: same jitter for every contender */
	double busy_ns;			/* time in service */
	/* statistics */
	double *lat;
	size_t n_lat, cap_lat;
	uint64_t n_done, n_miss, n_dropped, n_unfinished;
	double acc_sum;
	double last_latency_ms;
};

struct sim_dom {
	unsigned int opp;		/* OPP in force */
	bool pending;
	unsigned int pending_opp;
	uint64_t pending_at;
	unsigned int lo, hi;		/* OPP index limits in force */
	uint32_t cap_khz;		/* limit event (thermal/power cap), 0 = none */
	unsigned int online;		/* cores online (0 = cluster off) */
	double corunner;		/* co-runner demand in cores */
	unsigned int n_run;
	double busy_max_ns;		/* time the busiest core was busy */
	double busy_core_ns;		/* core-ns busy */
	double dnn_busy_ns;		/* core-ns of DNN inference */
	double energy_j;
	unsigned int transitions;
	uint64_t rng;
};

struct sim_result {
	double duration_s;
	double energy_j;		/* modelled rails (CPU + GPU) */
	double board_energy_j;		/* plus the board base power */
	double cpu_energy_j, gpu_energy_j;	/* the rail energy by domain kind */
	uint64_t n_done, n_miss, n_unfinished;
	double miss_rate, j_per_inf, acc_mean, p50_ms, p99_ms;
	unsigned int transitions;
	double wall_s;
};

struct sim {
	const struct sim_board *b;
	const struct sim_board *model_b;	/* the board as dnngov's power model knows it */
	const struct sim_scenario *sc;
	const struct sim_library *lib;
	const struct sim_mode *mode;
	double phi[2];			/* compute fraction, CPU and GPU */
	uint64_t now, end;
	struct sim_dom dom[SIM_MAX_DOMAINS];
	struct sim_wl wl[SIM_MAX_WORKLOADS];
	unsigned int next_ev;
	const struct sim_ctl *ctl;
	void *ctx;
	uint64_t next_tick;
	FILE *trace;
	uint64_t trace_ns, next_trace;
	double trace_energy;
	double base_energy_j;
	unsigned int plat_sample_ms;	/* sim backend's load-sampling timer */
};

int sim_init(struct sim *s, const struct sim_board *b, const struct sim_scenario *sc,
	     const struct sim_library *lib, double compute_scale);
int sim_run(struct sim *s, const struct sim_ctl *ctl, FILE *trace,
	    struct sim_result *res, char *err, size_t errlen);
void sim_free(struct sim *s);

/* For contenders. */
void sim_request_opp(struct sim *s, unsigned int d, unsigned int opp);
void sim_set_level(struct sim *s, unsigned int w, unsigned int level);
/* Expected latency of a level at an OPP on its own, no interference (ms). */
double sim_service_ms(const struct sim *s, unsigned int w, unsigned int level,
		      unsigned int opp);
/* Lowest level meeting the workload's accuracy floor (0 when none does). */
unsigned int sim_floor_level(const struct sim *s, unsigned int w);
/* The frequency a domain is at, or is switching to. */
unsigned int sim_target_opp(const struct sim *s, unsigned int d);

/* agent/lib/platform_sim.c: the agent's "sim" platform backend. */
struct dnngov_platform;
#define SIM_PLAT_PIN_MAX	(1U << 0)	/* ablation: frequency fixed at the maximum */
#define SIM_PLAT_SAMPLE_MS	50		/* dnngov.ko sample_ms default */
#define SIM_PLAT_HYSTERESIS	5		/* dnngov.ko hysteresis_pct default */
int dnngov_platform_sim_init(struct dnngov_platform *p, struct sim *s, unsigned int flags);

extern const struct sim_ctl sim_ctl_performance, sim_ctl_powersave,
	sim_ctl_schedutil, sim_ctl_ondemand, sim_ctl_oracle;
extern const struct sim_ctl sim_ctl_dnngov, sim_ctl_dnngov_subnet_only,
	sim_ctl_dnngov_dvfs_only;

#endif /* DNNGOV_SIM_ENGINE_H */
