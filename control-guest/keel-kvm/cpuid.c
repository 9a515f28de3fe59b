// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kvm's lists: the CPUID a VM can be given (KVM_GET_SUPPORTED_CPUID,
 * api.rst 4.46) and the MSRs a VMM saves (KVM_GET_MSR_INDEX_LIST, 4.3).
 * This kernel's own CPUID is what Keel lets a guest see on this machine
 * (its policy runs on every CPUID here), so it is the supported set, less
 * Keel's own leaves, what needs an in-kernel irqchip, not offered yet, and
 * machine checks and MTRRs, which Keel does not emulate.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/kvm_para.h>
#include <asm/processor.h>

#include "keel_kvm.h"

#define CPUID1_ECX_X2APIC BIT(21)		/* the in-kernel LAPIC has the mode */
#define CPUID1_ECX_TSC_DEADLINE BIT(24)	/* KVM_CAP_TSC_DEADLINE_TIMER's, not CPUID's */
/*
 * Machine checks and MTRRs: Keel emulates neither for its guests, and a
 * VMM that sees them offered saves and restores their MSRs.
 */
#define CPUID1_EDX_MCE BIT(7)
#define CPUID1_EDX_MTRR BIT(12)
#define CPUID1_EDX_MCA BIT(14)
#define MAX_SUBLEAVES 64

static u32 msr_list[32];
static u32 nr_msrs;

/* Leaves whose ECX input selects a subleaf (SDM Vol. 2A CPUID; APM Vol. 3 E.3). */
static bool indexed(u32 leaf)
{
	switch (leaf) {
	case 4: case 7: case 0xb: case 0xd: case 0xf: case 0x10: case 0x12: case 0x14:
	case 0x17: case 0x18: case 0x1d: case 0x1e: case 0x1f: case 0x8000001d: case 0x80000020:
		return true;
	default:
		return false;
	}
}

/*
 * Leaf 0xD's sizes for every component offered, not this kernel's XCR0:
 * subleaf 0 EBX as ECX, subleaf 1 EBX only with XSAVEC or XSAVES (KVM's
 * __do_cpuid_func()). Keel gives its components the same size in both forms.
 */
static void xstate_sizes(struct kvm_cpuid_entry2 *e, u32 subleaf)
{
	u32 all = cpuid_ecx(0xd);

	if (subleaf == 0)
		e->ebx = all;
	else
		e->ebx = e->eax & (CPUID_D1_EAX_XSAVEC | CPUID_D1_EAX_XSAVES) ? all : 0;
}

static void fill(struct kvm_cpuid_entry2 *e, u32 leaf, u32 subleaf)
{
	*e = (struct kvm_cpuid_entry2){ .function = leaf, .index = subleaf };
	cpuid_count(leaf, subleaf, &e->eax, &e->ebx, &e->ecx, &e->edx);
	if (indexed(leaf))
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	if (leaf == 1) {
		/* as KVM: x2APIC is emulated, TSC-deadline is KVM_CAP_TSC_DEADLINE_TIMER's */
		e->ecx |= CPUID1_ECX_X2APIC;
		e->ecx &= ~(CPUID1_ECX_TSC_DEADLINE | CPUID1_ECX_OSXSAVE);
		e->edx &= ~(CPUID1_EDX_MCE | CPUID1_EDX_MTRR | CPUID1_EDX_MCA);
	}
	if (leaf == 0xd && subleaf < 2)
		xstate_sizes(e, subleaf);
}

/* An indexed leaf's subleaves up to the last that says anything (all zero ends it). */
static int add_leaf(struct kvm_cpuid_entry2 *e, u32 n, u32 max, u32 leaf)
{
	for (u32 sub = 0; sub < MAX_SUBLEAVES; sub++) {
		if (n >= max)
			return -E2BIG;
		fill(&e[n], leaf, sub);
		if (sub && !(e[n].eax | e[n].ebx | e[n].ecx | e[n].edx))
			break;
		n++;
		if (!indexed(leaf))
			break;
	}
	return n;
}

/* Basic leaves 0..max, then extended ones 0x80000000..max; -E2BIG beyond @max entries. */
static int collect(struct kvm_cpuid_entry2 *e, u32 max)
{
	u32 ranges[2] = { 0, 0x80000000 };
	int n = 0;

	for (int r = 0; r < 2; r++) {
		u32 last = cpuid_eax(ranges[r]);

		for (u32 leaf = ranges[r]; leaf <= last && n >= 0; leaf++)
			n = add_leaf(e, n, max, leaf);
	}
	return n;
}

/*
 * KVM's paravirtual leaves (Documentation/virt/kvm/x86/cpuid.rst), with
 * only the features Keel implements: kvmclock's MSRs and its stable bit,
 * and steal time where this kernel counts its threads' run_delay.
 */
