// SPDX-License-Identifier: GPL-2.0
/*
 * VMX set-up (SDM Vol. 3C chapters 24, 25 and appendix A): the controls and
 * fixed CR bits from the capability MSRs, VMXON on each CPU, and the VMCS
 * fields written once per VMCS or once per CPU it is loaded on.
 */
#include "asm/processor.h"
#include "asm/cpu.h"
#include "arch/x86/virt/cr.h"
#include "arch/x86/virt/guest_msr.h"
#include "arch/x86/virt/msr_filter.h"
#include "arch/x86/virt/vcpu.h"
#include "asm/msr.h"
#include "arch/x86/timer.h"
#include "arch/x86/vmx/vmx.h"
#include "kernel/errno.h"
#include "kernel/keel.h"
#include "kernel/mm.h"
#include "kernel/sched.h"
#include "kernel/string.h"

struct vmx_caps vmx_caps;
static u64 msr_bitmap_pa;
static u64 vmxon_pa[MAX_CPUS];

extern const u8 vmx_exit[];

/*
 * A control word the CPU allows: bits 31:0 of the capability MSR are the
 * allowed 0-settings (set: must be 1), bits 63:32 the allowed 1-settings
 * (A.3-A.5). The TRUE_ MSRs let default-1 controls be 0 (A.2).
 */
static bool adjust_controls(u32 msr, u32 true_msr, u32 required, u32 optional, u32 *out)
{
	u64 cap = rdmsr(vmx_caps.true_ctls && true_msr ? true_msr : msr);
	u32 may = cap >> 32;

	*out = ((required | optional) & may) | (u32)cap;
	return !(required & ~may);
}

/* NULL, or what the CPU lacks. */
static const char *setup_controls(void)
{
	u32 vpid = keel.cpu.ept.vpid ? CPU2_ENABLE_VPID : 0;

	if (!adjust_controls(MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS,
			     PIN_EXT_INTR_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS,
			     PIN_PREEMPTION_TIMER, &vmx_caps.pin))
		return "interrupt and NMI exiting with virtual NMIs";
	if (!adjust_controls(MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
			     CPU_INTR_WINDOW_EXITING | CPU_NMI_WINDOW_EXITING | CPU_HLT_EXITING |
			     CPU_TPR_SHADOW | CPU_USE_TSC_OFFSETTING |
			     CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS | CPU_SECONDARY_CONTROLS,
			     CPU_MWAIT_EXITING | CPU_MONITOR_EXITING, &vmx_caps.cpu))
		return "the primary processor-based controls Keel needs";
	if (!adjust_controls(MSR_IA32_VMX_PROCBASED_CTLS2, 0,
			     CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST,
			     vpid | CPU2_RDTSCP | CPU2_INVPCID | CPU2_WBINVD_EXITING, &vmx_caps.cpu2))
		return "EPT with unrestricted guest";
	if (!adjust_controls(MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS,
			     EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT |
			     EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER, EXIT_SAVE_DEBUG_CONTROLS,
			     &vmx_caps.exit))
		return "the VM-exit controls for EFER and PAT";
	if (!adjust_controls(MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS,
			     ENTRY_IA32E_MODE | ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER,
			     ENTRY_LOAD_DEBUG_CONTROLS, &vmx_caps.entry))
		return "the VM-entry controls for EFER and PAT";
	if (!keel.cpu.ept.pages_2m)
		return "2 MiB EPT pages";
	/*
	 * Per vCPU, as the guest asks: the interrupt and NMI windows and IA-32e
	 * mode. CR8 loads never exit: the TPR shadow and its threshold say when
	 * one matters (vmx_set_tpr_threshold()).
	 */
	vmx_caps.cpu &= ~(CPU_INTR_WINDOW_EXITING | CPU_NMI_WINDOW_EXITING | CPU_CR8_LOAD_EXITING);
	vmx_caps.entry &= ~ENTRY_IA32E_MODE;
	return NULL;
}

/*
 * With unrestricted guest, CR0.PE and PG are the guest's (27.3.1.1); the
 * other fixed bits (A.7, A.8) are Keel's, and so are CD and NW, which VM
 * entry leaves as the host has them (27.3.2.1). The guest sees its own
 * values of those through the read shadows.
 */
