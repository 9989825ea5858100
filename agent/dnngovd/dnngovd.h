/* SPDX-License-Identifier: MIT */
/*
 * dnngovd: the dnngov agent daemon. Threads:
 *   main     poll loop: signals (signalfd), slow-loop timer (timerfd),
 *            platform events, the UNIX socket and its clients (all
 *            non-blocking), completions from the workers (eventfd)
 *   worker   one per workload: runs inferences from its queue (socket
 *            input) or its dataset (replay), calls the fast loop
 * The manager and all workload statistics are guarded by d->lock.
 */
#ifndef DNNGOVD_H
#define DNNGOVD_H

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <dnngov/dnngov.h>

#include "config.h"
#include "dataset.h"
#include "manager.h"
#include "protocol.h"

struct client;

/* An INFER request, from the socket to a worker and back. */
struct request {
	struct request *next;
	uint64_t client_id;	/* 0 once the client went away */
	uint32_t frame_id;
	uint16_t width, height;
	uint8_t channels, top_k;
	uint8_t *pixels;
	uint64_t t_enqueue_ns;
	int err;		/* result: 0 or -errno (msg says why) */
	char msg[160];
	struct proto_result res;
};

struct workload {
	struct dnngov_cfg_workload cfg;
	struct daemon *d;
	int handle;		/* manager handle */
	char domain[DNNGOV_DOMAIN_NAME_MAX];	/* resolved, "" = none */
	dnngov_model *model;
	dnngov_engine *eng;
	u32 n_levels;
	int eng_level[DNNGOV_POLICY_MAX_LEVELS];	/* manager level -> engine level */
	struct dnngov_level levels[DNNGOV_POLICY_MAX_LEVELS];
	char level_name[DNNGOV_POLICY_MAX_LEVELS][DNNGOV_LEVEL_NAME_MAX];
	int level_res[DNNGOV_POLICY_MAX_LEVELS];
	char calib_how[64];
	struct dnngov_dataset *ds;
	int n_classes;
	float *logits;

	pthread_t thread;
	bool started;
	bool stop;
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct request *qhead, *qtail;
	u32 qlen;

	/* under d->lock */
	u64 labelled, correct;
	u64 replayed;
	u64 latency_sum_us;
};

struct daemon {
	struct dnngov_cfg cfg;
	char cfg_path[DNNGOV_CFG_PATH_MAX];
	const char *backend_override;	/* -b */
	struct dnngov_platform plat;
	bool plat_open;
	char plat_note[512];
	struct dnngov_manager *mgr;
	pthread_mutex_t lock;
	struct workload *wl[DNNGOV_CFG_MAX_WORKLOADS];
	u64 start_ns;
	bool verbose;

	/* completions from workers */
	int efd;
	pthread_mutex_t done_lock;
	struct request *done_head, *done_tail;

	/* server */
	int lfd;
	char sock_path[108];
	struct client *clients;
	u32 n_clients;
	u64 next_client_id;
};

/* main.c */
u64 now_ns(void);
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* worker.c */
int workload_start(struct daemon *d, const struct dnngov_cfg_workload *c,
		   struct workload **out, char *err, unsigned int err_len);
void workload_stop(struct daemon *d, struct workload *w);
/* Queue a socket request; 0 or -EBUSY (queue full) / -EOPNOTSUPP. */
int workload_submit(struct workload *w, struct request *r);
/* Push the config's power_model file to the platform; 0 or -errno (logged). */
int power_model_push(struct daemon *d, const char *path);
void request_complete(struct daemon *d, struct request *r);
struct workload *daemon_find(struct daemon *d, const char *name);

/* server.c */
/* True when a daemon answers on @path already. */
bool server_in_use(const char *path);
int server_open(struct daemon *d, char *err, unsigned int err_len);
void server_close(struct daemon *d);
/* Fill pollfds from @pfd on; returns how many were added. */
int server_pollfds(struct daemon *d, struct pollfd *pfd, int max);
void server_handle(struct daemon *d, struct pollfd *pfd, int n);
void server_deliver(struct daemon *d);

/* control.c: reply JSON (malloc'ed) or an error; 0 or -errno. */
int control_handle(struct daemon *d, const char *req, uint32_t len,
		   char **reply, char *err, unsigned int err_len);

#endif /* DNNGOVD_H */
