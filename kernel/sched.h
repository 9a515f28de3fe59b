/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A simple per-CPU round-robin of vCPUs with timer preemption: each CPU
 * runs the vCPUs on its queue for a slice each; HLT blocks a vCPU until an
 * interrupt is pending for it.
 */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include "kernel/spinlock.h"
#include "kernel/types.h"

#define SCHED_SLICE_NS 10000000ULL	/* 10 ms */

struct vcpu;

struct runqueue {
	struct spinlock lock;
	struct vcpu *head, *tail;
	unsigned int nr;
	u64 next_deadline;	/* earliest interrupt deadline of a blocked vCPU (TSC) */
	volatile bool need_resched;
	volatile bool idle;
};

/* Queues @v (runnable) on the CPU with the shortest queue and wakes that CPU. */
void sched_add(struct vcpu *v);
/* Every CPU ends here once booted: runs vCPUs, or idles until one is runnable. */
void sched_loop(void) __noreturn;
void sched_init(void);

#endif
