// SPDX-License-Identifier: GPL-2.0
/* Shared x86 vCPU handling: entry states, events, FPU switching, guest page walks. */
#include "asm/processor-flags.h"
#include "asm/processor.h"
#include "arch/x86/virt/event.h"
#include "arch/x86/virt/exit.h"
#include "arch/x86/virt/kvmclock.h"
#include "arch/x86/virt/msr_filter.h"
#include "asm/msr.h"
#include "arch/x86/irqchip/irqchip.h"
#include "arch/x86/virt/vcpu.h"
#include "arch/x86/virt/vmm_exit.h"
#include "arch/x86/virt/xstate.h"
#include "kernel/arch.h"
#include "kernel/keel.h"
#include "kernel/memslot.h"
#include "kernel/mm.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/string.h"


static void set_seg(struct vcpu *v, enum seg_reg r, u16 sel, u64 base, u32 limit, u8 type,
		    bool s, bool db, bool g)
{
	const struct segment seg = { .base = base, .limit = limit, .selector = sel, .type = type,
				     .present = 1, .s = s, .db = db, .g = g };

	virt->set_segment(v, r, &seg);
}

/*
 * Paging state set from outside the vCPU's own run (a reset, INIT, SIPI,
 * KVM_SET_SREGS): what the TLB caches under its tag was not the CPU's doing
 * and need not hold, whichever CPU it enters next (flush_stale()).
 */
void vcpu_paging_changed(struct vcpu *v)
{
	v->arch.last_cpu = ~0u;
}

static void set_common_state(struct vcpu *v, u64 cr0)
{
	const struct segment ldtr = { .type = 2, .present = 1, .limit = 0xffff };

	memset(&v->arch.regs, 0, sizeof(v->arch.regs));
	v->arch.regs.rflags = 0x2;
	virt->set_cr(v, 0, cr0);
	virt->set_cr(v, 2, 0);
	virt->set_cr(v, 3, 0);
	virt->set_cr(v, 4, 0);
	virt->set_efer(v, 0);
	virt->set_segment(v, SEG_LDTR, &ldtr);
	v->arch.event.valid = false;
	v->arch.dr6 = DR6_RESET;
	vcpu_paging_changed(v);
}

void vcpu_set_reset_state(struct vcpu *v)
{
	const struct dtable dt = { 0, 0xffff };

	set_common_state(v, 0x60000010);
	v->arch.regs.rip = 0xfff0;
	v->arch.regs.gpr[GPR_RDX] = cpuid(1).eax;
	set_seg(v, SEG_CS, 0xf000, 0xffff0000, 0xffff, 0xb, true, false, false);
	for (enum seg_reg r = SEG_ES; r <= SEG_GS; r++)
		if (r != SEG_CS)
			set_seg(v, r, 0, 0, 0xffff, 0x3, true, false, false);
	set_seg(v, SEG_TR, 0, 0, 0xffff, 0xb, false, false, false);
	virt->set_dtable(v, false, &dt);
	virt->set_dtable(v, true, &dt);
}

/* After INIT and a SIPI with @vector: real mode at CS = vector << 8, IP 0 (SDM Vol. 3A 9.4.4.1, 11.6.1). */
void vcpu_set_sipi_state(struct vcpu *v, u8 vector)
{
	vcpu_set_reset_state(v);
	v->arch.regs.rip = 0;
	set_seg(v, SEG_CS, (u16)vector << 8, (u64)vector << 12, 0xffff, 0xb, true, false, false);
}

/*
 * 64-bit mode, paging on with @cr3, a GDT at @gdt_base whose code and data
 * descriptors are @cs and @cs + 8 (the Linux 64-bit boot protocol's state).
 */
