// SPDX-License-Identifier: GPL-2.0
/*
 * What a /dev/kvm guest's CPUID and RDMSR/WRMSR see when its VMM sets or
 * reads them: the table KVM_SET_CPUID2 gave (api.rst 4.20), the MSRs KVM's
 * KVM_GET_MSR_INDEX_LIST would name for what Keel switches.
 */
#include "asm/msr.h"
#include "asm/processor-flags.h"
#include "arch/x86/irqchip/irqchip.h"
#include "arch/x86/virt/exit.h"
#include "arch/x86/virt/vcpu.h"
#include "arch/x86/virt/vmm_exit.h"
#include "kernel/errno.h"
#include "kernel/keel.h"
#include "arch/x86/virt/kvmclock.h"
#include "kernel/mm.h"
#include "kernel/string.h"
#include "keel/hypercall.h"

/* The guest MSRs the hardware or Keel switches per vCPU, which a VMM saves and restores. */
static const u32 vmm_msrs[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_STAR,
	MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_KERNEL_GS_BASE, MSR_IA32_PAT, MSR_TSC_AUX,
	MSR_IA32_TSC, MSR_IA32_TSC_ADJUST, MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_WALL_CLOCK_NEW,
	MSR_KVM_SYSTEM_TIME, MSR_KVM_WALL_CLOCK, MSR_IA32_TSC_DEADLINE, MSR_PLATFORM_INFO,
	MSR_KVM_STEAL_TIME, MSR_IA32_MISC_ENABLE, MSR_IA32_UCODE_REV, MSR_IA32_POWER_CTL,
};

u32 arch_vmm_msr_list(u32 *out, u32 max)
{
	u32 n = 0;

	for (u32 i = 0; i < ARRAY_SIZE(vmm_msrs); i++) {
		if (vmm_msrs[i] == MSR_TSC_AUX && !keel.cpu.rdtscp)
			continue;
		if (n < max)
			out[n] = vmm_msrs[i];
		n++;
	}
	return n;
}

int arch_vcpu_msr(struct vcpu *v, u32 index, u64 *data, bool set)
{
	return set ? vcpu_write_msr(v, index, *data, true) : vcpu_read_msr(v, index, data, true);
}

void arch_vcpu_set_cpuid(struct vcpu *v, struct keel_cpuid_entry *e, u32 n)
{
	kfree(v->arch.vmm.cpuid);
	v->arch.vmm.cpuid = e;
	v->arch.vmm.nr_cpuid = n;
}

static const struct keel_cpuid_entry *find_entry(const struct vmm_io *io, u32 leaf, u32 subleaf)
{
	const struct keel_cpuid_entry *c = io->cpuid, *end = c + io->nr_cpuid;

	for (; c < end; c++)
		if (c->function == leaf &&
		    (!(c->flags & KEEL_CPUID_SIGNIFICANT_INDEX) || c->index == subleaf))
			return c;
	return NULL;
}

#define KVM_SIGNATURE_EBX 0x4b4d564b	/* "KVMKVMKVM\0\0\0" */
#define KVM_SIGNATURE_ECX 0x564b4d56
#define KVM_SIGNATURE_EDX 0x0000004d

/*
 * EAX of the KVM features leaf that follows the first "KVMKVMKVM" leaf in
 * 0x40000000-0x4000ff00 of the VMM's table, 0 without one (KVM's
 * kvm_find_kvm_cpuid_features()).
 */
u32 vmm_kvm_features(const struct vcpu *v)
{
	for (u32 base = 0x40000000; base < 0x40010000; base += 0x100) {
		const struct keel_cpuid_entry *e = find_entry(&v->arch.vmm, base, 0);

		if (e && e->ebx == KVM_SIGNATURE_EBX && e->ecx == KVM_SIGNATURE_ECX &&
		    e->edx == KVM_SIGNATURE_EDX) {
			e = find_entry(&v->arch.vmm, base + 1, 0);
			return e ? e->eax : 0;
		}
	}
	return 0;
}

bool vmm_pv_has(const struct vcpu *v, unsigned int feature)
{
	return !v->arch.vmm.enforce_pv || (vmm_kvm_features(v) & BIT(feature));
}

