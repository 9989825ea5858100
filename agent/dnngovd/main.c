// SPDX-License-Identifier: MIT
/*
 * dnngovd: the dnngov agent daemon (Documentation/agent.md).
 *
 *   dnngovd [-c CONFIG] [-b BACKEND] [-t] [-v]
 *
 * SIGHUP reloads the config without dropping unchanged workloads; SIGTERM
 * and SIGINT stop it cleanly (workloads deleted from the platform, the
 * netlink socket closed, governors given back).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "dnngovd.h"

#define MAX_POLL	(8 + 1024 + 1)

/*
 * Signals arrive through a self-pipe, not a signalfd: libraries start
 * threads before main() (OpenBLAS), and a process signal may land on any
 * thread that doesn't block it; a handler is safe on every thread.
 */
static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	if (write(sig_pipe[1], &b, 1) < 0) {
		/* pipe full: a signal is pending already */
	}
	errno = saved;
}

u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

void logmsg(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* one write per line: threads don't interleave; journald stamps it */
	fprintf(stderr, "dnngovd: %s\n", buf);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dnngovd [-c CONFIG] [-b BACKEND] [-t] [-v]\n"
		"  -c CONFIG   config file (default %s)\n"
		"  -b BACKEND  auto, kernel, sysfs or none (overrides [daemon] backend)\n"
		"  -t          check the config and its model files, then exit\n"
		"  -v          log decisions that change a frequency, level or flags\n"
		"Signals: SIGHUP reloads CONFIG, SIGTERM/SIGINT exit cleanly.\n"
		"See Documentation/agent.md.\n", DNNGOV_CFG_DEFAULT_PATH);
}

/* -t: the config parsed; do its models and datasets open too? */
static int check_config(const struct dnngov_cfg *c)
{
	struct dnngov_dataset *ds;
	dnngov_model *m;
	char err[512];
	int bad = 0;
	u32 i;

	for (i = 0; i < c->n_workloads; i++) {
		const struct dnngov_cfg_workload *w = &c->wl[i];

		if (dnngov_model_open(&m, w->model)) {
			fprintf(stderr, "dnngovd: %s:%d: workload %s: %s\n", c->path,
				w->line, w->name, dnngov_errmsg());
			bad = 1;
		} else {
			dnngov_model_close(m);
		}
		if (w->input == DNNGOV_INPUT_REPLAY) {
			if (dnngov_dataset_load(w->replay, w->labels, 1, &ds, err, sizeof(err))) {
				fprintf(stderr, "dnngovd: %s:%d: workload %s: %s\n",
					c->path, w->line, w->name, err);
				bad = 1;
			} else {
				dnngov_dataset_free(ds);
			}
		}
	}
	if (!bad)
		printf("%s: ok, %u workload(s)\n", c->path, c->n_workloads);
	return bad;
}

static int slot_of(struct daemon *d, struct workload *w)
{
	int i;

	for (i = 0; i < DNNGOV_CFG_MAX_WORKLOADS; i++)
		if (d->wl[i] == w)
			return i;
	return -1;
}

static int start_one(struct daemon *d, const struct dnngov_cfg_workload *c)
{
	char err[512];
	struct workload *w;
	int i, r;

	r = workload_start(d, c, &w, err, sizeof(err));
	if (r) {
		logmsg("%s", err);
		return r;
	}
	for (i = 0; i < DNNGOV_CFG_MAX_WORKLOADS && d->wl[i]; i++)
		;
	d->wl[i] = w;	/* configs hold at most MAX_WORKLOADS */
	return 0;
}

static void stop_one(struct daemon *d, struct workload *w)
{
	int i = slot_of(d, w);

	if (i >= 0)
		d->wl[i] = NULL;
	logmsg("workload %s: stopped", w->cfg.name);
	workload_stop(d, w);
}

