/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC's pair of cascaded 8259A programmable interrupt controllers: the
 * master at ports 0x20/0x21, the slave at 0xa0/0xa1 with its INT output on
 * the master's IR2, and the edge/level control registers (ELCR) of the
 * PIIX/ICH south bridges at 0x4d0/0x4d1. The behaviour is that of Linux
 * KVM's in-kernel PIC; references are to the Intel 8259A datasheet
 * (order number 231468) unless they say otherwise.
 *
 * Pure logic without locking (callers lock). Nothing is signalled: after a
 * call that changes the state the caller looks at pic_output() (the
 * master's INT line, for LINT0 in ExtINT mode or the CPU's INTR pin) and
 * acknowledges with pic_ack() when it injects the interrupt.
 */
#ifndef KEEL_X86_PIC_H
#define KEEL_X86_PIC_H

#include "kernel/types.h"

#define PIC_MASTER_CMD		0x20	/* A0 = 0: ICW1, OCW2, OCW3; reads IRR/ISR */
#define PIC_MASTER_DATA		0x21	/* A0 = 1: ICW2-ICW4, OCW1 (IMR) */
#define PIC_SLAVE_CMD		0xa0
#define PIC_SLAVE_DATA		0xa1
#define PIC_ELCR_MASTER		0x4d0
#define PIC_ELCR_SLAVE		0x4d1

#define PIC_NR_IRQS		16
#define PIC_CASCADE_IR		2	/* the master's input wired to the slave's INT */

/*
 * One 8259A, laid out byte for byte as KVM's struct kvm_pic_state, so
 * KVM_GET_IRQCHIP and KVM_SET_IRQCHIP copy it as it is.
 */
struct pic_chip {
	u8 last_irr;		/* line levels seen last: edge detection */
	u8 irr;			/* interrupt request register */
	u8 imr;			/* interrupt mask register (OCW1) */
	u8 isr;			/* in-service register */
	u8 priority_add;	/* the IR of highest priority (rotation) */
	u8 irq_base;		/* ICW2: vector of IR0 */
	u8 read_reg_select;	/* OCW3 RIS: the command port reads ISR, else IRR */
	u8 poll;		/* OCW3 P: the next read is a poll */
	u8 special_mask;	/* OCW3 SMM */
	u8 init_state;		/* 0: initialised; 1-3: ICW2-ICW4 expected next */
	u8 auto_eoi;		/* ICW4 AEOI */
	u8 rotate_on_auto_eoi;	/* OCW2 R with AEOI */
	u8 special_fully_nested_mode;	/* ICW4 SFNM */
	u8 init4;		/* ICW1 IC4: an ICW4 follows */
	u8 elcr;		/* edge/level control: 1 is level-triggered */
	u8 elcr_mask;		/* the ELCR bits this chip implements */
};

_Static_assert(sizeof(struct pic_chip) == 16, "struct pic_chip is KVM's struct kvm_pic_state");

struct pic {
	struct pic_chip chip[2];	/* [0] master, [1] slave */
};

/* Power-on state: all registers 0 (IMR clear, uninitialised), the ELCR masks set. */
void pic_reset(struct pic *p);

/*
 * Sets the level of ISA IRQ line @irq (0-15). A line the ELCR makes level
 * triggered requests while it is high; an edge-triggered one latches a
 * request on each rising edge. IRQ 2 and lines above 15 are ignored: the
 * master's IR2 is the slave's output, not an ISA line.
 */
void pic_set_irq(struct pic *p, unsigned int irq, bool level);

/* The master's INT line: an unmasked request of higher priority than any in service. */
bool pic_output(const struct pic *p);

/* The vector an INTA cycle would return now, or -1 if INT is low. */
int pic_peek(const struct pic *p);

/*
 * The INTA cycle: returns the vector and moves the request from IRR to
 * ISR (not in auto-EOI mode), through the slave when the master picks IR2.
 * With no request left it returns IR7's vector of the chip concerned, as
 * the 8259A does, and sets no ISR bit for it.
 */
int pic_ack(struct pic *p);

/* Whether @port is one of the PICs' or the ELCR's. */
bool pic_io_claims(u16 port);

/* Byte accesses to a claimed port; a read after the poll command is an acknowledge. */
u8 pic_io_read(struct pic *p, u16 port);
void pic_io_write(struct pic *p, u16 port, u8 val);

/* KVM_SET_IRQCHIP for chip @chip (0 master, 1 slave): taken as given, as KVM does. */
void pic_set_state(struct pic *p, unsigned int chip, const struct pic_chip *s);

#endif
