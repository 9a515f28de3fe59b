// SPDX-License-Identifier: GPL-2.0
/*
 * The register state of a /dev/kvm vCPU as KVM_GET/SET_REGS and _SREGS move
 * it (api.rst 4.11-4.14), through its struct keel_run: the vCPU is FROZEN
 * meanwhile, loaded on no CPU, so the backends' accessors work on their
 * copies.
 */
#include "asm/msr.h"
#include "asm/processor-flags.h"
#include "arch/x86/irqchip/irqchip.h"
#include "arch/x86/virt/cr.h"
#include "arch/x86/virt/vcpu.h"
#include "arch/x86/virt/vmm_exit.h"
#include "arch/x86/virt/xstate.h"
#include "kernel/errno.h"
#include "kernel/keel.h"
#include "kernel/string.h"
#include "keel/hypercall.h"

/* CR4 bits a VMM may always set (VME..OSXMMEXCPT, SDM Vol. 3A 2.5) ... */
#define CR4_BASE 0x7ffULL

/*
 * ... and those of features the CPU has, as KVM takes every CR4 bit the
 * host supports and refuses the others (its kvm_is_valid_cr4()): FSGSBASE,
 * PCIDE, SMEP, SMAP, UMIP and OSXSAVE, from the features Keel found at boot.
 * VMXE, SMXE, PKE and LA57 stay reserved for Keel's guests (cr.h).
 */
static u64 cr4_settable(void)
{
	const struct cpu_features *f = &keel.cpu;

	return CR4_BASE | (f->fsgsbase ? X86_CR4_FSGSBASE : 0) | (f->pcid ? X86_CR4_PCIDE : 0) |
	       (f->smep ? X86_CR4_SMEP : 0) | (f->smap ? X86_CR4_SMAP : 0) |
	       (f->umip ? X86_CR4_UMIP : 0) | (f->xcr0 ? X86_CR4_OSXSAVE : 0);
}

/*
 * ... and OSXSAVE once the VMM's CPUID says no XSAVE (KVM's
 * cr4_guest_rsvd_bits, none before KVM_SET_CPUID2: set_sregs_test sets
 * every supported bit then).
 */
static u64 cr4_cpuid_reserved(struct vcpu *v)
{
	if (!v->arch.vmm.cpuid || vmm_cpuid_has(v, CPUID1_ECX_XSAVE))
		return 0;
	return X86_CR4_OSXSAVE;
}

_Static_assert(sizeof(struct keel_regs) == sizeof(struct x86_regs), "keel_regs is x86_regs");

static void seg_out(const struct segment *s, struct keel_segment *k)
{
	*k = (struct keel_segment){ .base = s->base, .limit = s->limit, .selector = s->selector,
				    .type = s->type, .present = s->present, .dpl = s->dpl,
				    .db = s->db, .s = s->s, .l = s->l, .g = s->g, .avl = s->avl,
				    .unusable = s->unusable };
}

static void seg_in(const struct keel_segment *k, struct segment *s)
{
	*s = (struct segment){ .base = k->base, .limit = k->limit, .selector = k->selector,
			       .type = k->type & 15, .present = k->present & 1, .dpl = k->dpl & 3,
			       .db = k->db & 1, .s = k->s & 1, .l = k->l & 1, .g = k->g & 1,
			       .avl = k->avl & 1, .unusable = k->unusable & 1 };
}

static void get_sregs(struct vcpu *v, struct keel_sregs *sr)
{
	struct segment s;
	struct dtable d;

	for (enum seg_reg r = SEG_ES; r < NR_SEGS; r++) {
		virt->get_segment(v, r, &s);
		seg_out(&s, &sr->seg[r]);
	}
	virt->get_dtable(v, false, &d);
	sr->gdt = (struct keel_dtable){ .base = d.base, .limit = d.limit };
	virt->get_dtable(v, true, &d);
	sr->idt = (struct keel_dtable){ .base = d.base, .limit = d.limit };
	sr->cr0 = virt->get_cr(v, 0);
	sr->cr2 = virt->get_cr(v, 2);
	sr->cr3 = virt->get_cr(v, 3);
	sr->cr4 = virt->get_cr(v, 4);
	sr->cr8 = virt->get_cr(v, 8);
	sr->efer = virt->get_efer(v);
	sr->apic_base = irqchip_apic_base(v);
}

