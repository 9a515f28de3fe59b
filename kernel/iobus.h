/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An I/O bus: the devices of one address space of a VM (its ports or its
 * guest-physical MMIO), as sorted, non-overlapping ranges, each with its
 * handlers and an opaque argument, added and removed at run time.
 *
 * Lookups run on every I/O exit, concurrently on several CPUs, while a rare
 * register or unregister may run: the ranges live in an immutable table that
 * writers copy, change and publish with one release store (copy-on-write, as
 * KVM's kvm_io_bus under SRCU). Readers take no lock and write nothing shared:
 * one acquire load and a binary search. Keel has no grace periods yet, so a
 * replaced table is kept until io_bus_destroy() (a few hundred bytes per
 * change; device setup changes a bus rarely), unless its writer waits for the
 * readers and frees it (io_bus_free_retired()).
 */
#ifndef KEEL_IOBUS_H
#define KEEL_IOBUS_H

#include "kernel/spinlock.h"
#include "kernel/types.h"

/*
 * A handler's answer: handled, or not mine (the VM's owner decides);
 * anything negative is an error. The owner's hook (vm->unclaimed_*) may
 * answer IO_EXIT_VMM: the access goes to the VMM, which completes a read
 * when the vCPU runs again.
 */
#define IO_HANDLED 0
#define IO_NOT_MINE 1
#define IO_EXIT_VMM 2

struct vcpu;

/*
 * @addr is the port or guest-physical address, @size 1, 2, 4 or 8 bytes.
 * Return IO_HANDLED, IO_NOT_MINE (leaving *@val untouched), or a negative
 * errno, which stops the VM with an internal error. A NULL handler does not
 * decode that direction: IO_NOT_MINE.
 */
struct io_dev_ops {
	int (*read)(struct vcpu *v, void *opaque, u64 addr, unsigned int size, u64 *val);
	int (*write)(struct vcpu *v, void *opaque, u64 addr, unsigned int size, u64 val);
};

struct io_range {
	u64 base, len;
	const struct io_dev_ops *ops;
	void *opaque;
};

/* Immutable once published; only kernel/iobus.c builds one. */
struct io_table {
	struct io_table *retired_next;
	u32 nr;				/* at least 1: an empty bus has no table */
	struct io_range r[];		/* sorted by base, disjoint */
};

struct io_bus {
	struct io_table *table;		/* the current ranges, NULL if none; read with acquire */
	struct io_table *retired;	/* tables replaced while readers may still use them */
	u64 last;			/* the highest address on the bus */
	struct spinlock lock;		/* serializes writers; never taken in interrupt context */
};

/* An empty bus of addresses 0..@last (0xffff for ports, ~0 for MMIO). */
void io_bus_init(struct io_bus *bus, u64 last);
/* Frees every table; no lookup may be running or follow. */
void io_bus_destroy(struct io_bus *bus);
/* 0; -EINVAL for an empty range or one past bus->last; -EEXIST if it overlaps one; -ENOMEM. */
int io_bus_register(struct io_bus *bus, u64 base, u64 len, const struct io_dev_ops *ops, void *opaque);
/*
 * Removes the range registered with exactly these arguments: 0, -ENOENT, or
 * -ENOMEM. A handler already running on another CPU may still finish: the
 * device's state must outlive it (today every device lives as long as its VM).
 */
int io_bus_unregister(struct io_bus *bus, u64 base, u64 len, const struct io_dev_ops *ops, void *opaque);

/*
 * The newest table retired so far, a mark for io_bus_free_retired(). A
 * caller that changes a bus often (a VMM's coalesced zones) takes it after
 * its change, waits until no reader can still hold a table retired before
 * (vm_wait_exits(): lookups run only in exit handlers), then frees them.
 */
static inline struct io_table *io_bus_retired(struct io_bus *bus)
{
	return __atomic_load_n(&bus->retired, __ATOMIC_ACQUIRE);
}

/* Frees @mark and every table retired before it; later ones stay. */
void io_bus_free_retired(struct io_bus *bus, struct io_table *mark);

/*
 * The range holding @addr, or NULL; valid until io_bus_destroy(). Inline, as
 * it runs on every I/O exit: the last range whose base is at most @addr, then
 * one unsigned compare (an @addr below that base wraps to more than its
 * length, since base + len cannot wrap). Each halving step compiles to a
 * conditional move rather than a branch.
 */
static inline const struct io_range *io_bus_find(const struct io_bus *bus, u64 addr)
{
	const struct io_table *t = __atomic_load_n(&bus->table, __ATOMIC_ACQUIRE);
	const struct io_range *r;

	if (!t)
		return NULL;
	r = t->r;
	for (u32 n = t->nr; n > 1; n -= n / 2)
		r = r[n / 2].base <= addr ? r + n / 2 : r;
	return addr - r->base < r->len ? r : NULL;
}

/* The handler's answer for @addr, or IO_NOT_MINE if no range holds it. */
static inline int io_bus_read(const struct io_bus *bus, struct vcpu *v, u64 addr, unsigned int size,
			      u64 *val)
{
	const struct io_range *r = io_bus_find(bus, addr);

	if (!r || !r->ops->read)
		return IO_NOT_MINE;
	return r->ops->read(v, r->opaque, addr, size, val);
}

static inline int io_bus_write(const struct io_bus *bus, struct vcpu *v, u64 addr, unsigned int size,
			       u64 val)
{
	const struct io_range *r = io_bus_find(bus, addr);

	if (!r || !r->ops->write)
		return IO_NOT_MINE;
	return r->ops->write(v, r->opaque, addr, size, val);
}

#endif
