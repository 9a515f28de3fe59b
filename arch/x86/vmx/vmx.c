// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-x with EPT (SDM Vol. 3C chapters 24-29).
 *
 * Where guest state lives: the ops below read and write the VMCS while the
 * vCPU is loaded on a CPU, and a software copy while it is loaded nowhere.
 * They are called either on the CPU that has the vCPU loaded (exit handling)
 * or while it is loaded nowhere (set-up before its first run, starting a
 * stopped vCPU), never from another CPU, so no op needs a VMCS that is
 * current elsewhere (a VMCS is current on one CPU at a time, 25.1).
 * vcpu_put saves the copy before VMCLEAR; vcpu_load writes it back after
 * VMPTRLD only if it changed meanwhile.
 */
#include "asm/processor-flags.h"
#include "asm/processor.h"
#include "asm/cpu.h"
#include "asm/msr.h"
#include "arch/x86/timer.h"
#include "arch/x86/virt/cr.h"
#include "arch/x86/virt/event.h"
#include "arch/x86/virt/guest_msr.h"
#include "arch/x86/virt/vcpu.h"
#include "arch/x86/virt/virt.h"
#include "arch/x86/virt/virt_vm.h"
#include "arch/x86/vmx/ept.h"
#include "arch/x86/vmx/pml.h"
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx.h"
#include "kernel/errno.h"
#include "kernel/keel.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/vm.h"

#define DEFAULT_PAT 0x0007040600070406ULL
#define INTR_BLOCK_SHADOW (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)

/* Guest state the ops reach, cached while the vCPU is loaded nowhere. */
enum {
	C_SEL = 0,
	C_BASE = C_SEL + NR_SEGS,
	C_LIMIT = C_BASE + NR_SEGS,
	C_AR = C_LIMIT + NR_SEGS,
	C_GDTR_BASE = C_AR + NR_SEGS, C_GDTR_LIMIT, C_IDTR_BASE, C_IDTR_LIMIT,
	C_CR0, C_CR3, C_CR4, C_CR0_SHADOW, C_CR4_SHADOW, C_EFER, C_PAT,
	C_SYSENTER_CS, C_SYSENTER_ESP, C_SYSENTER_EIP, C_INTR_STATE, C_CPU_CTLS, C_ENTRY_CTLS,
	C_DR7, C_TSC_OFFSET, C_TPR_THRESHOLD, NR_CACHED
};

/* Segment fields are laid out ES, CS, SS, DS, FS, GS, LDTR, TR, as enum seg_reg (B.1-B.4). */
#define SEG_FIELDS(s) [C_SEL + (s)] = GUEST_ES_SELECTOR + 2 * (s), \
		      [C_BASE + (s)] = GUEST_ES_BASE + 2 * (s),     \
		      [C_LIMIT + (s)] = GUEST_ES_LIMIT + 2 * (s),   \
		      [C_AR + (s)] = GUEST_ES_AR_BYTES + 2 * (s)

static const u32 cached_field[NR_CACHED] = {
	SEG_FIELDS(SEG_ES), SEG_FIELDS(SEG_CS), SEG_FIELDS(SEG_SS), SEG_FIELDS(SEG_DS),
	SEG_FIELDS(SEG_FS), SEG_FIELDS(SEG_GS), SEG_FIELDS(SEG_LDTR), SEG_FIELDS(SEG_TR),
	[C_GDTR_BASE] = GUEST_GDTR_BASE, [C_GDTR_LIMIT] = GUEST_GDTR_LIMIT,
	[C_IDTR_BASE] = GUEST_IDTR_BASE, [C_IDTR_LIMIT] = GUEST_IDTR_LIMIT,
	[C_CR0] = GUEST_CR0, [C_CR3] = GUEST_CR3, [C_CR4] = GUEST_CR4,
	[C_CR0_SHADOW] = CR0_READ_SHADOW, [C_CR4_SHADOW] = CR4_READ_SHADOW,
	[C_EFER] = GUEST_IA32_EFER, [C_PAT] = GUEST_IA32_PAT,
	[C_SYSENTER_CS] = GUEST_SYSENTER_CS, [C_SYSENTER_ESP] = GUEST_SYSENTER_ESP,
	[C_SYSENTER_EIP] = GUEST_SYSENTER_EIP, [C_INTR_STATE] = GUEST_INTERRUPTIBILITY_INFO,
	[C_CPU_CTLS] = CPU_BASED_VM_EXEC_CONTROL, [C_ENTRY_CTLS] = VM_ENTRY_CONTROLS,
	[C_DR7] = GUEST_DR7, [C_TSC_OFFSET] = TSC_OFFSET, [C_TPR_THRESHOLD] = TPR_THRESHOLD,
};

/*
 * Where the VMCS keeps each guest MSR (25.4). The SYSCALL MSRs and
 * KERNEL_GS_BASE are not in it: they are switched when a vCPU is loaded and
 * put. Keel itself uses none of them (no SYSCALL, no SWAPGS), so the host's
 * values need no restoring.
 */
#define NOT_IN_VMCS 0xff

