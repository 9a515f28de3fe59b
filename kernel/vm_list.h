/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every VM Keel runs, by id, for the administrator's hypercalls
 * (KEEL_HC_VM_LIST, KEEL_HC_VM_STATS): keelctl in the control guest.
 */
#ifndef KEEL_VM_LIST_H
#define KEEL_VM_LIST_H

#include "kernel/types.h"

struct vm;

/* Gives @vm its id and lists it; vm_create() calls it. */
void vm_list_add(struct vm *vm);
/* Takes @vm off the list, if it is on it; vm_destroy() calls it before freeing anything. */
void vm_list_del(struct vm *vm);
/* KEEL_HC_VM_LIST: up to @n struct keel_vm_info to @gpa of @caller; the number of VMs. */
s64 vm_list_info(struct vm *caller, u64 gpa, u64 n);
/* KEEL_HC_VM_STATS: the counters of VM @id's vCPU @index (or KEEL_STATS_VM). */
s64 vm_list_stats(struct vm *caller, u64 id, u64 index, u64 gpa, u64 n);
/* KEEL_HC_VM_DUMP: VM @id's vCPU @index, its registers if it is not in use, to @gpa of @caller. */
int vm_list_dump(struct vm *caller, u64 id, u64 index, u64 gpa, u64 size);
/* KEEL_HC_SCHED: gets or sets the scheduling of VM @id (@index KEEL_SCHED_VM) or of its vCPU @index. */
int vm_list_sched(struct vm *caller, u64 id, u64 index, u64 op, u64 gpa);
/* The counters KEEL_HC_STATS reports for @v (@v NULL: @vm's), up to @n to @gpa of @caller. */
s64 vm_stats_write(struct vm *vm, struct vcpu *v, struct vm *caller, u64 gpa, u64 n);

#endif
