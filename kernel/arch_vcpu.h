/* SPDX-License-Identifier: GPL-2.0 */
/* The hooks the arch-neutral scheduler calls to run a vCPU (arch/x86/vcpu.c). */
#ifndef KEEL_ARCH_VCPU_H
#define KEEL_ARCH_VCPU_H

#include "kernel/types.h"

struct vcpu;

enum vcpu_action {
	VCPU_CONTINUE,	/* enter the guest again */
	VCPU_BLOCK,	/* HLT: wait for an interrupt */
	VCPU_STOP,	/* its VM ended */
	VCPU_PARK,	/* INIT: off the run queue until a SIPI starts it again */
};

void arch_vcpu_load(struct vcpu *v);
void arch_vcpu_put(struct vcpu *v);
/* @v will not run again on this CPU: forget any state of it the CPU holds. */
void arch_vcpu_retire(struct vcpu *v);
/* One guest entry and the handling of its exit. */
enum vcpu_action arch_vcpu_run_once(struct vcpu *v);
/* @v, parked (VCPU_PARK), is off its CPU and queue: it may be started again from now on. */
void arch_vcpu_parked(struct vcpu *v);
/* True if an interrupt is pending that would wake @v from HLT. */
bool arch_vcpu_wakeable(struct vcpu *v);
/* TSC of @v's earliest timer (test device, virtual LAPIC), 0 if none is armed. */
u64 arch_vcpu_deadline(struct vcpu *v);

#endif