static const u8 msr_field[NR_GUEST_MSRS] = {
	[GMSR_FS_BASE] = C_BASE + SEG_FS, [GMSR_GS_BASE] = C_BASE + SEG_GS,
	[GMSR_KERNEL_GS_BASE] = NOT_IN_VMCS, [GMSR_SYSENTER_CS] = C_SYSENTER_CS,
	[GMSR_SYSENTER_ESP] = C_SYSENTER_ESP, [GMSR_SYSENTER_EIP] = C_SYSENTER_EIP,
	[GMSR_STAR] = NOT_IN_VMCS, [GMSR_LSTAR] = NOT_IN_VMCS, [GMSR_CSTAR] = NOT_IN_VMCS,
	[GMSR_SFMASK] = NOT_IN_VMCS, [GMSR_PAT] = C_PAT,
};

struct vmx_vcpu {
	u64 vmcs_pa;
	u64 vapic_pa;		/* virtual-APIC page: the TPR shadow CR8 accesses use (30.1) */
	int cpu;		/* where the VMCS is current; -1: nowhere */
	int host_cpu;		/* whose host state the VMCS holds; -1: never loaded */
	bool launched;		/* VMRESUME, not VMLAUNCH; VMCLEAR resets it (25.11.3) */
	bool dirty;		/* the copy changed while the vCPU was loaded nowhere */
	u64 cr2;		/* not in the VMCS: switched by vmx_enter */
	u64 exit_rip;		/* RIP at the last exit (see stale_blocking) */
	bool nmi_in_service;	/* an NMI Keel injected has not seen its IRET yet */
	u64 msr_bitmap;		/* the VM's msr_bitmap the VMCS was given */
	u64 pml_pa;		/* its PML page if the CPU logs the VM's writes (pml.c), else 0 */
	u64 guest[NR_CACHED];
	u64 msrs[NR_GUEST_MSRS];	/* those NOT_IN_VMCS */
};

int vmx_enter(u64 *gprs, u64 *cr2, u64 launched);

static u64 gread(struct vmx_vcpu *x, unsigned int i)
{
	return x->cpu >= 0 ? vmcs_read(cached_field[i]) : x->guest[i];
}

static void gwrite(struct vmx_vcpu *x, unsigned int i, u64 val)
{
	if (x->cpu >= 0) {
		vmcs_write(cached_field[i], val);
		return;
	}
	x->guest[i] = val;
	x->dirty = true;
}

/* I/O bitmaps A and B (25.6.4) are the VM's I/O bitmap, two pages; VPIDs are 16 bits (25.6.12). */
static int vmx_vm_init(struct vm *vm)
{
	int r = vm_io_bitmap_alloc(vm, 1);

	if (r)
		return r;
	vm->gpt.max_leaf_level = keel.cpu.ept.pages_1g ? 3 : 2;	/* 1 GiB EPT leaves (A.10) */
	vm->arch.asid = vm_tag_alloc(0x10000);
	return 0;
}

static void vmx_vm_free(struct vm *vm)
{
	vm_io_bitmap_free(vm, 1);
}

static int vmx_vcpu_init(struct vcpu *v)
{
	struct vmx_vcpu *x = kzalloc(sizeof(*x));

	if (!x)
		return -ENOMEM;
	v->arch.hw = x;
	x->cpu = x->host_cpu = -1;
	x->vmcs_pa = frame_alloc_keel(0);
	x->vapic_pa = frame_alloc_keel(0);
	x->pml_pa = pml_alloc(v->vm);
	if (!x->vmcs_pa || !x->vapic_pa || (v->vm->write_log && !x->pml_pa))
		return -ENOMEM;
	*(u32 *)(uintptr_t)x->vmcs_pa = vmx_caps.revision;	/* 25.2 */
	x->guest[C_CPU_CTLS] = vmx_caps.cpu;
	x->guest[C_ENTRY_CTLS] = vmx_caps.entry;
	x->guest[C_PAT] = DEFAULT_PAT;
	x->guest[C_DR7] = DR7_RESET;
	x->dirty = true;
	vcpu_set_reset_state(v);
	return 0;
}

static void vmx_vcpu_free(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch.hw;

	if (x->vmcs_pa)
		frame_free_keel(x->vmcs_pa, 0);
	if (x->vapic_pa)
		frame_free_keel(x->vapic_pa, 0);
	if (x->pml_pa)
		frame_free_keel(x->pml_pa, 0);
	kfree(x);
}

/*
 * Single-context INVEPT drops the guest-physical and combined mappings of
 * this EPTP for every VPID (29.4.3.1); all-context where that is missing.
 */
static void vmx_flush_gpa(struct vcpu *v)
{
	if (vmx_caps.invept_single)
		invept(INVEPT_SINGLE_CONTEXT, vmx_eptp(v->vm));
	else
		invept(INVEPT_ALL_CONTEXT, 0);
}

static void vmx_vcpu_load(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch.hw;
	struct percpu *pc = this_cpu();
	bool first = x->host_cpu < 0;

	if (first)
		vmclear(x->vmcs_pa);	/* initializes the launch state (25.11.3) */
	if (!vmptrld(x->vmcs_pa))
		pr_err("keel: vmx: VMPTRLD failed on cpu %u\n", pc->cpu);
	x->cpu = (int)pc->cpu;
	if (first) {
		vmx_write_controls(v, x->vapic_pa);
		vmx_write_host_constants();
		if (x->pml_pa)
			pml_write_controls(x->pml_pa);
	}
	if (x->host_cpu != x->cpu) {
		vmx_write_host_state(pc);
		x->host_cpu = x->cpu;
	}
	for (unsigned int i = 0; x->dirty && i < NR_CACHED; i++)
		vmcs_write(cached_field[i], x->guest[i]);
	x->dirty = false;
	for (unsigned int i = 0; i < NR_GUEST_MSRS; i++)
		if (msr_field[i] == NOT_IN_VMCS)
			wrmsr(guest_msr_number[i], x->msrs[i]);
}

