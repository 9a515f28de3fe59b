// SPDX-License-Identifier: GPL-2.0
/* I/O buses: sorted registration, overlaps, limits, unregistering, lookups, handler answers, growth. */
#include "kernel/errno.h"
#include "kernel/iobus.h"
#include "kernel/mm.h"
#include "test.h"

#include <pthread.h>
#include <sched.h>

/* kmalloc() for the host: malloc, with a failure on demand and a count of live blocks. */
static int fail_allocs;
static int live_allocs;

void *kmalloc(size_t size)
{
	if (fail_allocs) {
		fail_allocs--;
		return NULL;
	}
	live_allocs++;
	return malloc(size);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	return p ? memset(p, 0, size) : NULL;
}

void kfree(void *p)
{
	if (p)
		live_allocs--;
	free(p);
}

struct dev {
	int id;
	int answer;	/* what the handlers return */
	u64 last_addr, last_val;
	unsigned int last_size;
	struct vcpu *last_v;
};

static int dev_read(struct vcpu *v, void *opaque, u64 addr, unsigned int size, u64 *val)
{
	struct dev *d = opaque;

	d->last_addr = addr;
	d->last_size = size;
	d->last_v = v;
	if (d->answer == IO_HANDLED)
		*val = (u64)d->id;
	return d->answer;
}

static int dev_write(struct vcpu *v, void *opaque, u64 addr, unsigned int size, u64 val)
{
	struct dev *d = opaque;

	d->last_addr = addr;
	d->last_size = size;
	d->last_val = val;
	d->last_v = v;
	return d->answer;
}

static const struct io_dev_ops ops = { dev_read, dev_write };
static const struct io_dev_ops write_only = { NULL, dev_write };

/* The device id answering a read of @addr, or -1 if not mine. */
static long long who(struct io_bus *bus, u64 addr)
{
	u64 val = ~0ULL;
	int r = io_bus_read(bus, NULL, addr, 1, &val);

	return r == IO_HANDLED ? (long long)val : r == IO_NOT_MINE ? -1 : r;
}

TEST(sorted_whatever_the_order)
{
	static const u64 bases[] = { 0x500, 0x100, 0x300, 0x200, 0x400 };
	struct dev d[5];
	struct io_bus bus;
	const struct io_range *prev = NULL;

	io_bus_init(&bus, 0xffff);
	for (int i = 0; i < 5; i++) {
		d[i] = (struct dev){ .id = i };
		CHECK_EQ(io_bus_register(&bus, bases[i], 0x10, &ops, &d[i]), 0);
	}
	for (int i = 0; i < 5; i++) {
		const struct io_range *r = io_bus_find(&bus, 0x100 * (u64)(i + 1));

		CHECK(r != NULL);
		CHECK(!prev || (r && r > prev && r->base > prev->base));
		prev = r;
	}
	for (int i = 0; i < 5; i++) {
		CHECK_EQ(who(&bus, bases[i]), i);
		CHECK_EQ(who(&bus, bases[i] + 0xf), i);
		CHECK_EQ(who(&bus, bases[i] - 1), -1);
		CHECK_EQ(who(&bus, bases[i] + 0x10), -1);
	}
	CHECK_EQ(who(&bus, 0), -1);
	CHECK_EQ(who(&bus, 0xffff), -1);
	io_bus_destroy(&bus);
	CHECK_EQ(live_allocs, 0);
}