void vcpu_set_long64_state(struct vcpu *v, u64 cr3, u64 gdt_base, u16 cs, u64 rip)
{
	const struct dtable gdt = { gdt_base, (u16)(cs + 15) }, idt = { 0, 0 };
	const struct segment code = { .limit = 0xffffffff, .selector = cs, .type = 0xb,
				      .present = 1, .s = 1, .l = 1, .g = 1 };

	set_common_state(v, X86_CR0_PE | X86_CR0_ET | X86_CR0_PG);
	virt->set_cr(v, 3, cr3);
	virt->set_cr(v, 4, X86_CR4_PAE);
	virt->set_efer(v, EFER_LME | EFER_LMA);
	v->arch.regs.rip = rip;
	virt->set_segment(v, SEG_CS, &code);
	for (enum seg_reg r = SEG_ES; r <= SEG_GS; r++)
		if (r != SEG_CS)
			set_seg(v, r, cs + 8, 0, 0xffffffff, 0x3, true, true, true);
	set_seg(v, SEG_TR, 0, 0, 0x67, 0xb, false, false, false);
	virt->set_dtable(v, false, &gdt);
	virt->set_dtable(v, true, &idt);
}

void vcpu_set_flat32_state(struct vcpu *v, u64 gdt_base, u32 eip)
{
	const struct dtable gdt = { gdt_base, 0x1f }, idt = { 0, 0 };

	set_common_state(v, X86_CR0_PE | X86_CR0_ET);
	v->arch.regs.rip = eip;
	set_seg(v, SEG_CS, 0x08, 0, 0xffffffff, 0xb, true, true, true);
	for (enum seg_reg r = SEG_ES; r <= SEG_GS; r++)
		if (r != SEG_CS)
			set_seg(v, r, 0x10, 0, 0xffffffff, 0x3, true, true, true);
	set_seg(v, SEG_TR, 0x18, 0, 0x67, 0xb, false, false, false);
	virt->set_dtable(v, false, &gdt);
	virt->set_dtable(v, true, &idt);
}

enum x86_mode vcpu_mode(struct vcpu *v)
{
	struct segment cs;

	if (!(virt->get_cr(v, 0) & X86_CR0_PE))
		return X86_MODE_16;
	virt->get_segment(v, SEG_CS, &cs);
	if (cs.l && (virt->get_efer(v) & EFER_LMA))
		return X86_MODE_64;
	return cs.db ? X86_MODE_32 : X86_MODE_16;
}

bool vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	return event_queue_exception(&v->arch.event, vector, has_error, error);
}

struct walk {
	struct vcpu *v;
	u64 gva;
	bool write, user, wp;
	struct x86_exception *exc;
};

static int page_fault(struct walk *w, bool present)
{
	*w->exc = (struct x86_exception){ .vector = X86_EXC_PF, .has_error_code = true,
					  .error_code = present | w->write << 1 | w->user << 2,
					  .cr2 = w->gva };
	return X86_EMU_EXCEPTION;
}

/* A table outside RAM faults; one in a /dev/kvm VM's slot not mapped yet is mapped first. */
static int entry_missing(struct walk *w, u64 pa)
{
	if (vcpu_has_vmm(w->v) && memslot_classify(w->v->vm, pa, false) == GPA_RAM) {
		vmm_exit_fault(w->v, pa, false);
		return X86_EMU_RETRY;
	}
	return page_fault(w, false);
}

/*
 * Where the table page holding @pa is, from the vCPU's walk cache if it
 * is there. Reading it while handling an exit is safe: an unmap of it
 * waits for this vCPU to finish (kernel/memslot.c).
 */
static u8 *table_page(struct vcpu *v, u64 pa)
{
	struct walk_cache *c = &v->arch.walk_cache;
	u64 page = pa & PAGE_MASK, gen = __atomic_load_n(&v->vm->gpa_gen, __ATOMIC_ACQUIRE);
	u8 *hva;

	if (c->gen != gen)
		*c = (struct walk_cache){ .gen = gen };
	for (unsigned int i = 0; i < WALK_CACHE_SIZE; i++)
		if (c->hva[i] && c->page[i] == page)
			return c->hva[i];
	hva = gpa_to_hva(v->vm, page, PAGE_SIZE);
	if (hva) {
		c->page[c->next] = page;
		c->hva[c->next] = hva;
		c->next = (c->next + 1) % WALK_CACHE_SIZE;
	}
	return hva;
}

/* Entries are naturally aligned: one never straddles two table pages. */
static int read_entry(struct walk *w, u64 pa, bool wide, u64 *e)
{
	u8 *t = table_page(w->v, pa);
	u32 narrow;

	*e = 0;
	if (!t)
		return entry_missing(w, pa);
	if (wide) {
		memcpy(e, t + (pa & (PAGE_SIZE - 1)), 8);
		return 0;
	}
	memcpy(&narrow, t + (pa & (PAGE_SIZE - 1)), 4);
	*e = narrow;
	return 0;
}

