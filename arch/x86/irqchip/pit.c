// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual 8254 PIT (see pit.h). "8254" cites the Intel 8254 datasheet
 * (order no. 231164).
 *
 * A counter's value is not stored but computed from the ticks elapsed
 * since count_load_time, as in KVM. Simplifications KVM makes and this
 * model keeps: counting starts when the count is written (modes 1 and 5
 * wait for no trigger), a low GATE does not pause counting (its rising
 * edge does restart modes 1, 2, 3 and 5), a new count takes effect at
 * once rather than at the end of the current period, BCD counts down in
 * binary, and the status byte never reports NULL COUNT.
 */
#include "arch/x86/irqchip/pit.h"
#include "kernel/string.h"

#define NSEC_PER_SEC		1000000000ull
#define COUNT_MAX		0x10000u	/* a count of 0 (8254 "Counter Loading") */
/*
 * Shortest period of counter 0's IRQ 0 in modes 2 and 3: 200 us in ticks
 * (rounded up), KVM's default min_timer_period_us, so a guest writing a
 * tiny count cannot make the host timer storm.
 */
#define MIN_PERIOD_TICKS	239u

#define CW_COUNTER_SHIFT	6	/* control word (8254 "Control Word Format") */
#define CW_READ_BACK		3	/* SC1:SC0 = 11 */
#define CW_RW_SHIFT		4
#define CW_MODE_SHIFT		1
#define CW_BCD			BIT(0)
/* Read-back command (8254 "Read-Back Command Format"): latch selections are active low. */
#define RB_NO_COUNT		BIT(5)
#define RB_NO_STATUS		BIT(4)
#define ST_OUT_SHIFT		7	/* status byte (8254 "Status Format") */
#define REFRESH_SHIFT		14	/* 2^14 ns, about KVM's 15 us refresh toggle */

/* ------------------------------------------------ time */

static u64 div_up(u64 a, u64 b)
{
	return a / b + (a % b != 0);
}

/* Whole ticks in @ns, split so that no product exceeds 2^64. */
static u64 ns_to_ticks(u64 ns)
{
	return ns / NSEC_PER_SEC * PIT_FREQ_HZ + ns % NSEC_PER_SEC * PIT_FREQ_HZ / NSEC_PER_SEC;
}

/*
 * The nanosecond at which tick @ticks has passed, rounded up; so
 * ns_to_ticks(ticks_to_ns(t)) == t, as a nanosecond is shorter than a tick.
 */
static u64 ticks_to_ns(u64 ticks)
{
	return ticks / PIT_FREQ_HZ * NSEC_PER_SEC +
	       div_up(ticks % PIT_FREQ_HZ * NSEC_PER_SEC, PIT_FREQ_HZ);
}

static s64 now_ns(const struct pit *p)
{
	return p->ops->now_ns(p->ctx);
}

/* Ticks counted by @c at @t. */
static u64 ticks_at(const struct pit_channel_state *c, s64 t)
{
	return t > c->count_load_time ? ns_to_ticks((u64)(t - c->count_load_time)) : 0;
}

/* ------------------------------------------------ counter value and OUT */

static struct pit_channel_state *chan(struct pit *p, unsigned int i)
{
	return &p->s.channels[i];
}

/*
 * The counting element after @d ticks (8254 "Mode Definitions"). Modes 0,
 * 1, 4 and 5 wrap around past terminal count; 2 and 3 reload, mode 3
 * counting down by two (exact for even counts, as in KVM).
 */
static u16 count_after(const struct pit_channel_state *c, u64 d)
{
	switch (c->mode) {
	case 0:
	case 1:
	case 4:
	case 5:
		return (u16)(c->count - d);
	case 3:
		return (u16)(c->count - 2 * d % c->count);
	default:
		return (u16)(c->count - d % c->count);
	}
}

/*
 * OUT after @d ticks (8254 "Mode Definitions"): mode 0 goes high at
 * terminal count, mode 1 is low for the one-shot's count, mode 2 low for
 * the tick before each reload, mode 3 high for the first half of each
 * period (the longer half of an odd count), modes 4 and 5 low for the
 * strobe's one tick. A low GATE holds OUT high in modes 2 and 3.
 */
