// SPDX-License-Identifier: GPL-2.0
/* Control register, EFER and segment attribute rules shared by VMX and SVM. */
#include "arch/x86/virt/cr.h"
#include "asm/msr.h"
#include "kernel/errno.h"

/* The invalid combinations of MOV to CR0/CR4 (SDM Vol. 2B MOV, Vol. 3A 2.5; APM Vol. 2 3.1). */
static bool cr_valid(u64 cr0, u64 cr4, u64 efer, u64 cr4_reserved)
{
	if ((cr0 >> 32) || ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE)) ||
	    ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD)))
		return false;
	if (cr4 & (cr4_reserved | CR4_GUEST_RESERVED))
		return false;
	return !((efer & EFER_LMA) && !(cr4 & X86_CR4_PAE));
}

/*
 * Setting PG with EFER.LME enters IA-32e mode, which needs PAE; clearing it
 * leaves IA-32e mode, which is #GP in 64-bit mode (SDM Vol. 3A 10.8.5;
 * APM Vol. 2 14.6).
 */
int cr_write(struct cr_state *s, int cr, u64 val, u64 cr4_reserved, bool in_64bit)
{
	u64 cr0 = cr == 0 ? val : s->cr0, cr4 = cr == 4 ? val : s->cr4, efer = s->efer;
	bool pg_on = (cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PG);
	bool pg_off = !(cr0 & X86_CR0_PG) && (s->cr0 & X86_CR0_PG);

	if (!cr_valid(cr0, cr4, efer, cr4_reserved))
		return -EINVAL;
	if (pg_on && (efer & EFER_LME)) {
		if (!(cr4 & X86_CR4_PAE))
			return -EINVAL;
		efer |= EFER_LMA;
	} else if (pg_off && (efer & EFER_LMA)) {
		if (in_64bit)
			return -EINVAL;
		efer &= ~EFER_LMA;
	}
	*s = (struct cr_state){ cr0, cr4, efer };
	return 0;
}

/*
 * SCE, LME and NXE are the guest's; LMA is the CPU's and SVME hidden; LME
 * cannot change while paging is on (SDM Vol. 3A 10.8.5, APM Vol. 2 14.6.1).
 */
int efer_write(struct cr_state *s, u64 val)
{
	if (val & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
		return -EINVAL;
	if ((s->cr0 & X86_CR0_PG) && ((val ^ s->efer) & EFER_LME))
		return -EINVAL;
	s->efer = (val & ~EFER_LMA) | (s->efer & EFER_LMA);
	return 0;
}

u16 seg_attr_pack(const struct segment *s)
{
	bool present = s->present && !s->unusable;

	return (u16)((s->type & 0xf) | (s->s & 1) << 4 | (s->dpl & 3) << 5 | present << 7 |
		     (s->avl & 1) << 8 | (s->l & 1) << 9 | (s->db & 1) << 10 | (s->g & 1) << 11);
}

void seg_attr_unpack(u16 attr, struct segment *s)
{
	s->type = attr & 0xf;
	s->s = (attr >> 4) & 1;
	s->dpl = (attr >> 5) & 3;
	s->present = (attr >> 7) & 1;
	s->avl = (attr >> 8) & 1;
	s->l = (attr >> 9) & 1;
	s->db = (attr >> 10) & 1;
	s->g = (attr >> 11) & 1;
	s->unusable = !s->present;
}

/*
 * A whole register state at once (KVM_SET_SREGS): the combinations no MOV
 * could reach, refused as KVM's kvm_is_valid_sregs() refuses them; paging
 * with EFER.LME is IA-32e mode only with LMA and PAE, and LMA without it
 * is invalid.
 */
int cr_state_check(const struct cr_state *s, u64 cr4_reserved)
{
	bool ia32e = (s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG);

	if (s->efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
		return -EINVAL;
	if (!cr_valid(s->cr0, s->cr4, s->efer, cr4_reserved))
		return -EINVAL;
	if (ia32e != !!(s->efer & EFER_LMA))
		return -EINVAL;
	return 0;
}
