// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU round-robin of vCPUs with timer preemption. State changes go
 * through kernel/vcpu.c; the architecture is reached only through the hooks
 * of kernel/arch.h.
 */
#include "kernel/arch.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/vcpu.h"
#include "kernel/vm.h"

#define IDLE_WAKE_NS 10000000ULL

static void (*poll_fn)(void);

/*
 * The timer serves the slice and the running vCPU's own deadlines; only the
 * slice's end ends the slice, and an earlier expiry re-arms for it.
 */
static void tick(void)
{
	struct runqueue *rq = &this_cpu()->rq;

	if (arch_now() >= rq->slice_end) {
		rq->need_resched = true;
		rq->armed = 0;
	} else {
		arch_timer_arm(rq->slice_end);
		rq->armed = rq->slice_end;
	}
	if (poll_fn && this_cpu()->cpu == 0)
		poll_fn();
}

void sched_timer_at(u64 tsc)
{
	struct runqueue *rq = &this_cpu()->rq;

	if (tsc < rq->armed || !rq->armed) {
		arch_timer_arm(tsc);
		rq->armed = tsc;
	}
}

void sched_set_poll(void (*fn)(void))
{
	poll_fn = fn;
}

static void resched(void)
{
	this_cpu()->rq.need_resched = true;
}

void sched_init(void)
{
	arch_sched_setup(tick, resched);
}

static void enqueue(struct runqueue *rq, struct vcpu *v)
{
	v->rq_next = NULL;
	if (rq->tail)
		rq->tail->rq_next = v;
	else
		rq->head = v;
	rq->tail = v;
}

/* Its pinned CPU, else the one with the shortest queue. */
static unsigned int place(const struct vcpu *v)
{
	unsigned int best = 0;

	if (v->pin_cpu >= 0)
		return (unsigned int)v->pin_cpu;
	for (unsigned int cpu = 1; cpu < MAX_CPUS; cpu++)
		if (percpu[cpu].online && percpu[cpu].rq.nr < percpu[best].rq.nr)
			best = cpu;
	return best;
}

void sched_add(struct vcpu *v)
{
	unsigned int cpu = place(v);
	struct runqueue *rq = &percpu[cpu].rq;
	u64 flags = spin_lock_irqsave(&rq->lock);
	bool idle = rq->idle;

	v->cpu = cpu;
	rq->nr++;
	enqueue(rq, v);
	spin_unlock_irqrestore(&rq->lock, flags);
	if (cpu != this_cpu()->cpu && idle)
		arch_kick_cpu(cpu);
}

/* A vCPU to run: runnable, woken from HLT (or asked to park), or of an ended VM (to retire). */
static bool can_run(struct runqueue *rq, struct vcpu *v)
{
	u64 deadline;

	if (v->vm->state != VM_RUNNING || v->state == VCPU_RUNNABLE)
		return true;
	if (vcpu_park_requested(v) || arch_vcpu_wakeable(v))
		return true;
	deadline = arch_vcpu_deadline(v);
	if (deadline && deadline < rq->next_deadline)
		rq->next_deadline = deadline;
	return false;
}

/* The first vCPU on this CPU's queue that can run, taken off the queue. */
static struct vcpu *pick(struct runqueue *rq)
{
	struct vcpu *prev = NULL, *v;

	spin_lock(&rq->lock);
	rq->next_deadline = ~0ULL;
	for (v = rq->head; v && !can_run(rq, v); v = v->rq_next)
		prev = v;
	if (v) {
		if (prev)
			prev->rq_next = v->rq_next;
		else
			rq->head = v->rq_next;
		if (rq->tail == v)
			rq->tail = prev;
	}
	rq->idle = !v;	/* under the lock: sched_add() then knows to send a wake-up */
	spin_unlock(&rq->lock);
	return v;
}

static void drop(struct runqueue *rq)
{
	spin_lock(&rq->lock);
	rq->nr--;
	spin_unlock(&rq->lock);
}

/* Off this CPU's queue for good (its VM ended) or until it is started again (INIT). */
static void retire(struct runqueue *rq, struct vcpu *v)
{
	drop(rq);
	arch_vcpu_retire(v);
	vcpu_retire(v);
}

static void park(struct runqueue *rq, struct vcpu *v)
{
	drop(rq);
	arch_vcpu_retire(v);	/* its registers here are stale once it is started again */
	arch_vcpu_init_reset(v);
	vcpu_park(v);
}

/* Back on this CPU's queue: runnable, or blocked in HLT (VCPU_HALT: one that only another vCPU can end). */
static void requeue(struct runqueue *rq, struct vcpu *v, enum vcpu_action a)
{
	vcpu_run_end(v, a == VCPU_BLOCK || a == VCPU_HALT, a == VCPU_HALT);
	spin_lock(&rq->lock);
	enqueue(rq, v);
	spin_unlock(&rq->lock);
}

static void run_slice(struct runqueue *rq, struct vcpu *v)
{
	enum vcpu_action a = VCPU_CONTINUE;

	vcpu_run_begin(v);
	rq->need_resched = false;
	rq->slice_end = arch_now() + arch_ns_to_ticks(SCHED_SLICE_NS);
	rq->armed = 0;
	sched_timer_at(rq->slice_end);
	arch_vcpu_load(v);
	while (!rq->need_resched && v->vm->state == VM_RUNNING && a == VCPU_CONTINUE)
		a = arch_vcpu_run_once(v);
	arch_vcpu_put(v);
	if (v->vm->state != VM_RUNNING)
		retire(rq, v);
	else if (a == VCPU_PARK)
		park(rq, v);
	else
		requeue(rq, v, a);
}

static void idle(struct runqueue *rq)
{
	u64 now = arch_now();

	if (rq->next_deadline <= now) {
		rq->idle = false;
		return;
	}
	rq->slice_end = 0;	/* no slice: the wake-up only ends the HLT */
	rq->armed = now + MIN(arch_ns_to_ticks(IDLE_WAKE_NS), rq->next_deadline - now);
	arch_timer_arm(rq->armed);
	arch_idle();
	rq->idle = false;
}

void sched_loop(void)
{
	struct runqueue *rq = &this_cpu()->rq;

	for (;;) {
		struct vcpu *v = pick(rq);

		if (!v)
			idle(rq);
		else if (v->vm->state != VM_RUNNING)
			retire(rq, v);
		else
			run_slice(rq, v);
	}
}
