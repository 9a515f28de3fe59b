/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMs the control guest creates for its VMMs (/dev/kvm, keel-kvm.ko),
 * named to it by handles (kernel/managed_vm.c), and their vCPUs
 * (kernel/managed_vcpu.c).
 */
#ifndef KEEL_MANAGED_VM_H
#define KEEL_MANAGED_VM_H

#include "kernel/arch.h"
#include "kernel/types.h"

struct vcpu;
struct vm;

/* A new empty VM of kind VM_KIND_KVM for the VMM @pid: its handle (> 0), -ENOSPC or -ENOMEM. */
s64 managed_vm_create(u64 pid);
/* Drops the handle: -EINVAL if it names no VM; the VM goes with its last reference. */
int managed_vm_destroy(u64 handle);
/* The VM @handle names with a reference held, or NULL; managed_vm_put() drops it. */
struct vm *managed_vm_get(u64 handle);
void managed_vm_put(struct vm *vm);
/* Another reference on @vm, which the caller holds one on already. */
void managed_vm_hold(struct vm *vm);

/*
 * The vCPU calls of guest-abi/keel/hypercall.h on @vm, made by the control
 * guest's vCPU @caller: results as documented there.
 */
int managed_vcpu_create(struct vm *vm, u64 id, u64 run_frame, u64 how, struct vm *caller_vm);
int managed_vcpu_run(struct vm *vm, u64 id, struct vcpu *caller, u64 how, u64 vector);
int managed_vcpu_kick(struct vm *vm, u64 id);
/* KEEL_HC_VCPU_KICK on every vCPU of @vm (its handle was destroyed). */
void managed_vcpu_stop_all(struct vm *vm);
/* A queued vCPU's entry, for the scheduler's slice (kernel/sched.c). */
enum vcpu_action managed_vcpu_run_once(struct vcpu *v);
/* The scheduler gives back a queued vCPU whose exit needs its VMM, and tells the caller that queued it. */
void managed_vcpu_hand_back(struct vcpu *v);
int managed_vcpu_state(struct vm *vm, u64 id, u64 op, u64 mask);
int managed_vcpu_msrs(struct vm *vm, u64 id, u64 gpa, u64 arg, struct vm *caller_vm);
int managed_vcpu_cpuid(struct vm *vm, u64 id, u64 gpa, u64 arg, struct vm *caller_vm);
s64 managed_vcpu_translate(struct vm *vm, u64 id, u64 gva);
int managed_vcpu_clock_stopped(struct vm *vm, u64 id);
/* KEEL_CLOCK_TSC_OFFSET_*: @val is the offset to set, or where in @caller_vm to write it. */
int managed_vcpu_tsc_offset(struct vm *vm, u64 id, bool set, u64 val, struct vm *caller_vm);
int managed_enable_cap(struct vm *vm, u64 cap, u64 id, u64 val);
/* KEEL_HC_STATS: up to @n counters of vCPU @id (or KEEL_STATS_VM) to @gpa of @caller_vm. */
s64 managed_stats(struct vm *vm, u64 id, u64 gpa, u64 n, struct vm *caller_vm);

#endif
