/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Physical frame allocator: one bitmap per region of the memory it manages,
 * so holes cost nothing and memory above 4 GiB is handled like any other.
 * Pure logic without locking (callers lock), unit-tested on the host.
 */
#ifndef KEEL_FRAME_H
#define KEEL_FRAME_H

#include "kernel/memmap.h"
#include "kernel/types.h"

#define FRAME_MAX_REGIONS 32
#define FRAME_MAX_ORDER 18	/* 1 GiB of 4 KiB frames */

struct frame_region {
	u64 base;	/* physical, page-aligned */
	u64 nr_frames;
	u64 nr_free;
	u64 hint;	/* frame index where the next order-0 search starts */
	u64 *bitmap;	/* bit set = frame in use */
};

struct frame_pool {
	unsigned int nr;
	struct frame_region r[FRAME_MAX_REGIONS];
	u64 nr_frames;
	u64 nr_free;
};

/* Bytes of bitmap storage frame_pool_init() needs for the @type ranges of @m. */
size_t frame_pool_bitmap_bytes(const struct memmap *m, u32 type);
/*
 * Manages every whole page of the @type ranges of @m, all initially free;
 * @bitmap must hold frame_pool_bitmap_bytes() bytes. Frame 0 (physical
 * address 0) is never handed out. -ENOSPC if there are more regions than
 * FRAME_MAX_REGIONS.
 */
int frame_pool_init(struct frame_pool *p, const struct memmap *m, u32 type, void *bitmap);
/* Marks [pa, pa+size) in use (page-rounded outward); parts outside the pool are ignored. */
void frame_pool_reserve(struct frame_pool *p, u64 pa, u64 size);
/* 2^order contiguous frames, naturally aligned; returns the physical address, or 0 if none. */
u64 frame_alloc(struct frame_pool *p, unsigned int order);
/* Frees what frame_alloc() returned; -EINVAL for an address outside the pool, misaligned, or not allocated (double free). */
int frame_free(struct frame_pool *p, u64 pa, unsigned int order);
bool frame_in_pool(const struct frame_pool *p, u64 pa);

#endif
