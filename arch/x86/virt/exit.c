// SPDX-License-Identifier: GPL-2.0
/*
 * Exit dispatch: a bounds-checked table indexed by the vendor-neutral exit
 * kind, with per-vCPU counters. An exit Keel cannot handle ends the VM with
 * a report, never the hypervisor.
 */
#include "asm/msr.h"
#include "asm/processor-flags.h"
#include "asm/processor.h"
#include "arch/x86/irqchip/irqchip.h"
#include "arch/x86/timer.h"
#include "arch/x86/virt/cr.h"
#include "arch/x86/virt/exit.h"
#include "arch/x86/virt/guest_msr.h"
#include "arch/x86/virt/kvmclock.h"
#include "arch/x86/virt/msr_filter.h"
#include "arch/x86/virt/vcpu.h"
#include "arch/x86/virt/vmm_exit.h"
#include "arch/x86/virt/xstate.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/keel.h"
#include "kernel/memslot.h"
#include "kernel/mm.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "kernel/vm.h"
#include "keel/hypercall.h"

#define REP_BATCH 4096	/* string I/O iterations per exit; the guest re-executes for more */

typedef enum vcpu_action (*exit_handler)(struct vcpu *v, struct vm_exit *e);

static enum vcpu_action skip(struct vcpu *v, struct vm_exit *e)
{
	v->arch.regs.rip += e->insn_len;
	return VCPU_CONTINUE;
}

static enum vcpu_action stop(struct vcpu *v, const char *reason)
{
	vm_end(v->vm, 0, reason);
	return VCPU_STOP;
}

static const char *const exit_names[NR_EXIT_KINDS] = {
	[EXIT_NONE] = "none", [EXIT_EXTINT] = "extint", [EXIT_NMI] = "nmi",
	[EXIT_CPUID] = "cpuid", [EXIT_IO] = "io", [EXIT_MSR_READ] = "rdmsr",
	[EXIT_MSR_WRITE] = "wrmsr", [EXIT_HLT] = "hlt", [EXIT_HYPERCALL] = "hypercall",
	[EXIT_NPF] = "npf", [EXIT_EXCEPTION] = "exception", [EXIT_INTR_WINDOW] = "intr-window",
	[EXIT_NMI_WINDOW] = "nmi-window", [EXIT_HIDDEN_INSN] = "hidden-insn",
	[EXIT_MWAIT] = "monitor-mwait", [EXIT_XSETBV] = "xsetbv",
	[EXIT_CR_WRITE] = "cr-write", [EXIT_SKIP] = "skip",
	[EXIT_TRIPLE_FAULT] = "triple-fault",
	[EXIT_ENTRY_FAILURE] = "entry-failure", [EXIT_UNHANDLED] = "unhandled",
};

const char *exit_kind_name(enum exit_kind k)
{
	return k < NR_EXIT_KINDS ? exit_names[k] : "?";
}

/* What Keel cannot do ends its own VMs; a VMM hears of it (KVM_EXIT_INTERNAL_ERROR, @suberror). */
static enum vcpu_action internal_error(struct vcpu *v, struct vm_exit *e, const char *what, u32 suberror)
{
	if (vcpu_has_vmm(v))
		return vmm_exit_internal(v, suberror, e);
	pr_err("keel: vm %s vcpu %u: %s (exit %s, hardware reason %#x, qualification %#llx) at rip %#llx\n",
	       v->vm->name, v->id, what, exit_kind_name(e->kind), e->raw_reason,
	       (unsigned long long)e->qual, (unsigned long long)v->arch.regs.rip);
	return stop(v, "internal-error");
}

static enum vcpu_action handle_nothing(struct vcpu *v, struct vm_exit *e)
{
	return VCPU_CONTINUE;
}

/*
 * Leaf 0xD for the components of keel.cpu.xcr0 (SDM Vol. 1 13.2): XSAVEOPT,
 * XSAVEC and XGETBV with ECX 1, which need nothing of Keel; not XSAVES or
 * XFD, whose MSRs Keel does not switch. The sizes are those of all of them;
 * a vCPU's own XCR0 decides EBX (cpuid_runtime()).
 */
static void xstate_leaf(u32 subleaf, struct cpuid_regs *r)
{
	u32 size = xstate_size(keel.cpu.xcr0);

	if (!keel.cpu.xcr0 || subleaf > 2 || (subleaf == 2 && !(keel.cpu.xcr0 & XFEATURE_AVX)))
		*r = (struct cpuid_regs){ 0 };
	else if (subleaf == 0)
		*r = (struct cpuid_regs){ .eax = (u32)keel.cpu.xcr0, .ebx = size, .ecx = size };
	else if (subleaf == 1)
		*r = (struct cpuid_regs){ .eax = r->eax & (BIT(0) | BIT(1) | BIT(2)), .ebx = size };
}

/* AVX and what needs its state: FMA, F16C (leaf 1), AVX2 and AVX-VNNI (leaf 7). */
#define CPUID1_ECX_AVX_ALL (BIT(12) | BIT(28) | BIT(29))
#define CPUID7_EBX_AVX512 (BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | \
			   BIT(30) | BIT(31))
#define CPUID7_ECX_AVX512 (BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14))
#define CPUID7_EDX_AVX512 (BIT(2) | BIT(3) | BIT(8) | BIT(23))
#define CPUID7_EDX_AMX (BIT(22) | BIT(24) | BIT(25))
/* Leaf 7.1: AVX-VNNI, AVX-IFMA (EAX), AVX-VNNI-INT8, AVX-NE-CONVERT (EDX) need AVX alone. */
#define CPUID71_EAX_AVX (BIT(4) | BIT(23))
#define CPUID71_EDX_AVX (BIT(4) | BIT(5))
/* ... AVX512_BF16, AMX-FP16 (EAX), AMX-COMPLEX, AVX10, APX (EDX): state Keel does not switch. */
#define CPUID71_EAX_UNSWITCHED (BIT(5) | BIT(21))
#define CPUID71_EDX_UNSWITCHED (BIT(8) | BIT(19) | BIT(21))
/* XOP and FMA4 (leaf 0x80000001 ECX) use the YMM registers. */
#define CPUID81_ECX_AVX (BIT(11) | BIT(16))

