// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU lifecycle. Every change of vcpu->state happens here under
 * vcpu->lock, and every change of the VM's live and halted counts under
 * vm->lock taken inside it. Lock order: vcpu->lock, then a run queue's
 * lock, then vm->lock; a vLAPIC's lock is never held with any of them.
 *
 * A vCPU on a run queue is changed only by that CPU's scheduler, which takes
 * it off the queue before vcpu_run_begin(): no other CPU starts, parks or
 * runs it meanwhile, since vcpu_start() acts on PARKED vCPUs only and
 * vcpu_request_park() only leaves a request that the vCPU's own CPU carries out.
 */
#include "kernel/arch.h"
#include "kernel/panic.h"
#include "kernel/sched.h"
#include "kernel/vcpu.h"
#include "kernel/vm.h"

#define S(x) BIT(VCPU_##x)

/* Legal transitions, from -> set of to (KVM_RUN enters from IDLE and returns to it). */
static const u16 allowed[NR_VCPU_STATES] = {
	[VCPU_IDLE] = S(RUNNABLE) | S(PARKED) | S(FROZEN) | S(DEAD),
	[VCPU_PARKED] = S(RUNNABLE) | S(IDLE) | S(FROZEN) | S(DEAD),
	[VCPU_RUNNABLE] = S(RUNNING) | S(DEAD),
	[VCPU_RUNNING] = S(RUNNABLE) | S(BLOCKED) | S(PARKED) | S(IDLE) | S(DEAD),
	[VCPU_BLOCKED] = S(RUNNING) | S(DEAD),
	[VCPU_FROZEN] = S(IDLE) | S(PARKED) | S(DEAD),
	[VCPU_DEAD] = 0,
};

static const char *const names[NR_VCPU_STATES] = {
	"idle", "parked", "runnable", "running", "blocked", "frozen", "dead",
};

bool vcpu_transition_ok(enum vcpu_state from, enum vcpu_state to)
{
	return from < NR_VCPU_STATES && to < NR_VCPU_STATES && (allowed[from] & BIT(to));
}

const char *vcpu_state_name(enum vcpu_state s)
{
	return s < NR_VCPU_STATES ? names[s] : "?";
}

/* Caller holds v->lock. */
static void set_state(struct vcpu *v, enum vcpu_state to)
{
	ASSERT(vcpu_transition_ok(v->state, to));
	v->state = to;
}

/* Adds @d to the live count (and @h to the halted one); true when every live vCPU is halted for good. */
static bool count(struct vcpu *v, int d, int h)
{
	struct vm *vm = v->vm;
	bool all_halted;

	spin_lock(&vm->lock);
	vm->live_vcpus += d;
	vm->halted_vcpus += h;
	all_halted = vm->live_vcpus && vm->halted_vcpus == vm->live_vcpus;
	spin_unlock(&vm->lock);
	return all_halted;
}

static void start_locked(struct vcpu *v, void (*setup)(struct vcpu *v, u64 arg), u64 arg)
{
	if (setup)
		setup(v, arg);
	set_state(v, VCPU_RUNNABLE);
	count(v, 1, 0);
	sched_add(v);
}

bool vcpu_start(struct vcpu *v, void (*setup)(struct vcpu *v, u64 arg), u64 arg)
{
	u64 flags = spin_lock_irqsave(&v->lock);
	bool started = v->state == VCPU_PARKED && !v->park_requested;

	if (started) {
		start_locked(v, setup, arg);
	} else if (v->park_requested) {
		v->start_latched = true;	/* carried out by vcpu_park() */
		v->start_setup = setup;
		v->start_arg = arg;
		started = true;
	}
	spin_unlock_irqrestore(&v->lock, flags);
	return started;
}

bool vcpu_request_park(struct vcpu *v)
{
	u64 flags = spin_lock_irqsave(&v->lock);
	bool request = v->state != VCPU_PARKED && v->state != VCPU_DEAD;

	if (request) {
		v->park_requested = true;
		v->start_latched = false;
		__atomic_fetch_or(&v->requests, VCPU_REQ_PARK, __ATOMIC_SEQ_CST);
	}
	spin_unlock_irqrestore(&v->lock, flags);
	return request;
}

bool vcpu_park_requested(const struct vcpu *v)
{
	return v->park_requested;
}

/* A wake-up from a HLT that nothing could end (an NMI, an INIT) makes the vCPU count as running again. */
void vcpu_run_begin(struct vcpu *v)
{
	spin_lock(&v->lock);
	if (v->halted_for_good) {
		v->halted_for_good = false;
		count(v, 0, -1);
	}
	set_state(v, VCPU_RUNNING);
	spin_unlock(&v->lock);
}

void vcpu_run_end(struct vcpu *v, bool blocked, bool for_good)
{
	bool all_halted = false;

	spin_lock(&v->lock);
	set_state(v, blocked ? VCPU_BLOCKED : VCPU_RUNNABLE);
	if (blocked && for_good) {
		v->halted_for_good = true;
		all_halted = count(v, 0, 1);
	}
	spin_unlock(&v->lock);
	if (all_halted)
		vm_end(v->vm, 0, "halted");
}

void vcpu_park(struct vcpu *v)
{
	spin_lock(&v->lock);
	set_state(v, VCPU_PARKED);
	count(v, -1, 0);
	v->park_requested = false;
	__atomic_fetch_and(&v->requests, ~VCPU_REQ_PARK, __ATOMIC_SEQ_CST);
	if (v->start_latched) {
		v->start_latched = false;
		start_locked(v, v->start_setup, v->start_arg);
	}
	spin_unlock(&v->lock);
}

void vcpu_retire(struct vcpu *v)
{
	struct vm *vm = v->vm;
	bool last;

	spin_lock(&v->lock);
	set_state(v, VCPU_DEAD);
	if (v->halted_for_good)
		count(v, 0, -1);
	spin_lock(&vm->lock);
	last = --vm->live_vcpus == 0;
	spin_unlock(&vm->lock);
	spin_unlock(&v->lock);
	if (last && vm->on_end)
		vm->on_end(vm);
}
