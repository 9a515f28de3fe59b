// SPDX-License-Identifier: GPL-2.0
/* The CPU side of kernel/arch.h: time, the per-CPU timer, wake-up IPIs, idle. */
#include "arch/x86/apic.h"
#include "asm/processor.h"
#include "arch/x86/timer.h"
#include "arch/x86/traps.h"
#include "arch/x86/vectors.h"
#include "kernel/arch.h"
#include "kernel/percpu.h"

static void (*resched_fn)(void);

u64 arch_now(void)
{
	return rdtsc();
}

u64 arch_ns_to_ticks(u64 ns)
{
	return ns * tsc_khz / 1000000;
}

u64 arch_ticks_to_ns(u64 ticks)
{
	return tsc_to_ns(ticks);
}

void arch_timer_arm(u64 when)
{
	timer_arm_tsc(when);
}

void arch_kick_cpu(unsigned int cpu)
{
	apic_send_ipi(percpu[cpu].apic_id, VEC_RESCHED);
}

void arch_idle(void)
{
	safe_halt();
	irq_disable();
}

static void resched_irq(struct regs *r)
{
	resched_fn();
}

/* VEC_KICK only makes a CPU leave guest mode or idle HLT, to look at its vCPUs' interrupts. */
static void kick_irq(struct regs *r)
{
}

void arch_sched_setup(void (*tick)(void), void (*resched)(void))
{
	resched_fn = resched;
	timer_set_handler(tick);
	irq_register(VEC_RESCHED, resched_irq);
	irq_register(VEC_KICK, kick_irq);
}
