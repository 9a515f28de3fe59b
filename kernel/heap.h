/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Heap for small objects: size classes of 16..2048 bytes carved from pages,
 * larger requests from contiguous pages. Pure logic without locking (callers
 * lock); the page source is a pair of callbacks so the host tests can use
 * malloc'd memory.
 */
#ifndef KEEL_HEAP_H
#define KEEL_HEAP_H

#include "kernel/types.h"

#define HEAP_NR_CLASSES 8	/* 16, 32, 64, 128, 256, 512, 1024, 2048 */

struct heap_ops {
	/* 2^order contiguous, PAGE_SIZE-aligned pages, or NULL. */
	void *(*pages_alloc)(void *ctx, unsigned int order);
	void (*pages_free)(void *ctx, void *pages, unsigned int order);
	void *ctx;
};

struct heap_class {
	void *partial;	/* pages of this class with at least one free object */
	u64 nr_pages;
};

struct heap {
	struct heap_ops ops;
	struct heap_class classes[HEAP_NR_CLASSES];
	u64 bytes_in_use;	/* requested sizes rounded to their class or pages */
	u64 nr_bad_frees;
};

void heap_init(struct heap *h, const struct heap_ops *ops);
/* 16-byte aligned memory of at least @size bytes, or NULL (also for size 0 or overflow). */
void *heap_alloc(struct heap *h, size_t size);
/* Zeroed heap_alloc(). */
void *heap_zalloc(struct heap *h, size_t size);
/*
 * Frees @p (NULL is a no-op). A pointer the heap did not hand out, or one
 * already freed, is detected where possible: returns -EINVAL and counts it in
 * nr_bad_frees without corrupting the heap. Empty class pages go back to the
 * page source.
 */
int heap_free(struct heap *h, void *p);

#endif
