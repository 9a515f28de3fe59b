// SPDX-License-Identifier: GPL-2.0
/* AMD SVM with nested paging (AMD APM Vol. 2, chapter 15). */
#include "asm/pgtable.h"
#include "asm/processor-flags.h"
#include "asm/processor.h"
#include "asm/msr.h"
#include "arch/x86/virt/cr.h"
#include "arch/x86/virt/event.h"
#include "arch/x86/virt/guest_msr.h"
#include "arch/x86/virt/msr_filter.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/virt/virt.h"
#include "arch/x86/virt/virt_vm.h"
#include "kernel/errno.h"
#include "kernel/keel.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/string.h"
#include "kernel/vm.h"

#define IOPM_ORDER 2	/* 12 KiB I/O permission map (15.10.1) */
#define MSRPM_ORDER 1	/* 8 KiB MSR permission map (15.11) */
#define SVM_DEFAULT_PAT 0x0007040600070406ULL

/*
 * Without vNMI (QEMU's SVM has none), Keel tracks NMI blocking itself
 * (APM Vol. 2 15.20, 15.21.4): an injected NMI masks NMIs and turns on the
 * IRET intercept. That intercept exits before the IRET executes, so NMIs
 * stay masked until a later exit finds RIP moved off the IRET (it retired),
 * as KVM does. To make that exit come soon when an NMI waits, the virtual
 * interrupt window (VINTR) is asked for, but only if RFLAGS.IF is 0 at the
 * IRET: the exit is then one right after an IRET that sets IF. With IF = 1
 * the window would open before the IRET and exit forever; an IRET that
 * leaves IF = 0 gets no early exit either. Then the pending NMI waits for
 * the next exit of any kind, at the latest the host timer's, one
 * scheduler slice; single-stepping the IRET would be exact but costlier.
 */
struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	bool nmi_masked;	/* an injected NMI's handler has not returned */
	bool iret_seen;		/* its IRET was intercepted at iret_rip */
	bool cr8_held;		/* a pending interrupt waits for the TPR (svm_set_tpr_threshold()) */
	u64 iret_rip;
	bool intr_window, nmi_window;	/* what the shared code asked for */
	u64 exit_rip;		/* RIP at the last exit: the interrupt shadow holds only there */
};

/* Per CPU: the host save area VMRUN uses, and the host's VMLOAD state. */
static u64 hsave_pa[MAX_CPUS];
static u64 host_vmload_pa[MAX_CPUS];
static u64 msrpm_pa;

void svm_enter(u64 *gprs, u64 vmcb_pa, u64 host_save_pa);

static inline void clgi(void)
{
	asm volatile("clgi" ::: "memory");
}

static inline void stgi(void)
{
	asm volatile("stgi" ::: "memory");
}

static struct vmcb *vmcb_of(struct vcpu *v)
{
	return ((struct svm_vcpu *)v->arch.hw)->vmcb;
}

/*
 * The MSRs VMLOAD/VMSAVE or the VMCB switch (15.5.2) pass through; every
 * other access exits. Two bits per MSR, read then write, in three 2 KiB
 * ranges (15.11).
 */
static void msrpm_set(u8 *pm, u32 msr, bool read, bool write)
{
	u32 base = msr < 0x2000 ? 0 : msr >= 0xc0010000 ? 0x1000 : 0x800;
	u32 bit = (msr & 0x1fff) * 2;
	u8 *b = &pm[base + bit / 8];

	*b = (*b & ~(3 << (bit % 8))) | (read | write << 1) << (bit % 8);
}

/* A fresh map: Keel's, with the passed-through accesses @f denies intercepted. */
static u64 svm_msr_bitmap(const struct msr_filter *f)
{
	u64 pa = frame_alloc_keel(MSRPM_ORDER);
	u8 *pm = (u8 *)(uintptr_t)pa;

	if (!pa)
		return 0;
	memcpy(pm, (void *)(uintptr_t)msrpm_pa, PAGE_SIZE << MSRPM_ORDER);
	for (unsigned int i = 0; i < NR_PASSTHROUGH_MSRS; i++) {
		u32 msr = guest_msr_number[i];

		msrpm_set(pm, msr, msr_filter_denies(f, msr, false), msr_filter_denies(f, msr, true));
	}
	return pa;
}

