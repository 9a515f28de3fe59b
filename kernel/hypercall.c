// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercall dispatch: a table indexed by the hypercall number, bounds-checked
 * without a branch the CPU could speculate past (as the exit table), each
 * entry naming the VM kinds that may make the call. A VM kind in no entry
 * has no Keel calls at all (VMs whose hypercalls follow another ABI).
 */
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/managed_vm.h"
#include "kernel/string.h"
#include "kernel/vm.h"
#include "keel/hypercall.h"

/* The ABI promises Linux's errno values; Keel's are Linux's too (kernel/errno.h). */
_Static_assert(EPERM == KEEL_EPERM && E2BIG == KEEL_E2BIG && EFAULT == KEEL_EFAULT &&
	       EINVAL == KEEL_EINVAL && ENOSYS == KEEL_ENOSYS && ENOMEM == KEEL_ENOMEM &&
	       ENOSPC == KEEL_ENOSPC, "errno values differ from the ABI's");
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

static s64 hc_vm_create(const struct hypercall *hc)
{
	if (hc->arg[0] | hc->arg[1] | hc->arg[2] | hc->arg[3])
		return -EINVAL;
	return managed_vm_create();
}

static s64 hc_vm_destroy(const struct hypercall *hc)
{
	if (hc->arg[1] | hc->arg[2] | hc->arg[3])
		return -EINVAL;
	return managed_vm_destroy(hc->arg[0]);
}

static const struct hypercall_entry hypercalls[KEEL_NR_HYPERCALLS] = {
	[KEEL_HC_VERSION] = { hc_version, ALL_KINDS },
	[KEEL_HC_GET_INFO] = { hc_get_info, MANAGEMENT },
	[KEEL_HC_VM_CREATE] = { hc_vm_create, MANAGEMENT },
	[KEEL_HC_VM_DESTROY] = { hc_vm_destroy, MANAGEMENT },
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
