// SPDX-License-Identifier: MIT
/* Thread-local error messages behind dnngov_errmsg(). */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

static _Thread_local char errbuf[512];

const char *dnngov_errmsg(void)
{
	return errbuf;
}

int dg_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return err;
}

void dg_error_clear(void)
{
	errbuf[0] = '\0';
}
