/* SPDX-License-Identifier: GPL-2.0 */
/* HPET main counter, used as a reference clock (IA-PC HPET specification 1.0a). */
#ifndef KEEL_HPET_H
#define KEEL_HPET_H

#include "kernel/types.h"

/* Starts the main counter; -ENODEV if the registers do not look like an HPET. */
int hpet_init(u64 base);
u64 hpet_read(void);
u64 hpet_period_fs(void);

#endif
