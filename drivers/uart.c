// SPDX-License-Identifier: GPL-2.0
/* 16550 UART (National Semiconductor PC16550D data sheet), polled output. */
#include "asm/processor.h"
#include "drivers/uart.h"
#include "kernel/errno.h"

#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define LSR_THRE 0x20
#define UART_CLOCK 115200

/* The scratch register holds what is written only if a UART is there. */
static bool uart_present(u16 port)
{
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return false;
	outb(port + UART_SCR, 0xa5);
	return inb(port + UART_SCR) == 0xa5;
}

int uart_init(u16 port, u32 baud)
{
	u16 div;

	if (!baud || baud > UART_CLOCK || !uart_present(port))
		return -ENODEV;
	div = UART_CLOCK / baud;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, div & 0xff);
	outb(port + UART_DLM, div >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, 0x07);	/* enable and clear FIFOs */
	outb(port + UART_MCR, 0x03);	/* DTR, RTS */
	return 0;
}

/* Bounded wait: a wedged UART must not hang the hypervisor. */
void uart_putc(u16 port, char c)
{
	for (int i = 0; i < 100000; i++)
		if (inb(port + UART_LSR) & LSR_THRE)
			break;
	outb(port + UART_THR, (u8)c);
}
