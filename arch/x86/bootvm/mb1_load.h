/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot (v1) kernel images (Multiboot 0.6.96, section 3.1): header
 * search and validation, and the load plan (ELF32 program headers or the
 * header's address fields). Pure logic, unit-tested on the host.
 */
#ifndef KEEL_MB1_LOAD_H
#define KEEL_MB1_LOAD_H

#include "kernel/types.h"

#define MB1_HEADER_MAGIC 0x1badb002
#define MB1_BOOT_MAGIC 0x2badb002
#define MB1_MAX_SEGMENTS 8

struct mb1_segment {
	u64 file_offset;
	u64 file_size;
	u64 addr;	/* guest-physical */
	u64 mem_size;	/* >= file_size; the rest is zeroed */
};

struct mb1_image {
	u32 entry;
	unsigned int nr;
	struct mb1_segment seg[MB1_MAX_SEGMENTS];
};

/*
 * Plans the load of @image (@size bytes) into guest RAM [@min_addr, @max_addr).
 * 0, or -ENOEXEC with *why set: no header, bad checksum, unsupported
 * required flags, malformed ELF, a segment outside that range, an entry
 * point outside every segment.
 */
int mb1_plan(const u8 *image, size_t size, u64 min_addr, u64 max_addr, struct mb1_image *out,
	     const char **why);

#endif
