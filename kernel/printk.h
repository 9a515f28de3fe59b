/* SPDX-License-Identifier: GPL-2.0 */
/* Keel's log: levelled messages to the consoles and to an in-memory ring. */
#ifndef KEEL_PRINTK_H
#define KEEL_PRINTK_H

#include <stdarg.h>

#include "kernel/types.h"

enum log_level {
	LOG_EMERG = 0,
	LOG_ERR = 3,
	LOG_WARN = 4,
	LOG_NOTICE = 5,
	LOG_INFO = 6,
	LOG_DEBUG = 7,
};

#define LOG_RING_SIZE (64 * 1024)
#define CONSOLE_MAX_UARTS 4

struct console_config {
	u16 uart[CONSOLE_MAX_UARTS];	/* I/O ports; 0 = unused */
	u32 baud;
	bool e9;			/* debug port 0xE9 (Bochs, QEMU -debugcon) */
	int loglevel;			/* messages above it go to the ring only */
};

void console_setup(const struct console_config *cfg);
void printk(int level, const char *fmt, ...) __printf(2, 3);
void vprintk(int level, const char *fmt, va_list ap);
/*
 * Copies log bytes from sequence number *seq on into @buf and advances
 * *seq; bytes overwritten before they were read are skipped. Returns the
 * byte count.
 */
size_t log_read(u64 *seq, char *buf, size_t n);
/* Lets printk go on after a CPU died holding its lock (panic path). */
void printk_break_lock(void);

#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_notice(...) printk(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

#endif
