// SPDX-License-Identifier: GPL-2.0
#include "arch/x86/apic.h"
#include "arch/x86/asm.h"
#include "arch/x86/timer.h"
#include "arch/x86/traps.h"
#include "arch/x86/vectors.h"
#include "kernel/arch_vcpu.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
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

	if (rdtsc() >= rq->slice_end) {
		rq->need_resched = true;
		rq->armed = 0;
	} else {
		timer_arm_tsc(rq->slice_end);
		rq->armed = rq->slice_end;
	}
	if (poll_fn && this_cpu()->cpu == 0)
		poll_fn();
}

void sched_timer_at(u64 tsc)
{
	struct runqueue *rq = &this_cpu()->rq;

	if (tsc < rq->armed || !rq->armed) {
		timer_arm_tsc(tsc);
		rq->armed = tsc;
	}
}

void sched_set_poll(void (*fn)(void))
{
	poll_fn = fn;
}

static void resched_irq(struct regs *r)
{
	this_cpu()->rq.need_resched = true;
}

void sched_init(void)
{
	timer_set_handler(tick);
	irq_register(VEC_RESCHED, resched_irq);
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

void sched_add_on(struct vcpu *v, unsigned int cpu)
{
	struct runqueue *rq = &percpu[cpu].rq;
	u64 flags = spin_lock_irqsave(&rq->lock);

	v->cpu = cpu;
	v->state = VCPU_RUNNABLE;
	rq->nr++;
	enqueue(rq, v);
	spin_unlock_irqrestore(&rq->lock, flags);
	if (cpu != this_cpu()->cpu && rq->idle)
		apic_send_ipi(percpu[cpu].apic_id, VEC_RESCHED);
}

void sched_add(struct vcpu *v)
{
	unsigned int best = 0;

	for (unsigned int cpu = 1; cpu < MAX_CPUS; cpu++)
		if (percpu[cpu].online && percpu[cpu].rq.nr < percpu[best].rq.nr)
			best = cpu;
	sched_add_on(v, best);
}

/* Wakes @v if an event ends its HLT; one halted with interrupts off no longer counts as halted. */
static void wake(struct vcpu *v)
{
	v->state = VCPU_RUNNABLE;
	if (v->halted) {
		__atomic_sub_fetch(&v->vm->halted_vcpus, 1, __ATOMIC_SEQ_CST);
		v->halted = false;
	}
}

static bool can_run(struct runqueue *rq, struct vcpu *v)
{
	u64 deadline;

	if (v->vm->state != VM_RUNNING)
		return true;	/* picked to be retired */
	if (v->state != VCPU_BLOCKED)
		return v->state == VCPU_RUNNABLE;
	if (arch_vcpu_wakeable(v)) {
		wake(v);
		return true;
	}
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

/* The last vCPU of an ended VM reports it and frees it. */
static void retire(struct runqueue *rq, struct vcpu *v)
{
	struct vm *vm = v->vm;

	spin_lock(&rq->lock);
	rq->nr--;
	spin_unlock(&rq->lock);
	v->state = VCPU_DEAD;
	arch_vcpu_retire(v);
	if (__atomic_sub_fetch(&vm->live_vcpus, 1, __ATOMIC_SEQ_CST) == 0 && vm->on_end)
		vm->on_end(vm);
}

/* Takes @v off this CPU's count: INIT parked it until a SIPI queues it again. */
static void park(struct runqueue *rq, struct vcpu *v)
{
	spin_lock(&rq->lock);
	rq->nr--;
	spin_unlock(&rq->lock);
	arch_vcpu_parked(v);
}

static void run_slice(struct runqueue *rq, struct vcpu *v)
{
	enum vcpu_action a = VCPU_CONTINUE;

	rq->need_resched = false;
	rq->slice_end = rdtsc() + SCHED_SLICE_NS * tsc_khz / 1000000;
	rq->armed = 0;
	sched_timer_at(rq->slice_end);
	arch_vcpu_load(v);
	while (!rq->need_resched && v->vm->state == VM_RUNNING && a == VCPU_CONTINUE) {
		a = arch_vcpu_run_once(v);
		irq_poll();	/* host interrupts that exited the guest are taken here */
	}
	if (a == VCPU_BLOCK)
		v->state = VCPU_BLOCKED;
	arch_vcpu_put(v);
	if (v->vm->state != VM_RUNNING) {
		retire(rq, v);
		return;
	}
	if (a == VCPU_PARK) {
		park(rq, v);
		return;
	}
	spin_lock(&rq->lock);
	enqueue(rq, v);
	spin_unlock(&rq->lock);
}

static void idle(struct runqueue *rq)
{
	u64 now = rdtsc();

	if (rq->next_deadline <= now) {
		rq->idle = false;
		return;
	}
	rq->slice_end = 0;	/* no slice: the wake-up only ends the HLT */
	rq->armed = now + MIN(IDLE_WAKE_NS * tsc_khz / 1000000, rq->next_deadline - now);
	timer_arm_tsc(rq->armed);
	safe_halt();
	irq_disable();
	rq->idle = false;
}

void sched_loop(void)
{
	struct runqueue *rq = &this_cpu()->rq;

	irq_disable();
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
