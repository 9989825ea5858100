// SPDX-License-Identifier: MIT
/*
 * dnngov agent: choosing a backend. "auto" prefers the module (exact
 * governor in the kernel), then the stock userspace governors, then none.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "platform.h"

static int try_open(struct dnngov_platform *p, const char *name,
		    const char *sysfs_root)
{
	int err;

	if (!strcmp(name, "kernel"))
		err = dnngov_platform_kernel_init(p);
	else if (!strcmp(name, "sysfs"))
		err = dnngov_platform_sysfs_init(p, sysfs_root);
	else if (!strcmp(name, "none"))
		err = dnngov_platform_none_init(p);
	else
		return dnngov_platform_errf(p, -EINVAL,
					    "unknown backend '%s' (use auto, kernel, sysfs or none)",
					    name);
	if (err < 0)
		return err;
	err = p->ops->open(p);
	if (err < 0) {
		char msg[DNNGOV_PLATFORM_ERRMSG_MAX];

		/* close frees what init allocated; keep open's reason */
		memcpy(msg, p->errmsg, sizeof(msg));
		if (p->ops->close)
			p->ops->close(p);
		memcpy(p->errmsg, msg, sizeof(msg));
		p->ops = NULL;
	}
	return err;
}

int dnngov_platform_open_best(struct dnngov_platform *p, const char *want,
			      const char *sysfs_root, char *why,
			      unsigned int why_len)
{
	static const char *const order[] = { "kernel", "sysfs", "none" };
	char reasons[2 * DNNGOV_PLATFORM_ERRMSG_MAX + 16] = "";
	unsigned int i;
	int err;

	if (why && why_len)
		why[0] = '\0';
	if (want && strcmp(want, "auto")) {
		err = try_open(p, want, sysfs_root);
		return err;
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		err = try_open(p, order[i], sysfs_root);
		if (!err)
			break;
		snprintf(reasons + strlen(reasons),
			 sizeof(reasons) - strlen(reasons), "%s%s: %s",
			 reasons[0] ? "; " : "", order[i], p->errmsg);
	}
	if (err)
		return err;
	if (why && why_len && reasons[0])
		snprintf(why, why_len, "%s", reasons);
	return 0;
}
