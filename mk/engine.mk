# The supernet engine of libdnngov (Documentation/engine.md).
#
#   build/lib/libdnngov.a      model parser + engine, and the agent's objects (mk/agent.mk)
#   build/bin/dnngov-infer     CLI: run/bench one subnet
#   make check-engine          cmocka tests: kernels, model files, engine
#   make check-engine-neon     NEON depthwise vs reference under qemu-aarch64
#   make fuzz-model            libFuzzer on the model parser (FUZZ_SECONDS)
#   make engine-bench          dnngov-infer --bench on every nets_6 level

ENGINE_DIR     := $(TOP)/agent/lib
ENGINE_OBJDIR  := $(BUILD)/engine/obj
ENGINE_LIB     := $(BUILD)/lib/libdnngov.a
ENGINE_LIBS    := -lopenblas -ljson-c -lz -lpthread -lm
ENGINE_CFLAGS   = $(ALL_CFLAGS) -I$(ENGINE_DIR) -I$(ENGINE_DIR)/kernels
KERNEL_CFLAGS   = $(ENGINE_CFLAGS) -O3
FUZZ_SECONDS   ?= 45

ENGINE_SRCS := error.c blas.c threadpool.c model.c plan.c engine.c \
	       kernels/dwconv_ref.c kernels/dispatch.c kernels/elementwise.c
