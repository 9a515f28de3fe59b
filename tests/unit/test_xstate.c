// SPDX-License-Identifier: GPL-2.0
/*
 * XCR0's rules and the XSAVE image checks (arch/x86/virt/xstate.c): what
 * XSETBV and KVM_SET_XCRS refuse (#GP, -EINVAL) and the headers XRSTOR
 * would fault on, which Keel must refuse before it ever runs XRSTOR.
 */
#include "arch/x86/virt/xstate.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "test.h"

TEST(sizes)
{
	CHECK_EQ(xstate_size(XFEATURE_FP), 576);
	CHECK_EQ(xstate_size(XFEATURES_LEGACY), 576);
	CHECK_EQ(xstate_size(XFEATURES_GUEST), 832);
	CHECK_EQ(XSAVE_SIZE, 832);
}

TEST(xcr0_rules)
{
	CHECK_EQ(xcr0_check(0, XFEATURES_GUEST, XFEATURES_GUEST), 0);
	CHECK_EQ(xcr0_check(0, XFEATURE_FP, 0), 0);	/* x87 needs no CPUID */
	CHECK_EQ(xcr0_check(0, XFEATURES_LEGACY, XFEATURES_GUEST), 0);
	CHECK_EQ(xcr0_check(1, XFEATURE_FP, XFEATURES_GUEST), -EINVAL);	/* XCR1 is XINUSE, read only */
	CHECK_EQ(xcr0_check(0, 0, XFEATURES_GUEST), -EINVAL);
	CHECK_EQ(xcr0_check(0, XFEATURE_SSE, XFEATURES_GUEST), -EINVAL);	/* x87 off */
	CHECK_EQ(xcr0_check(0, XFEATURE_FP | XFEATURE_AVX, XFEATURES_GUEST), -EINVAL);
	CHECK_EQ(xcr0_check(0, XFEATURES_GUEST, XFEATURES_LEGACY), -EINVAL);	/* AVX not offered */
	CHECK_EQ(xcr0_check(0, XFEATURES_GUEST | BIT(9), XFEATURES_GUEST), -EINVAL);	/* PKRU */
	CHECK_EQ(xcr0_check(0, XFEATURES_GUEST | BIT(63), XFEATURES_GUEST), -EINVAL);
}

TEST(header_checks)
{
	static u8 image[XSAVE_SIZE];

	memset(image, 0, sizeof(image));
	CHECK_EQ(xsave_header_check(image, XFEATURES_GUEST), 0);	/* all initial */
	xsave_set_bv(image, XFEATURES_GUEST);
	CHECK_EQ(xsave_bv(image), XFEATURES_GUEST);
	CHECK_EQ(xsave_header_check(image, XFEATURES_GUEST), 0);
	CHECK_EQ(xsave_header_check(image, XFEATURES_LEGACY), -EINVAL);	/* AVX not enabled */
	xsave_set_bv(image, XFEATURES_LEGACY);
	image[XSAVE_HDR + 15] = 0x80;	/* XCOMP_BV[63]: the compacted form */
	CHECK_EQ(xsave_header_check(image, XFEATURES_GUEST), -EINVAL);
	image[XSAVE_HDR + 15] = 0;
	image[XSAVE_HDR + 63] = 1;	/* the last reserved byte */
	CHECK_EQ(xsave_header_check(image, XFEATURES_GUEST), -EINVAL);
	image[XSAVE_HDR + 63] = 0;
	image[XSAVE_HDR - 1] = 0xff;	/* the legacy region's unused end is free */
	image[XSAVE_AVX] = 0xff;
	CHECK_EQ(xsave_header_check(image, XFEATURES_GUEST), 0);
}

TEST_MAIN("xstate", T(sizes), T(xcr0_rules), T(header_checks))