static int add_kvm_leaves(struct kvm_cpuid_entry2 *e, u32 n, u32 max)
{
	static const char sig[12] = "KVMKVMKVM\0\0\0";

	if (n + 2 > max)
		return -E2BIG;
	e[n] = (struct kvm_cpuid_entry2){ .function = KVM_CPUID_SIGNATURE,
					  .eax = KVM_CPUID_FEATURES };
	memcpy(&e[n].ebx, sig, 4);
	memcpy(&e[n].ecx, sig + 4, 4);
	memcpy(&e[n].edx, sig + 8, 4);
	e[n + 1] = (struct kvm_cpuid_entry2){ .function = KVM_CPUID_FEATURES,
		.eax = BIT(KVM_FEATURE_CLOCKSOURCE2) | BIT(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT) |
		       (IS_ENABLED(CONFIG_SCHED_INFO) ? BIT(KVM_FEATURE_STEAL_TIME) : 0) };
	return n + 2;
}

/* -E2BIG if nent is too small, nent left as it was (KVM's kvm_dev_ioctl_get_cpuid()). */
long keel_get_supported_cpuid(void __user *argp)
{
	struct kvm_cpuid2 __user *user = argp;
	struct kvm_cpuid2 cpuid;
	struct kvm_cpuid_entry2 *e;
	int n;

	if (copy_from_user(&cpuid, user, sizeof(cpuid)))
		return -EFAULT;
	if (cpuid.nent < 1)
		return -E2BIG;
	cpuid.nent = min_t(u32, cpuid.nent, KEEL_MAX_CPUID_ENTRIES);
	e = kvcalloc(cpuid.nent, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	n = collect(e, cpuid.nent);
	if (n >= 0)
		n = add_kvm_leaves(e, n, cpuid.nent);
	if (n >= 0 && copy_to_user(user->entries, e, n * sizeof(*e)))
		n = -EFAULT;
	kvfree(e);
	if (n < 0)
		return n;
	cpuid.nent = n;
	return copy_to_user(user, &cpuid, sizeof(cpuid)) ? -EFAULT : 0;
}

/* Keel's list, once: its length and entries are checked before they are believed. */
int keel_msr_list_init(void)
{
	u32 *buf = kcalloc(ARRAY_SIZE(msr_list), sizeof(u32), GFP_KERNEL);
	long ret;

	if (!buf)
		return -ENOMEM;
	ret = keel_hypercall(KEEL_HC_MSR_LIST, virt_to_phys(buf), ARRAY_SIZE(msr_list), 0, 0);
	if (ret >= 0 && ret <= ARRAY_SIZE(msr_list)) {
		memcpy(msr_list, buf, ret * sizeof(u32));
		nr_msrs = ret;
	}
	kfree(buf);
	return ret < 0 || ret > ARRAY_SIZE(msr_list) ? -EPROTO : 0;
}

/*
 * The feature MSRs (api.rst 4.3, 4.18): the microcode revision, which KVM
 * lists for a VMM to give its guests one, read as the control guest reads it
 * (Keel gives it the CPU's). KVM also lists ARCH_CAPABILITIES,
 * PERF_CAPABILITIES and AMD's DE_CFG, which Keel's guests do not have.
 */
static const u32 feature_msrs[] = { MSR_IA32_UCODE_REV };

/*
 * KVM_GET_MSR_INDEX_LIST and KVM_GET_MSR_FEATURE_INDEX_LIST: nmsrs is
 * written back even when it is too small (-E2BIG), as KVM does.
 */
long keel_get_msr_index_list(void __user *argp, bool features)
{
	struct kvm_msr_list __user *user = argp;
	const u32 *msrs = features ? feature_msrs : msr_list;
	u32 n = features ? ARRAY_SIZE(feature_msrs) : nr_msrs, asked;
	struct kvm_msr_list list;

	if (copy_from_user(&list, user, sizeof(list)))
		return -EFAULT;
	asked = list.nmsrs;
	list.nmsrs = n;
	if (copy_to_user(user, &list, sizeof(list)))
		return -EFAULT;
	if (asked < n)
		return -E2BIG;
	return copy_to_user(user->indices, msrs, n * sizeof(u32)) ? -EFAULT : 0;
}

static bool is_feature_msr(u32 index)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(feature_msrs); i++)
		if (feature_msrs[i] == index)
			return true;
	return false;
}

/*
 * KVM_GET_MSRS on /dev/kvm: the feature MSRs in order, up to the first that
 * is not one, whose data is cleared (KVM's do_get_msr_feature()).
 */
long keel_get_feature_msrs(void __user *argp)
{
	struct kvm_msrs __user *user = argp;
	struct kvm_msr_entry e;
	struct kvm_msrs msrs;
	bool feature;
	u32 i;

	if (copy_from_user(&msrs, user, sizeof(msrs)))
		return -EFAULT;
	if (msrs.nmsrs >= KEEL_MAX_MSR_ENTRIES)
		return -E2BIG;
	for (i = 0; i < msrs.nmsrs; i++) {
		if (copy_from_user(&e, &user->entries[i], sizeof(e)))
			return -EFAULT;
		feature = is_feature_msr(e.index);
		if (!feature || rdmsrl_safe(e.index, &e.data))
			e.data = 0;	/* KVM's own read of the revision may fail too */
		if (copy_to_user(&user->entries[i], &e, sizeof(e)))
			return -EFAULT;
		if (!feature)
			break;
	}
	return i;
}