static void leaf1_policy(struct cpuid_regs *r)
{
	r->ecx &= ~(BIT(5) | CPUID1_ECX_OSXSAVE | BIT(3));	/* VMX, OSXSAVE (cpuid_runtime()), MONITOR */
	if (!keel.cpu.xcr0)
		r->ecx &= ~BIT(26);	/* XSAVE */
	if (!(keel.cpu.xcr0 & XFEATURE_AVX))
		r->ecx &= ~CPUID1_ECX_AVX_ALL;
	r->ecx &= ~(BIT(7) | BIT(8));	/* EST, TM2: frequency and thermal MSRs stay Keel's, as KVM's */
	r->ecx &= ~BIT(15);	/* PDCM: no IA32_PERF_CAPABILITIES (Keel has no guest PMU) */
	r->ecx |= BIT(31) | BIT(24) | BIT(21);	/* hypervisor; every vLAPIC has TSC-deadline and x2APIC */
	r->edx &= ~(BIT(7) | BIT(14));	/* MCE, MCA: machine checks are Keel's (#MC is intercepted) */
	r->edx &= ~(BIT(22) | BIT(29));	/* ACPI, TM: the thermal monitor's MSRs, as KVM hides them */
}

/* AVX-512 and AMX state is not offered, nor PKU (PKRU), nor LA57. */
static void leaf7_policy(u32 subleaf, struct cpuid_regs *r)
{
	if (subleaf == 1) {
		r->eax &= ~CPUID71_EAX_UNSWITCHED;
		r->edx &= ~CPUID71_EDX_UNSWITCHED;
		if (!(keel.cpu.xcr0 & XFEATURE_AVX)) {
			r->eax &= ~CPUID71_EAX_AVX;
			r->edx &= ~CPUID71_EDX_AVX;
		}
		return;
	}
	if (subleaf)
		return;
	r->ebx &= ~CPUID7_EBX_AVX512;
	if (!(keel.cpu.xcr0 & XFEATURE_AVX))
		r->ebx &= ~BIT(5);	/* AVX2 */
	r->ecx &= ~(CPUID7_ECX_AVX512 | BIT(3) | BIT(4) | BIT(16));	/* PKU, OSPKE, LA57 */
	r->edx &= ~(CPUID7_EDX_AVX512 | CPUID7_EDX_AMX);
}

/*
 * Host leaves, with the hypervisor bit set, VMX/SVM hidden, XSAVE for the
 * components guests may have, Keel's leaf at 0x40000000. The TSC's rate
 * (leaves 15H and 16H) is hidden unless leaf 15H states it truly
 * (tsc_calibrate()): a guest then measures it, as on a CPU without them,
 * instead of trusting a wrong one.
 */
void cpuid_policy(u32 leaf, u32 subleaf, u32 out[4])
{
	struct cpuid_regs r = { 0 };

	if (leaf == KEEL_CPUID_LEAF_SIGNATURE) {
		out[0] = KEEL_CPUID_LEAF_MAX;
		out[1] = out[2] = out[3] = KEEL_CPUID_SIGNATURE;
		return;
	}
	if (leaf == KEEL_CPUID_LEAF_ABI) {
		out[0] = KEEL_ABI_VERSION;
		out[1] = out[2] = out[3] = 0;
		return;
	}
	if (leaf == KEEL_CPUID_LEAF_RESERVED) {	/* base, then size, low halves first */
		out[0] = (u32)mm.reserve_base;
		out[1] = (u32)(mm.reserve_base >> 32);
		out[2] = (u32)mm.reserve_size;
		out[3] = (u32)(mm.reserve_size >> 32);
		return;
	}
	if ((leaf < 0x40000000 && leaf <= keel.cpu.max_leaf) ||
	    (leaf >= 0x80000000 && leaf <= keel.cpu.max_ext_leaf))
		r = cpuid_count(leaf, subleaf);
	if (leaf == 1) {
		leaf1_policy(&r);
	} else if (leaf == 6 && leaf <= keel.cpu.max_leaf) {
		/* thermal and power management are Keel's; a vLAPIC timer always runs (ARAT): KVM's */
		r = (struct cpuid_regs){ .eax = BIT(2) };
	} else if (leaf == 7) {
		leaf7_policy(subleaf, &r);
	} else if (leaf == 0xd) {
		xstate_leaf(subleaf, &r);
	} else if (leaf == 0x1d || leaf == 0x1e || leaf == 0x24 || leaf == 0x8000000a ||
		   ((leaf == 0x15 || leaf == 0x16) && !tsc_crystal_khz)) {
		r = (struct cpuid_regs){ 0 };
	} else if (leaf == 0x80000001) {
		r.ecx &= ~BIT(2);	/* SVM */
		if (!(keel.cpu.xcr0 & XFEATURE_AVX))
			r.ecx &= ~CPUID81_ECX_AVX;
	}
	out[0] = r.eax;
	out[1] = r.ebx;
	out[2] = r.ecx;
	out[3] = r.edx;
}

/*
 * The bits that follow a vCPU's state, for every guest (KVM's
 * kvm_update_cpuid_runtime()), where Keel has XSAVE: OSXSAVE is CR4's, and
 * leaf 0xD's sizes follow the vCPU's XCR0, in standard form for subleaf 0
 * and compacted for 1 where XSAVEC or XSAVES is offered (SDM Vol. 2A
 * CPUID). Keel's components have the same size either way.
 */
void cpuid_runtime(struct vcpu *v, u32 leaf, u32 subleaf, u32 out[4])
{
	if (leaf == 1 && keel.cpu.xcr0)
		out[2] = (out[2] & ~CPUID1_ECX_OSXSAVE) |
			 (virt->get_cr(v, 4) & X86_CR4_OSXSAVE ? CPUID1_ECX_OSXSAVE : 0);
	else if (leaf == 0xd && keel.cpu.xcr0 &&
		 (subleaf == 0 || (subleaf == 1 && (out[0] & (BIT(1) | BIT(3))))))
		out[1] = xstate_size(vcpu_xcr0(v));
}

static enum vcpu_action handle_cpuid(struct vcpu *v, struct vm_exit *e)
{
	u64 *g = v->arch.regs.gpr;
	u32 out[4];

	if (vcpu_has_vmm(v)) {
		vmm_cpuid(v, (u32)g[GPR_RAX], (u32)g[GPR_RCX], out);
	} else {
		cpuid_policy((u32)g[GPR_RAX], (u32)g[GPR_RCX], out);
		cpuid_runtime(v, (u32)g[GPR_RAX], (u32)g[GPR_RCX], out);
	}
	g[GPR_RAX] = out[0];
	g[GPR_RBX] = out[1];
	g[GPR_RCX] = out[2];
	g[GPR_RDX] = out[3];
	return skip(v, e);
}

