/* SPDX-License-Identifier: GPL-2.0 */
/* A set of the 256 interrupt vectors as four 64-bit words, vector v in word v / 64. */
#ifndef KEEL_VECSET_H
#define KEEL_VECSET_H

#include "kernel/types.h"

/* The highest vector in @set, or -1 if it is empty. */
static inline int vecset_highest(const u64 set[4])
{
	for (int i = 3; i >= 0; i--)
		if (set[i])
			return i * 64 + 63 - __builtin_clzll(set[i]);
	return -1;
}

#endif
