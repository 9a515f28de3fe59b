/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vCPU lifecycle, owned by kernel/vcpu.c: every change of vcpu->state
 * and of a VM's live and halted counts happens there.
 */
#ifndef KEEL_VCPU_H
#define KEEL_VCPU_H

#include "kernel/types.h"

struct vcpu;

/*
 *   IDLE     not in the run loop: the VMM is outside KVM_RUN (/dev/kvm VMs)
 *   PARKED   waits to be started: not started yet, or INIT received (SIPI starts it)
 *   RUNNABLE on the run queue of CPU vcpu->cpu
 *   RUNNING  taken by CPU vcpu->cpu: in guest mode or handling its exit
 *   BLOCKED  HLT: on its run queue, skipped until an event wakes it
 *   FROZEN   held off every CPU while its state is read or written
 *   DEAD     its VM ended: it never runs again
 */
enum vcpu_state {
	VCPU_IDLE,
	VCPU_PARKED,
	VCPU_RUNNABLE,
	VCPU_RUNNING,
	VCPU_BLOCKED,
	VCPU_FROZEN,
	VCPU_DEAD,
	NR_VCPU_STATES
};

/* Whether the lifecycle allows @from -> @to (the table in kernel/vcpu.c, unit-tested). */
bool vcpu_transition_ok(enum vcpu_state from, enum vcpu_state to);

/*
 * Starts a PARKED vCPU: @setup(@v, @arg), unless NULL, gives it its entry
 * state under the lock, then it is queued (on its pinned CPU, else the least loaded). A
 * start that arrives while @v is on its way to PARKED (vcpu_request_park())
 * is kept and carried out once it has parked. Otherwise ignored: false.
 */
bool vcpu_start(struct vcpu *v, void (*setup)(struct vcpu *v, u64 arg), u64 arg);
/* INIT: a vCPU not parked parks at its next entry (true); one parked (or dead) stays so (false). */
bool vcpu_request_park(struct vcpu *v);
/* Whether @v must park (an INIT it has not acted on yet). */
bool vcpu_park_requested(const struct vcpu *v);
/* An NMI was raised for @v: a HLT it is in no longer counts as one for good. */
void vcpu_unhalt(struct vcpu *v);

/*
 * The run loop's transitions on its own CPU. vcpu_run_begin: RUNNABLE or
 * BLOCKED -> RUNNING. vcpu_run_end: RUNNING -> RUNNABLE, or BLOCKED with
 * @blocked (HLT); @for_good: no event can end this HLT (interrupts off, no
 * NMI source), and when every live vCPU of the VM is so, the VM ends
 * ("halted"). vcpu_park: RUNNING -> PARKED (the VM ends when no live vCPU
 * is left, or only halted ones). vcpu_retire: -> DEAD, and the VM's
 * on_end() runs when its last live vCPU is gone.
 */
void vcpu_run_begin(struct vcpu *v);
void vcpu_run_end(struct vcpu *v, bool blocked, bool for_good);
void vcpu_park(struct vcpu *v);
void vcpu_retire(struct vcpu *v);

/*
 * A /dev/kvm vCPU outside KVM_RUN is IDLE; a call that runs it (RUNNING)
 * or reads or writes its state (FROZEN) claims it from IDLE: false if
 * another CPU has it. vcpu_unclaim() returns it to IDLE.
 */
bool vcpu_claim(struct vcpu *v, enum vcpu_state to);
void vcpu_unclaim(struct vcpu *v);
/* A vCPU claimed to run (RUNNING) joins CPU @cpu's run queue instead (RUNNABLE). */
void vcpu_queue(struct vcpu *v, unsigned int cpu);

#endif