static void vmx_vcpu_put(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch.hw;

	for (unsigned int i = 0; i < NR_CACHED; i++)
		x->guest[i] = vmcs_read(cached_field[i]);
	for (unsigned int i = 0; i < NR_GUEST_MSRS; i++)
		if (msr_field[i] == NOT_IN_VMCS)
			x->msrs[i] = rdmsr(guest_msr_number[i]);
	vmclear(x->vmcs_pa);
	x->cpu = -1;
	x->launched = false;
}

static void vmx_get_segment(struct vcpu *v, enum seg_reg seg, struct segment *s)
{
	struct vmx_vcpu *x = v->arch.hw;
	u32 ar = (u32)gread(x, C_AR + seg);

	*s = (struct segment){ .base = gread(x, C_BASE + seg), .limit = (u32)gread(x, C_LIMIT + seg),
			       .selector = (u16)gread(x, C_SEL + seg) };
	seg_attr_unpack((u16)((ar & 0xff) | ((ar >> 4) & 0xf00)), s);
	/* VM entry ignores the rest of an unusable segment's access rights (27.3.1.2) */
	s->unusable = !!(ar & AR_UNUSABLE);
	s->present = !s->unusable;
}

/* Access rights: DPL in bits 6:5, L in bit 13 (25.4.1, Table 25-2). */
static unsigned int vmx_get_cpl(struct vcpu *v)
{
	return ((u32)gread(v->arch.hw, C_AR + SEG_SS) >> 5) & 3;
}

static bool vmx_in_64bit_mode(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch.hw;

	return (gread(x, C_EFER) & EFER_LMA) && (gread(x, C_AR + SEG_CS) & BIT(13));
}

/*
 * Access rights as VM entry checks them (25.4.1, 27.3.1.2): usable code and
 * data segments accessed and TR a busy TSS, as loading them would have left
 * them. An unusable segment keeps its DPL: SS.DPL is the CPL.
 */
static u32 access_rights(enum seg_reg seg, const struct segment *s)
{
	struct segment t = *s;
	u16 attr;

	if (s->unusable || !s->present)
		return AR_UNUSABLE | (s->dpl & 3) << 5;
	if (s->s)
		t.type |= 1;
	else if (seg == SEG_TR)
		t.type |= 2;
	attr = seg_attr_pack(&t);
	return (attr & 0xff) | (u32)(attr & 0xf00) << 4;
}

static void vmx_set_segment(struct vcpu *v, enum seg_reg seg, const struct segment *s)
{
	struct vmx_vcpu *x = v->arch.hw;

	gwrite(x, C_SEL + seg, s->selector);
	gwrite(x, C_BASE + seg, s->base);
	gwrite(x, C_LIMIT + seg, s->limit);
	gwrite(x, C_AR + seg, access_rights(seg, s));
}

/* The guest's view: its own values (the read shadow) in the bits Keel owns (25.6.6). */
static u64 shadowed(struct vmx_vcpu *x, unsigned int real, unsigned int shadow, u64 mask)
{
	return (gread(x, real) & ~mask) | (gread(x, shadow) & mask);
}

/* CR8 is the virtual-APIC page's TPR bits 7:4 with the TPR shadow (SDM Vol. 3C 30.1.1, 30.3). */
static u32 *vtpr_of(struct vmx_vcpu *x)
{
	return (u32 *)(uintptr_t)(x->vapic_pa + 0x80);
}

static u64 vmx_get_cr(struct vcpu *v, int cr)
{
	struct vmx_vcpu *x = v->arch.hw;

	switch (cr) {
	case 0: return shadowed(x, C_CR0, C_CR0_SHADOW, vmx_caps.cr0_mask);
	case 2: return x->cr2;
	case 3: return gread(x, C_CR3);
	case 8: return *vtpr_of(x) >> 4;
	default: return shadowed(x, C_CR4, C_CR4_SHADOW, vmx_caps.cr4_mask);
	}
}

