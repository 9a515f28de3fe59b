/* SPDX-License-Identifier: GPL-2.0 */
/* printf-style formatting for Keel (no floating point). */
#ifndef KEEL_FORMAT_H
#define KEEL_FORMAT_H

#include <stdarg.h>

#include "kernel/types.h"

/*
 * Formats like C99 vsnprintf for the conversions d i u x X o c s p %, the
 * flags - 0 + space #, width and precision (also as *), and the length
 * modifiers hh h l ll z t j. Always NUL-terminates when n > 0; returns the
 * length the full output would have.
 */
int vsnformat(char *buf, size_t n, const char *fmt, va_list ap);
int snformat(char *buf, size_t n, const char *fmt, ...) __printf(3, 4);

#endif