static bool out_after(const struct pit_channel_state *c, u64 d)
{
	switch (c->mode) {
	case 2:
		return !c->gate || d % c->count != c->count - 1;
	case 3:
		return !c->gate || d % c->count < (c->count + 1) / 2;
	case 4:
	case 5:
		return d != c->count;
	default:
		return d >= c->count;
	}
}

static bool out_now(struct pit *p, unsigned int i)
{
	return out_after(chan(p, i), ticks_at(chan(p, i), now_ns(p)));
}

static u16 count_now(struct pit *p, unsigned int i)
{
	return count_after(chan(p, i), ticks_at(chan(p, i), now_ns(p)));
}

/* ------------------------------------------------ counter 0 and IRQ 0 */

static bool periodic(const struct pit_channel_state *c)
{
	return c->mode == 2 || c->mode == 3;
}

/*
 * Ticks between counter 0's IRQ 0 edges, 0 for none: OUT rises at each
 * reload in modes 2 and 3, once at terminal count in modes 0, 1 and 4 (as
 * KVM; mode 5 waits for a GATE edge that counter 0's tied-high GATE never
 * makes).
 */
static u32 irq_ticks(const struct pit *p)
{
	const struct pit_channel_state *c = &p->s.channels[0];

	if (p->s.flags & PIT_FLAGS_HPET_LEGACY)
		return 0;
	switch (c->mode) {
	case 0:
	case 1:
	case 4:
		return c->count;
	case 2:
	case 3:
		return MAX(c->count, MIN_PERIOD_TICKS);
	default:
		return 0;
	}
}

/* The IRQ 0 edge that ends the @k-th period since the count was loaded. */
static s64 irq_time(const struct pit *p, u64 k)
{
	return p->s.channels[0].count_load_time + (s64)ticks_to_ns(k * irq_ticks(p));
}

/* Counter 0 was (re)loaded: the first edge comes one period later, nothing is owed. */
static void arm_irq(struct pit *p)
{
	p->next_ns = irq_ticks(p) ? irq_time(p, 1) : 0;
	p->pending = 0;
	p->irq_in_flight = false;
}

static void owe(struct pit *p, u64 edges)
{
	u64 sum = p->pending + edges;

	p->pending = sum > UINT32_MAX ? UINT32_MAX : (u32)sum;
}

/* @edges edges of IRQ 0 happened: whether to raise it now. */
static bool deliver(struct pit *p, u64 edges)
{
	if (!p->reinject)
		return true;
	if (p->irq_in_flight) {
		owe(p, edges);
		return false;
	}
	p->irq_in_flight = true;
	owe(p, edges - 1);
	return true;
}

s64 pit_next_irq_ns(const struct pit *p)
{
	return p->next_ns;
}

/*
 * Edges are counted in whole periods since the load: next_ns is the
 * rounded-up nanosecond of a period's end, which ticks_at() maps back to
 * exactly that period, so late calls neither lose nor double an edge.
 */
bool pit_timer_expired(struct pit *p)
{
	const struct pit_channel_state *c = chan(p, 0);
	s64 now = now_ns(p);
	u64 done, edges;

	if (!p->next_ns || now < p->next_ns)
		return false;
	if (!periodic(c)) {
		p->next_ns = 0;
		return deliver(p, 1);
	}
	done = ticks_at(c, now) / irq_ticks(p);
	edges = done - ticks_at(c, p->next_ns) / irq_ticks(p) + 1;
	p->next_ns = irq_time(p, done + 1);
	return deliver(p, edges);
}

bool pit_irq_acked(struct pit *p)
{
	if (!p->reinject || !p->irq_in_flight)
		return false;
	if (p->pending) {
		p->pending--;
		return true;
	}
	p->irq_in_flight = false;
	return false;
}

void pit_drop_owed(struct pit *p)
{
	p->pending = 0;
	p->irq_in_flight = false;
}

void pit_set_reinject(struct pit *p, bool on)
{
	if (p->reinject == on)
		return;
	p->reinject = on;
	p->pending = 0;
	p->irq_in_flight = false;
}

