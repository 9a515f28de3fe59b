// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercall dispatch: a table indexed by the hypercall number, bounds-checked
 * without a branch the CPU could speculate past (as the exit table), each
 * entry naming the VM kinds that may make the call. A VM kind in no entry
 * has no Keel calls at all (VMs whose hypercalls follow another ABI).
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/managed_vm.h"
#include "kernel/memslot.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/string.h"
#include "kernel/vm.h"
#include "kernel/vm_list.h"
#include "keel/hypercall.h"

/* The ABI promises Linux's errno values; Keel's are Linux's too (kernel/errno.h). */
_Static_assert(EPERM == KEEL_EPERM && E2BIG == KEEL_E2BIG && EFAULT == KEEL_EFAULT &&
	       EINVAL == KEEL_EINVAL && ENOSYS == KEEL_ENOSYS && ENOMEM == KEEL_ENOMEM &&
	       ENOSPC == KEEL_ENOSPC && EBUSY == KEEL_EBUSY && EEXIST == KEEL_EEXIST &&
	       EAGAIN == KEEL_EAGAIN && ENOENT == KEEL_ENOENT,
	       "errno values differ from the ABI's");
_Static_assert(NR_VM_KINDS <= 32, "vm kinds do not fit the permission mask");

#define ALL_KINDS (BIT(VM_KIND_BOOT) | BIT(VM_KIND_CONTROL))
#define MANAGEMENT BIT(VM_KIND_CONTROL)

struct hypercall_entry {
	s64 (*fn)(const struct hypercall *hc);
	u32 kinds;	/* BIT(VM_KIND_*) of the VMs that may make the call */
};

static s64 hc_version(const struct hypercall *hc)
{
	return KEEL_ABI_VERSION;
}

/*
 * Unused arguments must be 0 so that a later ABI version can give them a
 * meaning. A fault past the first page may leave the first page written,
 * as Linux's copy_to_user does.
 */
static s64 hc_get_info(const struct hypercall *hc)
{
	struct keel_hv_info info;
	int r;

	if (hc->arg[2] || hc->arg[3])
		return -EINVAL;
	if (hc->arg[1] < sizeof(info))
		return -E2BIG;
	memset(&info, 0, sizeof(info));
	hv_info_fill(&info);
	info.abi_version = KEEL_ABI_VERSION;
	info.size = sizeof(info);
	r = vm_write_phys(hc->vm, hc->arg[0], &info, sizeof(info));
	return r ? r : (s64)sizeof(info);
}

/* A pid is a positive int in Linux (PID_MAX_LIMIT is 2^22). */
static s64 hc_vm_create(const struct hypercall *hc)
{
	if (hc->arg[0] > 0x7fffffff || (hc->arg[1] | hc->arg[2] | hc->arg[3]))
		return -EINVAL;
	return managed_vm_create(hc->arg[0]);
}

static s64 hc_vm_destroy(const struct hypercall *hc)
{
	if (hc->arg[1] | hc->arg[2] | hc->arg[3])
		return -EINVAL;
	return managed_vm_destroy(hc->arg[0]);
}

static s64 memslot(struct vm *vm, const struct hypercall *hc)
{
	struct keel_memslot m;

	if (hc->arg[2] | hc->arg[3])
		return -EINVAL;
	if (vm_read_phys(hc->vm, hc->arg[1], &m, sizeof(m)))
		return -EFAULT;
	return memslot_set(vm, &m);
}

/* The frames must be the caller's RAM: its own page table says which, and Keel's memory never is. */
static s64 map(struct vm *vm, const struct hypercall *hc)
{
	u64 gpa = hc->arg[1], frame = hc->arg[2], flags = hc->arg[3];
	u64 size = flags & KEEL_MAP_2M ? 512 * PAGE_SIZE : PAGE_SIZE, hpa;

	if ((flags & ~(u64)(KEEL_MAP_WRITE | KEEL_MAP_2M)) || !IS_ALIGNED(gpa | frame, size))
		return -EINVAL;
	hpa = gpa_range_to_hpa(hc->vm, frame, size);
	if (!hpa)
		return -EFAULT;
	return memslot_map(vm, gpa, hpa, size, flags & KEEL_MAP_WRITE ? PT_W : 0);
}