/*
 * HLT with interrupts off ends only by an NMI (SDM Vol. 3A 6.7.1); with no
 * NMI due it can end only by another vCPU's NMI or INIT (a control guest
 * does this as it halts or stops its CPUs), and the VM ends when all its
 * live vCPUs are so (kernel/vcpu.c).
 */
static enum vcpu_action handle_hlt(struct vcpu *v, struct vm_exit *e)
{
	skip(v, e);
	if (vcpu_has_vmm(v) && !v->vm->arch.lapic_in_kernel)
		return vmm_exit_hlt(v);	/* no in-kernel irqchip: the VMM waits (KVM_EXIT_HLT) */
	if (arch_vcpu_wakeable(v))
		return VCPU_CONTINUE;
	if (!(v->arch.regs.rflags & X86_RFLAGS_IF) && !irqchip_nmi_due(v))
		return VCPU_HALT;
	return VCPU_BLOCK;
}

/*
 * Keel's hypercall ABI (guest-abi/keel/hypercall.h), dispatched by
 * kernel/hypercall.c; only RAX changes. Outside 64-bit mode the upper register halves are undefined (SDM
 * Vol. 1 3.4.1.1), so only the low 32 bits count, as in KVM.
 */
static enum vcpu_action handle_hypercall(struct vcpu *v, struct vm_exit *e)
{
	u64 *g = v->arch.regs.gpr;
	u64 mask = virt->in_64bit_mode(v) ? ~0ULL : 0xffffffffULL;
	struct hypercall hc = {
		.vm = v->vm,
		.vcpu = v,
		.cpl = virt->get_cpl(v),
		.nr = g[GPR_RAX] & mask,
		.arg = { g[GPR_RBX] & mask, g[GPR_RCX] & mask, g[GPR_RDX] & mask, g[GPR_RSI] & mask },
	};

	if (v->vm->kind == VM_KIND_KVM)
		vmm_hypercall(v);
	else
		g[GPR_RAX] = (u64)hypercall_dispatch(&hc);
	return skip(v, e);
}

static enum vcpu_action handle_triple_fault(struct vcpu *v, struct vm_exit *e)
{
	if (vcpu_has_vmm(v))
		return vmm_exit_shutdown(v);
	return stop(v, "triple-fault");
}

static enum vcpu_action handle_ud(struct vcpu *v, struct vm_exit *e);

/* An intercepted exception raised while delivering another merges with it (#DF, shutdown). */
static enum vcpu_action handle_exception(struct vcpu *v, struct vm_exit *e)
{
	if (e->exception.vector == X86_EXC_MC)
		return internal_error(v, e, "machine check while the guest ran",
				      KEEL_INTERNAL_UNEXPECTED_EXIT);
	if (e->exception.vector == X86_EXC_UD && !v->arch.event.valid)
		return handle_ud(v, e);
	if (!vcpu_inject_exception(v, e->exception.vector, e->exception.has_error,
				   e->exception.error_code))
		return handle_triple_fault(v, e);
	return VCPU_CONTINUE;
}

/*
 * cpuid_policy() hides VMX, SMX, SVM and MONITOR/MWAIT; their
 * instructions are invalid opcodes there, as on a CPU without them.
 */
static enum vcpu_action handle_hidden_insn(struct vcpu *v, struct vm_exit *e)
{
	vcpu_inject_exception(v, X86_EXC_UD, false, 0);
	return VCPU_CONTINUE;
}

/*
 * MONITOR and MWAIT: a /dev/kvm guest's are NOPs, as KVM runs them
 * (kvm_emulate_monitor_mwait(); an MWAIT may end at any time, SDM Vol. 2B
 * MWAIT), unless its VMM turned off KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS and
 * its CPUID hides them. The other guests' CPUID hides them (cpuid_policy()).
 */
static enum vcpu_action handle_mwait(struct vcpu *v, struct vm_exit *e)
{
	if (vcpu_has_vmm(v) && (!(v->vm->arch.quirks_off & KEEL_QUIRK_MWAIT_NEVER_UD_FAULTS) ||
				vmm_cpuid_has(v, CPUID1_ECX_MONITOR)))
		return skip(v, e);
	return handle_hidden_insn(v, e);
}

static enum vcpu_action handle_entry_failure(struct vcpu *v, struct vm_exit *e)
{
	if (vcpu_has_vmm(v))
		return vmm_exit_fail_entry(v, e);
	pr_err("keel: vm %s vcpu %u: VM entry failed (hardware reason %#x, qualification %#llx)\n",
	       v->vm->name, v->id, e->raw_reason, (unsigned long long)e->qual);
	return stop(v, "entry-failure");
}

static enum vcpu_action handle_unhandled(struct vcpu *v, struct vm_exit *e)
{
	return internal_error(v, e, "unhandled exit", KEEL_INTERNAL_UNEXPECTED_EXIT);
}

static void inject_gp(struct vcpu *v)
{
	vcpu_inject_exception(v, X86_EXC_GP, true, 0);
}

/*
 * XSETBV (SDM Vol. 2C): #UD with CR4.OSXSAVE clear (the CPU checks that
 * before the exit; QEMU's TCG may not), #GP(0) outside CPL 0 or for a
 * value xcr0_check() refuses, as KVM's kvm_emulate_xsetbv().
 */
static enum vcpu_action handle_xsetbv(struct vcpu *v, struct vm_exit *e)
{
	const u64 *g = v->arch.regs.gpr;
	u64 val = (u32)g[GPR_RAX] | ((u64)(u32)g[GPR_RDX] << 32);

	if (!keel.cpu.xcr0 || !(virt->get_cr(v, 4) & X86_CR4_OSXSAVE))
		return handle_hidden_insn(v, e);
	if (virt->get_cpl(v) ||
	    xcr0_check((u32)g[GPR_RCX], val,
		       vcpu_has_vmm(v) ? vmm_supported_xcr0(v) : keel.cpu.xcr0)) {
		inject_gp(v);
		return VCPU_CONTINUE;
	}
	vcpu_set_xcr0(v, val);
	return skip(v, e);
}

