// SPDX-License-Identifier: GPL-2.0
/*
 * Coalesced MMIO and PIO: each zone is a device on the VM's port or MMIO
 * bus, as KVM's, so a write elsewhere costs nothing more. The zone takes a
 * write while the ring has room and answers "not mine" when it is full:
 * the write then exits to the VMM as any unclaimed one. A zone cannot
 * overlap a device of Keel's (the bus refuses it). The ring is the VMM's
 * memory (it maps the control guest's page): its indices are read as
 * untrusted numbers, and only the entry at a checked index is written.
 */
#include "kernel/coalesced.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "kernel/vm.h"

bool coalesced_ring_append(struct keel_coalesced_ring *ring, bool pio, u64 addr, unsigned int len,
			   u64 val)
{
	u32 at = __atomic_load_n(&ring->last, __ATOMIC_RELAXED);
	u32 first = __atomic_load_n(&ring->first, __ATOMIC_RELAXED);
	struct keel_coalesced_entry *e;

	/*
	 * KVM's coalesced_mmio_has_room(), to the letter: (first - last - 1)
	 * wraps in 32 bits before the modulo, so a ring with last >= first
	 * counts as full at 85 entries free, not 0. VMMs see the same exits.
	 */
	if (at >= KEEL_COALESCED_MAX || (first - at - 1) % KEEL_COALESCED_MAX == 0)
		return false;
	e = &ring->entry[at];
	e->phys_addr = addr;
	e->len = len;
	e->pio = pio;
	memcpy(e->data, &val, len);
	/* The entry before the index the VMM finds it by (KVM's smp_wmb()). */
	__atomic_store_n(&ring->last, (at + 1) % KEEL_COALESCED_MAX, __ATOMIC_RELEASE);
	return true;
}

/*
 * The whole access must lie in the zone (KVM's coalesced_mmio_in_range()):
 * the bus found the zone holding @addr, whose last byte is @last.
 */
static int zone_write(struct vcpu *v, u64 last, bool pio, u64 addr, unsigned int len, u64 val)
{
	struct coalesced *c = &v->vm->coalesced;
	struct keel_coalesced_ring *ring = __atomic_load_n(&c->ring, __ATOMIC_ACQUIRE);
	u64 flags;
	bool taken;

	if (!ring || len - 1 > last - addr)
		return IO_NOT_MINE;
	flags = spin_lock_irqsave(&c->lock);
	taken = coalesced_ring_append(ring, pio, addr, len, val);
	spin_unlock_irqrestore(&c->lock, flags);
	return taken ? IO_HANDLED : IO_NOT_MINE;
}

static int mmio_zone_write(struct vcpu *v, void *last, u64 addr, unsigned int len, u64 val)
{
	return zone_write(v, (u64)(uintptr_t)last, false, addr, len, val);
}

static int pio_zone_write(struct vcpu *v, void *last, u64 addr, unsigned int len, u64 val)
{
	return zone_write(v, (u64)(uintptr_t)last, true, addr, len, val);
}

static const struct io_dev_ops zone_ops[2] = {
	{ .write = mmio_zone_write },
	{ .write = pio_zone_write },
};

/* The ring page is the caller's RAM, checked once here: Keel keeps its address. */
static int set_ring(struct coalesced *c, u64 gpa, struct vm *caller)
{
	struct keel_coalesced_ring *ring = gpa_to_hva(caller, gpa, PAGE_SIZE);
	struct keel_coalesced_ring *none = NULL;

	if (!IS_ALIGNED(gpa, PAGE_SIZE))
		return -EINVAL;
	if (!ring)
		return -EFAULT;
	if (!__atomic_compare_exchange_n(&c->ring, &none, ring, false, __ATOMIC_RELEASE,
					 __ATOMIC_RELAXED))
		return -EEXIST;
	return 0;
}

int coalesced_call(struct vm *vm, u64 op, u64 addr, u64 size, struct vm *caller)
{
	bool pio = op & KEEL_COALESCED_PIO;
	struct io_bus *bus = pio ? &vm->pio : &vm->mmio;
	void *last = (void *)(uintptr_t)(addr + size - 1);

	switch (op & ~(u64)KEEL_COALESCED_PIO) {
	case KEEL_COALESCED_RING:
		return pio || size ? -EINVAL : set_ring(&vm->coalesced, addr, caller);
	case KEEL_COALESCED_ADD:
		return io_bus_register(bus, addr, size, &zone_ops[pio], last);
	case KEEL_COALESCED_DEL:
		return io_bus_unregister(bus, addr, size, &zone_ops[pio], last);
	default:
		return -EINVAL;
	}
}
