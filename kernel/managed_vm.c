// SPDX-License-Identifier: GPL-2.0
/*
 * The VMs the control guest creates for its VMMs. The control guest names
 * them by handle, never by address: a handle is a slot index and that
 * slot's generation, so a handle of a destroyed VM never names the VM that
 * reuses its slot, and a made-up one names nothing.
 */
#include "kernel/errno.h"
#include "kernel/format.h"
#include "kernel/managed_vm.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/vm.h"
#include "keel/hypercall.h"

#define GEN_SHIFT 8
#define GEN_MASK 0xffffffULL

struct managed {
	struct vm *vm;
	u32 gen;
};

static struct managed slots[KEEL_MAX_VMS];
static struct spinlock lock = SPINLOCK_INIT;

_Static_assert(KEEL_MAX_VMS < BIT(GEN_SHIFT), "slot index does not fit the handle");

static u64 handle_of(unsigned int i)
{
	return (u64)slots[i].gen << GEN_SHIFT | (i + 1);
}

/* The slot @handle names, or -1. Caller holds lock. */
static int slot_of(u64 handle)
{
	u64 i = (handle & (BIT(GEN_SHIFT) - 1)) - 1;

	if (i >= KEEL_MAX_VMS || !slots[i].vm || (handle >> GEN_SHIFT) != slots[i].gen)
		return -1;
	return (int)i;
}

/* Claims a free slot (its vm set to a placeholder until the VM exists), or -1. */
static int claim(void)
{
	u64 flags = spin_lock_irqsave(&lock);
	int found = -1;

	for (unsigned int i = 0; i < KEEL_MAX_VMS && found < 0; i++) {
		if (slots[i].vm)
			continue;
		slots[i].vm = (struct vm *)&slots[i];
		slots[i].gen = (slots[i].gen + 1) & GEN_MASK;
		found = (int)i;
	}
	spin_unlock_irqrestore(&lock, flags);
	return found;
}

s64 managed_vm_create(void)
{
	char name[VM_NAME_LEN];
	int i = claim();
	struct vm *vm;

	if (i < 0)
		return -ENOSPC;
	snformat(name, sizeof(name), "kvm-%d", i);
	vm = vm_create(name, 0, 0);
	if (!vm) {
		slots[i].vm = NULL;
		return -ENOMEM;
	}
	vm->kind = VM_KIND_KVM;
	slots[i].vm = vm;
	pr_debug("keel: vm %s created for the control guest (handle %#llx)\n", name,
		(unsigned long long)handle_of((unsigned int)i));
	return (s64)handle_of((unsigned int)i);
}

int managed_vm_destroy(u64 handle)
{
	u64 flags = spin_lock_irqsave(&lock);
	int i = slot_of(handle);
	struct vm *vm = NULL;

	if (i >= 0 && slots[i].vm != (struct vm *)&slots[i]) {
		vm = slots[i].vm;
		slots[i].vm = NULL;
	}
	spin_unlock_irqrestore(&lock, flags);
	if (!vm)
		return -EINVAL;
	pr_debug("keel: vm %s destroyed by the control guest\n", vm->name);
	vm_destroy(vm);
	return 0;
}
