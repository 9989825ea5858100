/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints: events/dnngov/dnngov_decision and dnngov_set_freq.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM dnngov

#if !defined(_DNNGOV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _DNNGOV_TRACE_H

#include <linux/tracepoint.h>
#include <linux/version.h>

/* 6.10 dropped the source argument of __assign_str() */
#if KERNEL_VERSION(6, 10, 0) <= LINUX_VERSION_CODE
#define dnngov_assign_str(dst, src) __assign_str(dst)
#else
#define dnngov_assign_str(dst, src) __assign_str(dst, src)
#endif

TRACE_EVENT(dnngov_decision,
	    TP_PROTO(const char *domain, u32 freq_khz, u32 opp, u32 flags,
		     u32 workloads, u64 power_uw),
	    TP_ARGS(domain, freq_khz, opp, flags, workloads, power_uw),
	    TP_STRUCT__entry(__string(domain, domain)
			     __field(u32, freq_khz)
			     __field(u32, opp)
			     __field(u32, flags)
			     __field(u32, workloads)
			     __field(u64, power_uw)),
	    TP_fast_assign(dnngov_assign_str(domain, domain);
			   __entry->freq_khz = freq_khz;
			   __entry->opp = opp;
			   __entry->flags = flags;
			   __entry->workloads = workloads;
			   __entry->power_uw = power_uw;),
	    TP_printk("domain=%s freq_khz=%u opp=%u flags=%#x workloads=%u power_uw=%llu",
		      __get_str(domain), __entry->freq_khz, __entry->opp,
		      __entry->flags, __entry->workloads, __entry->power_uw)
);

TRACE_EVENT(dnngov_set_freq,
	    TP_PROTO(const char *domain, u32 old_khz, u32 new_khz),
	    TP_ARGS(domain, old_khz, new_khz),
	    TP_STRUCT__entry(__string(domain, domain)
			     __field(u32, old_khz)
			     __field(u32, new_khz)),
	    TP_fast_assign(dnngov_assign_str(domain, domain);
			   __entry->old_khz = old_khz;
			   __entry->new_khz = new_khz;),
	    TP_printk("domain=%s old_khz=%u new_khz=%u",
		      __get_str(domain), __entry->old_khz, __entry->new_khz)
);

#endif /* _DNNGOV_TRACE_H */

/* out-of-tree: Kbuild adds -I for this directory */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