/* The leaf's frame: 32-bit 4 MiB pages carry address bits 39:32 in bits 20:13 (SDM Vol. 3A 4.3). */
static u64 leaf_base(u64 e, bool wide, unsigned int shift)
{
	if (wide)
		return e & 0x000ffffffffff000ULL & ~((1ULL << shift) - 1);
	if (shift == 22)
		return (e & 0xffc00000) | ((e >> 13) & 0xff) << 32;
	return e & 0xfffff000;
}

/* 2-level (32-bit), 3-level (PAE) and 4-level walks (SDM Vol. 3A 4.3-4.5), no A/D updates. */
static int walk(struct walk *w, u64 table, int levels, bool wide, bool pse, u64 *gpa)
{
	bool ok_w = true, ok_u = true;

	for (int level = levels; level >= 1; level--) {
		unsigned int shift = 12 + (wide ? 9 : 10) * (level - 1);
		u64 idx = (w->gva >> shift) & (wide ? 511 : 1023), e;
		int r;

		if (levels == 3 && level == 3)
			idx = (w->gva >> 30) & 3;
		r = read_entry(w, table + idx * (wide ? 8 : 4), wide, &e);
		if (r)
			return r;
		if (!(e & 1))
			return page_fault(w, false);
		if (levels == 3 && level == 3) {	/* PDPTEs have no R/W or U/S bits */
			table = e & 0x000ffffffffff000ULL;
			continue;
		}
		ok_w &= (e >> 1) & 1;
		ok_u &= (e >> 2) & 1;
		if (level == 1 || ((e & BIT(7)) && (wide || pse))) {
			if ((w->user && !ok_u) || (w->write && !ok_w && (w->user || w->wp)))
				return page_fault(w, true);
			*gpa = leaf_base(e, wide, shift) | (w->gva & ((1ULL << shift) - 1));
			return 0;
		}
		table = leaf_base(e, wide, 12);
	}
	return page_fault(w, false);
}

int vcpu_gva_to_gpa(struct vcpu *v, u64 gva, bool write, u64 *gpa, struct x86_exception *exc)
{
	u64 cr0 = virt->get_cr(v, 0), cr3 = virt->get_cr(v, 3), cr4 = virt->get_cr(v, 4);
	bool lma = virt->get_efer(v) & EFER_LMA;
	struct segment ss;
	struct walk w = { v, gva, write, false, cr0 & X86_CR0_WP, exc };

	if (!(cr0 & X86_CR0_PG)) {
		*gpa = lma ? gva : (u32)gva;
		return 0;
	}
	virt->get_segment(v, SEG_SS, &ss);
	w.user = ss.dpl == 3;
	if (lma)
		return walk(&w, cr3 & 0x000ffffffffff000ULL, 4, true, true, gpa);
	w.gva = (u32)gva;
	if (cr4 & X86_CR4_PAE)
		return walk(&w, cr3 & 0xffffffe0, 3, true, true, gpa);
	return walk(&w, cr3 & 0xfffff000, 2, false, cr4 & X86_CR4_PSE, gpa);
}