TEST(overlap_refused_adjacency_allowed)
{
	struct dev a = { .id = 1 }, b = { .id = 2 }, c = { .id = 3 };
	struct io_bus bus;

	io_bus_init(&bus, ~0ULL);
	CHECK_EQ(io_bus_register(&bus, 0x1000, 0x1000, &ops, &a), 0);
	CHECK_EQ(io_bus_register(&bus, 0x1000, 0x1000, &ops, &b), -EEXIST);
	CHECK_EQ(io_bus_register(&bus, 0x1fff, 1, &ops, &b), -EEXIST);
	CHECK_EQ(io_bus_register(&bus, 0xfff, 2, &ops, &b), -EEXIST);
	CHECK_EQ(io_bus_register(&bus, 0x800, 0x2000, &ops, &b), -EEXIST);	/* covers it */
	CHECK_EQ(io_bus_register(&bus, 0x1800, 0x10, &ops, &b), -EEXIST);	/* inside it */
	CHECK_EQ(io_bus_register(&bus, 0x2000, 0x1000, &ops, &b), 0);	/* just after */
	CHECK_EQ(io_bus_register(&bus, 0x0, 0x1000, &ops, &c), 0);		/* just before */
	CHECK_EQ(io_bus_register(&bus, 0x2fff, 1, &ops, &c), -EEXIST);
	CHECK_EQ(who(&bus, 0xfff), 3);
	CHECK_EQ(who(&bus, 0x1000), 1);
	CHECK_EQ(who(&bus, 0x1fff), 1);
	CHECK_EQ(who(&bus, 0x2000), 2);
	CHECK_EQ(who(&bus, 0x2fff), 2);
	CHECK_EQ(who(&bus, 0x3000), -1);
	io_bus_destroy(&bus);
	CHECK_EQ(live_allocs, 0);
}

TEST(empty_and_wrapping_ranges_refused)
{
	struct dev a = { .id = 7 };
	struct io_bus pio, mmio;

	io_bus_init(&pio, 0xffff);
	io_bus_init(&mmio, ~0ULL);
	CHECK_EQ(io_bus_register(&pio, 0x10, 0, &ops, &a), -EINVAL);
	CHECK_EQ(io_bus_register(&pio, 0x10, 1, NULL, &a), -EINVAL);
	CHECK_EQ(io_bus_register(&pio, 0xfff8, 9, &ops, &a), -EINVAL);
	CHECK_EQ(io_bus_register(&pio, 0x10000, 1, &ops, &a), -EINVAL);
	CHECK_EQ(io_bus_register(&mmio, ~0ULL - 7, 9, &ops, &a), -EINVAL);
	CHECK_EQ(io_bus_register(&mmio, 2, ~0ULL, &ops, &a), -EINVAL);
	CHECK(io_bus_find(&pio, 0x10) == NULL);
	/* The very last addresses are fine. */
	CHECK_EQ(io_bus_register(&pio, 0xfff8, 8, &ops, &a), 0);
	CHECK_EQ(who(&pio, 0xffff), 7);
	CHECK_EQ(io_bus_register(&mmio, ~0ULL - 7, 8, &ops, &a), 0);
	CHECK_EQ(who(&mmio, ~0ULL), 7);
	CHECK_EQ(who(&mmio, ~0ULL - 8), -1);
	io_bus_destroy(&pio);
	io_bus_destroy(&mmio);
	CHECK_EQ(live_allocs, 0);
}

TEST(whole_space_in_one_range)
{
	struct dev a = { .id = 4 };
	struct io_bus bus;

	io_bus_init(&bus, ~0ULL);
	CHECK_EQ(io_bus_register(&bus, 0, ~0ULL, &ops, &a), 0);
	CHECK_EQ(who(&bus, 0), 4);
	CHECK_EQ(who(&bus, ~0ULL - 1), 4);
	CHECK_EQ(who(&bus, ~0ULL), -1);
	io_bus_destroy(&bus);
}

