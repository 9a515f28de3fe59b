/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU data, reached through the GS base (gs:0 holds the struct's own address). */
#ifndef KEEL_PERCPU_H
#define KEEL_PERCPU_H

#include "asm/cpu.h"
#include "kernel/sched.h"
#include "kernel/types.h"

#define MAX_CPUS 256
#define STACK_ORDER 2		/* 16 KiB kernel stacks */
#define STACK_SIZE (PAGE_SIZE << STACK_ORDER)

struct percpu {
	struct percpu *self;	/* must stay first: this_cpu() reads gs:0 */
	unsigned int cpu;
	u32 apic_id;
	u64 stack_top;
	volatile bool online;
	volatile u64 timer_ticks;
	volatile u64 irqs;		/* interrupts taken: what a vCPU's run loop must look at anew */
	volatile u64 calls_done;
	volatile u64 nmis;		/* NMIs that were not a panic's stop request */
	struct runqueue rq;
	struct vcpu *fpu_owner;	/* whose FPU/SSE state and DR0-DR3 the registers hold */
	u64 tsc_aux;		/* the hardware's IA32_TSC_AUX */
	struct vcpu *control_vcpu;	/* the control guest's vCPU pinned here, if any */
	u64 eoi_deferred[4];	/* level-triggered device vectors in service until the guest's EOI */
	u64 eoi_retired[4];	/* ... of those, the ones the guest has retired */
	struct cpu_arch arch;
};

extern struct percpu percpu[MAX_CPUS];
extern unsigned int nr_cpus_possible;	/* CPUs found in the MADT */
extern volatile unsigned int nr_cpus_online;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	asm volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

#endif