static void vmx_set_cr(struct vcpu *v, int cr, u64 val)
{
	struct vmx_vcpu *x = v->arch.hw;

	switch (cr) {
	case 0:
		gwrite(x, C_CR0, (val | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
		gwrite(x, C_CR0_SHADOW, val);
		break;
	case 2:
		x->cr2 = val;
		break;
	case 3:
		gwrite(x, C_CR3, val);
		break;
	case 8:
		*vtpr_of(x) = (u32)(val & 15) << 4;
		break;
	default:
		gwrite(x, C_CR4, (val | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1);
		gwrite(x, C_CR4_SHADOW, val);
	}
}

static u64 vmx_get_efer(struct vcpu *v)
{
	return gread(v->arch.hw, C_EFER);
}

/* "IA-32e mode guest" must equal EFER.LMA at entry (27.3.1.1); exits keep it so (A.6). */
static void vmx_set_efer(struct vcpu *v, u64 efer)
{
	struct vmx_vcpu *x = v->arch.hw;
	u64 ctls = gread(x, C_ENTRY_CTLS);

	gwrite(x, C_EFER, efer);
	gwrite(x, C_ENTRY_CTLS, efer & EFER_LMA ? ctls | ENTRY_IA32E_MODE : ctls & ~ENTRY_IA32E_MODE);
}

static void vmx_get_dtable(struct vcpu *v, bool idt, struct dtable *d)
{
	struct vmx_vcpu *x = v->arch.hw;

	d->base = gread(x, idt ? C_IDTR_BASE : C_GDTR_BASE);
	d->limit = (u16)gread(x, idt ? C_IDTR_LIMIT : C_GDTR_LIMIT);
}

static void vmx_set_dtable(struct vcpu *v, bool idt, const struct dtable *d)
{
	struct vmx_vcpu *x = v->arch.hw;

	gwrite(x, idt ? C_IDTR_BASE : C_GDTR_BASE, d->base);
	gwrite(x, idt ? C_IDTR_LIMIT : C_GDTR_LIMIT, d->limit);
}

static int vmx_get_msr(struct vcpu *v, u32 msr, u64 *val)
{
	struct vmx_vcpu *x = v->arch.hw;
	int i = guest_msr_index(msr);

	if (i < 0)
		return -ENOENT;
	if (msr_field[i] != NOT_IN_VMCS)
		*val = gread(x, msr_field[i]);
	else
		*val = x->cpu >= 0 ? rdmsr(msr) : x->msrs[i];
	return 0;
}

static int vmx_set_msr(struct vcpu *v, u32 msr, u64 val)
{
	struct vmx_vcpu *x = v->arch.hw;
	int i = guest_msr_index(msr);

	if (i < 0)
		return -ENOENT;
	if (msr_field[i] != NOT_IN_VMCS)
		gwrite(x, msr_field[i], val);
	else if (x->cpu >= 0)
		wrmsr(msr, val);
	else
		x->msrs[i] = val;
	return 0;
}

/*
 * Blocking by STI or MOV SS covers the one instruction after it (25.4.2):
 * once Keel has completed or skipped an instruction for the guest (RIP moved
 * since the exit), it is over.
 */
static u64 intr_state(struct vcpu *v, struct vmx_vcpu *x)
{
	u64 state = gread(x, C_INTR_STATE);

	return v->arch.regs.rip != x->exit_rip ? state & ~INTR_BLOCK_SHADOW : state;
}

static bool vmx_interruptible(struct vcpu *v)
{
	return (v->arch.regs.rflags & X86_RFLAGS_IF) && !(intr_state(v, v->arch.hw) & INTR_BLOCK_SHADOW);
}

/* Exits before the first instruction with RFLAGS.IF = 1 and no blocking (26.2, 26.7.5). */
static void vmx_request_intr_window(struct vcpu *v, bool on)
{
	struct vmx_vcpu *x = v->arch.hw;
	u64 ctls = gread(x, C_CPU_CTLS);

	gwrite(x, C_CPU_CTLS, on ? ctls | CPU_INTR_WINDOW_EXITING : ctls & ~CPU_INTR_WINDOW_EXITING);
}

/*
 * With virtual NMIs, the CPU keeps blocking by NMI in the interruptibility
 * state (25.4.2): an injected NMI sets it, the guest's IRET clears it
 * (26.3 "Virtual NMIs"). STI and MOV SS shadows hold NMIs off too, and
 * VM entry rejects an NMI injected in a MOV SS shadow (27.3.1.5).
 */
static bool vmx_nmi_allowed(struct vcpu *v)
{
	return !(intr_state(v, v->arch.hw) & (INTR_BLOCK_SHADOW | INTR_BLOCK_NMI));
}

/* Blocking by NMI and the shadows go with INIT (SDM Vol. 3A Table 9-1; KVM's vmx_vcpu_reset). */
static void vmx_reset_nmi(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch.hw;

	gwrite(x, C_INTR_STATE, 0);
	x->nmi_in_service = false;
}

static void vmx_get_blocking(struct vcpu *v, u8 *shadow, bool *nmi_masked)
{
	u64 state = intr_state(v, v->arch.hw);

	*shadow = (state & INTR_BLOCK_STI ? SHADOW_STI : 0) |
		  (state & INTR_BLOCK_MOV_SS ? SHADOW_MOV_SS : 0);
	*nmi_masked = state & INTR_BLOCK_NMI;
}

/*
 * A shadow set now holds at the current RIP (intr_state() drops one from
 * an older exit); blocking by NMI set now ends at the guest's IRET, as
 * after an NMI Keel injected.
 */
static void vmx_set_blocking(struct vcpu *v, u8 shadow, bool nmi_masked)
{
	struct vmx_vcpu *x = v->arch.hw;
	u64 state = gread(x, C_INTR_STATE) & ~(INTR_BLOCK_SHADOW | INTR_BLOCK_NMI);

	state |= (shadow & SHADOW_STI ? INTR_BLOCK_STI : 0) |
		 (shadow & SHADOW_MOV_SS ? INTR_BLOCK_MOV_SS : 0) | (nmi_masked ? INTR_BLOCK_NMI : 0);
	gwrite(x, C_INTR_STATE, state);
	x->exit_rip = v->arch.regs.rip;
	x->nmi_in_service = nmi_masked;
}

/* DR7 is in the VMCS; DR6 is not (25.4.1): the guest's is in the registers Keel switches. */
static u64 vmx_get_dr(struct vcpu *v, int dr)
{
	return dr == 6 ? v->arch.dr6 : gread(v->arch.hw, C_DR7);
}

static void vmx_set_dr(struct vcpu *v, int dr, u64 val)
{
	if (dr == 6)
		v->arch.dr6 = val;
	else
		gwrite(v->arch.hw, C_DR7, val);
}

static void vmx_set_tsc_offset(struct vcpu *v, u64 offset)
{
	gwrite(v->arch.hw, C_TSC_OFFSET, offset);
}

/*
 * A MOV to CR8 that takes the TPR shadow's bits 7:4 below @threshold exits
 * after it (TPR below threshold, SDM Vol. 3C 29.1.2, 28.2); VM entry wants
 * the threshold at most those bits, which irqchip_tpr_threshold() keeps.
 */
static void vmx_set_tpr_threshold(struct vcpu *v, u8 threshold)
{
	struct vmx_vcpu *x = v->arch.hw;

	if (gread(x, C_TPR_THRESHOLD) != threshold)
		gwrite(x, C_TPR_THRESHOLD, threshold);
}

/* Exits before the first instruction with no virtual-NMI, STI or MOV SS blocking (26.7.6). */
static void vmx_request_nmi_window(struct vcpu *v, bool on)
{
	struct vmx_vcpu *x = v->arch.hw;
	u64 ctls = gread(x, C_CPU_CTLS);

	gwrite(x, C_CPU_CTLS, on ? ctls | CPU_NMI_WINDOW_EXITING : ctls & ~CPU_NMI_WINDOW_EXITING);
}

/*
 * PAE paging takes its four PDPTEs from the VMCS on entry (27.3.2.4): after
 * an emulated MOV to CR0/CR4 that leaves the guest in PAE paging, they are
 * read here as the CPU would have (SDM Vol. 3A 4.4.1). A reserved bit set
 * in a present one is #GP.
 */
static int pae_pdptes(struct vcpu *v, u64 cr0, u64 cr4, u64 efer, u64 pdpte[4])
{
	u64 reserved = 0x1e6 | (~0ULL << keel.cpu.phys_addr_bits);

	pdpte[0] = pdpte[1] = pdpte[2] = pdpte[3] = 0;
	if (!(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE) || (efer & EFER_LMA))
		return 0;
	if (vm_read_phys(v->vm, vmx_get_cr(v, 3) & 0xffffffe0, pdpte, 4 * sizeof(u64)))
		return -EFAULT;
	for (int i = 0; i < 4; i++)
		if ((pdpte[i] & 1) && (pdpte[i] & reserved))
			return -EINVAL;
	return 0;
}

/*
 * MOV to CR0 or CR4 as the CPU does it (arch/x86/virt/cr.c), plus what VM entry
 * does not: the PDPTEs of PAE paging and the TLB flush the real MOV would
 * have done (Vol. 3A 4.10.4.1). -EINVAL is #GP(0).
 */
static int vmx_write_cr(struct vcpu *v, int cr, u64 val)
{
	struct cr_state s = { vmx_get_cr(v, 0), vmx_get_cr(v, 4), vmx_get_efer(v) };
	u64 pdpte[4];

	if (cr_write(&s, cr, val, ~vmx_caps.cr4_fixed1 | cr4_xstate_reserved(),
		     vcpu_mode(v) == X86_MODE_64))
		return -EINVAL;
	if (pae_pdptes(v, s.cr0, s.cr4, s.efer, pdpte))
		return -EINVAL;
	vmx_set_cr(v, cr, val);
	vmx_set_efer(v, s.efer);
	for (int i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTE0 + 2 * i, pdpte[i]);
	vmx_flush_gpa(v);
	return 0;
}

/*
 * A MOV to CR0/CR4 that changes a bit Keel owns exits (26.1.3, 28.2.1);
 * CR3 and CR8 do not.
 */
static void decode_cr_access(struct vm_exit *e)
{
	unsigned int cr = e->qual & 15, type = (e->qual >> 4) & 3;

	if (type != 0 || (cr != 0 && cr != 4))
		return;
	e->kind = EXIT_CR_WRITE;
	e->cr.cr = (u8)cr;
	e->cr.gpr = (e->qual >> 8) & 15;
}

/*
 * Real mode delivers no error code, and VM entry insists on that
 * (27.2.1.3). A software interrupt needs the INT's length, which struct
 * x86_event does not carry: length 0 (valid if IA32_VMX_MISC[30], A.6).
 */
static void inject(struct vcpu *v, const struct x86_event *e)
{
	bool error = e->has_error && (vmx_get_cr(v, 0) & X86_CR0_PE);

	vmcs_write(VM_ENTRY_INTR_INFO, event_info_encode(e, error));
	if (error)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, e->error_code);
	if (e->type == EVENT_SOFT_INT)
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, 0);
}

/*
 * An external interrupt, NMI or hardware exception whose delivery the exit
 * interrupted is delivered again (25.9.3, 28.2.4). A software interrupt or
 * exception is not: RIP still points at the INT, INT3 or INTO (28.3.3), so
 * the guest raises it again by re-executing it.
 */
static void save_pending_event(struct vcpu *v, u32 info)
{
	struct x86_event e;

	if (!event_info_decode(info, &e) || e.type == EVENT_SOFT_INT)
		return;
	/* The NMI was not delivered: entry must not see it blocked when injecting it (27.3.1.5) */
	if (e.type == EVENT_NMI)
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
			   vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & ~INTR_BLOCK_NMI);
	if (e.has_error)
		e.error_code = (u32)vmcs_read(IDT_VECTORING_ERROR_CODE);
	v->arch.event = e;
}

