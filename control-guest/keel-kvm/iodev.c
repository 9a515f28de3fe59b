// SPDX-License-Identifier: GPL-2.0
/*
 * Guest writes that never reach the VMM as exits. Ioeventfds (api.rst 4.59
 * KVM_IOEVENTFD) are the module's: Keel reports the write as an exit of
 * KEEL_HC_VCPU_RUN, the run loop (vcpu.c) hands it here, and when one takes
 * it the loop enters the guest again at once. Coalesced MMIO and PIO (4.66
 * KVM_REGISTER_COALESCED_MMIO) are Keel's (KEEL_HC_COALESCED): it appends a
 * zone's writes to the ring itself, so a REP STOS into VGA memory costs no
 * exit per element; the module keeps the zones' list for the ioctls'
 * rules. The matching rules and errors are those of virt/kvm/eventfd.c and
 * coalesced_mmio.c. Lists change under vm->lock; ioeventfds are read under
 * RCU.
 */
#include <linux/eventfd.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "keel_kvm.h"

#define NR_BUS_DEVS 1000		/* KVM's NR_IOBUS_DEVS: per bus, -ENOSPC beyond */

/*
 * KVM's buses: an ioeventfd on the virtio-ccw bus (s390's) is accepted on
 * x86 too, and never signalled.
 */
enum { BUS_MMIO, BUS_PIO, BUS_CCW };

struct keel_ioeventfd {
	struct list_head list;
	u64 addr, datamatch;
	u32 len;			/* 0: any length */
	u8 bus;
	bool wildcard;
	struct eventfd_ctx *ctx;
};

struct keel_zone {
	struct list_head list;
	struct kvm_coalesced_mmio_zone zone;
};

void keel_iodev_init(struct keel_vm *vm)
{
	INIT_LIST_HEAD(&vm->ioeventfds);
	INIT_LIST_HEAD(&vm->zones);
}

/* KVM's ioeventfd_bus_from_flags(). */
static u8 flags_bus(u32 flags)
{
	if (flags & KVM_IOEVENTFD_FLAG_PIO)
		return BUS_PIO;
	if (flags & KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY)
		return BUS_CCW;
	return BUS_MMIO;
}

/* KVM's ioeventfd_in_range(): the address exactly, then the length, then the data. */
static bool ioeventfd_hit(const struct keel_ioeventfd *p, u8 bus, u64 addr, u32 len, u64 val)
{
	if (p->bus != bus || p->addr != addr)
		return false;
	if (!p->len)
		return true;
	if (p->len != len)
		return false;
	return p->wildcard || (len == 8 ? val : val & (BIT_ULL(len * 8) - 1)) == p->datamatch;
}

/* KVM's ioeventfd_check_collision(): one bus and address, lengths and data both could match. */
static bool collides(struct keel_vm *vm, const struct keel_ioeventfd *p)
{
	struct keel_ioeventfd *q;

	list_for_each_entry(q, &vm->ioeventfds, list)
		if (q->bus == p->bus && q->addr == p->addr &&
		    (!q->len || !p->len ||
		     (q->len == p->len &&
		      (q->wildcard || p->wildcard || q->datamatch == p->datamatch))))
			return true;
	return false;
}

static int assign(struct keel_vm *vm, struct keel_ioeventfd *p)
{
	unsigned int *n = &vm->nr_bus_devs[p->bus];
	int r = 0;

	mutex_lock(&vm->lock);
	if (collides(vm, p))
		r = -EEXIST;
	else if (*n >= NR_BUS_DEVS)
		r = -ENOSPC;
	if (!r) {
		list_add_tail_rcu(&p->list, &vm->ioeventfds);
		(*n)++;
	}
	mutex_unlock(&vm->lock);
	return r;
}

