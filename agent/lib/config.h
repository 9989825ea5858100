/* SPDX-License-Identifier: MIT */
/*
 * dnngov agent: dnngovd's configuration file (Documentation/agent.md).
 *
 *   [daemon]           backend, sockets, tick
 *   [workload NAME]    one DNN: model, domain, CPUs, target, floor, input
 *
 * Parsed with inih; every error names the file, the line and the key.
 */
#ifndef DNNGOV_AGENT_CONFIG_H
#define DNNGOV_AGENT_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "platform.h"

#define DNNGOV_CFG_MAX_WORKLOADS	DNNGOV_POLICY_MAX_WORKLOADS
#define DNNGOV_CFG_PATH_MAX		512
#define DNNGOV_CFG_DEFAULT_PATH		"/etc/dnngov/dnngovd.conf"
#define DNNGOV_CFG_DEFAULT_SOCKET	"/run/dnngov/dnngovd.sock"

enum dnngov_cfg_input {
	DNNGOV_INPUT_SOCKET,	/* applications send images over the socket */
	DNNGOV_INPUT_REPLAY,	/* the daemon replays a dataset itself */
};

enum dnngov_cfg_calibrate {
	DNNGOV_CALIB_AUTO,	/* measure at 2+ frequencies if possible, else profile */
	DNNGOV_CALIB_PROFILE,	/* the model file's latency profile */
	DNNGOV_CALIB_MEASURE,	/* measure at the current frequency only */
};

struct dnngov_cfg_workload {
	char name[DNNGOV_WORKLOAD_NAME_MAX];
	int line;			/* line of the section's first key */
	char model[DNNGOV_CFG_PATH_MAX];
	char domain[DNNGOV_DOMAIN_NAME_MAX];	/* name, or "auto" */
	char cpus[64];			/* as written, "" = any */
	u64 cpu_mask;			/* 0 = any */
	u32 threads;
	u32 target_us;
	u32 accuracy_floor;		/* 1/100 % */
	u32 period_us;
	enum dnngov_cfg_input input;
	char replay[DNNGOV_CFG_PATH_MAX];	/* IDX(.gz) file or image folder */
	char labels[DNNGOV_CFG_PATH_MAX];	/* IDX labels, optional */
	u32 replay_limit;		/* images per pass, 0 = all */
	enum dnngov_cfg_calibrate calibrate;
};

struct dnngov_cfg {
	char path[DNNGOV_CFG_PATH_MAX];
	/* [daemon] */
	char backend[16];		/* auto, kernel, sysfs, none */
	char sysfs_root[DNNGOV_CFG_PATH_MAX];
	char power_model[DNNGOV_CFG_PATH_MAX];		/* per-OPP power file, "" = none */
	char socket[108];		/* sun_path */
	char socket_group[64];		/* "" = the daemon's group */
	u32 socket_mode;
	u32 tick_ms;
	u32 max_clients;
	u32 queue_depth;		/* pending requests per workload */
	/* [workload NAME] */
	u32 n_workloads;
	struct dnngov_cfg_workload wl[DNNGOV_CFG_MAX_WORKLOADS];
};

/* Defaults for [daemon] and no workload. */
void dnngov_config_defaults(struct dnngov_cfg *cfg);

/*
 * dnngov_config_load() - parse a config file
 * @path: file name (used in messages); relative model/replay/labels paths
 *	in the file are taken relative to its folder
 * @cfg: filled
 * @err: "FILE:LINE: key 'K': what is wrong" on failure
 * @err_len: size of @err
 * Return: 0, -ENOENT (can't open), -EINVAL (bad content).
 */
int dnngov_config_load(const char *path, struct dnngov_cfg *cfg, char *err,
		       unsigned int err_len);

/* The same on a string; @name stands for the file name in messages. */
int dnngov_config_parse_string(const char *text, const char *name,
			       struct dnngov_cfg *cfg, char *err,
			       unsigned int err_len);

/* Parse "0-3,6" into a mask of CPUs 0..63. 0 or -EINVAL. */
int dnngov_cpulist_parse(const char *s, u64 *mask);

/* Workload named @name in @cfg, or NULL. */
const struct dnngov_cfg_workload *
dnngov_config_find(const struct dnngov_cfg *cfg, const char *name);

/*
 * True when @a and @b differ only in what can change in place (target,
 * floor, period): SIGHUP then keeps the workload running.
 */
bool dnngov_config_same_structure(const struct dnngov_cfg_workload *a,
				  const struct dnngov_cfg_workload *b);

#endif /* DNNGOV_AGENT_CONFIG_H */