static int svm_global_init(void)
{
	u8 *msrpm;

	msrpm_pa = frame_alloc_keel(MSRPM_ORDER);
	if (!msrpm_pa)
		return -ENOMEM;
	msrpm = (u8 *)(uintptr_t)msrpm_pa;
	memset(msrpm, 0xff, PAGE_SIZE << MSRPM_ORDER);
	for (unsigned int i = 0; i < NR_PASSTHROUGH_MSRS; i++)
		msrpm_set(msrpm, guest_msr_number[i], false, false);
	return 0;
}

/* EFER.SVME on, and a host save area for VMRUN (15.4, 15.30.4). */
static int svm_cpu_enable(void)
{
	unsigned int cpu = this_cpu()->cpu;
	u64 save;

	if (cpu == 0 && svm_global_init())
		return -ENOMEM;
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		return -ENODEV;
	hsave_pa[cpu] = frame_alloc_keel(0);
	host_vmload_pa[cpu] = frame_alloc_keel(0);
	if (!hsave_pa[cpu] || !host_vmload_pa[cpu])
		return -ENOMEM;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, hsave_pa[cpu]);
	save = host_vmload_pa[cpu];
	asm volatile("vmsave %0" : : "a"(save) : "memory");
	return 0;
}

/* The IOPM is the VM's I/O bitmap (15.10.1); ASIDs come from keel.cpu.npt.nr_asids (15.16). */
static int svm_vm_init(struct vm *vm)
{
	int r = vm_io_bitmap_alloc(vm, IOPM_ORDER);

	if (r)
		return r;
	vm->gpt.max_leaf_level = keel.cpu.pages_1g ? 3 : 2;	/* NPT leaves follow the host's (15.25.5) */
	vm->arch.asid = vm_tag_alloc(keel.cpu.npt.nr_asids);
	return 0;
}

static void svm_vm_free(struct vm *vm)
{
	vm_io_bitmap_free(vm, IOPM_ORDER);
}

static void init_control(struct vmcb_control *c, struct vcpu *v)
{
	c->intercept_exceptions = BIT(18) | BIT(17);	/* #MC stays the host's; #AC cannot loop */
	/*
	 * VMCALL, as KVM (exit.c); CR8 is the vLAPIC's TPR (exit.c): its writes
	 * exit until update_cr8_intercept() finds they need not.
	 */
	if (v->vm->kind == VM_KIND_KVM) {
		c->intercept_exceptions |= BIT(X86_EXC_UD);
		c->intercept_cr = INTERCEPT_CR8_WRITE;
	}
	c->intercept_misc1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_SMI | INTERCEPT_INIT |
			     INTERCEPT_CPUID | INTERCEPT_INVD | INTERCEPT_HLT | INTERCEPT_INVLPGA |
			     INTERCEPT_IOIO | INTERCEPT_MSR | INTERCEPT_SHUTDOWN;
	c->intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL | INTERCEPT_VMLOAD |
			     INTERCEPT_VMSAVE | INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT |
			     INTERCEPT_MONITOR | INTERCEPT_MWAIT | INTERCEPT_XSETBV;
	c->iopm_base_pa = (u64)(uintptr_t)v->vm->arch.io_bitmap;
	c->msrpm_base_pa = msrpm_pa;
	c->asid = v->vm->arch.asid;
	c->tlb_control = 1;
	c->int_ctl = INT_CTL_V_INTR_MASKING;
	c->np_enable = 1;
	c->n_cr3 = v->vm->gpt.root;
}

static int svm_vcpu_init(struct vcpu *v)
{
	struct svm_vcpu *s = kzalloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->vmcb_pa = frame_alloc_keel(0);
	if (!s->vmcb_pa) {
		kfree(s);
		return -ENOMEM;
	}
	s->vmcb = (struct vmcb *)(uintptr_t)s->vmcb_pa;
	v->arch.hw = s;
	init_control(&s->vmcb->control, v);
	s->vmcb->save.efer = EFER_SVME;
	s->vmcb->save.g_pat = SVM_DEFAULT_PAT;
	s->vmcb->save.dr6 = DR6_RESET;
	s->vmcb->save.dr7 = DR7_RESET;
	return 0;
}