static s64 unmap(struct vm *vm, const struct hypercall *hc)
{
	if (hc->arg[3] == KEEL_UNMAP_CLEAN)
		return memslot_clean(vm, hc->arg[1], hc->arg[2]);
	if (hc->arg[3])
		return -EINVAL;
	return memslot_unmap(vm, hc->arg[1], hc->arg[2]);
}

static s64 dirty_fetch(struct vm *vm, const struct hypercall *hc)
{
	return memslot_dirty_fetch(vm, hc->arg[1], hc->arg[2], hc->vm, hc->arg[3]);
}

static s64 vcpu_create(struct vm *vm, const struct hypercall *hc)
{
	return managed_vcpu_create(vm, hc->arg[1], hc->arg[2], hc->arg[3], hc->vm);
}

/* RSI: 0, or the vector that tells the caller a queued vCPU came back (a fixed one, 32-255). */
static s64 vcpu_run(struct vm *vm, const struct hypercall *hc)
{
	if ((hc->arg[2] & ~(u64)KEEL_RUN_COMPLETE_ONLY) ||
	    (hc->arg[3] && (hc->arg[3] < 32 || hc->arg[3] > 255)))
		return -EINVAL;
	return managed_vcpu_run(vm, hc->arg[1], hc->vcpu, hc->arg[2], hc->arg[3]);
}

static s64 coalesced(struct vm *vm, const struct hypercall *hc)
{
	return coalesced_call(vm, hc->arg[1], hc->arg[2], hc->arg[3], hc->vm);
}

static s64 vcpu_kick(struct vm *vm, const struct hypercall *hc)
{
	if (hc->arg[2] | hc->arg[3])
		return -EINVAL;
	return managed_vcpu_kick(vm, hc->arg[1]);
}

static s64 vcpu_state(struct vm *vm, const struct hypercall *hc)
{
	return managed_vcpu_state(vm, hc->arg[1], hc->arg[2], hc->arg[3]);
}

static s64 vcpu_msrs(struct vm *vm, const struct hypercall *hc)
{
	return managed_vcpu_msrs(vm, hc->arg[1], hc->arg[2], hc->arg[3], hc->vm);
}

static s64 vcpu_cpuid(struct vm *vm, const struct hypercall *hc)
{
	return managed_vcpu_cpuid(vm, hc->arg[1], hc->arg[2], hc->arg[3], hc->vm);
}

static s64 vcpu_translate(struct vm *vm, const struct hypercall *hc)
{
	if (hc->arg[3])
		return -EINVAL;
	return managed_vcpu_translate(vm, hc->arg[1], hc->arg[2]);
}

static s64 vm_clock(struct vm *vm, const struct hypercall *hc)
{
	if (hc->arg[1] == KEEL_CLOCK_STOPPED)
		return hc->arg[3] ? -EINVAL : managed_vcpu_clock_stopped(vm, hc->arg[2]);
	if (hc->arg[1] == KEEL_CLOCK_TSC_OFFSET_GET || hc->arg[1] == KEEL_CLOCK_TSC_OFFSET_SET)
		return managed_vcpu_tsc_offset(vm, hc->arg[2], hc->arg[1] == KEEL_CLOCK_TSC_OFFSET_SET,
					       hc->arg[3], hc->vm);
	if (hc->arg[1] > KEEL_CLOCK_SET || (hc->arg[2] >> 63))
		return -EINVAL;
	return arch_vm_clock(vm, hc->arg[1], hc->arg[2], hc->arg[3]);
}

static s64 vm_irqchip(struct vm *vm, const struct hypercall *hc)
{
	return arch_vm_irqchip(vm, hc->arg[1], hc->arg[2], hc->arg[3], hc->vm);
}

/* The bits each capability's value may have. */
static u64 cap_values(u64 cap)
{
	if (cap == KEEL_CAP_QUIRKS)
		return KEEL_QUIRKS;
	if (cap == KEEL_CAP_USER_MSR)
		return KEEL_MSR_EXIT_INVAL | KEEL_MSR_EXIT_UNKNOWN | KEEL_MSR_EXIT_FILTER;
	return 1;
}

