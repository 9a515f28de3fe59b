// SPDX-License-Identifier: GPL-2.0
/*
 * 8259A pair tests. The guest side is driven through the ports as Linux's
 * arch/x86/kernel/i8259.c does (vectors 0x20/0x28 as in older kernels);
 * the device side through pic_set_irq(). Section names are those of the
 * Intel 8259A datasheet.
 */
#include "test.h"
#include "arch/x86/irqchip/pic.h"

static struct pic pic;

#define EOI		0x20	/* OCW2 non-specific EOI */
#define READ_IRR	0x0a	/* OCW3 */
#define READ_ISR	0x0b
#define POLL		0x0c

static void out(u16 port, u8 val)
{
	pic_io_write(&pic, port, val);
}

static u8 in(u16 port)
{
	return pic_io_read(&pic, port);
}

static u8 irr(u16 cmd)
{
	out(cmd, READ_IRR);
	return in(cmd);
}

static u8 isr(u16 cmd)
{
	out(cmd, READ_ISR);
	return in(cmd);
}

/* init_8259A(): mask all, ICW1-ICW4 to both chips, then the masks back. */
static void linux_init(u8 master_icw4, u8 master_mask, u8 slave_mask)
{
	out(PIC_MASTER_DATA, 0xff);
	out(PIC_SLAVE_DATA, 0xff);
	out(PIC_MASTER_CMD, 0x11);
	out(PIC_MASTER_DATA, 0x20);
	out(PIC_MASTER_DATA, 1u << PIC_CASCADE_IR);
	out(PIC_MASTER_DATA, master_icw4);
	out(PIC_SLAVE_CMD, 0x11);
	out(PIC_SLAVE_DATA, 0x28);
	out(PIC_SLAVE_DATA, PIC_CASCADE_IR);
	out(PIC_SLAVE_DATA, 0x01);
	out(PIC_MASTER_DATA, master_mask);
	out(PIC_SLAVE_DATA, slave_mask);
}

/* Power-on, Linux's initialisation, every line unmasked. */
static void setup(void)
{
	pic_reset(&pic);
	linux_init(0x01, 0x00, 0x00);
}

/* A rising edge on an edge-triggered line, the line left low again. */
static void pulse(unsigned int irq)
{
	pic_set_irq(&pic, irq, true);
	pic_set_irq(&pic, irq, false);
}

static void eoi_both(void)
{
	out(PIC_SLAVE_CMD, EOI);
	out(PIC_MASTER_CMD, EOI);
}

/* ------------------------------------------------------------ reset and layout */

TEST(reset_state)
{
	pic_reset(&pic);
	for (int i = 0; i < 2; i++) {
		const struct pic_chip *c = &pic.chip[i];

		CHECK_EQ(c->irr | c->imr | c->isr | c->last_irr | c->priority_add, 0);
		CHECK_EQ(c->irq_base | c->init_state | c->auto_eoi | c->poll | c->elcr, 0);
		CHECK_EQ(c->special_mask | c->special_fully_nested_mode | c->init4, 0);
	}
	CHECK_EQ(pic.chip[0].elcr_mask, 0xf8);
	CHECK_EQ(pic.chip[1].elcr_mask, 0xde);
	CHECK(!pic_output(&pic));
	CHECK_EQ(pic_peek(&pic), -1);
	CHECK_EQ(in(PIC_MASTER_CMD), 0);
	CHECK_EQ(in(PIC_MASTER_DATA), 0);
	CHECK_EQ(in(PIC_ELCR_SLAVE), 0);
	/* An INTA with INT low: the master's IR7, no IS bit. */
	CHECK_EQ(pic_ack(&pic), 7);
	CHECK_EQ(pic.chip[0].isr, 0);
}

TEST(state_layout_is_kvms)
{
	CHECK_EQ(sizeof(struct pic_chip), 16);
	CHECK_EQ(sizeof(struct pic), 32);
	CHECK_EQ(offsetof(struct pic_chip, last_irr), 0);
	CHECK_EQ(offsetof(struct pic_chip, irr), 1);
	CHECK_EQ(offsetof(struct pic_chip, imr), 2);
	CHECK_EQ(offsetof(struct pic_chip, isr), 3);
	CHECK_EQ(offsetof(struct pic_chip, priority_add), 4);
	CHECK_EQ(offsetof(struct pic_chip, irq_base), 5);
	CHECK_EQ(offsetof(struct pic_chip, read_reg_select), 6);
	CHECK_EQ(offsetof(struct pic_chip, poll), 7);
	CHECK_EQ(offsetof(struct pic_chip, special_mask), 8);
	CHECK_EQ(offsetof(struct pic_chip, init_state), 9);
	CHECK_EQ(offsetof(struct pic_chip, auto_eoi), 10);
	CHECK_EQ(offsetof(struct pic_chip, rotate_on_auto_eoi), 11);
	CHECK_EQ(offsetof(struct pic_chip, special_fully_nested_mode), 12);
	CHECK_EQ(offsetof(struct pic_chip, init4), 13);
	CHECK_EQ(offsetof(struct pic_chip, elcr), 14);
	CHECK_EQ(offsetof(struct pic_chip, elcr_mask), 15);
}

