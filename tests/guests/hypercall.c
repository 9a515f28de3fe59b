// SPDX-License-Identifier: GPL-2.0
/*
 * hypercall: VMCALL (Intel) or VMMCALL (AMD, Hygon), picked by the CPUID
 * vendor as the other one raises #UD on that vendor (guest-abi/keel/hypercall.h
 * is the ABI). KEEL_HC_VERSION returns KEEL_ABI_VERSION; unknown numbers
 * return -ENOSYS; KEEL_HC_GET_INFO, a management call, returns -EPERM to a
 * boot-time VM and writes nothing. Registers other than RAX must survive.
 */
#include "guest.h"
#include "keel/hypercall.h"

/* The argument registers and RDI, each with a value the call must leave alone. */
struct hc_regs {
	unsigned long ax, bx, cx, dx, si, di;
};

static bool amd_like;
static struct keel_hv_info info_buf;

static unsigned long hypercall(unsigned long nr, unsigned long bx, unsigned long cx)
{
	const struct hc_regs want = { nr, bx, cx, 0, 0, 0xD1D1D1D1D1D1D1D1UL };
	struct hc_regs r = want;

	if (amd_like)
		asm volatile(ASM_TRY_BEGIN "vmmcall" ASM_TRY_END
			     : "+a"(r.ax), "+b"(r.bx), "+c"(r.cx), "+d"(r.dx), "+S"(r.si), "+D"(r.di)
			     : : "memory");
	else
		asm volatile(ASM_TRY_BEGIN "vmcall" ASM_TRY_END
			     : "+a"(r.ax), "+b"(r.bx), "+c"(r.cx), "+d"(r.dx), "+S"(r.si), "+D"(r.di)
			     : : "memory");
	checkf(last_trap.vector == TRAP_NONE, "%s RAX=%#lx raised %s",
	       amd_like ? "VMMCALL" : "VMCALL", nr, vector_name(last_trap.vector));
	checkf(r.bx == want.bx && r.cx == want.cx && r.dx == want.dx && r.si == want.si &&
	       r.di == want.di, "hypercall %#lx changed RBX/RCX/RDX/RSI/RDI", nr);
	return r.ax;
}

static void check_get_info_refused(void)
{
	const u8 *p = (const u8 *)&info_buf;
	unsigned long ret;
	unsigned int i;

	memset(&info_buf, 0x5a, sizeof(info_buf));
	ret = hypercall(KEEL_HC_GET_INFO, (unsigned long)&info_buf, sizeof(info_buf));
	checkf(ret == (unsigned long)-KEEL_EPERM, "KEEL_HC_GET_INFO from a boot VM returned %#lx, expected -EPERM",
	       ret);
	for (i = 0; i < sizeof(info_buf) && p[i] == 0x5a; i++)
		;
	check_eq(i, sizeof(info_buf), "bytes of the buffer KEEL_HC_GET_INFO left alone");
}

void guest_main(void)
{
	static const unsigned long unknown[] = { KEEL_NR_HYPERCALLS, 0xFFFFFFFFUL, 0x1000,
						 0x100000000UL, 0x8000000000000000UL };
	struct cpuid_regs v = cpuid(0, 0);
	unsigned long ret;

	amd_like = !memcmp(&v.ebx, "Auth", 4) || !memcmp(&v.ebx, "Hygo", 4);
	printf("using %s\n", amd_like ? "VMMCALL" : "VMCALL");
	ret = hypercall(KEEL_HC_VERSION, 0xB0B0B0B0CAFEF00DUL, 0xC0C0C0C0C0C0C0C0UL);
	printf("ABI version %lu\n", ret);
	check_eq(ret, KEEL_ABI_VERSION, "KEEL_HC_VERSION");
	check_eq(cpuid(KEEL_CPUID_LEAF_ABI, 0).eax, KEEL_ABI_VERSION, "CPUID 0x40000001 EAX (ABI version)");
	for (unsigned int i = 0; i < ARRAY_SIZE(unknown); i++) {
		ret = hypercall(unknown[i], 0, 0);
		checkf(ret == (unsigned long)-KEEL_ENOSYS, "hypercall %#lx returned %#lx, expected -ENOSYS",
		       unknown[i], ret);
	}
	check_get_info_refused();
}
