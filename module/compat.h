/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel version shims, in the style of wireguard-linux-compat: everything
 * that differs between the kernels dnngov builds against lives here, so the
 * other files use one API.
 *
 * Supported: 5.10 (JetPack 5), 5.15 (JetPack 6), 6.1 and 6.12 (Debian), up
 * to the 6.19 public devfreq governor header. The devfreq part also covers
 * L4T 4.9 (best effort); genetlink below 5.10 is not supported.
 *
 * Built with -Werror against 5.10.89, 5.10.198, 5.15.100 and 5.15.148
 * source trees (arm64; 5.10.198 and 5.15.148 also x86_64), where the vendored struct
 * below matched each tree's drivers/devfreq/governor.h field by field:
 * scripts/kbuild/check-tree.sh, Documentation/install.md "Verified builds".
 */
#ifndef _DNNGOV_COMPAT_H
#define _DNNGOV_COMPAT_H

#include <linux/build_bug.h>
#include <linux/devfreq.h>
#include <linux/stddef.h>
#include <linux/version.h>
#include <net/genetlink.h>

#if KERNEL_VERSION(5, 10, 0) > LINUX_VERSION_CODE
/* generic netlink small_ops, family policies and NLA_POLICY_FULL_RANGE */
#error "dnngov needs Linux 5.10 or later"
#endif

/* ---- devfreq governor definitions ---- */

#if KERNEL_VERSION(6, 19, 0) <= LINUX_VERSION_CODE || \
	__has_include("linux/devfreq-governor.h")
#include <linux/devfreq-governor.h>
#define DNNGOV_DEVFREQ_PUBLIC_HEADER 1
#else
/*
 * drivers/devfreq/governor.h is private before 6.19 and distribution header
 * packages do not ship it: vendor exactly the layout of each range.
 */
#ifndef DEVFREQ_NAME_LEN
#define DEVFREQ_NAME_LEN 16
#endif

#define DEVFREQ_GOV_START		0x1
#define DEVFREQ_GOV_STOP		0x2
#define DEVFREQ_GOV_UPDATE_INTERVAL	0x3
#define DEVFREQ_GOV_SUSPEND		0x4
#define DEVFREQ_GOV_RESUME		0x5

#if KERNEL_VERSION(5, 11, 0) <= LINUX_VERSION_CODE
#define DEVFREQ_GOV_ATTR_POLLING_INTERVAL	BIT(0)
#define DEVFREQ_GOV_ATTR_TIMER			BIT(1)
#define DEVFREQ_GOV_FLAG_IMMUTABLE		BIT(0)
#define DEVFREQ_GOV_FLAG_IRQ_DRIVEN		BIT(1)

/* 5.11 .. 6.18: attrs and flags are u64 */
struct devfreq_governor {
	struct list_head node;
	const char name[DEVFREQ_NAME_LEN];
	const u64 attrs;
	const u64 flags;
	int (*get_target_freq)(struct devfreq *this, unsigned long *freq);
	int (*event_handler)(struct devfreq *devfreq, unsigned int event,
			     void *data);
};

#define DNNGOV_DEVFREQ_GOV_CB_OFFSET \
	(sizeof(struct list_head) + DEVFREQ_NAME_LEN + 2 * sizeof(u64))
#else
/* 5.10: immutable and interrupt_driven flags */
struct devfreq_governor {
	struct list_head node;
	const char name[DEVFREQ_NAME_LEN];
	const unsigned int immutable;
	const unsigned int interrupt_driven;
	int (*get_target_freq)(struct devfreq *this, unsigned long *freq);
	int (*event_handler)(struct devfreq *devfreq, unsigned int event,
			     void *data);
};

#define DNNGOV_DEVFREQ_GOV_CB_OFFSET \
	ALIGN(sizeof(struct list_head) + DEVFREQ_NAME_LEN + \
	      2 * sizeof(unsigned int), sizeof(void *))
#endif

int devfreq_add_governor(struct devfreq_governor *governor);
int devfreq_remove_governor(struct devfreq_governor *governor);
#if KERNEL_VERSION(6, 0, 0) <= LINUX_VERSION_CODE
/* exported (for the passive governor) but declared in the private header */
void devfreq_get_freq_range(struct devfreq *devfreq, unsigned long *min_freq,
			    unsigned long *max_freq);
#endif

/* private static inline before 6.19 */
static inline int devfreq_update_stats(struct devfreq *df)
{
	if (!df->profile->get_dev_status)
		return -EINVAL;
	return df->profile->get_dev_status(df->dev.parent, &df->last_status);
}
#endif

/*
 * Layout checks: the devfreq core calls through these offsets, so a layout
 * that drifts from the vendored one must not build.
 */
static inline void dnngov_compat_checks(void)
{
	BUILD_BUG_ON(DEVFREQ_NAME_LEN != 16);
	BUILD_BUG_ON(offsetof(struct devfreq_governor, name) !=
		     sizeof(struct list_head));
#ifndef DNNGOV_DEVFREQ_PUBLIC_HEADER
	BUILD_BUG_ON(offsetof(struct devfreq_governor, get_target_freq) !=
		     DNNGOV_DEVFREQ_GOV_CB_OFFSET);
	BUILD_BUG_ON(offsetof(struct devfreq_governor, event_handler) !=
		     DNNGOV_DEVFREQ_GOV_CB_OFFSET + sizeof(void *));
	BUILD_BUG_ON(sizeof(struct devfreq_governor) !=
		     DNNGOV_DEVFREQ_GOV_CB_OFFSET + 2 * sizeof(void *));
#endif
	BUILD_BUG_ON(DEVFREQ_GOV_START != 1 || DEVFREQ_GOV_STOP != 2 ||
		     DEVFREQ_GOV_SUSPEND != 4 || DEVFREQ_GOV_RESUME != 5);
}

/* ---- generic netlink ---- */

/* GENL_REQ_ATTR_CHECK (names the missing attribute in extack) is 5.17+. */
#ifndef GENL_REQ_ATTR_CHECK
#define GENL_REQ_ATTR_CHECK(info, attr) (!(info)->attrs[attr])
#endif

#ifndef NL_SET_ERR_ATTR_MISS
#define NL_SET_ERR_ATTR_MISS(extack, nest, type) do { } while (0)
#endif

/* nla_strlcpy became nla_strscpy in 5.11. */
#if KERNEL_VERSION(5, 11, 0) > LINUX_VERSION_CODE
#define nla_strscpy nla_strlcpy
#endif

/* 6.1 added resv_start_op; 0 (strict for every command) is the default. */

#endif /* _DNNGOV_COMPAT_H */