static void svm_vcpu_free(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch.hw;

	frame_free_keel(s->vmcb_pa, 0);
	kfree(s);
}

static void svm_vcpu_load(struct vcpu *v)
{
}

static void svm_vcpu_put(struct vcpu *v)
{
}

/* Segment attributes in the VMCB's compressed form (APM Vol. 2 15.5.1). */
static void svm_get_segment(struct vcpu *v, enum seg_reg seg, struct segment *s)
{
	struct vmcb_save *sv = &vmcb_of(v)->save;
	const struct vmcb_seg *vs = seg == SEG_LDTR ? &sv->ldtr : seg == SEG_TR ? &sv->tr : &sv->es + seg;

	*s = (struct segment){ .base = vs->base, .limit = vs->limit, .selector = vs->selector };
	seg_attr_unpack(vs->attrib, s);
}

static unsigned int svm_get_cpl(struct vcpu *v)
{
	return vmcb_of(v)->save.cpl & 3;
}

/* The VMCB's segment attributes hold L in bit 9 (15.5.1). */
static bool svm_in_64bit_mode(struct vcpu *v)
{
	const struct vmcb_save *sv = &vmcb_of(v)->save;

	return (sv->efer & EFER_LMA) && (sv->cs.attrib & BIT(9));
}

static void svm_set_segment(struct vcpu *v, enum seg_reg seg, const struct segment *s)
{
	struct vmcb_save *sv = &vmcb_of(v)->save;
	struct vmcb_seg *vs = seg == SEG_LDTR ? &sv->ldtr : seg == SEG_TR ? &sv->tr : &sv->es + seg;

	vs->base = s->base;
	vs->limit = s->limit;
	vs->selector = s->selector;
	vs->attrib = seg_attr_pack(s);
	if (seg == SEG_SS)
		sv->cpl = s->dpl & 3;	/* the CPL is SS.DPL (15.5.1) */
}

/* CR8 is the VMCB's V_TPR with V_INTR_MASKING (APM Vol. 2 15.21.2). */
static u64 svm_get_cr(struct vcpu *v, int cr)
{
	struct vmcb *vmcb = vmcb_of(v);
	struct vmcb_save *sv = &vmcb->save;

	if (cr == 8)
		return vmcb->control.int_ctl & INT_CTL_V_TPR;
	return cr == 0 ? sv->cr0 : cr == 2 ? sv->cr2 : cr == 3 ? sv->cr3 : sv->cr4;
}

static void svm_set_cr(struct vcpu *v, int cr, u64 val)
{
	struct vmcb_save *sv = &vmcb_of(v)->save;

	if (cr == 8)
		vmcb_of(v)->control.int_ctl = (vmcb_of(v)->control.int_ctl & ~INT_CTL_V_TPR) |
					      (val & INT_CTL_V_TPR);
	else if (cr == 0)
		sv->cr0 = val;
	else if (cr == 2)
		sv->cr2 = val;
	else if (cr == 3)
		sv->cr3 = val;
	else
		sv->cr4 = val;
}

/* The guest's EFER.SVME is the hardware's requirement, not the guest's: hidden. */
static u64 svm_get_efer(struct vcpu *v)
{
	return vmcb_of(v)->save.efer & ~EFER_SVME;
}

static void svm_set_efer(struct vcpu *v, u64 efer)
{
	vmcb_of(v)->save.efer = efer | EFER_SVME;
}

static void svm_get_dtable(struct vcpu *v, bool idt, struct dtable *d)
{
	struct vmcb_seg *vs = idt ? &vmcb_of(v)->save.idtr : &vmcb_of(v)->save.gdtr;

	d->base = vs->base;
	d->limit = (u16)vs->limit;
}

static void svm_set_dtable(struct vcpu *v, bool idt, const struct dtable *d)
{
	struct vmcb_seg *vs = idt ? &vmcb_of(v)->save.idtr : &vmcb_of(v)->save.gdtr;

	vs->base = d->base;
	vs->limit = d->limit;
}

