// SPDX-License-Identifier: MIT
/*
 * dnngov agent: backend helpers and the "none" backend.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

int dnngov_platform_errf(struct dnngov_platform *p, int err, const char *fmt,
			 ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->errmsg, sizeof(p->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

/*
 * none: no frequency control. Workloads are accepted and forgotten, there
 * are no decisions, so the manager adapts subnets on measured latency only.
 */
struct none_priv {
	u32 next_id;
};

static int none_open(struct dnngov_platform *p)
{
	p->priv = calloc(1, sizeof(struct none_priv));
	if (!p->priv)
		return dnngov_platform_errf(p, -ENOMEM, "out of memory");
	return 0;
}

static void none_close(struct dnngov_platform *p)
{
	free(p->priv);
	p->priv = NULL;
}

static int none_list(struct dnngov_platform *p,
		     struct dnngov_platform_domain *out, u32 max, u32 *n)
{
	(void)p;
	(void)out;
	(void)max;
	*n = 0;
	return 0;
}

static int none_domain_get(struct dnngov_platform *p, const char *domain,
			   struct dnngov_platform_domain *out)
{
	(void)out;
	return dnngov_platform_errf(p, -ENODEV,
				    "domain %s: the none backend controls no frequency",
				    domain);
}

static int none_add(struct dnngov_platform *p,
		    const struct dnngov_platform_workload *w, u32 *id)
{
	struct none_priv *np = p->priv;

	(void)w;
	*id = ++np->next_id;
	return 0;
}

static int none_change(struct dnngov_platform *p, u32 id,
		       const struct dnngov_platform_workload *w)
{
	(void)p;
	(void)id;
	(void)w;
	return 0;
}

static int none_del(struct dnngov_platform *p, u32 id)
{
	(void)p;
	(void)id;
	return 0;
}

static int none_levels(struct dnngov_platform *p, u32 id,
		       const struct dnngov_level *levels, u32 n)
{
	(void)p;
	(void)id;
	(void)levels;
	(void)n;
	return 0;
}

static int none_report(struct dnngov_platform *p, u32 id,
		       const struct dnngov_platform_report *r)
{
	(void)p;
	(void)id;
	(void)r;
	return 0;
}

static int none_decision(struct dnngov_platform *p, u32 id,
			 struct dnngov_platform_decision *out)
{
	(void)p;
	(void)id;
	(void)out;
	return -ENODATA;
}

static const struct dnngov_platform_ops none_ops = {
	.name = "none",
	.open = none_open,
	.close = none_close,
	.list_domains = none_list,
	.domain_get = none_domain_get,
	.workload_add = none_add,
	.workload_change = none_change,
	.workload_del = none_del,
	.set_levels = none_levels,
	.report = none_report,
	.decision = none_decision,
};

int dnngov_platform_none_init(struct dnngov_platform *p)
{
	memset(p, 0, sizeof(*p));
	p->ops = &none_ops;
	return 0;
}

void dnngov_platform_close(struct dnngov_platform *p)
{
	if (p->ops && p->ops->close)
		p->ops->close(p);
	p->ops = NULL;
}