int vcpu_read_msr(struct vcpu *v, u32 msr, u64 *val, bool host)
{
	int r = irqchip_msr_read(v, msr, val);

	if (r == -ENOENT && vcpu_has_vmm(v))
		r = kvmclock_msr_read(v, msr, val);
	if (r == -ENOENT && vcpu_has_vmm(v))
		r = vmm_msr_read(v, msr, val, host);
	if (r != -ENOENT)
		return r;
	if (!virt->get_msr(v, msr, val))
		return 0;
	switch (msr) {
	case MSR_IA32_TSC: *val = rdtsc(); return 0;
	case MSR_MTRRCAP: *val = 0; return 0;			/* no MTRRs */
	case MSR_IA32_MISC_ENABLE: *val = 1; return 0;		/* fast strings */
	case MSR_IA32_UCODE_REV: *val = keel.cpu.ucode_rev; return 0;	/* the CPU's */
	case MSR_IA32_TSC_ADJUST: *val = 0; return 0;	/* see vcpu_write_msr() */
	case MSR_MTRR_DEF_TYPE: *val = 0; return 0;
	case MSR_AMD_INT_PENDING_MSG: *val = 0; return 0;	/* no C1E */
	case MSR_EFER: *val = virt->get_efer(v); return 0;
	case MSR_TSC_AUX: *val = v->arch.tsc_aux; return 0;
	default: return -ENOENT;	/* unknown: KVM's KVM_MSR_RET_INVALID */
	}
}

/* A 32-bit or 16-bit MOV to CR takes the register's low half (SDM Vol. 2B MOV). */
static u64 cr_source(struct vcpu *v, const struct vm_exit *e)
{
	u64 val = v->arch.regs.gpr[e->cr.gpr & 15];

	return vcpu_mode(v) == X86_MODE_64 ? val : (u32)val;
}

static enum vcpu_action handle_cr_write(struct vcpu *v, struct vm_exit *e)
{
	if (virt->write_cr(v, e->cr.cr, cr_source(v, e))) {
		inject_gp(v);
		return VCPU_CONTINUE;
	}
	return skip(v, e);
}

static int write_efer(struct vcpu *v, u64 val)
{
	struct cr_state s = { .cr0 = virt->get_cr(v, 0), .efer = virt->get_efer(v) };
	int r = efer_write(&s, val);

	if (!r)
		virt->set_efer(v, s.efer);
	return r;
}

int vcpu_write_msr(struct vcpu *v, u32 msr, u64 val, bool host)
{
	int r = irqchip_msr_write(v, msr, val);

	if (r == -ENOENT && vcpu_has_vmm(v))
		r = kvmclock_msr_write(v, msr, val, host);
	if (r == -ENOENT && vcpu_has_vmm(v))
		r = vmm_msr_write(v, msr, val, host);
	if (r != -ENOENT)
		return r;
	if (!guest_msr_value_ok(msr, val))
		return -EPERM;
	switch (msr) {
	case MSR_EFER:
		return write_efer(v, val);
	case MSR_TSC_AUX:
		if (val >> 32)
			return -EPERM;
		v->arch.tsc_aux = val;
		if (!host)	/* a vCPU loaded nowhere gets it when it is loaded */
			vcpu_sync_tsc_aux(v);
		return 0;
	case MSR_IA32_UCODE_REV:
		return 0;	/* Linux clears it before reading it (SDM Vol. 3A 10.11.7.1): ignored */
	case MSR_IA32_TSC_ADJUST:
		/* these guests' TSC is Keel's, in which their deadlines run: never adjusted */
		return val ? -EPERM : 0;
	}
	r = virt->set_msr(v, msr, val);
	return r == -ENOENT ? r : r ? -EPERM : 0;
}

/*
 * A RDMSR or WRMSR Keel refuses: #GP(0), or an exit to a /dev/kvm VMM that
 * asked for this reason (KVM_CAP_X86_USER_SPACE_MSR): -ENOENT an unknown MSR,
 * -EACCES one the VM's filter denies, any other error a value refused.
 */
static enum vcpu_action msr_refused(struct vcpu *v, struct vm_exit *e, int r, u64 val)
{
	u32 reason = r == -ENOENT ? KEEL_MSR_EXIT_UNKNOWN :
		     r == -EACCES ? KEEL_MSR_EXIT_FILTER : KEEL_MSR_EXIT_INVAL;

	if (vcpu_has_vmm(v) && (v->vm->arch.user_msr & reason))
		return vmm_exit_msr(v, (u8)e->insn_len, reason, e->kind == EXIT_MSR_WRITE, val);
	inject_gp(v);
	return VCPU_CONTINUE;
}

/* An allow-list, and a /dev/kvm VM's filter; any other MSR raises #GP(0) in the guest. */
static enum vcpu_action handle_msr(struct vcpu *v, struct vm_exit *e)
{
	u64 *g = v->arch.regs.gpr, val = (g[GPR_RDX] << 32) | (u32)g[GPR_RAX];
	bool write = e->kind == EXIT_MSR_WRITE;
	u32 msr = (u32)g[GPR_RCX];
	int r;

	if (!msr_filter_allows(v->vm, msr, write))
		return msr_refused(v, e, -EACCES, val);
	r = write ? vcpu_write_msr(v, msr, val, false) : vcpu_read_msr(v, msr, &val, false);
	if (r == -EAGAIN)
		return VCPU_EXIT_TO_VMM;	/* a page to fault in; the WRMSR runs again */
	if (r)
		return msr_refused(v, e, r, val);
	if (!write) {
		g[GPR_RAX] = (u32)val;
		g[GPR_RDX] = val >> 32;
	}
	return skip(v, e);
}

/*
 * A device's answer, else the VM owner's for an access no device claims
 * (vm->unclaimed_*, kernel/vm.h); without one, reads keep the all ones the
 * caller put in *@val and writes are dropped, as on an empty bus.
 */
static inline int bus_read(struct vcpu *v, const struct io_bus *bus, const struct io_dev_ops *unclaimed,
			   u64 addr, unsigned int size, u64 *val)
{
	int r = io_bus_read(bus, v, addr, size, val);

	if (r == IO_NOT_MINE && unclaimed)
		r = unclaimed->read(v, NULL, addr, size, val);
	return r == IO_NOT_MINE ? 0 : r;
}

static inline int bus_write(struct vcpu *v, const struct io_bus *bus, const struct io_dev_ops *unclaimed,
			    u64 addr, unsigned int size, u64 val)
{
	int r = io_bus_write(bus, v, addr, size, val);

	if (r == IO_NOT_MINE && unclaimed)
		r = unclaimed->write(v, NULL, addr, size, val);
	return r == IO_NOT_MINE ? 0 : r;
}

