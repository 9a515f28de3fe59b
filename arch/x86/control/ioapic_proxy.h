/* SPDX-License-Identifier: GPL-2.0 */
/* The physical I/O APICs as the control guest reaches them through Keel (arch/x86/control/ioapic_proxy.c). */
#ifndef KEEL_X86_IOAPIC_H
#define KEEL_X86_IOAPIC_H

#include "arch/x86/irqchip/vlapic.h"
#include "kernel/types.h"

struct vm;

/* Claims every I/O APIC's register page in @vm (whose NPT/EPT must leave them unmapped). */
int ioapic_proxy_add(struct vm *vm);
/*
 * The interrupt message the guest programmed for ISA IRQ @irq (its GSI's
 * redirection entry): 0, or -ENOENT if masked or not a fixed/lowest one.
 */
int ioapic_isa_message(unsigned int irq, struct vlapic_ipi *m);

#endif
