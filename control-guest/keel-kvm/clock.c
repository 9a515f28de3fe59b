// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's kvmclock as its VMM sees it (api.rst 4.79 KVM_SET_CLOCK, 4.80
 * KVM_GET_CLOCK) and the vCPUs' TSC rate (4.55 KVM_SET_TSC_KHZ, 4.56
 * KVM_GET_TSC_KHZ). Keel keeps the clock (KEEL_HC_VM_CLOCK) and the pages
 * the guest reads it from; the wall clock at kvmclock 0 comes from this
 * kernel's real time, as KVM's kvm_write_wall_clock() computes it. And the
 * offset of each vCPU's TSC from the host's (KVM_VCPU_TSC_OFFSET).
 */
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/msr.h>

#include "keel_kvm.h"

/*
 * The clock now with this kernel's real time and TSC beside it; the three
 * are read within one hypercall's time of each other, not at one instant.
 * The TSC is stable: every vCPU's runs from the host's by a fixed offset.
 */
static int get_clock(struct keel_vm *vm, struct kvm_clock_data *d)
{
	long ns = keel_hypercall(KEEL_HC_VM_CLOCK, vm->handle, KEEL_CLOCK_GET, 0, 0);

	if (ns < 0)
		return keel_errno(ns);
	*d = (struct kvm_clock_data){ .clock = ns, .flags = KEEL_CLOCK_FLAGS,
		.realtime = ktime_get_real_ns(), .host_tsc = rdtsc() };
	return 0;
}

/* KVM's kvm_vm_ioctl_set_clock(): with KVM_CLOCK_REALTIME the real time since is added. */
static int set_clock(struct keel_vm *vm, struct kvm_clock_data *d)
{
	u64 now = ktime_get_real_ns();
	long ret;

	if (d->flags & ~KEEL_CLOCK_FLAGS)
		return -EINVAL;
	if ((d->flags & KVM_CLOCK_REALTIME) && now > d->realtime)
		d->clock += now - d->realtime;
	if (d->clock >> 63)
		return -EINVAL;
	ret = keel_hypercall(KEEL_HC_VM_CLOCK, vm->handle, KEEL_CLOCK_SET, d->clock,
			     now - d->clock);
	return ret ? keel_errno(ret) : 0;
}

/* A new VM's clock is 0 now: its wall clock is this moment's real time. */
int keel_vm_clock_init(struct keel_vm *vm)
{
	struct kvm_clock_data d = { 0 };

	return set_clock(vm, &d);
}

long keel_clock_ioctl(struct keel_vm *vm, unsigned int ioctl, void __user *argp)
{
	struct kvm_clock_data d;
	int r;

	if (ioctl == KVM_GET_CLOCK) {
		r = get_clock(vm, &d);
		return r ?: (copy_to_user(argp, &d, sizeof(d)) ? -EFAULT : 0);
	}
	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	return set_clock(vm, &d);
}

/* KVM_KVMCLOCK_CTRL (api.rst 4.65): the guest learns it was paused, if its kvmclock is on. */
long keel_kvmclock_ctrl(struct keel_vcpu *vcpu)
{
	long ret = keel_hypercall(KEEL_HC_VM_CLOCK, vcpu->vm->handle, KEEL_CLOCK_STOPPED,
				  vcpu->id, 0);

	return ret ? keel_errno(ret) : 0;
}

/*
 * Keel does not scale TSCs: a vCPU's rate is the host's. Setting it (0
 * means the host's, as in KVM) is accepted for that rate only.
 */
long keel_tsc_khz_ioctl(unsigned int ioctl, unsigned long arg)
{
	if (ioctl == KVM_GET_TSC_KHZ)
		return keel_tsc_khz;
	return !arg || arg == keel_tsc_khz ? 0 : -EINVAL;
}

static long get_tsc_offset(struct keel_vcpu *vcpu, u64 __user *uaddr)
{
	u64 *offset = kmalloc(sizeof(*offset), GFP_KERNEL);
	long ret;

	if (!offset)
		return -ENOMEM;
	ret = keel_hypercall(KEEL_HC_VM_CLOCK, vcpu->vm->handle, KEEL_CLOCK_TSC_OFFSET_GET,
			     vcpu->id, virt_to_phys(offset));
	ret = ret ? keel_errno(ret) : put_user(*offset, uaddr);
	kfree(offset);
	return ret;
}

/*
 * KVM_HAS/GET/SET_DEVICE_ATTR on a vCPU (api.rst 4.81, devices/vcpu.rst):
 * group KVM_VCPU_TSC_CTRL, attribute KVM_VCPU_TSC_OFFSET, the offset of the
 * vCPU's TSC from the host's, which this kernel's TSC is; anything else
 * -ENXIO, as KVM's kvm_vcpu_ioctl_device_attr().
 */
long keel_vcpu_attr_ioctl(struct keel_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{
	struct kvm_device_attr attr;
	u64 __user *uaddr;
	u64 offset;
	long ret;

	if (copy_from_user(&attr, argp, sizeof(attr)))
		return -EFAULT;
	if (attr.group != KVM_VCPU_TSC_CTRL || attr.attr != KVM_VCPU_TSC_OFFSET)
		return -ENXIO;
	if (ioctl == KVM_HAS_DEVICE_ATTR)
		return 0;
	uaddr = u64_to_user_ptr(attr.addr);
	if (ioctl == KVM_GET_DEVICE_ATTR)
		return get_tsc_offset(vcpu, uaddr);
	if (get_user(offset, uaddr))
		return -EFAULT;
	ret = keel_hypercall(KEEL_HC_VM_CLOCK, vcpu->vm->handle, KEEL_CLOCK_TSC_OFFSET_SET,
			     vcpu->id, offset);
	return ret ? keel_errno(ret) : 0;
}
