/* SPDX-License-Identifier: GPL-2.0 */
/* Constants shared by the boot assembly and C. */
#ifndef KEEL_BOOT_H
#define KEEL_BOOT_H

#define BOOT_STACK_SIZE 16384
#define BOOT_CS64 0x08
#define BOOT_DS 0x10

#define CR0_PE 0x1
#define CR0_WP 0x10000
#define CR0_NW 0x20000000
#define CR0_CD 0x40000000
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define CR4_PGE 0x80
#define CR4_OSFXSR 0x200
#define CR4_OSXMMEXCPT 0x400
#ifdef __ASSEMBLY__
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100
#endif
#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_PS 0x80

/* Where the AP trampoline's parameters live, as offsets into its page. */
#define TRAMP_CR3 0xfd0
#define TRAMP_ENTRY 0xfd8
#define TRAMP_STACK 0xfe0
#define TRAMP_CPU 0xfe8
#define TRAMP_EFER 0xff0
#define TRAMP_CR4 0xff8

#endif