/* Copied out of the shared page first, then checked, then applied: nothing changes on -EINVAL. */
static int set_sregs(struct vcpu *v, const struct keel_sregs *shared)
{
	struct keel_sregs sr;
	struct segment s;
	struct cr_state cs;

	memcpy(&sr, shared, sizeof(sr));
	cs = (struct cr_state){ sr.cr0, sr.cr4, sr.efer };
	if (cr_state_check(&cs, ~cr4_settable() | cr4_cpuid_reserved(v)) || sr.cr8 > 15)
		return -EINVAL;
	if (irqchip_apic_base(v) != sr.apic_base &&
	    irqchip_msr_write(v, MSR_IA32_APIC_BASE, sr.apic_base))
		return -EINVAL;
	for (enum seg_reg r = SEG_ES; r < NR_SEGS; r++) {
		seg_in(&sr.seg[r], &s);
		virt->set_segment(v, r, &s);
	}
	virt->set_dtable(v, false, &(struct dtable){ sr.gdt.base, sr.gdt.limit });
	virt->set_dtable(v, true, &(struct dtable){ sr.idt.base, sr.idt.limit });
	virt->set_efer(v, sr.efer);
	virt->set_cr(v, 0, sr.cr0);
	virt->set_cr(v, 2, sr.cr2);
	virt->set_cr(v, 3, sr.cr3);
	virt->set_cr(v, 4, sr.cr4);
	vcpu_paging_changed(v);	/* KVM's kvm_mmu_reset_context() */
	vcpu_set_cr8(v, sr.cr8);
	return 0;
}

/*
 * The MXCSR bits this CPU has: FXRSTOR of any other raises #GP (SDM Vol. 1
 * 11.6.6). Every CPU finds the same, so CPUs that race to find it first
 * store the same value.
 */
static u32 mxcsr_mask(void)
{
	static u32 mask;
	u8 image[512] __aligned(16) = { 0 };
	u32 m = __atomic_load_n(&mask, __ATOMIC_RELAXED);

	if (!m) {
		asm volatile("fxsave64 %0" : "=m"(image));
		memcpy(&m, image + 28, sizeof(m));
		m = m ? m : 0xffbf;	/* 0 means the default (SDM Vol. 1 11.6.6) */
		__atomic_store_n(&mask, m, __ATOMIC_RELAXED);
	}
	return m;
}

_Static_assert(KEEL_XSAVE_SIZE == XSAVE_SIZE, "keel_run holds Keel's XSAVE image");

/*
 * The vCPU's XSAVE image: never in the registers while it is frozen
 * (KVM_RUN's end loads the caller's, saving it), so v->arch.xsave is it.
 * What XRSTOR would fault on is refused (xsave_header_check()), and MXCSR
 * bits the CPU lacks are dropped: KVM takes any value and its restore
 * falls back when the CPU refuses one, while Keel's XRSTOR or FXRSTOR
 * must never fault. Without XSAVE, FXRSTOR loads x87 and SSE whatever
 * XSTATE_BV says.
 */
