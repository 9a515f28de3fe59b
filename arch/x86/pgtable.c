// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 page-table entry format (SDM Vol. 3A 4.5, Tables 4-14 to 4-20):
 * Keel's own tables and SVM's nested tables (APM Vol. 2 15.25.5) use it,
 * through kernel/pagetable.c's walker.
 */
#include "asm/pgtable.h"

#define X86_P BIT(0)
#define X86_RW BIT(1)
#define X86_US BIT(2)
#define X86_PWT BIT(3)
#define X86_PCD BIT(4)
#define X86_PS BIT(7)
#define X86_G BIT(8)
#define X86_NX BIT(63)
#define X86_ADDR 0x000ffffffffff000ULL

/* Tables are created permissive; leaves carry the real protection (SDM 4.6). */
static u64 x86_table(u64 pa)
{
	return pa | X86_P | X86_RW | X86_US;
}

static u64 x86_leaf(u64 pa, u64 prot, int level)
{
	u64 e = pa | X86_P;

	if (prot & PT_W)
		e |= X86_RW;
	if (prot & PT_USER)
		e |= X86_US;
	if (!(prot & PT_X))
		e |= X86_NX;
	if (prot & PT_UC)
		e |= X86_PCD | X86_PWT;
	if (prot & PT_GLOBAL)
		e |= X86_G;
	if (level > 1)
		e |= X86_PS;
	return e;
}

static bool x86_present(u64 e)
{
	return e & X86_P;
}

static bool x86_is_leaf(u64 e, int level)
{
	return level == 1 || (e & X86_PS);
}

static u64 x86_addr(u64 e, int level)
{
	u64 mask = X86_ADDR;

	if (level > 1 && (e & X86_PS))
		mask &= ~(pt_level_size(level) - 1);
	return e & mask;
}

static u64 x86_prot(u64 e, int level)
{
	u64 prot = PT_R;

	if (e & X86_RW)
		prot |= PT_W;
	if (e & X86_US)
		prot |= PT_USER;
	if (!(e & X86_NX))
		prot |= PT_X;
	if (e & X86_PCD)
		prot |= PT_UC;
	if (e & X86_G)
		prot |= PT_GLOBAL;
	return prot;
}

const struct pt_format pt_format_x86 = {
	.table = x86_table,
	.leaf = x86_leaf,
	.present = x86_present,
	.is_leaf = x86_is_leaf,
	.addr = x86_addr,
	.prot = x86_prot,
};