TEST(unregister)
{
	struct dev a = { .id = 1 }, b = { .id = 2 };
	struct io_bus bus;

	io_bus_init(&bus, 0xffff);
	CHECK_EQ(io_bus_unregister(&bus, 0x60, 1, &ops, &a), -ENOENT);
	CHECK_EQ(io_bus_register(&bus, 0x60, 1, &ops, &a), 0);
	CHECK_EQ(io_bus_register(&bus, 0x64, 1, &ops, &b), 0);
	CHECK_EQ(io_bus_unregister(&bus, 0x60, 2, &ops, &a), -ENOENT);	/* wrong length */
	CHECK_EQ(io_bus_unregister(&bus, 0x60, 1, &ops, &b), -ENOENT);	/* wrong device */
	CHECK_EQ(io_bus_unregister(&bus, 0x60, 1, &write_only, &a), -ENOENT);
	CHECK_EQ(io_bus_unregister(&bus, 0x61, 1, &ops, &a), -ENOENT);
	CHECK_EQ(io_bus_unregister(&bus, 0x60, 1, &ops, &a), 0);
	CHECK_EQ(who(&bus, 0x60), -1);
	CHECK_EQ(who(&bus, 0x64), 2);
	CHECK_EQ(io_bus_unregister(&bus, 0x60, 1, &ops, &a), -ENOENT);
	CHECK_EQ(io_bus_unregister(&bus, 0x64, 1, &ops, &b), 0);
	CHECK(io_bus_find(&bus, 0x64) == NULL);
	/* The space is free again. */
	CHECK_EQ(io_bus_register(&bus, 0x60, 8, &ops, &b), 0);
	CHECK_EQ(who(&bus, 0x67), 2);
	io_bus_destroy(&bus);
	CHECK_EQ(live_allocs, 0);
}

TEST(handlers_get_their_opaque_and_the_access)
{
	struct dev a = { .id = 1 }, b = { .id = 2 };
	struct vcpu *v = (struct vcpu *)&a;	/* only passed through */
	struct io_bus bus;
	u64 val = 0;

	io_bus_init(&bus, ~0ULL);
	CHECK_EQ(io_bus_register(&bus, 0xfee00000, 0x1000, &ops, &a), 0);
	CHECK_EQ(io_bus_register(&bus, 0xfec00000, 0x1000, &ops, &b), 0);
	CHECK_EQ(io_bus_read(&bus, v, 0xfee000b0, 4, &val), IO_HANDLED);
	CHECK_EQ(val, 1);
	CHECK_EQ(a.last_addr, 0xfee000b0);
	CHECK_EQ(a.last_size, 4);
	CHECK(a.last_v == v);
	CHECK_EQ(io_bus_write(&bus, v, 0xfec00010, 8, 0x1234), IO_HANDLED);
	CHECK_EQ(b.last_addr, 0xfec00010);
	CHECK_EQ(b.last_size, 8);
	CHECK_EQ(b.last_val, 0x1234);
	CHECK_EQ(a.last_val, 0);
	io_bus_destroy(&bus);
}

TEST(not_mine_and_errors_propagate)
{
	struct dev a = { .id = 1, .answer = IO_NOT_MINE }, b = { .id = 2, .answer = -EIO };
	struct dev c = { .id = 3 };
	struct io_bus bus;
	u64 val = 0x55;

	io_bus_init(&bus, 0xffff);
	CHECK_EQ(io_bus_register(&bus, 0x10, 4, &ops, &a), 0);
	CHECK_EQ(io_bus_register(&bus, 0x20, 4, &ops, &b), 0);
	CHECK_EQ(io_bus_register(&bus, 0x30, 4, &write_only, &c), 0);
	CHECK_EQ(io_bus_read(&bus, NULL, 0x11, 1, &val), IO_NOT_MINE);
	CHECK_EQ(val, 0x55);
	CHECK_EQ(io_bus_write(&bus, NULL, 0x11, 1, 9), IO_NOT_MINE);
	CHECK_EQ(a.last_val, 9);
	CHECK_EQ(io_bus_read(&bus, NULL, 0x22, 2, &val), -EIO);
	CHECK_EQ(io_bus_write(&bus, NULL, 0x22, 2, 1), -EIO);
	/* No read handler: the device does not decode reads. */
	CHECK_EQ(io_bus_read(&bus, NULL, 0x30, 4, &val), IO_NOT_MINE);
	CHECK_EQ(val, 0x55);
	CHECK_EQ(io_bus_write(&bus, NULL, 0x30, 4, 6), IO_HANDLED);
	CHECK_EQ(c.last_val, 6);
	CHECK_EQ(io_bus_read(&bus, NULL, 0x40, 4, &val), IO_NOT_MINE);
	CHECK_EQ(io_bus_write(&bus, NULL, 0x40, 4, 6), IO_NOT_MINE);
	io_bus_destroy(&bus);
}

