// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid32 / cpuid64: what CPUID shows a boot-time VM (docs/boot-vms.md, CPU):
 * the host's leaves with the hypervisor bit set, VMX and SVM hidden, and
 * Keel's leaf 0x40000000.
 */
#include "guest.h"
#include "keel/hypercall.h"

#define CPUID1_ECX_VMX		(1u << 5)
#define CPUID1_ECX_HYPERVISOR	(1u << 31)
#define CPUID81_ECX_SVM		(1u << 2)
#define CPUID81_EDX_LM		(1u << 29)

static bool printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7E)
			return false;
	return true;
}

static void check_vendor(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	char v[13];

	memcpy(v, &r.ebx, 4);
	memcpy(v + 4, &r.edx, 4);
	memcpy(v + 8, &r.ecx, 4);
	v[12] = 0;
	printf("vendor \"%s\", max basic leaf %#x\n", v, r.eax);
	check(printable(v, 12), "leaf 0: vendor string is printable ASCII");
	checkf(r.eax >= 1 && r.eax < 0x100, "leaf 0: max basic leaf %#x not in 1..0xff", r.eax);
}

static void check_features(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	u32 max_ext = cpuid(0x80000000, 0).eax;

	printf("leaf 1: ecx %#x edx %#x; max extended leaf %#x\n", r.ecx, r.edx, max_ext);
	check(r.ecx & CPUID1_ECX_HYPERVISOR, "leaf 1: hypervisor bit (ECX bit 31) set");
	check(!(r.ecx & CPUID1_ECX_VMX), "leaf 1: VMX (ECX bit 5) hidden");
	check(!(r.edx & (1u << 7 | 1u << 14)), "leaf 1: MCE and MCA (EDX bits 7, 14) hidden");
	checkf(max_ext >= 0x80000001 && max_ext < 0x80000100,
	       "max extended leaf %#x not in 0x80000001..0x800000ff", max_ext);
	r = cpuid(0x80000001, 0);
	check(!(r.ecx & CPUID81_ECX_SVM), "leaf 0x80000001: SVM (ECX bit 2) hidden");
	if (sizeof(long) == 8)
		check(r.edx & CPUID81_EDX_LM, "leaf 0x80000001: long mode (EDX bit 29) set");
}

static void check_hypervisor_leaf(void)
{
	struct cpuid_regs r = cpuid(KEEL_CPUID_LEAF_SIGNATURE, 0);
	char sig[13];

	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	printf("leaf 0x40000000: eax %#x signature \"%s\"\n", r.eax,
	       printable(sig, 12) ? sig : "(not printable)");
	check_eq(r.eax, KEEL_CPUID_LEAF_MAX, "leaf 0x40000000: EAX (max hypervisor leaf)");
	check(r.ebx == KEEL_CPUID_SIGNATURE && r.ecx == KEEL_CPUID_SIGNATURE &&
	      r.edx == KEEL_CPUID_SIGNATURE, "leaf 0x40000000: signature KeelKeelKeel");
	/* Keel's reservation: at least 16 MiB, 2 MiB-aligned (docs/control-guest.md) */
	r = cpuid(KEEL_CPUID_LEAF_RESERVED, 0);
	check(r.ecx >= (16u << 20) || r.edx, "leaf 0x40000002: reservation size at least 16 MiB");
	check(!(r.eax & 0x1fffff), "leaf 0x40000002: reservation base 2 MiB-aligned");
}

void guest_main(void)
{
	check_vendor();
	check_features();
	check_hypervisor_leaf();
}
