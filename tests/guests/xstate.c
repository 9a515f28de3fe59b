// SPDX-License-Identifier: GPL-2.0
/*
 * xstate_a, xstate_b (64-bit): XSAVE state as a boot-time VM sees it.
 * CPUID offers XSAVE and AVX, OSXSAVE follows CR4 and leaf 0xD's EBX
 * follows XCR0; XSETBV raises #UD and #GP where the SDM says (Vol. 2C
 * XSETBV); and the AVX state is the VM's own: each VM fills YMM0-15 with a
 * pattern of its own (its command line's hash) and reads it back for 10^9
 * TSC cycles while the other VMs of the boot share its CPUs. Only VEX
 * instructions touch the registers, so CR4.OSFXSR does not matter.
 */
#include "guest.h"

#define CPUID1_ECX_XSAVE	(1u << 26)
#define CPUID1_ECX_OSXSAVE	(1u << 27)
#define CPUID1_ECX_AVX		(1u << 28)
#define CR4_OSXSAVE		(1ul << 18)
#define XCR0_X87_SSE_AVX	7
#define XSAVE_XSTATE_BV		512
#define XSAVE_YMM_HI		576
#define SPIN_CYCLES		1000000000ULL

static u64 pattern[16][4] __aligned(32);
static u64 seen[16][4] __aligned(32);
static u8 area[1024] __aligned(64);

static unsigned long xsetbv_safe(u32 index, u64 val)
{
	asm volatile(ASM_TRY_BEGIN "xsetbv" ASM_TRY_END
		     : : "a"((u32)val), "d"((u32)(val >> 32)), "c"(index) : "memory");
	return last_trap.vector;
}

static u64 xgetbv0(void)
{
	u32 lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (u64)hi << 32 | lo;
}

#define YMM(n) "vmovdqu " #n "*32(%0), %%ymm" #n "\n\t"
#define YMM_OUT(n) "vmovdqu %%ymm" #n ", " #n "*32(%0)\n\t"

static void load_ymm(void)
{
	asm volatile(YMM(0) YMM(1) YMM(2) YMM(3) YMM(4) YMM(5) YMM(6) YMM(7)
		     YMM(8) YMM(9) YMM(10) YMM(11) YMM(12) YMM(13) YMM(14) YMM(15)
		     : : "r"(pattern) : "memory");
}

static void store_ymm(void)
{
	asm volatile(YMM_OUT(0) YMM_OUT(1) YMM_OUT(2) YMM_OUT(3) YMM_OUT(4) YMM_OUT(5)
		     YMM_OUT(6) YMM_OUT(7) YMM_OUT(8) YMM_OUT(9) YMM_OUT(10) YMM_OUT(11)
		     YMM_OUT(12) YMM_OUT(13) YMM_OUT(14) YMM_OUT(15)
		     : : "r"(seen) : "memory");
}

/* Before XSAVE is on: what CPUID shows and XSETBV's #UD. */
static void check_offered(void)
{
	struct cpuid_regs r = cpuid(1, 0);

	check(r.ecx & CPUID1_ECX_XSAVE, "leaf 1: XSAVE offered");
	check(r.ecx & CPUID1_ECX_AVX, "leaf 1: AVX offered");
	check(!(r.ecx & CPUID1_ECX_OSXSAVE), "leaf 1: OSXSAVE clear with CR4.OSXSAVE clear");
	check_eq(xsetbv_safe(0, XCR0_X87_SSE_AVX), UD_VECTOR, "XSETBV with CR4.OSXSAVE clear: #UD");
	r = cpuid(0xd, 0);
	check_eq(r.eax, XCR0_X87_SSE_AVX, "leaf 0xD.0 EAX: x87, SSE and AVX");
	check_eq(r.ecx, 832, "leaf 0xD.0 ECX: 832 bytes for all of them");
}

static void check_xsetbv(void)
{
	asm volatile("mov %0, %%cr4" : : "r"(read_cr4() | CR4_OSXSAVE) : "memory");
	check(cpuid(1, 0).ecx & CPUID1_ECX_OSXSAVE, "leaf 1: OSXSAVE follows CR4");
	check_eq(xgetbv0(), 1, "XCR0 after reset: 1 (x87)");
	check_eq(cpuid(0xd, 0).ebx, 576, "leaf 0xD.0 EBX with XCR0 1: 576");
	check_eq(xsetbv_safe(1, 1), GP_VECTOR, "XSETBV of XCR1: #GP");
	check_eq(xsetbv_safe(0, 0), GP_VECTOR, "XSETBV of XCR0 0 (x87 off): #GP");
	check_eq(xsetbv_safe(0, 5), GP_VECTOR, "XSETBV of AVX without SSE: #GP");
	check_eq(xsetbv_safe(0, XCR0_X87_SSE_AVX), TRAP_NONE, "XSETBV of x87|SSE|AVX");
	check_eq(xgetbv0(), XCR0_X87_SSE_AVX, "XGETBV reads 7");
	check_eq(cpuid(0xd, 0).ebx, 832, "leaf 0xD.0 EBX with XCR0 7: 832");
}

/* Every YMM register as loaded, for SPIN_CYCLES; then XSAVE's image of YMM0's upper half. */
static void check_own_state(void)
{
	const char *c = cmdline();
	u64 seed = 0xcbf29ce484222325ULL, rounds = 0, start;
	bool same = true;

	while (*c)
		seed = (seed ^ (u8)*c++) * 0x100000001b3ULL;
	for (unsigned int i = 0; i < 16 * 4; i++)
		pattern[i / 4][i % 4] = seed * (i + 1) ^ 0x5a5a5a5a5a5a5a5aULL;
	load_ymm();
	for (start = rdtsc(); same && rdtsc() - start < SPIN_CYCLES; rounds++) {
		store_ymm();
		same = !memcmp(seen, pattern, sizeof(seen));
	}
	checkf(same, "YMM0-15 kept this VM's values (%llu rounds)", (unsigned long long)rounds);
	asm volatile("xsave64 %0" : "+m"(area) : "a"(XCR0_X87_SSE_AVX), "d"(0) : "memory");
	check(area[XSAVE_XSTATE_BV] & 4, "XSAVE: XSTATE_BV has AVX");
	check(!memcmp(area + XSAVE_YMM_HI, &pattern[0][2], 16), "XSAVE: YMM0's upper half");
}

void guest_main(void)
{
	check_offered();
	check_xsetbv();
	check_own_state();
	pass();
}