static int port_in(struct vcpu *v, u16 port, unsigned int size, u32 *val)
{
	u64 x = ~0ULL;
	int r = bus_read(v, &v->vm->pio, v->vm->unclaimed_pio, port, size, &x);

	if (r == IO_EXIT_VMM)
		return X86_EMU_RETRY;	/* carried out again with the VMM's answer */
	*val = (u32)x;
	return r;
}

static int port_out(struct vcpu *v, u16 port, unsigned int size, u32 val)
{
	val &= 0xffffffffu >> (32 - 8 * size);
	return bus_write(v, &v->vm->pio, v->vm->unclaimed_pio, port, size, val);
}

/* IN writes AL, AX or EAX; a 32-bit result clears RAX's upper half (SDM Vol. 1 3.4.1.1). */
static void set_in_result(u64 *rax, unsigned int size, u32 val)
{
	if (size == 4)
		*rax = val;
	else if (size == 2)
		*rax = (*rax & ~0xffffULL) | (val & 0xffff);
	else
		*rax = (*rax & ~0xffULL) | (val & 0xff);
}

/*
 * @fault_gpa, while @fault_known: the guest-physical address of the access
 * that exited (EPT violation / nested page fault). The guest's own walk
 * for it already passed, or no nested fault would have come, so an access
 * at the same page offset is taken to be it and needs no walk: KVM's
 * emulator does the same (gpa_available), not for instructions with two
 * memory operands.
 */
struct guest_access {
	struct vcpu *v;
	struct x86_exception *exc;
	u64 fault_gpa;
	bool fault_known;
};

static int translate(struct guest_access *a, u64 gva, bool write, u64 *gpa)
{
	if (a->fault_known && !((gva ^ a->fault_gpa) & (PAGE_SIZE - 1))) {
		a->fault_known = false;
		*gpa = a->fault_gpa;
		return 0;
	}
	return vcpu_gva_to_gpa(a->v, gva, write, gpa, a->exc);
}

/* The IN the VMM answered, completed with its data before the vCPU enters again. */
void vmm_finish_in(struct vcpu *v, u32 data)
{
	set_in_result(&v->arch.regs.gpr[GPR_RAX], v->arch.vmm.size, data);
}

/* One physical access of 1, 2, 4 or 8 bytes: RAM, a device, or nothing (reads all ones). */
static int phys_access(struct vcpu *v, u64 gpa, void *buf, unsigned int len, bool write)
{
	void *hva = gpa_to_hva_access(v->vm, gpa, len, write);
	u64 val = ~0ULL;
	int r;

	if (hva) {
		memcpy(write ? hva : buf, write ? buf : hva, len);
		return 0;
	}
	/* A /dev/kvm VM's RAM page not mapped yet: the module maps it, the instruction runs again. */
	if (vcpu_has_vmm(v) && memslot_classify(v->vm, gpa, write) == GPA_RAM) {
		vmm_exit_fault(v, gpa, write);
		return X86_EMU_RETRY;
	}
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return -EOPNOTSUPP;
	if (write) {
		memcpy(&val, buf, len);
		return bus_write(v, &v->vm->mmio, v->vm->unclaimed_mmio, gpa, len, val);
	}
	r = bus_read(v, &v->vm->mmio, v->vm->unclaimed_mmio, gpa, len, &val);
	if (r == IO_EXIT_VMM)
		return X86_EMU_RETRY;	/* carried out again with the VMM's answer */
	memcpy(buf, &val, len);
	return r;
}

/* Guest-linear accesses, split where they cross a page (the emulator's callbacks). */
static int linear_access(void *ctx, u64 gva, void *buf, unsigned int len, bool write)
{
	struct guest_access *a = ctx;

	while (len) {
		unsigned int n = MIN(len, PAGE_SIZE - (gva & (PAGE_SIZE - 1)));
		u64 gpa;
		int r = translate(a, gva, write, &gpa);

		if (r)
			return r;
		r = phys_access(a->v, gpa, buf, n, write);
		if (r)
			return r;
		gva += n;
		buf = (u8 *)buf + n;
		len -= n;
	}
	return 0;
}

static int linear_read(void *ctx, u64 gva, void *buf, unsigned int len)
{
	return linear_access(ctx, gva, buf, len, false);
}

static int linear_write(void *ctx, u64 gva, const void *buf, unsigned int len)
{
	return linear_access(ctx, gva, (void *)(uintptr_t)buf, len, true);
}

static void setup_emu(struct vcpu *v, struct x86_emu *emu, struct guest_access *a)
{
	struct segment s;

	memset(emu, 0, sizeof(*emu));
	emu->regs = &v->arch.regs;
	emu->mode = vcpu_mode(v);
	/* In 64-bit mode only FS and GS have a base (SDM Vol. 3A 3.4.4): the others stay 0. */
	for (enum seg_reg r = SEG_ES; r <= SEG_GS; r++) {
		if (emu->mode == X86_MODE_64 && r != SEG_FS && r != SEG_GS)
			continue;
		virt->get_segment(v, r, &s);
		emu->seg_base[r] = s.base;
	}
	emu->max_reps = REP_BATCH;
	if (vcpu_has_vmm(v))	/* at most one exit to the VMM per step */
		emu->stop = &v->arch.vmm.exit;
	emu->ctx = a;
	emu->read = linear_read;
	emu->write = linear_write;
	a->v = v;
	a->exc = &emu->exc;
	a->fault_known = false;
}

/* MOVS (A4, A5) touches memory twice: the faulting address alone does not say which. */
static void know_fault(struct guest_access *a, const struct x86_insn *insn, u64 gpa)
{
	a->fault_gpa = gpa;
	a->fault_known = !(insn->map == X86_MAP_1BYTE && (insn->opcode == 0xa4 || insn->opcode == 0xa5));
}

static void inject_emu_exception(struct vcpu *v, const struct x86_exception *exc)
{
	if (exc->vector == X86_EXC_PF)
		virt->set_cr(v, 2, exc->cr2);
	vcpu_inject_exception(v, exc->vector, exc->has_error_code, exc->error_code);
}

/*
 * Fetches and decodes the instruction at CS:RIP through the guest's own page
 * tables, touching the next page only if the instruction runs into it.
 */