TEST(io_claims)
{
	static const u16 mine[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };
	static const u16 others[] = { 0x1f, 0x22, 0x60, 0x9f, 0xa2, 0x120, 0x4cf, 0x4d2 };

	for (unsigned int i = 0; i < ARRAY_SIZE(mine); i++)
		CHECK(pic_io_claims(mine[i]));
	for (unsigned int i = 0; i < ARRAY_SIZE(others); i++)
		CHECK(!pic_io_claims(others[i]));
	pic_reset(&pic);
	CHECK_EQ(in(0x22), 0xff);
	out(0x22, 0x11);
	CHECK_EQ(pic.chip[0].init_state, 0);
}

/* ------------------------------------------------------------ initialisation */

TEST(linux_init_sequence)
{
	pic_reset(&pic);
	out(PIC_MASTER_DATA, 0xff);
	CHECK_EQ(in(PIC_MASTER_DATA), 0xff);
	out(PIC_MASTER_CMD, 0x11);
	/* ICW1 clears IMR and expects ICW2; IC4 says an ICW4 will come. */
	CHECK_EQ(pic.chip[0].init_state, 1);
	CHECK_EQ(pic.chip[0].init4, 1);
	CHECK_EQ(in(PIC_MASTER_DATA), 0);
	out(PIC_MASTER_DATA, 0x20);
	CHECK_EQ(pic.chip[0].irq_base, 0x20);
	CHECK_EQ(pic.chip[0].init_state, 2);
	out(PIC_MASTER_DATA, 0x04);
	CHECK_EQ(pic.chip[0].init_state, 3);
	out(PIC_MASTER_DATA, 0x01);
	CHECK_EQ(pic.chip[0].init_state, 0);
	CHECK_EQ(pic.chip[0].auto_eoi, 0);
	CHECK_EQ(pic.chip[0].special_fully_nested_mode, 0);
	CHECK_EQ(in(PIC_MASTER_DATA), 0);	/* none of the ICWs touched IMR */

	linux_init(0x01, 0xfb, 0xff);
	CHECK_EQ(pic.chip[0].irq_base, 0x20);
	CHECK_EQ(pic.chip[1].irq_base, 0x28);
	CHECK_EQ(pic.chip[1].init_state, 0);
	CHECK_EQ(in(PIC_MASTER_DATA), 0xfb);
	CHECK_EQ(in(PIC_SLAVE_DATA), 0xff);
	/* ICW2's low 3 bits are the IR number's place. */
	out(PIC_MASTER_CMD, 0x11);
	out(PIC_MASTER_DATA, 0x37);
	CHECK_EQ(pic.chip[0].irq_base, 0x30);
}

TEST(init_without_icw4)
{
	setup();
	linux_init(0x13, 0x00, 0x00);	/* AEOI and SFNM on the master */
	CHECK_EQ(pic.chip[0].auto_eoi, 1);
	CHECK_EQ(pic.chip[0].special_fully_nested_mode, 1);
	/* ICW1 with IC4 keeps the ICW4 modes until the new ICW4 ... */
	out(PIC_MASTER_CMD, 0x11);
	CHECK_EQ(pic.chip[0].auto_eoi, 1);
	out(PIC_MASTER_DATA, 0x20);
	out(PIC_MASTER_DATA, 0x04);
	out(PIC_MASTER_DATA, 0x01);
	CHECK_EQ(pic.chip[0].auto_eoi, 0);
	/* ... without IC4 it clears them and no ICW4 is expected. */
	linux_init(0x13, 0x00, 0x00);
	out(PIC_MASTER_CMD, 0x10);
	CHECK_EQ(pic.chip[0].auto_eoi, 0);
	CHECK_EQ(pic.chip[0].special_fully_nested_mode, 0);
	out(PIC_MASTER_DATA, 0x20);
	out(PIC_MASTER_DATA, 0x04);
	CHECK_EQ(pic.chip[0].init_state, 0);
	out(PIC_MASTER_DATA, 0x5a);	/* OCW1 already */
	CHECK_EQ(in(PIC_MASTER_DATA), 0x5a);
	/* SNGL and LTIM are ignored: ICW3 is still expected, the ELCR still decides. */
	out(PIC_MASTER_CMD, 0x1b);
	out(PIC_MASTER_DATA, 0x20);
	CHECK_EQ(pic.chip[0].init_state, 2);
	out(PIC_MASTER_DATA, 0x04);
	out(PIC_MASTER_DATA, 0x01);
	CHECK_EQ(pic.chip[0].init_state, 0);
	CHECK_EQ(pic.chip[0].elcr, 0);
}

