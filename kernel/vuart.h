/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 16550A UART model (the register set of National Semiconductor's
 * PC16550D datasheet, as QEMU's hw/char/serial.c models it): what the
 * control guest sees at COM1 while Keel keeps the physical UART. Bytes the
 * guest transmits leave at once through @tx, so the transmitter is always
 * empty; received bytes wait in a 16-byte FIFO. Pure logic, host-tested.
 */
#ifndef KEEL_VUART_H
#define KEEL_VUART_H

#include "kernel/types.h"

#define VUART_FIFO 16

/* Register numbers (offsets from the base port). */
#define VUART_RBR 0	/* THR on write; DLL with LCR.DLAB */
#define VUART_IER 1	/* DLM with LCR.DLAB */
#define VUART_IIR 2	/* FCR on write */
#define VUART_LCR 3
#define VUART_MCR 4
#define VUART_LSR 5
#define VUART_MSR 6
#define VUART_SCR 7

struct vuart {
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thr_ipending;	/* a transmitter-empty interrupt is due (cleared by reading IIR) */
	u8 rx[VUART_FIFO];
	unsigned int rx_head, rx_len;
	void (*tx)(void *ctx, u8 c);
	void *ctx;
};

void vuart_init(struct vuart *u, void (*tx)(void *ctx, u8 c), void *ctx);
u8 vuart_read(struct vuart *u, unsigned int reg);
void vuart_write(struct vuart *u, unsigned int reg, u8 val);
/* A byte arrives from the line; false (and dropped) if the FIFO is full. */
bool vuart_receive(struct vuart *u, u8 c);
/* The interrupt line: an interrupt is pending and OUT2 lets it out (as on a PC). */
bool vuart_irq(const struct vuart *u);

#endif
