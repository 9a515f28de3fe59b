// SPDX-License-Identifier: GPL-2.0
/*
 * I/O APIC (see ioapic.h). Section numbers are those of the Intel 82093AA
 * datasheet. Left out of KVM's model: its tracking of RTC interrupt
 * coalescing (RTC_GSI) and its delay of a re-delivery after 10000
 * successive EOIs of an asserted line (that needs a timer; a guest that
 * never quiets its device keeps getting the interrupt instead).
 */
#include "arch/x86/irqchip/ioapic.h"
#include "kernel/string.h"

#define RTE_RO		(IOAPIC_RTE_DELIVS | IOAPIC_RTE_REMOTE_IRR)
#define ID_SHIFT	24	/* ID and ARB registers: bits 27:24 (3.2.1, 3.2.3) */
#define ID_MASK		0xfu
#define MAX_REDIR_SHIFT	16	/* VER: maximum redirection entry in bits 23:16 (3.2.2) */

static u32 pin_bit(unsigned int pin)
{
	return (u32)BIT(pin);
}

static bool rte_level(u64 rte)
{
	return rte & IOAPIC_RTE_LEVEL;
}

/*
 * Sends @pin's message if the entry lets it: not masked and, for a level
 * entry, no earlier message waiting for its EOI (Remote IRR, 3.2.4).
 * A level message counts as accepted and sets remote IRR, where KVM sets
 * it only if some local APIC took the message.
 */
static bool service(struct ioapic *a, unsigned int pin)
{
	u64 *rte = &a->s.redirtbl[pin];
	struct ioapic_msg m = {
		.dest = (u32)(*rte >> IOAPIC_RTE_DEST_SHIFT),
		.vector = (u8)(*rte & IOAPIC_RTE_VECTOR),
		.delivery = (u8)((*rte >> IOAPIC_RTE_DM_SHIFT) & 7),
		.logical = *rte & IOAPIC_RTE_LOGICAL,
		.level = rte_level(*rte),
	};

	if ((*rte & IOAPIC_RTE_MASKED) || (m.level && (*rte & IOAPIC_RTE_REMOTE_IRR)))
		return false;
	if (m.level)
		*rte |= IOAPIC_RTE_REMOTE_IRR;
	a->ops->deliver(a->ctx, &m);
	return true;
}

void ioapic_init(struct ioapic *a, const struct ioapic_ops *ops, void *ctx)
{
	memset(a, 0, sizeof(*a));
	a->ops = ops;
	a->ctx = ctx;
	a->s.base_address = IOAPIC_BASE_DEFAULT;
	for (unsigned int i = 0; i < IOAPIC_NUM_PINS; i++)
		a->s.redirtbl[i] = IOAPIC_RTE_MASKED;
}

/*
 * s.irr keeps level pins while asserted and edge pins until their edge is
 * delivered: a masked edge-triggered pin drops its interrupt (3.2.4, bit
 * 16) but KVM still reports it in irr, and so re-injects it after a
 * KVM_SET_IRQCHIP, like this model.
 */
void ioapic_set_irq(struct ioapic *a, unsigned int pin, bool level)
{
	u32 m;

	if (pin >= IOAPIC_NUM_PINS)
		return;
	m = pin_bit(pin);
	if (!level) {
		a->line &= ~m;
		a->s.irr &= ~m;
		return;
	}
	/*
	 * Already asserted: an edge needs a new assertion, and a level entry
	 * was served when it became deliverable (assertion, EOI, RTE write).
	 */
	if (a->line & m)
		return;
	a->line |= m;
	a->s.irr |= m;
	if (service(a, pin) && !rte_level(a->s.redirtbl[pin]))
		a->s.irr &= ~m;
}

void ioapic_eoi(struct ioapic *a, u8 vector)
{
	for (unsigned int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
		u64 *rte = &a->s.redirtbl[pin];

		if ((*rte & IOAPIC_RTE_VECTOR) != vector || !rte_level(*rte))
			continue;
		*rte &= ~IOAPIC_RTE_REMOTE_IRR;
		if (a->line & pin_bit(pin))
			service(a, pin);
	}
}