/*
 * ICW1 resets the edge sense (pending edges dropped, a high line needs a
 * new rising edge), IMR, priorities, special mask and the read select;
 * level requests on high lines and ISR stay.
 */
TEST(icw1_resets_chip_state)
{
	setup();
	out(PIC_ELCR_MASTER, 0x20);		/* IRQ 5 level */
	pic_set_irq(&pic, 3, true);
	CHECK_EQ(pic_ack(&pic), 0x23);		/* IR3 in service, line still high */
	pulse(4);				/* pending edge */
	pic_set_irq(&pic, 5, true);		/* pending level */
	out(PIC_MASTER_CMD, 0xc0);		/* priorities rotated */
	out(PIC_MASTER_CMD, 0x68);		/* special mask mode */
	out(PIC_MASTER_CMD, READ_ISR);
	out(PIC_MASTER_DATA, 0x80);
	CHECK_EQ(pic.chip[0].irr, 0x30);

	out(PIC_MASTER_CMD, 0x11);
	CHECK_EQ(pic.chip[0].irr, 0x20);
	CHECK_EQ(pic.chip[0].isr, 0x08);
	CHECK_EQ(pic.chip[0].imr, 0);
	CHECK_EQ(pic.chip[0].priority_add, 0);
	CHECK_EQ(pic.chip[0].special_mask, 0);
	CHECK_EQ(pic.chip[0].read_reg_select, 0);
	out(PIC_MASTER_DATA, 0x20);
	out(PIC_MASTER_DATA, 0x04);
	out(PIC_MASTER_DATA, 0x01);
	out(PIC_MASTER_CMD, EOI);
	CHECK_EQ(pic_ack(&pic), 0x25);
	out(PIC_MASTER_CMD, EOI);
	/* IRQ 3's line has been high all along: no edge, no request. */
	pic_set_irq(&pic, 3, true);
	CHECK_EQ(pic.chip[0].irr & 0x08, 0);
	pic_set_irq(&pic, 3, false);
	pic_set_irq(&pic, 3, true);
	CHECK_EQ(pic.chip[0].irr & 0x08, 0x08);
}

/* ------------------------------------------------------------ requests */

TEST(edge_request_ack_eoi)
{
	setup();
	pic_set_irq(&pic, 1, true);
	CHECK(pic_output(&pic));
	CHECK_EQ(pic_peek(&pic), 0x21);
	CHECK_EQ(pic_ack(&pic), 0x21);
	CHECK_EQ(irr(PIC_MASTER_CMD), 0);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0x02);
	CHECK(!pic_output(&pic));
	out(PIC_MASTER_CMD, EOI);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0);
	/* The line stayed high: no new edge, no new interrupt. */
	pic_set_irq(&pic, 1, true);
	CHECK(!pic_output(&pic));
	pic_set_irq(&pic, 1, false);
	CHECK(!pic_output(&pic));
	pic_set_irq(&pic, 1, true);
	CHECK_EQ(pic_peek(&pic), 0x21);
	CHECK_EQ(pic_ack(&pic), 0x21);
	/* Edges while in service latch one request, taken after the EOI. */
	pic_set_irq(&pic, 1, false);
	pulse(1);
	pulse(1);
	CHECK(!pic_output(&pic));
	CHECK_EQ(irr(PIC_MASTER_CMD), 0x02);
	out(PIC_MASTER_CMD, EOI);
	CHECK_EQ(pic_ack(&pic), 0x21);
	out(PIC_MASTER_CMD, EOI);
	CHECK(!pic_output(&pic));
}

TEST(level_via_elcr)
{
	setup();
	out(PIC_ELCR_SLAVE, 0x08);		/* IRQ 11 level, IRQ 10 edge */
	CHECK_EQ(in(PIC_ELCR_SLAVE), 0x08);
	pic_set_irq(&pic, 11, true);
	pic_set_irq(&pic, 10, true);
	CHECK_EQ(pic_ack(&pic), 0x2a);
	eoi_both();
	CHECK_EQ(pic_ack(&pic), 0x2b);
	/* A level request stays in IRR through the INTA ... */
	CHECK_EQ(irr(PIC_SLAVE_CMD), 0x08);
	CHECK_EQ(isr(PIC_SLAVE_CMD), 0x08);
	CHECK(!pic_output(&pic));
	/* ... and asks again after the EOI while the line is high; the edge one does not. */
	eoi_both();
	CHECK_EQ(pic_ack(&pic), 0x2b);
	eoi_both();
	CHECK_EQ(pic_ack(&pic), 0x2b);
	/* The device drops the line in the handler: IRR follows, nothing after the EOI. */
	pic_set_irq(&pic, 11, false);
	CHECK_EQ(irr(PIC_SLAVE_CMD), 0);
	eoi_both();
	CHECK(!pic_output(&pic));
	CHECK_EQ(isr(PIC_SLAVE_CMD), 0);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0);
}

