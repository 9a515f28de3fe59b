// SPDX-License-Identifier: GPL-2.0
#include "asm/processor.h"
#include "drivers/uart.h"
#include "kernel/format.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"

/* Until the command line is read: COM1 and port 0xE9, everything shown. */
static struct console_config console = {
	.uart = { 0x3f8 },
	.baud = 115200,
	.e9 = true,
	.loglevel = LOG_DEBUG,
};
static struct spinlock log_lock = SPINLOCK_INIT;
static char log_ring[LOG_RING_SIZE];
static u64 log_head;	/* total bytes ever logged */

void console_setup(const struct console_config *cfg)
{
	u64 flags = spin_lock_irqsave(&log_lock);

	console = *cfg;
	for (int i = 0; i < CONSOLE_MAX_UARTS; i++)
		if (console.uart[i] && uart_init(console.uart[i], console.baud))
			console.uart[i] = 0;
	spin_unlock_irqrestore(&log_lock, flags);
}

static void console_putc(char c)
{
	for (int i = 0; i < CONSOLE_MAX_UARTS; i++) {
		if (!console.uart[i])
			continue;
		if (c == '\n')
			uart_putc(console.uart[i], '\r');
		uart_putc(console.uart[i], c);
	}
	if (console.e9)
		outb(0xe9, (u8)c);
}

static void log_store(const char *s, size_t len, bool show)
{
	for (size_t i = 0; i < len; i++) {
		log_ring[log_head++ % LOG_RING_SIZE] = s[i];
		if (show)
			console_putc(s[i]);
	}
}

void vprintk(int level, const char *fmt, va_list ap)
{
	char buf[512];
	int len = vsnformat(buf, sizeof(buf), fmt, ap);
	u64 flags;

	if (len >= (int)sizeof(buf))
		len = sizeof(buf) - 1;
	flags = spin_lock_irqsave(&log_lock);
	log_store(buf, (size_t)len, level <= console.loglevel);
	spin_unlock_irqrestore(&log_lock, flags);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

size_t log_read(u64 *seq, char *buf, size_t n)
{
	u64 flags = spin_lock_irqsave(&log_lock);
	size_t count = 0;

	if (*seq + LOG_RING_SIZE < log_head)
		*seq = log_head - LOG_RING_SIZE;
	while (count < n && *seq < log_head)
		buf[count++] = log_ring[(*seq)++ % LOG_RING_SIZE];
	spin_unlock_irqrestore(&log_lock, flags);
	return count;
}

void printk_break_lock(void)
{
	log_lock.owner = log_lock.next;
}
