/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keel's test device (docs/boot-vms.md, "Test device"), MMIO at 0xFEBF0000,
 * and MMIO accessors that are exactly one MOV each. The 8-byte registers are
 * read with one 8-byte MOV in 64-bit guests; 32-bit guests have no 8-byte
 * general-register load and read them as two 4-byte halves, low first.
 */
#ifndef GUEST_TESTDEV_H
#define GUEST_TESTDEV_H

#include "guest.h"

#ifndef TD_BASE
#define TD_BASE		0xFEBF0000UL
#endif
#define TD_SCRATCH	0x00	/* 64 bytes */
#define TD_SCRATCH_SIZE	64
#define TD_ID		0x40
#define TD_IRQ		0x48	/* vector | delay_us << 8 */
#define TD_WRITES	0x50
#define TD_START	0x58	/* vCPU index */
#define TD_START_EIP	0x60
#define TD_START_EBX	0x68
#define TD_ID_VALUE	0x5645445445454BULL	/* "KEETDEV" */

static inline unsigned long td_addr(unsigned int off)
{
	return TD_BASE + off;
}

static inline u8 mmio_read8(unsigned long a)
{
	u8 v;

	asm volatile("movb (%1), %0" : "=q"(v) : "r"(a) : "memory");
	return v;
}

static inline u16 mmio_read16(unsigned long a)
{
	u16 v;

	asm volatile("movw (%1), %0" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline u32 mmio_read32(unsigned long a)
{
	u32 v;

	asm volatile("movl (%1), %0" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void mmio_write8(unsigned long a, u8 v)
{
	asm volatile("movb %0, (%1)" : : "q"(v), "r"(a) : "memory");
}

static inline void mmio_write16(unsigned long a, u16 v)
{
	asm volatile("movw %0, (%1)" : : "r"(v), "r"(a) : "memory");
}

static inline void mmio_write32(unsigned long a, u32 v)
{
	asm volatile("movl %0, (%1)" : : "r"(v), "r"(a) : "memory");
}

#ifdef __x86_64__
static inline u64 mmio_read64(unsigned long a)
{
	u64 v;

	asm volatile("movq (%1), %0" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void mmio_write64(unsigned long a, u64 v)
{
	asm volatile("movq %0, (%1)" : : "r"(v), "r"(a) : "memory");
}

/* An 8-byte device register. */
static inline u64 td_read64(unsigned int off)
{
	return mmio_read64(td_addr(off));
}
#else
static inline u64 td_read64(unsigned int off)
{
	u32 lo = mmio_read32(td_addr(off));

	return (u64)mmio_read32(td_addr(off + 4)) << 32 | lo;
}
#endif

static inline u64 td_writes(void)
{
	return td_read64(TD_WRITES);
}

/* Fails the guest unless the test device answers with its ID. */
static inline void td_require(void)
{
	u64 id = td_read64(TD_ID);

	checkf(id == TD_ID_VALUE, "test device ID at %#lx: %#llx, expected %#llx",
	       td_addr(TD_ID), (unsigned long long)id, TD_ID_VALUE);
}

#endif
