/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An I/O APIC in the manner of the Intel 82093AA (order number 290566):
 * 24 redirection entries behind the IOREGSEL/IOWIN register window, with
 * the behaviour of Linux KVM's in-kernel I/O APIC, version 0x11 like the
 * 82093AA. The EOI register at 0x40 belongs to later I/O APICs (version
 * 0x20, which is when Linux uses it); older KVM versions accepted it
 * anyway, and so does this model.
 *
 * Pure logic without locking (callers lock). Interrupt messages leave
 * through struct ioapic_ops; the caller routes them to the local APICs
 * and, for level-triggered ones, passes the EOI of the vector back:
 *   device line     -> ioapic_set_irq(pin, level)   maybe ops->deliver()
 *   LAPIC EOI of v  -> ioapic_eoi(v)                remote IRR cleared, maybe deliver()
 */
#ifndef KEEL_X86_IOAPIC_H
#define KEEL_X86_IOAPIC_H

#include "kernel/types.h"

#define IOAPIC_BASE_DEFAULT	0xfec00000ULL
#define IOAPIC_MMIO_SIZE	0x100	/* the window KVM decodes */
#define IOAPIC_NUM_PINS		24
#define IOAPIC_VERSION_ID	0x11

/* Memory-mapped registers, offsets from the base (82093AA 3.1). */
#define IOAPIC_IOREGSEL		0x00
#define IOAPIC_IOWIN		0x10
#define IOAPIC_EOI		0x40

/* Registers IOREGSEL selects (82093AA 3.2). */
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDTBL	0x10	/* entry n: low half 0x10 + 2n, high half 0x11 + 2n */

/* Redirection table entry fields (82093AA 3.2.4). */
#define IOAPIC_RTE_VECTOR	0xffULL
#define IOAPIC_RTE_DM_SHIFT	8
#define IOAPIC_RTE_LOGICAL	BIT(11)
#define IOAPIC_RTE_DELIVS	BIT(12)	/* delivery status, read-only */
#define IOAPIC_RTE_POLARITY	BIT(13)	/* low active; the caller gives lines as asserted */
#define IOAPIC_RTE_REMOTE_IRR	BIT(14)	/* read-only */
#define IOAPIC_RTE_LEVEL	BIT(15)
#define IOAPIC_RTE_MASKED	BIT(16)
#define IOAPIC_RTE_DEST_SHIFT	56

/* An interrupt message for the caller to deliver to the local APICs. */
struct ioapic_msg {
	u32 dest;		/* 8-bit APIC ID, or logical destination */
	u8 vector;
	u8 delivery;		/* delivery mode, the RTE's bits 10:8 (vlapic.h's enum vlapic_dm) */
	bool logical;		/* logical destination mode */
	bool level;		/* level-triggered */
};

struct ioapic_ops {
	void (*deliver)(void *ctx, const struct ioapic_msg *m);
};

/* KVM's struct kvm_ioapic_state, byte for byte, for KVM_GET/SET_IRQCHIP. */
struct ioapic_state {
	u64 base_address;
	u32 ioregsel;
	u32 id;			/* the ID register's bits 27:24, unshifted */
	/*
	 * Asserted pins, less the edge-triggered ones whose edge was
	 * delivered: what KVM reports (its irr & ~irr_delivered) and
	 * re-injects on KVM_SET_IRQCHIP.
	 */
	u32 irr;
	u32 pad;
	u64 redirtbl[IOAPIC_NUM_PINS];
};

_Static_assert(sizeof(struct ioapic_state) == 216, "KVM's struct kvm_ioapic_state");
_Static_assert(offsetof(struct ioapic_state, irr) == 16, "KVM's struct kvm_ioapic_state");
_Static_assert(offsetof(struct ioapic_state, redirtbl) == 24, "KVM's struct kvm_ioapic_state");

struct ioapic {
	struct ioapic_state s;
	u32 line;		/* pins asserted now */
	const struct ioapic_ops *ops;
	void *ctx;
};

/* Reset: every entry masked (and otherwise 0), ID 0, base 0xfec00000. */
void ioapic_init(struct ioapic *a, const struct ioapic_ops *ops, void *ctx);

/*
 * Line @pin (0-23, others ignored) asserted or not. An edge-triggered pin
 * delivers once per assertion if unmasked; a level-triggered pin delivers
 * if unmasked and its remote IRR is clear, and sets remote IRR.
 */
void ioapic_set_irq(struct ioapic *a, unsigned int pin, bool level);

/*
 * A local APIC's EOI of @vector, broadcast: clears remote IRR of the
 * level-triggered entries with that vector and delivers again those whose
 * line is still asserted.
 */
void ioapic_eoi(struct ioapic *a, u8 vector);

/* Whether @gpa falls into the register window at s.base_address. */
bool ioapic_mmio_claims(const struct ioapic *a, u64 gpa);

/*
 * 4-byte accesses at @offset from the base (the caller drops others); only
 * IOREGSEL, IOWIN and the EOI register act, the rest read 0.
 */
u32 ioapic_mmio_read(struct ioapic *a, u32 offset);
void ioapic_mmio_write(struct ioapic *a, u32 offset, u32 val);

/*
 * KVM_SET_IRQCHIP: the state as given, its irr taken as the asserted
 * pins, which deliver as they would being asserted now (KVM's
 * kvm_set_ioapic()).
 */
void ioapic_set_state(struct ioapic *a, const struct ioapic_state *s);

#endif
