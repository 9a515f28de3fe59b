# tests/guests/guests.mk: the payload guests (docs/boot-vms.md, tests/guests/README.md).
# Included by the top Makefile; `make guests` builds $(BUILD)/guests/NAME.elf for
# every NAME in GUEST_NAMES (the NAME of `keel.vm=NAME`). 32-bit guests are ELF32
# from -m32; 64-bit guests are linked as ELF64 and converted with
# objcopy -O elf32-i386 (their entry is 32-bit code that enters long mode).

GUEST_DIR := tests/guests
GUEST_OUT := $(BUILD)/guests

GUEST_NAMES := entry cpuid32 cpuid64 realmode portio msr mmio32 mmio64 hlt_irq \
	exceptions hypercall triplefault smp cr nmi bench spin pcirq xstate_a xstate_b

# Per guest: guest_mode_NAME (32 or 64), guest_src_NAME (repo-relative sources),
# optionally guest_hdr_NAME := aout for the multiboot a.out-kludge header (flag 16).
guest_mode_entry := 32
guest_src_entry := $(GUEST_DIR)/entry.c
guest_hdr_entry := aout
guest_mode_cpuid32 := 32
guest_src_cpuid32 := $(GUEST_DIR)/cpuid.c
guest_mode_cpuid64 := 64
guest_src_cpuid64 := $(GUEST_DIR)/cpuid.c
guest_mode_realmode := 32
guest_src_realmode := $(GUEST_DIR)/realmode.c $(GUEST_DIR)/realmode16.S $(GUEST_DIR)/lib/realmode.S
guest_mode_portio := 32
guest_src_portio := $(GUEST_DIR)/portio.c
guest_mode_msr := 64
guest_src_msr := $(GUEST_DIR)/msr.c
guest_mode_mmio32 := 32
guest_src_mmio32 := $(GUEST_DIR)/mmio.c
guest_mode_mmio64 := 64
guest_src_mmio64 := $(GUEST_DIR)/mmio.c
guest_mode_hlt_irq := 64
guest_src_hlt_irq := $(GUEST_DIR)/hlt_irq.c
guest_mode_exceptions := 64
guest_src_exceptions := $(GUEST_DIR)/exceptions.c
guest_mode_hypercall := 64
guest_src_hypercall := $(GUEST_DIR)/hypercall.c
guest_mode_triplefault := 32
guest_src_triplefault := $(GUEST_DIR)/triplefault.c
guest_mode_smp := 64
guest_src_smp := $(GUEST_DIR)/smp.c
guest_mode_cr := 32
guest_src_cr := $(GUEST_DIR)/cr.c
guest_mode_nmi := 64
guest_src_nmi := $(GUEST_DIR)/nmi.c
guest_mode_spin := 64
guest_src_spin := $(GUEST_DIR)/spin.c
guest_mode_pcirq := 64
guest_src_pcirq := $(GUEST_DIR)/pcirq.c
guest_mode_xstate_a := 64
guest_src_xstate_a := $(GUEST_DIR)/xstate.c
guest_mode_xstate_b := 64
guest_src_xstate_b := $(GUEST_DIR)/xstate.c
guest_mode_bench := 64
guest_src_bench := $(GUEST_DIR)/bench.c tests/bench/loops.S

GUEST_CC ?= gcc
GUEST_LD ?= ld
GUEST_OBJCOPY ?= objcopy

GUEST_WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wundef -Wvla -Wpointer-arith -Wwrite-strings -Wformat=2 -Wimplicit-fallthrough \
	-Wcast-qual -Wno-unused-parameter
GUEST_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdlib -fno-pic -fno-pie \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector -fcf-protection=none \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -fno-common \
	-fno-tree-loop-distribute-patterns $(GUEST_WARN) \
	-I$(GUEST_DIR)/lib -Itests/bench -Iguest-abi -MMD -MP
GUEST_CFLAGS_32 := -m32 -march=i686
GUEST_CFLAGS_64 := -m64 -mcmodel=small
GUEST_LDEMU_32 := -m elf_i386
GUEST_LDEMU_64 := -m elf_x86_64
GUEST_LDFLAGS := -nostdlib -static --build-id=none -z max-page-size=4096 \
	-z noexecstack --no-warn-rwx-segments -T $(GUEST_DIR)/lib/guest.ld

GUEST_LIB := $(addprefix $(GUEST_DIR)/lib/,entry.S stubs.S lib.c trap.c start.c)
GUEST_ELFS := $(addprefix $(GUEST_OUT)/,$(addsuffix .elf,$(GUEST_NAMES)))

.PHONY: guests
guests: $(GUEST_ELFS)

# Objects: $(GUEST_OUT)/objMODE/<repo path>.o
guest_obj = $(addprefix $(GUEST_OUT)/obj$(1)/,$(addsuffix .o,$(basename $(2))))

define GUEST_MODE_RULES
$(GUEST_OUT)/obj$(1)/%.o: %.c $(GUEST_DIR)/guests.mk
	@mkdir -p $$(dir $$@)
	$$(Q)$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_$(1)) -c -o $$@ $$<

$(GUEST_OUT)/obj$(1)/%.o: %.S $(GUEST_DIR)/guests.mk
	@mkdir -p $$(dir $$@)
	$$(Q)$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_$(1)) -D__ASSEMBLY__ -c -o $$@ $$<

$(GUEST_OUT)/obj$(1)/$(GUEST_DIR)/lib/mbheader_aout.o: $(GUEST_DIR)/lib/mbheader.S \
		$(GUEST_DIR)/guests.mk
	@mkdir -p $$(dir $$@)
	$$(Q)$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_$(1)) -D__ASSEMBLY__ -DMB_AOUT \
		-c -o $$@ $$<
endef
$(eval $(call GUEST_MODE_RULES,32))
$(eval $(call GUEST_MODE_RULES,64))

# NAME.elf: the multiboot header, the library and the guest's sources, one image
# at 1 MiB; 64-bit guests are converted to ELF32 (their entry point is 32-bit code).
guest_hdr = $(GUEST_DIR)/lib/mbheader$(if $(guest_hdr_$(1)),_$(guest_hdr_$(1))).S
guest_finish = $(if $(filter 64,$(1)),$(GUEST_OBJCOPY) -O elf32-i386 $(2).tmp $(2) && \
	rm -f $(2).tmp,mv $(2).tmp $(2))

define GUEST_RULE
guest_objs_$(1) := $(call guest_obj,$(guest_mode_$(1)),$(call guest_hdr,$(1)) \
	$(GUEST_LIB) $(guest_src_$(1)))
$(GUEST_OUT)/$(1).elf: $$(guest_objs_$(1)) $(GUEST_DIR)/lib/guest.ld
	$$(Q)$(GUEST_LD) $(GUEST_LDEMU_$(guest_mode_$(1))) $(GUEST_LDFLAGS) \
		-o $$@.tmp $$(guest_objs_$(1))
	$$(Q)$(call guest_finish,$(guest_mode_$(1)),$$@)
	@echo "  GUEST   $$@"
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call GUEST_RULE,$(g))))

-include $(wildcard $(GUEST_OUT)/obj*/$(GUEST_DIR)/*.d $(GUEST_OUT)/obj*/$(GUEST_DIR)/lib/*.d \
	$(GUEST_OUT)/obj*/tests/bench/*.d)