/* Where the VMCB keeps each of the guest MSRs (15.5.2, appendix B). */
static const u16 msr_offset[NR_GUEST_MSRS] = {
	[GMSR_FS_BASE] = offsetof(struct vmcb_save, fs.base),
	[GMSR_GS_BASE] = offsetof(struct vmcb_save, gs.base),
	[GMSR_KERNEL_GS_BASE] = offsetof(struct vmcb_save, kernel_gs_base),
	[GMSR_SYSENTER_CS] = offsetof(struct vmcb_save, sysenter_cs),
	[GMSR_SYSENTER_ESP] = offsetof(struct vmcb_save, sysenter_esp),
	[GMSR_SYSENTER_EIP] = offsetof(struct vmcb_save, sysenter_eip),
	[GMSR_STAR] = offsetof(struct vmcb_save, star),
	[GMSR_LSTAR] = offsetof(struct vmcb_save, lstar),
	[GMSR_CSTAR] = offsetof(struct vmcb_save, cstar),
	[GMSR_SFMASK] = offsetof(struct vmcb_save, sfmask),
	[GMSR_PAT] = offsetof(struct vmcb_save, g_pat),
};

static u64 *svm_msr_slot(struct vmcb_save *sv, u32 msr)
{
	int i = guest_msr_index(msr);

	return i < 0 ? NULL : (u64 *)((u8 *)sv + msr_offset[i]);
}

static int svm_get_msr(struct vcpu *v, u32 msr, u64 *val)
{
	u64 *slot = svm_msr_slot(&vmcb_of(v)->save, msr);

	if (!slot)
		return -ENOENT;
	*val = *slot;
	return 0;
}

static int svm_set_msr(struct vcpu *v, u32 msr, u64 val)
{
	u64 *slot = svm_msr_slot(&vmcb_of(v)->save, msr);

	if (!slot)
		return -ENOENT;
	*slot = val;
	return 0;
}

/*
 * An STI or MOV SS shadow covers the one instruction after it: once Keel
 * completed that instruction (RIP moved since the exit), it is over, as
 * KVM's skip_emulated_instruction() ends it (15.21.5).
 */
static bool in_shadow(struct vcpu *v, struct svm_vcpu *s)
{
	return (s->vmcb->control.int_state & INT_STATE_SHADOW) && v->arch.regs.rip == s->exit_rip;
}

static bool svm_interruptible(struct vcpu *v)
{
	return (v->arch.regs.rflags & X86_RFLAGS_IF) && !in_shadow(v, v->arch.hw);
}

static bool svm_nmi_allowed(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch.hw;

	return !s->nmi_masked && !in_shadow(v, s);
}

static void svm_request_intr_window(struct vcpu *v, bool on)
{
	((struct svm_vcpu *)v->arch.hw)->intr_window = on;
}

static void svm_request_nmi_window(struct vcpu *v, bool on)
{
	((struct svm_vcpu *)v->arch.hw)->nmi_window = on;
}

static void svm_set_tpr_threshold(struct vcpu *v, u8 threshold)
{
	((struct svm_vcpu *)v->arch.hw)->cr8_held = threshold;
}

/*
 * A /dev/kvm guest's CR8 writes exit only while one could let a pending
 * interrupt in, or while V_IRQ is set (QEMU 7.2's TCG asserts in its
 * MOV-to-CR8 helper then); else the guest writes V_TPR alone and the TPR
 * takes it at the exit (vcpu.c), as KVM's svm_update_cr8_intercept().
 */
static void update_cr8_intercept(struct vcpu *v, struct svm_vcpu *s)
{
	struct vmcb_control *c = &s->vmcb->control;

	if (v->vm->kind != VM_KIND_KVM)
		return;
	if (s->cr8_held || (c->int_ctl & INT_CTL_V_IRQ))
		c->intercept_cr |= INTERCEPT_CR8_WRITE;
	else
		c->intercept_cr &= ~INTERCEPT_CR8_WRITE;
}

/*
 * A virtual interrupt with the VINTR intercept: exits once the guest can
 * take one (15.21.4). For an NMI: while NMIs are masked and the IRET not
 * yet intercepted, that intercept is the exit; after it, see struct
 * svm_vcpu; in a shadow alone, the window opens after it if IF = 1.
 */
