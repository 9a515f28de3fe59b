// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU lifecycle. Every change of vcpu->state happens here, under
 * vcpu->lock except a /dev/kvm vCPU's claim and unclaim (atomic, see
 * vcpu_claim()); every change of the VM's live and halted counts, under
 * vm->lock, taken inside it (only a retiring vCPU drops its own lock first:
 * the last retirement may free it). Lock order: vcpu->lock, then a run
 * queue's lock, then a vLAPIC's lock (the scheduler asks whether a blocked
 * vCPU can wake), then vm->lock.
 *
 * A vCPU on a run queue is changed only by the scheduler of the CPU that
 * takes it off the queue (its own, or another that moves a RUNNABLE one to
 * its queue, kernel/sched.c take()), under that queue's lock, before
 * vcpu_run_begin(): no other CPU starts, parks or runs it meanwhile, since
 * vcpu_start() acts on PARKED vCPUs only, and vcpu_request_park() and
 * KEEL_HC_VCPU_KICK only leave requests that the CPU running it carries
 * out. KEEL_HC_SCHED changes a queued vCPU's weight and affinity, which
 * that CPU reads as it goes (a vCPU its affinity leaves out moves).
 */
#include "kernel/arch.h"
#include "kernel/panic.h"
#include "kernel/sched.h"
#include "kernel/vcpu.h"
#include "kernel/vm.h"

#define S(x) BIT(VCPU_##x)

/*
 * Legal transitions, from -> set of to. KVM_RUN enters from IDLE and returns
 * to it: on the calling CPU directly (IDLE -> RUNNING), without a run queue,
 * or through one (RUNNING -> RUNNABLE, and RUNNING -> IDLE when it needs
 * its VMM).
 */
static const u16 allowed[NR_VCPU_STATES] = {
	[VCPU_IDLE] = S(RUNNABLE) | S(RUNNING) | S(PARKED) | S(FROZEN) | S(DEAD),
	[VCPU_PARKED] = S(RUNNABLE) | S(IDLE) | S(FROZEN) | S(DEAD),
	[VCPU_RUNNABLE] = S(RUNNING) | S(DEAD),
	[VCPU_RUNNING] = S(RUNNABLE) | S(BLOCKED) | S(PARKED) | S(IDLE) | S(DEAD),
	[VCPU_BLOCKED] = S(RUNNING) | S(DEAD),
	[VCPU_FROZEN] = S(IDLE) | S(PARKED) | S(DEAD),
	[VCPU_DEAD] = 0,
};

bool vcpu_transition_ok(enum vcpu_state from, enum vcpu_state to)
{
	return from < NR_VCPU_STATES && to < NR_VCPU_STATES && (allowed[from] & BIT(to));
}

/* Caller holds v->lock. */
static void set_state(struct vcpu *v, enum vcpu_state to)
{
	ASSERT(vcpu_transition_ok(v->state, to));
	v->state = to;
}

/* Adds @h to the VM's halted count; true when every live vCPU is halted for good. */
static bool count_halted(struct vcpu *v, int h)
{
	struct vm *vm = v->vm;
	bool all_halted;

	spin_lock(&vm->lock);
	vm->halted_vcpus += h;
	all_halted = vm->live_vcpus && vm->halted_vcpus == vm->live_vcpus;
	spin_unlock(&vm->lock);
	return all_halted;
}

/* @v joins the live count, unless its VM has ended (under vm->lock, where vm_end() decides). */
static bool join(struct vcpu *v)
{
	struct vm *vm = v->vm;
	bool running;

	spin_lock(&vm->lock);
	running = vm->state == VM_RUNNING;
	if (running)
		vm->live_vcpus++;
	spin_unlock(&vm->lock);
	return running;
}

/*
 * A vCPU leaves the live count (parked or dead), its lock already dropped:
 * this is the last access to it, as the last one to leave may free it
 * through on_end(). When no live vCPU is left, or all left are halted for
 * good, nothing can run the VM again and it ends.
 */
static void leave(struct vm *vm, bool was_halted)
{
	bool last;

	spin_lock(&vm->lock);
	vm->live_vcpus--;
	if (was_halted)
		vm->halted_vcpus--;
	last = !vm->live_vcpus;
	if (last || vm->halted_vcpus == vm->live_vcpus)
		vm_end_locked(vm, 0, "halted");
	spin_unlock(&vm->lock);
	if (last && vm->on_end)
		vm->on_end(vm);
}

static void queue_locked(struct vcpu *v, void (*setup)(struct vcpu *v, u64 arg), u64 arg)
{
	if (setup)
		setup(v, arg);
	set_state(v, VCPU_RUNNABLE);
	sched_add(v);
}