TEST(elcr_masks)
{
	setup();
	out(PIC_ELCR_MASTER, 0xff);
	out(PIC_ELCR_SLAVE, 0xff);
	CHECK_EQ(in(PIC_ELCR_MASTER), 0xf8);	/* IRQ 0-2 edge only */
	CHECK_EQ(in(PIC_ELCR_SLAVE), 0xde);	/* IRQ 8 and 13 edge only */
	/* IRQ 0 (the PIT) stays edge-triggered: one interrupt for a held line. */
	pic_set_irq(&pic, 0, true);
	CHECK_EQ(pic_ack(&pic), 0x20);
	out(PIC_MASTER_CMD, EOI);
	CHECK(!pic_output(&pic));
	/* IRQ 8 (the RTC) too. */
	pic_set_irq(&pic, 8, true);
	CHECK_EQ(pic_ack(&pic), 0x28);
	eoi_both();
	CHECK(!pic_output(&pic));
	out(PIC_ELCR_MASTER, 0x00);
	CHECK_EQ(in(PIC_ELCR_MASTER), 0);
}

TEST(masking)
{
	setup();
	out(PIC_MASTER_DATA, 0x10);
	pulse(4);
	/* Latched but masked ("Interrupt Mask Register"). */
	CHECK_EQ(irr(PIC_MASTER_CMD), 0x10);
	CHECK(!pic_output(&pic));
	CHECK_EQ(pic_peek(&pic), -1);
	out(PIC_MASTER_DATA, 0x00);
	CHECK_EQ(pic_ack(&pic), 0x24);
	out(PIC_MASTER_CMD, EOI);

	/* A slave line masked on the slave ... */
	out(PIC_SLAVE_DATA, 0x10);
	pulse(12);
	CHECK(!pic_output(&pic));
	CHECK_EQ(pic.chip[0].irr, 0);
	out(PIC_SLAVE_DATA, 0x00);
	CHECK_EQ(pic_ack(&pic), 0x2c);
	eoi_both();
	/* ... or every slave line, by the master's IR2. */
	out(PIC_MASTER_DATA, 1u << PIC_CASCADE_IR);
	pulse(9);
	CHECK_EQ(pic.chip[0].irr, 0x04);
	CHECK(!pic_output(&pic));
	out(PIC_MASTER_DATA, 0x00);
	CHECK_EQ(pic_ack(&pic), 0x29);
	eoi_both();
	CHECK(!pic_output(&pic));
}

TEST(ignored_lines)
{
	struct pic before;

	setup();
	before = pic;
	pic_set_irq(&pic, 2, true);	/* the cascade input is no ISA line */
	pic_set_irq(&pic, 16, true);
	pic_set_irq(&pic, ~0u, true);
	CHECK(!memcmp(&before, &pic, sizeof(pic)));
	CHECK(!pic_output(&pic));
}

/* ------------------------------------------------------------ priorities */

TEST(fixed_priority_and_nesting)
{
	setup();
	pulse(5);
	pulse(3);
	CHECK_EQ(pic_ack(&pic), 0x23);
	CHECK(!pic_output(&pic));		/* 5 is below 3, in service */
	pulse(1);
	CHECK(pic_output(&pic));		/* 1 is above */
	CHECK_EQ(pic_ack(&pic), 0x21);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0x0a);
	out(PIC_MASTER_CMD, EOI);		/* clears the highest, 1 */
	CHECK_EQ(isr(PIC_MASTER_CMD), 0x08);
	CHECK(!pic_output(&pic));
	out(PIC_MASTER_CMD, EOI);
	CHECK_EQ(pic_ack(&pic), 0x25);
	out(PIC_MASTER_CMD, EOI);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0);
	/* The slave's lines share the master's IR2 priority: above 3-7, below 0-1. */
	pulse(3);
	pulse(15);
	CHECK_EQ(pic_ack(&pic), 0x2f);
	pulse(0);
	CHECK_EQ(pic_ack(&pic), 0x20);
	out(PIC_MASTER_CMD, EOI);
	CHECK(!pic_output(&pic));
	eoi_both();
	CHECK_EQ(pic_ack(&pic), 0x23);
}

