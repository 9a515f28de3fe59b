/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot2 boot information parsing (Multiboot2 specification 1.0, section 3.6).
 * Pure logic: takes the information structure as bytes and validates every tag.
 */
#ifndef KEEL_MULTIBOOT2_H
#define KEEL_MULTIBOOT2_H

#include "kernel/memmap.h"
#include "kernel/types.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define MB2_MAX_MODULES 32	/* boot-time VMs, the control guest and its initrd; make check boots 17 */

struct boot_module {
	u64 start;		/* physical, inclusive */
	u64 end;		/* physical, exclusive */
	const char *cmdline;	/* points into the information structure; never NULL */
};

struct boot_info {
	const char *cmdline;	/* never NULL ("" if absent) */
	const char *loader;	/* never NULL ("" if absent) */
	struct memmap mmap;	/* normalized; from the EFI map when present, else the mmap tag */
	bool efi;		/* an EFI system table or EFI memory map tag was present */
	bool efi_mmap;		/* mmap came from the EFI memory map tag (17) */
	unsigned int nr_modules;
	struct boot_module modules[MB2_MAX_MODULES];
	const void *rsdp;	/* copy of the RSDP inside the tag (tag 15 preferred over 14), or NULL */
	size_t rsdp_len;
	u64 mbi_start, mbi_end;	/* physical extent of the structure itself */
};

/*
 * Parses the multiboot2 information structure at @mbi, located at physical
 * address @mbi_pa, of which at most @avail bytes may be read. Returns 0, or a
 * negative errno with *why set to a static message naming the fault: bad
 * total_size, misaligned or overlong tag, missing end tag, malformed memory
 * map, no memory map at all, too many modules (extra ones are an error, not
 * silently dropped), a module with end < start, unterminated strings.
 */
int mb2_parse(const void *mbi, u64 mbi_pa, size_t avail, struct boot_info *bi, const char **why);

#endif
