// SPDX-License-Identifier: GPL-2.0
/*
 * exceptions: faults and traps raised and handled inside the guest, in long
 * mode, each resuming after the faulting instruction through the ASM_TRY
 * fixup. Checked: vector, error code, saved RIP (the faulting instruction
 * for faults, the next one for traps; SDM Vol. 3A 6.5), CR2 for #PF, that
 * registers the instruction does not write survive, and that a fault while
 * delivering another becomes #DF by exception class (SDM Vol. 3A 6.15): the
 * CPU merges these itself, since Keel intercepts neither #GP nor #NP, so the
 * check is that nothing in Keel's event handling gets in its way. Keel's own
 * merging, for the exceptions it injects, is unit-tested (tests/unit/test_event.c).
 */
#include "guest.h"

#define UNMAPPED	0x100000000UL		/* 4 GiB: PDPT entry 4 is not present */
/* Loaded through RSI: with RSP or RBP as the base the fault is #SS, not #GP (SDM Vol. 3A 6.15). */
#define NONCANONICAL	0x8000000000000000UL
#define BAD_SELECTOR	0x1230			/* beyond the GDT limit */
#define RO_REGION	0x400000UL		/* 2 MiB page made read-only below */
#define PF_PRESENT	(1 << 0)
#define PF_WRITE	(1 << 1)
#define SOFT_VECTOR	0x80

extern u64 pd[4 * 512];				/* lib/entry.S */
static volatile unsigned int soft_hits;

static void test_ud(void)
{
	asm volatile(ASM_TRY_BEGIN "ud2" ASM_TRY_END : : : "memory");
	check_trap(UD_VECTOR, 0, true, "UD2");
}

static void test_de(void)
{
	u32 a = 1, d = 0, zero = 0;

	asm volatile(ASM_TRY_BEGIN "divl %2" ASM_TRY_END
		     : "+a"(a), "+d"(d) : "r"(zero) : "memory");
	check_trap(DE_VECTOR, 0, true, "DIV by zero");
	a = 0;
	d = 1;					/* 2^32 / 1 does not fit in EAX */
	asm volatile(ASM_TRY_BEGIN "divl %2" ASM_TRY_END
		     : "+a"(a), "+d"(d) : "r"(1u) : "memory");
	check_trap(DE_VECTOR, 0, true, "DIV quotient overflow");
}

static void test_bp(void)
{
	unsigned long keep = 0x1122334455667788UL;

	asm volatile(ASM_TRY_BEGIN "int3" ASM_TRY_END : "+b"(keep) : : "memory");
	check_trap(BP_VECTOR, 0, false, "INT3 (a trap: RIP after it)");
	check_eq(keep, 0x1122334455667788UL, "RBX across #BP");
}

static void test_gp(void)
{
	unsigned long v = 0;
	u16 sel = BAD_SELECTOR;

	asm volatile(ASM_TRY_BEGIN "mov (%1), %0" ASM_TRY_END
		     : "+r"(v) : "S"(NONCANONICAL) : "memory");
	check_trap(GP_VECTOR, 0, true, "non-canonical load");
	/* A selector beyond the GDT limit: #GP(selector) (SDM Vol. 3A 6.15, #GP). */
	asm volatile(ASM_TRY_BEGIN "mov %0, %%ds" ASM_TRY_END : : "r"(sel) : "memory");
	check_trap(GP_VECTOR, BAD_SELECTOR, true, "loading DS with a selector beyond the GDT");
}

static void check_cr2(unsigned long want, const char *what)
{
	checkf(last_trap.cr2 == want, "%s: CR2 %#lx, expected %#lx", what, last_trap.cr2, want);
}

static void test_pf(void)
{
	volatile u64 *ro = (volatile u64 *)(RO_REGION + 0x1238);
	unsigned long v = 0;

	asm volatile(ASM_TRY_BEGIN "mov (%1), %0" ASM_TRY_END
		     : "+r"(v) : "r"(UNMAPPED + 0x18) : "memory");
	check_trap(PF_VECTOR, 0, true, "read of a not-present page");
	check_cr2(UNMAPPED + 0x18, "read of a not-present page");
	asm volatile(ASM_TRY_BEGIN "movq $1, (%0)" ASM_TRY_END
		     : : "r"(UNMAPPED + 0x200008) : "memory");
	check_trap(PF_VECTOR, PF_WRITE, true, "write to a not-present page");
	check_cr2(UNMAPPED + 0x200008, "write to a not-present page");

	/* CR0.WP clear: supervisor writes to read-only pages are allowed (SDM
	 * Vol. 3A 4.6.1), so set it for this test. */
	asm volatile("mov %%cr0, %0\n\tor $0x10000, %0\n\tmov %0, %%cr0" : "=r"(v) : : "memory");
	*ro = 7;
	barrier();
	pd[RO_REGION >> 21] &= ~2ULL;		/* clear R/W */
	invlpg((unsigned long)ro);
	check_eq(*ro, 7, "read of a read-only page");
	asm volatile(ASM_TRY_BEGIN "movq $9, (%0)" ASM_TRY_END : : "r"(ro) : "memory");
	check_trap(PF_VECTOR, PF_PRESENT | PF_WRITE, true, "write to a read-only page");
	check_cr2((unsigned long)ro, "write to a read-only page");
	pd[RO_REGION >> 21] |= 2ULL;
	invlpg((unsigned long)ro);
	*ro = 9;
	check_eq(*ro, 9, "write after making the page writable again");
}

/*
 * #GP through a not-present gate raises #NP(IDT vector 13) during its
 * delivery: contributory on contributory, so #DF(0) (SDM Vol. 3A table
 * 6-5). The saved RIP of #DF, an abort, is undefined: not checked.
 */
static void test_df(void)
{
	unsigned long v = 0;

	set_gate_present(GP_VECTOR, false);
	asm volatile(ASM_TRY_BEGIN "mov (%1), %0" ASM_TRY_END
		     : "+r"(v) : "S"(NONCANONICAL) : "memory");
	set_gate_present(GP_VECTOR, true);
	check_eq(last_trap.vector, DF_VECTOR, "#GP through a not-present gate: #DF");
	check_eq(last_trap.error, 0, "#DF error code");
	asm volatile(ASM_TRY_BEGIN "mov (%1), %0" ASM_TRY_END
		     : "+r"(v) : "S"(NONCANONICAL) : "memory");
	check_trap(GP_VECTOR, 0, true, "#GP once the gate is present again");
}

static void on_soft(struct trap_frame *f)
{
	soft_hits++;
}

static void test_int_n(void)
{
	set_irq_handler(SOFT_VECTOR, on_soft);
	asm volatile("int $0x80" : : : "memory");
	check_eq(soft_hits, 1, "INT 0x80 reaches its IDT handler");
}

void guest_main(void)
{
	test_ud();
	test_de();
	test_bp();
	test_gp();
	test_pf();
	test_int_n();
	test_df();
	test_ud();
}