static s64 enable_cap(struct vm *vm, const struct hypercall *hc)
{
	if (hc->arg[3] & ~cap_values(hc->arg[1]))
		return -EINVAL;
	return managed_enable_cap(vm, hc->arg[1], hc->arg[2], hc->arg[3]);
}

static s64 msr_filter(struct vm *vm, const struct hypercall *hc)
{
	if (hc->arg[1] || hc->arg[3])
		return -EINVAL;
	return arch_vm_msr_filter(vm, hc->arg[2], hc->vm);
}

static s64 stats(struct vm *vm, const struct hypercall *hc)
{
	return managed_stats(vm, hc->arg[1], hc->arg[2], hc->arg[3], hc->vm);
}

static s64 hc_vm_list(const struct hypercall *hc)
{
	if (hc->arg[2] | hc->arg[3])
		return -EINVAL;
	return vm_list_info(hc->vm, hc->arg[0], hc->arg[1]);
}

static s64 hc_vm_stats(const struct hypercall *hc)
{
	return vm_list_stats(hc->vm, hc->arg[0], hc->arg[1], hc->arg[2], hc->arg[3]);
}

static s64 hc_cpu_stats(const struct hypercall *hc)
{
	u64 stats[KEEL_NR_CPU_STATS];
	int r;

	if (hc->arg[1])
		return -EINVAL;
	r = sched_cpu_stats(hc->arg[0], stats);
	if (r)
		return r;
	if (vm_write_phys(hc->vm, hc->arg[2], stats, MIN(hc->arg[3], KEEL_NR_CPU_STATS) * sizeof(u64)))
		return -EFAULT;
	return KEEL_NR_CPU_STATS;
}

static s64 hc_vm_dump(const struct hypercall *hc)
{
	return vm_list_dump(hc->vm, hc->arg[0], hc->arg[1], hc->arg[2], hc->arg[3]);
}

static s64 hc_sched(const struct hypercall *hc)
{
	return vm_list_sched(hc->vm, hc->arg[0], hc->arg[1], hc->arg[2], hc->arg[3]);
}

/* At most LOG_CHUNK bytes a call: keelctl calls again from where this one ended. */
#define LOG_CHUNK 1024

static s64 hc_log_read(const struct hypercall *hc)
{
	struct keel_log_chunk c;
	char buf[LOG_CHUNK];
	u64 seq = hc->arg[2];

	if (hc->arg[3] || hc->arg[1] < sizeof(c))
		return -EINVAL;
	c.len = log_read(&seq, buf, MIN(hc->arg[1] - sizeof(c), sizeof(buf)));
	c.seq = seq - c.len;
	if (vm_write_phys(hc->vm, hc->arg[0], &c, sizeof(c)) ||
	    vm_write_phys(hc->vm, hc->arg[0] + sizeof(c), buf, c.len))
		return -EFAULT;
	return (s64)c.len;
}

/* The list is small and fixed: built on the stack, then copied out whole. */
static s64 hc_msr_list(const struct hypercall *hc)
{
	u32 list[32];
	u32 n = arch_vmm_msr_list(list, ARRAY_SIZE(list));

	if (hc->arg[2] | hc->arg[3])
		return -EINVAL;
	if (hc->arg[1] < n)
		return -E2BIG;
	return vm_write_phys(hc->vm, hc->arg[0], list, n * sizeof(u32)) ? -EFAULT : (s64)n;
}

/* The calls on a VM by handle (RBX): each holds a reference on it while it runs. */
static s64 on_vm(const struct hypercall *hc, s64 (*fn)(struct vm *vm, const struct hypercall *hc))
{
	struct vm *vm = managed_vm_get(hc->arg[0]);
	s64 r;

	if (!vm)
		return -EINVAL;
	r = fn(vm, hc);
	managed_vm_put(vm);
	return r;
}

#define ON_VM(name)                                                     \
	static s64 hc_##name(const struct hypercall *hc)                \
	{                                                               \
		return on_vm(hc, name);                                 \
	}