/* ------------------------------------------------ loading and latching */

/* A count written (8254 "Write Operations"): counting restarts from it now. */
static void load_count(struct pit *p, unsigned int i, u32 val)
{
	struct pit_channel_state *c = chan(p, i);

	c->count = val & 0xffff ? val & 0xffff : COUNT_MAX;
	c->count_load_time = now_ns(p);
	if (i == 0)
		arm_irq(p);
}

/* Counter latch command: a count latched and not yet read stays (8254 "Read Operations"). */
static void latch_count(struct pit *p, unsigned int i)
{
	struct pit_channel_state *c = chan(p, i);

	if (c->count_latched)
		return;
	c->latched_count = count_now(p, i);
	c->count_latched = c->rw_mode;
}

/* Read-back status (8254 "Status Format"); NULL COUNT (bit 6) is never set. */
static void latch_status(struct pit *p, unsigned int i)
{
	struct pit_channel_state *c = chan(p, i);

	if (c->status_latched)
		return;
	c->status = (u8)(out_now(p, i) << ST_OUT_SHIFT | (c->rw_mode & 3) << CW_RW_SHIFT |
			 (c->mode & 7) << CW_MODE_SHIFT | (c->bcd & CW_BCD));
	c->status_latched = 1;
}

/* Read-back command (8254 "Read-Back Command Format"): bits 3:1 select counters 2:0. */
static void read_back(struct pit *p, u8 val)
{
	for (unsigned int i = 0; i < 3; i++) {
		if (!(val & BIT(i + 1)))
			continue;
		if (!(val & RB_NO_COUNT))
			latch_count(p, i);
		if (!(val & RB_NO_STATUS))
			latch_status(p, i);
	}
}

/*
 * A control word "resets all control logic" (8254 "Programming the
 * 8254"): the counter waits for its new count, so counter 0 raises no
 * IRQ 0 until one is written. Modes 6 and 7 are 2 and 3 (8254 "Control
 * Word Format").
 */
static void set_mode(struct pit *p, unsigned int i, u8 val)
{
	struct pit_channel_state *c = chan(p, i);
	u8 mode = (val >> CW_MODE_SHIFT) & 7;

	c->rw_mode = (val >> CW_RW_SHIFT) & 3;
	c->read_state = c->rw_mode;
	c->write_state = c->rw_mode;
	c->mode = mode > 5 ? mode - 4 : mode;
	c->bcd = val & CW_BCD;
	if (i == 0)
		p->next_ns = 0;
}

static void write_control(struct pit *p, u8 val)
{
	unsigned int i = val >> CW_COUNTER_SHIFT;

	if (i == CW_READ_BACK)
		read_back(p, val);
	else if (!((val >> CW_RW_SHIFT) & 3))
		latch_count(p, i);
	else
		set_mode(p, i, val);
}

/* A count byte, per the access mode; LSB-then-MSB loads on its second byte. */
static void write_count(struct pit *p, unsigned int i, u8 val)
{
	struct pit_channel_state *c = chan(p, i);

	switch (c->write_state) {
	case PIT_RW_MSB:
		load_count(p, i, (u32)val << 8);
		break;
	case PIT_RW_WORD0:
		c->write_latch = val;
		c->write_state = PIT_RW_WORD1;
		break;
	case PIT_RW_WORD1:
		load_count(p, i, c->write_latch | (u32)val << 8);
		c->write_state = PIT_RW_WORD0;
		break;
	default:	/* PIT_RW_LSB, and 0 before any control word (as KVM) */
		load_count(p, i, val);
		break;
	}
}

/* ------------------------------------------------ reading */

/* The latched count, per the access mode it was latched in. */
static u8 read_latched(struct pit_channel_state *c)
{
	switch (c->count_latched) {
	case PIT_RW_MSB:
		c->count_latched = 0;
		return c->latched_count >> 8;
	case PIT_RW_WORD0:
		c->count_latched = PIT_RW_MSB;
		return (u8)c->latched_count;
	default:
		c->count_latched = 0;
		return (u8)c->latched_count;
	}
}