static void decode_exception(struct vm_exit *e)
{
	struct x86_event ev = { 0 };

	event_info_decode((u32)vmcs_read(VM_EXIT_INTR_INFO), &ev);
	if (ev.type == EVENT_NMI) {
		e->kind = EXIT_NMI;
		return;
	}
	e->kind = EXIT_EXCEPTION;
	e->exception.vector = ev.vector;
	e->exception.has_error = ev.has_error;
	if (e->exception.has_error)
		e->exception.error_code = (u32)vmcs_read(VM_EXIT_INTR_ERROR_CODE);
}

/*
 * I/O exit qualification (28.2.1); for INS/OUTS the address size and the
 * segment come from the instruction information (28.2.5) where the CPU
 * reports it (A.1). Without it, addr_size stays 0 and exit.c decodes the
 * instruction instead.
 */
static void decode_io(struct vm_exit *e)
{
	u64 q = e->qual;
	u32 info;

	e->kind = EXIT_IO;
	e->io.size = (q & 7) + 1;
	e->io.in = q & BIT(3);
	e->io.string = q & BIT(4);
	e->io.rep = q & BIT(5);
	e->io.port = q >> 16;
	if (!e->io.string || !vmx_caps.inout_info)
		return;
	info = (u32)vmcs_read(VMX_INSTRUCTION_INFO);
	e->io.addr_size = 2 << ((info >> 7) & 7);
	e->io.seg = (info >> 15) & 7;
}