/* The checks of kvm_assign_ioeventfd(), in its order. */
static int assign_ioeventfd(struct keel_vm *vm, const struct kvm_ioeventfd *a)
{
	struct keel_ioeventfd *p;
	struct eventfd_ctx *ctx;
	int r;

	if (a->len != 0 && a->len != 1 && a->len != 2 && a->len != 4 && a->len != 8)
		return -EINVAL;
	if (a->addr + a->len < a->addr || (a->flags & ~KVM_IOEVENTFD_VALID_FLAG_MASK))
		return -EINVAL;
	if (!a->len && (a->flags & KVM_IOEVENTFD_FLAG_DATAMATCH))
		return -EINVAL;
	ctx = eventfd_ctx_fdget(a->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p) {
		eventfd_ctx_put(ctx);
		return -ENOMEM;
	}
	*p = (struct keel_ioeventfd){ .addr = a->addr, .len = a->len, .ctx = ctx,
		.bus = flags_bus(a->flags),
		.wildcard = !(a->flags & KVM_IOEVENTFD_FLAG_DATAMATCH) };
	if (!p->wildcard)
		p->datamatch = a->datamatch;
	r = assign(vm, p);
	if (r) {
		eventfd_ctx_put(ctx);
		kfree(p);
	}
	return r;
}

/* kvm_deassign_ioeventfd_idx(): the one registered with this fd, address, length and match. */
static int deassign_ioeventfd(struct keel_vm *vm, const struct kvm_ioeventfd *a)
{
	u8 bus = flags_bus(a->flags);
	bool wildcard = !(a->flags & KVM_IOEVENTFD_FLAG_DATAMATCH);
	struct keel_ioeventfd *p, *found = NULL;
	struct eventfd_ctx *ctx = eventfd_ctx_fdget(a->fd);

	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	mutex_lock(&vm->lock);
	list_for_each_entry(p, &vm->ioeventfds, list) {
		if (p->bus != bus || p->ctx != ctx || p->addr != a->addr || p->len != a->len ||
		    p->wildcard != wildcard || (!wildcard && p->datamatch != a->datamatch))
			continue;
		list_del_rcu(&p->list);
		vm->nr_bus_devs[bus]--;
		found = p;
		break;
	}
	mutex_unlock(&vm->lock);
	eventfd_ctx_put(ctx);
	if (!found)
		return -ENOENT;
	/* no run loop still signals it; expedited, as KVM's kvm_io_bus_unregister_dev() */
	synchronize_rcu_expedited();
	eventfd_ctx_put(found->ctx);
	kfree(found);
	return 0;
}

long keel_ioeventfd(struct keel_vm *vm, void __user *argp)
{
	struct kvm_ioeventfd a;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.flags & KVM_IOEVENTFD_FLAG_DEASSIGN)
		return deassign_ioeventfd(vm, &a);
	return assign_ioeventfd(vm, &a);
}

static int zone_call(struct keel_vm *vm, u32 op, const struct kvm_coalesced_mmio_zone *z)
{
	long r = keel_hypercall(KEEL_HC_COALESCED, vm->handle,
				op | (z->pio ? KEEL_COALESCED_PIO : 0), z->addr, z->size);

	return r ? keel_errno(r) : 0;
}

/*
 * KVM_REGISTER_COALESCED_MMIO: a zone of either bus. Keel refuses one that
 * overlaps another of its bus (-EEXIST), which KVM accepts and QEMU never
 * asks: its memory listener removes a section's zones before adding new.
 */
static int register_zone(struct keel_vm *vm, const struct kvm_coalesced_mmio_zone *z)
{
	struct keel_zone *p;
	unsigned int *n;
	int r = 0;

	if (z->pio > 1)
		return -EINVAL;
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->zone = *z;
	n = &vm->nr_bus_devs[z->pio ? BUS_PIO : BUS_MMIO];
	mutex_lock(&vm->lock);
	if (*n >= NR_BUS_DEVS)
		r = -ENOSPC;
	else
		r = zone_call(vm, KEEL_COALESCED_ADD, z);
	if (!r) {
		list_add_tail(&p->list, &vm->zones);
		(*n)++;
	}
	mutex_unlock(&vm->lock);
	if (r)
		kfree(p);
	return r;
}

