// SPDX-License-Identifier: GPL-2.0
/*
 * A /dev/kvm VM's MSR filter (KVM_X86_SET_MSR_FILTER, api.rst 4.97, through
 * KEEL_HC_MSR_FILTER): which of its guest's RDMSRs and WRMSRs are refused,
 * decided as KVM's kvm_msr_allowed() decides. A VM with a filter has an MSR
 * bitmap of its own (virt_ops.msr_bitmap), in which the MSRs the hardware
 * passes through (guest_msr.h) are intercepted where the filter denies
 * them, so every denied access reaches handle_msr(). A new filter comes with
 * a new bitmap, swapped in whole: each vCPU runs with the old pair or the
 * new one, and the old is freed once none can still use it.
 */
#include "arch/x86/virt/msr_filter.h"
#include "arch/x86/virt/virt.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/string.h"
#include "kernel/vm.h"

#define X2APIC_FIRST 0x800
#define X2APIC_LAST 0x8ff

struct msr_range {
	u32 flags, nmsrs, base;
	const u8 *bitmap;
};

struct msr_filter {
	bool default_allow;
	u32 count;
	struct msr_range ranges[KEEL_MSR_FILTER_RANGES];
	u8 bits[];
};

/* KVM's bitmap size for @nmsrs: whole longs (kvm_add_msr_filter()). */
static u32 bitmap_bytes(u32 nmsrs)
{
	return (u32)(((u64)nmsrs + 63) / 64 * 8);
}

/* kvm_vm_ioctl_set_msr_filter()'s checks, in its order. */
static int check(const struct keel_msr_filter *u, u32 *bytes)
{
	bool empty = true;

	if (u->flags & ~KEEL_MSR_FILTER_DEFAULT_DENY)
		return -EINVAL;
	*bytes = 0;
	for (u32 i = 0; i < KEEL_MSR_FILTER_RANGES; i++) {
		const struct keel_msr_range *r = &u->ranges[i];

		if (!r->nmsrs)
			continue;
		empty = false;
		if (!r->flags || (r->flags & ~(KEEL_MSR_FILTER_READ | KEEL_MSR_FILTER_WRITE)) ||
		    bitmap_bytes(r->nmsrs) > KEEL_MSR_FILTER_BITMAP)
			return -EINVAL;
		*bytes += bitmap_bytes(r->nmsrs);
	}
	return empty && (u->flags & KEEL_MSR_FILTER_DEFAULT_DENY) ? -EINVAL : 0;
}

static struct msr_filter *build(const struct keel_msr_filter *u, u32 bytes)
{
	struct msr_filter *f = kzalloc(sizeof(*f) + bytes);
	u8 *at;

	if (!f)
		return NULL;
	f->default_allow = !(u->flags & KEEL_MSR_FILTER_DEFAULT_DENY);
	at = f->bits;
	for (u32 i = 0; i < KEEL_MSR_FILTER_RANGES; i++) {
		const struct keel_msr_range *r = &u->ranges[i];

		if (!r->nmsrs)
			continue;
		memcpy(at, u->bitmaps[i], bitmap_bytes(r->nmsrs));
		f->ranges[f->count++] = (struct msr_range){ r->flags, r->nmsrs, r->base, at };
		at += bitmap_bytes(r->nmsrs);
	}
	return f;
}

/* The first range that holds @msr for this access decides; else the default. */
static bool allowed(const struct msr_filter *f, u32 msr, u32 type)
{
	for (u32 i = 0; i < f->count; i++) {
		const struct msr_range *r = &f->ranges[i];
		u32 bit = msr - r->base;

		if (msr >= r->base && bit < r->nmsrs && (r->flags & type))
			return r->bitmap[bit / 8] & (1 << (bit % 8));
	}
	return f->default_allow;
}

bool msr_filter_denies(const struct msr_filter *f, u32 msr, bool write)
{
	if (msr >= X2APIC_FIRST && msr <= X2APIC_LAST)
		return false;
	return !allowed(f, msr, write ? KEEL_MSR_FILTER_WRITE : KEEL_MSR_FILTER_READ);
}

bool msr_filter_allows(struct vm *vm, u32 msr, bool write)
{
	bool ok = true;
	u64 flags;

	if (!__atomic_load_n(&vm->arch.msr_filter, __ATOMIC_RELAXED))
		return true;
	flags = spin_lock_irqsave(&vm->arch.msr_filter_lock);
	if (vm->arch.msr_filter)
		ok = !msr_filter_denies(vm->arch.msr_filter, msr, write);
	spin_unlock_irqrestore(&vm->arch.msr_filter_lock, flags);
	return ok;
}

/*
 * @f and a bitmap built for it become @vm's, under the lock, so that
 * concurrent calls each free what they replaced; the old bitmap goes once
 * no vCPU still runs with it (vm_wait_exits()).
 */
static int install(struct vm *vm, struct msr_filter *f)
{
	u64 bitmap = virt->msr_bitmap(f), old_bitmap, flags;
	struct msr_filter *old;

	if (!bitmap) {
		kfree(f);
		return -ENOMEM;
	}
	flags = spin_lock_irqsave(&vm->arch.msr_filter_lock);
	old = vm->arch.msr_filter;
	old_bitmap = vm->arch.msr_bitmap;
	vm->arch.msr_filter = f;
	__atomic_store_n(&vm->arch.msr_bitmap, bitmap, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&vm->arch.msr_filter_lock, flags);
	vm_wait_exits(vm);
	kfree(old);
	if (old_bitmap)
		frame_free_keel(old_bitmap, virt->msr_bitmap_order);
	return 0;
}

int arch_vm_msr_filter(struct vm *vm, u64 gpa, struct vm *caller_vm)
{
	struct keel_msr_filter *u = kzalloc(sizeof(*u));
	struct msr_filter *f = NULL;
	u32 bytes;
	int r;

	if (!u)
		return -ENOMEM;
	r = vm_read_phys(caller_vm, gpa, u, sizeof(*u)) ? -EFAULT : check(u, &bytes);
	if (!r) {
		f = build(u, bytes);
		r = f ? install(vm, f) : -ENOMEM;
	}
	kfree(u);
	return r;
}

void msr_filter_free(struct vm *vm)
{
	kfree(vm->arch.msr_filter);
	vm->arch.msr_filter = NULL;
	if (vm->arch.msr_bitmap)
		frame_free_keel(vm->arch.msr_bitmap, virt->msr_bitmap_order);
	vm->arch.msr_bitmap = 0;
}
