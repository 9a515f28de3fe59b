// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs that KVM keeps for its guests in software and that a VMM saves and
 * restores, for /dev/kvm vCPUs: the MTRRs (SDM Vol. 3A 12.11) and the
 * machine-check registers (SDM Vol. 3B 16.3). QEMU offers both to every
 * guest whatever KVM_GET_SUPPORTED_CPUID says (old KVMs misreported them)
 * and writes them at each reset. Keel stores them: memory types come from
 * PAT and the host's tables, not from a guest's MTRRs, and no machine
 * check is ever reported, so the values only need to read back. Beside
 * them MSR_PLATFORM_INFO, which only the VMM writes and which the guest
 * reads unless the VMM hid it (KVM_CAP_MSR_PLATFORM_INFO); it starts at 0,
 * without the CPUID-faulting bit KVM sets, as Keel has no CPUID faulting.
 * And IA32_MISC_ENABLE (SDM Vol. 4 Table 2-2) as KVM keeps it: what the
 * guest may change it may set, and its MWAIT bit may show in CPUID; and
 * IA32_UCODE_REV, which only the VMM sets (KVM's feature MSR: QEMU gives
 * the guest a revision), a guest's write being ignored.
 */
#include "asm/msr.h"
#include "arch/x86/virt/vmm_exit.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/keel.h"
#include "kernel/vm.h"
#include "keel/hypercall.h"

#define MSR_MTRR_PHYS_FIRST 0x200		/* 8 pairs of base and mask */
#define MSR_MTRR_PHYS_LAST 0x20f
#define MSR_MTRR_FIX_64K 0x250
#define MSR_MTRR_FIX_16K_FIRST 0x258
#define MSR_MTRR_FIX_16K_LAST 0x259
#define MSR_MTRR_FIX_4K_FIRST 0x268
#define MSR_MTRR_FIX_4K_LAST 0x26f
#define MTRRCAP_KVM 0x508			/* KVM's: WC, fixed ranges, 8 variable ranges */
#define MSR_MCG_CAP 0x179
#define MSR_MCG_STATUS 0x17a
#define MSR_MCG_CTL 0x17b
#define MSR_MC0_CTL 0x400
#define MCG_CTL_P BIT(8)
#define PLATFORM_INFO_CPUID_FAULT BIT(31)
#define MISC_ENABLE_EMON BIT(7)			/* performance monitoring: read-only */
#define MISC_ENABLE_BTS_UNAVAIL BIT(11)
#define MISC_ENABLE_PEBS_UNAVAIL BIT(12)
#define UCODE_REV_KVM_INTEL 0x100000000ULL	/* KVM's for a new vCPU, by vendor */
#define UCODE_REV_KVM_AMD 0x01000065ULL

/* Where @msr is stored, or NULL. */
static u64 *slot(struct vmm_msrs *m, u32 msr)
{
	if (msr >= MSR_MTRR_PHYS_FIRST && msr <= MSR_MTRR_PHYS_LAST)
		return &m->mtrr_var[msr - MSR_MTRR_PHYS_FIRST];
	if (msr == MSR_MTRR_FIX_64K)
		return &m->mtrr_fixed[0];
	if (msr >= MSR_MTRR_FIX_16K_FIRST && msr <= MSR_MTRR_FIX_16K_LAST)
		return &m->mtrr_fixed[1 + msr - MSR_MTRR_FIX_16K_FIRST];
	if (msr >= MSR_MTRR_FIX_4K_FIRST && msr <= MSR_MTRR_FIX_4K_LAST)
		return &m->mtrr_fixed[3 + msr - MSR_MTRR_FIX_4K_FIRST];
	if (msr == MSR_MTRR_DEF_TYPE)
		return &m->mtrr_def;
	if (msr == MSR_MCG_STATUS)
		return &m->mcg_status;
	if (msr == MSR_IA32_MISC_ENABLE)
		return &m->misc_enable;
	if (msr == MSR_IA32_UCODE_REV)
		return &m->ucode_rev;
	if (msr == MSR_IA32_POWER_CTL)
		return &m->power_ctl;	/* any value, kept (KVM's msr_ia32_power_ctl) */
	if (msr == MSR_MCG_CTL)
		return &m->mcg_ctl;
	if (msr >= MSR_MC0_CTL && msr < MSR_MC0_CTL + 4 * VMM_MCE_BANKS)
		return &m->mce_banks[msr - MSR_MC0_CTL];
	return NULL;
}

