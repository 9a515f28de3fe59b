// SPDX-License-Identifier: GPL-2.0
/* I/O buses: sorted device ranges, looked up without locks (kernel/iobus.h says how). */
#include "kernel/errno.h"
#include "kernel/iobus.h"
#include "kernel/mm.h"

void io_bus_init(struct io_bus *bus, u64 last)
{
	*bus = (struct io_bus){ .last = last, .lock = SPINLOCK_INIT };
}

void io_bus_destroy(struct io_bus *bus)
{
	struct io_table *t = bus->retired;

	while (t) {
		struct io_table *next = t->retired_next;

		kfree(t);
		t = next;
	}
	kfree(bus->table);
	bus->table = NULL;
	bus->retired = NULL;
}

/* How many ranges start at or below @addr. */
static u32 nr_at_or_below(const struct io_table *t, u64 addr)
{
	u32 lo = 0, n = t ? t->nr : 0;

	while (n) {
		u32 half = n / 2;

		if (t->r[lo + half].base <= addr) {
			lo += half + 1;
			n -= half + 1;
		} else {
			n = half;
		}
	}
	return lo;
}

/*
 * Publishes a copy of @old with @add inserted at index @at, or without entry
 * @at if @add is NULL. Readers see the old table or the new one, never a mix;
 * the old one is retired, not freed, as a reader may still search it.
 */
static int publish(struct io_bus *bus, struct io_table *old, u32 at, const struct io_range *add)
{
	u32 n = old ? old->nr : 0, nr = add ? n + 1 : n - 1;
	struct io_table *t = NULL;

	if (nr) {
		t = kmalloc(sizeof(*t) + nr * sizeof(t->r[0]));
		if (!t)
			return -ENOMEM;
		t->retired_next = NULL;
		t->nr = nr;
		for (u32 i = 0; i < at; i++)
			t->r[i] = old->r[i];
		if (add)
			t->r[at] = *add;
		for (u32 src = at + !add, dst = at + !!add; src < n; src++, dst++)
			t->r[dst] = old->r[src];
	}
	__atomic_store_n(&bus->table, t, __ATOMIC_RELEASE);
	if (old) {
		old->retired_next = bus->retired;
		bus->retired = old;
	}
	return 0;
}

void io_bus_free_retired(struct io_bus *bus, struct io_table *mark)
{
	struct io_table **link, *t;

	if (!mark)
		return;
	spin_lock(&bus->lock);
	for (link = &bus->retired; *link && *link != mark; link = &(*link)->retired_next)
		;
	t = *link;
	*link = NULL;
	spin_unlock(&bus->lock);
	while (t) {
		struct io_table *next = t->retired_next;

		kfree(t);
		t = next;
	}
}

static bool overlaps(const struct io_range *r, u64 base, u64 len)
{
	return base >= r->base ? base - r->base < r->len : r->base - base < len;
}

int io_bus_register(struct io_bus *bus, u64 base, u64 len, const struct io_dev_ops *ops, void *opaque)
{
	const struct io_range add = { base, len, ops, opaque };
	struct io_table *t;
	u32 at;
	int r;

	if (!ops || !len || base > bus->last || len - 1 > bus->last - base)
		return -EINVAL;
	spin_lock(&bus->lock);
	t = bus->table;
	at = nr_at_or_below(t, base);
	if ((at > 0 && overlaps(&t->r[at - 1], base, len)) ||
	    (t && at < t->nr && overlaps(&t->r[at], base, len)))
		r = -EEXIST;
	else
		r = publish(bus, t, at, &add);
	spin_unlock(&bus->lock);
	return r;
}

int io_bus_unregister(struct io_bus *bus, u64 base, u64 len, const struct io_dev_ops *ops, void *opaque)
{
	struct io_table *t;
	const struct io_range *e;
	u32 at;
	int r = -ENOENT;

	spin_lock(&bus->lock);
	t = bus->table;
	at = nr_at_or_below(t, base);
	e = at ? &t->r[at - 1] : NULL;
	if (e && e->base == base && e->len == len && e->ops == ops && e->opaque == opaque)
		r = publish(bus, t, at - 1, NULL);
	spin_unlock(&bus->lock);
	return r;
}
