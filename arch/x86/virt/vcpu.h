/* SPDX-License-Identifier: GPL-2.0 */
/* Shared x86 vCPU state handling: entry states, guest modes, guest page walks. */
#ifndef KEEL_X86_VCPU_H
#define KEEL_X86_VCPU_H

#include "asm/processor-flags.h"
#include "arch/x86/virt/decode.h"
#include "arch/x86/virt/emulate.h"
#include "kernel/keel.h"
#include "kernel/vm.h"

/* The state after RESET (SDM Vol. 3A 9.1.1, table 9-1): real mode at 0xFFFFFFF0. */
void vcpu_set_reset_state(struct vcpu *v);
/* Its CR0, CR3, CR4 or EFER were set while it did not run: its next entry flushes its tag. */
void vcpu_paging_changed(struct vcpu *v);
/* 32-bit protected mode, paging off, flat CS 0x08 and data 0x10 (Multiboot 0.6.96, 3.2). */
void vcpu_set_flat32_state(struct vcpu *v, u64 gdt_base, u32 eip);
/* Real mode at the start page a SIPI names (SDM Vol. 3A 9.4.4.1). */
void vcpu_set_sipi_state(struct vcpu *v, u8 vector);
/* 64-bit mode as the Linux boot protocol enters: paging on with @cr3, CS @cs, data @cs + 8. */
void vcpu_set_long64_state(struct vcpu *v, u64 cr3, u64 gdt_base, u16 cs, u64 rip);
enum x86_mode vcpu_mode(struct vcpu *v);
/*
 * Translates guest-linear @gva through the guest's own page tables.
 * 0 and *gpa, or X86_EMU_EXCEPTION with @exc set to the #PF to inject.
 */
int vcpu_gva_to_gpa(struct vcpu *v, u64 gva, bool write, u64 *gpa, struct x86_exception *exc);
void vcpu_sync_tsc_aux(struct vcpu *v);
/* CR4.OSXSAVE where Keel does not switch XSAVE state (keel.cpu.xcr0 0): reserved. */
static inline u64 cr4_xstate_reserved(void)
{
	return keel.cpu.xcr0 ? 0 : X86_CR4_OSXSAVE;
}

/* The running vCPU's checked XSETBV; @v's XCR0 (the CPU's while loaded, else the one saved). */
void vcpu_set_xcr0(struct vcpu *v, u64 xcr0);
u64 vcpu_xcr0(struct vcpu *v);
/* CR8 (0..15): with the LAPIC in Keel (a /dev/kvm VM's), the TPR's bits 7:4 too. */
void vcpu_set_cr8(struct vcpu *v, u64 cr8);
/*
 * Queues exception @vector, merged with an event whose delivery raised it
 * (arch/x86/virt/event.h): false if that makes a triple fault, which ends the VM.
 */
bool vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error);

#endif
