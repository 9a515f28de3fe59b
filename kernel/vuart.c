// SPDX-License-Identifier: GPL-2.0
/* A 16550A UART model (see vuart.h); bit names follow the PC16550D datasheet. */
#include "kernel/string.h"
#include "kernel/vuart.h"

#define IER_RDI 0x01	/* received data available */
#define IER_THRI 0x02	/* transmitter holding register empty */
#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO 0xc0
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

void vuart_init(struct vuart *u, void (*tx)(void *ctx, u8 c), void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->ctx = ctx;
	u->dll = 12;	/* 9600 baud, the reset divisor of a PC BIOS */
}

bool vuart_receive(struct vuart *u, u8 c)
{
	if (u->rx_len == VUART_FIFO)
		return false;
	u->rx[(u->rx_head + u->rx_len++) % VUART_FIFO] = c;
	return true;
}

static u8 iir(const struct vuart *u)
{
	u8 fifo = u->fcr & FCR_ENABLE ? IIR_FIFO : 0;

	if ((u->ier & IER_RDI) && u->rx_len)
		return IIR_RDI | fifo;
	if ((u->ier & IER_THRI) && u->thr_ipending)
		return IIR_THRI | fifo;
	return IIR_NO_INT | fifo;
}

bool vuart_irq(const struct vuart *u)
{
	return !(iir(u) & IIR_NO_INT) && (u->mcr & MCR_OUT2);
}

/* In loopback mode the modem outputs come back as the inputs: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
static u8 msr(const struct vuart *u)
{
	u8 m = u->mcr;

	if (!(m & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	return (m & MCR_RTS ? MSR_CTS : 0) | (m & MCR_DTR ? MSR_DSR : 0) |
	       (m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0);
}

static u8 read_rbr(struct vuart *u)
{
	u8 c;

	if (!u->rx_len)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % VUART_FIFO;
	u->rx_len--;
	return c;
}

/* Reading IIR while it reports THRE clears that interrupt (datasheet, table III). */
static u8 read_iir(struct vuart *u)
{
	u8 v = iir(u);

	if ((v & 0x0f) == IIR_THRI)
		u->thr_ipending = false;
	return v;
}

u8 vuart_read(struct vuart *u, unsigned int reg)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case VUART_RBR: return dlab ? u->dll : read_rbr(u);
	case VUART_IER: return dlab ? u->dlm : u->ier;
	case VUART_IIR: return read_iir(u);
	case VUART_LCR: return u->lcr;
	case VUART_MCR: return u->mcr;
	case VUART_LSR: return (u->rx_len ? LSR_DR : 0) | LSR_THRE | LSR_TEMT;
	case VUART_MSR: return msr(u);
	case VUART_SCR: return u->scr;
	default: return 0xff;
	}
}

/* A byte written to THR is sent at once (or looped back), so THR is empty again and says so. */
static void write_thr(struct vuart *u, u8 c)
{
	if (u->mcr & MCR_LOOP)
		vuart_receive(u, c);
	else
		u->tx(u->ctx, c);
	u->thr_ipending = true;
}

static void write_ier(struct vuart *u, u8 val)
{
	u8 changed = (u->ier ^ val) & IER_THRI;

	u->ier = val & 0x0f;
	if (changed)
		u->thr_ipending = u->ier & IER_THRI;
}

void vuart_write(struct vuart *u, unsigned int reg, u8 val)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case VUART_RBR:
		if (dlab)
			u->dll = val;
		else
			write_thr(u, val);
		break;
	case VUART_IER:
		if (dlab)
			u->dlm = val;
		else
			write_ier(u, val);
		break;
	case VUART_IIR:
		if (val & FCR_CLEAR_RX)
			u->rx_len = 0;
		u->fcr = val & (FCR_ENABLE | 0xc0);
		break;
	case VUART_LCR: u->lcr = val; break;
	case VUART_MCR: u->mcr = val & 0x1f; break;
	case VUART_SCR: u->scr = val; break;
	default: break;	/* LSR and MSR are read-only */
	}
}
