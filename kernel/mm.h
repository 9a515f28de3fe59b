/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keel's memory: the machine's map, the region Keel reserves for itself
 * (image, page tables, heap, stacks), its frame pool and heap, and its own
 * page tables (a direct map with large pages; W^X for the image).
 */
#ifndef KEEL_MM_H
#define KEEL_MM_H

#include "kernel/memmap.h"
#include "kernel/pagetable.h"
#include "kernel/types.h"

struct boot_info;
struct cpu_features;

#define RESERVE_MIN (16 * SZ_1M)

struct mm_info {
	u64 ram;		/* usable RAM the firmware reported, bytes */
	u64 reserve_base;	/* Keel's reservation (frames, tables, heap) */
	u64 reserve_size;
	u64 image_size;
	u64 direct_map_end;
	struct memmap machine;	/* the firmware's map, normalized */
	struct memmap keel;	/* the machine map with Keel's and the boot modules' ranges marked */
};

extern struct mm_info mm;
extern struct pagetable keel_pt;

/* Default reservation for @ram bytes of RAM. */
u64 mm_default_reserve(u64 ram);
/* Sets everything up; @reserve 0 means the default. Panics with a clear message if impossible. */
void mm_init(const struct boot_info *bi, u64 reserve, const struct cpu_features *f);
u64 frame_alloc_keel(unsigned int order);
void frame_free_keel(u64 pa, unsigned int order);
u64 frames_free_keel(void);
void *kmalloc(size_t size);
void *kzalloc(size_t size);
/* Bytes the heap has handed out and not had back (its size classes' rounding included). */
u64 heap_used_bytes(void);
void kfree(void *p);
/*
 * Frames for guests: RAM that is neither Keel's nor the boot modules'.
 * Returned zeroed; 0 if none.
 */
u64 guest_frame_alloc(unsigned int order);
void guest_frame_free(u64 pa, unsigned int order);
u64 guest_frames_free(void);
/* True if 2^@order contiguous, aligned guest frames are free now. */
bool guest_frames_have(unsigned int order);
/* A page below 1 MiB for the AP trampoline, or 0 if there was none. */
u64 mm_trampoline_page(void);

#endif
