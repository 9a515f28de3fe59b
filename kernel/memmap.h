/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Physical memory maps: a sorted, non-overlapping list of typed ranges.
 * Pure logic (no hardware access), unit-tested on the host.
 */
#ifndef KEEL_MEMMAP_H
#define KEEL_MEMMAP_H

#include "kernel/types.h"

/* Types follow the E820 numbering; MEM_KEEL marks what Keel keeps for itself. */
enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIM = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
	MEM_KEEL = 16,
};

#define MEMMAP_MAX 256

struct mem_range {
	u64 base;
	u64 size;
	u32 type;
};

struct memmap {
	unsigned int nr;
	struct mem_range r[MEMMAP_MAX];
};

void memmap_init(struct memmap *m);
/* Appends a raw range (may overlap others); -EINVAL on overflow or size 0, -ENOSPC when full. */
int memmap_add(struct memmap *m, u64 base, u64 size, u32 type);
/*
 * Sorts and resolves overlaps: where ranges overlap the more restrictive
 * type wins (any type beats MEM_USABLE; otherwise the higher number wins),
 * then merges adjacent ranges of the same type. MEM_USABLE ranges are shrunk
 * to whole pages; ranges that become empty are dropped.
 */
void memmap_normalize(struct memmap *m);
/* Sets [base, base+size) to @type in a normalized map, splitting ranges as needed; keeps it normalized. */
int memmap_set(struct memmap *m, u64 base, u64 size, u32 type);
/* Bytes of @type in the map. */
u64 memmap_total(const struct memmap *m, u32 type);
/* One past the highest byte of any range of @type (0 if none). */
u64 memmap_end(const struct memmap *m, u32 type);
/*
 * Finds the highest @align-aligned block of @size bytes of MEM_USABLE that
 * lies entirely below @limit; 0 and *out on success, -ENOMEM if none.
 */
int memmap_find_top(const struct memmap *m, u64 size, u64 align, u64 limit, u64 *out);
/* True if [base, base+size) lies entirely within ranges of @type. */
bool memmap_covers(const struct memmap *m, u64 base, u64 size, u32 type);

#endif
