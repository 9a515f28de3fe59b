// SPDX-License-Identifier: GPL-2.0
/*
 * Small objects live in class pages: one page of one size class, starting
 * with a header whose bitmap records which objects are allocated. The
 * bitmap is also how free objects are found, so no allocator state lives
 * inside free objects (a write after free cannot corrupt the heap) and every
 * free is checked against it. Large objects get their own run of pages with
 * a short header in front.
 */
#include "kernel/heap.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "kernel/types.h"

#define MIN_SHIFT 4
#define MAX_SMALL (1ULL << (MIN_SHIFT + HEAP_NR_CLASSES - 1))
#define OBJ_ALIGN 16
/* The largest order whose size in bytes fits in 64 bits; the page source refuses far less. */
#define LARGE_MAX_ORDER (63 - PAGE_SHIFT)

/*
 * Headers start with a magic XORed with their own address, so a copy of a
 * header elsewhere does not pass; freeing pages clears it, so stale ones
 * do not either.
 */
#define CLASS_MAGIC 0x4b65656c536c6162ULL	/* "KeelSlab" */
#define LARGE_MAGIC 0x4b65656c4c617267ULL	/* "KeelLarg" */

struct class_page {
	u64 magic;
	struct class_page *next, *prev;	/* on the class's partial list */
	u16 in_use;
	u8 class_idx;
	u64 used[4];	/* bit set = object allocated (or past the last one) */
};

struct large_hdr {
	u64 magic;
	u32 order;
};

#define CLASS_HDR ALIGN_UP(sizeof(struct class_page), OBJ_ALIGN)
#define LARGE_HDR ALIGN_UP(sizeof(struct large_hdr), OBJ_ALIGN)

_Static_assert((PAGE_SIZE - CLASS_HDR) / OBJ_ALIGN <= 4 * 64,
	       "the smallest class must fit the allocation bitmap");

static u64 class_size(unsigned int c)
{
	return 1ULL << (MIN_SHIFT + c);
}

static unsigned int objs_per_page(unsigned int c)
{
	return (PAGE_SIZE - CLASS_HDR) / class_size(c);
}

static unsigned int size_class(size_t size)
{
	unsigned int c = 0;

	while (class_size(c) < size)
		c++;
	return c;
}

static u64 tag(const void *hdr, u64 magic)
{
	return (uintptr_t)hdr ^ magic;
}

void heap_init(struct heap *h, const struct heap_ops *ops)
{
	memset(h, 0, sizeof(*h));
	h->ops = *ops;
}

static void partial_push(struct heap_class *hc, struct class_page *pg)
{
	pg->prev = NULL;
	pg->next = hc->partial;
	if (pg->next)
		pg->next->prev = pg;
	hc->partial = pg;
}

static void partial_del(struct heap_class *hc, struct class_page *pg)
{
	if (pg->prev)
		pg->prev->next = pg->next;
	else
		hc->partial = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
}

static struct class_page *class_page_new(struct heap *h, unsigned int c)
{
	struct class_page *pg = h->ops.pages_alloc(h->ops.ctx, 0);
	unsigned int objs = objs_per_page(c);

	if (!pg)
		return NULL;
	memset(pg, 0, sizeof(*pg));
	pg->magic = tag(pg, CLASS_MAGIC);
	pg->class_idx = c;
	/* Bits past the last object read as allocated, so the search never picks them. */
	for (unsigned int w = 0; w < ARRAY_SIZE(pg->used); w++) {
		if (objs <= w * 64)
			pg->used[w] = ~0ULL;
		else if (objs < (w + 1) * 64)
			pg->used[w] = ~0ULL << (objs - w * 64);
	}
	partial_push(&h->classes[c], pg);
	h->classes[c].nr_pages++;
	return pg;
}

/* A page on the partial list has a clear bit, so the loop stops in range. */
static unsigned int first_free_obj(const struct class_page *pg)
{
	unsigned int w = 0;

	while (!~pg->used[w])
		w++;
	return w * 64 + __builtin_ctzll(~pg->used[w]);
}

