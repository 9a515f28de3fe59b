// SPDX-License-Identifier: GPL-2.0
/*
 * The cascaded 8259A pair (see pic.h). Section names are those of the
 * Intel 8259A datasheet. Where KVM's in-kernel PIC departs from the
 * datasheet this model follows the datasheet, in four places noted below:
 * the poll command, special mask mode, special fully nested mode and the
 * edge sense reset of ICW1.
 */
#include "arch/x86/irqchip/pic.h"
#include "kernel/string.h"

#define MASTER		0
#define SLAVE		1
#define SPURIOUS_IR	7	/* what an INTA without a request returns */
#define NO_PRIORITY	8	/* highest() of an empty set */

/* Command bits (figures "Initialization Command Word Format", "Operation Command Word Format"). */
#define ICW1		0x10	/* D4 */
#define ICW1_IC4	0x01
#define OCW3		0x08	/* D3 with D4 clear */
#define OCW3_RIS	0x01
#define OCW3_RR		0x02
#define OCW3_P		0x04
#define OCW3_SMM	0x20
#define OCW3_ESMM	0x40
#define OCW2_SL		0x40
#define OCW2_EOI	0x20
#define OCW2_R		0x80
#define ICW4_AEOI	0x02
#define ICW4_SFNM	0x10
#define POLL_INT	0x80	/* poll word bit I: a request was found */

/* init_state: what the data port takes next. */
enum { INIT_DONE, INIT_ICW2, INIT_ICW3, INIT_ICW4 };

static u8 ir(unsigned int n)
{
	return (u8)(1u << n);
}

/*
 * Priority, 0 highest, of the most important IR in @mask, NO_PRIORITY if
 * none. IR priority_add has priority 0 and the others follow it in
 * circular order ("Priority Resolver", "Rotation"): rotating @mask right
 * by priority_add puts them in priority order from bit 0 up.
 */
static unsigned int highest(const struct pic_chip *c, u8 mask)
{
	unsigned int add = c->priority_add & 7;
	u32 rot = (((u32)mask >> add) | ((u32)mask << (8 - add))) & 0xff;

	return rot ? (unsigned int)__builtin_ctz(rot) : NO_PRIORITY;
}

static unsigned int prio_to_ir(const struct pic_chip *c, unsigned int prio)
{
	return (prio + c->priority_add) & 7;
}

/*
 * The IR this chip asks service for: the highest unmasked request, if it
 * beats every level in service. In special mask mode a masked level in
 * service no longer holds the others off ("Special Mask Mode"; KVM keeps
 * the bit but ignores it). In special fully nested mode the master lets a
 * higher request of the slave through while IR2 is in service ("Special
 * Fully Nested Mode"); KVM also lets the master's lower IRs through then.
 */
static int chip_request(const struct pic_chip *c, bool master)
{
	unsigned int req = highest(c, c->irr & ~c->imr);
	u8 in_service = c->isr;
	unsigned int irq;

	if (req == NO_PRIORITY)
		return -1;
	irq = prio_to_ir(c, req);
	if (c->special_mask)
		in_service &= ~c->imr;
	if (master && c->special_fully_nested_mode && irq == PIC_CASCADE_IR)
		in_service &= ~ir(PIC_CASCADE_IR);
	return req < highest(c, in_service) ? (int)irq : -1;
}

/* A line level into IRR: level pins (ELCR) follow the line, edge pins latch a rising edge. */
static void chip_set_line(struct pic_chip *c, unsigned int pin, bool level)
{
	u8 m = ir(pin);

	if (level) {
		if ((c->elcr & m) || !(c->last_irr & m))
			c->irr |= m;
		c->last_irr |= m;
	} else {
		c->last_irr &= ~m;
		if (c->elcr & m)
			c->irr &= ~m;
	}
}

/*
 * The slave's INT drives the master's IR2, which the ELCR cannot make
 * level-triggered (elcr_mask). As in KVM, each state change pulses IR2
 * while the slave requests: IRR2 stays latched until the INTA even if the
 * slave's request goes away meanwhile, and that INTA returns the slave's
 * spurious IR7.
 */
static void cascade(struct pic *p)
{
	if (chip_request(&p->chip[SLAVE], false) < 0)
		return;
	chip_set_line(&p->chip[MASTER], PIC_CASCADE_IR, true);
	chip_set_line(&p->chip[MASTER], PIC_CASCADE_IR, false);
}

