# make bench: the engine against ONNX Runtime (npm onnxruntime-node) and
# PyTorch eager on the Dynamic-OFA nets_6 levels and the bundled model
# (Documentation/benchmark.md). Not part of `make check`; check-unit runs
# the bench-smoke suite: the same harness on one level of a tiny model,
# checking that the three engines' outputs agree.

BENCH_BIN    := $(BUILD)/bin/dnngov-bench
BENCH_DIR    := $(BUILD)/bench
BENCH_LIB    := $(BUILD)/lib/libdnngov.a
BENCH_ARGS   ?=

.PHONY: bench bench-ort check-bench-smoke

$(BENCH_BIN): $(TOP)/agent/tools/dnngov-bench.c $(TOP)/include/dnngov/dnngov.h $(BENCH_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(BENCH_LIB) $(ENGINE_LIBS)

# onnxruntime-node's install script fetches CUDA files from NuGet, which is
# unreachable; the CPU binaries ship in the package itself.
bench-ort:
	@test -d $(TOP)/scripts/bench/node_modules/onnxruntime-node || \
		(cd $(TOP)/scripts/bench && ONNXRUNTIME_NODE_INSTALL=skip \
		 npm install --ignore-scripts --no-audit --no-fund)

bench: $(BENCH_BIN)
	@sh $(TOP)/scripts/deps.sh bench
	@$(MAKE) --no-print-directory bench-ort
	$(PYTHON) $(TOP)/scripts/bench/run.py --out $(BENCH_DIR) --engine $(BENCH_BIN) $(BENCH_ARGS)

BENCH_SMOKE := $(BUILD)/bench-smoke

check-unit: check-bench-smoke
check-bench-smoke: $(BENCH_BIN)
	@if ! $(PYTHON) -c 'import torch, numpy' 2>/dev/null; then \
		echo "bench-smoke: python3-torch missing (scripts/deps.sh torch): skipped"; \
		echo "0 passed, 0 failed"; \
		CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/record-result.sh bench-smoke 0 0 1; \
		exit 0; \
	fi; \
	rm -f $(CHECKDIR)/bench-smoke.result; mkdir -p $(BENCH_SMOKE) && \
	$(PYTHON) $(TOP)/scripts/ofa/dnngov_model.py random $(BENCH_SMOKE)/tiny.dnngov \
		--arch tiny --level-bn --seed 3 >/dev/null && \
	CHECKDIR=$(CHECKDIR) $(PYTHON) $(TOP)/scripts/bench/run.py --smoke --no-install --quiet \
		--out $(BENCH_SMOKE) --engine $(BENCH_BIN) --model tiny=$(BENCH_SMOKE)/tiny.dnngov \
		--record bench-smoke; status=$$?; \
	if [ $$status -ne 0 ] && [ ! -f $(CHECKDIR)/bench-smoke.result ]; then \
		echo "0 passed, 1 failed"; \
		CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/record-result.sh bench-smoke 0 1; \
	fi; exit $$status