static void setup_fixed_bits(void)
{
	vmx_caps.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0) & ~(X86_CR0_PE | X86_CR0_PG);
	vmx_caps.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	vmx_caps.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	vmx_caps.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	vmx_caps.cr0_mask = vmx_caps.cr0_fixed0 | (~vmx_caps.cr0_fixed1 & 0xffffffffULL) | X86_CR0_CD | X86_CR0_NW;
	vmx_caps.cr4_mask = vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1 | CR4_GUEST_RESERVED |
			    cr4_xstate_reserved();
}

/*
 * The VMX-preemption timer (26.5.1) bounds a run without exits to one
 * scheduler slice: a backstop for external-interrupt exiting, which Bochs
 * 2.7 does not deliver while the guest runs with RFLAGS.IF = 0.
 */
static void setup_preemption_timer(void)
{
	unsigned int rate = rdmsr(MSR_IA32_VMX_MISC) & VMX_MISC_TIMER_RATE;
	u64 ticks = (tsc_khz * (SCHED_SLICE_NS / 1000000)) >> rate;

	vmx_caps.preempt_ticks = (u32)MIN(ticks, 0xffffffffULL);
}

/* One bit per MSR for reads and for writes, low and high ranges (25.6.9); set = exit. */
static void msr_bitmap_set(u8 *bm, u32 msr, bool read, bool write)
{
	u32 base = msr >= 0xc0000000 ? 1024 : 0, bit = msr & 0x1fff;
	u8 *r = &bm[base + bit / 8], *w = &bm[2048 + base + bit / 8];

	*r = (*r & ~(1 << (bit % 8))) | read << (bit % 8);
	*w = (*w & ~(1 << (bit % 8))) | write << (bit % 8);
}

/* A fresh bitmap: Keel's, with the passed-through accesses @f denies exiting. */
u64 vmx_msr_bitmap(const struct msr_filter *f)
{
	u64 pa = frame_alloc_keel(0);
	u8 *bm = (u8 *)(uintptr_t)pa;

	if (!pa)
		return 0;
	memcpy(bm, (void *)(uintptr_t)msr_bitmap_pa, PAGE_SIZE);
	for (unsigned int i = 0; i < NR_PASSTHROUGH_MSRS; i++) {
		u32 msr = guest_msr_number[i];

		msr_bitmap_set(bm, msr, msr_filter_denies(f, msr, false),
			       msr_filter_denies(f, msr, true));
	}
	return pa;
}

/* The MSR bitmap of the current VMCS: @bitmap, a VM's own since its filter, or Keel's (0). */
void vmx_write_msr_bitmap(u64 bitmap)
{
	vmcs_write(MSR_BITMAP, bitmap ?: msr_bitmap_pa);
}

static int vmx_global_init(void)
{
	u64 basic = rdmsr(MSR_IA32_VMX_BASIC);
	const char *why;

	vmx_caps.revision = basic & VMX_BASIC_REVISION_MASK;
	vmx_caps.true_ctls = basic & VMX_BASIC_TRUE_CTLS;
	vmx_caps.inout_info = basic & VMX_BASIC_INOUT_INFO;
	vmx_caps.invept_single = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP) & EPT_CAP_INVEPT_SINGLE;
	why = setup_controls();
	if (why) {
		pr_err("keel: vmx: the CPU lacks %s\n", why);
		return -ENODEV;
	}
	setup_fixed_bits();
	setup_preemption_timer();
	msr_bitmap_pa = frame_alloc_keel(0);
	if (!msr_bitmap_pa)
		return -ENOMEM;
	memset((void *)(uintptr_t)msr_bitmap_pa, 0xff, PAGE_SIZE);
	for (unsigned int i = 0; i < NR_PASSTHROUGH_MSRS; i++)
		msr_bitmap_set((u8 *)(uintptr_t)msr_bitmap_pa, guest_msr_number[i], false, false);
	return 0;
}

/*
 * VMXON (24.7): firmware must allow VMX outside SMX (locking the MSR if it
 * did not), CR0 and CR4 must obey the fixed bits (24.8), and the VMXON
 * region carries the VMCS revision.
 */
