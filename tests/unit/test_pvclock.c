// SPDX-License-Identifier: GPL-2.0
/*
 * The kvmclock scale (arch/x86/virt/pvclock.c): for TSCs from 1 MHz to
 * 10 GHz the guest's conversion of a second's and an hour's ticks is
 * within a part in 10^8, mul keeps its top bit where precision allows,
 * and the 96-bit product does not overflow for deltas near 2^64.
 */
#include "test.h"
#include "arch/x86/virt/pvclock.h"

static const u64 freqs[] = {
	1000000, 999999999, 1000000000, 1000000001, 1999999999, 2000000000, 2000000001,
	2294608000, 3000000000, 3999999999, 4000000001, 7999999999, 10000000000,
};

/* |got - want| <= want / 10^8 + 1. */
static int close_to(u64 got, u64 want)
{
	u64 diff = got > want ? got - want : want - got;

	return diff <= want / 100000000 + 1;
}

TEST(one_second_and_one_hour)
{
	for (size_t i = 0; i < sizeof(freqs) / sizeof(freqs[0]); i++) {
		struct pvclock_scale s = pvclock_scale_for(freqs[i]);

		CHECK(close_to(pvclock_ns(freqs[i], s), NSEC_PER_SEC));
		CHECK(close_to(pvclock_ns(freqs[i] * 3600, s), 3600 * NSEC_PER_SEC));
		CHECK_EQ(pvclock_ns(0, s), 0);
	}
}

TEST(mul_keeps_its_top_bit)
{
	for (size_t i = 0; i < sizeof(freqs) / sizeof(freqs[0]); i++) {
		struct pvclock_scale s = pvclock_scale_for(freqs[i]);

		if (freqs[i] <= 8 * NSEC_PER_SEC)
			CHECK(s.mul >= 0x80000000u);
		CHECK(s.shift >= -2 && s.shift <= 31);
	}
}

TEST(exact_scales)
{
	struct pvclock_scale s = pvclock_scale_for(2000000000);

	CHECK_EQ(s.shift, 0);
	CHECK_EQ(s.mul, 0x80000000u);
	s = pvclock_scale_for(500000000);
	CHECK_EQ(s.shift, 2);
	CHECK_EQ(s.mul, 0x80000000u);
	CHECK_EQ(pvclock_ns(12345, s), 24690);
}

/* A delta near 2^64 at 1 GHz: the product's halves add up without overflow. */
TEST(large_delta)
{
	struct pvclock_scale s = pvclock_scale_for(1000000000);
	u64 delta = 0xfffffffffffffULL;

	CHECK(close_to(pvclock_ns(delta, s), delta));
}

TEST_MAIN("pvclock", T(one_second_and_one_hour), T(mul_keeps_its_top_bit), T(exact_scales),
	  T(large_delta))
