// SPDX-License-Identifier: MIT
/*
 * A board power calibration (config "power_model = FILE") pushed to the
 * platform at start: the module's default model is a C·V²·f proxy, a
 * measured per-OPP table makes the energy choice real. File format, one OPP
 * per line ('#' comments):
 *
 *   DOMAIN  FREQ_KHZ  BUSY_MW  IDLE_MW
 *   cpufreq:policy0  1190400  812.5  95
 *
 * (power of one core, busy and idle, at that OPP; OPPs not listed keep the
 * module's model).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnngovd.h"

#define MAX_DOMS 8

struct pdom {
	char name[DNNGOV_DOMAIN_NAME_MAX];
	u32 n, khz[DNNGOV_POLICY_MAX_OPPS], busy[DNNGOV_POLICY_MAX_OPPS],
	    idle[DNNGOV_POLICY_MAX_OPPS];
};

static int bad(const char *path, int line, const char *why)
{
	logmsg("power_model %s:%d: %s (want: DOMAIN FREQ_KHZ BUSY_MW IDLE_MW)", path, line, why);
	return -EINVAL;
}

int power_model_push(struct daemon *d, const char *path)
{
	static struct pdom doms[MAX_DOMS];
	char buf[512], name[DNNGOV_DOMAIN_NAME_MAX + 1], extra[2];
	u32 n = 0, i;
	int line = 0, err = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		logmsg("power_model %s: %s", path, strerror(errno));
		return -errno;
	}
	memset(doms, 0, sizeof(doms));
	while (fgets(buf, sizeof(buf), f)) {
		unsigned long khz;
		double busy, idle;
		struct pdom *p = NULL;

		line++;
		buf[strcspn(buf, "#\n")] = '\0';
		if (strspn(buf, " \t\r") == strlen(buf))
			continue;
		if (sscanf(buf, "%64s %lu %lf %lf %1s", name, &khz, &busy, &idle, extra) != 4) {
			err = bad(path, line, "not 4 fields");
			break;
		}
		if (strlen(name) >= DNNGOV_DOMAIN_NAME_MAX || khz == 0 || khz > DNNGOV_FREQ_KHZ_MAX ||
		    !(busy > 0) || !(idle >= 0) || idle > busy || busy > 4.0e6) {
			err = bad(path, line, "domain name too long, frequency 0 or too high, or power not 0 <= idle <= busy <= 4000000 mW");
			break;
		}
		for (i = 0; i < n && !p; i++)
			if (!strcmp(doms[i].name, name))
				p = &doms[i];
		if (!p) {
			if (n == MAX_DOMS) {
				err = bad(path, line, "too many domains");
				break;
			}
			p = &doms[n++];
			snprintf(p->name, sizeof(p->name), "%s", name);
		}
		if (p->n == DNNGOV_POLICY_MAX_OPPS) {
			err = bad(path, line, "too many OPPs for this domain");
			break;
		}
		p->khz[p->n] = (u32)khz;
		p->busy[p->n] = (u32)(busy * 1000.0 + 0.5);
		p->idle[p->n] = (u32)(idle * 1000.0 + 0.5);
		p->n++;
	}
	fclose(f);
	if (!err && !n)
		err = bad(path, line, "no OPP lines");
	if (!err && !d->plat.ops->set_power) {
		logmsg("power_model %s: not used: backend %s keeps its own power model", path,
		       d->plat.ops->name);
		return 0;
	}
	for (i = 0; !err && i < n; i++) {
		pthread_mutex_lock(&d->lock);
		err = d->plat.ops->set_power(&d->plat, doms[i].name, doms[i].khz, doms[i].busy,
					     doms[i].idle, doms[i].n);
		pthread_mutex_unlock(&d->lock);
		if (err)
			logmsg("power_model %s: %s: %s", path, doms[i].name, d->plat.errmsg);
		else
			logmsg("power model of %s: %u OPPs from %s", doms[i].name, doms[i].n, path);
	}
	return err;
}