/* SIGHUP: keep what is unchanged, change targets in place, stop/start the rest. */
static void reload(struct daemon *d)
{
	static struct dnngov_cfg nc;	/* large */
	char err[512];
	u32 i;
	int kept = 0, changed = 0, started = 0, stopped = 0;

	if (dnngov_config_load(d->cfg_path, &nc, err, sizeof(err))) {
		logmsg("reload failed, keeping the running configuration: %s", err);
		return;
	}
	if (strcmp(nc.socket, d->cfg.socket) || strcmp(nc.backend, d->cfg.backend) ||
	    strcmp(nc.sysfs_root, d->cfg.sysfs_root) ||
	    strcmp(nc.socket_group, d->cfg.socket_group) ||
	    nc.socket_mode != d->cfg.socket_mode)
		logmsg("reload: socket and backend settings take effect at the next restart");
	for (i = 0; i < DNNGOV_CFG_MAX_WORKLOADS; i++) {
		struct workload *w = d->wl[i];
		const struct dnngov_cfg_workload *n;

		if (!w)
			continue;
		n = dnngov_config_find(&nc, w->cfg.name);
		if (!n || !dnngov_config_same_structure(&w->cfg, n)) {
			stop_one(d, w);
			stopped++;
			continue;
		}
		/* workers read these under the lock */
		pthread_mutex_lock(&d->lock);
		if (n->target_us != w->cfg.target_us ||
		    n->accuracy_floor != w->cfg.accuracy_floor ||
		    n->period_us != w->cfg.period_us) {
			dnngov_manager_change(d->mgr, w->handle, n->target_us,
					      n->accuracy_floor, n->period_us);
			changed++;
		} else {
			kept++;
		}
		w->cfg.target_us = n->target_us;
		w->cfg.accuracy_floor = n->accuracy_floor;
		w->cfg.period_us = n->period_us;
		w->cfg.line = n->line;
		pthread_mutex_unlock(&d->lock);
	}
	/* the new file's path/line for messages, daemon limits that apply live */
	snprintf(d->cfg.path, sizeof(d->cfg.path), "%s", nc.path);
	d->cfg.tick_ms = nc.tick_ms;
	d->cfg.max_clients = nc.max_clients;
	d->cfg.queue_depth = nc.queue_depth;
	for (i = 0; i < nc.n_workloads; i++) {
		if (daemon_find(d, nc.wl[i].name))
			continue;
		if (!start_one(d, &nc.wl[i]))
			started++;
	}
	logmsg("reloaded %s: %d kept, %d changed in place, %d stopped, %d started",
	       d->cfg_path, kept, changed, stopped, started);
}

static int tick_timer(struct daemon *d, int tfd)
{
	struct itimerspec its = { 0 };

	its.it_interval.tv_sec = d->cfg.tick_ms / 1000;
	its.it_interval.tv_nsec = (long)(d->cfg.tick_ms % 1000) * 1000000L;
	its.it_value = its.it_interval;
	return timerfd_settime(tfd, 0, &its, NULL);
}

static void tick(struct daemon *d)
{
	static char last_err[DNNGOV_PLATFORM_ERRMSG_MAX];
	int r;

	/* -v: what each workload last logged (frequency, level, flags) */
	static u32 seen[DNNGOV_CFG_MAX_WORKLOADS][3];
	struct dnngov_manager_stats st;
	u32 i;

	pthread_mutex_lock(&d->lock);
	r = dnngov_manager_tick(d->mgr, now_ns());
	for (i = 0; d->verbose && i < DNNGOV_CFG_MAX_WORKLOADS; i++) {
		if (!d->wl[i] || dnngov_manager_stats(d->mgr, d->wl[i]->handle, &st) ||
		    !st.decisions || (seen[i][0] == st.freq_khz &&
				      seen[i][1] == st.recommended &&
				      seen[i][2] == st.decision_flags))
			continue;
		seen[i][0] = st.freq_khz;
		seen[i][1] = st.recommended;
		seen[i][2] = st.decision_flags;
		logmsg("workload %s: decision %llu: %u kHz, level %u recommended, flags 0x%x",
		       st.name, (unsigned long long)st.decisions, st.freq_khz,
		       st.recommended, st.decision_flags);
	}
	if (r && strcmp(last_err, dnngov_manager_last_error(d->mgr))) {
		snprintf(last_err, sizeof(last_err), "%s",
			 dnngov_manager_last_error(d->mgr));
		logmsg("%s", last_err);	/* once per distinct error */
	}
	pthread_mutex_unlock(&d->lock);
}

