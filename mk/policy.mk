# The policy core: module/policy.c (Documentation/policy.md).
#
#   make check-policy   cmocka tests against an independent reference and
#                       exact searches (part of check-unit), plus kernel-like
#                       freestanding builds (x86-64, and arm64 when the cross
#                       gcc is installed) that must leave no undefined symbol,
#                       and the same decisions on arm64 (qemu-aarch64) as on
#                       the host over 2000 random instances
#   make bench-policy   cost of one decision on the largest instance
#                       (32 workloads x 16 levels x 64 OPPs): ns per call and
#                       instructions per call under callgrind
#
# DNNGOV_TEST_SEED=N repeats a random run; DNNGOV_TEST_SCALE=K runs K times
# as many random instances.

POLICY_DIR   := $(BUILD)/policy
POLICY_SRC   := $(TOP)/module/policy.c
POLICY_HDR   := $(TOP)/include/dnngov/policy.h
POLICY_TEST  := $(POLICY_DIR)/test_policy
POLICY_BENCH := $(POLICY_DIR)/bench_policy
POLICY_TEST_SRCS := $(TOP)/tests/unit/test_policy.c $(TOP)/tests/unit/policy_ref.c
POLICY_DIGEST := $(POLICY_DIR)/policy_digest
POLICY_DIGEST_SRCS := $(TOP)/tests/unit/policy_digest.c $(TOP)/tests/unit/policy_ref.c $(POLICY_SRC)
POLICY_ARM_CC ?= aarch64-linux-gnu-gcc
POLICY_ARM_RUN ?= qemu-aarch64-static

# What the module build demands of this file, without kernel headers: no
# libc, no FP or SIMD registers, declarations first, no VLA, small frames.
POLICY_FREE_FLAGS := -std=gnu11 -O2 -ffreestanding -fno-builtin -nostdlib \
	-mgeneral-regs-only -Wall -Wextra -Werror -Wdeclaration-after-statement \
	-Wvla -Wframe-larger-than=400 -I$(TOP)/include
# compiler:nm pairs for the freestanding check
POLICY_FREE_CCS ?= $(CC):nm aarch64-linux-gnu-gcc:aarch64-linux-gnu-nm

.PHONY: check-policy bench-policy

$(POLICY_TEST): $(POLICY_TEST_SRCS) $(TOP)/tests/unit/policy_ref.h $(POLICY_SRC) $(POLICY_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $(POLICY_TEST_SRCS) $(POLICY_SRC) -lcmocka -lm

# -ffp-contract=off: the instance generator's doubles round alike on both.
$(POLICY_DIGEST): $(POLICY_DIGEST_SRCS) $(TOP)/tests/unit/policy_ref.h $(POLICY_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -ffp-contract=off -o $@ $(POLICY_DIGEST_SRCS)

$(POLICY_BENCH): $(TOP)/tests/bench/bench_policy.c $(POLICY_SRC) $(POLICY_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(POLICY_SRC)

# cmocka's TAP output gives one "ok"/"not ok" line per test.
check-policy: $(POLICY_TEST) $(POLICY_DIGEST)
	@pass=0; fail=0; skip=0; \
	out=$$(cd $(TOP) && CMOCKA_MESSAGE_OUTPUT=TAP $(POLICY_TEST) 2>&1); rc=$$?; \
	echo "$$out"; \
	p=$$(echo "$$out" | grep -c '^ok '); f=$$(echo "$$out" | grep -c '^not ok '); \
	if [ $$rc -ne 0 ] && [ $$f -eq 0 ]; then f=1; fi; \
	pass=$$((pass + p)); fail=$$((fail + f)); \
	for pair in $(POLICY_FREE_CCS); do \
		cc=$${pair%%:*}; nm=$${pair##*:}; o=$(POLICY_DIR)/free-$$(basename $$cc).o; \
		if ! command -v $$cc >/dev/null 2>&1 || ! command -v $$nm >/dev/null 2>&1; then \
			echo "skip: freestanding build with $$cc (not installed)"; skip=$$((skip + 1)); continue; \
		fi; \
		if $$cc $(POLICY_FREE_FLAGS) -c $(POLICY_SRC) -o $$o && [ -z "$$($$nm -u $$o)" ]; then \
			echo "ok: freestanding build with $$cc, no undefined symbol"; pass=$$((pass + 1)); \
		else \
			echo "not ok: freestanding build with $$cc:"; $$nm -u $$o 2>/dev/null; fail=$$((fail + 1)); \
		fi; \
	done; \
	if command -v $(POLICY_ARM_CC) >/dev/null 2>&1 && command -v $(POLICY_ARM_RUN) >/dev/null 2>&1; then \
		a=$$($(POLICY_DIGEST) 42 2000); \
		if $(POLICY_ARM_CC) $(CPPFLAGS) $(ALL_CFLAGS) -ffp-contract=off -static -o $(POLICY_DIGEST)-arm64 $(POLICY_DIGEST_SRCS) && \
		   b=$$($(POLICY_ARM_RUN) $(POLICY_DIGEST)-arm64 42 2000) && [ "$$a" = "$$b" ]; then \
			echo "ok: arm64 decides as the host: $$a"; pass=$$((pass + 1)); \
		else \
			echo "not ok: arm64 digest differs: host '$$a', arm64 '$$b'"; fail=$$((fail + 1)); \
		fi; \
	else \
		echo "skip: arm64 digest ($(POLICY_ARM_CC) or $(POLICY_ARM_RUN) not installed)"; skip=$$((skip + 1)); \
	fi; \
	CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/record-result.sh policy $$pass $$fail $$skip; \
	echo "check-policy: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

check-unit: check-policy

# Timing first (no instrumentation), then callgrind counting only inside
# dnngov_policy_decide(); the bench prints both figures.
bench-policy: $(POLICY_BENCH)
	@$(POLICY_BENCH) --time
	@command -v valgrind >/dev/null 2>&1 || { echo "bench-policy: valgrind missing (scripts/deps.sh unit)"; exit 1; }
	@cd $(POLICY_DIR) && for kind in feasible infeasible worst; do \
		valgrind --tool=callgrind --callgrind-out-file=callgrind.$$kind.out \
			--toggle-collect=dnngov_policy_decide $(POLICY_BENCH) --calls 100 $$kind \
			>/dev/null 2>callgrind.$$kind.log || { cat callgrind.$$kind.log; exit 1; }; \
		ir=$$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' callgrind.$$kind.out); \
		echo "policy decide, largest, $$kind: $$((ir / 100)) instructions per call (callgrind Ir over 100 calls)"; \
	done
