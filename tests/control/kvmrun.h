/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest-physical layout that kvmrun.c builds and its guests
 * (kvmrun-guests.S) use, and those guests' labels. Every address is below
 * 64 KiB, so real-mode guests reach all of it with DS base 0, but
 * MANY_GPA's, which only a 32-bit guest writes.
 */
#ifndef KVMRUN_H
#define KVMRUN_H

#define IVT_GPA		0	/* real mode: the interrupt vector table */
#define CODE_GPA	0x1000	/* kvmrun-guests.S, copied here */
#define CODE_SIZE	0x1000
#define PML4_GPA	0x2000	/* long mode: identity map of 0-2 MiB, */
#define PDPT_GPA	0x3000	/* one 2 MiB page */
#define PD_GPA		0x4000
#define STACK_TOP	0x6000	/* every guest's stack: the page below it */
#define DATA_GPA	0x6000	/* a page the VMM and the guests share */
#define DATA2_GPA	0x7000	/* and a second one */
#define RAM_SIZE	0x8000	/* slot 0: guest RAM from GPA 0 */
#define DIRTY_GPA	0x8000	/* slot 3: two pages with dirty logging */
#define RO_GPA		0xa000	/* slot 1: a KVM_MEM_READONLY page */
#define MOVE_GPA	0xb000	/* slot 2: a page moved to MOVED_GPA */
#define MOVED_GPA	0xc000
#define MMIO_GPA	0xe000	/* in no slot: accesses exit as MMIO */
#define STOS_COUNT	200	/* rm_stos's bytes from MMIO_GPA */
#define MANY_GPA	0x1000000	/* slot 4: MANY_PAGES pages with dirty logging */
#define MANY_PAGES	2600

#define HC_UNKNOWN	0xbad	/* no KVM_HC_* hypercall has this number */
#define CPUID_LEAF	0x40000123	/* a leaf only KVM_SET_CPUID2 gives */
#define IRQ_VECTOR	0x30	/* the interrupt KVM_INTERRUPT raises */
#define MSR_TSC_DEADLINE	0x6e0
#define MSR_UNKNOWN	0x12345	/* no CPU or KVM has this MSR */
#define RDMSR_PORT	0x52	/* rm_rdmsr's EAX */
#define XSAVE_PORT	0x48	/* lm_xsave's results */
#define CR8_PORT	0x49	/* lm_cr8_irq's and lm_cr8_loop's */
#define MANY_PORT	0x4a	/* pm_dirty_many's pauses */
#define TABLES_GPA	0x7000	/* check_cr8_irq: a GDT, the IDT at + 0x100 (DATA2_GPA's page) */
#define CR4_OSXSAVE	0x40000
#define EVENT_PORT	0x72	/* where the handlers say which ran: */
#define NMI_MARKER	0x4e	/* 'N' */
#define IRQ_MARKER	0x49	/* 'I' */
#define PIT_AP_MARKER	0x50	/* 'P': rm_pit_ap programmed the PIT */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* kvmrun-guests.S: each guest's start, and labels inside that checks name. */
extern const uint8_t guest_start[], guest_end[];
extern const uint8_t rm_out[], rm_out_insn[], rm_in[], rm_in_insn[], rm_in_next[];
extern const uint8_t rm_outsb[], rm_outsb_insn[], rm_insb[], rm_insb_insn[];
extern const uint8_t rm_hlt[], rm_hlt_next[];
extern const uint8_t rm_vmmcall[], rm_vmcall[];
extern const uint8_t rm_mmio[], rm_mmio_next[], rm_mmio_read[], rm_readonly[], rm_stos[];
extern const uint8_t rm_peek[], rm_poke[], rm_spin[], rm_int3[], rm_rdtsc[], rm_wrmsr[];
extern const uint8_t rm_cpuid[], rm_xmm[], rm_sti_hlt[], rm_sti_spin[], rm_sti_spin_loop[], rm_pit[],
	rm_pit_ap[];
extern const uint8_t rm_tsc_deadline[], rm_tsc_handler[], rm_rdmsr[];
extern const uint8_t rm_nmi_handler[], rm_irq_handler[];
extern const uint8_t pm_guest[], pm_dirty_many[];
extern const uint8_t lm_guest[], lm_vmmcall[], lm_vmcall[], lm_mwait[], lm_cr8[],
	lm_user_msr[], lm_xsave[], lm_cr8_irq[], lm_irq_handler[], lm_cr8_loop[];
#endif

#endif
