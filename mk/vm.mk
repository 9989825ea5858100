# check-vm: dnngov.ko in a real kernel under QEMU (Documentation/testing.md).
#
#   make check-vm                  x86_64 (and arm64 when its image can be had)
#   make check-vm-x86_64           one architecture
#   make check-vm VM_APPEND=vmtest=decide,limits     only these tests
#   make vm-shell                  boot x86_64, run the tests, then a shell
#
# Debian's kernel image of the same ABI as the installed headers is fetched
# and cached by scripts/vm/fetch-kernel.sh; the modules are built from copies
# of the sources under build/vm/<arch>/ so other builds in the tree do not
# collide; the test programs are static (glibc), so the VM needs no libraries.

VM_ABI       := $(shell sh $(TOP)/scripts/vm/kernel-abi.sh 6.1 2>/dev/null)
VM_KDIR      ?= /usr/src/linux-headers-$(VM_ABI)-amd64
VM_BUSYBOX   ?= /bin/busybox
VM_PRELOAD   := -p governor_simpleondemand -p cpufreq_powersave
VMTEST_SRCS  := $(wildcard $(TOP)/tests/vm/*.c) $(TOP)/module/policy.c
VMTEST_HDRS  := $(wildcard $(TOP)/tests/vm/*.h) $(TOP)/include/dnngov/policy.h \
		$(TOP)/include/uapi/linux/dnngov.h
VMTEST_FLAGS := $(CSTD) $(WARN) -O2 -g -static -I$(TOP)/include -I$(TOP)/tests/vm \
		-D_DEFAULT_SOURCE -D_GNU_SOURCE
FAKEPLAT_SRC := $(TOP)/tests/kernel/Kbuild $(TOP)/tests/kernel/dnngov_fakeplat.c
DNNGOV_SRC    = $(wildcard $(TOP)/Kbuild $(TOP)/module/*.c $(TOP)/module/*.h \
		$(TOP)/module/*/*.h $(TOP)/include/dnngov/*.h $(TOP)/include/uapi/linux/*.h)

.PHONY: check-vm check-vm-agent check-vm-x86_64 check-vm-arm64 vm-x86_64-check vm-arm64-check \
	vm-x86_64-image vm-arm64-image vm-arm64-run vm-shell

# Both architectures run even when the first fails; then the agent end to
# end on x86_64 (suite agent-e2e, mk/agent.mk).
check-vm:
	@status=0; \
	for a in x86_64 arm64; do \
		$(MAKE) --no-print-directory check-vm-$$a || status=1; \
	done; \
	$(MAKE) --no-print-directory check-vm-agent || status=1; \
	exit $$status

check-vm-agent:
	@mkdir -p $(BUILD)/vm $(CHECKDIR) && rm -f $(CHECKDIR)/agent-e2e.result && \
		flock $(BUILD)/vm/x86_64.lock $(MAKE) --no-print-directory check-agent-e2e || \
		{ test -f $(CHECKDIR)/agent-e2e.result || $(call vm_fail,agent-e2e,could not build or run the end-to-end VM run (see above)); exit 1; }

# vm_fail(suite,what): a build step failed; count it so check-summary sees it.
vm_fail = { echo "$(1): FAIL: $(2)"; CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/record-result.sh $(1) 0 1; \
	    echo "$(1): 0 passed, 1 failed"; exit 1; }

# vm_build_mods(arch,kdir,makeflags): fakeplat and dnngov .ko under build/vm/arch.
define vm_build_mods
	@rm -rf $(BUILD)/vm/$(1)/fakeplat && mkdir -p $(BUILD)/vm/$(1)/fakeplat
	cp $(FAKEPLAT_SRC) $(BUILD)/vm/$(1)/fakeplat/
	$(MAKE) -s -C $(2) M=$(BUILD)/vm/$(1)/fakeplat $(3) modules
	@test -f $(TOP)/Kbuild || { echo "check-vm: no Kbuild at the top: dnngov.ko cannot be built" >&2; exit 1; }
	@rm -rf $(BUILD)/vm/$(1)/dnngov && mkdir -p $(BUILD)/vm/$(1)/dnngov
	cp -r $(TOP)/Kbuild $(TOP)/module $(TOP)/include $(BUILD)/vm/$(1)/dnngov/
	$(MAKE) -s -C $(2) M=$(BUILD)/vm/$(1)/dnngov $(3) modules
endef

# ---- x86_64 ----
VMX := $(BUILD)/vm/x86_64

$(VMX)/kernel.path: $(TOP)/scripts/vm/fetch-kernel.sh $(TOP)/scripts/vm/kernel-abi.sh
	@mkdir -p $(VMX)
	sh $(TOP)/scripts/vm/fetch-kernel.sh x86_64 $(VM_ABI) > $@.tmp && mv $@.tmp $@

$(VMX)/dnngov-vmtest: $(VMTEST_SRCS) $(VMTEST_HDRS)
	@mkdir -p $(VMX)
	$(CC) $(VMTEST_FLAGS) -o $@ $(VMTEST_SRCS)

$(VMX)/modules.stamp: $(FAKEPLAT_SRC) $(DNNGOV_SRC)
	$(call vm_build_mods,x86_64,$(VM_KDIR),)
	@touch $@

$(VMX)/initramfs.cpio.gz: $(VMX)/kernel.path $(VMX)/dnngov-vmtest $(VMX)/modules.stamp $(TOP)/scripts/vm/mkinitramfs.sh
	sh $(TOP)/scripts/vm/mkinitramfs.sh $@ $$(cat $(VMX)/kernel.path) $(VMX)/dnngov-vmtest \
		$(VM_PRELOAD) $$(test -x $(VM_BUSYBOX) && echo -b $(VM_BUSYBOX)) \
		$(VMX)/fakeplat/dnngov_fakeplat.ko $(VMX)/dnngov/dnngov.ko

vm-x86_64-image: $(VMX)/initramfs.cpio.gz

# Runs in the same tree (several people, or make check beside a manual
# run) would share build/vm/<arch>/ and the console log: one at a time.
check-vm-x86_64:
	@mkdir -p $(BUILD)/vm && flock $(BUILD)/vm/x86_64.lock $(MAKE) --no-print-directory vm-x86_64-check

vm-x86_64-check:
	@$(MAKE) --no-print-directory vm-x86_64-image || \
		$(call vm_fail,vm-x86_64,could not fetch the kernel or build the modules / test image (see above))
	@CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/vm/run.sh x86_64 $$(cat $(VMX)/kernel.path) \
		$(VMX)/initramfs.cpio.gz $(VMX)

vm-shell: $(VMX)/initramfs.cpio.gz
	qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 2 -nographic -no-reboot \
		-kernel $$(cat $(VMX)/kernel.path)/vmlinuz -initrd $< \
		-append "console=ttyS0 panic=-1 vmshell=1 $(VM_APPEND)"


# ---- arm64 (Debian's arm64 kernel on qemu-system-aarch64 -M virt) ----
# Skipped, and counted so, when the arm64 headers or image cannot be had
# (offline, or no arm64 architecture in dpkg and not root).
VMA := $(BUILD)/vm/arm64

check-vm-arm64:
	@mkdir -p $(BUILD)/vm && flock $(BUILD)/vm/arm64.lock $(MAKE) --no-print-directory vm-arm64-check

vm-arm64-check:
	@mkdir -p $(VMA); \
	if ! kdir=$$(sh $(TOP)/scripts/kbuild/arm64-headers.sh $(VM_ABI) 2>$(VMA)/skip.log) || \
	   ! kimg=$$(sh $(TOP)/scripts/vm/fetch-kernel.sh arm64 $(VM_ABI) 2>>$(VMA)/skip.log); then \
		echo "vm-arm64: SKIP: no arm64 headers or kernel image: $$(tail -1 $(VMA)/skip.log)"; \
		CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/record-result.sh vm-arm64 0 0 1; \
		echo "vm-arm64: 0 passed, 0 failed, 1 skipped"; \
	else \
		$(MAKE) --no-print-directory vm-arm64-run VMA_KDIR=$$kdir VMA_KIMG=$$kimg; \
	fi

$(VMA)/dnngov-vmtest: $(VMTEST_SRCS) $(VMTEST_HDRS)
	@mkdir -p $(VMA)
	aarch64-linux-gnu-gcc $(VMTEST_FLAGS) -o $@ $(VMTEST_SRCS)

$(VMA)/modules.stamp: $(FAKEPLAT_SRC) $(DNNGOV_SRC)
	$(call vm_build_mods,arm64,$(VMA_KDIR),ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	@touch $@

$(VMA)/initramfs.cpio.gz: $(VMA)/dnngov-vmtest $(VMA)/modules.stamp $(TOP)/scripts/vm/mkinitramfs.sh
	sh $(TOP)/scripts/vm/mkinitramfs.sh $@ $(VMA_KIMG) $(VMA)/dnngov-vmtest $(VM_PRELOAD) \
		$(VMA)/fakeplat/dnngov_fakeplat.ko $(VMA)/dnngov/dnngov.ko

vm-arm64-image: $(VMA)/initramfs.cpio.gz

vm-arm64-run:
	@$(MAKE) --no-print-directory vm-arm64-image || \
		$(call vm_fail,vm-arm64,could not build the modules / test image (see above))
	@CHECKDIR=$(CHECKDIR) sh $(TOP)/scripts/vm/run.sh arm64 $(VMA_KIMG) $(VMA)/initramfs.cpio.gz $(VMA)
