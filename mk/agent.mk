# The agent: runtime manager, platform backends, config, socket protocol and
# client API (libdnngov's agent part), the daemon dnngovd and dnngovctl.
#
#   make userspace     build/bin/dnngovd, dnngovctl, dnngov-client-example
#   make check-agent   cmocka tests of the agent (part of check-unit)
#   make demo          dnngovd on the bundled Fashion-MNIST model, phases of
#                      targets changed through dnngovctl, summary per phase
#   make fuzz-agent    libFuzzer on the agent's parsers (part of check-unit)
#   make bench-agent   manager and socket overheads (figures)
#   make check-agent-vm  the agent against dnngov.ko in the test VM
#   make install-agent dnngovd, dnngovctl, unit, config (DESTDIR, PREFIX)
#
# The agent objects go into build/lib/libdnngov.a beside the engine's
# (mk/engine.mk): one library, one public header (include/dnngov/dnngov.h).

AGENT_CFLAGS  = $(ALL_CFLAGS) -I$(TOP)/agent/lib $(shell pkg-config --cflags libnl-genl-3.0 json-c 2>/dev/null)
AGENT_LIBS    = $(shell pkg-config --libs libnl-genl-3.0 json-c inih zlib 2>/dev/null || echo -lnl-genl-3 -lnl-3 -ljson-c -linih -lz) -lpthread -lm
AGENT_OBJDIR  = $(BUILD)/agent/obj
AGENT_LIB     = $(BUILD)/lib/libdnngov.a
AGENT_SRCS    = $(addprefix $(TOP)/agent/lib/,$(AGENT_LIB_FILES)) $(TOP)/module/policy.c
AGENT_LIB_FILES := manager.c platform.c platform_select.c platform_sysfs.c policy_host.c \
		   platform_kernel.c kernel_msg.c config.c protocol.c client.c dataset.c
