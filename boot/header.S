/* SPDX-License-Identifier: GPL-2.0 */
/* Multiboot2 header (Multiboot2 specification 1.0, section 3.1). */
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* Module alignment tag (3.1.11): modules start on page boundaries. */
	.balign 8
	.word 6, 0
	.long 8

	.balign 8
	.word 0, 0		/* end tag */
	.long 8
mb2_header_end:
