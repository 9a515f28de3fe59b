// SPDX-License-Identifier: GPL-2.0
/*
 * Coalesced MMIO and PIO: the VMM's zones live on two buses of their own,
 * looked at only for a write no device of Keel's claims, so a zone never
 * hides a device and a device is never refused for a zone. A zone takes a
 * write while the ring has room; else the write exits to the VMM as any
 * unclaimed one. The ring is the VMM's memory (it maps the control guest's
 * page): its indices are read as untrusted numbers, and only the entry at
 * a checked index is written.
 */
#include "kernel/coalesced.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "kernel/vm.h"

/*
 * Full as KVM 6.1's coalesced_mmio_has_room() says, whose (first - last - 1)
 * wraps in 32 bits before the modulo: a ring with last >= first counts as
 * full at 85 entries free, and VMMs see the same exits. Also full when the
 * next entry would reach first, which that formula misses once the VMM has
 * moved first past the end (the check later KVMs make instead).
 */
static bool ring_full(u32 first, u32 at)
{
	return (first - at - 1) % KEEL_COALESCED_MAX == 0 || (at + 1) % KEEL_COALESCED_MAX == first;
}

bool coalesced_ring_append(struct keel_coalesced_ring *ring, bool pio, u64 addr, unsigned int len,
			   u64 val)
{
	u32 at = __atomic_load_n(&ring->last, __ATOMIC_RELAXED);
	u32 first = __atomic_load_n(&ring->first, __ATOMIC_RELAXED);
	struct keel_coalesced_entry *e;

	if (at >= KEEL_COALESCED_MAX || ring_full(first, at))
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

bool coalesced_write(struct vcpu *v, struct coalesced *c, bool pio, u64 addr, unsigned int len,
		     u64 val)
{
	return io_bus_write(&c->zones[pio], v, addr, len, val) == IO_HANDLED;
}

void coalesced_init(struct coalesced *c)
{
	io_bus_init(&c->zones[0], ~0ULL);
	io_bus_init(&c->zones[1], 0xffff);
}

void coalesced_destroy(struct coalesced *c)
{
	io_bus_destroy(&c->zones[0]);
	io_bus_destroy(&c->zones[1]);
}

/* The ring page is the caller's RAM, checked once here: Keel keeps its address. */
static int set_ring(struct coalesced *c, u64 gpa, struct vm *caller)
{
	struct keel_coalesced_ring *ring = gpa_to_hva_access(caller, gpa, PAGE_SIZE, true);
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

/*
 * A VMM may add and remove zones without end: each change frees the
 * tables it retired once no exit can still be reading them, rather than
 * keeping them for the VM's life as a device's setup may. One change at a
 * time, as memslot.c's shootdowns under mmu_lock: a concurrent one could
 * free the mark and a new table reuse its address.
 */
static int change(struct vm *vm, bool pio, u64 addr, u64 size, bool add)
{
	struct coalesced *c = &vm->coalesced;
	struct io_bus *bus = &c->zones[pio];
	void *last = (void *)(uintptr_t)(addr + size - 1);
	u64 flags = spin_lock_irqsave(&c->change_lock);
	int r = add ? io_bus_register(bus, addr, size, &zone_ops[pio], last) :
		      io_bus_unregister(bus, addr, size, &zone_ops[pio], last);

	if (!r) {
		struct io_table *mark = io_bus_retired(bus);

		vm_wait_exits(vm);
		io_bus_free_retired(bus, mark);
	}
	spin_unlock_irqrestore(&c->change_lock, flags);
	return r;
}

int coalesced_call(struct vm *vm, u64 op, u64 addr, u64 size, struct vm *caller)
{
	bool pio = op & KEEL_COALESCED_PIO;

	switch (op & ~(u64)KEEL_COALESCED_PIO) {
	case KEEL_COALESCED_RING:
		return pio || size ? -EINVAL : set_ring(&vm->coalesced, addr, caller);
	case KEEL_COALESCED_ADD:
		return change(vm, pio, addr, size, true);
	case KEEL_COALESCED_DEL:
		return change(vm, pio, addr, size, false);
	default:
		return -EINVAL;
	}
}
