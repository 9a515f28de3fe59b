/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A /dev/kvm VM's write log, where the CPU logs guest writes itself (VMX's
 * page-modification logging): the guest-physical pages whose first write
 * since KEEL_MAP_LOG or KEEL_UNMAP_CLEAN the CPU logged, gathered from each
 * vCPU's buffer at its exits until the control guest fetches them
 * (KEEL_HC_DIRTY_FETCH). Without such a CPU a VM has none, and the control
 * guest logs writes by write protection and faults.
 */
#ifndef KEEL_DIRTY_LOG_H
#define KEEL_DIRTY_LOG_H

#include "kernel/types.h"

struct vm;

/* Gives @vm a write log if the CPU logs writes (arch_logs_writes()); 0 or -ENOMEM. */
int dirty_log_create(struct vm *vm);
void dirty_log_free(struct vm *vm);
/* Takes the first of @n logged addresses that fit: returns how many it took. */
unsigned int dirty_log_add(struct vm *vm, const u64 *gpa, unsigned int n);
/* KEEL_HC_DIRTY_FETCH into the caller @to's buffer @buf of @max addresses. */
s64 dirty_log_fetch(struct vm *vm, struct vm *to, u64 buf, u64 max);

#endif
