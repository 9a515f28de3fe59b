# Keel: a bare-metal type-1 hypervisor for x86-64.
# `make` builds build/keel.elf; see README.md for the other targets.

BUILD ?= build
DEBUG ?= 0
COVERAGE ?= 0
HOSTCC ?= gcc
CC := gcc
Q := @

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wundef -Wvla -Wpointer-arith -Wwrite-strings -Wformat=2 -Wimplicit-fallthrough \
	-Wno-unused-parameter

# ---------------------------------------------------------------- Keel itself
KERNEL_CFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
	-mcmodel=small -fno-stack-protector -fno-omit-frame-pointer -fcf-protection=none \
	-fno-strict-aliasing -fno-common -g $(WARN) -I. -Iarch/x86/include -Iguest-abi -I$(BUILD)/gen -MMD -MP
ifeq ($(DEBUG),1)
KERNEL_CFLAGS += -O1 -DDEBUG -fsanitize=undefined -fsanitize-undefined-trap-on-error
else
KERNEL_CFLAGS += -O2
endif
# Keel's own coverage (make coverage-keel): every arc counted, atomically across CPUs.
ifeq ($(COVERAGE),1)
KERNEL_CFLAGS += -fprofile-arcs -ftest-coverage -fprofile-update=atomic -DKEEL_COVERAGE
endif
KERNEL_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -T linker.ld