TEST(out_of_memory_leaves_the_bus_unchanged)
{
	struct dev a = { .id = 1 }, b = { .id = 2 };
	struct io_bus bus;

	io_bus_init(&bus, 0xffff);
	CHECK_EQ(io_bus_register(&bus, 0x10, 4, &ops, &a), 0);
	fail_allocs = 1;
	CHECK_EQ(io_bus_register(&bus, 0x20, 4, &ops, &b), -ENOMEM);
	CHECK_EQ(who(&bus, 0x10), 1);
	CHECK_EQ(who(&bus, 0x20), -1);
	CHECK_EQ(io_bus_register(&bus, 0x20, 4, &ops, &b), 0);
	fail_allocs = 1;
	CHECK_EQ(io_bus_unregister(&bus, 0x10, 4, &ops, &a), -ENOMEM);
	CHECK_EQ(who(&bus, 0x10), 1);
	CHECK_EQ(who(&bus, 0x20), 2);
	fail_allocs = 0;
	io_bus_destroy(&bus);
	CHECK_EQ(live_allocs, 0);
}

/* Retired tables freed up to a mark: the mark's and older ones go, later ones stay. */
TEST(retired_tables_freed_up_to_a_mark)
{
	struct dev a = { .id = 1 }, b = { .id = 2 }, c = { .id = 3 };
	struct io_table *mark;
	struct io_bus bus;

	io_bus_init(&bus, 0xffff);
	CHECK(!io_bus_retired(&bus));
	io_bus_free_retired(&bus, NULL);
	CHECK_EQ(io_bus_register(&bus, 0x10, 4, &ops, &a), 0);	/* 1 table live */
	CHECK_EQ(io_bus_register(&bus, 0x20, 4, &ops, &b), 0);	/* 1 retired */
	CHECK_EQ(io_bus_register(&bus, 0x30, 4, &ops, &c), 0);	/* 2 retired */
	mark = io_bus_retired(&bus);
	CHECK_EQ(live_allocs, 3);
	CHECK_EQ(io_bus_unregister(&bus, 0x20, 4, &ops, &b), 0);	/* 3 retired */
	io_bus_free_retired(&bus, mark);
	CHECK_EQ(live_allocs, 2);	/* the newest table and the one retired after the mark */
	CHECK(io_bus_retired(&bus) && io_bus_retired(&bus) != mark);
	CHECK_EQ(who(&bus, 0x10), 1);
	CHECK_EQ(who(&bus, 0x20), -1);
	CHECK_EQ(who(&bus, 0x30), 3);
	io_bus_free_retired(&bus, io_bus_retired(&bus));
	CHECK_EQ(live_allocs, 1);
	CHECK(!io_bus_retired(&bus));
	io_bus_destroy(&bus);
	CHECK_EQ(live_allocs, 0);
}

/* Many ranges, registered in a scrambled order, then half of them removed. */
TEST(many_ranges)
{
	enum { N = 1000 };
	static struct dev d[N];
	struct io_bus bus;

	io_bus_init(&bus, ~0ULL);
	for (unsigned int k = 0; k < N; k++) {
		unsigned int i = (k * 617) % N;	/* 617 is prime to N: every index once */

		d[i] = (struct dev){ .id = (int)i };
		CHECK_EQ(io_bus_register(&bus, 0x10000 + (u64)i * 0x100, 0x10 + i % 0xf0, &ops, &d[i]), 0);
	}
	for (unsigned int i = 0; i < N; i++) {
		u64 base = 0x10000 + (u64)i * 0x100;

		CHECK_EQ(who(&bus, base), i);
		CHECK_EQ(who(&bus, base + 0xf + i % 0xf0), i);
		CHECK_EQ(who(&bus, base + 0x10 + i % 0xf0), -1);
		CHECK_EQ(who(&bus, base - 1), -1);
	}
	for (unsigned int i = 0; i < N; i += 2)
		CHECK_EQ(io_bus_unregister(&bus, 0x10000 + (u64)i * 0x100, 0x10 + i % 0xf0, &ops, &d[i]), 0);
	for (unsigned int i = 0; i < N; i++)
		CHECK_EQ(who(&bus, 0x10000 + (u64)i * 0x100 + 5), i % 2 ? (long long)i : -1);
	io_bus_destroy(&bus);
	CHECK_EQ(live_allocs, 0);
}