/*
 * Entry @e of the VMM's table as the guest reads it now: the bits KVM keeps
 * current follow the vCPU (kvm_update_cpuid_runtime()): OSXSAVE and leaf
 * 0xD's sizes as for every guest (cpuid_runtime()), APIC with
 * IA32_APIC_BASE's enable, MONITOR with IA32_MISC_ENABLE where that quirk
 * is off.
 */
static void entry_now(struct vcpu *v, const struct keel_cpuid_entry *e, u32 out[4])
{
	out[0] = e->eax;
	out[1] = e->ebx;
	out[2] = e->ecx;
	out[3] = e->edx;
	cpuid_runtime(v, e->function, e->index, out);
	if (e->function != 1)
		return;
	out[3] = (out[3] & ~CPUID1_EDX_APIC) |
		 (irqchip_apic_base(v) & APIC_BASE_EN ? CPUID1_EDX_APIC : 0);
	if (v->vm->arch.quirks_off & KEEL_QUIRK_MISC_ENABLE_NO_MWAIT)	/* see keel/hypercall.h */
		out[2] = (out[2] & ~CPUID1_ECX_MONITOR) |
			 (v->arch.vmm.msrs.misc_enable & MISC_ENABLE_MWAIT ? CPUID1_ECX_MONITOR : 0);
}

/* The VMM's entry for @leaf (@subleaf where it matters) as the guest reads it, or zeros. */
void vmm_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, u32 out[4])
{
	const struct keel_cpuid_entry *e = find_entry(&v->arch.vmm, leaf, subleaf);

	if (e)
		entry_now(v, e, out);
	else
		out[0] = out[1] = out[2] = out[3] = 0;
}

/* KVM's kvm_cpuid_check_equal(): the same leaves in the same order, reading the same now. */
bool arch_vcpu_cpuid_same(struct vcpu *v, const struct keel_cpuid_entry *e, u32 n)
{
	const struct keel_cpuid_entry *cur = v->arch.vmm.cpuid;
	u32 a[4], b[4];

	if (n != v->arch.vmm.nr_cpuid)
		return false;
	for (u32 i = 0; i < n; i++) {
		entry_now(v, &e[i], a);
		entry_now(v, &cur[i], b);
		if (e[i].function != cur[i].function || e[i].index != cur[i].index ||
		    e[i].flags != cur[i].flags || memcmp(a, b, sizeof(a)))
			return false;
	}
	return true;
}

int arch_vcpu_get_cpuid(struct vcpu *v, struct keel_cpuid_entry *out, u32 max)
{
	u32 n = v->arch.vmm.nr_cpuid, r[4];

	if (n > max)
		return -E2BIG;
	for (u32 i = 0; i < n; i++) {
		out[i] = v->arch.vmm.cpuid[i];
		entry_now(v, &out[i], r);
		out[i].eax = r[0];
		out[i].ebx = r[1];
		out[i].ecx = r[2];
		out[i].edx = r[3];
	}
	return (int)n;
}

/* The XSAVE components of Keel's that the VMM's CPUID 0xD.0 names (KVM's guest_supported_xcr0). */
u64 vmm_supported_xcr0(struct vcpu *v)
{
	u32 out[4];

	vmm_cpuid(v, 0xd, 0, out);
	return (out[0] | ((u64)out[3] << 32)) & keel.cpu.xcr0;
}

bool vmm_cpuid_has(struct vcpu *v, u32 bit)
{
	u32 out[4];

	vmm_cpuid(v, 1, 0, out);
	return out[2] & bit;
}

/*
 * A supervisor read's translation, as KVM_TRANSLATE reports it; a table in
 * a slot page not mapped yet is named in v->run (-EAGAIN) for the module
 * to map, as KVM would read it from the VMM's memory.
 */
int arch_vcpu_translate(struct vcpu *v, u64 gva, u64 *gpa)
{
	struct x86_exception exc;
	int r = vcpu_gva_to_gpa(v, gva, false, gpa, &exc);

	if (r == X86_EMU_RETRY)
		return -EAGAIN;
	return r ? -EFAULT : 0;
}