KERNEL_C := $(filter-out arch/x86/asm-offsets.c, \
	$(wildcard kernel/*.c arch/x86/*.c arch/x86/virt/*.c arch/x86/irqchip/*.c arch/x86/control/*.c arch/x86/bootvm/*.c arch/x86/vmx/*.c arch/x86/svm/*.c drivers/*.c))
ifeq ($(COVERAGE),1)
KERNEL_C += kernel/coverage/gcov.c
else
KERNEL_C := $(filter-out arch/x86/coverage.c,$(KERNEL_C))
endif
KERNEL_S := $(wildcard boot/*.S arch/x86/*.S arch/x86/svm/*.S arch/x86/vmx/*.S)
KERNEL_OBJS := $(addprefix $(BUILD)/k/,$(KERNEL_C:.c=.o) $(KERNEL_S:.S=.o))

.PHONY: all
all: $(BUILD)/keel.elf

$(BUILD)/k/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

# Offsets for assembly come from the C structures, never hand-written numbers.
ASM_OFFSETS := $(BUILD)/gen/arch/x86/asm-offsets.h
$(ASM_OFFSETS): arch/x86/asm-offsets.c Makefile $(wildcard kernel/*.h arch/x86/*.h arch/x86/*/*.h arch/x86/include/asm/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(filter-out -MMD -MP,$(KERNEL_CFLAGS)) -S -o $@.s $<
	$(Q){ echo "/* Generated from arch/x86/asm-offsets.c; do not edit. */"; \
	  sed -n 's/.*->\([A-Z0-9_]*\) \([0-9]*\).*/#define \1 \2/p' $@.s; } > $@

$(BUILD)/k/%.o: %.S Makefile $(ASM_OFFSETS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KERNEL_CFLAGS) -D__ASSEMBLY__ -c -o $@ $<

$(BUILD)/keel.elf: $(KERNEL_OBJS) linker.ld
	$(Q)$(CC) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS)
	@echo "  LD      $@"

-include $(KERNEL_OBJS:.o=.d)

# ---------------------------------------------------------------- unit tests
# Host-compiled tests of the pure logic: tests/unit/test_NAME.c linked with
# the sources listed in unit_NAME.
UNIT_CFLAGS := -std=gnu11 -O1 -g $(WARN) -Wno-missing-prototypes -I. -Iarch/x86/include -Iguest-abi -DHOST_TEST \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_COV ?= 0
ifeq ($(UNIT_COV),1)
UNIT_CFLAGS += --coverage
endif

unit_format := kernel/format.c
unit_features := arch/x86/features.c
unit_event := arch/x86/virt/event.c
unit_cr := arch/x86/virt/cr.c
unit_guest_msr := arch/x86/virt/guest_msr.c
unit_memmap := kernel/memmap.c
unit_multiboot2 := kernel/multiboot2.c kernel/memmap.c
unit_frame := kernel/frame.c kernel/memmap.c
unit_heap := kernel/heap.c
unit_acpi := drivers/acpi.c drivers/acpi_guest.c
unit_cmdline := kernel/cmdline.c kernel/format.c
unit_pagetable := kernel/pagetable.c arch/x86/pgtable.c
unit_ept := kernel/pagetable.c arch/x86/vmx/ept.c
unit_memslot := kernel/memslot.c kernel/pagetable.c arch/x86/vmx/ept.c
unit_linux_boot := arch/x86/control/linux_boot.c kernel/memmap.c
unit_vlapic := arch/x86/irqchip/vlapic.c
unit_pic := arch/x86/irqchip/pic.c
unit_ioapic := arch/x86/irqchip/ioapic.c
unit_iobus := kernel/iobus.c
unit_pit := arch/x86/irqchip/pit.c
unit_iobus_ldflags := -pthread
unit_vuart := kernel/vuart.c
unit_vcpu := kernel/vcpu.c
unit_sched_policy := kernel/sched_policy.c
unit_mb1_load := arch/x86/bootvm/mb1_load.c
unit_bootvm_parse := arch/x86/bootvm/bootvm_parse.c kernel/cmdline.c kernel/format.c
unit_decode := arch/x86/virt/decode.c
unit_emulate := arch/x86/virt/emulate.c arch/x86/virt/decode.c
unit_pvclock := arch/x86/virt/pvclock.c
unit_msr_filter := arch/x86/virt/msr_filter.c
unit_xstate := arch/x86/virt/xstate.c
unit_hypercall := kernel/hypercall.c kernel/managed_vm.c kernel/vm_list.c kernel/format.c \
	kernel/sched_policy.c kernel/coalesced.c kernel/iobus.c

UNIT_TESTS := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS := $(addprefix $(BUILD)/unit/test_,$(UNIT_TESTS))

.SECONDEXPANSION:
$(BUILD)/unit/test_%: tests/unit/test_%.c tests/unit/harness.c tests/unit/test.h $$(unit_$$*) $$(wildcard */*.h */*/*.h */*/*/*.h */*/*/*/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< tests/unit/harness.c $(unit_$*) $(unit_$*_ldflags)

.PHONY: unit check-decoder fuzz
unit: $(UNIT_BINS)
	$(Q)scripts/run-unit.sh $(UNIT_BINS)

include tests/guests/guests.mk

# The decoder's lengths against capstone's, on host binaries and random bytes.
$(BUILD)/decode_vs_capstone: tests/unit/decode_vs_capstone.c arch/x86/virt/decode.c arch/x86/virt/decode.h
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) -std=gnu11 -O2 $(WARN) -I. -Iarch/x86/include -o $@ $< arch/x86/virt/decode.c -lcapstone

check-decoder: $(BUILD)/decode_vs_capstone
	$(Q)$<

# libFuzzer on the decoder, for longer runs: make fuzz FUZZ_SECONDS=600
FUZZ_SECONDS ?= 60
$(BUILD)/fuzz_decode: tests/fuzz/fuzz_decode.c arch/x86/virt/decode.c arch/x86/virt/decode.h
	@mkdir -p $(dir $@)
	$(Q)clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -I. -Iarch/x86/include -o $@ $< arch/x86/virt/decode.c

fuzz: deps $(BUILD)/fuzz_decode
	$(Q)$(BUILD)/fuzz_decode -max_total_time=$(FUZZ_SECONDS) -max_len=32

# ---------------------------------------------------------------- images, runs, tests
ISO_CMDLINE ?=
RUN_CPUS ?= 4
RUN_MEM ?= 1024

# keel-kvm.ko, /dev/kvm for the control guest, against the headers of the kernel the
# tests boot (installed from Debian's packages when missing).
.PHONY: module
module: deps
	$(Q)BUILD=$(BUILD) scripts/build-module.sh $(BUILD)/keel-kvm.ko
	@echo "  MODULE  $(BUILD)/keel-kvm.ko"

# The module builds without warnings (W=1) and checkpatch --strict finds nothing in it.
.PHONY: check-module
check-module:
	$(Q)mkdir -p $(BUILD); p=0; f=0; \
	if BUILD=$(BUILD) scripts/build-module.sh $(BUILD)/keel-kvm.ko >$(BUILD)/module.log 2>&1 && \
	   ! grep -q "warning:" $(BUILD)/module.log; then p=$$((p + 1)); \
	else f=$$((f + 1)); cat $(BUILD)/module.log; fi; \
	if BUILD=$(BUILD) scripts/checkpatch.sh control-guest/keel-kvm/*.c; then p=$$((p + 1)); \
	else f=$$((f + 1)); fi; \
	echo "module: $$p passed, $$f failed"; [ $$f = 0 ]

.PHONY: deps iso run check check-boot check-guests check-control check-control-bare check-debug \
	check-qemu-vm \
	check-selftests coverage coverage-keel bench clean

deps:
	$(Q)scripts/deps.sh

$(BUILD)/keel.iso: $(BUILD)/keel.elf scripts/mkiso.sh
	$(Q)scripts/mkiso.sh $@ $< "$(ISO_CMDLINE)"
	@echo "  ISO     $@"

iso: deps $(BUILD)/keel.iso

# Interactive: Keel with Debian's kernel as its control guest, whose /init
# (tests/control/init, keeltest.shell=1) gives a shell on the console; `exit` powers
# the machine off. COM1 on this terminal; Ctrl-A X quits QEMU. The image carries
# Debian's QEMU and a small Linux VM: `run-vm` at that shell boots it on /dev/kvm.
# The machine has RUN_CPUS CPUs (3 or more): the control guest one vCPU on the last,
# Keel's scheduler the VMs' vCPUs on those between it and CPU 0 (docs/scheduler.md), and
# CPU 0 runs no guest, out of reach of a race in QEMU's multi-threaded TCG
# (docs/control-guest.md, "CPUs").
RUN_GUEST_CMDLINE ?= console=ttyS0 quiet keeltest.shell=1
run: deps
	$(Q)$(MAKE) --no-print-directory $(BUILD)/keel.elf $(BUILD)/guests/pcirq.elf
	$(Q)BUILD=$(BUILD) tests/e2e/control.sh build vm
	$(Q)scripts/mkiso.sh $(BUILD)/run.iso $(BUILD)/keel.elf \
		"$(ISO_CMDLINE) keel.control_cpus=1 keel.vm_cpus=1-$$(($(RUN_CPUS) - 2))" \
		$(BUILD)/debian/vmlinuz "keel.control $(RUN_GUEST_CMDLINE)" \
		$(BUILD)/control/initramfs-vm.cpio.gz "keel.initrd"
	qemu-system-x86_64 -accel tcg -machine q35 -cpu max -smp $(RUN_CPUS) -m $(RUN_MEM) \
		-nographic -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x01 \
		-netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
		-cdrom $(BUILD)/run.iso -boot d

check-boot: $(BUILD)/keel.elf
	$(Q)KEEL_ELF=$(BUILD)/keel.elf BOOT_OUT=$(BUILD)/boot tests/e2e/boot.sh

# Every payload guest as a boot-time VM: QEMU (SVM+NPT) on 1 and 2 CPUs, Bochs (VMX+EPT) on 2;
# then the scheduler's weights, cap and affinity with spinning VMs (tests/e2e/sched.sh).
check-guests: $(BUILD)/keel.elf guests
	$(Q)BUILD=$(BUILD) tests/e2e/guests.sh qemu 2
	$(Q)BUILD=$(BUILD) tests/e2e/guests.sh qemu 1
	$(Q)BUILD=$(BUILD) tests/e2e/guests.sh bochs 2
	$(Q)BUILD=$(BUILD) tests/e2e/sched.sh

# Debian's stock kernel as Keel's control guest (tests/e2e/control.sh): QEMU (SVM+NPT) with
# 1 CPU, an IOMMU to hide and a triple fault that ends the machine; 4 CPUs with virtio-blk
# and virtio-net, powered off; 2 CPUs with an e1000 and a triple fault that resets the
# machine; 1 CPU on UEFI that resets it itself; Bochs (VMX+EPT) with 2 (where Debian's QEMU
# runs the multiboot guest tests/guests/pcirq.c with its in-kernel irqchip, as it does on
# the bare machine's kvm_amd in the sched run), and with 3 where
# the control guest has one vCPU, /dev/kvm's vCPUs run queued on CPU 1 and Keel schedules
# kvmspin's VMs there and on the control guest's CPU (check sched). Each loads
# keel-kvm.ko and runs the KVM API conformance program (tests/control/kvmapi.c); the bare
# run checks that program's expectations against Linux's own kvm_amd on the same QEMU.
# Then Debian's QEMU in the control guest boots a Linux VM (README, "A VM inside the
# control guest"), with the in-kernel irqchip and with the split one. On QEMU with 2 or
# more CPUs the machine has one more CPU than the control guest, which leaves CPU 0 free
# of guests (docs/control-guest.md, "CPUs"). Last, Keel's scheduler runs the VMs' vCPUs
# beside a control guest of one vCPU (kvmspin's weights, cap, affinity and crowd, the
# control guest's AVX registers beside them, then
# the QEMU VM on q35 with OVMF), the bare run checking kvmspin against kvm_amd. The
# runs with the QEMU VM outlast its own 500 s deadline in the guest (CONTROL_TIMEOUT),
# so that a VM that never ends is reported with QEMU's last words, not a dead machine.
check-control: $(BUILD)/keel.elf $(BUILD)/guests/pcirq.elf
	$(Q)BUILD=$(BUILD) tests/e2e/control.sh qemu 1 iommu crash
	$(Q)BUILD=$(BUILD) tests/e2e/control.sh qemu 4 disk net
	$(Q)BUILD=$(BUILD) tests/e2e/control.sh qemu 2 disk e1000 crash-reset
	$(Q)BUILD=$(BUILD) tests/e2e/control.sh qemu 1 uefi reboot
	$(Q)BUILD=$(BUILD) CONTROL_TIMEOUT=1200 tests/e2e/control.sh bochs 2 qemu-mb
	$(Q)BUILD=$(BUILD) CONTROL_TIMEOUT=1200 tests/e2e/control.sh bochs 3 sched
	$(Q)BUILD=$(BUILD) tests/e2e/control.sh bare 1 sched qemu-mb
	$(Q)BUILD=$(BUILD) CONTROL_TIMEOUT=700 tests/e2e/control.sh qemu 2 vm
	$(Q)BUILD=$(BUILD) CONTROL_TIMEOUT=700 VM_ARGS="-machine kernel_irqchip=split" \
		tests/e2e/control.sh qemu 2 vm
	$(Q)BUILD=$(BUILD) CONTROL_TIMEOUT=800 VM_ARGS=-uefi tests/e2e/control.sh qemu 4 sched vm

# The QEMU VM as in check-control, and on the bare machine against kvm_amd, which may run
# it on CPU 0 and so meet QEMU 7.2's cpu_clear_ignne() race (docs/kvm-api.md, "What
# looping the QEMU boot found"): not part of make check.
check-qemu-vm: $(BUILD)/keel.elf $(BUILD)/guests/pcirq.elf
	$(Q)BUILD=$(BUILD) tests/e2e/control.sh qemu 2 vm
	$(Q)BUILD=$(BUILD) VM_ARGS="-machine kernel_irqchip=split" tests/e2e/control.sh qemu 2 vm
	$(Q)BUILD=$(BUILD) CONTROL_TIMEOUT=900 tests/e2e/control.sh bare 2 vm

# The same kernel and initramfs without Keel (-kernel/-initrd): checks the harness itself.
check-control-bare:
	$(Q)BUILD=$(BUILD) tests/e2e/control.sh bare 1
	$(Q)BUILD=$(BUILD) tests/e2e/control.sh bare 2 disk net

# Linux's own KVM selftests (tools/testing/selftests/kvm from Debian's linux-source-6.1,
# built by scripts/kvm-selftests.sh) in the control guest on one CPU: first against
# kvm_amd on the bare QEMU machine, then against keel-kvm under Keel; the table shows both
# and the tests of tests/selftests/expected-keel must pass on each side.
SELFTESTS_CPUS ?= 1
check-selftests: $(BUILD)/keel.elf
	$(Q)BUILD=$(BUILD) tests/e2e/selftests.sh bare $(SELFTESTS_CPUS); \
	BUILD=$(BUILD) tests/e2e/selftests.sh qemu $(SELFTESTS_CPUS); \
	tests/selftests/table.sh $(BUILD)/selftests/bare-$(SELFTESTS_CPUS)cpu/results \
		$(BUILD)/selftests/qemu-$(SELFTESTS_CPUS)cpu/results

# The debug build (assertions, UBSan traps) must pass the selftests and run every payload
# guest (the vCPU lifecycle's transition asserts and UBSan under real scheduling).
check-debug:
	$(Q)$(MAKE) --no-print-directory DEBUG=1 BUILD=$(BUILD)/debug $(BUILD)/debug/keel.elf
	$(Q)scripts/mkiso.sh $(BUILD)/debug/selftest.iso $(BUILD)/debug/keel.elf "keel.test=all"
	$(Q)scripts/qemu-run.sh -c 2 -m 512 -t 120 -l $(BUILD)/debug/boot.log $(BUILD)/debug/selftest.iso >/dev/null 2>&1; \
	rc=$$?; grep -q "keel: selftests: 10 passed, 0 failed, 0 skipped" $(BUILD)/debug/boot.log && [ $$rc = 1 ] && \
	echo "debug: 1 passed, 0 failed" || { tail -30 $(BUILD)/debug/boot.log; echo "debug: 0 passed, 1 failed"; exit 1; }
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/debug guests
	$(Q)BUILD=$(BUILD)/debug tests/e2e/guests.sh qemu 2

check: deps
	$(Q)MAKE="$(MAKE)" scripts/check.sh

# Exit costs, Keel beside Linux KVM on the same emulated machine, by a boot-time VM and
# through /dev/kvm (tests/bench/bench.sh, kvm-bench.sh), then the control guest's costs,
# then a Linux VM's boot through QEMU in the control guest (tests/bench/vm-bench.sh).
bench: deps $(BUILD)/keel.elf $(BUILD)/guests/bench.elf $(BUILD)/guests/spin.elf
	$(Q)BUILD=$(BUILD) tests/bench/bench.sh; a=$$?; \
	BUILD=$(BUILD) tests/bench/control-bench.sh; b=$$?; \
	BUILD=$(BUILD) tests/bench/vm-bench.sh; c=$$?; [ $$a = 0 ] && [ $$b = 0 ] && [ $$c = 0 ]

coverage: deps
	$(Q)rm -rf $(BUILD)/cov
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/cov UNIT_COV=1 unit
	$(Q)lcov -q --capture --directory $(BUILD)/cov --output-file $(BUILD)/cov/unit.info \
		--exclude '*/tests/*' --exclude '/usr/*'
	$(Q)genhtml -q -o $(BUILD)/coverage $(BUILD)/cov/unit.info
	$(Q)lcov --summary $(BUILD)/cov/unit.info
	@echo "coverage: report in $(BUILD)/coverage/index.html"

# Keel's own coverage over the end-to-end tiers on QEMU (tests/e2e/coverage-keel.sh):
# a COVERAGE=1 Keel in $(BUILD)/kcov; prints the line figure, writes $(BUILD)/coverage-keel/.
coverage-keel: deps guests
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/kcov COVERAGE=1 $(BUILD)/kcov/keel.elf
	$(Q)BUILD=$(BUILD) tests/e2e/coverage-keel.sh

clean:
	rm -rf $(BUILD)
