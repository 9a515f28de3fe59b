// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual 8254 PIT tests: the port sequences Linux and SeaBIOS use, the
 * latch/read-back/flip-flop details, OUT per mode, IRQ 0 timing and
 * reinjection, and the KVM_GET/SET_PIT2 state. A fake clock the tests move
 * by hand; tick_ns() gives the nanosecond at which a tick has passed.
 */
#include "test.h"
#include "arch/x86/irqchip/pit.h"

#define T0 1000000000LL		/* the clock at pit_init(): 1 s */
#define SPK 0x61

static s64 clk;
static struct pit pit;

static s64 f_now(void *ctx)
{
	return *(s64 *)ctx;
}

static const struct pit_ops fake_ops = { .now_ns = f_now };

static void setup(void)
{
	clk = T0;
	pit_init(&pit, &fake_ops, &clk);
}

static void outb(u16 port, u8 val)
{
	pit_io_write(&pit, port, val);
}

static u8 inb(u16 port)
{
	return pit_io_read(&pit, port);
}

/* Nanoseconds until @ticks of the 1193182 Hz clock have passed, rounded up. */
static s64 tick_ns(u64 ticks)
{
	return (s64)((ticks * 1000000000ull + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ);
}

/* Two reads of a counter: LSB, then MSB (in this order, unlike an expression's operands). */
static u16 read16(u16 port)
{
	u16 lsb = inb(port);

	return lsb | inb(port) << 8;
}

/* Counter @i as Linux's i8253 clocksource reads it: latch, then LSB and MSB. */
static u16 latched_count(unsigned int i)
{
	outb(0x43, (u8)(i << 6));
	return read16(0x40 + i);
}

/* Counter 0 as Linux programs it: control word, then LSB and MSB. */
static void program0(u8 cw, u16 count)
{
	outb(0x43, cw);
	outb(0x40, count & 0xff);
	outb(0x40, count >> 8);
}

static bool out2(void)
{
	return inb(SPK) & PIT_SPK_OUT2;
}

/* ------------------------------------------------------------ power-on */

TEST(init_state)
{
	struct pit_state s;

	setup();
	pit_get_state(&pit, &s);
	for (unsigned int i = 0; i < 3; i++) {
		CHECK_EQ(s.channels[i].mode, PIT_MODE_NONE);
		CHECK_EQ(s.channels[i].count, 0x10000);
		CHECK_EQ(s.channels[i].gate, i != 2);
		CHECK_EQ(s.channels[i].count_load_time, T0);
		CHECK_EQ(s.channels[i].rw_mode, 0);
	}
	CHECK_EQ(s.flags, 0);
	CHECK(pit.reinject);
	CHECK_EQ(pit_next_irq_ns(&pit), 0);
	clk += 1000000000;
	CHECK(!pit_timer_expired(&pit));
	CHECK_EQ(inb(0x43), 0);
	CHECK_EQ(inb(SPK) & (PIT_SPK_GATE2 | PIT_SPK_DATA), 0);
}

TEST(claims_ports)
{
	for (u16 port = 0x40; port <= 0x43; port++)
		CHECK(pit_io_claims(port));
	CHECK(pit_io_claims(0x61));
	CHECK(!pit_io_claims(0x3f));
	CHECK(!pit_io_claims(0x44));
	CHECK(!pit_io_claims(0x60));
	CHECK(!pit_io_claims(0x62));
}

/* ------------------------------------------------------------ Linux */

/* pit_calibrate_tsc(): counter 2 in mode 0 for 10 ms, polling OUT2 in port 0x61 bit 5. */
TEST(linux_calibrate_tsc)
{
	u16 latch = 1193182 / 100;

	setup();
	outb(SPK, (inb(SPK) & ~0x02) | 0x01);
	CHECK_EQ(inb(SPK) & 3, PIT_SPK_GATE2);
	outb(0x43, 0xb0);
	outb(0x42, latch & 0xff);
	outb(0x42, latch >> 8);
	CHECK(!out2());
	clk = T0 + tick_ns(latch) - 1;
	CHECK(!out2());
	CHECK_EQ(latched_count(2), 1);
	clk = T0 + tick_ns(latch);
	CHECK(out2());
	clk += 10000000;
	CHECK(out2());		/* mode 0 holds OUT high after terminal count */
	CHECK_EQ(pit_next_irq_ns(&pit), 0);	/* counter 2 has no IRQ */
}

/* The count keeps going past terminal count in mode 0: 0, then 0xffff. */
TEST(mode0_wraps_around)
{
	setup();
	outb(SPK, 1);
	outb(0x43, 0xb0);
	outb(0x42, 100);
	outb(0x42, 0);
	CHECK_EQ(latched_count(2), 100);
	clk = T0 + tick_ns(100);
	CHECK_EQ(latched_count(2), 0);
	clk = T0 + tick_ns(105);
	CHECK_EQ(latched_count(2), 0xfffb);
}

/*
 * quick_pit_calibrate(): counter 2 from 0xffff, reading LSB then MSB
 * unlatched; the MSB drops by one every 256 ticks.
 */
TEST(linux_quick_calibrate)
{
	setup();
	outb(SPK, (inb(SPK) & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	outb(0x42, 0xff);
	outb(0x42, 0xff);
	for (unsigned int i = 0; i < 40; i++) {
		clk = T0 + tick_ns(256 * i + 128);
		inb(0x42);
		CHECK_EQ(inb(0x42), 0xff - i);
	}
	clk = T0 + tick_ns(255);
	CHECK_EQ(inb(0x42), 0x00);
	CHECK_EQ(inb(0x42), 0xff);
	clk = T0 + tick_ns(256);
	CHECK_EQ(inb(0x42), 0xff);
	CHECK_EQ(inb(0x42), 0xfe);
}

/* The i8253 clockevent in periodic mode at HZ=1000: mode 2, PIT_LATCH = 1193. */
TEST(linux_periodic_hz)
{
	setup();
	pit_set_reinject(&pit, false);
	program0(0x34, 1193);
	CHECK_EQ(pit_next_irq_ns(&pit), T0 + tick_ns(1193));
	clk = T0 + tick_ns(1193) - 1;
	CHECK(!pit_timer_expired(&pit));
	CHECK_EQ(pit_next_irq_ns(&pit), T0 + tick_ns(1193));
	for (u64 k = 1; k <= 5000; k++) {
		clk = pit_next_irq_ns(&pit);
		CHECK_EQ(clk, T0 + tick_ns(k * 1193));	/* no drift: whole periods since the load */
		CHECK(pit_timer_expired(&pit));
		CHECK(!pit_irq_acked(&pit));
	}
	clk = T0 + tick_ns(1193 * 7 + 300);
	CHECK_EQ(latched_count(0), 1193 - 300);
	clk = T0 + tick_ns(1193 * 8);
	CHECK_EQ(latched_count(0), 1193);	/* reloaded */
}

/* The i8253 clockevent in one-shot mode: mode 4 (0x38), then each event's delta. */
TEST(linux_oneshot)
{
	s64 load;

	setup();
	program0(0x34, 1193);
	outb(0x43, 0x38);
	CHECK_EQ(pit_next_irq_ns(&pit), 0);	/* a control word stops counter 0 */
	clk += 12345;
	load = clk;
	outb(0x40, 5000 & 0xff);
	CHECK_EQ(pit_next_irq_ns(&pit), 0);	/* LSB alone loads nothing */
	outb(0x40, 5000 >> 8);
	CHECK_EQ(pit_next_irq_ns(&pit), load + tick_ns(5000));
	clk = load + tick_ns(5000);
	CHECK(pit_timer_expired(&pit));
	CHECK_EQ(pit_next_irq_ns(&pit), 0);
	clk += tick_ns(5000);
	CHECK(!pit_timer_expired(&pit));
	CHECK(!pit_irq_acked(&pit));
	load = clk;
	outb(0x40, 100);
	outb(0x40, 0);
	CHECK_EQ(pit_next_irq_ns(&pit), load + tick_ns(100));
	clk = load + tick_ns(100);
	CHECK(pit_timer_expired(&pit));
}

/* Mode 0 as an interrupt on terminal count, and its 0 count: 65536 ticks. */
TEST(mode0_interrupt_on_terminal_count)
{
	setup();
	program0(0x30, 0);
	CHECK_EQ(pit_next_irq_ns(&pit), T0 + tick_ns(65536));
	clk = T0 + tick_ns(65536);
	CHECK(pit_timer_expired(&pit));
	CHECK_EQ(pit_next_irq_ns(&pit), 0);
}

/* ------------------------------------------------------------ SeaBIOS */

/* pit_setup(): counter 0 in mode 2 with count 0 = 65536, the 18.2 Hz BIOS tick. */
TEST(seabios_18hz)
{
	int irqs = 0;

	setup();
	pit_set_reinject(&pit, false);
	program0(0x34, 0);
	CHECK_EQ(pit.s.channels[0].count, 0x10000);
	CHECK_EQ(pit_next_irq_ns(&pit), T0 + 54925402);
	CHECK_EQ(latched_count(0), 0);		/* 65536 reads as 0 */
	clk = T0 + tick_ns(1);
	CHECK_EQ(latched_count(0), 0xffff);
	for (clk = T0; clk <= 2 * T0; clk += 1000000)
		if (pit_next_irq_ns(&pit) && clk >= pit_next_irq_ns(&pit))
			irqs += pit_timer_expired(&pit);
	CHECK_EQ(irqs, 18);
	CHECK_EQ(pit_next_irq_ns(&pit), T0 + tick_ns(19 * 65536ull));
}

/* ------------------------------------------------------------ latching and reading */

TEST(latch_holds_count)
{
	setup();
	program0(0x34, 1000);
	clk = T0 + tick_ns(100);
	outb(0x43, 0x00);
	clk = T0 + tick_ns(500);
	outb(0x43, 0x00);			/* ignored: the first latch is unread */
	CHECK_EQ(inb(0x40), 900 & 0xff);
	clk = T0 + tick_ns(600);
	outb(0x43, 0x00);			/* ignored: the MSB is still unread */
	CHECK_EQ(inb(0x40), 900 >> 8);
	CHECK_EQ(latched_count(0), 400);
	CHECK_EQ(inb(0x40), 400 & 0xff);	/* unlatched again: the live count */
	CHECK_EQ(inb(0x40), 400 >> 8);
}

TEST(lsb_only_and_msb_only)
{
	setup();
	outb(0x43, 0x10);			/* counter 0, LSB only, mode 0 */
	outb(0x40, 0x80);
	CHECK_EQ(pit.s.channels[0].count, 0x80);
	clk = T0 + tick_ns(0x10);
	outb(0x43, 0x00);
	clk = T0 + tick_ns(0x20);
	CHECK_EQ(inb(0x40), 0x70);		/* the latch, in one byte */
	CHECK_EQ(inb(0x40), 0x60);		/* then the live LSB */
	outb(0x43, 0x20);			/* MSB only */
	outb(0x40, 0x12);
	CHECK_EQ(pit.s.channels[0].count, 0x1200);
	clk += tick_ns(0x100);
	CHECK_EQ(inb(0x40), 0x11);
	outb(0x43, 0x00);
	CHECK_EQ(inb(0x40), 0x11);
}

/* The LSB-then-MSB flip-flops: a control word resets them, reads and writes are apart. */
TEST(flip_flop)
{
	setup();
	outb(0x43, 0x34);
	outb(0x40, 0x55);			/* an LSB, then a new control word */
	outb(0x43, 0x34);
	outb(0x40, 1000 & 0xff);
	outb(0x40, 1000 >> 8);
	CHECK_EQ(pit.s.channels[0].count, 1000);
	clk = T0 + tick_ns(1);
	CHECK_EQ(inb(0x40), 999 & 0xff);	/* LSB read ... */
	outb(0x40, 2000 & 0xff);		/* ... a whole write between */
	outb(0x40, 2000 >> 8);
	CHECK_EQ(inb(0x40), 2000 >> 8);		/* ... MSB read */
	CHECK_EQ(inb(0x40), 2000 & 0xff);
	outb(0x43, 0x34);			/* reset with the MSB due */
	CHECK_EQ(inb(0x40), 2000 & 0xff);
}

/* ------------------------------------------------------------ read-back */

TEST(read_back_status)
{
	setup();
	program0(0x34, 1000);
	outb(SPK, 0);
	outb(0x43, 0xb7);			/* counter 2: LSB/MSB, mode 3, BCD */
	outb(0x43, 0xe2);			/* status of counter 0 */
	CHECK_EQ(inb(0x40), 0x80 | 0x30 | 2 << 1);
	CHECK_EQ(inb(0x40), 1000 & 0xff);	/* nothing latched any more */
	outb(0x43, 0x34);
	outb(0x40, 1000 & 0xff);
	outb(0x40, 1000 >> 8);
	outb(0x43, 0xe8);			/* status of counter 2: GATE low holds OUT high */
	CHECK_EQ(inb(0x42), 0x80 | 0x30 | 3 << 1 | 1);
	clk = T0 + tick_ns(999);		/* mode 2: OUT low for the tick before reload */
	outb(0x43, 0xe2);
	CHECK_EQ(inb(0x40), 0x34);
	outb(0x43, 0xe2);
	clk = T0 + tick_ns(1000);
	outb(0x43, 0xe2);			/* ignored: status still unread */
	CHECK_EQ(inb(0x40), 0x34);
	outb(0x43, 0xe2);
	CHECK_EQ(inb(0x40), 0xb4);
}

TEST(read_back_count_and_status)
{
	setup();
	program0(0x34, 1000);
	outb(0x43, 0x70);			/* counter 1: LSB/MSB, mode 0 */
	outb(0x41, 0x00);
	outb(0x41, 0x20);
	clk = T0 + tick_ns(250);
	outb(0x43, 0xc2);			/* count and status of counter 0 */
	clk = T0 + tick_ns(300);
	CHECK_EQ(inb(0x40), 0xb4);		/* status first */
	CHECK_EQ(inb(0x40), 750 & 0xff);
	CHECK_EQ(inb(0x40), 750 >> 8);
	outb(0x43, 0xde);			/* counts of all three */
	clk = T0 + tick_ns(400);
	CHECK_EQ(read16(0x40), 700);
	CHECK_EQ(read16(0x41), 0x2000 - 300);
	outb(0x43, 0xd4);			/* count of counter 1 only */
	clk = T0 + tick_ns(500);
	CHECK_EQ(read16(0x41), 0x2000 - 400);
	CHECK_EQ(read16(0x40), 500);
}

/* ------------------------------------------------------------ modes and OUT */

static void program2(u8 cw, u8 count)
{
	clk = T0;
	outb(0x43, cw);
	outb(0x42, count);
}

static bool out2_at(u64 tick)
{
	clk = T0 + tick_ns(tick);
	return out2();
}

TEST(out_per_mode)
{
	setup();
	outb(SPK, 1);
	program2(0x90, 3);			/* mode 0: low until terminal count */
	CHECK(!out2_at(2) && out2_at(3) && out2_at(4));
	program2(0x92, 3);			/* mode 1: low for the one-shot */
	CHECK(!out2_at(0) && !out2_at(2) && out2_at(3) && out2_at(9));
	program2(0x94, 4);			/* mode 2: low for the tick before reload */
	CHECK(out2_at(0) && out2_at(2) && !out2_at(3) && out2_at(4) && !out2_at(7));
	program2(0x96, 5);			/* mode 3, odd: high 3 ticks, low 2 */
	CHECK(out2_at(0) && out2_at(2) && !out2_at(3) && !out2_at(4) && out2_at(5));
	program2(0x98, 3);			/* mode 4: a one-tick low strobe */
	CHECK(out2_at(2) && !out2_at(3) && out2_at(4));
	program2(0x9a, 3);			/* mode 5 */
	CHECK(out2_at(2) && !out2_at(3) && out2_at(4));
}

TEST(mode3_counts_by_two)
{
	setup();
	outb(SPK, 1);
	program2(0x96, 8);
	clk = T0 + tick_ns(1);
	CHECK_EQ(inb(0x42), 6);
	clk = T0 + tick_ns(3);
	CHECK_EQ(inb(0x42), 2);
	clk = T0 + tick_ns(4);
	CHECK_EQ(inb(0x42), 8);
}

TEST(modes_6_7_alias_2_3)
{
	setup();
	outb(0x43, 0x9c);
	CHECK_EQ(pit.s.channels[2].mode, 2);
	outb(0x43, 0x9e);
	CHECK_EQ(pit.s.channels[2].mode, 3);
	outb(0x43, 0xe8);
	CHECK_EQ(inb(0x42) & 0x0e, 3 << 1);
}

/* GATE 2: low holds OUT high in mode 2; a rising edge restarts modes 1-3 and 5, not 0. */
TEST(gate2)
{
	setup();
	outb(SPK, 1);
	program2(0x94, 4);
	outb(SPK, 0);
	CHECK(out2_at(3));
	clk = T0 + tick_ns(6);
	outb(SPK, 1);
	CHECK_EQ(inb(0x42), 4);			/* restarted */
	clk = T0 + tick_ns(6) + tick_ns(3);
	CHECK(!out2());
	program2(0x90, 100);
	outb(SPK, 0);
	clk = T0 + tick_ns(10);
	outb(SPK, 1);
	CHECK_EQ(inb(0x42), 90);		/* mode 0 counted on */
}

TEST(bcd_flag_kept)
{
	setup();
	program0(0x35, 0x1000);			/* mode 2, BCD */
	CHECK_EQ(pit.s.channels[0].bcd, 1);
	outb(0x43, 0xe2);
	CHECK_EQ(inb(0x40) & 1, 1);
	CHECK_EQ(pit_next_irq_ns(&pit), T0 + tick_ns(0x1000));	/* counts in binary, as KVM */
}

TEST(speaker_port)
{
	setup();
	outb(SPK, PIT_SPK_DATA);
	CHECK_EQ(inb(SPK) & 3, PIT_SPK_DATA);
	CHECK(pit.s.flags & PIT_FLAGS_SPEAKER_DATA);
	clk = 0x4000 * 7;
	CHECK(inb(SPK) & PIT_SPK_REFRESH);
	clk = 0x4000 * 8;
	CHECK(!(inb(SPK) & PIT_SPK_REFRESH));
	outb(SPK, 0);
	CHECK(!(pit.s.flags & PIT_FLAGS_SPEAKER_DATA));
}

/* A periodic count below 200 us (KVM's min_timer_period_us) interrupts every 200 us. */
TEST(min_period)
{
	setup();
	program0(0x34, 2);
	CHECK_EQ(pit_next_irq_ns(&pit), T0 + tick_ns(239));
	clk = T0 + tick_ns(1);
	CHECK_EQ(latched_count(0), 1);		/* the counter itself is not slowed */
	program0(0x30, 2);			/* one-shot: no limit */
	CHECK_EQ(pit_next_irq_ns(&pit), clk + tick_ns(2));
}

/* ------------------------------------------------------------ reinjection */

TEST(reinject_counts_missed_ticks)
{
	s64 p = tick_ns(1193);

	setup();
	program0(0x34, 1193);
	clk = T0 + p;
	CHECK(pit_timer_expired(&pit));
	clk = T0 + tick_ns(2 * 1193);
	CHECK(!pit_timer_expired(&pit));	/* the first is not acked yet */
	CHECK_EQ(pit.pending, 1);
	CHECK(pit_irq_acked(&pit));		/* the owed tick follows */
	CHECK(!pit_irq_acked(&pit));
	CHECK(!pit_irq_acked(&pit));		/* spurious */
	clk = T0 + tick_ns(5 * 1193) + 10;	/* the host timer was late: 3 ticks */
	CHECK(pit_timer_expired(&pit));
	CHECK_EQ(pit.pending, 2);
	CHECK_EQ(pit_next_irq_ns(&pit), T0 + tick_ns(6 * 1193));
	CHECK(pit_irq_acked(&pit));
	CHECK(pit_irq_acked(&pit));
	CHECK(!pit_irq_acked(&pit));
	clk = T0 + tick_ns(6 * 1193);
	CHECK(pit_timer_expired(&pit));
}

TEST(reinject_forgotten)
{
	setup();
	program0(0x34, 1193);
	clk = T0 + tick_ns(3 * 1193);
	CHECK(pit_timer_expired(&pit));
	CHECK_EQ(pit.pending, 2);
	pit_drop_owed(&pit);			/* a tick whose ack cannot come */
	CHECK(!pit_irq_acked(&pit));
	clk = T0 + tick_ns(4 * 1193);
	CHECK(pit_timer_expired(&pit));
	clk = T0 + tick_ns(6 * 1193);
	CHECK(!pit_timer_expired(&pit));
	CHECK_EQ(pit.pending, 2);
	program0(0x34, 1193);			/* a new count owes nothing */
	CHECK_EQ(pit.pending, 0);
	clk += tick_ns(1193);
	CHECK(pit_timer_expired(&pit));
	pit_set_reinject(&pit, true);		/* no change: nothing forgotten */
	CHECK(pit.irq_in_flight);
}

TEST(reinject_off_drops)
{
	setup();
	program0(0x34, 1193);
	clk = T0 + tick_ns(1193);
	CHECK(pit_timer_expired(&pit));
	CHECK(pit.irq_in_flight);
	pit_set_reinject(&pit, false);
	CHECK(!pit.irq_in_flight);
	clk = T0 + tick_ns(5 * 1193) + 10;
	CHECK(pit_timer_expired(&pit));		/* once for the four */
	CHECK_EQ(pit.pending, 0);
	CHECK_EQ(pit_next_irq_ns(&pit), T0 + tick_ns(6 * 1193));
	CHECK(!pit_irq_acked(&pit));
	clk = T0 + tick_ns(6 * 1193);
	CHECK(pit_timer_expired(&pit));		/* unacked or not */
}

/* Weeks without an ack saturate the owed count instead of wrapping it. */
TEST(reinject_saturates)
{
	setup();
	program0(0x34, 1);
	clk = T0 + tick_ns(239);
	CHECK(pit_timer_expired(&pit));
	clk += 1000000000000000LL;
	CHECK(!pit_timer_expired(&pit));
	CHECK_EQ(pit.pending, UINT32_MAX);
	CHECK(pit_next_irq_ns(&pit) > clk);
}

/* ------------------------------------------------------------ KVM_GET/SET_PIT2 */

TEST(state_layout)
{
	CHECK_EQ(sizeof(struct pit_channel_state), 24);
	CHECK_EQ(sizeof(struct pit_state), 112);
}

TEST(state_round_trip)
{
	struct pit_state s;
	s64 t1 = 5 * T0;

	setup();
	program0(0x34, 1000);
	outb(SPK, 3);
	outb(0x43, 0xb0);
	outb(0x42, 0x34);
	outb(0x42, 0x12);
	clk = T0 + tick_ns(10);
	outb(0x43, 0x00);			/* latched, unread */
	pit_get_state(&pit, &s);
	CHECK_EQ(s.channels[0].count, 1000);
	CHECK_EQ(s.channels[0].mode, 2);
	CHECK_EQ(s.channels[0].rw_mode, PIT_RW_WORD0);
	CHECK_EQ(s.channels[0].count_latched, PIT_RW_WORD0);
	CHECK_EQ(s.channels[0].latched_count, 990);
	CHECK_EQ(s.channels[0].count_load_time, T0);
	CHECK_EQ(s.channels[2].count, 0x1234);
	CHECK_EQ(s.channels[2].gate, 1);
	CHECK_EQ(s.flags, PIT_FLAGS_SPEAKER_DATA);
	s.reserved[3] = 0xdead;
	clk = t1;
	pit_init(&pit, &fake_ops, &clk);
	pit_set_state(&pit, &s);
	CHECK_EQ(pit.s.reserved[3], 0);
	CHECK_EQ(pit_next_irq_ns(&pit), t1 + tick_ns(1000));	/* restarted now */
	CHECK_EQ(pit.s.channels[2].count_load_time, t1);
	CHECK_EQ(inb(SPK) & 3, 3);
	CHECK_EQ(read16(0x40), 990);	/* the latch came along */
	CHECK_EQ(latched_count(2), 0x1234);
}

TEST(state_power_on_and_hpet)
{
	struct pit_state s;

	setup();
	pit_get_state(&pit, &s);
	s.channels[0].mode = 3;
	s.channels[0].gate = 0;			/* counter 0's GATE is tied high */
	pit_set_state(&pit, &s);
	CHECK_EQ(pit.s.channels[0].count, 0x10000);
	CHECK_EQ(pit.s.channels[0].gate, 1);
	CHECK_EQ(pit_next_irq_ns(&pit), T0 + tick_ns(65536));
	s.flags = PIT_FLAGS_HPET_LEGACY;
	pit_set_state(&pit, &s);
	CHECK_EQ(pit_next_irq_ns(&pit), 0);
	program0(0x34, 1000);
	CHECK_EQ(pit_next_irq_ns(&pit), 0);
}

TEST_MAIN("pit",
	T(init_state),
	T(claims_ports),
	T(linux_calibrate_tsc),
	T(mode0_wraps_around),
	T(linux_quick_calibrate),
	T(linux_periodic_hz),
	T(linux_oneshot),
	T(mode0_interrupt_on_terminal_count),
	T(seabios_18hz),
	T(latch_holds_count),
	T(lsb_only_and_msb_only),
	T(flip_flop),
	T(read_back_status),
	T(read_back_count_and_status),
	T(out_per_mode),
	T(mode3_counts_by_two),
	T(modes_6_7_alias_2_3),
	T(gate2),
	T(bcd_flag_kept),
	T(speaker_port),
	T(min_period),
	T(reinject_counts_missed_ticks),
	T(reinject_forgotten),
	T(reinject_off_drops),
	T(reinject_saturates),
	T(state_layout),
	T(state_round_trip),
	T(state_power_on_and_hpet),
);