int vmm_msr_read(struct vcpu *v, u32 msr, u64 *val, bool host)
{
	u64 *p = slot(&v->arch.vmm.msrs, msr);

	if (msr == MSR_PLATFORM_INFO) {
		if (!host && v->vm->arch.platform_info_hidden)
			return -EPERM;
		*val = v->arch.vmm.platform_info;
		return 0;
	}
	if (msr == MSR_MTRRCAP) {
		*val = MTRRCAP_KVM;
		return 0;
	}
	if (msr == MSR_MCG_CAP) {
		*val = VMM_MCE_BANKS | MCG_CTL_P;
		return 0;
	}
	if (!p)
		return -ENOENT;
	*val = *p;
	return 0;
}

/*
 * The guest may not change the "unavailable" bits (#GP) and its writes leave
 * EMON alone; a change of the MWAIT bit, where CPUID follows it, needs SSE3
 * in CPUID (KVM's kvm_set_msr_common()).
 */
static int write_misc_enable(struct vcpu *v, u64 val, bool host)
{
	u64 old = v->arch.vmm.msrs.misc_enable;

	if (!host) {
		if ((old ^ val) & (MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL))
			return -EPERM;
		val = (val & ~MISC_ENABLE_EMON) | (old & MISC_ENABLE_EMON);
	}
	if ((v->vm->arch.quirks_off & KEEL_QUIRK_MISC_ENABLE_NO_MWAIT) &&
	    ((old ^ val) & MISC_ENABLE_MWAIT) && !vmm_cpuid_has(v, CPUID1_ECX_SSE3))
		return -EPERM;
	v->arch.vmm.msrs.misc_enable = val;
	return 0;
}

/* KVM's values for a new vCPU: no branch trace store, no PEBS; its microcode revision. */
void vmm_msr_vcpu_init(struct vcpu *v)
{
	v->arch.vmm.msrs.misc_enable = MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL;
	v->arch.vmm.msrs.ucode_rev =
		keel.cpu.vendor == VENDOR_AMD ? UCODE_REV_KVM_AMD : UCODE_REV_KVM_INTEL;
}

/* The capability registers are read-only (#GP), as on hardware. */
int vmm_msr_write(struct vcpu *v, u32 msr, u64 val, bool host)
{
	u64 *p = slot(&v->arch.vmm.msrs, msr);

	if (msr == MSR_PLATFORM_INFO) {
		if (!host || (val & PLATFORM_INFO_CPUID_FAULT))
			return -EPERM;
		v->arch.vmm.platform_info = val;
		return 0;
	}
	if (msr == MSR_MTRRCAP || msr == MSR_MCG_CAP)
		return -EPERM;
	if (msr == MSR_IA32_MISC_ENABLE)
		return write_misc_enable(v, val, host);
	if (msr == MSR_IA32_UCODE_REV && !host)
		return 0;
	if (!p)
		return -ENOENT;
	*p = val;
	return 0;
}

/* KEEL_HC_ENABLE_CAP: which capability is the VM's and which a vCPU's, as in KVM. */
int arch_enable_cap(struct vm *vm, struct vcpu *v, u64 cap, u64 val)
{
	if (cap == KEEL_CAP_PLATFORM_INFO && !v) {
		vm->arch.platform_info_hidden = !val;
		return 0;
	}
	if (cap == KEEL_CAP_ENFORCE_PV_CPUID && v) {
		v->arch.vmm.enforce_pv = val;
		return 0;
	}
	if (cap == KEEL_CAP_QUIRKS && !v) {
		vm->arch.quirks_off = val;
		return 0;
	}
	if (cap == KEEL_CAP_USER_MSR && !v) {
		vm->arch.user_msr = (u8)val;
		return 0;
	}
	return -EINVAL;
}
