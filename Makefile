# Keel: a bare-metal type-1 hypervisor for x86-64.
# `make` builds build/keel.elf; see README.md for the other targets.

BUILD ?= build
DEBUG ?= 0
HOSTCC ?= gcc
CC := gcc
Q := @

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wundef -Wvla -Wpointer-arith -Wwrite-strings -Wformat=2 -Wimplicit-fallthrough \
	-Wno-unused-parameter

# ---------------------------------------------------------------- unit tests
# Host-compiled tests of the pure logic: tests/unit/test_NAME.c linked with
# the sources listed in unit_NAME.
UNIT_CFLAGS := -std=gnu11 -O1 -g $(WARN) -Wno-missing-prototypes -I. -DHOST_TEST \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_COV ?= 0
ifeq ($(UNIT_COV),1)
UNIT_CFLAGS += --coverage
endif

unit_memmap := kernel/memmap.c
unit_multiboot2 := kernel/multiboot2.c kernel/memmap.c
unit_frame := kernel/frame.c kernel/memmap.c
unit_heap := kernel/heap.c
unit_acpi := drivers/acpi.c
unit_cmdline := kernel/cmdline.c
unit_pagetable := kernel/pagetable.c
unit_decode := arch/x86/decode.c
unit_emulate := arch/x86/emulate.c arch/x86/decode.c

UNIT_TESTS := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS := $(addprefix $(BUILD)/unit/test_,$(UNIT_TESTS))

.SECONDEXPANSION:
$(BUILD)/unit/test_%: tests/unit/test_%.c tests/unit/harness.c tests/unit/test.h $$(unit_$$*) $$(wildcard */*.h */*/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< tests/unit/harness.c $(unit_$*) $(unit_$*_ldflags)

.PHONY: unit
unit: $(UNIT_BINS)
	$(Q)scripts/run-unit.sh $(UNIT_BINS)
