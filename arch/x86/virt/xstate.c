// SPDX-License-Identifier: GPL-2.0
/* XCR0's rules and XSAVE image checks (xstate.h). */
#include "arch/x86/virt/xstate.h"
#include "kernel/errno.h"
#include "kernel/string.h"

u32 xstate_size(u64 xcr0)
{
	return xcr0 & XFEATURE_AVX ? XSAVE_SIZE : XSAVE_AVX;
}

int xcr0_check(u32 index, u64 val, u64 supported)
{
	if (index != 0 || !(val & XFEATURE_FP))
		return -EINVAL;
	if ((val & XFEATURE_AVX) && !(val & XFEATURE_SSE))
		return -EINVAL;
	return val & ~(supported | XFEATURE_FP) ? -EINVAL : 0;
}

u64 xsave_bv(const u8 *image)
{
	u64 bv;

	memcpy(&bv, image + XSAVE_HDR, sizeof(bv));
	return bv;
}

void xsave_set_bv(u8 *image, u64 bv)
{
	memcpy(image + XSAVE_HDR, &bv, sizeof(bv));
}

int xsave_header_check(const u8 *image, u64 supported)
{
	const u8 *hdr = image + XSAVE_HDR;

	if (xsave_bv(image) & ~supported)
		return -EINVAL;
	for (unsigned int i = 8; i < 64; i++)	/* XCOMP_BV, then reserved */
		if (hdr[i])
			return -EINVAL;
	return 0;
}