/* [addr, addr + len) lies in @z: KVM's coalesced_mmio_in_range(). */
static bool in_zone(const struct kvm_coalesced_mmio_zone *z, u64 addr, u64 len)
{
	return addr >= z->addr && addr + len <= z->addr + z->size;
}

/*
 * KVM_UNREGISTER_COALESCED_MMIO removes every zone of that bus that holds
 * the range given (sic: kvm_vm_ioctl_unregister_coalesced_mmio() asks
 * whether the argument lies in the zone), and answers 0 even for none.
 * A zone Keel could not remove (out of memory for its new table) stays,
 * and the error is returned.
 */
static int unregister_zone(struct keel_vm *vm, const struct kvm_coalesced_mmio_zone *z)
{
	struct keel_zone *p, *tmp;
	int r = 0;

	if (z->pio > 1)
		return -EINVAL;
	mutex_lock(&vm->lock);
	list_for_each_entry_safe(p, tmp, &vm->zones, list) {
		if (p->zone.pio != z->pio || !in_zone(&p->zone, z->addr, z->size))
			continue;
		r = zone_call(vm, KEEL_COALESCED_DEL, &p->zone);
		if (r)
			break;
		list_del(&p->list);
		vm->nr_bus_devs[z->pio ? BUS_PIO : BUS_MMIO]--;
		kfree(p);
	}
	mutex_unlock(&vm->lock);
	return r;
}

long keel_coalesced_mmio(struct keel_vm *vm, void __user *argp, bool reg)
{
	struct kvm_coalesced_mmio_zone z;

	if (copy_from_user(&z, argp, sizeof(z)))
		return -EFAULT;
	return reg ? register_zone(vm, &z) : unregister_zone(vm, &z);
}

/* An ioeventfd's (a coalesced zone's write came here only if the ring was full). */
static bool write_taken(struct keel_vm *vm, bool pio, u64 addr, u32 len, u64 val)
{
	struct keel_ioeventfd *p;
	bool taken = false;

	rcu_read_lock();
	list_for_each_entry_rcu(p, &vm->ioeventfds, list) {
		if (ioeventfd_hit(p, pio ? BUS_PIO : BUS_MMIO, addr, len, val)) {
			eventfd_signal(p->ctx, 1);
			taken = true;
			break;
		}
	}
	rcu_read_unlock();
	return taken;
}

/*
 * Whether Keel's exit is a guest write taken here: then the guest runs on
 * without the VMM. A size Keel should never give is left to report_exit().
 */
bool keel_iodev_write(struct keel_vcpu *vcpu)
{
	const struct keel_run *k = vcpu->krun;
	struct keel_vm *vm = vcpu->vm;
	u32 len;

	if (k->exit_reason == KEEL_EXIT_IO && !k->exit.io.in) {
		len = k->exit.io.size;
		return (len == 1 || len == 2 || len == 4) &&
		       write_taken(vm, true, k->exit.io.port, len, k->exit.io.data);
	}
	if (k->exit_reason == KEEL_EXIT_MMIO && k->exit.mmio.write) {
		len = k->exit.mmio.len;
		return (len == 1 || len == 2 || len == 4 || len == 8) &&
		       write_taken(vm, false, k->exit.mmio.gpa, len, k->exit.mmio.data);
	}
	return false;
}

/* The VM is gone: no run loop is left to look. */
void keel_iodev_free(struct keel_vm *vm)
{
	struct keel_ioeventfd *p, *tmp;
	struct keel_zone *z, *ztmp;

	list_for_each_entry_safe(p, tmp, &vm->ioeventfds, list) {
		eventfd_ctx_put(p->ctx);
		kfree(p);
	}
	list_for_each_entry_safe(z, ztmp, &vm->zones, list)
		kfree(z);
	free_page((unsigned long)vm->ring);
}