TEST(specific_eoi)
{
	setup();
	pulse(3);
	CHECK_EQ(pic_ack(&pic), 0x23);
	pulse(1);
	CHECK_EQ(pic_ack(&pic), 0x21);
	out(PIC_MASTER_CMD, 0x63);		/* specific EOI, level 3 */
	CHECK_EQ(isr(PIC_MASTER_CMD), 0x02);
	out(PIC_MASTER_CMD, 0x66);		/* level 6 not in service: nothing */
	CHECK_EQ(isr(PIC_MASTER_CMD), 0x02);
	out(PIC_MASTER_CMD, 0x40);		/* SL alone: no operation */
	CHECK_EQ(isr(PIC_MASTER_CMD), 0x02);
	out(PIC_MASTER_CMD, 0x61);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0);
	out(PIC_MASTER_CMD, EOI);		/* nothing in service: nothing */
	CHECK_EQ(pic.chip[0].priority_add, 0);
}

TEST(rotate_on_nonspecific_eoi)
{
	setup();
	pulse(3);
	CHECK_EQ(pic_ack(&pic), 0x23);
	out(PIC_MASTER_CMD, 0xa0);		/* IR3 becomes the lowest */
	CHECK_EQ(pic.chip[0].priority_add, 4);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0);
	pulse(3);
	pulse(5);
	pulse(1);
	/* Order 4 5 6 7 0 1 2 3. */
	CHECK_EQ(pic_ack(&pic), 0x25);
	out(PIC_MASTER_CMD, 0xa0);		/* now 5 is the lowest: 6 7 0 1 ... */
	CHECK_EQ(pic_ack(&pic), 0x21);
	/* Non-specific EOI picks the highest in service in the rotated order. */
	pulse(6);
	CHECK_EQ(pic_ack(&pic), 0x26);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0x42);
	out(PIC_MASTER_CMD, EOI);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0x02);
	out(PIC_MASTER_CMD, EOI);
	CHECK_EQ(pic_ack(&pic), 0x23);
}

TEST(set_priority_and_specific_rotation)
{
	setup();
	out(PIC_MASTER_CMD, 0xc4);		/* IR4 lowest, IR5 highest */
	CHECK_EQ(pic.chip[0].priority_add, 5);
	pulse(4);
	pulse(6);
	pulse(1);
	pulse(7);
	CHECK_EQ(pic_ack(&pic), 0x26);
	CHECK(!pic_output(&pic));		/* 7, 1 and 4 all come after 6 */
	out(PIC_MASTER_CMD, 0xe6);		/* rotate on specific EOI of 6: 7 highest */
	CHECK_EQ(pic.chip[0].priority_add, 7);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0);
	CHECK_EQ(pic_ack(&pic), 0x27);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0x80);
	out(PIC_MASTER_CMD, 0xe7);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0);
	CHECK_EQ(pic.chip[0].priority_add, 0);
	CHECK_EQ(pic_ack(&pic), 0x21);
	out(PIC_MASTER_CMD, EOI);
	CHECK_EQ(pic_ack(&pic), 0x24);
	out(PIC_MASTER_CMD, EOI);
	CHECK(!pic_output(&pic));
}

/* "Automatic End of Interrupt Mode" and "Automatic Rotation". */
TEST(auto_eoi)
{
	setup();
	linux_init(0x03, 0x00, 0x00);
	CHECK_EQ(pic.chip[0].auto_eoi, 1);
	pulse(4);
	CHECK_EQ(pic_ack(&pic), 0x24);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0);
	pulse(6);
	CHECK_EQ(pic_ack(&pic), 0x26);		/* nothing held it off */
	CHECK_EQ(pic.chip[0].priority_add, 0);
	/* Rotate in auto-EOI mode: each acknowledged level becomes the lowest. */
	out(PIC_MASTER_CMD, 0x80);
	CHECK_EQ(pic.chip[0].rotate_on_auto_eoi, 1);
	pulse(6);
	CHECK_EQ(pic_ack(&pic), 0x26);
	CHECK_EQ(pic.chip[0].priority_add, 7);
	pulse(6);
	pulse(7);
	pulse(0);
	CHECK_EQ(pic_ack(&pic), 0x27);
	CHECK_EQ(pic_ack(&pic), 0x20);
	CHECK_EQ(pic_ack(&pic), 0x26);
	out(PIC_MASTER_CMD, 0x00);		/* clear rotate in auto-EOI mode */
	CHECK_EQ(pic.chip[0].rotate_on_auto_eoi, 0);
	pulse(1);
	CHECK_EQ(pic_ack(&pic), 0x21);
	CHECK_EQ(pic.chip[0].priority_add, 7);
	/* The slave keeps its normal EOI: its IS bit stays, the master's does not. */
	pulse(10);
	CHECK_EQ(pic_ack(&pic), 0x2a);
	CHECK_EQ(pic.chip[0].isr, 0);
	CHECK_EQ(pic.chip[1].isr, 0x04);
}

/*
 * "Special Fully Nested Mode": with a slave line in service, a higher slave
 * line still reaches the CPU through the master's IR2.
 */
