// SPDX-License-Identifier: GPL-2.0
/*
 * I/O APIC tests. The guest side goes through IOREGSEL/IOWIN as Linux's
 * arch/x86/kernel/apic/io_apic.c does (an entry's high half first, then
 * the low half); a fake records the messages. Section numbers are those
 * of the Intel 82093AA datasheet.
 */
#include "test.h"
#include "arch/x86/irqchip/ioapic.h"

#define MAX_MSGS 64

struct fake {
	int nr;
	struct ioapic_msg msgs[MAX_MSGS];
};

static struct fake fk;
static struct ioapic io;

static void f_deliver(void *ctx, const struct ioapic_msg *m)
{
	struct fake *f = ctx;

	if (f->nr < MAX_MSGS)
		f->msgs[f->nr] = *m;
	f->nr++;
}

static const struct ioapic_ops fake_ops = { .deliver = f_deliver };

static void setup(void)
{
	memset(&fk, 0, sizeof(fk));
	ioapic_init(&io, &fake_ops, &fk);
}

static u32 rd(u32 reg)
{
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, reg);
	return ioapic_mmio_read(&io, IOAPIC_IOWIN);
}

static void wr(u32 reg, u32 val)
{
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, reg);
	ioapic_mmio_write(&io, IOAPIC_IOWIN, val);
}

/* __ioapic_write_entry(): the high half (destination) first. */
static void write_entry(unsigned int pin, u64 e)
{
	wr(IOAPIC_REG_REDTBL + 2 * pin + 1, (u32)(e >> 32));
	wr(IOAPIC_REG_REDTBL + 2 * pin, (u32)e);
}

static u64 read_entry(unsigned int pin)
{
	u64 lo = rd(IOAPIC_REG_REDTBL + 2 * pin);

	return (u64)rd(IOAPIC_REG_REDTBL + 2 * pin + 1) << 32 | lo;
}

static u64 rte(u8 vector, u8 dest, u64 flags)
{
	return (u64)dest << IOAPIC_RTE_DEST_SHIFT | flags | vector;
}

#define LEVEL		IOAPIC_RTE_LEVEL
#define MASKED		IOAPIC_RTE_MASKED
#define REMOTE_IRR	IOAPIC_RTE_REMOTE_IRR

static const struct ioapic_msg *last(void)
{
	static const struct ioapic_msg none;

	return fk.nr > 0 && fk.nr <= MAX_MSGS ? &fk.msgs[fk.nr - 1] : &none;
}

/* ------------------------------------------------------------ registers */

TEST(reset_state)
{
	setup();
	CHECK_EQ(io.s.base_address, 0xfec00000);
	CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_IOREGSEL), 0);
	CHECK_EQ(rd(IOAPIC_REG_ID), 0);
	CHECK_EQ(rd(IOAPIC_REG_VER), 0x170011);
	CHECK_EQ(rd(IOAPIC_REG_ARB), 0);
	for (unsigned int pin = 0; pin < IOAPIC_NUM_PINS; pin++)
		CHECK_EQ(read_entry(pin), MASKED);
	CHECK_EQ(io.s.irr, 0);
	CHECK_EQ(io.line, 0);
	for (unsigned int pin = 0; pin < IOAPIC_NUM_PINS; pin++)
		ioapic_set_irq(&io, pin, true);
	CHECK_EQ(fk.nr, 0);
	CHECK_EQ(io.line, 0xffffff);
}

TEST(state_layout_is_kvms)
{
	CHECK_EQ(sizeof(struct ioapic_state), 216);
	CHECK_EQ(offsetof(struct ioapic_state, base_address), 0);
	CHECK_EQ(offsetof(struct ioapic_state, ioregsel), 8);
	CHECK_EQ(offsetof(struct ioapic_state, id), 12);
	CHECK_EQ(offsetof(struct ioapic_state, irr), 16);
	CHECK_EQ(offsetof(struct ioapic_state, pad), 20);
	CHECK_EQ(offsetof(struct ioapic_state, redirtbl), 24);
}