AGENT_OBJS    = $(patsubst $(TOP)/%.c,$(AGENT_OBJDIR)/%.o,$(AGENT_SRCS))
AGENT_HDRS    = $(wildcard $(TOP)/agent/lib/*.h) $(TOP)/include/dnngov/policy.h \
		$(wildcard $(TOP)/include/dnngov/dnngov.h) $(TOP)/include/uapi/linux/dnngov.h

AGENT_TESTS   := manager sysfs_backend policy_host kernel_msg config protocol dataset daemon
AGENT_TEST_BINS = $(addprefix $(BUILD)/agent/tests/test_,$(AGENT_TESTS))

.PHONY: check-agent check-agent-vm check-agent-e2e fuzz-agent bench-agent install-agent agent-lib demo

DNNGOVD_OBJS  = $(patsubst $(TOP)/%.c,$(AGENT_OBJDIR)/%.o,$(wildcard $(TOP)/agent/dnngovd/*.c))
AGENT_PROG_LIBS = $(AGENT_LIB) $(AGENT_LIBS) $(ENGINE_LIBS)

userspace: $(BUILD)/bin/dnngovd $(BUILD)/bin/dnngovctl $(BUILD)/bin/dnngov-client-example

$(AGENT_OBJDIR)/agent/dnngovd/%.o: $(TOP)/agent/dnngovd/%.c $(TOP)/agent/dnngovd/dnngovd.h $(AGENT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(AGENT_CFLAGS) -c $< -o $@

$(BUILD)/bin/dnngovd: $(DNNGOVD_OBJS) $(AGENT_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(DNNGOVD_OBJS) -o $@ $(AGENT_PROG_LIBS)

$(BUILD)/bin/dnngovctl: $(TOP)/agent/dnngovctl/dnngovctl.c $(AGENT_LIB) $(AGENT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(AGENT_CFLAGS) $< -o $@ $(AGENT_PROG_LIBS)

$(BUILD)/bin/dnngov-client-example: $(TOP)/agent/examples/client.c $(AGENT_LIB) $(AGENT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(AGENT_CFLAGS) $< -o $@ $(AGENT_PROG_LIBS)

agent-lib: $(AGENT_LIB)

$(AGENT_OBJDIR)/%.o: $(TOP)/%.c $(AGENT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(AGENT_CFLAGS) -c $< -o $@

# The archive rule is mk/engine.mk's; this adds the agent's objects to it.
$(AGENT_LIB): $(AGENT_OBJS)

$(BUILD)/agent/tests/test_%: $(TOP)/tests/unit/test_%.c $(AGENT_LIB) $(AGENT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(AGENT_CFLAGS) $< -o $@ $(AGENT_TEST_LDFLAGS) $(AGENT_LIB) -lcmocka $(AGENT_LIBS) $(ENGINE_LIBS)

# test_manager counts allocations: the fast and slow loops must make none.
$(BUILD)/agent/tests/test_manager: AGENT_TEST_LDFLAGS = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc

# The daemon test links the whole library and runs the real dnngovd.
$(BUILD)/agent/tests/test_daemon: $(TOP)/tests/unit/test_daemon.c $(AGENT_LIB) \
		$(BUILD)/bin/dnngovd $(BUILD)/bin/dnngovctl $(BUILD)/engine/testdata/tiny.dnngov $(AGENT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(AGENT_CFLAGS) $< -o $@ -lcmocka $(AGENT_PROG_LIBS)

AGENT_TEST_ENV = DNNGOVD=$(BUILD)/bin/dnngovd DNNGOVCTL=$(BUILD)/bin/dnngovctl \
	DNNGOV_TEST_MODEL=$(BUILD)/engine/testdata/tiny.dnngov

# Each cmocka binary prints "[  PASSED  ] N test(s)." / "[  FAILED  ] M ...".
check-agent: $(AGENT_TEST_BINS)
	@pass=0; fail=0; skip=0; \
	for t in $(AGENT_TEST_BINS); do \
		out=$$(cd $(TOP) && $(AGENT_TEST_ENV) $$t 2>&1); rc=$$?; echo "$$out"; \
		p=$$(echo "$$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$$1} END {print s+0}'); \
		f=$$(echo "$$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$$1} END {print s+0}'); \
		s=$$(echo "$$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | awk '{s+=$$1} END {print s+0}'); \
		[ -n "$$f" ] || f=0; [ -n "$$p" ] || p=0; [ -n "$$s" ] || s=0; \
		if [ $$rc -ne 0 ] && [ $$f -eq 0 ]; then f=1; fi; \
		pass=$$((pass + p)); fail=$$((fail + f)); skip=$$((skip + s)); \
	done; \
	CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/record-result.sh agent $$pass $$fail $$skip; \
	echo "check-agent: $$pass passed, $$fail failed, $$skip skipped"; \
	[ $$fail -eq 0 ]

check-unit: check-agent fuzz-agent

# libFuzzer on the socket protocol, the config parser and the netlink
# parsers (tests/fuzz/fuzz_agent.c); skipped without clang.
AGENT_FUZZ_SECONDS ?= 20
AGENT_FUZZ_BIN = $(BUILD)/agent/fuzz/fuzz_agent
AGENT_FUZZ_SRCS = $(addprefix $(TOP)/agent/lib/,protocol.c config.c kernel_msg.c)
$(AGENT_FUZZ_BIN): $(TOP)/tests/fuzz/fuzz_agent.c $(AGENT_FUZZ_SRCS) $(AGENT_HDRS)
	@mkdir -p $(dir $@)
	clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		$(CPPFLAGS) -I$(TOP)/agent/lib $$(pkg-config --cflags libnl-genl-3.0) $< $(AGENT_FUZZ_SRCS) \
		-o $@ -linih -lnl-genl-3 -lnl-3 -lm

fuzz-agent:
	@if ! command -v clang >/dev/null 2>&1; then \
		echo "fuzz-agent: 0 passed, 0 failed, 1 skipped (needs clang)"; \
		CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/record-result.sh fuzz-agent 0 0 1; exit 0; fi; \
	$(MAKE) --no-print-directory $(AGENT_FUZZ_BIN) >/dev/null || { \
		echo "fuzz-agent: 0 passed, 1 failed (build failed)"; \
		CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/record-result.sh fuzz-agent 0 1; exit 1; }; \
	corpus=$(BUILD)/agent/fuzz/corpus; rm -rf $$corpus && mkdir -p $$corpus; \
	printf '\001[daemon]\nbackend = none\n[workload a]\nmodel = m\ntarget_ms = 5\n' > $$corpus/config; \
	printf '\000DNGV\001\000\001\000\000\000\000\000\000\000\000\000' > $$corpus/hdr; \
	if nice -n 10 $(AGENT_FUZZ_BIN) -max_total_time=$(AGENT_FUZZ_SECONDS) -max_len=4096 \
		-rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix=$(BUILD)/agent/fuzz/ \
		$$corpus > $(BUILD)/agent/fuzz/log 2>&1; then \
		grep -E 'stat::number_of_executed_units' $(BUILD)/agent/fuzz/log | tail -1; \
		echo "fuzz-agent: 1 passed, 0 failed ($(AGENT_FUZZ_SECONDS) s)"; \
		CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/record-result.sh fuzz-agent 1 0; \
	else \
		tail -40 $(BUILD)/agent/fuzz/log; \
		echo "fuzz-agent: 0 passed, 1 failed (crash; see $(BUILD)/agent/fuzz/log)"; \
		CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/record-result.sh fuzz-agent 0 1; exit 1; \
	fi

# bench-agent: manager fast-loop cost and dnngovd's socket overhead on the
# tiny test model (figures printed, nothing asserted).
$(BUILD)/agent/bench_agent: $(TOP)/tests/bench/bench_agent.c $(AGENT_LIB) $(AGENT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(AGENT_CFLAGS) $< -o $@ $(AGENT_PROG_LIBS)

bench-agent: $(BUILD)/agent/bench_agent $(BUILD)/bin/dnngovd $(BUILD)/engine/testdata/tiny.dnngov
	@d=$(BUILD)/agent/bench && rm -rf $$d && mkdir -p $$d && \
	printf '[daemon]\nbackend = none\nsocket = %s/d.sock\n[workload app]\nmodel = %s\ntarget_ms = 50\n' \
		$$d $(BUILD)/engine/testdata/tiny.dnngov > $$d/d.conf && \
	{ $(BUILD)/bin/dnngovd -c $$d/d.conf 2> $$d/log & pid=$$!; \
	  i=0; while [ ! -S $$d/d.sock ] && [ $$i -lt 100 ]; do sleep 0.1; i=$$((i+1)); done; \
	  nice -n 10 $(BUILD)/agent/bench_agent $$d/d.sock app 2000; rc=$$?; \
	  kill $$pid; wait $$pid; exit $$rc; }

# The agent against the real dnngov.ko in the VM of mk/vm.mk (x86_64):
# kernel backend + manager, then dnngovd with backend = kernel, dnngovctl
# and the example client (tests/agent-vm/run.sh). Static programs: the VM
# has no libraries. Not part of check-unit; run by hand or from check-vm.
AGENT_STATIC = $(BUILD)/agent/static
AGENT_STATIC_LIBS = $(AGENT_LIB) -lnl-genl-3 -lnl-3 -ljson-c -linih -lz \
	-lopenblas -lgfortran -lquadmath -lpthread -lm
AGENT_STATIC_QUIET = 2>&1 | { grep -v "statically linked applications requires at runtime\|libnl-3.a(\|in function .server_open" || true; }

$(AGENT_STATIC)/kernel_smoke: $(TOP)/tests/agent-vm/kernel_smoke.c $(AGENT_LIB) $(AGENT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) -static $(CPPFLAGS) $(AGENT_CFLAGS) $< -o $@ $(AGENT_LIB) -lnl-genl-3 -lnl-3 -lpthread -lm $(AGENT_STATIC_QUIET)

$(AGENT_STATIC)/dnngovd: $(DNNGOVD_OBJS) $(AGENT_LIB)
	@mkdir -p $(dir $@)
	$(CC) -static $(DNNGOVD_OBJS) -o $@ $(AGENT_STATIC_LIBS) $(AGENT_STATIC_QUIET)

$(AGENT_STATIC)/dnngovctl: $(TOP)/agent/dnngovctl/dnngovctl.c $(AGENT_LIB) $(AGENT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) -static $(CPPFLAGS) $(AGENT_CFLAGS) $< -o $@ $(AGENT_STATIC_LIBS) $(AGENT_STATIC_QUIET)

$(AGENT_STATIC)/dnngov-client-example: $(TOP)/agent/examples/client.c $(AGENT_LIB) $(AGENT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) -static $(CPPFLAGS) $(AGENT_CFLAGS) $< -o $@ $(AGENT_STATIC_LIBS) $(AGENT_STATIC_QUIET)

check-agent-vm: $(addprefix $(AGENT_STATIC)/,kernel_smoke dnngovd dnngovctl dnngov-client-example) \
		$(BUILD)/engine/testdata/tiny.dnngov
	@$(MAKE) --no-print-directory vm-x86_64-image
	@CHECKDIR=$(CHECKDIR) sh $(TOP)/tests/agent-vm/run.sh $$(cat $(BUILD)/vm/x86_64/kernel.path) \
		$(BUILD)/vm/x86_64/initramfs.cpio.gz $(BUILD)/agent/vm $(addprefix $(AGENT_STATIC)/,kernel_smoke \
		dnngovd dnngovctl dnngov-client-example) $(BUILD)/engine/testdata/tiny.dnngov

# The end-to-end run (suite agent-e2e, part of check-vm; make demo shows its
# summary): dnngovd on the bundled model against dnngov.ko in the x86_64 VM,
# phases of targets through dnngovctl, kill -9 and restart, a second domain
# and a second process (tests/agent-vm/e2e.sh, e2e-run.sh, e2e_report.py).
# DEMO_MODEL overrides the model, DEMO_SECONDS the length of a phase.
DEMO_MODEL   ?= $(TOP)/models/fmnist-ofa.dnngov
DEMO_SECONDS ?= 5
E2E_CHECK_SRCS = $(TOP)/tests/agent-vm/e2e_check.c $(TOP)/tests/vm/dg.c $(TOP)/tests/vm/nl.c \
	$(TOP)/tests/vm/util.c $(TOP)/module/policy.c

$(AGENT_STATIC)/e2e_check: $(E2E_CHECK_SRCS) $(wildcard $(TOP)/tests/vm/*.h) $(TOP)/include/dnngov/policy.h \
		$(TOP)/include/uapi/linux/dnngov.h
	@mkdir -p $(dir $@)
	$(CC) $(VMTEST_FLAGS) -o $@ $(E2E_CHECK_SRCS)

check-agent-e2e: $(addprefix $(AGENT_STATIC)/,dnngovd dnngovctl e2e_check kernel_smoke dnngov-client-example)
	@$(MAKE) --no-print-directory vm-x86_64-image
	@CHECKDIR=$(CHECKDIR) sh $(TOP)/tests/agent-vm/e2e-run.sh $$(cat $(BUILD)/vm/x86_64/kernel.path) \
		$(BUILD)/vm/x86_64/initramfs.cpio.gz $(BUILD)/agent/e2e $(AGENT_STATIC) $(DEMO_MODEL) $(DEMO_SECONDS)

# install-agent: the daemon, the CLI, the unit, a config template and the
# docs under DESTDIR/PREFIX (the config is not overwritten).
PREFIX ?= /usr
install-agent: $(BUILD)/bin/dnngovd $(BUILD)/bin/dnngovctl $(BUILD)/bin/dnngov-client-example
	install -D -m 0755 $(BUILD)/bin/dnngovd $(DESTDIR)$(PREFIX)/sbin/dnngovd
	install -D -m 0755 $(BUILD)/bin/dnngovctl $(DESTDIR)$(PREFIX)/bin/dnngovctl
	install -D -m 0755 $(BUILD)/bin/dnngov-client-example $(DESTDIR)$(PREFIX)/bin/dnngov-client-example
	install -D -m 0644 $(TOP)/agent/systemd/dnngovd.service $(DESTDIR)/lib/systemd/system/dnngovd.service
	test -e $(DESTDIR)/etc/dnngov/dnngovd.conf || \
		install -D -m 0644 $(TOP)/agent/examples/dnngovd.conf $(DESTDIR)/etc/dnngov/dnngovd.conf
	for f in agent protocol dnngovctl; do \
		install -D -m 0644 $(TOP)/Documentation/$$f.md $(DESTDIR)$(PREFIX)/share/doc/dnngov/$$f.md; done
	if [ -f $(TOP)/models/fmnist-ofa.dnngov ]; then \
		install -D -m 0644 $(TOP)/models/fmnist-ofa.dnngov $(DESTDIR)$(PREFIX)/share/dnngov/models/fmnist-ofa.dnngov; fi

# make demo: the end-to-end run with its summary; it installs what it needs
# (scripts/deps.sh: build libraries, QEMU and the kernel image's tools, the
# Fashion-MNIST data set) and says what is missing when it cannot.
demo:
	@sh $(TOP)/scripts/deps.sh build vm
	@mkdir -p $(BUILD)/vm && flock $(BUILD)/vm/x86_64.lock $(MAKE) --no-print-directory check-agent-e2e
