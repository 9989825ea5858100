# dnngov: DNN-aware cpufreq/devfreq governor (dnngov.ko) and its agent (dnngovd).
#
#   make              module + userspace
#   make module       dnngov.ko against the running (or KDIR) kernel headers
#   make check        every test suite, then one summary line
#   make check-unit   userspace unit tests (cmocka), fuzzers, python parity
#   make check-kbuild module builds against 6.1, 6.12 and arm64 headers
#   make check-vm     the module in a real kernel under QEMU
#   make demo         end-to-end demo on the bundled model
#   make bench        engine benchmark against ONNX Runtime and PyTorch
#
# Components add their rules in mk/*.mk; every check-* suite writes a result
# file to $(CHECKDIR) that scripts/check-summary.sh adds up.

TOP      := $(abspath .)
BUILD    ?= $(TOP)/build
CHECKDIR := $(BUILD)/check
PYTHON   ?= /usr/bin/python3

CC       ?= gcc
CSTD     := -std=c11
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= -O2 -g
CPPFLAGS += -I$(TOP)/include -D_DEFAULT_SOURCE -D_GNU_SOURCE
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS)

.DEFAULT_GOAL := all
.PHONY: all module userspace deps check check-unit check-kbuild check-vm demo bench compare clean

all: module userspace

deps:
	@sh scripts/deps.sh

# check runs the suites one after another (the machine has 2 cores, and the
# VM suite wants them), then prints one "N passed, M failed" line.
check:
	@sh scripts/deps.sh build unit vm torch
	@rm -rf $(CHECKDIR) && mkdir -p $(CHECKDIR)
	@status=0; \
	for t in check-unit check-kbuild check-vm; do \
		$(MAKE) --no-print-directory $$t || status=1; \
	done; \
	sh scripts/check-summary.sh $(CHECKDIR) || status=1; \
	exit $$status

clean:
	rm -rf $(BUILD)

include $(sort $(wildcard mk/*.mk))