ON_VM(memslot)
ON_VM(map)
ON_VM(unmap)
ON_VM(dirty_fetch)
ON_VM(vcpu_create)
ON_VM(vcpu_run)
ON_VM(coalesced)
ON_VM(vcpu_kick)
ON_VM(vcpu_state)
ON_VM(vcpu_msrs)
ON_VM(vcpu_cpuid)
ON_VM(vcpu_translate)
ON_VM(vm_clock)
ON_VM(vm_irqchip)
ON_VM(enable_cap)
ON_VM(msr_filter)
ON_VM(stats)
#undef ON_VM

static const struct hypercall_entry hypercalls[KEEL_NR_HYPERCALLS] = {
	[KEEL_HC_VERSION] = { hc_version, ALL_KINDS },
	[KEEL_HC_GET_INFO] = { hc_get_info, MANAGEMENT },
	[KEEL_HC_VM_CREATE] = { hc_vm_create, MANAGEMENT },
	[KEEL_HC_VM_DESTROY] = { hc_vm_destroy, MANAGEMENT },
	[KEEL_HC_MEMSLOT] = { hc_memslot, MANAGEMENT },
	[KEEL_HC_MAP] = { hc_map, MANAGEMENT },
	[KEEL_HC_UNMAP] = { hc_unmap, MANAGEMENT },
	[KEEL_HC_VCPU_CREATE] = { hc_vcpu_create, MANAGEMENT },
	[KEEL_HC_VCPU_RUN] = { hc_vcpu_run, MANAGEMENT },
	[KEEL_HC_VCPU_STATE] = { hc_vcpu_state, MANAGEMENT },
	[KEEL_HC_MSR_LIST] = { hc_msr_list, MANAGEMENT },
	[KEEL_HC_VCPU_MSRS] = { hc_vcpu_msrs, MANAGEMENT },
	[KEEL_HC_VCPU_CPUID] = { hc_vcpu_cpuid, MANAGEMENT },
	[KEEL_HC_VCPU_TRANSLATE] = { hc_vcpu_translate, MANAGEMENT },
	[KEEL_HC_VM_CLOCK] = { hc_vm_clock, MANAGEMENT },
	[KEEL_HC_VM_IRQCHIP] = { hc_vm_irqchip, MANAGEMENT },
	[KEEL_HC_ENABLE_CAP] = { hc_enable_cap, MANAGEMENT },
	[KEEL_HC_STATS] = { hc_stats, MANAGEMENT },
	[KEEL_HC_VM_LIST] = { hc_vm_list, MANAGEMENT },
	[KEEL_HC_VM_STATS] = { hc_vm_stats, MANAGEMENT },
	[KEEL_HC_LOG_READ] = { hc_log_read, MANAGEMENT },
	[KEEL_HC_VM_DUMP] = { hc_vm_dump, MANAGEMENT },
	[KEEL_HC_CPU_STATS] = { hc_cpu_stats, MANAGEMENT },
	[KEEL_HC_VCPU_KICK] = { hc_vcpu_kick, MANAGEMENT },
	[KEEL_HC_SCHED] = { hc_sched, MANAGEMENT },
	[KEEL_HC_MSR_FILTER] = { hc_msr_filter, MANAGEMENT },
	[KEEL_HC_DIRTY_FETCH] = { hc_dirty_fetch, MANAGEMENT },
	[KEEL_HC_COALESCED] = { hc_coalesced, MANAGEMENT },
};

/*
 * CPL > 0 is refused before the number is looked at: a guest's user space
 * must not reach Keel past its kernel (KVM refuses it too, with -KVM_EPERM).
 */
s64 hypercall_dispatch(const struct hypercall *hc)
{
	const struct hypercall_entry *e;
	unsigned int kind = hc->vm->kind;

	if (hc->cpl)
		return -EPERM;
	if (hc->nr >= ARRAY_SIZE(hypercalls))
		return -ENOSYS;
	e = &hypercalls[array_index_nospec((unsigned int)hc->nr, ARRAY_SIZE(hypercalls))];
	if (!e->fn)
		return -ENOSYS;
	if (kind >= NR_VM_KINDS || !(e->kinds & BIT(kind)))
		return -EPERM;
	return e->fn(hc);
}