/*
 * Acknowledge of @irq: into ISR and, unless the line is level-triggered
 * and still high, out of IRR. In auto-EOI mode the end of the INTA
 * sequence clears the ISR bit again ("Automatic End of Interrupt Mode"),
 * rotating priorities if asked to ("Automatic Rotation").
 */
static void chip_ack(struct pic_chip *c, unsigned int irq)
{
	u8 m = ir(irq);

	c->isr |= m;
	if (!(c->elcr & m))
		c->irr &= ~m;
	if (!c->auto_eoi)
		return;
	if (c->rotate_on_auto_eoi)
		c->priority_add = (irq + 1) & 7;
	c->isr &= ~m;
}

void pic_reset(struct pic *p)
{
	memset(p, 0, sizeof(*p));
	/* PIIX/ICH: IRQ 0-2, 8 and 13 are edge-triggered only (KVM's masks). */
	p->chip[MASTER].elcr_mask = 0xf8;
	p->chip[SLAVE].elcr_mask = 0xde;
}

void pic_set_irq(struct pic *p, unsigned int irq, bool level)
{
	if (irq >= PIC_NR_IRQS || irq == PIC_CASCADE_IR)
		return;
	chip_set_line(&p->chip[irq / 8], irq % 8, level);
	cascade(p);
}

bool pic_output(const struct pic *p)
{
	return chip_request(&p->chip[MASTER], true) >= 0;
}

/* The slave's part of an INTA the master gave to IR2: its vector, or IR7's without a request. */
static int slave_ack(struct pic_chip *s)
{
	int irq = chip_request(s, false);

	if (irq < 0)
		return (u8)(s->irq_base + SPURIOUS_IR);
	chip_ack(s, irq);
	return (u8)(s->irq_base + irq);
}

int pic_ack(struct pic *p)
{
	struct pic_chip *m = &p->chip[MASTER];
	int irq = chip_request(m, true);
	int vector;

	if (irq < 0)
		return (u8)(m->irq_base + SPURIOUS_IR);	/* no IS bit: nothing changes */
	chip_ack(m, irq);
	if (irq == PIC_CASCADE_IR)
		vector = slave_ack(&p->chip[SLAVE]);
	else
		vector = (u8)(m->irq_base + irq);
	cascade(p);
	return vector;
}

/* An INTA on a scratch copy: the same decision as pic_ack() by construction. */
int pic_peek(const struct pic *p)
{
	struct pic tmp = *p;

	return pic_output(p) ? pic_ack(&tmp) : -1;
}

bool pic_io_claims(u16 port)
{
	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_MASTER_DATA:
	case PIC_SLAVE_CMD:
	case PIC_SLAVE_DATA:
	case PIC_ELCR_MASTER:
	case PIC_ELCR_SLAVE:
		return true;
	default:
		return false;
	}
}

/*
 * ICW1 starts initialisation ("Initialization Command Words"): the edge
 * sense is reset, IMR cleared, IR7 made lowest priority, special mask mode
 * left and IRR selected for reading; without IC4 the ICW4 functions are
 * cleared. Like KVM, level requests whose line is high stay in IRR and
 * ISR is kept. Unlike KVM, last_irr keeps the line levels so a line still
 * high needs a new rising edge, as the datasheet says; KVM clears it and
 * takes the next report of a high line as an edge. LTIM (level mode for
 * all pins) is ignored as on PIIX/ICH, where the ELCR decides; so is
 * SNGL: the PC's pair is always cascaded.
 */
static void chip_icw1(struct pic_chip *c, u8 val)
{
	c->init4 = val & ICW1_IC4;
	c->irr &= c->elcr;
	c->imr = 0;
	c->priority_add = 0;
	c->special_mask = 0;
	c->read_reg_select = 0;
	if (!c->init4) {
		c->special_fully_nested_mode = 0;
		c->auto_eoi = 0;
	}
	c->init_state = INIT_ICW2;
}

/*
 * OCW2 (Table "Operation Command Word 2"): R rotates, SL names the level
 * in L2-L0 (else the highest in service), EOI clears the ISR bit. R and
 * SL both clear is the auto-EOI rotation mode; SL alone is a no-op.
 */
