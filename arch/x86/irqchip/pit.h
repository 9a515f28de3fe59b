/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtual 8254 programmable interval timer: three counters at ports
 * 0x40-0x42, the control word register at 0x43, and the bits of port 0x61
 * that gate counter 2 and read its OUT (the PC speaker/calibration wiring).
 * The behaviour is that of KVM's in-kernel PIT (arch/x86/kvm/i8254.c), the
 * state its KVM_GET/SET_PIT2 layout; where KVM gets an OUT level wrong this
 * follows the Intel 8254 datasheet (order no. 231164), cited as "8254".
 *
 * Pure logic without locking (callers lock): time comes from
 * struct pit_ops, and the caller owns the host timer and the IRQ 0 line.
 * Counter 0's OUT drives IRQ 0; the flow:
 *   guest I/O         -> pit_io_read() / pit_io_write()
 *   after pit_io_write(), pit_set_state() or pit_timer_expired()
 *                     -> (re)arm the host timer at pit_next_irq_ns(), or
 *                        cancel it when that is 0
 *   host timer fires  -> if (pit_timer_expired()) pulse IRQ 0 (an edge)
 *   IRQ 0 acked       -> if (pit_irq_acked()) pulse IRQ 0 again
 *   IRQ 0 unmasked, or sent where its ack cannot be seen (the I/O APIC)
 *                     -> pit_drop_owed()
 *
 * Reinjection (KVM_REINJECT_CONTROL, on after pit_init() as in KVM): a
 * guest that misses timer interrupts loses time, so with it on only one
 * IRQ 0 is in flight at a time; ticks that expire meanwhile (or that the
 * host timer fired too late for) are owed and raised one by one as the
 * guest acks the previous one. With it off each expiry raises IRQ 0 once
 * and ticks missed in between are dropped.
 */
#ifndef KEEL_X86_PIT_H
#define KEEL_X86_PIT_H

#include "kernel/types.h"

#define PIT_FREQ_HZ		1193182u	/* 14.31818 MHz / 12, Linux's PIT_TICK_RATE */

#define PIT_PORT_COUNTER0	0x40
#define PIT_PORT_COUNTER2	0x42
#define PIT_PORT_CONTROL	0x43
#define PIT_PORT_SPEAKER	0x61	/* "port B" of the PC's system control */

/* Port 0x61 bits this model implements. */
#define PIT_SPK_GATE2		BIT(0)	/* r/w: counter 2's GATE */
#define PIT_SPK_DATA		BIT(1)	/* r/w: speaker data enable, stored only */
#define PIT_SPK_REFRESH		BIT(4)	/* ro: toggles about every 15 us */
#define PIT_SPK_OUT2		BIT(5)	/* ro: counter 2's OUT */

/* struct pit_state.flags, KVM's KVM_PIT_FLAGS_*. */
#define PIT_FLAGS_HPET_LEGACY	0x1u	/* the HPET has IRQ 0: counter 0 raises none */
#define PIT_FLAGS_SPEAKER_DATA	0x2u	/* port 0x61 bit 1 as last written */

/*
 * Read/write access states (control word bits 5:4, 8254 "Control Word
 * Format"): the values of rw_mode, read_state, write_state and
 * count_latched. WORD0/WORD1 are the LSB-then-MSB flip-flop's two positions.
 */
enum pit_rw {
	PIT_RW_LATCH = 0,	/* in a control word: the counter latch command */
	PIT_RW_LSB = 1,
	PIT_RW_MSB = 2,
	PIT_RW_WORD0 = 3,	/* LSB then MSB, next byte is the LSB */
	PIT_RW_WORD1 = 4,	/* LSB then MSB, next byte is the MSB */
};

/* Power-on mode of every counter (KVM's kvm_pit_reset): none, so no IRQ 0. */
#define PIT_MODE_NONE		0xff

/*
 * One counter, byte for byte KVM's struct kvm_pit_channel_state.
 * count_load_time is in the pit_ops clock: when counting started from count.
 */