static int set_fpu(struct vcpu *v, const u8 *shared)
{
	u8 image[XSAVE_SIZE];
	u32 mxcsr;

	memcpy(image, shared, sizeof(image));
	if (xsave_header_check(image, keel.cpu.xcr0 ? keel.cpu.xcr0 : XFEATURES_LEGACY))
		return -EINVAL;
	if (!keel.cpu.xcr0)
		xsave_set_bv(image, XFEATURES_LEGACY);
	memcpy(&mxcsr, image + XSAVE_MXCSR, sizeof(mxcsr));
	mxcsr &= mxcsr_mask();
	memcpy(image + XSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
	memcpy(v->arch.xsave, image, sizeof(image));
	return 0;
}

/* The image a VMM sees: the components Keel gives guests (not the PKRU it switches besides). */
static void get_fpu(struct vcpu *v, struct keel_run *run)
{
	memcpy(run->xsave, v->arch.xsave, sizeof(run->xsave));
	if (keel.cpu.xcr0)
		xsave_set_bv(run->xsave, xsave_bv(v->arch.xsave) & keel.cpu.xcr0);
}

/* KVM_SET_XCRS: XCR0 as XSETBV takes it (KVM's __kvm_set_xcr()), loaded at the next run. */
static int set_xcr0(struct vcpu *v, u64 xcr0)
{
	if (xcr0_check(0, xcr0, vmm_supported_xcr0(v)))
		return -EINVAL;
	v->arch.xcr0 = xcr0;
	return 0;
}

_Static_assert(SHADOW_STI == KEEL_SHADOW_STI && SHADOW_MOV_SS == KEEL_SHADOW_MOV_SS, "shadow bits");

/* The one event being delivered, a queued KVM_INTERRUPT, and what blocks events. */
static void get_events(struct vcpu *v, struct keel_events *ev)
{
	const struct x86_event *e = &v->arch.event;
	bool masked;

	*ev = (struct keel_events){ .nmi_pending = v->arch.nmi_pending };
	if (e->valid && e->type == EVENT_EXCEPTION) {
		ev->exception_injected = 1;
		ev->exception_nr = e->vector;
		ev->exception_has_error = e->has_error;
		ev->exception_error = e->error_code;
	} else if (e->valid && e->type == EVENT_NMI) {
		ev->nmi_injected = 1;
	} else if (e->valid) {
		ev->interrupt_injected = 1;
		ev->interrupt_nr = e->vector;
		ev->interrupt_soft = e->type == EVENT_SOFT_INT;
	} else if (v->arch.vmm.irq_pending) {
		ev->interrupt_injected = 1;
		ev->interrupt_nr = v->arch.vmm.irq;
	}
	virt->get_blocking(v, &ev->shadow, &masked);
	ev->nmi_masked = masked;
}

/*
 * Keel delivers one event per entry: an exception goes first, an
 * interrupt waits as a KVM_INTERRUPT would, an NMI that finds the slot
 * taken waits as a pending one. Vectors 0-31 but NMI's only for
 * exceptions, as KVM's kvm_vcpu_ioctl_x86_set_vcpu_events() checks.
 */
static int set_events(struct vcpu *v, const struct keel_events *shared)
{
	struct keel_events ev;
	struct x86_event *e = &v->arch.event;

	memcpy(&ev, shared, sizeof(ev));
	if (ev.exception_injected && (ev.exception_nr > 31 || ev.exception_nr == X86_EXC_NMI))
		return -EINVAL;
	*e = (struct x86_event){ 0 };
	if (ev.exception_injected)
		*e = (struct x86_event){ .valid = true, .type = EVENT_EXCEPTION, .vector = ev.exception_nr,
					 .has_error = ev.exception_has_error & 1,
					 .error_code = ev.exception_error };
	else if (ev.nmi_injected)
		*e = (struct x86_event){ .valid = true, .type = EVENT_NMI, .vector = X86_EXC_NMI };
	v->arch.vmm.irq_pending = ev.interrupt_injected & 1;
	v->arch.vmm.irq = ev.interrupt_nr;
	v->arch.nmi_pending = (ev.nmi_pending & 1) || (ev.nmi_injected && ev.exception_injected);
	virt->set_blocking(v, ev.shadow & (SHADOW_STI | SHADOW_MOV_SS), ev.nmi_masked & 1);
	__atomic_fetch_or(&v->requests, VCPU_REQ_EVENT, __ATOMIC_SEQ_CST);
	return 0;
}

static void get_debugregs(struct vcpu *v, struct keel_debugregs *d)
{
	memcpy(d->db, v->arch.dr, sizeof(d->db));
	d->dr6 = virt->get_dr(v, 6);
	d->dr7 = virt->get_dr(v, 7);
}

/* Bits 63:32 of DR6 and DR7 must be 0, as KVM's kvm_vcpu_ioctl_x86_set_debugregs() checks; VM entry needs no more. */
static int set_debugregs(struct vcpu *v, const struct keel_debugregs *shared)
{
	struct keel_debugregs d;

	memcpy(&d, shared, sizeof(d));
	if ((d.dr6 | d.dr7) >> 32)
		return -EINVAL;
	memcpy(v->arch.dr, d.db, sizeof(d.db));
	virt->set_dr(v, 6, d.dr6);
	virt->set_dr(v, 7, d.dr7);
	return 0;
}

static void get_state(struct vcpu *v, u32 mask)
{
	struct keel_run *run = v->run;

	if (mask & KEEL_STATE_REGS)
		memcpy(&run->regs, &v->arch.regs, sizeof(run->regs));
	if (mask & KEEL_STATE_SREGS)
		get_sregs(v, &run->sregs);
	if (mask & KEEL_STATE_FPU)
		get_fpu(v, run);
	if (mask & KEEL_STATE_XCR)
		run->xcr0 = v->arch.xcr0;
	if (mask & KEEL_STATE_EVENTS)
		get_events(v, &run->events);
	if (mask & KEEL_STATE_DEBUGREGS)
		get_debugregs(v, &run->debugregs);
	if (mask & KEEL_STATE_LAPIC)
		irqchip_get_lapic(v, run->lapic);
	if (mask & KEEL_STATE_MP)
		run->mp_state = v->arch.vmm.mp_state;
}

void arch_vcpu_dump(struct vcpu *v, struct keel_regs *regs, struct keel_sregs *sregs)
{
	memcpy(regs, &v->arch.regs, sizeof(*regs));
	get_sregs(v, sregs);
}

/* The parts of the in-kernel LAPIC (KVM_SET_LAPIC, KVM_SET_MP_STATE): -EINVAL without one. */
static int set_irq_state(struct vcpu *v, u32 mask)
{
	int r = 0;

	if ((mask & KEEL_STATE_LAPIC) && !v->vm->arch.lapic_in_kernel)
		return -EINVAL;
	if (mask & KEEL_STATE_MP)
		r = vmm_set_mp_state(v, __atomic_load_n(&v->run->mp_state, __ATOMIC_RELAXED));
	if (!r && (mask & KEEL_STATE_LAPIC))
		irqchip_set_lapic(v, v->run->lapic);
	return r;
}

/* Only RFLAGS bit 1 is fixed (SDM Vol. 1 3.4.3); a write clears a pending read's answer. */
int arch_vcpu_state(struct vcpu *v, bool set, u32 mask)
{
	struct keel_run *run = v->run;
	int r = 0;

	if (!set) {
		if ((mask & KEEL_STATE_LAPIC) && !v->vm->arch.lapic_in_kernel)
			return -EINVAL;
		get_state(v, mask);
		return 0;
	}
	if (mask & (KEEL_STATE_LAPIC | KEEL_STATE_MP))
		r = set_irq_state(v, mask);
	if (!r && (mask & KEEL_STATE_FPU))
		r = set_fpu(v, run->xsave);
	if (!r && (mask & KEEL_STATE_XCR))
		r = set_xcr0(v, __atomic_load_n(&run->xcr0, __ATOMIC_RELAXED));
	if (!r && (mask & KEEL_STATE_SREGS))
		r = set_sregs(v, &run->sregs);
	if (!r && (mask & KEEL_STATE_EVENTS))
		r = set_events(v, &run->events);
	if (!r && (mask & KEEL_STATE_DEBUGREGS))
		r = set_debugregs(v, &run->debugregs);
	if (!r && (mask & KEEL_STATE_REGS)) {
		memcpy(&v->arch.regs, &run->regs, sizeof(v->arch.regs));
		v->arch.regs.rflags |= X86_RFLAGS_FIXED;
	}
	v->arch.vmm.answered = VMM_NONE;
	return r;
}