static void decode_ept_violation(struct vm_exit *e)
{
	e->kind = EXIT_NPF;
	e->npf.gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	e->npf.write = e->qual & EPT_QUAL_WRITE;
	e->npf.fetch = e->qual & EPT_QUAL_FETCH;
	e->npf.present = e->qual & EPT_QUAL_PRESENT;
}

/* The instructions of VMX and SMX, which guests do not have. */
static bool hidden_insn(u32 basic)
{
	return (basic >= EXIT_REASON_VMCLEAR && basic <= EXIT_REASON_VMXON) ||
	       basic == EXIT_REASON_GETSEC || basic == EXIT_REASON_INVEPT ||
	       basic == EXIT_REASON_INVVPID;
}

/* Exits for which the VM-exit instruction length is defined (28.2.5). */
#define INSN_EXITS (BIT(EXIT_REASON_CPUID) | BIT(EXIT_REASON_HLT) | BIT(EXIT_REASON_INVD) |       \
		    BIT(EXIT_REASON_VMCALL) | BIT(EXIT_REASON_CR_ACCESS) |                           \
		    BIT(EXIT_REASON_IO_INSTRUCTION) | BIT(EXIT_REASON_MSR_READ) |                    \
		    BIT(EXIT_REASON_MSR_WRITE) | BIT(EXIT_REASON_WBINVD) |                           \
		    BIT(EXIT_REASON_XSETBV) | BIT(EXIT_REASON_MONITOR) | BIT(EXIT_REASON_MWAIT))

static unsigned long long field(u32 f)
{
	return vmcs_read(f);
}

/* What VM entry checks (27.2, 27.3.1), for the console when it fails. */
static void dump_guest_state(void)
{
	pr_err("keel: vmx: guest rip %#llx rflags %#llx cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx\n",
	       field(GUEST_RIP), field(GUEST_RFLAGS), field(GUEST_CR0), field(GUEST_CR3),
	       field(GUEST_CR4), field(GUEST_IA32_EFER));
	pr_err("keel: vmx: pin %#llx cpu %#llx cpu2 %#llx exit %#llx entry %#llx event %#llx "
	       "intr-state %#llx\n",
	       field(PIN_BASED_VM_EXEC_CONTROL), field(CPU_BASED_VM_EXEC_CONTROL),
	       field(SECONDARY_VM_EXEC_CONTROL), field(VM_EXIT_CONTROLS), field(VM_ENTRY_CONTROLS),
	       field(VM_ENTRY_INTR_INFO), field(GUEST_INTERRUPTIBILITY_INFO));
	for (u32 s = 0; s < NR_SEGS; s++)
		pr_err("keel: vmx: segment %u selector %#llx base %#llx limit %#llx access %#llx\n", s,
		       field(GUEST_ES_SELECTOR + 2 * s), field(GUEST_ES_BASE + 2 * s),
		       field(GUEST_ES_LIMIT + 2 * s), field(GUEST_ES_AR_BYTES + 2 * s));
}