static void update_vintr(struct vcpu *v, struct svm_vcpu *s)
{
	struct vmcb_control *c = &s->vmcb->control;
	bool if_off = !(v->arch.regs.rflags & X86_RFLAGS_IF);
	bool nmi = s->nmi_window && (s->iret_seen ? if_off : !s->nmi_masked);

	if (s->intr_window || nmi) {
		c->int_ctl |= INT_CTL_V_IRQ | INT_CTL_V_IGN_TPR;
		c->intercept_misc1 |= INTERCEPT_VINTR;
	} else {
		c->int_ctl &= ~(INT_CTL_V_IRQ | INT_CTL_V_IGN_TPR);
		c->intercept_misc1 &= ~INTERCEPT_VINTR;
	}
}

/* Flush this ASID's entries on the next VMRUN (15.16.1); 1 flushes all, which every SVM has. */
static void svm_flush_gpa(struct vcpu *v)
{
	vmcb_of(v)->control.tlb_control = 1;
}

/*
 * EVENTINJ (15.20): the error code in bits 63:32. An injected NMI masks
 * NMIs until its handler's IRET (see struct svm_vcpu).
 */
static void inject_event(struct svm_vcpu *s, const struct x86_event *e)
{
	s->vmcb->control.event_inj = event_info_encode(e, e->has_error) |
				     (e->has_error ? (u64)e->error_code << 32 : 0);
	if (e->type == EVENT_NMI) {
		s->nmi_masked = true;
		s->iret_seen = false;
		s->vmcb->control.intercept_misc1 |= INTERCEPT_IRET;
	}
}

static void svm_reset_nmi(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch.hw;

	s->nmi_masked = s->iret_seen = false;
	s->vmcb->control.intercept_misc1 &= ~INTERCEPT_IRET;
}

/* The VMCB has one shadow bit for both kinds (15.21.5), as KVM's svm_get_interrupt_shadow() says. */
static void svm_get_blocking(struct vcpu *v, u8 *shadow, bool *nmi_masked)
{
	struct svm_vcpu *s = v->arch.hw;

	*shadow = in_shadow(v, s) ? SHADOW_MOV_SS | SHADOW_STI : 0;
	*nmi_masked = s->nmi_masked;
}

/* Masked NMIs unmask at the guest's next IRET, as after an injected one. */
static void svm_set_blocking(struct vcpu *v, u8 shadow, bool nmi_masked)
{
	struct svm_vcpu *s = v->arch.hw;

	s->vmcb->control.int_state = (s->vmcb->control.int_state & ~INT_STATE_SHADOW) |
				     (shadow ? INT_STATE_SHADOW : 0);
	s->exit_rip = v->arch.regs.rip;	/* it holds here */
	svm_reset_nmi(v);
	if (nmi_masked) {
		s->nmi_masked = true;
		s->vmcb->control.intercept_misc1 |= INTERCEPT_IRET;
	}
}

static u64 svm_get_dr(struct vcpu *v, int dr)
{
	return dr == 6 ? vmcb_of(v)->save.dr6 : vmcb_of(v)->save.dr7;
}

static void svm_set_tsc_offset(struct vcpu *v, u64 offset)
{
	vmcb_of(v)->control.tsc_offset = offset;
}

static void svm_set_dr(struct vcpu *v, int dr, u64 val)
{
	if (dr == 6)
		vmcb_of(v)->save.dr6 = val;
	else
		vmcb_of(v)->save.dr7 = val;
}

/* NMIs unmask at the first exit after the intercepted IRET retired; a new IRET exit arms that. */
static void track_iret(struct svm_vcpu *s)
{
	struct vmcb *vmcb = s->vmcb;

	if (s->iret_seen && vmcb->save.rip != s->iret_rip)
		s->nmi_masked = s->iret_seen = false;
	if (vmcb->control.exit_code == SVM_EXIT_IRET) {
		vmcb->control.intercept_misc1 &= ~INTERCEPT_IRET;
		s->iret_seen = true;
		s->iret_rip = vmcb->save.rip;
	}
}

/* An event whose delivery the exit interrupted is delivered again (15.7.2). */
static void save_pending_event(struct vcpu *v, u64 info)
{
	if (event_info_decode((u32)info, &v->arch.event))
		v->arch.event.error_code = info >> 32;
}

