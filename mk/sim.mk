# dnngov-sim: the simulated board, governor models, oracle and the dnngov
# contender (agent manager + policy core through the sim backend).
#
#   make userspace     also builds build/bin/dnngov-sim
#   make check-sim     unit tests of the simulator (part of check-unit)
#   make compare       all scenarios x contenders + sensitivity run:
#                      build/compare/{results.md,results.csv,*.png}

SIM_BIN      := $(BUILD)/bin/dnngov-sim
SIM_OBJDIR   := $(BUILD)/sim/obj
SIM_CFLAGS    = $(ALL_CFLAGS) -I$(TOP)/sim -I$(TOP)/agent/lib
SIM_LIBS      = -linih -ljson-c -lm
# The simulator's own code, then the real agent manager and policy core.
SIM_CORE_SRCS := sim/board.c sim/latency.c sim/scenario.c sim/engine.c \
		 sim/governors.c sim/oracle.c sim/ctl_dnngov.c \
		 agent/lib/platform_sim.c agent/lib/policy_host.c agent/lib/manager.c agent/lib/platform.c \
		 module/policy.c
SIM_CORE_OBJS = $(patsubst %.c,$(SIM_OBJDIR)/%.o,$(SIM_CORE_SRCS))
SIM_HDRS      = $(wildcard $(TOP)/sim/*.h) $(TOP)/agent/lib/platform.h $(TOP)/agent/lib/policy_host.h \
		$(TOP)/agent/lib/manager.h $(TOP)/include/dnngov/policy.h
SIM_TEST_BIN := $(BUILD)/sim/test_sim

.PHONY: check-sim compare sim

sim: $(SIM_BIN)
userspace: $(SIM_BIN)

$(SIM_OBJDIR)/%.o: $(TOP)/%.c $(SIM_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(SIM_CFLAGS) -c $< -o $@

$(SIM_BIN): $(SIM_CORE_OBJS) $(SIM_OBJDIR)/sim/main.o
	@mkdir -p $(dir $@)
	$(CC) $(SIM_CFLAGS) $^ -o $@ $(SIM_LIBS)

$(SIM_TEST_BIN): $(TOP)/tests/unit/test_sim.c $(SIM_CORE_OBJS) $(SIM_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(SIM_CFLAGS) $< $(SIM_CORE_OBJS) -o $@ -lcmocka $(SIM_LIBS)

# cmocka tests (determinism, governor models, energy, oracle, caps, speed,
# bad files), the sensor-parsing tests on recorded sysfs trees, and a smoke
# run of one scenario through the real binary.
check-sim: $(SIM_TEST_BIN) $(SIM_BIN)
	@cd $(TOP) && out=$$($(SIM_TEST_BIN) 2>&1); rc=$$?; echo "$$out"; \
	p=$$(echo "$$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1); \
	f=$$(echo "$$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1); \
	s=$$(echo "$$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | tail -1); \
	[ -n "$$p" ] || p=0; [ -n "$$f" ] || f=0; [ -n "$$s" ] || s=0; \
	if [ $$rc -ne 0 ] && [ $$f -eq 0 ]; then f=1; fi; \
	out2=$$(sh $(TOP)/tests/unit/test_power_sensors.sh 2>&1); rc2=$$?; echo "$$out2"; \
	p2=$$(echo "$$out2" | sed -n 's/^sensors: \([0-9]*\) passed.*/\1/p'); \
	f2=$$(echo "$$out2" | sed -n 's/^sensors: [0-9]* passed, \([0-9]*\) failed.*/\1/p'); \
	[ -n "$$p2" ] || p2=0; [ -n "$$f2" ] || f2=1; \
	if [ $$rc2 -ne 0 ] && [ $$f2 -eq 0 ]; then f2=1; fi; \
	out3=$$(SIM_BIN=$(SIM_BIN) sh $(TOP)/tests/unit/test_sim_smoke.sh 2>&1); rc3=$$?; echo "$$out3"; \
	p3=$$(echo "$$out3" | sed -n 's/^smoke: \([0-9]*\) passed.*/\1/p'); \
	f3=$$(echo "$$out3" | sed -n 's/^smoke: [0-9]* passed, \([0-9]*\) failed.*/\1/p'); \
	s3=$$(echo "$$out3" | sed -n 's/^smoke: .* failed, \([0-9]*\) skipped.*/\1/p'); \
	[ -n "$$p3" ] || p3=0; [ -n "$$f3" ] || f3=1; [ -n "$$s3" ] || s3=0; \
	if [ $$rc3 -ne 0 ] && [ $$f3 -eq 0 ]; then f3=1; fi; \
	p=$$((p + p2 + p3)); f=$$((f + f2 + f3)); s=$$((s + s3)); \
	CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/record-result.sh sim $$p $$f $$s; \
	echo "check-sim: $$p passed, $$f failed, $$s skipped"; \
	[ $$f -eq 0 ]

check-unit: check-sim

compare: $(SIM_BIN)
	@sh $(TOP)/scripts/deps.sh compare
	@BUILD=$(BUILD) PYTHON=$(PYTHON) sh $(TOP)/scripts/compare.sh
