/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The architectural rules for MOV to CR0/CR4 and WRMSR EFER, and the
 * segment attribute layout, written once for both backends.
 */
#ifndef KEEL_X86_CR_H
#define KEEL_X86_CR_H

#include "asm/processor-flags.h"
#include "arch/x86/virt/virt.h"
#include "kernel/types.h"


/*
 * CR4 bits no guest may set whatever the CPU allows: the features
 * cpuid_policy() hides (VMX, PKU, LA57) and SMX, whose GETSEC is #UD.
 * OSXSAVE is reserved only where Keel has no XSAVE (cr4_xstate_reserved()).
 */
#define CR4_GUEST_RESERVED (X86_CR4_VMXE | X86_CR4_SMXE | X86_CR4_PKE | X86_CR4_LA57)

struct cr_state {
	u64 cr0, cr4, efer;
};

/*
 * MOV to CR0 or CR4 (@cr) of @val on @s, with CR4 bits @cr4_reserved
 * reserved on this CPU besides CR4_GUEST_RESERVED; @in_64bit: the guest
 * runs in 64-bit mode. 0 with @s updated (EFER.LMA included), or -EINVAL:
 * #GP(0).
 */
int cr_write(struct cr_state *s, int cr, u64 val, u64 cr4_reserved, bool in_64bit);
/* WRMSR EFER of @val on @s: 0 with s->efer updated, or -EINVAL: #GP(0). */
int efer_write(struct cr_state *s, u64 val);
/* Whether @s as a whole is a state the CPU can be in (KVM_SET_SREGS): 0 or -EINVAL. */
int cr_state_check(const struct cr_state *s, u64 cr4_reserved);

/*
 * The descriptor attribute bits of @s in SVM's compressed form (APM Vol. 2
 * 15.5.1): type 3:0, S 4, DPL 6:5, P 7, AVL 8, L 9, D/B 10, G 11. VMX's
 * access rights (SDM Vol. 3C 25.4.1) are the same with bits 11:8 at 15:12.
 * P is clear for an unusable segment.
 */
u16 seg_attr_pack(const struct segment *s);
/* Fills @s's attribute fields from @attr; present = P and unusable = !P. */
void seg_attr_unpack(u16 attr, struct segment *s);

#endif
