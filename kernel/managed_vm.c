// SPDX-License-Identifier: GPL-2.0
/*
 * The VMs the control guest creates for its VMMs (/dev/kvm). The control
 * guest names them by handle, never by address: a handle is a slot index
 * and that slot's generation, so a handle of a destroyed VM never names the
 * VM that reuses its slot, and a made-up one names nothing. Each call holds
 * a reference on the VM it names, so KEEL_HC_VM_DESTROY frees a VM only
 * when no call on another CPU still uses it.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/format.h"
#include "kernel/managed_vm.h"
#include "kernel/memslot.h"
#include "kernel/percpu.h"
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
/*
 * Guards slots[]. A VM's refs are atomic: a handle's lookup takes one under
 * the lock, where the slot's own reference (dropped only after the slot is
 * cleared, managed_vm_destroy()) keeps the count above 0; a holder adds or
 * drops one without it.
 */
static struct spinlock lock = SPINLOCK_INIT;

_Static_assert(KEEL_MAX_VMS < BIT(GEN_SHIFT), "slot index does not fit the handle");
_Static_assert(KEEL_MAX_VCPUS <= VM_MAX_VCPUS, "vCPU ids do not fit a VM");

static u64 handle_of(unsigned int i)
{
	return (u64)slots[i].gen << GEN_SHIFT | (i + 1);
}

/* The slot @handle names, or -1. Caller holds lock. */
static int slot_of(u64 handle)
{
	u64 i = (handle & (BIT(GEN_SHIFT) - 1)) - 1;

	if (i >= KEEL_MAX_VMS || !slots[i].vm || (handle >> GEN_SHIFT) != slots[i].gen ||
	    slots[i].vm == (struct vm *)&slots[i])
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

static struct vm *create(const char *name)
{
	struct vm *vm = vm_create(name, 0, 0);

	if (!vm)
		return NULL;
	if (memslots_create(vm)) {
		vm_destroy(vm);
		return NULL;
	}
	vm->kind = VM_KIND_KVM;
	vm->write_log = arch_logs_writes();
	vm->refs = 1;	/* the handle's */
	arch_vm_init_vmm(vm);
	return vm;
}

s64 managed_vm_create(u64 pid)
{
	char name[VM_NAME_LEN];
	int i = claim();
	struct vm *vm;

	if (i < 0)
		return -ENOSPC;
	snformat(name, sizeof(name), "kvm-%d", i);
	vm = create(name);
	if (!vm) {
		slots[i].vm = NULL;
		return -ENOMEM;
	}
	vm->vmm_pid = pid;
	slots[i].vm = vm;
	/* At debug level: in the ring (keelctl log), on the console with keel.loglevel=7 only. */
	pr_debug("keel: vm %u (%s) created for pid %llu\n", vm->id, name, (unsigned long long)pid);
	return (s64)handle_of((unsigned int)i);
}

struct vm *managed_vm_get(u64 handle)
{
	u64 flags = spin_lock_irqsave(&lock);
	int i = slot_of(handle);
	struct vm *vm = i >= 0 ? slots[i].vm : NULL;

	if (vm)
		__atomic_fetch_add(&vm->refs, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&lock, flags);
	return vm;
}

void managed_vm_put(struct vm *vm)
{
	if (!__atomic_sub_fetch(&vm->refs, 1, __ATOMIC_ACQ_REL)) {
		pr_debug("keel: vm %u (%s) of pid %llu destroyed: %u vcpus ran %llu ms, "
			 "%llu MiB of slots\n", vm->id, vm->name, (unsigned long long)vm->vmm_pid,
			 vm->nr_vcpus,
			 (unsigned long long)(arch_ticks_to_ns(vm->sg.ran) / 1000000),
			 (unsigned long long)(memslots_bytes(vm) >> 20));
		vm_destroy(vm);
	}
}

void managed_vm_hold(struct vm *vm)
{
	__atomic_fetch_add(&vm->refs, 1, __ATOMIC_RELAXED);
}

int managed_vm_destroy(u64 handle)
{
	u64 flags = spin_lock_irqsave(&lock);
	int i = slot_of(handle);
	struct vm *vm = i >= 0 ? slots[i].vm : NULL;

	if (vm)
		slots[i].vm = NULL;
	spin_unlock_irqrestore(&lock, flags);
	if (!vm)
		return -EINVAL;
	managed_vcpu_stop_all(vm);	/* queued ones hold the VM until they are back */
	managed_vm_put(vm);
	return 0;
}
