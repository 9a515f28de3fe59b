// SPDX-License-Identifier: GPL-2.0
#include "drivers/hpet.h"
#include "kernel/errno.h"

#define HPET_CAP 0x000
#define HPET_CONFIG 0x010
#define HPET_COUNTER 0x0f0
#define HPET_ENABLE BIT(0)
#define HPET_MAX_PERIOD_FS 100000000ULL	/* the spec caps the tick at 100 ns (2.3.9.2.1) */

static volatile u64 *hpet;
static u64 period_fs;

int hpet_init(u64 base)
{
	volatile u64 *regs = (volatile u64 *)(uintptr_t)base;
	u64 period = regs[HPET_CAP / 8] >> 32;

	if (!period || period > HPET_MAX_PERIOD_FS)
		return -ENODEV;
	hpet = regs;
	period_fs = period;
	hpet[HPET_CONFIG / 8] |= HPET_ENABLE;
	return 0;
}

u64 hpet_read(void)
{
	return hpet[HPET_COUNTER / 8];
}

u64 hpet_period_fs(void)
{
	return period_fs;
}
