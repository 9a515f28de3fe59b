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
 * replaced table is kept until io_bus_destroy(): a change costs a copy of the
 * table, kept for the VM's life (a few hundred bytes per change; changes are
 * rare: device setup, and VMM requests later).
 */
#ifndef KEEL_IOBUS_H
#define KEEL_IOBUS_H

#include "kernel/spinlock.h"
#include "kernel/types.h"

/* A handler's answer: handled, or not mine (the VM's owner decides); anything negative is an error. */
#define IO_HANDLED 0
#define IO_NOT_MINE 1

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

struct io_table;

struct io_bus {
	struct io_table *table;		/* the current ranges, NULL if none; read with acquire */
	struct io_table *retired;	/* tables replaced while readers may still use them */
	u64 last;			/* the highest address on the bus */
	struct spinlock lock;		/* serializes writers */
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
/* The range holding @addr, or NULL; valid until io_bus_destroy(). */
const struct io_range *io_bus_find(const struct io_bus *bus, u64 addr);
/* The handler's answer for @addr, or IO_NOT_MINE if no range holds it. */
int io_bus_read(const struct io_bus *bus, struct vcpu *v, u64 addr, unsigned int size, u64 *val);
int io_bus_write(const struct io_bus *bus, struct vcpu *v, u64 addr, unsigned int size, u64 val);

#endif
