// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU run queues of vCPUs with timer preemption; which vCPU runs, for
 * how long, and when one moves to another CPU's queue is the policy's
 * (kernel/sched_policy.h). State changes go through kernel/vcpu.c; the
 * architecture is reached only through the hooks of kernel/arch.h.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/managed_vm.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/vcpu.h"
#include "kernel/vm.h"
#include "keel/hypercall.h"

#define IDLE_WAKE_NS 10000000ULL

_Static_assert(SCHED_MAX_CPUS == MAX_CPUS, "affinity masks cover every CPU");

static const struct sched_policy *policy = &sched_fair;
static u64 lent_batch;	/* ticks: sched_charge_lent() */
static void (*poll_fn)(void);

/*
 * The timer serves the slice, the running vCPU's own deadlines and those of
 * the control vCPUs waiting on this queue; only the slice's end or such a
 * control vCPU's deadline ends the slice, and an earlier expiry re-arms.
 */
static void tick(void)
{
	struct runqueue *rq = &this_cpu()->rq;
	u64 next = MIN(rq->slice_end, rq->boost_at);

	if (arch_now() >= next) {
		rq->need_resched = true;
		rq->armed = 0;
	} else {
		sched_arm_timer(rq, next);
	}
	if (poll_fn && this_cpu()->cpu == 0)
		poll_fn();
}

void sched_arm_timer(struct runqueue *rq, u64 tsc)
{
	arch_timer_arm(tsc);
	rq->armed = tsc;
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
	sched_policy_setup(arch_ns_to_ticks(SCHED_CAP_PERIOD_NS), arch_ns_to_ticks(SCHED_SLICE_NS));
	lent_batch = arch_ns_to_ticks(SCHED_SLICE_NS / 10);
	arch_sched_setup(tick, resched);
}

static struct vcpu *vcpu_of(struct sched_entity *se)
{
	return (struct vcpu *)((char *)se - offsetof(struct vcpu, se));
}

static bool may_run_on(const struct vcpu *v, unsigned int cpu)
{
	return v->pin_cpu >= 0 ? (unsigned int)v->pin_cpu == cpu : sched_affine(&v->se, cpu);
}

/* On and off a queue, under its lock. */
/* vCPUs that boosted() may pick first: a queue of boot-time VMs' alone is picked in one pass. */
static bool boostable(const struct vcpu *v)
{
	return v->vm->kind != VM_KIND_BOOT;
}

static void rq_add(struct runqueue *rq, struct vcpu *v)
{
	sched_queue_add(&rq->q, &v->se);
	rq->movable += v->pin_cpu < 0;
	rq->boostable += boostable(v);
}

static bool rq_remove(struct runqueue *rq, struct vcpu *v)
{
	if (!sched_queue_remove(&rq->q, &v->se))
		return false;
	rq->movable -= v->pin_cpu < 0;
	rq->boostable -= boostable(v);
	return true;
}

/* Its pinned CPU, else the one with the fewest vCPUs that it may run on. */
static unsigned int place(const struct vcpu *v)
{
	unsigned int best = MAX_CPUS;

	if (v->pin_cpu >= 0)
		return (unsigned int)v->pin_cpu;
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		if (percpu[cpu].online && may_run_on(v, cpu) &&
		    (best == MAX_CPUS || percpu[cpu].rq.nr < percpu[best].rq.nr))
			best = cpu;
	return best == MAX_CPUS ? this_cpu()->cpu : best;
}

/*
 * Where a /dev/kvm vCPU's KVM_RUN puts it: the CPU with the fewest vCPUs it
 * may run on, the caller's on a tie (the fast path: no queue, no IPI), then
 * the one it ran on last.
 */
unsigned int sched_place_vmm(const struct vcpu *v)
{
	unsigned int here = this_cpu()->cpu, best = MAX_CPUS;

	for (unsigned int cpu = 0; cpu < nr_cpus_possible; cpu++) {
		if (!percpu[cpu].online || !may_run_on(v, cpu))
			continue;
		if (best == MAX_CPUS || percpu[cpu].rq.nr < percpu[best].rq.nr ||
		    (percpu[cpu].rq.nr == percpu[best].rq.nr && best != here &&
		     (cpu == here || cpu == v->cpu)))
			best = cpu;
	}
	return best == MAX_CPUS ? here : best;
}

