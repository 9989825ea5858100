// SPDX-License-Identifier: GPL-2.0
/*
 * Build-only probe: compares module/compat.h's vendored struct
 * devfreq_governor with the kernel tree's own drivers/devfreq/governor.h.
 * compat.h's layout checks only compare it with itself; this catches a
 * vendor tree (or a version range) whose private header differs. Built by
 * scripts/kbuild/check-tree.sh against full source trees; never loaded.
 */
#include <linux/module.h>
#include <linux/stddef.h>
#include "governor.h"

/* compat.h's copies under other names, next to the real ones */
#define devfreq_governor	dnngov_vendored_governor
#define devfreq_add_governor	dnngov_vendored_add_governor
#define devfreq_remove_governor	dnngov_vendored_remove_governor
#define devfreq_get_freq_range	dnngov_vendored_get_freq_range
#define devfreq_update_stats	dnngov_vendored_update_stats
#include "compat.h"
#undef devfreq_governor
#undef devfreq_add_governor
#undef devfreq_remove_governor
#undef devfreq_get_freq_range
#undef devfreq_update_stats

/* the tree's struct and compat.h's, renamed above */
#define REAL struct devfreq_governor
#define OURS struct dnngov_vendored_governor

#ifdef DNNGOV_DEVFREQ_PUBLIC_HEADER
#error "compat.h uses the public devfreq-governor.h here: nothing vendored to compare"
#endif

static_assert(sizeof(REAL) == sizeof(OURS),
	      "compat.h: sizeof(struct devfreq_governor) differs from governor.h");
static_assert(offsetof(REAL, node) == offsetof(OURS, node) &&
	      sizeof_field(REAL, node) == sizeof_field(OURS, node),
	      "compat.h: devfreq_governor.node differs from governor.h");
static_assert(offsetof(REAL, name) == offsetof(OURS, name) &&
	      sizeof_field(REAL, name) == sizeof_field(OURS, name),
	      "compat.h: devfreq_governor.name differs from governor.h");
#if KERNEL_VERSION(5, 11, 0) <= LINUX_VERSION_CODE
static_assert(offsetof(REAL, attrs) == offsetof(OURS, attrs) &&
	      sizeof_field(REAL, attrs) == sizeof_field(OURS, attrs),
	      "compat.h: devfreq_governor.attrs differs from governor.h");
static_assert(offsetof(REAL, flags) == offsetof(OURS, flags) &&
	      sizeof_field(REAL, flags) == sizeof_field(OURS, flags),
	      "compat.h: devfreq_governor.flags differs from governor.h");
#else
static_assert(offsetof(REAL, immutable) == offsetof(OURS, immutable) &&
	      sizeof_field(REAL, immutable) == sizeof_field(OURS, immutable),
	      "compat.h: devfreq_governor.immutable differs from governor.h");
static_assert(offsetof(REAL, interrupt_driven) == offsetof(OURS, interrupt_driven) &&
	      sizeof_field(REAL, interrupt_driven) == sizeof_field(OURS, interrupt_driven),
	      "compat.h: devfreq_governor.interrupt_driven differs from governor.h");
#endif
static_assert(offsetof(REAL, get_target_freq) == offsetof(OURS, get_target_freq) &&
	      sizeof_field(REAL, get_target_freq) == sizeof_field(OURS, get_target_freq),
	      "compat.h: devfreq_governor.get_target_freq differs from governor.h");
static_assert(offsetof(REAL, event_handler) == offsetof(OURS, event_handler) &&
	      sizeof_field(REAL, event_handler) == sizeof_field(OURS, event_handler),
	      "compat.h: devfreq_governor.event_handler differs from governor.h");
static_assert(__same_type(((REAL *)NULL)->get_target_freq,
			  ((OURS *)NULL)->get_target_freq),
	      "compat.h: get_target_freq prototype differs from governor.h");
static_assert(__same_type(((REAL *)NULL)->event_handler,
			  ((OURS *)NULL)->event_handler),
	      "compat.h: event_handler prototype differs from governor.h");
#if KERNEL_VERSION(6, 0, 0) <= LINUX_VERSION_CODE
static_assert(__same_type(&devfreq_get_freq_range,
			  &dnngov_vendored_get_freq_range),
	      "compat.h: devfreq_get_freq_range prototype differs");
#endif
static_assert(DEVFREQ_GOV_START == 0x1 && DEVFREQ_GOV_STOP == 0x2 &&
	      DEVFREQ_GOV_UPDATE_INTERVAL == 0x3 &&
	      DEVFREQ_GOV_SUSPEND == 0x4 && DEVFREQ_GOV_RESUME == 0x5,
	      "compat.h: devfreq event numbers differ from governor.h");

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dnngov build-time devfreq layout probe (not for loading)");
