/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KEEL_PANIC_H
#define KEEL_PANIC_H

#include "asm/regs.h"
#include "kernel/types.h"

/* Prints the message, the registers and a backtrace, stops every CPU. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
void panic_regs(const struct regs *r, const char *fmt, ...) __printf(2, 3) __noreturn;
bool panic_in_progress(void);
/* Stops this CPU for good (interrupts off, NMIs land here again). */
void cpu_stop(void) __noreturn;

#ifdef DEBUG
#define ASSERT(c)                                                                  \
	do {                                                                       \
		if (unlikely(!(c)))                                                \
			panic("assertion failed: %s at %s:%d", #c, __FILE__, __LINE__); \
	} while (0)
#else
#define ASSERT(c) ((void)sizeof(c))
#endif

#endif