TEST(special_fully_nested)
{
	setup();
	pulse(12);
	CHECK_EQ(pic_ack(&pic), 0x2c);
	pulse(9);
	CHECK(!pic_output(&pic));		/* fully nested: IR2 in service holds it off */
	CHECK_EQ(pic.chip[0].irr, 0x04);
	eoi_both();
	CHECK_EQ(pic_ack(&pic), 0x29);
	eoi_both();
	CHECK(!pic_output(&pic));

	linux_init(0x11, 0x00, 0x00);
	CHECK_EQ(pic.chip[0].special_fully_nested_mode, 1);
	pulse(12);
	CHECK_EQ(pic_ack(&pic), 0x2c);
	pulse(13);
	CHECK(!pic_output(&pic));		/* lower than 12 on the slave */
	pulse(9);
	CHECK(pic_output(&pic));
	CHECK_EQ(pic_ack(&pic), 0x29);
	CHECK_EQ(pic.chip[1].isr, 0x12);
	CHECK_EQ(pic.chip[0].isr, 0x04);
	/* Master lines below IR2 stay held off by it (KVM lets them through). */
	pulse(5);
	CHECK_EQ(pic.chip[0].irr & 0x20, 0x20);
	CHECK(!pic_output(&pic));
	out(PIC_SLAVE_CMD, EOI);
	CHECK(!pic_output(&pic));		/* 13 is still below 12 */
}

/*
 * "Special Mask Mode": a handler masks its own level and lets lower ones
 * in. KVM keeps the bit without acting on it.
 */
TEST(special_mask_mode)
{
	setup();
	pulse(3);
	CHECK_EQ(pic_ack(&pic), 0x23);
	pulse(5);
	CHECK(!pic_output(&pic));
	out(PIC_MASTER_DATA, 0x08);
	CHECK(!pic_output(&pic));		/* masking alone does not do it */
	out(PIC_MASTER_CMD, 0x68);		/* ESMM | SMM */
	CHECK_EQ(pic.chip[0].special_mask, 1);
	CHECK(pic_output(&pic));
	CHECK_EQ(pic_ack(&pic), 0x25);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0x28);
	/* IR5 in service and unmasked still holds the lower 6 off. */
	pulse(6);
	CHECK(!pic_output(&pic));
	out(PIC_MASTER_CMD, 0x65);
	CHECK_EQ(pic_ack(&pic), 0x26);
	out(PIC_MASTER_CMD, 0x66);
	pulse(3);
	CHECK(!pic_output(&pic));		/* IR3 itself is masked */
	out(PIC_MASTER_CMD, 0x28);		/* SMM without ESMM: no change */
	CHECK_EQ(pic.chip[0].special_mask, 1);
	out(PIC_MASTER_CMD, 0x48);		/* reset special mask */
	CHECK_EQ(pic.chip[0].special_mask, 0);
	out(PIC_MASTER_CMD, 0x63);
	out(PIC_MASTER_DATA, 0x00);
	CHECK_EQ(pic_ack(&pic), 0x23);
}

/* ------------------------------------------------------------ OCW3 reads */

TEST(read_register_select)
{
	setup();
	pulse(1);
	pulse(6);
	CHECK_EQ(pic_ack(&pic), 0x21);
	out(PIC_MASTER_DATA, 0x30);
	CHECK_EQ(in(PIC_MASTER_CMD), 0x40);	/* IRR after initialisation */
	out(PIC_MASTER_CMD, READ_ISR);
	CHECK_EQ(in(PIC_MASTER_CMD), 0x02);
	CHECK_EQ(in(PIC_MASTER_CMD), 0x02);	/* the selection stays */
	out(PIC_MASTER_CMD, 0x08);		/* OCW3 without RR keeps it */
	CHECK_EQ(in(PIC_MASTER_CMD), 0x02);
	CHECK_EQ(in(PIC_MASTER_DATA), 0x30);	/* the data port reads IMR */
	out(PIC_MASTER_CMD, READ_IRR);
	CHECK_EQ(in(PIC_MASTER_CMD), 0x40);
	CHECK_EQ(in(PIC_SLAVE_CMD), 0);
}