static int fetch_insn(struct vcpu *v, struct x86_emu *emu, struct guest_access *a, struct x86_insn *insn)
{
	u64 la = (emu->mode == X86_MODE_64 ? 0 : emu->seg_base[SEG_CS]) + v->arch.regs.rip;
	unsigned int first = MIN(15, PAGE_SIZE - (la & (PAGE_SIZE - 1)));
	u8 bytes[15];
	int r = linear_read(a, la, bytes, first), n;

	if (r)
		return r;
	n = x86_decode(bytes, first, emu->mode, insn);
	if (n == -EAGAIN) {
		r = linear_read(a, la + first, bytes + first, sizeof(bytes) - first);
		if (r)
			return r;
		n = x86_decode(bytes, sizeof(bytes), emu->mode, insn);
	}
	return n < 0 ? -EINVAL : 0;
}

/* A fetch or decode failure: the #PF or #UD the guest would get, or an internal error. */
static enum vcpu_action fetch_failed(struct vcpu *v, struct vm_exit *e, struct x86_emu *emu, int r)
{
	if (r == X86_EMU_RETRY)
		return VCPU_EXIT_TO_VMM;	/* a page to map first (vmm_exit_fault()) */
	if (r == X86_EMU_EXCEPTION)
		inject_emu_exception(v, &emu->exc);
	else if (r == -EINVAL)
		vcpu_inject_exception(v, X86_EXC_UD, false, 0);
	else
		return internal_error(v, e, "cannot fetch the exiting instruction",
				      KEEL_INTERNAL_EMULATION);
	return VCPU_CONTINUE;
}

/*
 * MOV to CR8, which both backends intercept for /dev/kvm guests. CR8 is the TPR's bits
 * 7:4 (SDM Vol. 3A 11.8.6.1), so Keel's vLAPIC, whose PPR decides what is
 * injected, takes the write; bits 63:4 set are #GP(0) (SDM Vol. 2B, "MOV-Move
 * to/from Control Registers"). Without decode assists the source register
 * comes from the instruction (MOV CRn is 0F 22 /r, the register in ModRM.rm).
 */
static enum vcpu_action handle_cr8_write(struct vcpu *v, struct vm_exit *e)
{
	struct guest_access a;
	struct x86_emu emu;
	struct x86_insn insn;
	u64 val;
	int r;

	if (e->cr.gpr == CR_GPR_UNKNOWN) {
		setup_emu(v, &emu, &a);
		r = fetch_insn(v, &emu, &a, &insn);
		if (r)
			return fetch_failed(v, e, &emu, r);
		/* CR8 is ModRM.reg 0 with REX.R, or AMD's LOCK MOV CR0 (APM Vol. 3, MOV CRn) */
		if (insn.map != X86_MAP_0F || insn.opcode != 0x22 ||
		    (insn.reg | (insn.rex & X86_REX_R ? 8 : 0) | (insn.lock ? 8 : 0)) != 8)
			return VCPU_CONTINUE;	/* the code changed since: the guest runs it again */
		e->cr.gpr = insn.rm | (insn.rex & X86_REX_B ? 8 : 0);
		e->insn_len = insn.len;
	}
	val = cr_source(v, e);
	if (val > 15) {
		inject_gp(v);
		return VCPU_CONTINUE;
	}
	vcpu_set_cr8(v, val);
	return skip(v, e);
}

static enum vcpu_action handle_mov_cr(struct vcpu *v, struct vm_exit *e)
{
	return e->cr.cr == 8 ? handle_cr8_write(v, e) : handle_cr_write(v, e);
}

/*
 * A /dev/kvm VM's page in a slot is mapped by the module from its VMM's
 * memory; anything else is MMIO, as is a write to a read-only slot.
 */
static bool is_fault_in(struct vcpu *v, struct vm_exit *e)
{
	return vcpu_has_vmm(v) && memslot_classify(v->vm, e->npf.gpa, e->npf.write) == GPA_RAM;
}

/* What an emulated instruction (@r from x86_emulate()) leaves the vCPU to do. */
static enum vcpu_action emulated(struct vcpu *v, struct vm_exit *e, struct x86_emu *emu, int r)
{
	if (r == X86_EMU_RETRY || (r == X86_EMU_OK && v->arch.vmm.exit))
		return VCPU_EXIT_TO_VMM;
	if (r == X86_EMU_OK)
		return VCPU_CONTINUE;
	if (r == X86_EMU_EXCEPTION) {
		inject_emu_exception(v, &emu->exc);
		return VCPU_CONTINUE;
	}
	return internal_error(v, e, "cannot emulate the instruction that touched MMIO",
			      KEEL_INTERNAL_EMULATION);
}

/*
 * A /dev/kvm guest's #UD (only theirs is intercepted). The other vendor's
 * hypercall instruction, VMCALL on AMD or VMMCALL on Intel, is rewritten in
 * guest memory into this CPU's and runs again, as KVM's emulator does with
 * KVM_X86_QUIRK_FIX_HYPERCALL_INSN, unless the VMM turned that off: the
 * write goes through the guest's page tables, so a read-only code page gets
 * the guest a #PF. Any other #UD, or one whose bytes cannot be read, is the
 * guest's.
 */
static enum vcpu_action handle_ud(struct vcpu *v, struct vm_exit *e)
{
	static const u8 vmcall[3] = { 0x0f, 0x01, 0xc1 }, vmmcall[3] = { 0x0f, 0x01, 0xd9 };
	const u8 *native = virt->hypercall_insn;
	const u8 *foreign = native[2] == vmcall[2] ? vmmcall : vmcall;
	struct guest_access a;
	struct x86_emu emu;
	u8 bytes[3];
	u64 la;
	int r;

	if (v->vm->arch.quirks_off & KEEL_QUIRK_FIX_HYPERCALL_INSN) {
		vcpu_inject_exception(v, X86_EXC_UD, false, 0);
		return VCPU_CONTINUE;
	}
	setup_emu(v, &emu, &a);
	la = (emu.mode == X86_MODE_64 ? 0 : emu.seg_base[SEG_CS]) + v->arch.regs.rip;
	r = linear_read(&a, la, bytes, sizeof(bytes));
	if (!r && !memcmp(bytes, foreign, sizeof(bytes)))
		r = linear_write(&a, la, native, sizeof(bytes));
	else if (r != X86_EMU_RETRY)
		r = -EINVAL;
	if (r == X86_EMU_RETRY)
		return VCPU_EXIT_TO_VMM;	/* the page is faulted in; the #UD comes again */
	if (r == X86_EMU_EXCEPTION)
		inject_emu_exception(v, &emu.exc);
	else if (r)
		vcpu_inject_exception(v, X86_EXC_UD, false, 0);
	return VCPU_CONTINUE;
}