TEST(mmio_claims)
{
	setup();
	CHECK(ioapic_mmio_claims(&io, 0xfec00000));
	CHECK(ioapic_mmio_claims(&io, 0xfec00010));
	CHECK(ioapic_mmio_claims(&io, 0xfec000ff));
	CHECK(!ioapic_mmio_claims(&io, 0xfec00100));
	CHECK(!ioapic_mmio_claims(&io, 0xfebfffff));
	CHECK(!ioapic_mmio_claims(&io, 0));
	CHECK(!ioapic_mmio_claims(&io, ~0ull));
	io.s.base_address = 0xfec01000;
	CHECK(!ioapic_mmio_claims(&io, 0xfec00000));
	CHECK(ioapic_mmio_claims(&io, 0xfec01040));
}

/* IOAPICID bits 27:24 (3.2.1); ARB follows the ID (3.2.3); VER is read-only (3.2.2). */
TEST(id_version_arbitration)
{
	setup();
	wr(IOAPIC_REG_ID, 0x02000000);
	CHECK_EQ(rd(IOAPIC_REG_ID), 0x02000000);
	CHECK_EQ(io.s.id, 2);
	CHECK_EQ(rd(IOAPIC_REG_ARB), 0x02000000);
	wr(IOAPIC_REG_ID, 0xffffffff);
	CHECK_EQ(rd(IOAPIC_REG_ID), 0x0f000000);
	wr(IOAPIC_REG_VER, 0);
	CHECK_EQ(rd(IOAPIC_REG_VER), 0x170011);
	wr(IOAPIC_REG_ARB, 0x05000000);
	CHECK_EQ(rd(IOAPIC_REG_ARB), 0x0f000000);
	CHECK_EQ(rd(IOAPIC_REG_ID), 0x0f000000);
}

TEST(register_window)
{
	struct ioapic_state before;

	setup();
	/* IOREGSEL is 8 bits wide (3.1.1). */
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 0x12345601);
	CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_IOREGSEL), 0x01);
	CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_IOWIN), 0x170011);
	/* Unused offsets read 0 and ignore writes; so do reads of the EOI register. */
	before = io.s;
	for (u32 off = 0; off < IOAPIC_MMIO_SIZE; off += 4) {
		if (off == IOAPIC_IOREGSEL || off == IOAPIC_IOWIN || off == IOAPIC_EOI)
			continue;
		CHECK_EQ(ioapic_mmio_read(&io, off), 0);
		ioapic_mmio_write(&io, off, 0xffffffff);
	}
	CHECK_EQ(ioapic_mmio_read(&io, IOAPIC_EOI), 0);
	CHECK(!memcmp(&before, &io.s, sizeof(before)));
	/* Registers without a meaning read all ones and ignore writes. */
	for (u32 reg = 0x03; reg <= 0xff; reg++) {
		if (reg >= 0x10 && reg < 0x10 + 2 * IOAPIC_NUM_PINS)
			continue;
		CHECK_EQ(rd(reg), 0xffffffff);
		wr(reg, 0);
	}
	before.ioregsel = io.s.ioregsel;
	CHECK(!memcmp(&before, &io.s, sizeof(before)));
	CHECK_EQ(rd(0x3f), 0);		/* the last entry's high half */
	CHECK_EQ(rd(0x40), 0xffffffff);	/* past it */
}

TEST(rte_programming_linux_style)
{
	u64 e = rte(0x31, 0x03, 0);

	setup();
	write_entry(4, e);
	CHECK_EQ(read_entry(4), e);
	CHECK_EQ(rd(0x18), 0x31);
	CHECK_EQ(rd(0x19), 0x03000000);
	/* Each half leaves the other alone. */
	wr(0x19, 0xff000000);
	CHECK_EQ(read_entry(4), rte(0x31, 0xff, 0));
	wr(0x18, 0x00010941);
	CHECK_EQ(read_entry(4), rte(0x41, 0xff, MASKED | 0x900));
	/* The other entries are untouched. */
	CHECK_EQ(read_entry(3), MASKED);
	CHECK_EQ(read_entry(5), MASKED);
	/* The last entry, through 0x3e/0x3f. */
	write_entry(23, rte(0xfe, 0x0f, LEVEL | MASKED));
	CHECK_EQ(rd(0x3e), 0x180fe);
	CHECK_EQ(rd(0x3f), 0x0f000000);
	CHECK_EQ(fk.nr, 0);
}

/* ------------------------------------------------------------ delivery */