static void decode_io(struct vm_exit *e, const struct vmcb_control *c, u64 rip)
{
	u64 info = c->exit_info1;

	e->kind = EXIT_IO;
	e->io.in = info & 1;
	e->io.string = info & BIT(2);
	e->io.rep = info & BIT(3);
	e->io.size = (info >> 4) & 7;
	e->io.addr_size = (info >> 7) & 7 ? 2 << __builtin_ctzll((info >> 7) & 7) : 0;
	e->io.port = info >> 16;
	e->io.seg = (info >> 10) & 7;
	e->insn_len = (u32)(c->exit_info2 - rip);	/* EXITINFO2 is the next RIP (15.10.2) */
}

/* With decode assists, EXITINFO1 names the source register (15.33.1); else exit.c decodes. */
static void decode_cr8(struct vm_exit *e, const struct vmcb_control *c, u64 rip)
{
	e->kind = EXIT_CR_WRITE;
	e->cr.cr = 8;
	e->cr.gpr = CR_GPR_UNKNOWN;
	if (keel.cpu.npt.decode_assists && (c->exit_info1 & BIT(63)) && c->next_rip) {
		e->cr.gpr = c->exit_info1 & 15;
		e->insn_len = (u32)(c->next_rip - rip);
	}
}

/* Without NRIP save (QEMU's SVM), lengths of the intercepted instructions are fixed. */
static void decode_exit(struct vm_exit *e, const struct vmcb_control *c, u64 rip)
{
	u64 code = c->exit_code;

	e->raw_reason = (u32)code;
	e->qual = c->exit_info1;
	e->insn_len = 0;
	switch (code) {
	case SVM_EXIT_INTR: e->kind = EXIT_EXTINT; break;
	case SVM_EXIT_NMI: e->kind = EXIT_NMI; break;
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
		e->kind = EXIT_NONE;
		break;
	case SVM_EXIT_VMRUN: case SVM_EXIT_VMLOAD: case SVM_EXIT_VMSAVE: case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI: case SVM_EXIT_SKINIT: case SVM_EXIT_INVLPGA:
		e->kind = EXIT_HIDDEN_INSN;
		break;
	case SVM_EXIT_XSETBV: e->kind = EXIT_XSETBV; e->insn_len = 3; break;
	case SVM_EXIT_MONITOR: case SVM_EXIT_MWAIT: e->kind = EXIT_MWAIT; e->insn_len = 3; break;
	case SVM_EXIT_VINTR: e->kind = EXIT_INTR_WINDOW; break;
	case SVM_EXIT_IRET: e->kind = EXIT_NMI_WINDOW; break;	/* NMIs unmask: see track_iret */
	case SVM_EXIT_CPUID: e->kind = EXIT_CPUID; e->insn_len = 2; break;
	case SVM_EXIT_HLT: e->kind = EXIT_HLT; e->insn_len = 1; break;
	case SVM_EXIT_INVD: e->kind = EXIT_SKIP; e->insn_len = 2; break;
	case SVM_EXIT_VMMCALL: e->kind = EXIT_HYPERCALL; e->insn_len = 3; break;
	case SVM_EXIT_SHUTDOWN: e->kind = EXIT_TRIPLE_FAULT; break;
	case SVM_EXIT_IOIO: decode_io(e, c, rip); break;
	case SVM_EXIT_WRITE_CR8: decode_cr8(e, c, rip); break;
	case SVM_EXIT_MSR:
		e->kind = c->exit_info1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		e->insn_len = 2;
		break;
	case SVM_EXIT_NPF:
		e->kind = EXIT_NPF;
		e->npf.gpa = c->exit_info2;
		e->npf.present = c->exit_info1 & 1;
		e->npf.write = c->exit_info1 & 2;
		e->npf.fetch = c->exit_info1 & 16;
		break;
	case SVM_EXIT_INVALID:
	case (u32)SVM_EXIT_INVALID:	/* QEMU stores VMEXIT_INVALID as a 32-bit -1 */
		e->kind = EXIT_ENTRY_FAILURE;
		break;
	default:
		if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
			e->kind = EXIT_EXCEPTION;
			e->exception.vector = code - SVM_EXIT_EXCP_BASE;
			e->exception.has_error = BIT(e->exception.vector) & 0x60227d00;
			e->exception.error_code = (u32)c->exit_info1;
		} else {
			e->kind = EXIT_UNHANDLED;
		}
	}
	if (c->next_rip && e->insn_len && keel.cpu.npt.nrips)
		e->insn_len = (u32)(c->next_rip - rip);
}