/*
 * An instruction whose MMIO read waits for the VMM is finished with the
 * answer before the guest runs (vmm_finish_mmio()), not fetched again: no
 * interrupt handler in between may read the answer as its own.
 */
static void wait_with(struct vcpu *v, int r, const struct x86_insn *insn, u64 gpa)
{
	if (r != X86_EMU_RETRY || v->arch.vmm.waiting != VMM_MMIO)
		return;
	if (insn != &v->arch.vmm.insn)
		v->arch.vmm.insn = *insn;
	v->arch.vmm.insn_rip = v->arch.regs.rip;
	v->arch.vmm.insn_gpa = gpa;
	v->arch.vmm.insn_saved = true;
}

/* MMIO: fetch and decode the instruction at CS:RIP, then carry it out against the devices. */
static enum vcpu_action handle_npf(struct vcpu *v, struct vm_exit *e)
{
	struct guest_access a;
	struct x86_emu emu;
	struct x86_insn insn;
	int r;

	if (is_fault_in(v, e))
		return vmm_exit_fault(v, e->npf.gpa, e->npf.write);
	/* The fault came from delivering an event (an IDT or stack outside RAM), not from RIP. */
	if (v->arch.event.valid)
		return internal_error(v, e, "MMIO access while delivering an event",
				      KEEL_INTERNAL_DELIVERY_EV);
	setup_emu(v, &emu, &a);
	r = fetch_insn(v, &emu, &a, &insn);
	if (r)
		return fetch_failed(v, e, &emu, r);
	know_fault(&a, &insn, e->npf.gpa);
	r = x86_emulate(&emu, &insn);
	wait_with(v, r, &insn, e->npf.gpa);
	return emulated(v, e, &emu, r);
}

/*
 * The MMIO read the VMM answered, finished before the vCPU enters again
 * with the instruction decoded when it exited (vmm_exit.c), unless the VMM
 * moved RIP meanwhile: then the guest runs it again.
 */
enum vcpu_action vmm_finish_mmio(struct vcpu *v)
{
	struct vm_exit e = { .kind = EXIT_NPF };
	struct guest_access a;
	struct x86_emu emu;
	enum vcpu_action action;
	const struct x86_insn *insn = &v->arch.vmm.insn;
	int r;

	if (!v->arch.vmm.insn_saved || v->arch.vmm.insn_rip != v->arch.regs.rip)
		return VCPU_CONTINUE;
	v->arch.vmm.insn_saved = false;
	__atomic_store_n(&v->in_guest, true, __ATOMIC_SEQ_CST);	/* it reaches guest RAM */
	setup_emu(v, &emu, &a);
	know_fault(&a, insn, v->arch.vmm.insn_gpa);
	r = x86_emulate(&emu, insn);
	wait_with(v, r, insn, v->arch.vmm.insn_gpa);	/* a REP MOVS's next read */
	action = emulated(v, &e, &emu, r);
	__atomic_store_n(&v->in_guest, false, __ATOMIC_RELEASE);
	return action;
}

static u64 addr_mask(unsigned int addr_size)
{
	return addr_size == 8 ? ~0ULL : (1ULL << (8 * addr_size)) - 1;
}

/*
 * Elements an INS asks its VMM for in one exit, as KVM's pio_in_emulated():
 * up to rCX, KEEL_PIO_MAX bytes and the bytes left in RDI's page the way
 * the string goes (a count of bytes, and ES's base left out, as KVM's).
 */
static u16 read_ahead(const struct vcpu *v, const struct vm_exit *e, u64 mask)
{
	u64 rdi = v->arch.regs.gpr[GPR_RDI], in_page = rdi & (PAGE_SIZE - 1);
	u64 n = e->io.rep ? v->arch.regs.gpr[GPR_RCX] & mask : 1;

	if (!(v->arch.regs.rflags & X86_RFLAGS_DF))
		in_page = PAGE_SIZE - in_page;
	n = MIN(n, MIN(in_page, KEEL_PIO_MAX / e->io.size));
	return (u16)MAX(n, 1);
}

/* One element of INS or OUTS: memory at ES:rDI or SEG:rSI (SDM Vol. 2 INS/OUTS). */
static int string_io_one(struct vcpu *v, struct vm_exit *e, struct guest_access *a, u64 base)
{
	u64 *g = v->arch.regs.gpr, mask = addr_mask(e->io.addr_size);
	int index = e->io.in ? GPR_RDI : GPR_RSI;
	u64 gva = base + (g[index] & mask);
	s64 step = v->arch.regs.rflags & X86_RFLAGS_DF ? -(s64)e->io.size : e->io.size;
	u32 val = 0;
	int r;

	if (e->io.in) {
		struct vmm_io *io = &v->arch.vmm;
		u16 pos = io->ahead_pos;
		u8 kind = io->answered;

		io->read_ahead = read_ahead(v, e, mask);
		r = port_in(v, e->io.port, e->io.size, &val);
		io->read_ahead = 0;
		if (!r)
			r = linear_write(a, gva, &val, e->io.size);
		if (r) {	/* not written (a fault-in, a fault): the element is used again */
			io->ahead_pos = pos;
			io->answered = kind;
		}
	} else {
		r = linear_read(a, gva, &val, e->io.size);
		if (!r)
			r = port_out(v, e->io.port, e->io.size, val);
	}
	if (!r)
		g[index] = (g[index] & ~mask) | ((g[index] + step) & mask);
	return r;
}

/*
 * QEMU's SVM leaves the IOIO address-size and segment fields zero: then the
 * instruction itself says (a 67 prefix, a segment override, else DS).
 */
static int string_io_operands(struct vcpu *v, struct vm_exit *e, struct x86_emu *emu,
			      struct guest_access *a)
{
	struct x86_insn insn;
	int r;

	if (e->io.addr_size)
		return 0;
	r = fetch_insn(v, emu, a, &insn);
	if (r)
		return r;
	e->io.addr_size = insn.adsize;
	e->io.seg = insn.seg == X86_SEG_NONE ? SEG_DS : insn.seg;
	return 0;
}

