// SPDX-License-Identifier: GPL-2.0
/*
 * EPT entries (SDM Vol. 3C 29.3.2 and its entry-format tables): read, write and
 * execute in bits 2:0 (an entry with none of them is not present), the
 * memory type in bits 5:3 of leaves, bit 7 for 2 MiB / 1 GiB leaves, the
 * accessed and dirty flags in bits 8 and 9, the frame in bits 51:12.
 * Non-leaf entries must keep bits 7:3 clear, or the walk ends in an EPT
 * misconfiguration (29.3.3.1).
 */
#include "arch/x86/vmx/ept.h"

#define EPT_R BIT(0)
#define EPT_W BIT(1)
#define EPT_X BIT(2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT 3
#define EPT_MT_MASK (7ULL << EPT_MT_SHIFT)
#define EPT_MT_UC 0ULL
#define EPT_MT_WB 6ULL
#define EPT_LARGE BIT(7)
#define EPT_ACCESSED BIT(8)
#define EPT_DIRTY BIT(9)
#define EPT_ADDR 0x000ffffffffff000ULL

/* Tables are permissive; leaves carry the real permissions (29.3.3: the walk ANDs them). */
static u64 ept_table(u64 pa)
{
	return pa | EPT_RWX;
}

static u64 ept_leaf(u64 pa, u64 prot, int level)
{
	u64 e = pa | EPT_R;

	if (prot & PT_W)
		e |= EPT_W;
	if (prot & PT_X)
		e |= EPT_X;
	e |= (prot & PT_UC ? EPT_MT_UC : EPT_MT_WB) << EPT_MT_SHIFT;
	if (level > 1)
		e |= EPT_LARGE;
	/*
	 * Where the EPTP enables them, the CPU sets the accessed and dirty
	 * flags itself (29.3.5) and PML logs each write that sets a dirty flag
	 * (29.3.6): set here, they cost no update, and only a PT_LOG leaf's
	 * first write is logged. Ignored otherwise.
	 */
	e |= EPT_ACCESSED | (prot & PT_LOG ? 0 : EPT_DIRTY);
	return e;
}

static bool ept_present(u64 e)
{
	return e & EPT_RWX;
}

static bool ept_is_leaf(u64 e, int level)
{
	return level == 1 || (e & EPT_LARGE);
}

static u64 ept_addr(u64 e, int level)
{
	u64 mask = EPT_ADDR;

	if (level > 1 && (e & EPT_LARGE))
		mask &= ~((1ULL << (PAGE_SHIFT + 9 * (level - 1))) - 1);
	return e & mask;
}

/* EPT has no privilege levels: a mapping serves the guest at any CPL, hence PT_USER. */
static u64 ept_prot(u64 e, int level)
{
	u64 prot = PT_USER;

	if (e & EPT_R)
		prot |= PT_R;
	if (e & EPT_W)
		prot |= PT_W;
	if (e & EPT_X)
		prot |= PT_X;
	if ((e & EPT_MT_MASK) == EPT_MT_UC << EPT_MT_SHIFT)
		prot |= PT_UC;
	return prot;
}

const struct pt_format pt_format_ept = {
	.table = ept_table,
	.leaf = ept_leaf,
	.present = ept_present,
	.is_leaf = ept_is_leaf,
	.addr = ept_addr,
	.prot = ept_prot,
};