bool ioapic_mmio_claims(const struct ioapic *a, u64 gpa)
{
	return gpa >= a->s.base_address && gpa - a->s.base_address < IOAPIC_MMIO_SIZE;
}

/* The RTE IOREGSEL selects, or NULL (registers 0x03-0x0f and past entry 23). */
static u64 *sel_rte(struct ioapic *a)
{
	u32 index = (a->s.ioregsel - IOAPIC_REG_REDTBL) / 2;

	if (a->s.ioregsel < IOAPIC_REG_REDTBL || index >= IOAPIC_NUM_PINS)
		return NULL;
	return &a->s.redirtbl[index];
}

/* Registers without a meaning read all ones, as in KVM. */
static u32 read_indirect(struct ioapic *a)
{
	u64 *rte;

	switch (a->s.ioregsel) {
	case IOAPIC_REG_VER:
		return ((IOAPIC_NUM_PINS - 1) << MAX_REDIR_SHIFT) | IOAPIC_VERSION_ID;
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:	/* loaded from the ID when it is written (3.2.3) */
		return (a->s.id & ID_MASK) << ID_SHIFT;
	default:
		rte = sel_rte(a);
		if (!rte)
			return ~0u;
		return a->s.ioregsel & 1 ? (u32)(*rte >> 32) : (u32)*rte;
	}
}

/*
 * A write to one half of an RTE. Delivery status and remote IRR are
 * read-only (3.2.4). Making the entry edge-triggered clears remote IRR,
 * as KVM does because Linux uses that to end a lost EOI on I/O APICs
 * without an EOI register. A level entry with its line asserted delivers
 * if it now may: when unmasked, typically.
 */
static void write_rte(struct ioapic *a, u64 *rte, u32 val)
{
	unsigned int pin = (unsigned int)(rte - a->s.redirtbl);
	u64 v;

	if (a->s.ioregsel & 1)
		v = (*rte & 0xffffffffULL) | (u64)val << 32;
	else
		v = (*rte & ~0xffffffffULL) | val;
	v = (v & ~RTE_RO) | (*rte & RTE_RO);
	if (!rte_level(v))
		v &= ~IOAPIC_RTE_REMOTE_IRR;
	*rte = v;
	if (rte_level(v) && (a->line & pin_bit(pin))) {
		a->s.irr |= pin_bit(pin);
		service(a, pin);
	}
}

static void write_indirect(struct ioapic *a, u32 val)
{
	u64 *rte;

	switch (a->s.ioregsel) {
	case IOAPIC_REG_ID:
		a->s.id = (val >> ID_SHIFT) & ID_MASK;
		break;
	case IOAPIC_REG_VER:
	case IOAPIC_REG_ARB:
		break;		/* read-only */
	default:
		rte = sel_rte(a);
		if (rte)
			write_rte(a, rte, val);
		break;
	}
}

u32 ioapic_mmio_read(struct ioapic *a, u32 offset)
{
	switch (offset) {
	case IOAPIC_IOREGSEL:
		return a->s.ioregsel;
	case IOAPIC_IOWIN:
		return read_indirect(a);
	default:
		return 0;	/* the EOI register is write-only */
	}
}

void ioapic_mmio_write(struct ioapic *a, u32 offset, u32 val)
{
	switch (offset) {
	case IOAPIC_IOREGSEL:
		a->s.ioregsel = val & 0xff;	/* bits 7:0 (3.1.1) */
		break;
	case IOAPIC_IOWIN:
		write_indirect(a, val);
		break;
	case IOAPIC_EOI:
		ioapic_eoi(a, (u8)val);	/* the vector in bits 7:0 */
		break;
	default:
		break;
	}
}

void ioapic_set_state(struct ioapic *a, const struct ioapic_state *s)
{
	u32 asserted = s->irr;	/* @s may be a->s */

	a->s = *s;
	a->s.irr = 0;
	a->line = 0;
	for (unsigned int pin = 0; pin < IOAPIC_NUM_PINS; pin++)
		if (asserted & pin_bit(pin))
			ioapic_set_irq(a, pin, true);
}
