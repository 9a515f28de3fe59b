// SPDX-License-Identifier: GPL-2.0
/*
 * The list of every VM, for the administrator. A VM leaves it before
 * vm_destroy() frees anything, under the same lock the calls below hold
 * while they read a VM, so a VM they find is never freed under them. What
 * they read of a running VM (its counters, its slots' sizes) may change as
 * they read it: each figure is a snapshot, not all of them one.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/memslot.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"
#include "kernel/vcpu.h"
#include "kernel/vm.h"
#include "kernel/vm_list.h"
#include "keel/hypercall.h"

_Static_assert(VM_NAME_LEN == KEEL_VM_NAME_LEN, "VM names do not fit keel_vm_info");
_Static_assert(VM_KIND_BOOT == KEEL_VM_KIND_BOOT && VM_KIND_CONTROL == KEEL_VM_KIND_CONTROL &&
	       VM_KIND_KVM == KEEL_VM_KIND_KVM, "VM kinds differ from the ABI's");

static struct spinlock lock = SPINLOCK_INIT;
static struct vm *head, *tail;
static u32 last_id;

void vm_list_add(struct vm *vm)
{
	u64 flags = spin_lock_irqsave(&lock);

	vm->id = ++last_id;
	vm->list_next = NULL;
	if (tail)
		tail->list_next = vm;
	else
		head = vm;
	tail = vm;
	spin_unlock_irqrestore(&lock, flags);
}

void vm_list_del(struct vm *vm)
{
	u64 flags = spin_lock_irqsave(&lock);
	struct vm **p = &head, *prev = NULL;

	while (*p && *p != vm) {
		prev = *p;
		p = &(*p)->list_next;
	}
	if (*p) {
		*p = vm->list_next;
		if (tail == vm)
			tail = prev;
	}
	spin_unlock_irqrestore(&lock, flags);
}

s64 vm_stats_write(struct vm *vm, struct vcpu *v, struct vm *caller, u64 gpa, u64 n)
{
	u64 stats[MAX(KEEL_NR_VCPU_STATS, KEEL_NR_VM_STATS)];
	unsigned int nr = KEEL_NR_VCPU_STATS;

	if (v) {
		arch_vcpu_stats(v, stats);
	} else {
		/* Each bump of the generation is a shootdown (kernel/memslot.c). */
		stats[KEEL_VM_STAT_REMOTE_TLB_FLUSH] = __atomic_load_n(&vm->gpa_gen, __ATOMIC_RELAXED);
		nr = KEEL_NR_VM_STATS;
	}
	if (vm_write_phys(caller, gpa, stats, MIN(n, nr) * sizeof(u64)))
		return -EFAULT;
	return nr;
}

static void describe(struct vm *vm, struct keel_vm_info *info)
{
	u64 s[KEEL_NR_VCPU_STATS];
	unsigned int n = __atomic_load_n(&vm->nr_vcpus, __ATOMIC_ACQUIRE);

	memset(info, 0, sizeof(*info));
	info->id = vm->id;
	info->kind = vm->kind;
	info->nr_vcpus = n;
	info->ended = vm->state != VM_RUNNING;
	info->vmm_pid = vm->vmm_pid;
	info->mem_bytes = vm->memslots ? memslots_bytes(vm) : vm->ram_bytes;
	memcpy(info->name, vm->name, VM_NAME_LEN);
	for (unsigned int i = 0; i < n; i++) {
		arch_vcpu_stats(vm->vcpus[i], s);
		info->run_ns += s[KEEL_STAT_RUN_NS];
		info->exits += s[KEEL_STAT_EXITS];
	}
}

s64 vm_list_info(struct vm *caller, u64 gpa, u64 n)
{
	u64 flags = spin_lock_irqsave(&lock);
	struct keel_vm_info info;
	s64 nr = 0;

	for (struct vm *vm = head; vm; vm = vm->list_next, nr++) {
		if ((u64)nr >= n)
			continue;
		describe(vm, &info);
		if (vm_write_phys(caller, gpa + nr * sizeof(info), &info, sizeof(info))) {
			nr = -EFAULT;
			break;
		}
	}
	spin_unlock_irqrestore(&lock, flags);
	return nr;
}

/* The VM of @id, or NULL; caller holds lock. */
static struct vm *find(u64 id)
{
	struct vm *vm = head;

	while (vm && vm->id != id)
		vm = vm->list_next;
	return vm;
}

s64 vm_list_stats(struct vm *caller, u64 id, u64 index, u64 gpa, u64 n)
{
	u64 flags = spin_lock_irqsave(&lock);
	struct vm *vm = find(id);
	s64 r = -EINVAL;

	if (vm && index == KEEL_STATS_VM)
		r = vm_stats_write(vm, NULL, caller, gpa, n);
	else if (vm && index < __atomic_load_n(&vm->nr_vcpus, __ATOMIC_ACQUIRE))
		r = vm_stats_write(vm, vm->vcpus[index], caller, gpa, n);
	spin_unlock_irqrestore(&lock, flags);
	return r;
}