TEST(edge_delivery)
{
	setup();
	write_entry(4, rte(0x31, 0x03, 0));
	ioapic_set_irq(&io, 4, true);
	CHECK_EQ(fk.nr, 1);
	CHECK_EQ(last()->dest, 3);
	CHECK_EQ(last()->vector, 0x31);
	CHECK_EQ(last()->delivery, 0);
	CHECK(!last()->logical);
	CHECK(!last()->level);
	CHECK_EQ(io.line, 1u << 4);
	CHECK_EQ(io.s.irr, 0);			/* delivered: not pending */
	CHECK_EQ(read_entry(4) & REMOTE_IRR, 0);
	/* Held high: no new edge. */
	ioapic_set_irq(&io, 4, true);
	CHECK_EQ(fk.nr, 1);
	ioapic_set_irq(&io, 4, false);
	CHECK_EQ(io.line, 0);
	CHECK_EQ(fk.nr, 1);
	ioapic_set_irq(&io, 4, true);
	CHECK_EQ(fk.nr, 2);
	/* No EOI needed between edges. */
	ioapic_set_irq(&io, 4, false);
	ioapic_set_irq(&io, 4, true);
	CHECK_EQ(fk.nr, 3);
	/* The EOI of an edge entry's vector changes nothing. */
	ioapic_eoi(&io, 0x31);
	CHECK_EQ(fk.nr, 3);
}

/* 3.2.4 bit 16: an edge on a masked pin is lost, not held pending. */
TEST(masked_edge_is_lost)
{
	setup();
	write_entry(1, rte(0x21, 0, MASKED));
	ioapic_set_irq(&io, 1, true);
	CHECK_EQ(fk.nr, 0);
	CHECK_EQ(io.s.irr, 1u << 1);		/* reported as KVM does */
	write_entry(1, rte(0x21, 0, 0));
	CHECK_EQ(fk.nr, 0);
	ioapic_set_irq(&io, 1, false);
	CHECK_EQ(io.s.irr, 0);
	ioapic_set_irq(&io, 1, true);
	CHECK_EQ(fk.nr, 1);
	CHECK_EQ(io.s.irr, 0);
}

TEST(level_delivery_and_remote_irr)
{
	setup();
	write_entry(10, rte(0x41, 0x0f, LEVEL | IOAPIC_RTE_LOGICAL | IOAPIC_RTE_POLARITY));
	ioapic_set_irq(&io, 10, true);
	CHECK_EQ(fk.nr, 1);
	CHECK_EQ(last()->vector, 0x41);
	CHECK_EQ(last()->dest, 0x0f);
	CHECK(last()->logical);
	CHECK(last()->level);
	CHECK_EQ(read_entry(10) & REMOTE_IRR, REMOTE_IRR);
	CHECK_EQ(io.s.irr, 1u << 10);
	/* Asserted again, or still: remote IRR holds it back until the EOI. */
	ioapic_set_irq(&io, 10, true);
	CHECK_EQ(fk.nr, 1);
	/* EOI with the line still asserted: delivered again. */
	ioapic_eoi(&io, 0x41);
	CHECK_EQ(fk.nr, 2);
	CHECK_EQ(read_entry(10) & REMOTE_IRR, REMOTE_IRR);
	/* The handler quiets the device, then EOIs: nothing more. */
	ioapic_set_irq(&io, 10, false);
	CHECK_EQ(io.s.irr, 0);
	CHECK_EQ(read_entry(10) & REMOTE_IRR, REMOTE_IRR);
	ioapic_eoi(&io, 0x41);
	CHECK_EQ(fk.nr, 2);
	CHECK_EQ(read_entry(10) & REMOTE_IRR, 0);
	ioapic_set_irq(&io, 10, true);
	CHECK_EQ(fk.nr, 3);
}

TEST(eoi_matches_vector_and_level_entries)
{
	setup();
	write_entry(5, rte(0x50, 0, LEVEL));
	write_entry(6, rte(0x50, 0, LEVEL));	/* shares the vector */
	write_entry(7, rte(0x51, 0, LEVEL));
	write_entry(8, rte(0x50, 0, 0));		/* edge, same vector */
	ioapic_set_irq(&io, 5, true);
	ioapic_set_irq(&io, 6, true);
	ioapic_set_irq(&io, 7, true);
	ioapic_set_irq(&io, 8, true);
	CHECK_EQ(fk.nr, 4);
	ioapic_set_irq(&io, 6, false);
	/* Another vector's EOI leaves these alone. */
	ioapic_eoi(&io, 0x52);
	CHECK_EQ(fk.nr, 4);
	/* The broadcast EOI of 0x50 ends both level entries; only 5's line is still up. */
	ioapic_eoi(&io, 0x50);
	CHECK_EQ(fk.nr, 5);
	CHECK_EQ(fk.msgs[4].vector, 0x50);
	CHECK_EQ(read_entry(5) & REMOTE_IRR, REMOTE_IRR);
	CHECK_EQ(read_entry(6) & REMOTE_IRR, 0);
	CHECK_EQ(read_entry(7) & REMOTE_IRR, REMOTE_IRR);
	CHECK_EQ(read_entry(8) & REMOTE_IRR, 0);
}

