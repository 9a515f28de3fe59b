// SPDX-License-Identifier: GPL-2.0
/* The page-table walker on real tables in host memory (host pointers stand for physical addresses). */
#include <stdint.h>

#include "kernel/errno.h"
#include "asm/pgtable.h"
#include "test.h"

struct pool {
	int budget;	/* tables left before allocation fails */
	void *pages[4096];
	int nr;
};

static u64 alloc_table(void *ctx)
{
	struct pool *p = ctx;
	void *page;

	if (p->budget-- <= 0)
		return 0;
	page = aligned_alloc(4096, 4096);
	memset(page, 0, 4096);
	p->pages[p->nr++] = page;
	return (u64)(uintptr_t)page;
}

static void *to_virt(void *ctx, u64 pa)
{
	return (void *)(uintptr_t)pa;
}

static void setup(struct pagetable *pt, struct pool *p, int budget, int max_leaf)
{
	memset(p, 0, sizeof(*p));
	p->budget = budget;
	*pt = (struct pagetable){ .fmt = &pt_format_x86, .max_leaf_level = max_leaf,
				  .alloc = alloc_table, .to_virt = to_virt, .ctx = p };
	CHECK_EQ(pt_init(pt), 0);
}

static void teardown(struct pool *p)
{
	for (int i = 0; i < p->nr; i++)
		free(p->pages[i]);
}

static void expect(struct pagetable *pt, u64 va, u64 want_pa, u64 want_prot, int want_level)
{
	u64 pa = 0, prot = 0;
	int level = 0;

	CHECK_EQ(pt_translate(pt, va, &pa, &prot, &level), 0);
	CHECK_EQ(pa, want_pa);
	CHECK_EQ(prot, want_prot);
	CHECK_EQ(level, want_level);
}

TEST(largest_pages_used)
{
	struct pagetable pt;
	struct pool p;

	setup(&pt, &p, 100, 3);
	CHECK_EQ(pt_map(&pt, 0, 0, 8 * SZ_1G, PT_W), 0);
	CHECK_EQ(pt.nr_tables, 2);	/* PML4 + one PDPT of 1 GiB leaves */
	expect(&pt, 5 * SZ_1G + 0x1234, 5 * SZ_1G + 0x1234, PT_R | PT_W, 3);
	teardown(&p);

	setup(&pt, &p, 100, 2);
	CHECK_EQ(pt_map(&pt, 0, 0, 2 * SZ_1G, PT_W | PT_X), 0);
	CHECK_EQ(pt.nr_tables, 4);	/* PML4, PDPT, two PDs */
	expect(&pt, SZ_1G + SZ_2M + 5, SZ_1G + SZ_2M + 5, PT_R | PT_W | PT_X, 2);
	teardown(&p);
}

TEST(unaligned_ranges_mix_sizes)
{
	struct pagetable pt;
	struct pool p;

	setup(&pt, &p, 100, 3);
	CHECK_EQ(pt_map(&pt, SZ_2M - PAGE_SIZE, 0x7000000 - PAGE_SIZE, SZ_2M + 2 * PAGE_SIZE, PT_W), 0);
	expect(&pt, SZ_2M - PAGE_SIZE, 0x7000000 - PAGE_SIZE, PT_R | PT_W, 1);
	expect(&pt, SZ_2M, 0x7000000, PT_R | PT_W, 2);
	expect(&pt, 2 * SZ_2M, 0x7000000 + SZ_2M, PT_R | PT_W, 1);
	teardown(&p);
}

TEST(remap_splits_large_leaf)
{
	struct pagetable pt;
	struct pool p;

	setup(&pt, &p, 100, 3);
	CHECK_EQ(pt_map(&pt, 0, 0, SZ_4G, PT_W), 0);
	/* A read-only, executable 4 KiB page inside a 1 GiB leaf. */
	CHECK_EQ(pt_map(&pt, 0x201000, 0x201000, PAGE_SIZE, PT_X), 0);
	expect(&pt, 0x201000, 0x201000, PT_R | PT_X, 1);
	expect(&pt, 0x200000, 0x200000, PT_R | PT_W, 1);
	expect(&pt, 0x400000, 0x400000, PT_R | PT_W, 2);
	expect(&pt, SZ_1G - 1, SZ_1G - 1, PT_R | PT_W, 2);
	expect(&pt, SZ_1G, SZ_1G, PT_R | PT_W, 3);
	/* Uncacheable MMIO page. */
	CHECK_EQ(pt_map(&pt, 0xfee00000, 0xfee00000, PAGE_SIZE, PT_W | PT_UC), 0);
	expect(&pt, 0xfee00000, 0xfee00000, PT_R | PT_W | PT_UC, 1);
	teardown(&p);
}

TEST(unmap_and_holes)
{
	struct pagetable pt;
	struct pool p;
	u64 pa, prot;
	int level;

	setup(&pt, &p, 100, 3);
	CHECK_EQ(pt_translate(&pt, 0x1000, &pa, &prot, &level), -ENOENT);
	CHECK_EQ(pt_map(&pt, 0, 0, SZ_1G, PT_W), 0);
	CHECK_EQ(pt_unmap(&pt, 0x3000, PAGE_SIZE), 0);
	CHECK_EQ(pt_translate(&pt, 0x3000, &pa, &prot, &level), -ENOENT);
	expect(&pt, 0x2000, 0x2000, PT_R | PT_W, 1);
	expect(&pt, 0x4000, 0x4000, PT_R | PT_W, 1);
	/* Unmapping where nothing is mapped allocates nothing. */
	u64 before = pt.nr_tables;
	CHECK_EQ(pt_unmap(&pt, 100 * SZ_1G, SZ_1G), 0);
	CHECK_EQ(pt.nr_tables, before);
	teardown(&p);
}

TEST(bad_arguments_and_oom)
{
	struct pagetable pt;
	struct pool p;

	setup(&pt, &p, 2, 2);
	CHECK_EQ(pt_map(&pt, 0x1001, 0, PAGE_SIZE, PT_W), -EINVAL);
	CHECK_EQ(pt_map(&pt, 0, 0x10, PAGE_SIZE, PT_W), -EINVAL);
	CHECK_EQ(pt_map(&pt, ~0xfffULL, 0, 2 * PAGE_SIZE, PT_W), -EINVAL);
	/* Budget: root taken, one more table: PDPT fits, the PD does not. */
	CHECK_EQ(pt_map(&pt, 0, 0, SZ_2M, PT_W), -ENOMEM);
	teardown(&p);

	memset(&p, 0, sizeof(p));
	pt = (struct pagetable){ .fmt = &pt_format_x86, .max_leaf_level = 2,
				 .alloc = alloc_table, .to_virt = to_virt, .ctx = &p };
	CHECK_EQ(pt_init(&pt), -ENOMEM);
}

TEST_MAIN("pagetable", T(largest_pages_used), T(unaligned_ranges_mix_sizes), T(remap_splits_large_leaf),
	  T(unmap_and_holes), T(bad_arguments_and_oom))
