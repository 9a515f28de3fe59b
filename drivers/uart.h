/* SPDX-License-Identifier: GPL-2.0 */
/* 16550 UART, polled. */
#ifndef KEEL_UART_H
#define KEEL_UART_H

#include "kernel/types.h"

/* Programs 8N1 at @baud with FIFOs on; -ENODEV if no UART answers at @port. */
int uart_init(u16 port, u32 baud);
void uart_putc(u16 port, char c);

#endif
