// SPDX-License-Identifier: GPL-2.0
/*
 * The kvmclock scale: 10^9 / tsc_hz as a 32-bit binary fraction (mul)
 * times a power of two (shift). The shift is picked so that tsc_hz * 2^shift
 * lies in (10^9, 2 * 10^9]: then 10^9 / (tsc_hz * 2^shift) is in [1/2, 1)
 * and mul keeps 32 significant bits. mul = (10^9 << (32 - shift)) / tsc_hz
 * fits in 64 bits down to shift -2 (TSCs up to 8 GHz); a faster TSC keeps
 * shift -2 and loses a bit of mul's precision per doubling.
 */
#include "arch/x86/virt/pvclock.h"

#define MIN_SHIFT (-2)

/* The bounds are shifted, not tsc_hz, so that no bit of it is lost to the comparison. */
struct pvclock_scale pvclock_scale_for(u64 tsc_hz)
{
	int shift = 0;

	while (shift > MIN_SHIFT && tsc_hz > (2 * NSEC_PER_SEC << -shift))
		shift--;
	while (shift >= 0 && tsc_hz <= (NSEC_PER_SEC >> shift))
		shift++;
	return (struct pvclock_scale){ .mul = (u32)((NSEC_PER_SEC << (32 - shift)) / tsc_hz),
				       .shift = (int8_t)shift };
}

/* The 96-bit product in two halves: 64-bit arithmetic only, as in the guest's mul_u64_u32_shr(). */
u64 pvclock_ns(u64 delta, struct pvclock_scale s)
{
	if (s.shift < 0)
		delta >>= -s.shift;
	else
		delta <<= s.shift;
	return (delta >> 32) * s.mul + (((delta & 0xffffffffULL) * s.mul) >> 32);
}
