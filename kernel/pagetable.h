/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One 4-level page-table walker for every table Keel builds: its own and
 * guests' second-level tables, each entry format a struct pt_format the
 * architecture supplies (x86's in arch/x86/pgtable.c, EPT's in
 * arch/x86/vmx/ept.c). Pure logic: tables are reached through callbacks, so
 * the host tests build real tables in malloc'd memory.
 */
#ifndef KEEL_PAGETABLE_H
#define KEEL_PAGETABLE_H

#include "kernel/types.h"

/* Arch-neutral protection and memory-type bits of a mapping. */
#define PT_R BIT(0)
#define PT_W BIT(1)
#define PT_X BIT(2)
#define PT_USER BIT(3)
#define PT_UC BIT(4)	/* uncacheable (MMIO) */
#define PT_GLOBAL BIT(5)
#define PT_LOG BIT(6)	/* a writable leaf whose first write the CPU logs (kernel/memslot.c) */

/* Levels: 1 maps 4 KiB, 2 maps 2 MiB, 3 maps 1 GiB, 4 is the root. */
static inline u64 pt_level_size(int level)
{
	return 1ULL << (PAGE_SHIFT + 9 * (level - 1));
}

struct pt_format {
	u64 (*table)(u64 pa);		/* entry pointing at a next-level table */
	u64 (*leaf)(u64 pa, u64 prot, int level);
	bool (*present)(u64 e);
	bool (*is_leaf)(u64 e, int level);
	u64 (*addr)(u64 e, int level);
	u64 (*prot)(u64 e, int level);
};

struct pagetable {
	const struct pt_format *fmt;
	u64 root;			/* physical address of the level-4 table */
	int max_leaf_level;		/* 3 if 1 GiB leaves are allowed, else 2 */
	/* A zeroed, page-aligned table page; returns its address or 0. */
	u64 (*alloc)(void *ctx);
	void *(*to_virt)(void *ctx, u64 pa);
	/* Frees a table page that a larger leaf or an unmap left unused; NULL: such pages stay allocated */
	void (*free)(void *ctx, u64 pa);
	void *ctx;
	u64 nr_tables;
};


int pt_init(struct pagetable *pt);
/*
 * Maps [va, va+size) to [pa, pa+size) with @prot, replacing what was there
 * and splitting larger leaves as needed; uses the largest leaves that fit.
 * All three values must be page-aligned. -ENOMEM if a table page cannot be
 * had (the part already mapped stays mapped).
 */
int pt_map(struct pagetable *pt, u64 va, u64 pa, u64 size, u64 prot);
/* Removes mappings of [va, va+size), splitting larger leaves as needed. */
int pt_unmap(struct pagetable *pt, u64 va, u64 size);
/* Translates @va; 0 and *pa, *prot, *level set, or -ENOENT. */
int pt_translate(const struct pagetable *pt, u64 va, u64 *pa, u64 *prot, int *level);

#endif