struct pit_channel_state {
	u32 count;		/* initial count, 1..65536 (a written 0 is 65536) */
	u16 latched_count;
	u8 count_latched;	/* enum pit_rw of the latched count still to read, 0: none */
	u8 status_latched;
	u8 status;		/* read-back status byte (8254 "Status Format") */
	u8 read_state;		/* enum pit_rw */
	u8 write_state;		/* enum pit_rw */
	u8 write_latch;		/* LSB written in the LSB-then-MSB mode */
	u8 rw_mode;		/* enum pit_rw */
	u8 mode;		/* 0-5, or PIT_MODE_NONE */
	u8 bcd;			/* stored and reported; counting stays binary, as in KVM */
	u8 gate;
	s64 count_load_time;
};

/* KVM's struct kvm_pit_state2, the KVM_GET/SET_PIT2 payload. */
struct pit_state {
	struct pit_channel_state channels[3];
	u32 flags;		/* PIT_FLAGS_* */
	u32 reserved[9];
};

_Static_assert(sizeof(struct pit_channel_state) == 24, "struct kvm_pit_channel_state layout");
_Static_assert(__builtin_offsetof(struct pit_channel_state, count_load_time) == 16,
	       "struct kvm_pit_channel_state layout");
_Static_assert(sizeof(struct pit_state) == 112, "struct kvm_pit_state2 layout");
_Static_assert(__builtin_offsetof(struct pit_state, flags) == 72, "struct kvm_pit_state2 layout");

struct pit_ops {
	/* Monotonic nanoseconds since an arbitrary epoch; must be positive. */
	s64 (*now_ns)(void *ctx);
};

struct pit {
	struct pit_state s;
	const struct pit_ops *ops;
	void *ctx;
	bool reinject;
	u32 pending;		/* ticks owed while reinjecting (saturates) */
	bool irq_in_flight;	/* reinjecting: IRQ 0 raised and not yet acked */
	s64 next_ns;		/* counter 0's next IRQ 0, 0: none armed */
};

/* Power-on (KVM's reset): no counter programmed, gates 0 and 1 high, reinjection on. */
void pit_init(struct pit *p, const struct pit_ops *ops, void *ctx);

/* Whether @port is the PIT's: 0x40-0x43 or 0x61. */
bool pit_io_claims(u16 port);
/* One-byte accesses to a claimed port; the control word register reads 0. */
u8 pit_io_read(struct pit *p, u16 port);
void pit_io_write(struct pit *p, u16 port, u8 val);

/* When counter 0 next raises IRQ 0 (pit_ops clock), 0 if it never will. */
s64 pit_next_irq_ns(const struct pit *p);
/*
 * The host timer fired: true if IRQ 0 is to be pulsed now. False when
 * called before pit_next_irq_ns() or when reinjection holds the tick back
 * as owed. Re-arms the periodic modes (2, 3); the one-shot modes (0, 1, 4)
 * are then disarmed.
 */
bool pit_timer_expired(struct pit *p);
/* The guest acked IRQ 0 (PIC or I/O APIC): true if an owed tick is to be pulsed now. */
bool pit_irq_acked(struct pit *p);
/*
 * Owed ticks and an unacked one are forgotten: when IRQ 0 is unmasked at
 * the PIC or the I/O APIC (KVM's mask notifier), or where its ack cannot be
 * seen (it went through the I/O APIC, whose edge EOIs Keel's vLAPIC does
 * not report), as such a tick would otherwise hold every later one back.
 */
void pit_drop_owed(struct pit *p);
/* KVM_REINJECT_CONTROL; a change forgets owed ticks. */
void pit_set_reinject(struct pit *p, bool on);

/* KVM_GET_PIT2. */
void pit_get_state(struct pit *p, struct pit_state *s);
/*
 * KVM_SET_PIT2: as KVM, every counter restarts from its count now (the
 * saved count_load_time is of another clock) and counter 0 re-arms.
 */
void pit_set_state(struct pit *p, const struct pit_state *s);

#endif