bool vcpu_start(struct vcpu *v, void (*setup)(struct vcpu *v, u64 arg), u64 arg)
{
	u64 flags = spin_lock_irqsave(&v->lock);
	bool started = v->state == VCPU_PARKED && !vcpu_park_requested(v) && join(v);

	if (started) {
		queue_locked(v, setup, arg);
	} else if (vcpu_park_requested(v)) {
		v->start_latched = true;	/* carried out by vcpu_park() */
		v->start_setup = setup;
		v->start_arg = arg;
		started = true;
	}
	spin_unlock_irqrestore(&v->lock, flags);
	return started;
}

/* Caller holds v->lock: an event that ends its HLT came, so it no longer counts as halted. */
static void unhalt_locked(struct vcpu *v)
{
	if (v->halted_for_good) {
		v->halted_for_good = false;
		count_halted(v, -1);
	}
}

void vcpu_unhalt(struct vcpu *v)
{
	u64 flags = spin_lock_irqsave(&v->lock);

	unhalt_locked(v);
	spin_unlock_irqrestore(&v->lock, flags);
}

bool vcpu_request_park(struct vcpu *v)
{
	u64 flags = spin_lock_irqsave(&v->lock);
	bool request = v->state != VCPU_PARKED && v->state != VCPU_DEAD;

	if (request) {
		v->start_latched = false;
		__atomic_fetch_or(&v->requests, VCPU_REQ_PARK, __ATOMIC_SEQ_CST);
		unhalt_locked(v);
	}
	spin_unlock_irqrestore(&v->lock, flags);
	return request;
}

bool vcpu_park_requested(const struct vcpu *v)
{
	return v->requests & VCPU_REQ_PARK;
}

void vcpu_run_begin(struct vcpu *v)
{
	spin_lock(&v->lock);
	unhalt_locked(v);
	set_state(v, VCPU_RUNNING);
	spin_unlock(&v->lock);
}

/*
 * A HLT counts as for good only if, under the lock, no NMI or INIT is
 * pending: one raised since the exit handler looked would otherwise be
 * missed by vcpu_unhalt(), which found nothing counted yet.
 */
void vcpu_run_end(struct vcpu *v, bool blocked, bool for_good)
{
	bool all_halted = false;

	spin_lock(&v->lock);
	set_state(v, blocked ? VCPU_BLOCKED : VCPU_RUNNABLE);
	if (blocked && for_good && !vcpu_park_requested(v) && !arch_vcpu_nmi_pending(v)) {
		v->halted_for_good = true;
		all_halted = count_halted(v, 1);
	}
	spin_unlock(&v->lock);
	if (all_halted)
		vm_end(v->vm, 0, "halted");
}

/* A start latched while it parked goes ahead at once, without leaving the live count. */
void vcpu_park(struct vcpu *v)
{
	struct vm *vm = v->vm;
	bool latched, halted;

	spin_lock(&v->lock);
	set_state(v, VCPU_PARKED);
	__atomic_fetch_and(&v->requests, ~VCPU_REQ_PARK, __ATOMIC_SEQ_CST);
	latched = v->start_latched;
	v->start_latched = false;
	halted = v->halted_for_good;
	v->halted_for_good = false;
	if (latched)
		queue_locked(v, v->start_setup, v->start_arg);
	spin_unlock(&v->lock);
	if (!latched)
		leave(vm, halted);
}

void vcpu_retire(struct vcpu *v)
{
	struct vm *vm = v->vm;
	bool halted;

	spin_lock(&v->lock);
	set_state(v, VCPU_DEAD);
	halted = v->halted_for_good;
	v->halted_for_good = false;
	spin_unlock(&v->lock);
	leave(vm, halted);
}

/*
 * Without the lock, as every KVM_RUN claims and unclaims: only the claim
 * takes a vCPU out of IDLE and only its claimer changes it while claimed
 * (vcpu_queue() and the scheduler's changes while queued come before
 * vcpu_unclaim()), and a VM's vCPUs retire only once no claimer can reach
 * it (no hypercall holds it, it left the VM list). Acquire and release
 * carry the vCPU's state from one claimer to the next, as the lock did.
 */
bool vcpu_claim(struct vcpu *v, enum vcpu_state to)
{
	enum vcpu_state idle = VCPU_IDLE;

	ASSERT(vcpu_transition_ok(VCPU_IDLE, to));
	return __atomic_compare_exchange_n(&v->state, &idle, to, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

void vcpu_queue(struct vcpu *v, unsigned int cpu)
{
	u64 flags = spin_lock_irqsave(&v->lock);

	set_state(v, VCPU_RUNNABLE);
	sched_add_on(v, cpu);
	spin_unlock_irqrestore(&v->lock, flags);
}

void vcpu_unclaim(struct vcpu *v)
{
	ASSERT(vcpu_transition_ok(v->state, VCPU_IDLE));
	__atomic_store_n(&v->state, VCPU_IDLE, __ATOMIC_RELEASE);
}
