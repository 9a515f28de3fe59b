/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMs the control guest creates for its VMMs (/dev/kvm, keel-kvm.ko),
 * named to it by handles (kernel/managed_vm.c).
 */
#ifndef KEEL_MANAGED_VM_H
#define KEEL_MANAGED_VM_H

#include "kernel/types.h"

/* A new empty VM of kind VM_KIND_KVM: its handle (> 0), -ENOSPC or -ENOMEM. */
s64 managed_vm_create(void);
/* Frees the VM @handle names: 0, or -EINVAL if it names none. */
int managed_vm_destroy(u64 handle);

#endif
