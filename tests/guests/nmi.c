// SPDX-License-Identifier: GPL-2.0
/*
 * nmi: NMIs from the test device (0x48: vector 2 | delay_us << 8).
 * 1. An NMI raised before CLI; HLT is delivered with IF=0 and ends the HLT:
 *    its saved RIP is the instruction after the HLT.
 * 2. Two NMIs raised inside the NMI handler are held off until its IRET
 *    (blocking by NMI, SDM Vol. 3A 6.7.1), then delivered once: the second
 *    collapses into the first. Run with IF=1 and IF=0 after the IRET.
 * 3. An NMI and an external interrupt both pending when the NMI handler
 *    IRETs: the NMI goes first (SDM Vol. 3A 6.9).
 */
#include "testdev.h"

#define NMI_VECTOR	2
#define VEC_EXT		0x50
#define HLT_DELAY_US	1000
#define SPIN_CYCLES	20000000ULL	/* ~10 ms at 2 GHz, inside the handler */
#define SETTLE_CYCLES	20000000ULL	/* long after any delay */
#define LATE_CYCLES	4000000000ULL	/* the longest a held-off event is waited for */
#define MAX_ORDER	8

enum nmi_mode { NMI_COUNT, NMI_NEST, NMI_PRIORITY };

static volatile enum nmi_mode mode;
static volatile unsigned int nmis, exts, depth, max_depth, spin_nmis;
static volatile unsigned long nmi_ip, nmi_flags;
static volatile unsigned int order[MAX_ORDER], nr_order;
static volatile bool hlt_waiting;
static volatile unsigned int early_nmis;
extern const char nmi_hlt_resume[];

static void raise_event(unsigned int vector, unsigned int delay_us)
{
	mmio_write32(td_addr(TD_IRQ), vector | delay_us << 8);
}

static void record(unsigned int vector)
{
	if (nr_order < MAX_ORDER)
		order[nr_order++] = vector;
}

/* Raises what the mode asks for, then spins: nothing may nest meanwhile. */
static void on_nmi(struct trap_frame *f)
{
	enum nmi_mode m = mode;
	unsigned int seen;

	if (++depth > max_depth)
		max_depth = depth;
	nmis++;
	nmi_ip = f->ip;
	nmi_flags = f->flags;
	record(NMI_VECTOR);
	mode = NMI_COUNT;
	/*
	 * test_hlt's NMI came before its HLT: the guest took longer than
	 * HLT_DELAY_US to get there (a loaded host). Another one ends the HLT.
	 */
	if (m == NMI_COUNT && hlt_waiting && f->ip != (unsigned long)nmi_hlt_resume) {
		early_nmis++;
		raise_event(NMI_VECTOR, HLT_DELAY_US);
	}
	if (m != NMI_COUNT) {
		seen = nmis;
		if (m == NMI_PRIORITY)
			raise_event(VEC_EXT, 0);
		raise_event(NMI_VECTOR, 0);
		raise_event(NMI_VECTOR, 0);
		delay_cycles(SPIN_CYCLES);
		spin_nmis = nmis - seen;
	}
	depth--;
}

static void on_ext(struct trap_frame *f)
{
	exts++;
	record(VEC_EXT);
}

/* Waits up to @cycles, with IF as @irqs_on says, until *@count reaches @n. */
static bool wait_for(volatile unsigned int *count, unsigned int n, bool irqs_on, u64 cycles)
{
	u64 start = rdtsc();

	if (irqs_on)
		sti();
	while (*count < n && rdtsc() - start < cycles)
		pause();
	cli();
	return *count >= n;
}

static void test_hlt(void)
{
	unsigned int before = nmis;
	unsigned long after = (unsigned long)nmi_hlt_resume;

	hlt_waiting = true;
	raise_event(NMI_VECTOR, HLT_DELAY_US);
	asm volatile("cli\n\thlt\n.globl nmi_hlt_resume\nnmi_hlt_resume:" : : : "memory");
	hlt_waiting = false;
	if (early_nmis)
		printf("HLT: %u NMIs came before the HLT (a slow host); raised again\n", early_nmis);
	check_eq(nmis, before + 1 + early_nmis, "NMI ended HLT with IF=0");
	checkf(nmi_ip == after, "NMI RIP %#lx, expected %#lx (after HLT)", nmi_ip, after);
	check(!(nmi_flags & X86_EFLAGS_IF), "interrupted context had IF=0");
	wait_for(&nmis, before + 2 + early_nmis, false, SETTLE_CYCLES);
	check_eq(nmis, before + 1 + early_nmis, "HLT NMI delivered once");
}

static void test_nest(bool irqs_on)
{
	unsigned int before = nmis;

	max_depth = 0;
	mode = NMI_NEST;
	raise_event(NMI_VECTOR, 0);
	if (!wait_for(&nmis, before + 2, irqs_on, LATE_CYCLES))
		fail("IF=%d: %u NMIs, expected 2 (the held-off one never came)", irqs_on,
		     nmis - before);
	check_eq(spin_nmis, 0, "no NMI delivered inside the NMI handler");
	check_eq(max_depth, 1, "NMI handlers did not nest");
	wait_for(&nmis, before + 3, irqs_on, SETTLE_CYCLES);
	checkf(nmis == before + 2, "IF=%d: two NMIs raised in the handler delivered once (%u)",
	       irqs_on, nmis - before - 1);
}

static void test_priority(void)
{
	unsigned int before = nmis;

	nr_order = 0;
	mode = NMI_PRIORITY;
	raise_event(NMI_VECTOR, 0);
	if (!wait_for(&exts, 1, true, LATE_CYCLES))
		fail("the external interrupt never came (%u NMIs)", nmis - before);
	wait_for(&nmis, before + 3, true, SETTLE_CYCLES);
	check_eq(nmis, before + 2, "priority: NMIs delivered");
	check_eq(nr_order, 3, "priority: events delivered");
	check_eq(order[1], NMI_VECTOR, "NMI delivered before the pending external interrupt");
	check_eq(order[2], VEC_EXT, "external interrupt delivered after the NMI");
}

void guest_main(void)
{
	td_require();
	cli();
	set_irq_handler(NMI_VECTOR, on_nmi);
	set_irq_handler(VEC_EXT, on_ext);
	test_hlt();
	test_nest(true);
	test_nest(false);
	test_priority();
	printf("nmis: %u, external interrupts: %u\n", nmis, exts);
}