/* The counting element itself, unlatched: the bytes may come from different ticks. */
static u8 read_live(struct pit *p, unsigned int i)
{
	struct pit_channel_state *c = chan(p, i);
	u16 count = count_now(p, i);

	switch (c->read_state) {
	case PIT_RW_MSB:
		return count >> 8;
	case PIT_RW_WORD0:
		c->read_state = PIT_RW_WORD1;
		return (u8)count;
	case PIT_RW_WORD1:
		c->read_state = PIT_RW_WORD0;
		return count >> 8;
	default:
		return (u8)count;
	}
}

/* A latched status is read first, then a latched count (8254 "Read-Back Command"). */
static u8 read_counter(struct pit *p, unsigned int i)
{
	struct pit_channel_state *c = chan(p, i);

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (c->count_latched)
		return read_latched(c);
	return read_live(p, i);
}

/* ------------------------------------------------ port 0x61 */

/*
 * GATE's rising edge (re)starts counting in modes 1, 2, 3 and 5 (8254
 * "Gate Pin Operations Summary"); as in KVM, a low GATE pauses nothing.
 */
static void set_gate2(struct pit *p, bool gate)
{
	struct pit_channel_state *c = chan(p, 2);

	if (gate && !c->gate && c->mode != 0 && c->mode != 4)
		c->count_load_time = now_ns(p);
	c->gate = gate;
}

static void write_speaker(struct pit *p, u8 val)
{
	if (val & PIT_SPK_DATA)
		p->s.flags |= PIT_FLAGS_SPEAKER_DATA;
	else
		p->s.flags &= ~PIT_FLAGS_SPEAKER_DATA;
	set_gate2(p, val & PIT_SPK_GATE2);
}

/* The refresh bit toggles with time alone; software polls it for short delays. */
static u8 read_speaker(struct pit *p)
{
	u8 val = chan(p, 2)->gate ? PIT_SPK_GATE2 : 0;

	if (p->s.flags & PIT_FLAGS_SPEAKER_DATA)
		val |= PIT_SPK_DATA;
	if ((now_ns(p) >> REFRESH_SHIFT) & 1)
		val |= PIT_SPK_REFRESH;
	if (out_now(p, 2))
		val |= PIT_SPK_OUT2;
	return val;
}

/* ------------------------------------------------ interface */

bool pit_io_claims(u16 port)
{
	return (port >= PIT_PORT_COUNTER0 && port <= PIT_PORT_CONTROL) || port == PIT_PORT_SPEAKER;
}

/* The control word register is write-only; KVM and QEMU read it as 0. */
u8 pit_io_read(struct pit *p, u16 port)
{
	if (port >= PIT_PORT_COUNTER0 && port <= PIT_PORT_COUNTER2)
		return read_counter(p, port - PIT_PORT_COUNTER0);
	if (port == PIT_PORT_SPEAKER)
		return read_speaker(p);
	return 0;
}

void pit_io_write(struct pit *p, u16 port, u8 val)
{
	if (port >= PIT_PORT_COUNTER0 && port <= PIT_PORT_COUNTER2)
		write_count(p, port - PIT_PORT_COUNTER0, val);
	else if (port == PIT_PORT_CONTROL)
		write_control(p, val);
	else if (port == PIT_PORT_SPEAKER)
		write_speaker(p, val);
}

/* Counters 0 and 1 have GATE tied high on the PC; counter 2's is port 0x61 bit 0. */
void pit_init(struct pit *p, const struct pit_ops *ops, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->ops = ops;
	p->ctx = ctx;
	p->reinject = true;
	for (unsigned int i = 0; i < 3; i++) {
		chan(p, i)->mode = PIT_MODE_NONE;
		chan(p, i)->gate = i != 2;
		load_count(p, i, 0);
	}
}

void pit_get_state(struct pit *p, struct pit_state *s)
{
	*s = p->s;
}

void pit_set_state(struct pit *p, const struct pit_state *s)
{
	p->s = *s;
	memset(p->s.reserved, 0, sizeof(p->s.reserved));
	for (unsigned int i = 0; i < 3; i++) {
		if (i != 2)
			chan(p, i)->gate = 1;
		load_count(p, i, chan(p, i)->count);
	}
}
