// SPDX-License-Identifier: GPL-2.0
/* EPT entries (arch/x86/vmx/ept.c) through the shared walker, in host memory. */
#include <stdint.h>

#include "arch/x86/vmx/ept.h"
#include "kernel/errno.h"
#include "test.h"

static void *pages[64];
static int nr_pages;

static u64 alloc_table(void *ctx)
{
	void *page = aligned_alloc(4096, 4096);

	memset(page, 0, 4096);
	pages[nr_pages++] = page;
	return (u64)(uintptr_t)page;
}

static void *to_virt(void *ctx, u64 pa)
{
	return (void *)(uintptr_t)pa;
}

static void setup(struct pagetable *pt, int max_leaf)
{
	*pt = (struct pagetable){ .fmt = &pt_format_ept, .max_leaf_level = max_leaf,
				  .alloc = alloc_table, .to_virt = to_virt };
	CHECK_EQ(pt_init(pt), 0);
}

static void teardown(void)
{
	while (nr_pages)
		free(pages[--nr_pages]);
}

/* The entry pt_map left for @va at @level, walking the raw tables. */
static u64 entry_at(const struct pagetable *pt, u64 va, int level)
{
	u64 *t = (u64 *)(uintptr_t)pt->root;

	for (int l = 4; l > level; l--)
		t = (u64 *)(uintptr_t)(t[(va >> (12 + 9 * (l - 1))) & 511] & 0x000ffffffffff000ULL);
	return t[(va >> (12 + 9 * (level - 1))) & 511];
}

/*
 * SDM Vol. 3C 29.3.2: R/W/X in bits 2:0, WB (6) or UC (0) in bits 5:3, bit 7
 * on large leaves; accessed and dirty (bits 8, 9, 29.3.5) set on leaves.
 */
TEST(leaf_and_table_bits)
{
	struct pagetable pt;

	setup(&pt, 3);
	CHECK_EQ(pt_map(&pt, 0, 0x40000000, SZ_1G, PT_W | PT_X | PT_USER), 0);
	CHECK_EQ(entry_at(&pt, 0, 4) & 0xff, 0x7);		/* table: RWX, no memory type */
	CHECK_EQ(entry_at(&pt, 0, 3), 0x40000000 | 0x300 | 0x80 | (6 << 3) | 0x7);
	CHECK_EQ(pt_map(&pt, SZ_1G, SZ_1G, SZ_2M, PT_W), 0);
	CHECK_EQ(entry_at(&pt, SZ_1G, 2), SZ_1G | 0x300 | 0x80 | (6 << 3) | 0x3);
	CHECK_EQ(pt_map(&pt, 0xfee00000, 0xfee00000, PAGE_SIZE, PT_W | PT_UC), 0);
	CHECK_EQ(entry_at(&pt, 0xfee00000, 1), 0xfee00000 | 0x300 | (0 << 3) | 0x3);
	teardown();
}

/* PT_LOG leaves the dirty flag clear, so that PML logs the first write (29.3.6). */
TEST(logged_leaf)
{
	struct pagetable pt;
	u64 pa, prot;
	int level;

	setup(&pt, 2);
	CHECK_EQ(pt_map(&pt, 0x5000, 0x9000, PAGE_SIZE, PT_W | PT_X | PT_LOG), 0);
	CHECK_EQ(entry_at(&pt, 0x5000, 1), 0x9000 | 0x100 | (6 << 3) | 0x7);
	CHECK_EQ(pt_translate(&pt, 0x5000, &pa, &prot, &level), 0);
	CHECK_EQ(prot, PT_R | PT_W | PT_X | PT_USER);
	CHECK_EQ(pt_map(&pt, 0x5000, pa, PAGE_SIZE, prot), 0);
	CHECK_EQ(entry_at(&pt, 0x5000, 1), 0x9000 | 0x300 | (6 << 3) | 0x7);
	teardown();
}

TEST(translate_and_split)
{
	struct pagetable pt;
	u64 pa, prot;
	int level;

	setup(&pt, 2);
	CHECK_EQ(pt_map(&pt, 0, 0x10000000, 4 * SZ_2M, PT_W | PT_X), 0);
	CHECK_EQ(pt_translate(&pt, SZ_2M + 0x123, &pa, &prot, &level), 0);
	CHECK_EQ(pa, 0x10000000 + SZ_2M + 0x123);
	CHECK_EQ(prot, PT_R | PT_W | PT_X | PT_USER);
	CHECK_EQ(level, 2);
	/* Unmapping one 4 KiB page splits its 2 MiB leaf; the rest keeps its rights. */
	CHECK_EQ(pt_unmap(&pt, SZ_2M + PAGE_SIZE, PAGE_SIZE), 0);
	CHECK_EQ(pt_translate(&pt, SZ_2M + PAGE_SIZE, &pa, &prot, &level), -ENOENT);
	CHECK_EQ(pt_translate(&pt, SZ_2M + 2 * PAGE_SIZE, &pa, &prot, &level), 0);
	CHECK_EQ(pa, 0x10000000 + SZ_2M + 2 * PAGE_SIZE);
	CHECK_EQ(prot, PT_R | PT_W | PT_X | PT_USER);
	CHECK_EQ(level, 1);
	CHECK_EQ(entry_at(&pt, SZ_2M + 2 * PAGE_SIZE, 1) & 0xff, (6 << 3) | 0x7);
	teardown();
}

TEST_MAIN("ept", T(leaf_and_table_bits), T(logged_leaf), T(translate_and_split))