void sched_add(struct vcpu *v)
{
	sched_add_on(v, place(v));
}

void sched_add_on(struct vcpu *v, unsigned int cpu)
{
	struct runqueue *rq = &percpu[cpu].rq;
	u64 flags = spin_lock_irqsave(&rq->lock);
	bool idle = rq->idle;

	v->cpu = cpu;
	v->runnable_since = arch_now();
	v->se.sleeping = true;	/* new or started again: it rises to the queue's virtual time */
	rq->nr++;
	rq_add(rq, v);
	spin_unlock_irqrestore(&rq->lock, flags);
	if (cpu != this_cpu()->cpu && idle)
		arch_kick_cpu(cpu);
}

/* A vCPU to run: runnable, woken from HLT (or asked to park), or of an ended VM (to retire). */
static bool can_run(struct sched_entity *se, void *ctx)
{
	struct runqueue *rq = ctx;
	struct vcpu *v = vcpu_of(se);
	u64 deadline;

	if (v->vm->state != VM_RUNNING || v->state == VCPU_RUNNABLE)
		return true;
	if ((v->requests & (VCPU_REQ_PARK | VCPU_REQ_STOP)) || arch_vcpu_wakeable(v))
		return true;
	deadline = arch_vcpu_deadline(v);
	if (deadline && deadline < rq->next_deadline)
		rq->next_deadline = deadline;
	if (deadline && deadline < rq->boost_at && v->vm->kind == VM_KIND_CONTROL)
		rq->boost_at = deadline;
	return false;
}

/* A control guest's vCPU in HLT or waiting for an event: its latency boost. */
static bool control_waiting(const struct vcpu *v)
{
	return v->vm->kind == VM_KIND_CONTROL && v->state == VCPU_BLOCKED;
}

/*
 * Go first, before any other of their queue or any other queue's (pick()):
 * the control guest's vCPUs that an event woke from HLT (its latency boost;
 * one that is busy takes its share like any other), and /dev/kvm vCPUs
 * that their VMM's thread wants back (KEEL_HC_VCPU_KICK: a signal).
 */
static bool boosted(const struct vcpu *v)
{
	return control_waiting(v) || (v->requests & VCPU_REQ_STOP);
}

static bool can_run_boosted(struct sched_entity *se, void *ctx)
{
	return boosted(vcpu_of(se)) && can_run(se, ctx);
}

/* Charged to the policy in batches of a tenth of a slice: most calls last a few microseconds. */
void sched_charge_lent(struct vcpu *v, u64 ticks)
{
	this_cpu()->rq.lent += ticks;
	v->lent_pending += ticks;
	if (v->lent_pending >= lent_batch) {
		policy->charge(&v->se, v->lent_pending, arch_now());
		v->lent_pending = 0;
	}
}

void sched_boost(struct vcpu *v)
{
	if (control_waiting(v))
		percpu[v->cpu].rq.need_resched = true;
}

/* Another CPU's vCPU this one may take: runnable, of a running VM, allowed here. */
static bool can_take(struct sched_entity *se, void *ctx)
{
	struct vcpu *v = vcpu_of(se);

	return v->vm->state == VM_RUNNING && v->state == VCPU_RUNNABLE &&
	       !vcpu_park_requested(v) && may_run_on(v, *(unsigned int *)ctx);
}

/* The vCPU this CPU's queue puts first, taken off the queue. */
static struct vcpu *pick_local(struct runqueue *rq)
{
	struct sched_entity *se;

	spin_lock(&rq->lock);
	rq->next_deadline = rq->boost_at = ~0ULL;
	/* Every vCPU that wakes rises to the floor of all that compete here, boosted or not. */
	se = sched_best(policy, &rq->q, arch_now(), can_run, rq, &rq->next_deadline);
	if (se && rq->boostable && !boosted(vcpu_of(se)))
		se = sched_best(policy, &rq->q, arch_now(), can_run_boosted, rq, NULL) ?: se;
	if (se)
		rq_remove(rq, vcpu_of(se));
	rq->idle = !se;	/* under the lock: sched_add() then knows to send a wake-up */
	spin_unlock(&rq->lock);
	return se ? vcpu_of(se) : NULL;
}

/*
 * Moves @v from @from's queue to this CPU's, if it is still waiting there.
 * Until it is found on that queue, under its lock, @v may be gone (its VM
 * ended and freed it): it is only compared before.
 */