/* "Poll Command": the next read is an INTA on that chip, with the level and bit 7. */
TEST(poll_command)
{
	setup();
	pulse(3);
	pulse(6);
	out(PIC_MASTER_CMD, POLL);
	CHECK_EQ(in(PIC_MASTER_CMD), 0x83);
	CHECK_EQ(pic.chip[0].isr, 0x08);
	CHECK_EQ(pic.chip[0].poll, 0);
	CHECK_EQ(in(PIC_MASTER_CMD), 0x40);	/* one-shot: IRR again */
	CHECK(!pic_output(&pic));
	out(PIC_MASTER_CMD, EOI);
	/* Through the data port too, and the poll beats a read select in the same OCW3. */
	out(PIC_MASTER_CMD, POLL | READ_ISR);
	CHECK_EQ(in(PIC_MASTER_DATA), 0x86);
	out(PIC_MASTER_CMD, EOI);
	CHECK_EQ(in(PIC_MASTER_CMD), 0);	/* ISR selected */
	out(PIC_MASTER_CMD, POLL);
	CHECK_EQ(in(PIC_MASTER_CMD), 0);	/* no request: bit 7 clear */
	CHECK_EQ(in(PIC_MASTER_DATA), 0);	/* IMR again */
	/* Polling the slave takes the request the master's IR2 latched from it. */
	pulse(10);
	CHECK_EQ(pic.chip[0].irr, 0x04);
	out(PIC_SLAVE_CMD, POLL);
	CHECK_EQ(in(PIC_SLAVE_CMD), 0x82);
	CHECK_EQ(pic.chip[1].isr, 0x04);
	CHECK_EQ(pic.chip[0].irr, 0);
	CHECK_EQ(pic.chip[0].isr, 0);
	CHECK(!pic_output(&pic));
	/* A second slave request, higher, is still latched by IR2. */
	pulse(9);
	CHECK_EQ(pic.chip[0].irr, 0x04);
	out(PIC_SLAVE_CMD, POLL);
	CHECK_EQ(in(PIC_SLAVE_DATA), 0x81);
	CHECK_EQ(pic.chip[0].irr, 0);
}

/* ------------------------------------------------------------ cascade and spurious */

TEST(cascade)
{
	setup();
	pulse(12);
	CHECK_EQ(pic.chip[1].irr, 0x10);
	CHECK_EQ(pic.chip[0].irr, 0x04);
	CHECK(pic_output(&pic));
	CHECK_EQ(pic_peek(&pic), 0x2c);
	CHECK_EQ(pic_ack(&pic), 0x2c);
	CHECK_EQ(pic.chip[0].isr, 0x04);
	CHECK_EQ(pic.chip[1].isr, 0x10);
	CHECK_EQ(pic.chip[0].irr, 0);
	CHECK_EQ(pic.chip[1].irr, 0);
	/* Master lines above IR2 nest; those below wait. */
	pulse(3);
	CHECK(!pic_output(&pic));
	pulse(1);
	CHECK_EQ(pic_ack(&pic), 0x21);
	out(PIC_MASTER_CMD, EOI);
	/* Linux's order: the slave's EOI, then the master's. */
	out(PIC_SLAVE_CMD, EOI);
	CHECK(!pic_output(&pic));
	out(PIC_MASTER_CMD, EOI);
	CHECK_EQ(pic_ack(&pic), 0x23);
	out(PIC_MASTER_CMD, EOI);
	/* The slave's own priorities and its vector base. */
	pulse(14);
	pulse(8);
	CHECK_EQ(pic_ack(&pic), 0x28);
	eoi_both();
	CHECK_EQ(pic_ack(&pic), 0x2e);
	eoi_both();
	CHECK(!pic_output(&pic));
	CHECK_EQ(pic.chip[0].isr | pic.chip[1].isr | pic.chip[0].irr | pic.chip[1].irr, 0);
}

TEST(spurious_master)
{
	setup();
	out(PIC_ELCR_MASTER, 0x20);		/* IRQ 5 level */
	pic_set_irq(&pic, 5, true);
	CHECK(pic_output(&pic));
	/* The line drops before the INTA: IR7's vector, no IS bit ("Interrupt Sequence"). */
	pic_set_irq(&pic, 5, false);
	CHECK(!pic_output(&pic));
	CHECK_EQ(pic_peek(&pic), -1);
	CHECK_EQ(pic_ack(&pic), 0x27);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0);
	/* A real IRQ 7 sets its IS bit: Linux tells the two apart by it. */
	pulse(7);
	CHECK_EQ(pic_ack(&pic), 0x27);
	CHECK_EQ(isr(PIC_MASTER_CMD), 0x80);
}

TEST(spurious_slave)
{
	setup();
	out(PIC_ELCR_SLAVE, 0x08);		/* IRQ 11 level */
	pic_set_irq(&pic, 11, true);
	CHECK_EQ(pic.chip[0].irr, 0x04);
	pic_set_irq(&pic, 11, false);
	/* The master's IR2 is edge-triggered and stays latched ... */
	CHECK_EQ(pic.chip[0].irr, 0x04);
	CHECK(pic_output(&pic));
	CHECK_EQ(pic_peek(&pic), 0x2f);
	/* ... so the INTA reaches the slave, which answers IR7 without an IS bit. */
	CHECK_EQ(pic_ack(&pic), 0x2f);
	CHECK_EQ(pic.chip[0].isr, 0x04);
	CHECK_EQ(pic.chip[1].isr, 0);
	/* Linux's spurious IRQ 15 handling EOIs the master alone. */
	out(PIC_MASTER_CMD, EOI);
	CHECK(!pic_output(&pic));
	CHECK_EQ(pic.chip[0].isr | pic.chip[0].irr, 0);
}