static enum vcpu_action string_io(struct vcpu *v, struct vm_exit *e)
{
	u64 *rcx = &v->arch.regs.gpr[GPR_RCX], mask;
	struct x86_emu emu;
	struct guest_access a;
	enum seg_reg seg;
	u64 base;
	int r;

	setup_emu(v, &emu, &a);
	r = string_io_operands(v, e, &emu, &a);
	if (r)
		return fetch_failed(v, e, &emu, r);
	mask = addr_mask(e->io.addr_size);
	seg = e->io.in ? SEG_ES : e->io.seg;
	base = emu.mode == X86_MODE_64 && seg != SEG_FS && seg != SEG_GS ? 0 : emu.seg_base[seg];
	for (int n = 0; n < REP_BATCH && (!e->io.rep || (*rcx & mask)); n++) {
		r = string_io_one(v, e, &a, base);
		if (r == X86_EMU_RETRY)
			return VCPU_EXIT_TO_VMM;	/* an element the VMM answers first */
		if (r == X86_EMU_EXCEPTION) {
			inject_emu_exception(v, &emu.exc);
			return VCPU_CONTINUE;
		}
		if (r)
			return internal_error(v, e, "string I/O failed", KEEL_INTERNAL_EMULATION);
		if (!e->io.rep)
			break;
		*rcx = (*rcx & ~mask) | ((*rcx - 1) & mask);
		if (v->arch.vmm.exit)
			break;	/* one element per exit to the VMM, registers written back */
	}
	if (e->io.rep && (*rcx & mask))
		return v->arch.vmm.exit ? VCPU_EXIT_TO_VMM : VCPU_CONTINUE;
	/* The last element: an OUTS the VMM takes completes at the next run, as an OUT. */
	return v->arch.vmm.exit ? vmm_exit_out(v, (u8)e->insn_len) : skip(v, e);
}

/*
 * What the VMM answered an INS with is used while rCX lasts, across exits
 * that wait for the VMM or a fault-in, then dropped with the rest once the
 * instruction is done or faulted (KVM's read cache does not outlive its
 * instruction either).
 */
static enum vcpu_action handle_string_io(struct vcpu *v, struct vm_exit *e)
{
	enum vcpu_action action = string_io(v, e);

	if (action != VCPU_EXIT_TO_VMM && v->arch.vmm.answered == VMM_PIO)
		v->arch.vmm.answered = VMM_NONE;
	return action;
}

static enum vcpu_action handle_io(struct vcpu *v, struct vm_exit *e)
{
	u64 *rax = &v->arch.regs.gpr[GPR_RAX];
	u32 val;
	int r;

	if (e->io.string)
		return handle_string_io(v, e);
	if (e->io.in) {
		r = port_in(v, e->io.port, e->io.size, &val);
		if (r == X86_EMU_RETRY)
			return vmm_exit_in(v, (u8)e->insn_len);
		if (!r)
			set_in_result(rax, e->io.size, val);
	} else {
		r = port_out(v, e->io.port, e->io.size, (u32)*rax);
	}
	if (r)
		return internal_error(v, e, "port I/O failed", KEEL_INTERNAL_EMULATION);
	if (v->arch.vmm.exit)
		return vmm_exit_out(v, (u8)e->insn_len);
	return v->vm->state == VM_RUNNING ? skip(v, e) : VCPU_STOP;
}

static enum vcpu_action handle_window(struct vcpu *v, struct vm_exit *e)
{
	return VCPU_CONTINUE;	/* the pending interrupt or NMI goes in at the next entry */
}

static const exit_handler handlers[NR_EXIT_KINDS] = {
	[EXIT_NONE] = handle_nothing,
	[EXIT_EXTINT] = handle_nothing,
	[EXIT_NMI] = handle_nothing,
	[EXIT_CPUID] = handle_cpuid,
	[EXIT_IO] = handle_io,
	[EXIT_MSR_READ] = handle_msr,
	[EXIT_MSR_WRITE] = handle_msr,
	[EXIT_HLT] = handle_hlt,
	[EXIT_HYPERCALL] = handle_hypercall,
	[EXIT_NPF] = handle_npf,
	[EXIT_EXCEPTION] = handle_exception,
	[EXIT_INTR_WINDOW] = handle_window,
	[EXIT_NMI_WINDOW] = handle_window,
	[EXIT_HIDDEN_INSN] = handle_hidden_insn,
	[EXIT_MWAIT] = handle_mwait,
	[EXIT_XSETBV] = handle_xsetbv,
	[EXIT_CR_WRITE] = handle_mov_cr,
	[EXIT_SKIP] = skip,
	[EXIT_TRIPLE_FAULT] = handle_triple_fault,
	[EXIT_ENTRY_FAILURE] = handle_entry_failure,
	[EXIT_UNHANDLED] = handle_unhandled,
};

/* KEEL_HC_STATS: the exits counted above under the names Linux KVM gives them. */
void arch_vcpu_stats(const struct vcpu *v, u64 *s)
{
	s[KEEL_STAT_EXITS] = 0;
	for (unsigned int k = 0; k < NR_EXIT_KINDS; k++)
		s[KEEL_STAT_EXITS] += v->exits[k];
	s[KEEL_STAT_IO_EXITS] = v->exits[EXIT_IO];
	s[KEEL_STAT_HALT_EXITS] = v->exits[EXIT_HLT];
	s[KEEL_STAT_IRQ_WINDOW_EXITS] = v->exits[EXIT_INTR_WINDOW];
	s[KEEL_STAT_NMI_WINDOW_EXITS] = v->exits[EXIT_NMI_WINDOW];
	s[KEEL_STAT_IRQ_EXITS] = v->exits[EXIT_EXTINT];
	s[KEEL_STAT_HYPERCALLS] = v->exits[EXIT_HYPERCALL];
	s[KEEL_STAT_IRQ_INJECTIONS] = v->arch.irq_injections;
	s[KEEL_STAT_NMI_INJECTIONS] = v->arch.nmi_injections;
	s[KEEL_STAT_RUN_NS] = tsc_to_ns(v->se.ran);
}

enum vcpu_action handle_exit(struct vcpu *v, struct vm_exit *e)
{
	unsigned int kind = e->kind;

	if (kind >= NR_EXIT_KINDS) {
		e->kind = EXIT_UNHANDLED;
		kind = EXIT_UNHANDLED;
	}
	kind = array_index_nospec(kind, NR_EXIT_KINDS);
	v->exits[kind]++;
	return handlers[kind](v, e);
}