static bool take(unsigned int from, struct vcpu *v)
{
	struct runqueue *src = &percpu[from].rq, *rq = &this_cpu()->rq;
	unsigned int cpu = this_cpu()->cpu;
	bool ok;

	spin_lock(&src->lock);
	ok = sched_queue_has(&src->q, &v->se) && can_take(&v->se, &cpu) && rq_remove(src, v);
	if (ok)
		src->nr--;
	spin_unlock(&src->lock);
	if (ok) {
		spin_lock(&rq->lock);
		v->cpu = cpu;
		rq->nr++;
		spin_unlock(&rq->lock);
	}
	return ok;
}

/* A copy of another queue's vCPU to weigh once its queue's lock is dropped. */
struct candidate {
	struct sched_entity se;
	struct sched_group group;
};

static void snapshot(struct candidate *c, const struct sched_entity *se)
{
	c->se = *se;
	c->group = *se->group;
	c->se.group = &c->group;
}

/* The best vCPU waiting on another CPU's queue, if the policy takes it over @local. */
static struct vcpu *pick_remote(struct vcpu *local)
{
	unsigned int cpu = this_cpu()->cpu, from = 0;
	struct sched_entity *best = local ? &local->se : NULL, *se;
	struct candidate c;
	struct vcpu *far = NULL;

	for (unsigned int o = 0; o < nr_cpus_possible; o++) {
		if (o == cpu || !percpu[o].online || !percpu[o].rq.movable)
			continue;
		spin_lock(&percpu[o].rq.lock);
		se = sched_best(policy, &percpu[o].rq.q, arch_now(), can_take, &cpu, NULL);
		if (se && (!best || policy->pull(se, best))) {
			snapshot(&c, se);
			best = &c.se;
			far = vcpu_of(se);
			from = o;
		}
		spin_unlock(&percpu[o].rq.lock);
	}
	return far && take(from, far) ? far : NULL;
}

/* This CPU's next vCPU: its own queue's first, or one taken from another queue. */
static struct vcpu *pick(struct runqueue *rq)
{
	struct vcpu *v = pick_local(rq), *far = v && boosted(v) ? NULL : pick_remote(v);