/* The EOI register at 0x40 (later I/O APICs and older KVM): the vector in bits 7:0. */
TEST(eoi_register)
{
	setup();
	write_entry(9, rte(0x61, 0, LEVEL));
	ioapic_set_irq(&io, 9, true);
	ioapic_set_irq(&io, 9, false);
	CHECK_EQ(read_entry(9) & REMOTE_IRR, REMOTE_IRR);
	ioapic_mmio_write(&io, IOAPIC_EOI, 0x62);
	CHECK_EQ(read_entry(9) & REMOTE_IRR, REMOTE_IRR);
	ioapic_mmio_write(&io, IOAPIC_EOI, 0xffffff61);
	CHECK_EQ(read_entry(9) & REMOTE_IRR, 0);
	CHECK_EQ(fk.nr, 1);
}

TEST(masked_level_delivers_when_unmasked)
{
	setup();
	write_entry(11, rte(0x71, 1, LEVEL | MASKED));
	ioapic_set_irq(&io, 11, true);
	CHECK_EQ(fk.nr, 0);
	CHECK_EQ(io.s.irr, 1u << 11);
	CHECK_EQ(read_entry(11) & REMOTE_IRR, 0);
	/* Linux's unmask: the low half rewritten without the mask bit. */
	wr(0x10 + 2 * 11, (u32)rte(0x71, 1, LEVEL));
	CHECK_EQ(fk.nr, 1);
	CHECK_EQ(last()->vector, 0x71);
	CHECK_EQ(last()->dest, 1);
	CHECK_EQ(read_entry(11) & REMOTE_IRR, REMOTE_IRR);
	/* Masked while waiting for the EOI: the EOI clears remote IRR but sends nothing. */
	wr(0x10 + 2 * 11, (u32)rte(0x71, 1, LEVEL | MASKED));
	ioapic_eoi(&io, 0x71);
	CHECK_EQ(fk.nr, 1);
	CHECK_EQ(read_entry(11) & REMOTE_IRR, 0);
	/* Rewriting an entry whose line is not asserted sends nothing. */
	ioapic_set_irq(&io, 11, false);
	wr(0x10 + 2 * 11, (u32)rte(0x71, 1, LEVEL));
	CHECK_EQ(fk.nr, 1);
}

/* Delivery status and remote IRR are read-only (3.2.4). */
TEST(read_only_bits)
{
	setup();
	write_entry(3, rte(0x33, 0, LEVEL | IOAPIC_RTE_DELIVS | REMOTE_IRR | MASKED));
	CHECK_EQ(read_entry(3), rte(0x33, 0, LEVEL | MASKED));
	write_entry(3, rte(0x33, 0, LEVEL));
	ioapic_set_irq(&io, 3, true);
	CHECK_EQ(read_entry(3) & REMOTE_IRR, REMOTE_IRR);
	/* Rewriting the level entry without the bit keeps it. */
	write_entry(3, rte(0x34, 0, LEVEL | MASKED));
	CHECK_EQ(read_entry(3), rte(0x34, 0, LEVEL | MASKED | REMOTE_IRR));
	CHECK_EQ(fk.nr, 1);
}

/*
 * __eoi_ioapic_pin() on an I/O APIC without an EOI register: mask and make
 * the entry edge-triggered (which clears remote IRR), then restore it. The
 * line still asserted, the restored entry delivers again.
 */