static void decode_exit(struct vm_exit *e)
{
	u32 reason = (u32)vmcs_read(VM_EXIT_REASON), basic = reason & 0xffff;

	*e = (struct vm_exit){ .kind = EXIT_UNHANDLED, .raw_reason = reason,
			       .qual = vmcs_read(EXIT_QUALIFICATION) };
	if (reason & EXIT_REASON_FAILED_ENTRY) {	/* 27.8: 33, 34 or 41 */
		e->kind = EXIT_ENTRY_FAILURE;
		dump_guest_state();
		return;
	}
	if (basic < 64 && (INSN_EXITS & BIT(basic)))
		e->insn_len = (u32)vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	switch (basic) {
	case EXIT_REASON_EXCEPTION_NMI: decode_exception(e); break;
	case EXIT_REASON_EXTERNAL_INTERRUPT: e->kind = EXIT_EXTINT; break;
	case EXIT_REASON_TRIPLE_FAULT: e->kind = EXIT_TRIPLE_FAULT; break;
	case EXIT_REASON_INTERRUPT_WINDOW: e->kind = EXIT_INTR_WINDOW; break;
	case EXIT_REASON_NMI_WINDOW: e->kind = EXIT_NMI_WINDOW; break;
	case EXIT_REASON_CPUID: e->kind = EXIT_CPUID; break;
	case EXIT_REASON_HLT: e->kind = EXIT_HLT; break;
	case EXIT_REASON_INVD: e->kind = EXIT_SKIP; break;
	case EXIT_REASON_VMCALL: e->kind = EXIT_HYPERCALL; break;
	case EXIT_REASON_CR_ACCESS: decode_cr_access(e); break;
	case EXIT_REASON_IO_INSTRUCTION: decode_io(e); break;
	case EXIT_REASON_MSR_READ: e->kind = EXIT_MSR_READ; break;
	case EXIT_REASON_MSR_WRITE: e->kind = EXIT_MSR_WRITE; break;
	case EXIT_REASON_EPT_VIOLATION: decode_ept_violation(e); break;
	case EXIT_REASON_PREEMPTION_TIMER: e->kind = EXIT_NONE; break;
	case EXIT_REASON_WBINVD: e->kind = EXIT_SKIP; break;
	case EXIT_REASON_MONITOR: case EXIT_REASON_MWAIT: e->kind = EXIT_MWAIT; break;
	case EXIT_REASON_XSETBV: e->kind = EXIT_XSETBV; break;
	case EXIT_REASON_TPR_BELOW_THRESHOLD: e->kind = EXIT_NONE; break;	/* vcpu.c's sync_cr8() */
	case EXIT_REASON_PML_FULL: e->kind = EXIT_NONE; break;	/* vmx_run() empties the page */
	default:
		if (hidden_insn(basic))
			e->kind = EXIT_HIDDEN_INSN;
	}
}

/*
 * An IRET that unblocked NMIs and then faulted, caused an EPT violation or
 * filled the PML page runs again, so its unblocking is undone: exit
 * qualification or interruption information bit 12, "NMI unblocking due to
 * IRET" (28.2.1-28.2.3), meaningful only when the exit did not interrupt
 * event delivery and, for exceptions, not for #DF, and only if an NMI was
 * in service (@was_blocked): no other IRET unblocks NMIs.
 */
static void redo_nmi_blocking(struct vmx_vcpu *x, u32 basic, u64 qual, u32 idt_info,
			      bool was_blocked)
{
	bool unblocked = false;
	u32 info;

	if (!was_blocked || (idt_info & EVENT_INFO_VALID))
		return;
	if (basic == EXIT_REASON_EXCEPTION_NMI) {
		info = (u32)vmcs_read(VM_EXIT_INTR_INFO);
		unblocked = (info & INTR_INFO_NMI_UNBLOCK) &&
			    (info & EVENT_INFO_VECTOR) != X86_EXC_DF;
	} else if (basic == EXIT_REASON_EPT_VIOLATION || basic == EXIT_REASON_PML_FULL) {
		unblocked = qual & EPT_QUAL_NMI_UNBLOCK;	/* bit 12 of both (28.2.1) */
	}
	if (!unblocked)
		return;
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, vmcs_read(GUEST_INTERRUPTIBILITY_INFO) | INTR_BLOCK_NMI);
	x->nmi_in_service = true;
}

/*
 * With virtual NMIs, blocking by NMI arises only from delivering an NMI and
 * ends with the guest's IRET (25.4.2, 26.3). Bochs 2.7 reports it at an exit
 * of a vCPU that has no NMI in service: its VM entry never cleared the mask
 * a vCPU that ran before on that CPU left (Bochs bug #1456, fixed after
 * 2.7), which would hold this guest's NMIs off for good. Such blocking is
 * dropped, and said once: with /dev/kvm's VMs queued on one CPU, most VMs
 * meet it.
 */
static void check_nmi_blocking(struct vcpu *v, struct vmx_vcpu *x, u32 reason)
{
	static bool warned;
	u64 state = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

	if (!(state & INTR_BLOCK_NMI)) {
		x->nmi_in_service = false;
		return;
	}
	if (x->nmi_in_service)
		return;
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, state & ~INTR_BLOCK_NMI);
	if (!__atomic_exchange_n(&warned, true, __ATOMIC_RELAXED))
		pr_warn("keel: vmx: vm %s vcpu %u: blocking by NMI with no NMI in service dropped (exit %u); not said again\n",
			v->vm->name, v->id, reason & 0xffff);
}

