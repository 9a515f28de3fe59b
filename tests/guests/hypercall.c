// SPDX-License-Identifier: GPL-2.0
/*
 * hypercall: VMCALL (Intel) or VMMCALL (AMD, Hygon), picked by the CPUID
 * vendor as the other one raises #UD on that vendor. RAX = 0
 * (KEEL_HC_VERSION) returns the ABI version, at least 1; unknown numbers
 * return -ENOSYS (-38). Registers other than RAX must survive.
 */
#include "guest.h"

#define KEEL_HC_VERSION	0
#define ENOSYS		38

static bool amd_like;

static unsigned long hypercall(unsigned long nr, unsigned long *rbx)
{
	unsigned long ax = nr, bx = 0xB0B0B0B0CAFEF00DUL;

	if (amd_like)
		asm volatile(ASM_TRY_BEGIN "vmmcall" ASM_TRY_END
			     : "+a"(ax), "+b"(bx) : : "memory");
	else
		asm volatile(ASM_TRY_BEGIN "vmcall" ASM_TRY_END
			     : "+a"(ax), "+b"(bx) : : "memory");
	checkf(last_trap.vector == TRAP_NONE, "%s RAX=%#lx raised %s",
	       amd_like ? "VMMCALL" : "VMCALL", nr, vector_name(last_trap.vector));
	*rbx = bx;
	return ax;
}

void guest_main(void)
{
	static const unsigned long unknown[] = { 0xFFFFFFFFUL, 0x1000, 0x8000000000000000UL };
	struct cpuid_regs v = cpuid(0, 0);
	unsigned long ret, bx;

	amd_like = !memcmp(&v.ebx, "Auth", 4) || !memcmp(&v.ebx, "Hygo", 4);
	printf("using %s\n", amd_like ? "VMMCALL" : "VMCALL");
	ret = hypercall(KEEL_HC_VERSION, &bx);
	printf("ABI version %lu\n", ret);
	checkf(ret >= 1 && ret < 0x10000, "KEEL_HC_VERSION returned %#lx", ret);
	check_eq(bx, 0xB0B0B0B0CAFEF00DUL, "RBX across the hypercall");
	for (unsigned int i = 0; i < ARRAY_SIZE(unknown); i++) {
		ret = hypercall(unknown[i], &bx);
		checkf(ret == (unsigned long)-ENOSYS, "hypercall %#lx returned %#lx, expected -ENOSYS",
		       unknown[i], ret);
	}
}