/* Readers racing a writer always find the ranges that stay registered, and never a torn table. */
struct reader {
	struct io_bus *bus;
	bool *stop;
	unsigned long lookups, misses;
};

static void *read_loop(void *arg)
{
	struct reader *r = arg;

	while (!__atomic_load_n(r->stop, __ATOMIC_RELAXED)) {
		for (u64 port = 0x100; port < 0x200; port += 0x40) {
			const struct io_range *e = io_bus_find(r->bus, port + 3);

			__atomic_fetch_add(&r->lookups, 1, __ATOMIC_RELAXED);
			if (!e || e->base != port || ((struct dev *)e->opaque)->id != (int)port)
				r->misses++;
		}
	}
	return NULL;
}

static unsigned long lookups_of(struct reader *r)
{
	return __atomic_load_n(&r->lookups, __ATOMIC_RELAXED);
}

/* Both readers have looked since @since (their counts then), whatever the host's load. */
static bool both_looked(struct reader *rd, const unsigned long *since)
{
	return lookups_of(&rd[0]) > since[0] && lookups_of(&rd[1]) > since[1];
}

static void change_ranges(struct io_bus *bus, struct dev *moving)
{
	for (unsigned int i = 0; i < 64; i++)
		CHECK_EQ(io_bus_register(bus, 0x1000 + ((i * 37) % 64) * 0x10, 0x10, &ops, &moving[i]), 0);
	for (unsigned int i = 0; i < 64; i++)
		CHECK_EQ(io_bus_unregister(bus, 0x1000 + ((i * 37) % 64) * 0x10, 0x10, &ops, &moving[i]), 0);
}

/*
 * The writer starts once both readers run and goes on (50 rounds at
 * least) until both looked while it changed the table: on a loaded host a
 * reader may not be scheduled for a while.
 */
TEST(lookups_during_changes)
{
	static struct dev fixed[4], moving[64];
	unsigned long none[2] = { 0, 0 }, since[2];
	struct reader rd[2];
	bool stop = false;
	pthread_t th[2];
	struct io_bus bus;

	io_bus_init(&bus, 0xffff);
	for (unsigned int i = 0; i < 4; i++) {
		fixed[i] = (struct dev){ .id = (int)(0x100 + i * 0x40) };
		CHECK_EQ(io_bus_register(&bus, 0x100 + i * 0x40, 8, &ops, &fixed[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		rd[i] = (struct reader){ .bus = &bus, .stop = &stop };
		CHECK_EQ(pthread_create(&th[i], NULL, read_loop, &rd[i]), 0);
	}
	while (!both_looked(rd, none))
		sched_yield();
	since[0] = lookups_of(&rd[0]);
	since[1] = lookups_of(&rd[1]);
	for (unsigned int round = 0; round < 50 || !both_looked(rd, since); round++)
		change_ranges(&bus, moving);
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ(rd[i].misses, 0);
	}
	io_bus_destroy(&bus);
	CHECK_EQ(live_allocs, 0);
}

TEST_MAIN("iobus", T(sorted_whatever_the_order), T(overlap_refused_adjacency_allowed),
	  T(empty_and_wrapping_ranges_refused), T(whole_space_in_one_range), T(unregister),
	  T(handlers_get_their_opaque_and_the_access), T(not_mine_and_errors_propagate),
	  T(out_of_memory_leaves_the_bus_unchanged), T(retired_tables_freed_up_to_a_mark),
	  T(many_ranges), T(lookups_during_changes))
