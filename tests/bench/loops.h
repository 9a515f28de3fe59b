/* SPDX-License-Identifier: MIT */
/*
 * The guest-side exit benchmark (tests/bench/loops.S): its entry, its ports
 * and the results it leaves behind. Shared by the assembly (with
 * __ASSEMBLY__ defined), the Linux-KVM runner and Keel's bench payload.
 *
 * bench_run(res, iters, rounds, mask) is a position-independent 64-bit
 * function (SysV ABI, CPL 0, paging on, interrupts off, a few hundred bytes
 * of stack). Copy the bytes from bench_blob_start to bench_blob_end anywhere
 * and call the copy's first byte, or link loops.o and call bench_run. It
 * times each op in @mask, @rounds times @iters iterations, with RDTSC, keeps
 * the fastest round (a round hit by a host timer tick is slower), and prints
 * one "bench: NAME N" line per op by OUT to BENCH_UART (byte by byte, no
 * LSR polling). @res may be 0; 0 for @iters, @rounds or @mask picks the
 * BENCH_DEFAULT_ value.
 *
 * How N is derived. Under QEMU's -icount shift=0,sleep=off the TSC advances
 * by a fixed number of ticks per retired instruction (of the host hypervisor
 * and of the guest alike). A calibration round (a dec/jnz loop) retires
 * LOOP_INSNS = 2 * BENCH_LOOP_ITERS + BENCH_FRAME_INSNS known instructions
 * and takes LOOP_TICKS ticks (exactly LOOP_INSNS under shift=0). An op's round of
 * @iters iterations takes TICKS ticks and retires
 * TICKS * LOOP_INSNS / LOOP_TICKS instructions, of which BENCH_FRAME_INSNS
 * belong to the timing frame and OVERHEAD per iteration to the loop itself
 * (BENCH_OVERHEAD_*), so
 *
 *   N = (TICKS * LOOP_INSNS - BENCH_FRAME_INSNS * LOOP_TICKS)
 *       / (LOOP_TICKS * iters) - OVERHEAD            (rounded to nearest)
 *
 * is the instructions one round trip costs: the op instruction itself plus
 * everything every hypervisor level ran to complete it. Measured on Linux
 * KVM (6.1.0-56, QEMU 7.2 TCG -cpu max) it comes out an exact integer. The "loop" line
 * prints LOOP_TICKS * 1000 / LOOP_INSNS, the TSC ticks per 1000
 * instructions (1000 when the TSC counts instructions one to one).
 * Off icount, N is simply in units of the calibration loop's instructions.
 */
#ifndef TESTS_BENCH_LOOPS_H
#define TESTS_BENCH_LOOPS_H

#define BENCH_UART		0x3f8	/* COM1 data register */
#define BENCH_PORT_FAST		0xe0	/* completed in the hypervisor (ioeventfd) */
#define BENCH_PORT_USER		0xe4	/* completed by the VMM in userspace */
#define BENCH_HCALL_UNKNOWN	0xffffffff	/* RAX for VMMCALL/VMCALL */
/*
 * A guest address, mapped 1:1, where the guest has no RAM: a read there is
 * MMIO the VMM answers. Below 1 GiB, so one page directory maps it, and clear
 * of the LAPIC and I/O APIC pages, which a hypervisor may claim for itself.
 */
#define BENCH_MMIO_ADDR		0x3fe00000
/* The interrupt bench_irq_wait's handler answers (kvm-bench -w: an irqfd's MSI). */
#define BENCH_IRQ_VECTOR	0x40

/* Ops, as bits of @mask and indices of bench_results.op[]. */
#define BENCH_OP_CPUID		0	/* "cpuid": CPUID leaf 0 */
#define BENCH_OP_OUT		1	/* "out-ioeventfd": OUT to BENCH_PORT_FAST */
#define BENCH_OP_HCALL		2	/* "vmmcall" (AMD) / "vmcall" (others) */
#define BENCH_OP_OUT_USER	3	/* "out-user": OUT to BENCH_PORT_USER */
#define BENCH_OP_IN_USER	4	/* "in-user": IN from BENCH_PORT_USER */
#define BENCH_OP_MMIO_READ	5	/* "mmio-read": a 4-byte read at BENCH_MMIO_ADDR */
#define BENCH_NR_OPS		6

#define BENCH_DEFAULT_ITERS	256
#define BENCH_DEFAULT_ROUNDS	16
#define BENCH_DEFAULT_MASK	0x7	/* all but out-user */

#define BENCH_LOOP_ITERS	100000	/* calibration: dec/jnz pairs */
#define BENCH_FRAME_INSNS	7	/* the timing frame's share of a round */
#define BENCH_OVERHEAD_CPUID	4	/* xor eax; xor ecx; dec; jnz */
#define BENCH_OVERHEAD_OUT	2	/* dec; jnz */
#define BENCH_OVERHEAD_HCALL	3	/* mov eax; dec; jnz */
#define BENCH_OVERHEAD_IN	2	/* dec; jnz */
#define BENCH_OVERHEAD_MMIO	3	/* mov edx; dec; jnz */

#define BENCH_MAGIC		0x48434e45424c454bULL	/* "KELBENCH" */

/* struct bench_results offsets, for the assembly. */
#define BR_MAGIC		0
#define BR_ITERS		8
#define BR_ROUNDS		16
#define BR_MASK			24
#define BR_LOOP_INSNS		32
#define BR_LOOP_TICKS		40
#define BR_OP			48	/* + 16 * op */
#define BR_OP_TICKS		0
#define BR_OP_INSNS		8
#define BR_SIZE			(BR_OP + 16 * BENCH_NR_OPS)

#ifndef __ASSEMBLY__
#include <stdint.h>

struct bench_op_result {
	uint64_t ticks;		/* fastest round of @iters iterations */
	int64_t insns;		/* N above: instructions per round trip */
};

struct bench_results {
	uint64_t magic;		/* BENCH_MAGIC once bench_run has finished */
	uint64_t iters;
	uint64_t rounds;
	uint64_t mask;
	uint64_t loop_insns;	/* instructions in one calibration round */
	uint64_t loop_ticks;	/* fastest calibration round, in TSC ticks */
	struct bench_op_result op[BENCH_NR_OPS];
};

_Static_assert(__builtin_offsetof(struct bench_results, iters) == BR_ITERS, "iters");
_Static_assert(__builtin_offsetof(struct bench_results, rounds) == BR_ROUNDS, "rounds");
_Static_assert(__builtin_offsetof(struct bench_results, mask) == BR_MASK, "mask");
_Static_assert(__builtin_offsetof(struct bench_results, loop_insns) == BR_LOOP_INSNS, "insns");
_Static_assert(__builtin_offsetof(struct bench_results, loop_ticks) == BR_LOOP_TICKS, "ticks");
_Static_assert(__builtin_offsetof(struct bench_results, op) == BR_OP, "op");
_Static_assert(sizeof(struct bench_op_result) == 16, "op size");
_Static_assert(sizeof(struct bench_results) == BR_SIZE, "size");

void bench_run(struct bench_results *res, uint64_t iters, uint64_t rounds, uint64_t mask);
void bench_spin(uint64_t *counter) __attribute__((noreturn));
void bench_irq_wait(void) __attribute__((noreturn));
void bench_irq_handler(void);
extern const char bench_blob_start[], bench_blob_end[];
#endif

#endif
