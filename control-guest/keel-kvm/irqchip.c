// SPDX-License-Identifier: GPL-2.0
/*
 * The full in-kernel irqchip and the PIT, as a VMM asks for them (api.rst
 * 4.24 KVM_CREATE_IRQCHIP, 4.26-4.27 KVM_GET/SET_IRQCHIP, 4.71
 * KVM_CREATE_PIT2, 4.72-4.73 KVM_GET/SET_PIT2, 4.82 KVM_REINJECT_CONTROL).
 * Keel runs the PIC pair, the I/O APIC and the 8254; their state structs
 * are KVM's byte for byte, so the state moves whole through a buffer.
 */
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "keel_kvm.h"

static long irqchip_call(struct keel_vm *vm, u64 op, u64 a, u64 b)
{
	long ret = keel_hypercall(KEEL_HC_VM_IRQCHIP, vm->handle, op, a, b);

	return ret < 0 ? keel_errno(ret) : 0;
}

/* KVM_CREATE_IRQCHIP: once (-EEXIST, also after the split one), before the first vCPU (-EINVAL). */
static long create_irqchip(struct keel_vm *vm)
{
	long r;

	mutex_lock(&vm->lock);
	r = keel_irqchip_in_kernel(vm) ? -EEXIST : vm->nr_vcpus ? -EINVAL : 0;
	if (!r)
		r = irqchip_call(vm, KEEL_IRQCHIP_FULL, 0, 0);
	if (!r) {
		vm->irqchip_full = true;
		r = keel_default_routes(vm);
	}
	mutex_unlock(&vm->lock);
	return r;
}

/* @size bytes of chip @chip's state between @argp and Keel; -ENXIO without the chip. */
static long chip_state(struct keel_vm *vm, u32 chip, void __user *argp, size_t size, bool set)
{
	void *buf = kzalloc(KEEL_CHIP_STATE_SIZE, GFP_KERNEL);
	long r = 0;

	if (!buf)
		return -ENOMEM;
	/* KVM_SET_PIT's struct lacks the flags of KVM_SET_PIT2's: they are kept. */
	if (set && size == sizeof(struct kvm_pit_state))
		r = irqchip_call(vm, KEEL_IRQCHIP_GET, chip, virt_to_phys(buf));
	if (!r && set && copy_from_user(buf, argp, size))
		r = -EFAULT;
	if (!r)
		r = irqchip_call(vm, set ? KEEL_IRQCHIP_SET : KEEL_IRQCHIP_GET, chip,
				 virt_to_phys(buf));
	if (!r && !set && copy_to_user(argp, buf, size))
		r = -EFAULT;
	kfree(buf);
	return r;
}

/* KVM_GET/SET_IRQCHIP: chip_id 0-2; -ENXIO without the full irqchip, as KVM. */
static long irqchip_state(struct keel_vm *vm, void __user *argp, bool set)
{
	struct kvm_irqchip __user *user = argp;
	u32 id;

	if (get_user(id, &user->chip_id))
		return -EFAULT;
	if (!vm->irqchip_full)
		return -ENXIO;
	if (id > KVM_IRQCHIP_IOAPIC)
		return -EINVAL;
	return chip_state(vm, id, &user->chip, id == KVM_IRQCHIP_IOAPIC ?
			  sizeof(struct kvm_ioapic_state) : sizeof(struct kvm_pic_state), set);
}

/*
 * KVM_CREATE_PIT2 (and the old KVM_CREATE_PIT, which KVM makes with the
 * speaker port): once (-EEXIST). Keel's PIT is part of its irqchip, so it
 * needs KVM_CREATE_IRQCHIP first (-ENXIO), where KVM would make one that
 * nothing hears.
 */
static long create_pit(struct keel_vm *vm, void __user *argp, bool old)
{
	struct kvm_pit_config config = { .flags = KVM_PIT_SPEAKER_DUMMY };
	long r;

	if (!old && copy_from_user(&config, argp, sizeof(config)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	r = vm->has_pit ? -EEXIST : !vm->irqchip_full ? -ENXIO : 0;
	if (!r)
		r = irqchip_call(vm, KEEL_IRQCHIP_PIT, !!(config.flags & KVM_PIT_SPEAKER_DUMMY), 0);
	if (!r)
		vm->has_pit = true;
	mutex_unlock(&vm->lock);
	return r;
}

static long reinject(struct keel_vm *vm, void __user *argp)
{
	struct kvm_reinject_control c;

	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	if (!vm->has_pit)
		return -ENXIO;
	return irqchip_call(vm, KEEL_IRQCHIP_REINJECT, !!c.pit_reinject, 0);
}

static long pit_state(struct keel_vm *vm, void __user *argp, size_t size, bool set)
{
	if (!vm->has_pit)
		return -ENXIO;
	return chip_state(vm, KEEL_CHIP_PIT, argp, size, set);
}

long keel_irqchip_ioctl(struct keel_vm *vm, unsigned int ioctl, void __user *argp)
{
	switch (ioctl) {
	case KVM_CREATE_IRQCHIP:
		return create_irqchip(vm);
	case KVM_GET_IRQCHIP:
	case KVM_SET_IRQCHIP:
		return irqchip_state(vm, argp, ioctl == KVM_SET_IRQCHIP);
	case KVM_CREATE_PIT:
	case KVM_CREATE_PIT2:
		return create_pit(vm, argp, ioctl == KVM_CREATE_PIT);
	case KVM_GET_PIT2:
	case KVM_SET_PIT2:
		return pit_state(vm, argp, sizeof(struct kvm_pit_state2), ioctl == KVM_SET_PIT2);
	case KVM_GET_PIT:
	case KVM_SET_PIT:
		return pit_state(vm, argp, sizeof(struct kvm_pit_state), ioctl == KVM_SET_PIT);
	case KVM_REINJECT_CONTROL:
		return reinject(vm, argp);
	default:
		return -ENOTTY;
	}
}
