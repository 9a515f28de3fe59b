/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The multiboot (v1) header (Multiboot 0.6.96, section 3.1). Bit 0 asks for
 * page-aligned modules, bit 1 for the memory fields of the information
 * structure. Built with MB_AOUT it also sets bit 16 and gives the load
 * addresses, so a loader ignores the ELF headers and loads the image from
 * them; lib/guest.ld keeps the image one contiguous segment, so both ways
 * load the same bytes.
 */
#include "layout.h"

#ifdef MB_AOUT
#define MB_FLAGS	0x00010003
#else
#define MB_FLAGS	0x00000003
#endif

	.section .multiboot, "a"
	.balign	4
mb_header:
	.long	MB_HEADER_MAGIC
	.long	MB_FLAGS
	.long	-(MB_HEADER_MAGIC + MB_FLAGS)
#ifdef MB_AOUT
	.long	mb_header		/* header_addr */
	.long	__image_start		/* load_addr */
	.long	__data_end		/* load_end_addr */
	.long	__bss_end		/* bss_end_addr */
	.long	_start			/* entry_addr */
#endif

	.section .note.GNU-stack, "", @progbits
