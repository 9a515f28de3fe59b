/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU run queues of vCPUs with timer preemption: each CPU runs the vCPU
 * its policy (kernel/sched_policy.h) puts first, its own or one it takes
 * from another CPU's queue, for a slice; HLT blocks a vCPU until an
 * interrupt is pending for it.
 */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include "kernel/sched_policy.h"
#include "kernel/spinlock.h"
#include "kernel/types.h"

#define SCHED_SLICE_NS 10000000ULL	/* 10 ms */

struct vcpu;

struct runqueue {
	struct spinlock lock;
	struct sched_queue q;	/* its vCPUs but the running one */
	unsigned int nr;	/* its vCPUs, the running one too */
	volatile unsigned int movable;	/* queued vCPUs not pinned here: what other CPUs may take */
	unsigned int boostable;		/* queued vCPUs of the control guest or /dev/kvm VMs */
	u64 next_deadline;	/* earliest interrupt deadline of a blocked vCPU (TSC) */
	u64 boost_at;		/* ... of a blocked control-guest vCPU: it preempts then */
	u64 slice_end;		/* TSC at which the running vCPU's slice ends */
	u64 armed;		/* TSC the host timer is armed for, 0 if none */
	volatile bool need_resched;
	volatile bool idle;
	volatile u64 slices;	/* vCPUs it put on to run (KEEL_CPU_STAT_SLICES) */
	volatile u64 idle_ticks;	/* time it had none to run */
	u64 lent;			/* of the running slice: what its control vCPU lent (fast path) */
	const struct vcpu *last;	/* the vCPU of its last slice (compared only) */
	u64 slice_left;			/* when that slice's run loop ended */
	volatile u64 switches, switch_ticks;	/* KEEL_CPU_STAT_SWITCHES, _SWITCH_NS */
};

/*
 * Queues @v, just started (kernel/vcpu.c), on its pinned CPU (control-guest
 * vCPUs stay on the CPU whose APIC ID they carry) or the least loaded one its
 * affinity allows, and wakes that CPU.
 */
void sched_add(struct vcpu *v);
/* The same on CPU @cpu, which @v may run on. */
void sched_add_on(struct vcpu *v, unsigned int cpu);
/* The CPU a /dev/kvm vCPU entering KVM_RUN should run on (the caller's: run it there directly). */
unsigned int sched_place_vmm(const struct vcpu *v);
/* Every CPU ends here once booted, with interrupts off: runs vCPUs, or idles until one is runnable. */
void sched_loop(void) __noreturn;
void sched_init(void);
/*
 * An interrupt is due for @v: a control-guest vCPU waiting in HLT on its
 * queue ends the slice of whatever runs on its CPU (the sender then kicks
 * that CPU), so the control guest answers within a kick, not a slice.
 */
void sched_boost(struct vcpu *v);
/*
 * The fast path: /dev/kvm vCPU @v ran @ticks in the place of this CPU's
 * running (control) vCPU: charged to @v's share, not to the lender's.
 */
void sched_charge_lent(struct vcpu *v, u64 ticks);
/* Arms this CPU's host timer, of run queue @rq, for TSC @tsc. */
void sched_arm_timer(struct runqueue *rq, u64 tsc);

/*
 * The running vCPU needs its CPU back at TSC @tsc (its timer): the host
 * timer of this CPU's @rq fires by then. Inline: before every entry of a
 * vCPU with a timer, the host timer is most often armed by then already.
 */
static inline void sched_timer_at(struct runqueue *rq, u64 tsc)
{
	if (!rq->armed || tsc < rq->armed)
		sched_arm_timer(rq, tsc);
}
/* @fn runs in interrupt context on CPU 0's timer: at least every 10 ms, busy or idle. */
void sched_set_poll(void (*fn)(void));
/* Each CPU's switches between vCPUs and their average time, on the console (make bench). */
void sched_report(void);
/* Whether affinity @mask (SCHED_AFFINITY_WORDS) names an online CPU. */
bool sched_mask_online(const u64 *mask);
/* KEEL_HC_CPU_STATS: online CPU @cpu's KEEL_NR_CPU_STATS counters into @stats, else -EINVAL. */
int sched_cpu_stats(u64 cpu, u64 *stats);

#endif