#define DR(n)                                                                      \
	static u64 read_dr##n(void)                                                \
	{                                                                          \
		u64 v;                                                             \
		asm volatile("mov %%db" #n ", %0" : "=r"(v));                      \
		return v;                                                          \
	}                                                                          \
	static void write_dr##n(u64 v)                                             \
	{                                                                          \
		asm volatile("mov %0, %%db" #n : : "r"(v));                        \
	}
DR(0)
DR(1)
DR(2)
DR(3)
DR(6)
#undef DR

/*
 * XSAVE and XRSTOR run with every component Keel switches enabled, so one
 * image holds all of them whatever the guest's XCR0 (SDM Vol. 1 13.7,
 * 13.8); the guest's XCR0 is loaded after. The CPU's XCR0 is read, never
 * remembered across a guest's run: QEMU's TCG lets an SVM guest's XSETBV
 * through its intercept, and an XRSTOR of a component XCR0 lacks would
 * fault. Within one switch, what Keel just wrote is known.
 */
static void set_cpu_xcr0(u64 xcr0)
{
	if (xgetbv(0) != xcr0)
		xsetbv(0, xcr0);
}

#define XSAVE_AREA(v) (*(u8 (*)[XSAVE_AREA_SIZE])(v)->arch.xsave)
_Static_assert(XSAVE_AREA_SIZE == PAGE_SIZE, "a vCPU's image is the frame xstate_create() takes");

static void xstate_save(struct vcpu *v)
{
	u64 cpu_xcr0;

	if (!keel.cpu.xcr0) {
		asm volatile("fxsave64 %0" : "=m"(*(u8 (*)[512])v->arch.xsave));
		return;
	}
	cpu_xcr0 = xgetbv(0);	/* the guest's, read once */
	v->arch.xcr0 = cpu_xcr0 & keel.cpu.xcr0;
	if (cpu_xcr0 != keel.cpu.xsave_mask)
		xsetbv(0, keel.cpu.xsave_mask);
	asm volatile("xsave64 %0" : "+m"(XSAVE_AREA(v))
		     : "a"((u32)keel.cpu.xsave_mask), "d"(0));
}

/*
 * Where the CPU restores x87 error pointers only with an exception pending
 * (AMD without XSaveErPtr), a load of Keel's own first sets them, so the
 * next vCPU never sees the last one's (Linux's X86_BUG_FXSAVE_LEAK).
 */
static void clear_x87_pointers(void)
{
	static const u32 zero;

	asm volatile("fnclex; emms; fildl %0" : : "m"(zero));
}

/* @xcr0_is_mask: XCR0 is keel.cpu.xsave_mask already (xstate_save() just left it so). */
static void xstate_load(struct vcpu *v, bool xcr0_is_mask)
{
	if (keel.cpu.fxsave_leak)
		clear_x87_pointers();
	if (!keel.cpu.xcr0) {
		asm volatile("fxrstor64 %0" : : "m"(*(const u8 (*)[512])v->arch.xsave));
		return;
	}
	if (!xcr0_is_mask)
		set_cpu_xcr0(keel.cpu.xsave_mask);
	asm volatile("xrstor64 %0" : : "m"(XSAVE_AREA(v)), "a"((u32)keel.cpu.xsave_mask), "d"(0));
	if (v->arch.xcr0 != keel.cpu.xsave_mask)
		xsetbv(0, v->arch.xcr0);
}

/* XSETBV of the running vCPU @v, checked (SDM Vol. 1 13.3): the CPU gets it now. */
void vcpu_set_xcr0(struct vcpu *v, u64 xcr0)
{
	v->arch.xcr0 = xcr0;
	set_cpu_xcr0(xcr0);
}

/*
 * @v's XCR0: the CPU's while its state is loaded here (a guest's XSETBV
 * need not have exited, see set_cpu_xcr0()), else the one saved with it.
 */
u64 vcpu_xcr0(struct vcpu *v)
{
	if (!keel.cpu.xcr0)
		return XFEATURE_FP;
	return this_cpu()->fpu_owner == v ? xgetbv(0) & keel.cpu.xcr0 : v->arch.xcr0;
}

/*
 * Guest x87/SSE/AVX state and DR0-DR3 and DR6 stay in the registers until
 * another vCPU needs them (Keel uses none), so one VM never sees another's.
 */
static void save_guest_regs(struct vcpu *old)
{
	xstate_save(old);
	old->arch.dr[0] = read_dr0();
	old->arch.dr[1] = read_dr1();
	old->arch.dr[2] = read_dr2();
	old->arch.dr[3] = read_dr3();
	old->arch.dr6 = read_dr6();
}

static void switch_guest_regs(struct percpu *pc, struct vcpu *v)
{
	struct vcpu *old = pc->fpu_owner;

	if (old == v)
		return;
	if (old)
		save_guest_regs(old);
	xstate_load(v, old != NULL);
	write_dr0(v->arch.dr[0]);
	write_dr1(v->arch.dr[1]);
	write_dr2(v->arch.dr[2]);
	write_dr3(v->arch.dr[3]);
	write_dr6(v->arch.dr6);
	pc->fpu_owner = v;
}

/* Neither VMX nor SVM switches TSC_AUX, which RDTSCP and RDPID read: the running vCPU's is loaded. */
void vcpu_sync_tsc_aux(struct vcpu *v)
{
	struct percpu *pc = this_cpu();

	if (keel.cpu.rdtscp && pc->tsc_aux != v->arch.tsc_aux) {
		wrmsr(MSR_TSC_AUX, v->arch.tsc_aux);
		pc->tsc_aux = v->arch.tsc_aux;
	}
}

/* CR8 is the TPR's bits 7:4 (SDM Vol. 3A 11.8.6.1), as KVM's kvm_set_cr8(). */
void vcpu_set_cr8(struct vcpu *v, u64 cr8)
{
	if (v->vm->arch.lapic_in_kernel)
		irqchip_set_cr8(v, cr8);	/* the TPR, then the backend's copy */
	else
		virt->set_cr(v, 8, cr8);
}

void arch_vcpu_load(struct vcpu *v)
{
	switch_guest_regs(this_cpu(), v);
	vcpu_sync_tsc_aux(v);
	virt->vcpu_load(v);
}

void arch_vcpu_put(struct vcpu *v)
{
	virt->vcpu_put(v);
}

/*
 * The FPU and debug registers are switched lazily, at the next vCPU's load:
 * a vCPU whose next slice may be on another CPU saves them now (once per
 * slice), so that CPU loads what it last had.
 */
void arch_vcpu_release(struct vcpu *v)
{
	struct percpu *pc = this_cpu();

	if (pc->fpu_owner == v) {
		save_guest_regs(v);
		pc->fpu_owner = NULL;
	}
}

void arch_vcpu_sched_in(struct vcpu *v)
{
	kvmclock_refresh(v);
}

void arch_vcpu_notify(struct vcpu *v, u8 vector)
{
	irqchip_set_irq(v, vector, false);
}

void arch_vcpu_retire(struct vcpu *v)
{
	struct percpu *pc = this_cpu();

	if (pc->fpu_owner == v)
		pc->fpu_owner = NULL;
	/* Parked (INIT), it starts again from a new state; a new vCPU's last_cpu says it never ran. */
	for (unsigned int i = 0; i < TLB_OWNER_SLOTS; i++)
		if (pc->arch.tlb_owner[i] == v)
			pc->arch.tlb_owner[i] = NULL;
}

bool arch_virt_available(void)
{
	return virt;
}

const struct pt_format *arch_gpt_format(void)
{
	return virt->gpt_format;
}

int arch_vm_init(struct vm *vm)
{
	return virt->vm_init(vm);
}

void arch_vm_free(struct vm *vm)
{
	virt->vm_free(vm);
	msr_filter_free(vm);
	if (vm->arch.platform)
		vmm_platform_free(vm);
}

/*
 * XSAVE's image must be 64-byte aligned (SDM Vol. 1 13.4): a page of its
 * own, at RESET's x87/SSE values. INIT leaves the x87, SSE and AVX state
 * and XCR0 as they are (SDM Vol. 3A 9.1.1), as KVM's kvm_vcpu_reset().
 */
static int xstate_create(struct vcpu *v)
{
	u64 pa = frame_alloc_keel(0);

	if (!pa)
		return -ENOMEM;
	v->arch.xsave = (u8 *)(uintptr_t)pa;
	memset(v->arch.xsave, 0, XSAVE_AREA_SIZE);
	v->arch.xsave[0] = 0x7f;	/* FCW 0x037F and MXCSR 0x1F80 (SDM Vol. 1 10.5.1) */
	v->arch.xsave[1] = 0x03;
	v->arch.xsave[XSAVE_MXCSR] = 0x80;
	v->arch.xsave[XSAVE_MXCSR + 1] = 0x1f;
	xsave_set_bv(v->arch.xsave, keel.cpu.xcr0 ? 0 : XFEATURES_LEGACY);
	v->arch.xcr0 = XFEATURE_FP;	/* XCR0 at reset (SDM Vol. 1 13.3) */
	return 0;
}

int arch_vcpu_create(struct vcpu *v)
{
	v->arch.last_cpu = ~0u;
	if (xstate_create(v) || irqchip_create(v))
		return -ENOMEM;
	return virt->vcpu_init(v);
}

void arch_vcpu_destroy(struct vcpu *v)
{
	if (v->arch.hw)
		virt->vcpu_free(v);
	irqchip_free(v);
	if (v->arch.xsave)
		frame_free_keel((u64)(uintptr_t)v->arch.xsave, 0);
	kfree(v->arch.vmm.cpuid);
}

u64 arch_vcpu_deadline(struct vcpu *v)
{
	return irqchip_deadline(v->arch.irqchip);
}

bool arch_vcpu_nmi_pending(const struct vcpu *v)
{
	return v->arch.nmi_pending;
}

/*
 * A /dev/kvm vCPU that waits for INIT or SIPI (KEEL_MP_UNINITIALIZED,
 * _INIT_RECEIVED: SDM Vol. 3A 9.4.4.1) ends that wait only by them, not by
 * an interrupt or NMI, which stay pending.
 */
bool arch_vcpu_wakeable(struct vcpu *v)
{
	const struct irqchip *c = v->arch.irqchip;
	u8 mp = v->arch.vmm.mp_state;

	if (c->init_pending || c->sipi_pending)
		return true;
	if (vcpu_has_vmm(v) && (mp == KEEL_MP_UNINITIALIZED || mp == KEEL_MP_INIT_RECEIVED))
		return false;
	return irqchip_wakeable(v, v->arch.regs.rflags & X86_RFLAGS_IF);
}

void arch_vcpu_init_reset(struct vcpu *v)
{
	irqchip_init_reset(v);
	virt->reset_nmi(v);
}

static void set_window(struct vcpu *v, bool on)
{
	if (v->arch.window != on) {
		virt->request_intr_window(v, on);
		v->arch.window = on;
	}
}

static void set_nmi_window(struct vcpu *v, bool on)
{
	if (v->arch.nmi_window != on) {
		virt->request_nmi_window(v, on);
		v->arch.nmi_window = on;
	}
}

/*
 * A pending NMI goes in before any external interrupt (SDM Vol. 3A 6.9,
 * priority among simultaneous events) once nothing blocks it; RFLAGS.IF
 * does not. Until then, an NMI-window exit is asked for.
 */
static void prepare_nmi(struct vcpu *v)
{
	/* Taken with an exchange: another CPU may raise one more meanwhile (SDM Vol. 3A 6.7.1). */
	if (v->arch.nmi_pending && !v->arch.event.valid && virt->nmi_allowed(v) &&
	    __atomic_exchange_n(&v->arch.nmi_pending, false, __ATOMIC_SEQ_CST))
		v->arch.event = (struct x86_event){ .valid = true, .type = EVENT_NMI, .vector = 2 };
	set_nmi_window(v, v->arch.nmi_pending);
}

/*
 * Whether anything needs prepare_events(): the common exit has none of these.
 * What makes an interrupt pending or changes what the TPR masks sets
 * VCPU_REQ_EVENT (kick_vcpu() for a vLAPIC's new vector, masked or not;
 * written() for its registers; the INIT reset; take_requests() and
 * set_events() for the VMM's), a VMM's interrupt waits in vmm.irq_pending,
 * so only a timer that came due needs a look without one, not every entry
 * while a timer is armed.
 */
static bool events_due(const struct vcpu *v, u64 deadline)
{
	const struct vcpu_arch *a = &v->arch;

	return (v->requests | a->nmi_pending | a->event.valid | a->window | a->nmi_window |
		a->vmm.irq_pending) || (deadline && rdtsc() >= deadline);
}

/*
 * The highest pending vector goes in when the guest can take it (a LAPIC
 * vector moves to its ISR then, SDM Vol. 3A 11.8.4); else an interrupt-window
 * exit is asked for.
 */
static void prepare_events(struct vcpu *v)
{
	struct vcpu_arch *a = &v->arch;
	int vec;

	irqchip_check_timers(v);
	__atomic_and_fetch(&v->requests, ~VCPU_REQ_EVENT, __ATOMIC_SEQ_CST);
	prepare_nmi(v);
	if (a->vmm.irq_pending && !a->event.valid) {	/* KVM_INTERRUPT: in at once, as KVM injects it */
		a->event = (struct x86_event){ .valid = true, .type = EVENT_EXTINT, .vector = a->vmm.irq };
		a->vmm.irq_pending = false;
	}
	vec = irqchip_pending(v);
	if (vec >= 0 && !a->event.valid && virt->interruptible(v)) {
		irqchip_ack(v, vec);
		a->event = (struct x86_event){ .valid = true, .type = EVENT_EXTINT, .vector = (u8)vec };
		vec = irqchip_pending(v);
	}
	set_window(v, vec >= 0 || a->vmm.want_window);
	if (v->vm->arch.lapic_in_kernel && virt->set_tpr_threshold)
		virt->set_tpr_threshold(v, irqchip_tpr_threshold(v));
}

/*
 * A CR8 write that did not exit (virt_ops.set_tpr_threshold) left the new
 * value in the VMCB's V_TPR or the virtual-APIC page: the TPR takes it
 * before anything reads it, as KVM's sync_cr8_to_lapic().
 */
static void sync_cr8(struct vcpu *v)
{
	if (v->vm->arch.lapic_in_kernel)
		irqchip_sync_cr8(v, virt->get_cr(v, 8));
}

/*
 * Cached translations are tagged by ASID or VPID+EPTP, not by guest CR3
 * (APM Vol. 2 15.16; SDM Vol. 3C 29.4.1), and a VM's vCPUs share the tag
 * (wrapped ASIDs may even be shared between VMs): flush when another vCPU
 * ran here with the same tag since this one did, when this one moved
 * here, or when the VM's map changed. The CPU's slot for the tag names the
 * last vCPU that ran under it (a vCPU of another tag in the same slot only
 * costs a flush too many): a vCPU and its VMM's control vCPU take turns on
 * a CPU at every exit to the VMM, and used to flush the TLB each time.
 */
static void flush_stale(struct percpu *pc, struct vcpu *v)
{
	struct vcpu **owner = &pc->arch.tlb_owner[v->vm->arch.asid % TLB_OWNER_SLOTS];

	if (*owner == v && v->arch.last_cpu == pc->cpu && v->arch.flush_gen == v->vm->gpa_gen)
		return;
	virt->flush_gpa(v);
	*owner = v;
	v->arch.last_cpu = pc->cpu;
	v->arch.flush_gen = v->vm->gpa_gen;
}

/*
 * KEEL_STAT_*_INJECTIONS: each interrupt or NMI the next entry delivers,
 * new, set by the VMM or again after an interrupted delivery, as KVM counts
 * each call of its inject_irq and inject_nmi.
 */
static void count_injection(struct vcpu_arch *a)
{
	if (a->event.valid && a->event.type == EVENT_EXTINT)
		a->irq_injections++;
	else if (a->event.valid && a->event.type == EVENT_NMI)
		a->nmi_injections++;
}

enum vcpu_action arch_vcpu_run_once(struct vcpu *v)
{
	enum vcpu_action action;
	struct vm_exit e;
	u64 deadline;

	deadline = irqchip_deadline(v->arch.irqchip);
	if (events_due(v, deadline)) {
		if (v->requests & VCPU_REQ_PARK)
			return VCPU_PARK;	/* INIT: the scheduler parks it */
		prepare_events(v);
		deadline = irqchip_deadline(v->arch.irqchip);
	}
	/* The host timer must fire by the vCPU's next deadline; most exits have none. */
	if (deadline)
		sched_timer_at(&this_cpu()->rq, deadline);
	/*
	 * Set before the generation is read, cleared once the exit's handler no
	 * longer touches guest memory: shootdown() bumps the generation, then
	 * waits for vCPUs so marked (kernel/memslot.c).
	 */
	__atomic_store_n(&v->in_guest, true, __ATOMIC_SEQ_CST);
	flush_stale(this_cpu(), v);
	count_injection(&v->arch);
	virt->run(v, &e);
	v->nr_entries++;
	sync_cr8(v);
	action = handle_exit(v, &e);
	if (v->arch.vmm.want_window)
		action = vmm_check_window(v, action);
	if (v->arch.vmm.eoi_exit)
		action = vmm_check_eoi(v, action);
	__atomic_store_n(&v->in_guest, false, __ATOMIC_RELEASE);
	irq_poll();	/* host interrupts that exited the guest are taken here */
	return action;
}
