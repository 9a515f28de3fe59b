// SPDX-License-Identifier: GPL-2.0
#include "kernel/errno.h"
#include "kernel/pagetable.h"

static unsigned int level_index(u64 va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
}

int pt_init(struct pagetable *pt)
{
	pt->nr_tables = 0;
	pt->root = pt->alloc(pt->ctx);
	if (!pt->root)
		return -ENOMEM;
	pt->nr_tables = 1;
	return 0;
}

static u64 *table_of(const struct pagetable *pt, u64 pa)
{
	return pt->to_virt(pt->ctx, pa);
}

/* Replaces the leaf *e at @level by a table of equal next-level leaves. */
static int split_leaf(struct pagetable *pt, u64 *e, int level)
{
	const struct pt_format *f = pt->fmt;
	u64 base = f->addr(*e, level), prot = f->prot(*e, level);
	u64 step = pt_level_size(level - 1);
	u64 new = pt->alloc(pt->ctx);
	u64 *t;

	if (!new)
		return -ENOMEM;
	pt->nr_tables++;
	t = table_of(pt, new);
	for (unsigned int i = 0; i < 512; i++)
		t[i] = f->leaf(base + i * step, prot, level - 1);
	*e = f->table(new);
	return 0;
}

/* The table below entry *e at @level, created or split as needed; NULL on -ENOMEM. */
static u64 *next_table(struct pagetable *pt, u64 *e, int level)
{
	const struct pt_format *f = pt->fmt;

	if (!f->present(*e)) {
		u64 new = pt->alloc(pt->ctx);

		if (!new)
			return NULL;
		pt->nr_tables++;
		*e = f->table(new);
	} else if (f->is_leaf(*e, level) && split_leaf(pt, e, level)) {
		return NULL;
	}
	return table_of(pt, f->addr(*e, level));
}

/* The tables below entry @e at @level, before a leaf or nothing replaces it. */
static void free_below(struct pagetable *pt, u64 e, int level)
{
	const struct pt_format *f = pt->fmt;
	u64 *t;

	if (level == 1 || !f->present(e) || f->is_leaf(e, level) || !pt->free)
		return;
	t = table_of(pt, f->addr(e, level));
	for (unsigned int i = 0; i < 512; i++)
		free_below(pt, t[i], level - 1);
	pt->free(pt->ctx, f->addr(e, level));
	pt->nr_tables--;
}

static int map_one(struct pagetable *pt, u64 va, u64 pa, u64 left, u64 prot, u64 *done)
{
	u64 *t = table_of(pt, pt->root);

	for (int level = 4; level >= 1; level--) {
		u64 sz = pt_level_size(level);
		u64 *e = &t[level_index(va, level)];

		if (level <= pt->max_leaf_level && IS_ALIGNED(va | pa, sz) && left >= sz) {
			free_below(pt, *e, level);
			*e = prot ? pt->fmt->leaf(pa, prot, level) : 0;
			*done = sz;
			return 0;
		}
		if (!prot && !pt->fmt->present(*e)) {
			*done = MIN(sz - (va & (sz - 1)), left);
			return 0;
		}
		t = next_table(pt, e, level);
		if (!t)
			return -ENOMEM;
	}
	return -EINVAL;
}

static int map_range(struct pagetable *pt, u64 va, u64 pa, u64 size, u64 prot)
{
	if (!IS_ALIGNED(va | pa | size, PAGE_SIZE) || va + size < va)
		return -EINVAL;
	while (size) {
		u64 done;
		int r = map_one(pt, va, pa, size, prot, &done);

		if (r)
			return r;
		va += done;
		pa += done;
		size -= done;
	}
	return 0;
}

int pt_map(struct pagetable *pt, u64 va, u64 pa, u64 size, u64 prot)
{
	return map_range(pt, va, pa, size, prot | PT_R);
}

int pt_unmap(struct pagetable *pt, u64 va, u64 size)
{
	return map_range(pt, va, va, size, 0);
}

int pt_translate(const struct pagetable *pt, u64 va, u64 *pa, u64 *prot, int *level)
{
	const struct pt_format *f = pt->fmt;
	u64 *t = table_of(pt, pt->root);

	for (int l = 4; l >= 1; l--) {
		u64 e = t[level_index(va, l)];

		if (!f->present(e))
			return -ENOENT;
		if (f->is_leaf(e, l)) {
			*pa = f->addr(e, l) + (va & (pt_level_size(l) - 1));
			*prot = f->prot(e, l);
			*level = l;
			return 0;
		}
		t = table_of(pt, f->addr(e, l));
	}
	return -ENOENT;
}
