# dnngov.ko: the kernel module (Kbuild at the top, sources in module/).
#
#   make module          build/module/dnngov.ko against KDIR
#   make check-kbuild    builds against Debian 6.1 and 6.12 (amd64) and 6.1
#                        arm64 headers (suite kbuild), then checkpatch --strict
#                        and kernel-doc (suite checkpatch)
#
# KDIR defaults to the running kernel's build tree, else the installed
# Debian 6.1 headers. Each build works on a copy of the sources under
# build/kbuild/<name>/ so kbuild's outputs stay out of the source tree and
# builds for different kernels do not collide.

MOD_ABI61   := $(shell sh $(TOP)/scripts/vm/kernel-abi.sh 6.1 2>/dev/null)
MOD_ABI612  := $(shell sh $(TOP)/scripts/vm/kernel-abi.sh 6.12 2>/dev/null)
MOD_RUNNING := /lib/modules/$(shell uname -r)/build
KDIR        ?= $(if $(wildcard $(MOD_RUNNING)/Makefile),$(MOD_RUNNING),/usr/src/linux-headers-$(MOD_ABI61)-amd64)
MOD_SRC      = $(wildcard $(TOP)/Kbuild $(TOP)/module/*.c $(TOP)/module/*.h \
		$(TOP)/include/dnngov/*.h $(TOP)/include/uapi/linux/*.h)

.PHONY: module check-kbuild check-checkpatch kbuild-6.1 kbuild-6.12 kbuild-arm64

# mod_build(name,kdir,makeflags): copy the sources, build, keep the log.
define mod_build
	@rm -rf $(BUILD)/kbuild/$(1) && mkdir -p $(BUILD)/kbuild/$(1)
	@cp -r $(TOP)/Kbuild $(TOP)/module $(TOP)/include $(BUILD)/kbuild/$(1)/
	$(MAKE) -C $(2) M=$(BUILD)/kbuild/$(1) $(3) modules
endef

module: $(BUILD)/module/dnngov.ko

$(BUILD)/module/dnngov.ko: $(MOD_SRC)
	@test -f $(KDIR)/Makefile || { echo "module: no kernel build tree at $(KDIR); install linux-headers (scripts/deps.sh build) or set KDIR" >&2; exit 1; }
	@echo "module: building against $(KDIR)"
	$(call mod_build,module,$(KDIR),)
	@mkdir -p $(dir $@) && cp $(BUILD)/kbuild/module/dnngov.ko $@
	@echo "module: $@"

kbuild-6.1:
	$(call mod_build,6.1,/usr/src/linux-headers-$(MOD_ABI61)-amd64,)

kbuild-6.12:
	$(call mod_build,6.12,/usr/src/linux-headers-$(MOD_ABI612)-amd64,)

kbuild-arm64:
	$(call mod_build,arm64,$$(sh $(TOP)/scripts/kbuild/arm64-headers.sh $(MOD_ABI61)),ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)

# One pass per build, sequential (2 cores); a failing build prints its log.
# checkpatch (its own suite) runs after the builds whatever they gave.
check-kbuild:
	@pass=0; fail=0; \
	for b in 6.1 6.12 arm64; do \
		log=$(BUILD)/kbuild/$$b.log; mkdir -p $(BUILD)/kbuild; \
		if $(MAKE) --no-print-directory kbuild-$$b > $$log 2>&1 && \
		   test -f $(BUILD)/kbuild/$$b/dnngov.ko; then \
			pass=$$((pass + 1)); echo "PASS kbuild $$b: $$(ls -l $(BUILD)/kbuild/$$b/dnngov.ko | awk '{print $$5}') bytes"; \
		else \
			fail=$$((fail + 1)); echo "FAIL kbuild $$b (log $$log):"; tail -30 $$log; \
		fi; \
	done; \
	CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/record-result.sh kbuild $$pass $$fail; \
	echo "check-kbuild: $$pass passed, $$fail failed"; \
	CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/kbuild/checkpatch.sh || fail=$$((fail + 1)); \
	[ $$fail -eq 0 ]

check-checkpatch:
	@CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/kbuild/checkpatch.sh