static int run(struct daemon *d)
{
	struct pollfd pfd[MAX_POLL];
	u32 tick_ms = d->cfg.tick_ms;
	int sfd = sig_pipe[0], tfd, pev = -1;

	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (tfd < 0 || tick_timer(d, tfd)) {
		logmsg("timerfd: %s", strerror(errno));
		return 1;
	}
	if (d->plat.ops->event_fd)
		pev = d->plat.ops->event_fd(&d->plat);
	for (;;) {
		int n = 0, ns, i;
		unsigned char sig;

		pfd[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = tfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d->efd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = pev, .events = POLLIN };
		ns = server_pollfds(d, pfd + n, MAX_POLL - n);
		if (poll(pfd, (nfds_t)(n + ns), -1) < 0 && errno != EINTR) {
			logmsg("poll: %s", strerror(errno));
			return 1;
		}
		if (pfd[0].revents && read(sfd, &sig, 1) == 1) {
			if (sig == SIGHUP) {
				reload(d);
				if (tick_ms != d->cfg.tick_ms) {
					tick_ms = d->cfg.tick_ms;
					tick_timer(d, tfd);
				}
			} else {
				logmsg("%s: exiting", strsignal(sig));
				break;
			}
		}
		if (pfd[1].revents) {
			uint64_t x;

			if (read(tfd, &x, sizeof(x)) > 0)
				tick(d);
		}
		if (pfd[3].revents)
			tick(d);	/* a decision arrived: follow it now */
		if (pfd[2].revents)
			server_deliver(d);
		for (i = 0; i < ns; i++)
			if (pfd[n + i].revents)
				break;
		if (i < ns)
			server_handle(d, pfd + n, ns);
	}
	close(tfd);
	return 0;
}

int main(int argc, char **argv)
{
	static struct daemon dd;
	struct daemon *d = &dd;
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512];
	u32 i;
	int opt, r, status = 0, check = 0;

	/*
	 * Before any engine exists: on a CPU OpenBLAS does not recognise (VMs)
	 * re-exec with its fast kernels (the library constructor does the same;
	 * this keeps it explicit and is a no-op once OPENBLAS_CORETYPE is set).
	 */
	if (dnngov_blas_check_coretype(argv))
		fprintf(stderr, "dnngovd: %s; running on OpenBLAS's default kernels\n",
			dnngov_errmsg());
	snprintf(d->cfg_path, sizeof(d->cfg_path), "%s", DNNGOV_CFG_DEFAULT_PATH);
	while ((opt = getopt(argc, argv, "c:b:tvh")) != -1) {
		switch (opt) {
		case 'c':
			snprintf(d->cfg_path, sizeof(d->cfg_path), "%s", optarg);
			break;
		case 'b':
			d->backend_override = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'v':
			d->verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (dnngov_config_load(d->cfg_path, &d->cfg, err, sizeof(err))) {
		fprintf(stderr, "dnngovd: %s\n", err);
		return 2;
	}
	if (check)
		return check_config(&d->cfg) ? 2 : 0;
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK)) {
		fprintf(stderr, "dnngovd: pipe: %s\n", strerror(errno));
		return 1;
	}
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* before touching any domain: is another dnngovd running? */
	if (server_in_use(d->cfg.socket)) {
		fprintf(stderr, "dnngovd: another dnngovd is serving %s\n", d->cfg.socket);
		return 1;
	}
	d->start_ns = now_ns();
	d->lfd = -1;
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_init(&d->done_lock, NULL);
	d->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->efd < 0) {
		logmsg("eventfd: %s", strerror(errno));
		return 1;
	}
	r = dnngov_platform_open_best(&d->plat,
				      d->backend_override ? d->backend_override : d->cfg.backend,
				      d->cfg.sysfs_root, d->plat_note,
				      sizeof(d->plat_note));
	if (r) {
		logmsg("backend %s: %s", d->backend_override ? d->backend_override :
		       d->cfg.backend, d->plat.errmsg);
		return 1;
	}
	d->plat_open = true;
	if (d->plat_note[0])
		logmsg("backend: %s (not used: %s)", d->plat.ops->name, d->plat_note);
	else
		logmsg("backend: %s", d->plat.ops->name);
	if (!strcmp(d->plat.ops->name, "none"))
		logmsg("no frequency control here: adapting subnets to the measured latency only");
	if (d->cfg.power_model[0] && power_model_push(d, d->cfg.power_model)) {
		status = 1;
		goto out;
	}
	if (dnngov_manager_create(&d->plat, NULL, &d->mgr)) {
		logmsg("out of memory");
		return 1;
	}
	/* workloads first: once the socket exists, dnngovd is ready */
	for (i = 0; i < d->cfg.n_workloads; i++) {
		if (start_one(d, &d->cfg.wl[i])) {
			status = 1;
			goto out;
		}
	}
	if (server_open(d, err, sizeof(err))) {
		logmsg("%s", err);
		status = 1;
		goto out;
	}
	logmsg("listening on %s", d->sock_path);
	status = run(d);
out:
	for (i = 0; i < DNNGOV_CFG_MAX_WORKLOADS; i++)
		if (d->wl[i])
			stop_one(d, d->wl[i]);
	server_deliver(d);
	server_close(d);
	dnngov_manager_destroy(d->mgr);
	dnngov_platform_close(&d->plat);
	logmsg("stopped");
	return status;
}