TEST(linux_eoi_by_edge_reprogramming)
{
	u64 e = rte(0x35, 0, LEVEL);

	setup();
	write_entry(12, e);
	ioapic_set_irq(&io, 12, true);
	CHECK_EQ(fk.nr, 1);
	write_entry(12, (e | MASKED) & ~LEVEL);
	CHECK_EQ(read_entry(12) & REMOTE_IRR, 0);
	CHECK_EQ(fk.nr, 1);
	write_entry(12, e);
	CHECK_EQ(fk.nr, 2);
	CHECK_EQ(read_entry(12) & REMOTE_IRR, REMOTE_IRR);
	/* Quieted first, the same sequence ends the interrupt. */
	ioapic_set_irq(&io, 12, false);
	write_entry(12, (e | MASKED) & ~LEVEL);
	write_entry(12, e);
	CHECK_EQ(fk.nr, 2);
	CHECK_EQ(read_entry(12), e);
}

TEST(message_fields)
{
	static const struct {
		u64 flags;
		u8 delivery;
		bool logical;
	} cases[] = {
		{ 0x000, 0, false },			/* fixed, physical */
		{ 0x100 | IOAPIC_RTE_LOGICAL, 1, true },	/* lowest priority, logical */
		{ 0x200, 2, false },			/* SMI */
		{ 0x400, 4, false },			/* NMI */
		{ 0x500, 5, false },			/* INIT */
		{ 0x700 | IOAPIC_RTE_LOGICAL, 7, true },	/* ExtINT */
	};

	setup();
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		write_entry(i, rte((u8)(0x80 + i), (u8)(0xf0 + i), cases[i].flags));
		ioapic_set_irq(&io, i, true);
		CHECK_EQ(fk.nr, (int)i + 1);
		CHECK_EQ(last()->vector, 0x80 + i);
		CHECK_EQ(last()->dest, 0xf0 + i);
		CHECK_EQ(last()->delivery, cases[i].delivery);
		CHECK_EQ(last()->logical, cases[i].logical);
		CHECK(!last()->level);
	}
	/* Bits 55:17 are kept but no part of the message. */
	write_entry(20, rte(0x90, 0xff, 0x00fffffffffe0000ull));
	CHECK_EQ(read_entry(20), rte(0x90, 0xff, 0x00fffffffffe0000ull));
	ioapic_set_irq(&io, 20, true);
	CHECK_EQ(last()->dest, 0xff);
	CHECK_EQ(last()->vector, 0x90);
	CHECK_EQ(last()->delivery, 0);
	CHECK(!last()->logical);
	CHECK(!last()->level);
}

TEST(ignored_pins)
{
	struct ioapic before;

	setup();
	before = io;
	ioapic_set_irq(&io, IOAPIC_NUM_PINS, true);
	ioapic_set_irq(&io, ~0u, true);
	CHECK(!memcmp(&before, &io, sizeof(io)));
}

/* ------------------------------------------------------------ KVM_GET/SET_IRQCHIP */

/*
 * What KVM_GET_IRQCHIP copies out: irr holds the asserted level pins and
 * the masked edge, not the edge already delivered. Restored, the level
 * entry waiting for its EOI stays quiet and the masked edge stays masked.
 */
TEST(state_round_trip)
{
	static struct ioapic io2;
	struct ioapic_state s;

	setup();
	wr(IOAPIC_REG_ID, 0x09000000);
	write_entry(1, rte(0x31, 1, 0));
	write_entry(2, rte(0x32, 2, MASKED));
	write_entry(3, rte(0x33, 3, LEVEL | IOAPIC_RTE_LOGICAL));
	ioapic_set_irq(&io, 1, true);
	ioapic_set_irq(&io, 2, true);
	ioapic_set_irq(&io, 3, true);
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 0x17);
	CHECK_EQ(fk.nr, 2);
	s = io.s;
	CHECK_EQ(s.irr, (1u << 2) | (1u << 3));

	ioapic_init(&io2, &fake_ops, &fk);
	ioapic_set_state(&io2, &s);
	CHECK_EQ(fk.nr, 2);
	CHECK(!memcmp(&io2.s, &s, sizeof(s)));
	CHECK_EQ(io2.line, s.irr);
	CHECK_EQ(ioapic_mmio_read(&io2, IOAPIC_IOREGSEL), 0x17);
	CHECK_EQ(ioapic_mmio_read(&io2, IOAPIC_IOWIN), 0x03000000);
	ioapic_mmio_write(&io2, IOAPIC_IOREGSEL, IOAPIC_REG_ID);
	CHECK_EQ(ioapic_mmio_read(&io2, IOAPIC_IOWIN), 0x09000000);
	/* The restored level entry ends with its EOI and delivers again. */
	ioapic_eoi(&io2, 0x33);
	CHECK_EQ(fk.nr, 3);
	CHECK_EQ(last()->vector, 0x33);
	/* The state may be the I/O APIC's own. */
	ioapic_set_state(&io2, &io2.s);
	CHECK_EQ(io2.s.irr, (1u << 2) | (1u << 3));
	CHECK_EQ(fk.nr, 3);
}

