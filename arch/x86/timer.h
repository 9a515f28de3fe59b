/* SPDX-License-Identifier: GPL-2.0 */
/* TSC calibration and the per-CPU timer (TSC-deadline, else the LAPIC timer with a backstop period). */
#ifndef KEEL_X86_TIMER_H
#define KEEL_X86_TIMER_H

#include "kernel/types.h"

extern u64 tsc_khz;
/* CPUID 0x15's core crystal clock, if that leaf states the TSC's rate and it was found true; else 0. */
extern u32 tsc_crystal_khz;

/*
 * Calibrates the TSC against the HPET at @hpet_base (0: none) or the PIT, and
 * takes CPUID 0x15's rate if it agrees; -ENODEV if neither timer ticks.
 */
int tsc_calibrate(u64 hpet_base, const char **source);
/* Programs this CPU's LAPIC timer; the BSP calls it first (it calibrates the LAPIC timer if needed). */
void timer_init_cpu(bool tsc_deadline);
/*
 * An interrupt on this CPU after @ns nanoseconds; replaces any armed one. The
 * LAPIC timer (no TSC-deadline mode) fires after 20 us at the earliest, early
 * for @ns above 10 ms and, until re-armed, every 10 ms after: handlers look
 * at the time.
 */
void timer_arm_ns(u64 ns);
/* One interrupt on this CPU once the TSC reaches @deadline (at once if it has); replaces any armed one. */
void timer_arm_tsc(u64 deadline);
/* Called on each expiry, in interrupt context, on the CPU that armed it. */
void timer_set_handler(void (*fn)(void));
bool timer_uses_tsc_deadline(void);
u64 tsc_to_ns(u64 ticks);
void udelay(u64 us);

#endif