static void entry_failed(struct vcpu *v, struct vm_exit *e, int fail)
{
	struct vmx_vcpu *x = v->arch.hw;
	u32 error = fail == 2 ? (u32)vmcs_read(VM_INSTRUCTION_ERROR) : 0;

	pr_err("keel: vmx: %s failed: %s, VM-instruction error %u (SDM Vol. 3C 31.4)\n",
	       x->launched ? "VMRESUME" : "VMLAUNCH", fail == 2 ? "VMfailValid" : "VMfailInvalid",
	       error);
	if (fail == 2)
		dump_guest_state();
	*e = (struct vm_exit){ .kind = EXIT_ENTRY_FAILURE, .raw_reason = error, .qual = (u64)fail };
}

/*
 * Host interrupts exit the guest and stay pending (no acknowledge on exit),
 * taken once the scheduler sets IF again; the run loop calls this with
 * interrupts off.
 */
static void vmx_run(struct vcpu *v, struct vm_exit *exit)
{
	struct vmx_vcpu *x = v->arch.hw;
	bool nmi_was_in_service;
	u64 bitmap;
	u32 idt_info;
	int fail;

	bitmap = __atomic_load_n(&v->vm->arch.msr_bitmap, __ATOMIC_ACQUIRE);
	if (x->msr_bitmap != bitmap) {	/* its filter's (msr_filter.c, vm_wait_exits()) */
		x->msr_bitmap = bitmap;
		vmx_write_msr_bitmap(bitmap);
	}
	vmcs_write(GUEST_RIP, v->arch.regs.rip);
	vmcs_write(GUEST_RSP, v->arch.regs.gpr[GPR_RSP]);
	vmcs_write(GUEST_RFLAGS, v->arch.regs.rflags);
	if (v->arch.regs.rip != x->exit_rip)
		gwrite(x, C_INTR_STATE, intr_state(v, x));
	if (v->arch.event.valid) {
		inject(v, &v->arch.event);
		x->nmi_in_service |= v->arch.event.type == EVENT_NMI;
		v->arch.event.valid = false;
	}
	nmi_was_in_service = x->nmi_in_service;
	fail = vmx_enter(v->arch.regs.gpr, &x->cr2, x->launched);
	if (fail) {
		entry_failed(v, exit, fail);
		return;
	}
	x->launched = true;
	v->arch.regs.rip = x->exit_rip = vmcs_read(GUEST_RIP);
	v->arch.regs.gpr[GPR_RSP] = vmcs_read(GUEST_RSP);
	v->arch.regs.rflags = vmcs_read(GUEST_RFLAGS);
	idt_info = (u32)vmcs_read(IDT_VECTORING_INFO);
	save_pending_event(v, idt_info);
	decode_exit(exit);
	if (exit->kind == EXIT_ENTRY_FAILURE)
		return;
	check_nmi_blocking(v, x, exit->raw_reason);
	redo_nmi_blocking(x, exit->raw_reason & 0xffff, exit->qual, idt_info, nmi_was_in_service);
	if (x->pml_pa)
		pml_drain(v->vm, x->pml_pa);
	/* An NMI exit leaves the NMI undelivered (26.2): the host's handler gets it, as KVM does. */
	if (exit->kind == EXIT_NMI)
		asm volatile("int $2");
}

const struct virt_ops vmx_ops = {
	.name = "vmx",
	.gpt_format = &pt_format_ept,
	.hypercall_insn = { 0x0f, 0x01, 0xc1 },
	.cpu_enable = vmx_cpu_enable,
	.vm_init = vmx_vm_init,
	.vm_free = vmx_vm_free,
	.io_intercept = vm_io_intercept,
	.msr_bitmap = vmx_msr_bitmap,
	.msr_bitmap_order = 0,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_free = vmx_vcpu_free,
	.vcpu_load = vmx_vcpu_load,
	.vcpu_put = vmx_vcpu_put,
	.run = vmx_run,
	.get_segment = vmx_get_segment,
	.get_cpl = vmx_get_cpl,
	.in_64bit_mode = vmx_in_64bit_mode,
	.set_segment = vmx_set_segment,
	.get_cr = vmx_get_cr,
	.set_cr = vmx_set_cr,
	.write_cr = vmx_write_cr,
	.get_efer = vmx_get_efer,
	.set_efer = vmx_set_efer,
	.get_dtable = vmx_get_dtable,
	.set_dtable = vmx_set_dtable,
	.get_msr = vmx_get_msr,
	.set_msr = vmx_set_msr,
	.interruptible = vmx_interruptible,
	.request_intr_window = vmx_request_intr_window,
	.nmi_allowed = vmx_nmi_allowed,
	.request_nmi_window = vmx_request_nmi_window,
	.set_tpr_threshold = vmx_set_tpr_threshold,
	.reset_nmi = vmx_reset_nmi,
	.get_blocking = vmx_get_blocking,
	.set_blocking = vmx_set_blocking,
	.get_dr = vmx_get_dr,
	.set_dr = vmx_set_dr,
	.set_tsc_offset = vmx_set_tsc_offset,
	.flush_gpa = vmx_flush_gpa,
};