int vmx_cpu_enable(void)
{
	unsigned int cpu = this_cpu()->cpu;
	u64 fc;
	int r;

	if (!(cpuid(1).ecx & BIT(5)))
		return -ENODEV;
	if (cpu == 0) {
		r = vmx_global_init();
		if (r)
			return r;
	}
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCK))
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCK);
	else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
		return -ENODEV;
	write_cr0((read_cr0() | rdmsr(MSR_IA32_VMX_CR0_FIXED0)) & vmx_caps.cr0_fixed1);
	write_cr4(((read_cr4() | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1) | X86_CR4_VMXE);
	vmxon_pa[cpu] = frame_alloc_keel(0);
	if (!vmxon_pa[cpu])
		return -ENOMEM;
	*(u32 *)(uintptr_t)vmxon_pa[cpu] = vmx_caps.revision;
	return vmxon(vmxon_pa[cpu]) ? 0 : -EIO;
}

/* Controls and guest fields no op changes, written once (25.6-25.8, 27.3.1). */
void vmx_write_controls(struct vcpu *v, u64 vapic_pa)
{
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_caps.pin);
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx_caps.cpu2);
	vmcs_write(VM_EXIT_CONTROLS, vmx_caps.exit);
	/*
	 * #MC stays the host's; an intercepted #AC cannot loop in delivery
	 * (CVE-2015-5307); a /dev/kvm guest's #UD may be VMMCALL (exit.c).
	 */
	vmcs_write(EXCEPTION_BITMAP, BIT(18) | BIT(17) |
				     (v->vm->kind == VM_KIND_KVM ? BIT(X86_EXC_UD) : 0));
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO, 0);
	vmcs_write(IO_BITMAP_A, (u64)(uintptr_t)v->vm->arch.io_bitmap);
	vmcs_write(IO_BITMAP_B, (u64)(uintptr_t)v->vm->arch.io_bitmap + PAGE_SIZE);
	vmcs_write(MSR_BITMAP, msr_bitmap_pa);	/* a filter's comes with the first entry (vmx_run()) */
	vmcs_write(VIRTUAL_APIC_PAGE_ADDR, vapic_pa);
	vmcs_write(TPR_THRESHOLD, 0);
	vmcs_write(EPT_POINTER, vmx_eptp(v->vm));
	if (vmx_caps.cpu2 & CPU2_ENABLE_VPID)
		vmcs_write(VIRTUAL_PROCESSOR_ID, v->vm->arch.asid);
	vmcs_write(CR0_GUEST_HOST_MASK, vmx_caps.cr0_mask);
	vmcs_write(CR4_GUEST_HOST_MASK, vmx_caps.cr4_mask);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, 0);
	if (vmx_caps.pin & PIN_PREEMPTION_TIMER)
		vmcs_write(GUEST_PREEMPTION_TIMER, vmx_caps.preempt_ticks);	/* each entry starts it */
}

/* Host state every CPU shares (25.5, 27.2.3): Keel's selectors (asm/cpu.h), the exit label. */
void vmx_write_host_constants(void)
{
	vmcs_write(HOST_CS_SELECTOR, GDT_CS);
	vmcs_write(HOST_SS_SELECTOR, GDT_DS);
	vmcs_write(HOST_DS_SELECTOR, GDT_DS);
	vmcs_write(HOST_ES_SELECTOR, GDT_DS);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_TSS);
	vmcs_write(HOST_FS_BASE, 0);
	vmcs_write(HOST_IA32_SYSENTER_CS, 0);
	vmcs_write(HOST_IA32_SYSENTER_ESP, 0);
	vmcs_write(HOST_IA32_SYSENTER_EIP, 0);
	vmcs_write(HOST_RIP, (u64)(uintptr_t)vmx_exit);
}

/* This CPU's host state: its GS base is its per-CPU data, its own GDT and TSS. */
void vmx_write_host_state(struct percpu *pc)
{
	struct {
		u16 limit;
		u64 base;
	} __packed idtr;

	asm volatile("sidt %0" : "=m"(idtr));
	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CR3, read_cr3());
	vmcs_write(HOST_CR4, read_cr4());
	vmcs_write(HOST_GS_BASE, (u64)(uintptr_t)pc);
	vmcs_write(HOST_TR_BASE, (u64)(uintptr_t)&pc->arch.tss);
	vmcs_write(HOST_GDTR_BASE, (u64)(uintptr_t)pc->arch.gdt);
	vmcs_write(HOST_IDTR_BASE, idtr.base);
	vmcs_write(HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmcs_write(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
}