/*
 * GIF stays clear from before VMRUN until the host is back, with IF set, so
 * host interrupts and NMIs arrive as intercepts and are taken after STGI
 * (15.17).
 */
static void svm_run(struct vcpu *v, struct vm_exit *exit)
{
	struct svm_vcpu *s = v->arch.hw;
	struct vmcb *vmcb = s->vmcb;

	vmcb->save.rip = v->arch.regs.rip;
	vmcb->save.rflags = v->arch.regs.rflags;
	vmcb->save.rsp = v->arch.regs.gpr[GPR_RSP];
	vmcb->save.rax = v->arch.regs.gpr[GPR_RAX];
	/* its filter's (msr_filter.c), read once in guest mode's window (vm_wait_exits()) */
	vmcb->control.msrpm_base_pa = __atomic_load_n(&v->vm->arch.msr_bitmap, __ATOMIC_ACQUIRE) ?:
				      msrpm_pa;
	vmcb->control.event_inj = 0;
	if (v->arch.regs.rip != s->exit_rip)	/* the shadow ended (in_shadow()) */
		vmcb->control.int_state &= ~INT_STATE_SHADOW;
	if (v->arch.event.valid) {
		inject_event(s, &v->arch.event);
		v->arch.event.valid = false;
	}
	update_vintr(v, s);
	update_cr8_intercept(v, s);
	irq_disable();
	clgi();
	irq_enable();
	svm_enter(v->arch.regs.gpr, s->vmcb_pa, host_vmload_pa[this_cpu()->cpu]);
	irq_disable();
	stgi();
	vmcb->control.tlb_control = 0;
	v->arch.regs.gpr[GPR_RAX] = vmcb->save.rax;
	v->arch.regs.gpr[GPR_RSP] = vmcb->save.rsp;
	v->arch.regs.rflags = vmcb->save.rflags;
	save_pending_event(v, vmcb->control.exit_int_info);
	track_iret(s);
	decode_exit(exit, &vmcb->control, vmcb->save.rip);
	v->arch.regs.rip = s->exit_rip = vmcb->save.rip;
}

const struct virt_ops svm_ops = {
	.name = "svm",
	.gpt_format = &pt_format_x86,
	.hypercall_insn = { 0x0f, 0x01, 0xd9 },
	.cpu_enable = svm_cpu_enable,
	.vm_init = svm_vm_init,
	.vm_free = svm_vm_free,
	.io_intercept = vm_io_intercept,
	.msr_bitmap = svm_msr_bitmap,
	.msr_bitmap_order = MSRPM_ORDER,
	.vcpu_init = svm_vcpu_init,
	.vcpu_free = svm_vcpu_free,
	.vcpu_load = svm_vcpu_load,
	.vcpu_put = svm_vcpu_put,
	.run = svm_run,
	.get_segment = svm_get_segment,
	.get_cpl = svm_get_cpl,
	.in_64bit_mode = svm_in_64bit_mode,
	.set_segment = svm_set_segment,
	.get_cr = svm_get_cr,
	.set_cr = svm_set_cr,
	.get_efer = svm_get_efer,
	.set_efer = svm_set_efer,
	.get_dtable = svm_get_dtable,
	.set_dtable = svm_set_dtable,
	.get_msr = svm_get_msr,
	.set_msr = svm_set_msr,
	.interruptible = svm_interruptible,
	.request_intr_window = svm_request_intr_window,
	.nmi_allowed = svm_nmi_allowed,
	.request_nmi_window = svm_request_nmi_window,
	.set_tpr_threshold = svm_set_tpr_threshold,
	.reset_nmi = svm_reset_nmi,
	.get_blocking = svm_get_blocking,
	.set_blocking = svm_set_blocking,
	.get_dr = svm_get_dr,
	.set_dr = svm_set_dr,
	.set_tsc_offset = svm_set_tsc_offset,
	.flush_gpa = svm_flush_gpa,
};