	if (!far)
		return v;
	spin_lock(&rq->lock);
	if (v)
		rq_add(rq, v);
	sched_arrive(policy, &rq->q, &far->se, can_run, rq);
	spin_unlock(&rq->lock);
	rq->idle = false;
	return far;
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

/* A /dev/kvm vCPU that needs its VMM leaves Keel's queues until its next KVM_RUN. */
static void hand_back(struct runqueue *rq, struct vcpu *v)
{
	drop(rq);
	managed_vcpu_hand_back(v);
}

/* Back on this CPU's queue: runnable, or blocked in HLT (VCPU_HALT: one that only another vCPU can end). */
static void requeue(struct runqueue *rq, struct vcpu *v, enum vcpu_action a)
{
	v->se.sleeping = a == VCPU_BLOCK || a == VCPU_HALT;
	v->runnable_since = arch_now();
	vcpu_run_end(v, v->se.sleeping, a == VCPU_HALT);
	spin_lock(&rq->lock);
	rq_add(rq, v);
	spin_unlock(&rq->lock);
}

/*
 * What a switch from one vCPU to another costs this CPU (make bench): from
 * the end of the last slice's run loop (its exit handled) to the next one's
 * first entry: put, charge, requeue, pick, load.
 */
static void count_switch(struct runqueue *rq, const struct vcpu *v)
{
	if (rq->last && rq->last != v && rq->slice_left) {
		rq->switch_ticks += arch_now() - rq->slice_left;
		rq->switches++;
	}
	rq->last = v;
}

/* One slice, ended early by its cap, a block, or a kick; charged to its policy. */
static void run_slice(struct runqueue *rq, struct vcpu *v)
{
	enum vcpu_action a = VCPU_CONTINUE;
	u64 start = arch_now(), end;

	if (v->state == VCPU_RUNNABLE && start > v->runnable_since)	/* two CPUs' TSCs */
		v->wait_ticks += start - v->runnable_since;
	vcpu_run_begin(v);
	rq->slices++;
	rq->need_resched = false;
	rq->slice_end = policy->slice_end(&v->se, start, arch_ns_to_ticks(SCHED_SLICE_NS));
	sched_arm_timer(rq, MIN(rq->slice_end, rq->boost_at));
	arch_vcpu_load(v);
	if (v->run)
		arch_vcpu_sched_in(v);
	count_switch(rq, v);
	while (!rq->need_resched && v->vm->state == VM_RUNNING && a == VCPU_CONTINUE)
		a = v->run ? managed_vcpu_run_once(v) : arch_vcpu_run_once(v);
	if (v->run && (v->requests & VCPU_REQ_STOP) && a != VCPU_EXIT_TO_VMM)
		a = managed_vcpu_run_once(v);	/* back to its VMM now, not after another slice */
	rq->slice_left = arch_now();
	arch_vcpu_put(v);
	arch_vcpu_release(v);
	end = arch_now();
	/* A control vCPU is not charged what it lent to a /dev/kvm vCPU (sched_charge_lent()). */
	policy->charge(&v->se, end - start - MIN(rq->lent, end - start), end);
	rq->lent = 0;
	v->se.ran_on[this_cpu()->cpu / 64] |= BIT(this_cpu()->cpu % 64);
	if (v->vm->state != VM_RUNNING)
		retire(rq, v);
	else if (a == VCPU_PARK)
		park(rq, v);
	else if (a == VCPU_EXIT_TO_VMM)
		hand_back(rq, v);
	else
		requeue(rq, v, a);
}

/* @v, taken off this CPU's queue, may no longer run here (its affinity changed): it moves. */
static void move(struct runqueue *rq, struct vcpu *v)
{
	drop(rq);
	sched_add(v);
}

static void idle(struct runqueue *rq)
{
	u64 now = arch_now();

	if (rq->next_deadline <= now) {
		rq->idle = false;
		return;
	}
	rq->slice_end = 0;	/* no slice: the wake-up only ends the HLT */
	rq->slice_left = 0;	/* nor a switch: the CPU idled between */
	rq->armed = now + MIN(arch_ns_to_ticks(IDLE_WAKE_NS), rq->next_deadline - now);
	arch_timer_arm(rq->armed);
	arch_idle();
	rq->idle = false;
	rq->idle_ticks += arch_now() - now;
}

void sched_loop(void)
{
	struct runqueue *rq = &this_cpu()->rq;

	for (;;) {
		struct vcpu *v;

		v = pick(rq);

		if (!v)
			idle(rq);
		else if (v->vm->state != VM_RUNNING)
			retire(rq, v);
		else if (!may_run_on(v, this_cpu()->cpu))
			move(rq, v);
		else
			run_slice(rq, v);
	}
}

void sched_report(void)
{
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++) {
		const struct runqueue *rq = &percpu[cpu].rq;

		if (percpu[cpu].online && rq->switches)
			pr_info("keel: cpu %u: %llu slices, %llu switches of %llu ns each\n", cpu,
				(unsigned long long)rq->slices, (unsigned long long)rq->switches,
				(unsigned long long)(arch_ticks_to_ns(rq->switch_ticks) / rq->switches));
	}
}

bool sched_mask_online(const u64 *mask)
{
	for (unsigned int cpu = 0; cpu < nr_cpus_possible; cpu++)
		if (percpu[cpu].online && (mask[cpu / 64] & BIT(cpu % 64)))
			return true;
	return false;
}

int sched_cpu_stats(u64 cpu, u64 *stats)
{
	const struct percpu *pc;

	if (cpu >= MAX_CPUS)
		return -EINVAL;
	pc = &percpu[array_index_nospec((unsigned int)cpu, MAX_CPUS)];
	if (!pc->online)
		return -EINVAL;
	stats[KEEL_CPU_STAT_IRQS] = pc->irqs;
	stats[KEEL_CPU_STAT_TIMER_TICKS] = pc->timer_ticks;
	stats[KEEL_CPU_STAT_SLICES] = pc->rq.slices;
	stats[KEEL_CPU_STAT_IDLE_NS] = arch_ticks_to_ns(pc->rq.idle_ticks);
	stats[KEEL_CPU_STAT_VCPUS] = pc->rq.nr;
	stats[KEEL_CPU_STAT_SWITCHES] = pc->rq.switches;
	stats[KEEL_CPU_STAT_SWITCH_NS] = arch_ticks_to_ns(pc->rq.switch_ticks);
	return 0;
}