/* kvm_set_ioapic(): pins in irr are asserted again and deliver if they may. */
TEST(set_state_delivers_pending)
{
	struct ioapic_state s;

	setup();
	memset(&s, 0, sizeof(s));
	s.base_address = 0xfec80000;
	s.redirtbl[0] = rte(0x40, 0, 0);		/* edge, unmasked */
	s.redirtbl[1] = rte(0x41, 0, LEVEL);		/* level, no remote IRR */
	s.redirtbl[2] = rte(0x42, 0, LEVEL | REMOTE_IRR);
	s.redirtbl[3] = rte(0x43, 0, LEVEL | MASKED);
	s.redirtbl[4] = rte(0x44, 0, 0);		/* not in irr */
	s.irr = 0x0f;
	ioapic_set_state(&io, &s);
	CHECK_EQ(fk.nr, 2);
	CHECK_EQ(fk.msgs[0].vector, 0x40);
	CHECK_EQ(fk.msgs[1].vector, 0x41);
	CHECK(fk.msgs[1].level);
	CHECK_EQ(io.s.irr, 0x0e);			/* the edge went out */
	CHECK_EQ(io.line, 0x0f);
	CHECK_EQ(io.s.redirtbl[1] & REMOTE_IRR, REMOTE_IRR);
	CHECK(ioapic_mmio_claims(&io, 0xfec80010));
	CHECK(!ioapic_mmio_claims(&io, 0xfec00010));
	/* Pins past 23 in a given irr are ignored. */
	s.irr = 0xff000000;
	ioapic_set_state(&io, &s);
	CHECK_EQ(fk.nr, 2);
	CHECK_EQ(io.s.irr, 0);
	CHECK_EQ(io.line, 0);
}

/*
 * Random register writes, line changes and EOIs. Remote IRR only ever
 * stands on level entries, level pins are in irr exactly while asserted,
 * edge pins only while asserted, and a level entry sends no second
 * message before its remote IRR was cleared.
 */
TEST(randomized)
{
	unsigned int seed = 4321;
	int failed = test_failed_checks;

	setup();
	for (int i = 0; i < 100000 && test_failed_checks == failed; i++) {
		unsigned int r = rand_r(&seed), pin = (r >> 4) % IOAPIC_NUM_PINS;
		u64 before = io.s.redirtbl[pin];
		int nr = fk.nr;

		switch (r % 4) {
		case 0:
			wr(IOAPIC_REG_REDTBL + 2 * pin + ((r >> 9) & 1),
			   ((u32)rand_r(&seed) & 0x1c003) | 0x40);
			break;
		case 1:
			ioapic_eoi(&io, (u8)(0x40 | ((r >> 12) & 3)));
			break;
		default:
			ioapic_set_irq(&io, pin, (r >> 12) & 1);
			if ((before & LEVEL) && (before & REMOTE_IRR))
				CHECK_EQ(fk.nr, nr);
			break;
		}
		for (unsigned int p = 0; p < IOAPIC_NUM_PINS; p++) {
			u64 e = io.s.redirtbl[p];
			u32 m = 1u << p;

			CHECK(!(e & REMOTE_IRR) || (e & LEVEL));
			CHECK_EQ(io.s.irr & ~io.line, 0);
			if (e & LEVEL)
				CHECK_EQ(io.s.irr & m, io.line & m);
		}
	}
	CHECK(fk.nr > 1000);
}

TEST_MAIN("ioapic",
	  T(reset_state), T(state_layout_is_kvms), T(mmio_claims), T(id_version_arbitration),
	  T(register_window), T(rte_programming_linux_style), T(edge_delivery),
	  T(masked_edge_is_lost), T(level_delivery_and_remote_irr),
	  T(eoi_matches_vector_and_level_entries), T(eoi_register),
	  T(masked_level_delivers_when_unmasked), T(read_only_bits),
	  T(linux_eoi_by_edge_reprogramming), T(message_fields), T(ignored_pins),
	  T(state_round_trip), T(set_state_delivers_pending), T(randomized))