ENGINE_OBJS := $(addprefix $(ENGINE_OBJDIR)/,$(ENGINE_SRCS:.c=.o))
ifeq ($(shell uname -m),x86_64)
ENGINE_OBJS += $(ENGINE_OBJDIR)/kernels/dwconv_avx2.o $(ENGINE_OBJDIR)/kernels/dwconv_avx512.o
endif
ifeq ($(shell uname -m),aarch64)
ENGINE_OBJS += $(ENGINE_OBJDIR)/kernels/dwconv_neon.o
endif
ENGINE_HDRS := $(TOP)/include/dnngov/dnngov.h $(wildcard $(ENGINE_DIR)/*.h $(ENGINE_DIR)/kernels/*.h)

ENGINE_TESTS     := dwconv model engine
ENGINE_TEST_BINS := $(addprefix $(BUILD)/engine/tests/test_,$(ENGINE_TESTS))
ENGINE_TESTDATA  := $(BUILD)/engine/testdata
MODEL_PY         := $(TOP)/scripts/ofa/dnngov_model.py

.PHONY: check-engine check-engine-neon fuzz-model engine-bench

userspace: $(ENGINE_LIB) $(BUILD)/bin/dnngov-infer
check-unit: check-engine check-engine-neon fuzz-model

$(ENGINE_OBJDIR)/kernels/%.o: $(ENGINE_DIR)/kernels/%.c $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(KERNEL_CFLAGS) -c $< -o $@

$(ENGINE_OBJDIR)/kernels/dwconv_avx2.o: $(ENGINE_DIR)/kernels/dwconv_avx2.c $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(KERNEL_CFLAGS) -mavx2 -mfma -c $< -o $@

$(ENGINE_OBJDIR)/kernels/dwconv_avx512.o: $(ENGINE_DIR)/kernels/dwconv_avx512.c $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(KERNEL_CFLAGS) -mavx512f -mavx2 -mfma -c $< -o $@

$(ENGINE_OBJDIR)/%.o: $(ENGINE_DIR)/%.c $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ENGINE_CFLAGS) -c $< -o $@

$(ENGINE_LIB): $(ENGINE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/dnngov-infer: $(TOP)/agent/tools/dnngov-infer.c $(ENGINE_LIB) $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ENGINE_CFLAGS) $< -o $@ $(ENGINE_LIB) $(ENGINE_LIBS)

# Test models, written by the Python writer (the format's other implementation).
$(ENGINE_TESTDATA)/tiny.dnngov: $(MODEL_PY)
	@mkdir -p $(dir $@)
	$(PYTHON) $(MODEL_PY) random $@ --arch tiny --library random:4 --seed 1 >/dev/null
$(ENGINE_TESTDATA)/tiny-bn.dnngov: $(MODEL_PY)
	@mkdir -p $(dir $@)
	$(PYTHON) $(MODEL_PY) random $@ --arch tiny --library random:3 --level-bn --seed 2 >/dev/null
$(ENGINE_TESTDATA)/micro.dnngov: $(MODEL_PY)
	@mkdir -p $(dir $@)
	$(PYTHON) $(MODEL_PY) random $@ --arch micro --library random:2 --level-bn --seed 3 >/dev/null
ENGINE_MODELS := $(addprefix $(ENGINE_TESTDATA)/,tiny.dnngov tiny-bn.dnngov micro.dnngov)

# test_engine wraps the allocator to prove that a level switch allocates nothing.
WRAP_ALLOC := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=posix_memalign

$(BUILD)/engine/tests/test_%: $(TOP)/tests/unit/test_%.c $(ENGINE_LIB) $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ENGINE_CFLAGS) $< -o $@ $(if $(filter test_engine,$(notdir $@)),$(WRAP_ALLOC)) \
		$(ENGINE_LIB) -lcmocka $(ENGINE_LIBS)

$(BUILD)/engine/tests/test_dwconv: $(ENGINE_OBJDIR)/kernels/dwconv_ref.o

# cmocka binaries, then engine-vs-PyTorch parity through the CLI (skipped
# without python3-torch).
check-engine: $(ENGINE_TEST_BINS) $(ENGINE_MODELS) $(BUILD)/bin/dnngov-infer
	@pass=0; fail=0; skip=0; \
	for t in $(ENGINE_TEST_BINS); do \
		out=$$(cd $(TOP) && DNNGOV_TESTDATA=$(ENGINE_TESTDATA) $$t 2>&1); rc=$$?; \
		echo "$$out" | grep -v '^\[ *\(RUN\|OK\) *\]' ; \
		p=$$(echo "$$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1); \
		f=$$(echo "$$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1); \
		[ -n "$$f" ] || f=0; [ -n "$$p" ] || p=0; \
		if [ $$rc -ne 0 ] && [ $$f -eq 0 ]; then f=1; fi; \
		pass=$$((pass + p)); fail=$$((fail + f)); \
	done; \
	out=$$($(PYTHON) $(TOP)/tests/engine/check_parity.py $(BUILD)/bin/dnngov-infer $(ENGINE_MODELS) 2>&1); rc=$$?; \
	echo "$$out" | grep -v '^ok '; \
	if [ $$rc -eq 77 ]; then skip=1; else \
		p=$$(echo "$$out" | sed -n 's/^parity: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p'); \
		f=$$(echo "$$out" | sed -n 's/^parity: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p'); \
		[ -n "$$p" ] || p=0; [ -n "$$f" ] || f=1; [ $$rc -eq 0 ] || [ $$f -gt 0 ] || f=1; \
		pass=$$((pass + p)); fail=$$((fail + f)); fi; \
	echo "check-engine: $$pass passed, $$fail failed"; \
	sh $(TOP)/scripts/record-result.sh check-engine $$pass $$fail $$skip; \
	[ $$fail -eq 0 ]

# NEON: cross-compile the kernel and its test (plain asserts; no arm64 cmocka)
# and run it under qemu-aarch64; without the cross compiler or qemu, skip.
AARCH64_CC ?= aarch64-linux-gnu-gcc
NEON_TEST  := $(BUILD)/engine/neon/test_dwconv_neon
$(NEON_TEST): $(TOP)/tests/unit/dwconv_neon_main.c $(ENGINE_DIR)/kernels/dwconv_neon.c \
	      $(ENGINE_DIR)/kernels/dwconv_ref.c $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(AARCH64_CC) $(CPPFLAGS) $(KERNEL_CFLAGS) -static $< $(ENGINE_DIR)/kernels/dwconv_neon.c \
		$(ENGINE_DIR)/kernels/dwconv_ref.c -o $@ -lm

check-engine-neon:
	@if ! command -v $(AARCH64_CC) >/dev/null 2>&1 || ! command -v qemu-aarch64-static >/dev/null 2>&1; then \
		echo "check-engine-neon: 0 passed, 0 failed (skipped: needs $(AARCH64_CC) and qemu-aarch64-static)"; \
		sh $(TOP)/scripts/record-result.sh check-engine-neon 0 0 1; exit 0; fi; \
	$(MAKE) --no-print-directory $(NEON_TEST) >/dev/null || { \
		echo "check-engine-neon: 0 passed, 1 failed (cross build failed)"; \
		sh $(TOP)/scripts/record-result.sh check-engine-neon 0 1; exit 1; }; \
	out=$$(qemu-aarch64-static $(NEON_TEST) 2>&1); rc=$$?; echo "$$out" | tail -3; \
	p=$$(echo "$$out" | sed -n 's/^neon: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p'); \
	f=$$(echo "$$out" | sed -n 's/^neon: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p'); \
	[ -n "$$p" ] || p=0; [ -n "$$f" ] || f=1; [ $$rc -eq 0 ] || [ $$f -gt 0 ] || f=1; \
	echo "check-engine-neon: $$p passed, $$f failed"; \
	sh $(TOP)/scripts/record-result.sh check-engine-neon $$p $$f; \
	[ $$f -eq 0 ]

# libFuzzer on the parser, from a seed corpus of small valid model files.
FUZZ_BIN := $(BUILD)/engine/fuzz/fuzz_model
FUZZ_CORPUS := $(BUILD)/engine/fuzz/corpus
FUZZ_SRCS := $(addprefix $(ENGINE_DIR)/,error.c model.c plan.c kernels/dwconv_ref.c)
$(FUZZ_BIN): $(TOP)/tests/fuzz/fuzz_model.c $(FUZZ_SRCS) $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		$(CPPFLAGS) -I$(ENGINE_DIR) -I$(ENGINE_DIR)/kernels $< $(FUZZ_SRCS) -o $@ -ljson-c -lz -lm -lpthread

fuzz-model: $(ENGINE_TESTDATA)/micro.dnngov
	@if ! command -v clang >/dev/null 2>&1; then \
		echo "fuzz-model: 0 passed, 0 failed (skipped: needs clang)"; \
		sh $(TOP)/scripts/record-result.sh fuzz-model 0 0 1; exit 0; fi; \
	$(MAKE) --no-print-directory $(FUZZ_BIN) >/dev/null || { \
		echo "fuzz-model: 0 passed, 1 failed (build failed)"; \
		sh $(TOP)/scripts/record-result.sh fuzz-model 0 1; exit 1; }; \
	rm -rf $(FUZZ_CORPUS) && mkdir -p $(FUZZ_CORPUS) && cp $< $(FUZZ_CORPUS)/; \
	if nice -n 10 $(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=32768 \
		-rss_limit_mb=1024 -print_final_stats=1 $(FUZZ_CORPUS) \
		> $(BUILD)/engine/fuzz/log 2>&1; then \
		grep -E 'stat::number_of_executed_units|cov:' $(BUILD)/engine/fuzz/log | tail -2; \
		echo "fuzz-model: 1 passed, 0 failed ($(FUZZ_SECONDS) s)"; \
		sh $(TOP)/scripts/record-result.sh fuzz-model 1 0; \
	else \
		tail -40 $(BUILD)/engine/fuzz/log; \
		echo "fuzz-model: 0 passed, 1 failed (crash; see $(BUILD)/engine/fuzz/log)"; \
		sh $(TOP)/scripts/record-result.sh fuzz-model 0 1; exit 1; \
	fi

$(BUILD)/bin/bench_dwconv: $(TOP)/tests/bench/bench_dwconv.c $(ENGINE_LIB) $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ENGINE_CFLAGS) $< -o $@ $(ENGINE_LIB) $(ENGINE_LIBS)

# Random-weight w1.2 supernet with the Dynamic-OFA nets_6 library (needs
# ../shared/data); 1 thread, min/median of 30 runs per level; memory at the end.
engine-bench: $(BUILD)/bin/dnngov-infer $(BUILD)/bin/bench_dwconv
	@mkdir -p $(BUILD)/engine/bench
	@$(PYTHON) $(MODEL_PY) random $(BUILD)/engine/bench/w12.dnngov --arch w1.2 --library nets_6 >/dev/null
	$(BUILD)/bin/dnngov-infer --model $(BUILD)/engine/bench/w12.dnngov --threads 1 --bench 30 \
		--all-levels --rss
	$(BUILD)/bin/bench_dwconv 30