/* ------------------------------------------------------------ state and peeking */

TEST(peek_changes_nothing)
{
	struct pic before;

	setup();
	out(PIC_ELCR_SLAVE, 0x02);
	pic_set_irq(&pic, 9, true);
	pulse(4);
	before = pic;
	CHECK_EQ(pic_peek(&pic), 0x29);
	CHECK(!memcmp(&before, &pic, sizeof(pic)));
	CHECK_EQ(pic_ack(&pic), 0x29);
	before = pic;
	CHECK_EQ(pic_peek(&pic), -1);
	CHECK(!memcmp(&before, &pic, sizeof(pic)));
}

TEST(set_state_taken_as_given)
{
	struct pic_chip s = {
		.irr = 0x40, .irq_base = 0x70, .elcr = 0xff, .elcr_mask = 0xde,
		.priority_add = 14,	/* out of range: used modulo 8, as KVM does */
	};
	struct pic_chip m;

	setup();
	m = pic.chip[0];
	pic_set_state(&pic, 1, &s);
	CHECK(!memcmp(&pic.chip[1], &s, sizeof(s)));	/* no checks, no masking of elcr */
	/* The slave's request reaches the master's IR2 at once. */
	CHECK_EQ(pic.chip[0].irr, 0x04);
	CHECK_EQ(pic_ack(&pic), 0x76);
	CHECK_EQ(pic.chip[1].irr, 0x40);		/* level by its ELCR */
	CHECK_EQ(pic.chip[1].isr, 0x40);
	/* The master's state likewise; a third chip is ignored. */
	m.isr = 0;
	m.imr = 0xff;
	pic_set_state(&pic, 0, &m);
	CHECK(!pic_output(&pic));
	pic_set_state(&pic, 2, &s);
	CHECK_EQ(pic.chip[0].imr, 0xff);
	/* Round trip: what KVM_GET_IRQCHIP would copy out comes back unchanged. */
	s = pic.chip[1];
	m = pic.chip[0];
	pic_reset(&pic);
	pic_set_state(&pic, 0, &m);
	pic_set_state(&pic, 1, &s);
	CHECK(!memcmp(&pic.chip[0], &m, sizeof(m)));
	CHECK(!memcmp(&pic.chip[1], &s, sizeof(s)));
}

/*
 * Random guest writes, line changes and INTAs. Whatever the state, the
 * ELCR keeps to its mask, pic_peek() foretells pic_ack(), and an INTA with
 * INT high sets the IS bits it reports unless auto-EOI clears them again.
 */
TEST(randomized)
{
	static const u16 ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };
	unsigned int seed = 12345;
	int failed = test_failed_checks;

	setup();
	for (int i = 0; i < 200000 && test_failed_checks == failed; i++) {
		unsigned int r = rand_r(&seed);
		u16 port = ports[(r >> 8) % ARRAY_SIZE(ports)];

		switch (r % 8) {
		case 0:
			out(port, (u8)(r >> 16));
			break;
		case 1:
			in(port);
			break;
		case 2:
		case 3:
		case 4:
			pic_set_irq(&pic, (r >> 8) % 16, (r >> 16) & 1);
			break;
		default: {
			int peek = pic_peek(&pic);
			bool aeoi = pic.chip[0].auto_eoi;
			int vec = pic_ack(&pic);

			CHECK(peek == -1 || peek == vec);
			if (peek >= 0 && !aeoi && peek != pic.chip[0].irq_base + 7)
				CHECK(pic.chip[0].isr);
			break;
		}
		}
		CHECK_EQ(pic.chip[0].elcr & ~pic.chip[0].elcr_mask, 0);
		CHECK_EQ(pic.chip[1].elcr & ~pic.chip[1].elcr_mask, 0);
	}
	if (test_failed_checks != failed)
		fprintf(stderr, "randomized: failed with seed state %u\n", seed);
}

TEST_MAIN("pic",
	  T(reset_state), T(state_layout_is_kvms), T(io_claims), T(linux_init_sequence),
	  T(init_without_icw4), T(icw1_resets_chip_state), T(edge_request_ack_eoi),
	  T(level_via_elcr), T(elcr_masks), T(masking), T(ignored_lines),
	  T(fixed_priority_and_nesting), T(specific_eoi), T(rotate_on_nonspecific_eoi),
	  T(set_priority_and_specific_rotation), T(auto_eoi), T(special_fully_nested),
	  T(special_mask_mode), T(read_register_select), T(poll_command), T(cascade),
	  T(spurious_master), T(spurious_slave), T(peek_changes_nothing),
	  T(set_state_taken_as_given), T(randomized))
