/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Constants shared by the guest library's C and assembly: the guest's own GDT,
 * the real-mode window, stacks, and the slots where the entry code records the
 * state Keel started a vCPU in (docs/boot-vms.md, "Loading and entry").
 */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

#define MB_HEADER_MAGIC		0x1BADB002
#define MB_BOOT_MAGIC		0x2BADB002	/* EAX at entry (Multiboot 0.6.96, 3.2) */
#define AP_BOOT_MAGIC		0x4B45454C	/* EAX of a vCPU started through 0x58 */

/* The guest's GDT (lib/entry.S); 0x08 and 0x10 match the entry state. */
#define SEL_CODE32		0x08
#define SEL_DATA		0x10
#define SEL_CODE64		0x18
#define SEL_CODE16		0x20	/* base RM_BASE, limit 64 KiB */
#define SEL_DATA16		0x28	/* base RM_BASE, limit 64 KiB */
#define GDT_ENTRIES		6

/*
 * Real mode reaches 0x100000-0x10FFEF through segment 0xFFFF with A20 on
 * (the high memory area), so 16-bit code linked into the first 64 KiB of the
 * image runs in place: its offsets are its addresses less RM_BASE.
 */
#define RM_SEG			0xFFFF
#define RM_BASE			0xFFFF0
#define RM_LIMIT		0x10FFEF

#define MAX_CPUS		16
#define BOOT_STACK_SIZE		16384
#define AP_STACK_SIZE		4096

/* entry_state[] slots: the registers vCPU 0 had at the entry point. */
#define ES_EAX			0
#define ES_EBX			1
#define ES_CS			2
#define ES_DS			3
#define ES_ES			4
#define ES_FS			5
#define ES_GS			6
#define ES_SS			7
#define ES_CR0			8
#define ES_CR4			9
#define ES_EFLAGS		10
#define ES_GDTR			11	/* 6 bytes: limit, base (slots 11-12) */
#define ES_IDTR			13	/* 6 bytes: limit, base (slots 13-14) */
#define ES_SLOTS		16

/* ap_entry_state[cpu][] slots, recorded by a secondary vCPU at its entry. */
#define AS_EAX			0
#define AS_EBX			1
#define AS_CS			2
#define AS_DS			3
#define AS_SS			4
#define AS_CR0			5
#define AS_EFLAGS		6
#define AS_SLOTS		8

#define CR0_PE			(1 << 0)
#define CR0_ET			(1 << 4)
#define CR0_PG			0x80000000
#define CR4_PAE			(1 << 5)
#define MSR_EFER		0xC0000080
#define EFER_LME		(1 << 8)

#endif
