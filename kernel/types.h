/* SPDX-License-Identifier: GPL-2.0 */
/* Basic types and helpers shared by Keel and its host-compiled unit tests. */
#ifndef KEEL_TYPES_H
#define KEEL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define SZ_1K 0x400ULL
#define SZ_1M 0x100000ULL
#define SZ_2M 0x200000ULL
#define SZ_4M 0x400000ULL
#define SZ_1G 0x40000000ULL
#define SZ_4G 0x100000000ULL

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define BIT(n) (1ULL << (n))

#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define noinline __attribute__((noinline))
#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __unused __attribute__((unused))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * @index if it is below @size, else 0, without a branch the CPU could
 * speculate past (the exit table's bounds check, like Linux's).
 */
static inline unsigned int array_index_nospec(unsigned int index, unsigned int size)
{
	unsigned long mask;

	asm volatile("cmp %2, %1; sbb %0, %0" : "=r"(mask) : "r"((unsigned long)index),
		     "r"((unsigned long)size) : "cc");
	return index & (unsigned int)mask;
}

#endif
