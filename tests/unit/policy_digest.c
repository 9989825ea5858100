// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Digest of the policy's outputs over random instances, slowdown reports
 * and load floors. check-policy builds it for the host and for arm64 (run
 * under qemu-aarch64) and requires the same digest: the module on an arm64
 * board decides bit for bit what the agent or simulator on x86-64 predicts.
 *
 *   policy_digest SEED COUNT
 */
#include <stdio.h>
#include <stdlib.h>

#include "policy_ref.h"

static u64 digest = 14695981039346656037ULL;	/* FNV-1a */

static void mix(u64 v)
{
	int i;

	for (i = 0; i < 8; i++) {
		digest ^= (v >> (8 * i)) & 0xff;
		digest *= 1099511628211ULL;
	}
}

int main(int argc, char **argv)
{
	static struct dnngov_domain d;
	static struct dnngov_workload ws[DNNGOV_POLICY_MAX_WORKLOADS];
	static const struct dnngov_workload *wp[DNNGOV_POLICY_MAX_WORKLOADS];
	static struct dnngov_decision out;
	struct ref_gen_opts o = { 32, 64, 16, 0 };
	struct ref_rng r;
	u64 busy, dnn, window;
	u32 k, count, n, i;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SEED COUNT\n", argv[0]);
		return 2;
	}
	r.s = strtoull(argv[1], NULL, 0);
	count = (u32)strtoul(argv[2], NULL, 0);
	for (i = 0; i < DNNGOV_POLICY_MAX_WORKLOADS; i++)
		wp[i] = &ws[i];
	for (k = 0; k < count; k++) {
		ref_gen_instance(&r, &o, &d, ws, &n);
		d.hysteresis_pct = (u32)ref_rng_range(&r, 0, 20);
		mix((u64)(u32)dnngov_policy_decide(&d, wp, n, &out));
		mix(out.opp);
		mix(out.flags);
		mix(out.power_uw);
		for (i = 0; i < n; i++) {
			mix(out.level[i]);
			mix(out.latency_us[i]);
			mix(out.wflags[i]);
		}
		/* reports at the chosen OPP, some of them far off */
		for (i = 0; i < n; i++) {
			u32 lat = out.latency_us[i] ? out.latency_us[i] : 1;

			dnngov_policy_report(&ws[i], out.level[i], out.freq_khz,
					     (u32)((u64)lat *
						   ref_rng_range(&r, 20, 500) /
						   100));
			mix(ws[i].slowdown_fp);
			mix((u64)(u32)ws[i].outlier_run);
		}
		/* one draw per statement: argument order is unspecified */
		busy = ref_rng_next(&r) >> 40;
		dnn = ref_rng_next(&r) >> 42;
		window = ref_rng_next(&r) >> 44;
		mix(dnngov_policy_load_floor(&d, out.freq_khz, busy, dnn,
					     window));
		mix(dnngov_policy_power_uw(&d, out.opp, ref_rng_next(&r)));
	}
	printf("policy digest %016llx over %u instances\n",
	       (unsigned long long)digest, count);
	return 0;
}