_Static_assert(VCPU_IDLE == KEEL_VCPU_IDLE && VCPU_PARKED == KEEL_VCPU_PARKED &&
	       VCPU_RUNNABLE == KEEL_VCPU_RUNNABLE && VCPU_RUNNING == KEEL_VCPU_RUNNING &&
	       VCPU_BLOCKED == KEEL_VCPU_BLOCKED && VCPU_FROZEN == KEEL_VCPU_FROZEN &&
	       VCPU_DEAD == KEEL_VCPU_DEAD, "vCPU states differ from the ABI's");

/*
 * Registers only of a vCPU nobody uses: claimed as for a state call, so its
 * VMM cannot run it or change its state meanwhile.
 */
static void dump(struct vcpu *v, struct keel_vcpu_dump *d)
{
	memset(d, 0, sizeof(*d));
	d->state = v->state;
	d->cpu = v->cpu;
	d->entries = v->nr_entries;
	if (!vcpu_claim(v, VCPU_FROZEN))
		return;
	arch_vcpu_dump(v, &d->regs, &d->sregs);
	vcpu_unclaim(v);
	d->flags = KEEL_DUMP_REGS;
}

int vm_list_dump(struct vm *caller, u64 id, u64 index, u64 gpa, u64 size)
{
	struct keel_vcpu_dump d;
	u64 flags;
	struct vm *vm;
	int r = -EINVAL;

	if (size < sizeof(d))
		return -E2BIG;
	flags = spin_lock_irqsave(&lock);
	vm = find(id);
	if (vm && index < __atomic_load_n(&vm->nr_vcpus, __ATOMIC_ACQUIRE)) {
		dump(vm->vcpus[index], &d);
		r = 0;
	}
	spin_unlock_irqrestore(&lock, flags);
	return r ? r : vm_write_phys(caller, gpa, &d, sizeof(d));
}

static void sched_get(struct vm *vm, struct vcpu *v, struct keel_sched *s)
{
	unsigned int n = __atomic_load_n(&vm->nr_vcpus, __ATOMIC_ACQUIRE);

	memset(s, 0, sizeof(*s));
	s->weight = v ? v->se.weight : vm->sg.weight;
	s->cap = vm->sg.cap;
	for (unsigned int i = 0; i < n; i++) {
		if (v && vm->vcpus[i] != v)
			continue;
		for (unsigned int w = 0; w < SCHED_AFFINITY_WORDS; w++) {
			s->affinity[w] |= vm->vcpus[i]->se.affinity[w];
			s->ran_on[w] |= vm->vcpus[i]->se.ran_on[w];
		}
	}
}

/*
 * The scheduler reads these as it goes: a weight or cap is one store, and a
 * vCPU that finds itself queued on a CPU its new affinity leaves moves
 * (kernel/sched.c).
 */
static int sched_set(struct vm *vm, struct vcpu *v, const struct keel_sched *s)
{
	if (!s->weight || s->weight > SCHED_WEIGHT_MAX)
		return -EINVAL;
	if (!v) {
		if (s->cap > SCHED_CAP_MAX)
			return -EINVAL;
		if (vm->kind == VM_KIND_CONTROL)
			return -EPERM;	/* a capped control guest could not manage Keel */
		__atomic_store_n(&vm->sg.weight, s->weight, __ATOMIC_RELAXED);
		__atomic_store_n(&vm->sg.cap, s->cap, __ATOMIC_RELAXED);
		return 0;
	}
	if (v->pin_cpu >= 0)
		return -EPERM;
	if (!sched_mask_online(s->affinity))
		return -EINVAL;
	__atomic_store_n(&v->se.weight, s->weight, __ATOMIC_RELAXED);
	sched_set_affinity(&v->se, s->affinity);
	memset(v->se.ran_on, 0, sizeof(v->se.ran_on));	/* a slice running meanwhile may still add its CPU */
	return 0;
}

int vm_list_sched(struct vm *caller, u64 id, u64 index, u64 op, u64 gpa)
{
	struct keel_sched s;
	struct vm *vm;
	u64 flags;
	int r = -EINVAL;

	if (op > KEEL_SCHED_SET)
		return -EINVAL;
	if (op == KEEL_SCHED_SET && vm_read_phys(caller, gpa, &s, sizeof(s)))
		return -EFAULT;
	flags = spin_lock_irqsave(&lock);
	vm = find(id);
	if (vm && index != KEEL_SCHED_VM && index >= __atomic_load_n(&vm->nr_vcpus, __ATOMIC_ACQUIRE))
		vm = NULL;
	if (vm) {
		struct vcpu *v = index == KEEL_SCHED_VM ? NULL : vm->vcpus[index];

		r = 0;
		if (op == KEEL_SCHED_SET)
			r = sched_set(vm, v, &s);
		if (!r)
			sched_get(vm, v, &s);
	}
	spin_unlock_irqrestore(&lock, flags);
	return r ? r : vm_write_phys(caller, gpa, &s, sizeof(s));
}
