// SPDX-License-Identifier: GPL-2.0
/*
 * hlt_irq: interrupts from the test device (0x48: vector | delay_us << 8).
 * 1. STI; HLT waits for a delayed interrupt, taken exactly once, with the
 *    saved RIP after the HLT (HLT completes, then the interrupt is delivered).
 * 2. An interrupt raised with IF=0 stays pending until STI, and is taken right
 *    after the instruction following STI (SDM Vol. 2B, STI: interrupts are
 *    recognised after the next instruction), not before.
 */
#include "testdev.h"

#define VEC_HLT		0x40
#define VEC_WINDOW	0x41
#define HLT_DELAY_US	1000
#define SETTLE_CYCLES	20000000ULL	/* ~10 ms at 2 GHz: long after any delay */
#define LATE_CYCLES	4000000000ULL	/* the longest a late interrupt is waited for */

static volatile unsigned int hits[2];
static volatile unsigned long hit_ip[2], hit_flags[2];

static void on_irq(struct trap_frame *f)
{
	unsigned int i = f->vector == VEC_WINDOW;

	hits[i]++;
	hit_ip[i] = f->ip;
	hit_flags[i] = f->flags;
}

static void raise_irq(unsigned int vector, unsigned int delay_us)
{
	mmio_write32(td_addr(TD_IRQ), vector | delay_us << 8);
}

/* With IF=1, waits up to @cycles for hits[i] to reach @n. */
static bool wait_hits(unsigned int i, unsigned int n, u64 cycles)
{
	u64 start = rdtsc();

	sti();
	while (hits[i] < n && rdtsc() - start < cycles)
		pause();
	cli();
	return hits[i] >= n;
}

static void test_hlt(unsigned int round)
{
	unsigned long after;
	unsigned int before = hits[0];

	raise_irq(VEC_HLT, HLT_DELAY_US);
	asm volatile("sti\n\thlt\n1:\tcli\n\tmov $1b, %0" : "=r"(after) : : "memory");
	checkf(hits[0] == before + 1, "round %u: HLT woke with %u interrupts, expected 1", round,
	       hits[0] - before);
	checkf(hit_ip[0] == after, "round %u: interrupt RIP %#lx, expected %#lx (after HLT)",
	       round, hit_ip[0], after);
	check(hit_flags[0] & X86_EFLAGS_IF, "interrupted context had IF=1");
	wait_hits(0, before + 2, SETTLE_CYCLES);
	checkf(hits[0] == before + 1, "round %u: interrupt delivered %u times", round,
	       hits[0] - before);
}

static void test_window(void)
{
	unsigned long after;

	raise_irq(VEC_WINDOW, 0);
	delay_cycles(SETTLE_CYCLES);
	check_eq(hits[1], 0, "interrupt raised with IF=0 not delivered before STI");
	asm volatile("sti\n\tnop\n1:\tcli\n\tmov $1b, %0" : "=r"(after) : : "memory");
	if (hits[1] != 1) {
		bool late = wait_hits(1, 1, LATE_CYCLES);

		fail("interrupt pending at STI not taken after STI; NOP (%s)",
		     late ? "it came later" : "it never came");
	}
	check(true, "pending interrupt taken at the STI window");
	checkf(hit_ip[1] == after, "window interrupt RIP %#lx, expected %#lx (after the NOP)",
	       hit_ip[1], after);
	wait_hits(1, 2, SETTLE_CYCLES);
	check_eq(hits[1], 1, "window interrupt delivered once");
}

void guest_main(void)
{
	td_require();
	set_irq_handler(VEC_HLT, on_irq);
	set_irq_handler(VEC_WINDOW, on_irq);
	test_hlt(1);
	test_hlt(2);
	test_window();
	printf("interrupts: %u on %#x, %u on %#x\n", hits[0], VEC_HLT, hits[1], VEC_WINDOW);
}