static void *class_alloc(struct heap *h, unsigned int c)
{
	struct heap_class *hc = &h->classes[c];
	struct class_page *pg = hc->partial;
	unsigned int i;

	if (!pg) {
		pg = class_page_new(h, c);
		if (!pg)
			return NULL;
	}
	i = first_free_obj(pg);
	pg->used[i / 64] |= BIT(i % 64);
	if (++pg->in_use == objs_per_page(c))
		partial_del(hc, pg);
	h->bytes_in_use += class_size(c);
	return (u8 *)pg + CLASS_HDR + i * class_size(c);
}

/* Smallest order whose pages hold the header and @size bytes, or -1. */
static int large_order(size_t size)
{
	int order = 0;

	while ((PAGE_SIZE << order) - LARGE_HDR < size)
		if (++order > LARGE_MAX_ORDER)
			return -1;
	return order;
}

/* bytes_in_use counts the whole run of pages, header included. */
static void *large_alloc(struct heap *h, size_t size)
{
	int order = large_order(size);
	struct large_hdr *hdr;

	if (order < 0)
		return NULL;
	hdr = h->ops.pages_alloc(h->ops.ctx, order);
	if (!hdr)
		return NULL;
	hdr->magic = tag(hdr, LARGE_MAGIC);
	hdr->order = order;
	h->bytes_in_use += PAGE_SIZE << order;
	return (u8 *)hdr + LARGE_HDR;
}

void *heap_alloc(struct heap *h, size_t size)
{
	if (!size)
		return NULL;
	if (size <= MAX_SMALL)
		return class_alloc(h, size_class(size));
	return large_alloc(h, size);
}

void *heap_zalloc(struct heap *h, size_t size)
{
	void *p = heap_alloc(h, size);

	if (p)
		memset(p, 0, size);
	return p;
}

static void class_page_release(struct heap *h, struct class_page *pg)
{
	struct heap_class *hc = &h->classes[pg->class_idx];

	partial_del(hc, pg);
	hc->nr_pages--;
	pg->magic = 0;
	h->ops.pages_free(h->ops.ctx, pg, 0);
}

static int class_free(struct heap *h, struct class_page *pg, void *p)
{
	unsigned int c = pg->class_idx;
	/* Wraps to a huge index for pointers into the header. */
	u64 off = (uintptr_t)p - ((uintptr_t)pg + CLASS_HDR);
	u64 i = off / class_size(c);

	if (off % class_size(c) || i >= objs_per_page(c) ||
	    !(pg->used[i / 64] & BIT(i % 64)))
		return -EINVAL;
	pg->used[i / 64] &= ~BIT(i % 64);
	if (pg->in_use-- == objs_per_page(c))
		partial_push(&h->classes[c], pg);
	h->bytes_in_use -= class_size(c);
	if (!pg->in_use)
		class_page_release(h, pg);
	return 0;
}

static int large_free(struct heap *h, struct large_hdr *hdr, void *p)
{
	unsigned int order = hdr->order;

	if ((u8 *)p != (u8 *)hdr + LARGE_HDR || order > LARGE_MAX_ORDER)
		return -EINVAL;
	hdr->magic = 0;
	h->bytes_in_use -= PAGE_SIZE << order;
	h->ops.pages_free(h->ops.ctx, hdr, order);
	return 0;
}

int heap_free(struct heap *h, void *p)
{
	void *page = (void *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE);
	int ret = -EINVAL;
	u64 magic;

	if (!p)
		return 0;
	magic = *(const u64 *)page;
	if (magic == tag(page, CLASS_MAGIC) &&
	    ((struct class_page *)page)->class_idx < HEAP_NR_CLASSES)
		ret = class_free(h, page, p);
	else if (magic == tag(page, LARGE_MAGIC))
		ret = large_free(h, page, p);
	if (ret)
		h->nr_bad_frees++;
	return ret;
}
