/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KEEL_X86_TRAPS_H
#define KEEL_X86_TRAPS_H

#include "asm/regs.h"

typedef void (*irq_handler_t)(struct regs *r);

void irq_register(unsigned int vector, irq_handler_t h);
/* Device vectors 0x20-0xEB, once the control guest owns them; @h sends the EOI itself. */
void irq_set_device_handler(irq_handler_t h);
void trap_dispatch(struct regs *r);

/*
 * Exception fixups: a fault at @insn resumes at @fixup with RAX = vector.
 * Used where Keel expects a fault (probing, selftests) instead of a panic.
 */
struct extable_entry {
	u64 insn;
	u64 fixup;
};

#define EXTABLE(insn, fixup) \
	".pushsection .extable, \"a\"\n\t.balign 8\n\t.quad " #insn ", " #fixup "\n\t.popsection\n\t"

#endif