static void chip_ocw2(struct pic_chip *c, u8 val)
{
	unsigned int irq = val & 7;
	unsigned int prio;

	if (!(val & (OCW2_SL | OCW2_EOI))) {
		c->rotate_on_auto_eoi = !!(val & OCW2_R);
		return;
	}
	if (!(val & OCW2_SL)) {
		prio = highest(c, c->isr);
		if (prio == NO_PRIORITY)
			return;
		irq = prio_to_ir(c, prio);
	}
	if (val & OCW2_R)
		c->priority_add = (irq + 1) & 7;	/* @irq becomes the lowest */
	if (val & OCW2_EOI)
		c->isr &= ~ir(irq);
}

static void chip_ocw3(struct pic_chip *c, u8 val)
{
	if (val & OCW3_P)
		c->poll = 1;
	if (val & OCW3_RR)
		c->read_reg_select = val & OCW3_RIS;
	if (val & OCW3_ESMM)
		c->special_mask = !!(val & OCW3_SMM);
}

static void chip_write_cmd(struct pic_chip *c, u8 val)
{
	if (val & ICW1)
		chip_icw1(c, val);
	else if (val & OCW3)
		chip_ocw3(c, val);
	else
		chip_ocw2(c, val);
}

/*
 * ICW2-ICW4 during initialisation, OCW1 after it. ICW3 describes the
 * cascade wiring, which a PC fixes, so it is only counted. An init_state
 * KVM_SET_IRQCHIP left out of range counts as initialised.
 */
static void chip_write_data(struct pic_chip *c, u8 val)
{
	switch (c->init_state) {
	case INIT_ICW2:
		c->irq_base = val & 0xf8;	/* T7-T3; the IR number fills bits 2-0 */
		c->init_state = INIT_ICW3;
		break;
	case INIT_ICW3:
		c->init_state = c->init4 ? INIT_ICW4 : INIT_DONE;
		break;
	case INIT_ICW4:
		c->special_fully_nested_mode = !!(val & ICW4_SFNM);
		c->auto_eoi = !!(val & ICW4_AEOI);
		c->init_state = INIT_DONE;
		break;
	default:
		c->imr = val;
		break;
	}
}

void pic_io_write(struct pic *p, u16 port, u8 val)
{
	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_SLAVE_CMD:
		chip_write_cmd(&p->chip[port >> 7], val);
		break;
	case PIC_MASTER_DATA:
	case PIC_SLAVE_DATA:
		chip_write_data(&p->chip[port >> 7], val);
		break;
	case PIC_ELCR_MASTER:
	case PIC_ELCR_SLAVE:
		p->chip[port & 1].elcr = val & p->chip[port & 1].elcr_mask;
		break;
	default:
		return;
	}
	cascade(p);
}

/*
 * The poll command ("Poll Command"): the read acts as an INTA on this
 * chip alone, setting the IS bit, and returns bit 7 set with the level in
 * bits 2-0, or 0 without a request. (KVM clears the ISR bit instead and
 * leaves bit 7 clear.) Polling the slave takes the request the master's
 * IR2 latched from it.
 */
static u8 chip_poll(struct pic *p, unsigned int chip)
{
	struct pic_chip *c = &p->chip[chip];
	int irq = chip_request(c, chip == MASTER);

	c->poll = 0;
	if (irq < 0)
		return 0;
	chip_ack(c, irq);
	if (chip == SLAVE)
		p->chip[MASTER].irr &= ~ir(PIC_CASCADE_IR);
	cascade(p);
	return POLL_INT | (u8)irq;
}

u8 pic_io_read(struct pic *p, u16 port)
{
	struct pic_chip *c;

	if (port == PIC_ELCR_MASTER || port == PIC_ELCR_SLAVE)
		return p->chip[port & 1].elcr;
	if (!pic_io_claims(port))
		return 0xff;	/* nothing drives the bus */
	c = &p->chip[port >> 7];
	if (c->poll)
		return chip_poll(p, port >> 7);
	if (port & 1)
		return c->imr;
	return c->read_reg_select ? c->isr : c->irr;
}

void pic_set_state(struct pic *p, unsigned int chip, const struct pic_chip *s)
{
	if (chip > SLAVE)
		return;
	p->chip[chip] = *s;
	cascade(p);
}
