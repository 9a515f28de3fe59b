/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU descriptor tables and CPU setup. */
#ifndef KEEL_X86_CPU_H
#define KEEL_X86_CPU_H

#include "kernel/types.h"

#define GDT_CS 0x08
#define GDT_DS 0x10
#define GDT_TSS 0x18
#define GDT_ENTRIES 5		/* null, code, data, TSS (two slots) */

/* IST slots (SDM Vol. 3A 6.14.5): events that must not run on a possibly broken stack. */
#define IST_NMI 1
#define IST_DF 2
#define IST_MC 3
#define IST_STACK_SIZE 4096

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

_Static_assert(sizeof(struct tss) == 104, "64-bit TSS is 104 bytes (SDM Vol. 3A 8.7)");

#define TLB_OWNER_SLOTS 16

struct vcpu;

struct cpu_arch {
	u64 gdt[GDT_ENTRIES] __aligned(8);
	struct tss tss __aligned(16);
	/* by TLB tag (ASID, VPID) modulo the slots: whose guest translations the TLB may hold */
	struct vcpu *tlb_owner[TLB_OWNER_SLOTS];
};

struct percpu;

void idt_init(void);
/* Loads this CPU's GDT, TSS (with IST stacks from @ist_base) and the IDT; sets the GS base. */
void cpu_init(struct percpu *pc, u64 ist_base);
/* XSAVE on for guests' state, once the CPU's features are known (each CPU). */
void cpu_xstate_init(void);

#endif
