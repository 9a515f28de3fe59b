// SPDX-License-Identifier: GPL-2.0
/* The 16550A model: Linux's 8250 probe sequence, transmit interrupts, receive FIFO, loopback. */
#include "kernel/vuart.h"
#include "test.h"

static char sent[64];
static unsigned int nr_sent;

static void tx(void *ctx, u8 c)
{
	if (nr_sent < sizeof(sent))
		sent[nr_sent++] = (char)c;
}

static void setup(struct vuart *u)
{
	nr_sent = 0;
	vuart_init(u, tx, NULL);
}

/* autoconfig() in drivers/tty/serial/8250/8250_port.c: IER scratch test, loopback MSR test, FIFO. */
TEST(probe_as_linux_does)
{
	struct vuart u;

	setup(&u);
	vuart_write(&u, VUART_IER, 0);
	CHECK_EQ(vuart_read(&u, VUART_IER) & 0x0f, 0);
	vuart_write(&u, VUART_IER, 0x0f);
	CHECK_EQ(vuart_read(&u, VUART_IER) & 0x0f, 0x0f);
	vuart_write(&u, VUART_IER, 0);
	vuart_write(&u, VUART_MCR, 0x10 | 0x0a);	/* LOOP | OUT2 | RTS */
	CHECK_EQ(vuart_read(&u, VUART_MSR) & 0xf0, 0x90);
	vuart_write(&u, VUART_MCR, 0);
	CHECK_EQ(vuart_read(&u, VUART_MSR) & 0xf0, 0xb0);
	vuart_write(&u, VUART_IIR, 0x01);		/* FCR: enable FIFOs */
	CHECK_EQ(vuart_read(&u, VUART_IIR) >> 6, 3);	/* a 16550A */
	vuart_write(&u, VUART_SCR, 0xa5);
	CHECK_EQ(vuart_read(&u, VUART_SCR), 0xa5);
}

TEST(divisor_latch)
{
	struct vuart u;

	setup(&u);
	vuart_write(&u, VUART_LCR, 0x83);
	vuart_write(&u, VUART_RBR, 1);
	vuart_write(&u, VUART_IER, 0);
	CHECK_EQ(vuart_read(&u, VUART_RBR), 1);
	CHECK_EQ(nr_sent, 0);
	vuart_write(&u, VUART_LCR, 0x03);
	vuart_write(&u, VUART_RBR, 'x');
	CHECK_EQ(nr_sent, 1);
	CHECK_EQ(sent[0], 'x');
}

/* THRE interrupts: set when enabled and after each byte, cleared by reading IIR; gated by OUT2. */
TEST(transmit_interrupts)
{
	struct vuart u;

	setup(&u);
	CHECK(!vuart_irq(&u));
	vuart_write(&u, VUART_IER, 0x02);
	CHECK(!vuart_irq(&u));				/* OUT2 clear: the line stays low */
	vuart_write(&u, VUART_MCR, 0x08);
	CHECK(vuart_irq(&u));
	CHECK_EQ(vuart_read(&u, VUART_IIR) & 0x0f, 0x02);
	CHECK(!vuart_irq(&u));
	CHECK_EQ(vuart_read(&u, VUART_IIR) & 0x0f, 0x01);
	vuart_write(&u, VUART_RBR, 'a');
	CHECK(vuart_irq(&u));
	vuart_write(&u, VUART_IER, 0);
	CHECK(!vuart_irq(&u));
	CHECK_EQ(vuart_read(&u, VUART_LSR) & 0x60, 0x60);
}

TEST(receive_fifo)
{
	struct vuart u;

	setup(&u);
	vuart_write(&u, VUART_MCR, 0x08);
	vuart_write(&u, VUART_IER, 0x01);
	CHECK(!vuart_irq(&u));
	for (int i = 0; i < VUART_FIFO; i++)
		CHECK(vuart_receive(&u, (u8)('a' + i)));
	CHECK(!vuart_receive(&u, 'z'));
	CHECK(vuart_irq(&u));
	CHECK_EQ(vuart_read(&u, VUART_IIR) & 0x0f, 0x04);
	CHECK_EQ(vuart_read(&u, VUART_LSR) & 1, 1);
	for (int i = 0; i < VUART_FIFO; i++)
		CHECK_EQ(vuart_read(&u, VUART_RBR), 'a' + i);
	CHECK_EQ(vuart_read(&u, VUART_LSR) & 1, 0);
	CHECK(!vuart_irq(&u));
	CHECK_EQ(vuart_read(&u, VUART_RBR), 0);
	vuart_receive(&u, 'q');
	vuart_write(&u, VUART_IIR, 0x03);		/* FCR: clear the receive FIFO */
	CHECK_EQ(vuart_read(&u, VUART_LSR) & 1, 0);
}

TEST(loopback_keeps_bytes_off_the_line)
{
	struct vuart u;

	setup(&u);
	vuart_write(&u, VUART_MCR, 0x10);
	vuart_write(&u, VUART_RBR, 0x55);
	CHECK_EQ(nr_sent, 0);
	CHECK_EQ(vuart_read(&u, VUART_RBR), 0x55);
	CHECK_EQ(vuart_read(&u, 8), 0xff);
	vuart_write(&u, VUART_LSR, 0);			/* read-only: ignored */
	CHECK_EQ(vuart_read(&u, VUART_LSR), 0x60);
}

TEST_MAIN("vuart", T(probe_as_linux_does), T(divisor_latch), T(transmit_interrupts), T(receive_fifo),
	  T(loopback_keeps_bytes_off_the_line))
