// SPDX-License-Identifier: GPL-2.0
/*
 * MOV to CR0/CR4 and WRMSR EFER rules (arch/x86/virt/cr.c; SDM Vol. 3A 2.5,
 * 10.8.5) and the segment attribute packing both backends use.
 */
#include "test.h"
#include "arch/x86/virt/cr.h"
#include "asm/msr.h"
#include "kernel/errno.h"

#define RESERVED_HIGH (~0ULL << 32)	/* a CPU's reserved CR4 bits, as ~IA32_VMX_CR4_FIXED1 */

static struct cr_state protected32(void)
{
	return (struct cr_state){ .cr0 = X86_CR0_PE | X86_CR0_ET };
}

TEST(cr0_reserved_and_invalid_combinations)
{
	struct cr_state s = protected32();

	CHECK_EQ(cr_write(&s, 0, BIT(32) | X86_CR0_PE, RESERVED_HIGH, false), -EINVAL);
	CHECK_EQ(cr_write(&s, 0, X86_CR0_PG, RESERVED_HIGH, false), -EINVAL);	/* PG without PE */
	CHECK_EQ(cr_write(&s, 0, X86_CR0_PE | X86_CR0_NW, RESERVED_HIGH, false), -EINVAL);
	CHECK_EQ(s.cr0, X86_CR0_PE | X86_CR0_ET);	/* untouched on failure */
	CHECK_EQ(cr_write(&s, 0, X86_CR0_PE | X86_CR0_NW | X86_CR0_CD, RESERVED_HIGH, false), 0);
	CHECK_EQ(s.cr0, X86_CR0_PE | X86_CR0_NW | X86_CR0_CD);
	CHECK_EQ(cr_write(&s, 0, X86_CR0_PE | X86_CR0_PG, RESERVED_HIGH, false), 0);
	CHECK_EQ(s.efer, 0);	/* no LME: 32-bit paging */
}

TEST(cr4_reserved_and_hidden_bits)
{
	static const u64 hidden[] = { X86_CR4_VMXE, X86_CR4_SMXE, X86_CR4_PKE, X86_CR4_LA57 };
	struct cr_state s = protected32();

	for (size_t i = 0; i < ARRAY_SIZE(hidden); i++)
		CHECK_EQ(cr_write(&s, 4, hidden[i], RESERVED_HIGH, false), -EINVAL);
	CHECK_EQ(cr_write(&s, 4, X86_CR4_FSGSBASE, X86_CR4_FSGSBASE, false), -EINVAL);	/* CPU lacks it */
	CHECK_EQ(cr_write(&s, 4, X86_CR4_OSXSAVE, X86_CR4_OSXSAVE, false), -EINVAL);	/* Keel lacks it */
	CHECK_EQ(cr_write(&s, 4, X86_CR4_OSXSAVE, RESERVED_HIGH, false), 0);
	CHECK_EQ(cr_write(&s, 4, X86_CR4_FSGSBASE | X86_CR4_PSE, RESERVED_HIGH, false), 0);
	CHECK_EQ(s.cr4, X86_CR4_FSGSBASE | X86_CR4_PSE);
}

TEST(paging_with_lme_enters_ia32e)
{
	struct cr_state s = protected32();

	s.efer = EFER_LME;
	CHECK_EQ(cr_write(&s, 0, X86_CR0_PE | X86_CR0_PG, RESERVED_HIGH, false), -EINVAL);	/* no PAE */
	CHECK_EQ(cr_write(&s, 4, X86_CR4_PAE, RESERVED_HIGH, false), 0);
	CHECK_EQ(cr_write(&s, 0, X86_CR0_PE | X86_CR0_PG, RESERVED_HIGH, false), 0);
	CHECK_EQ(s.efer, EFER_LME | EFER_LMA);
	/* PAE cannot go while IA-32e mode is active */
	CHECK_EQ(cr_write(&s, 4, 0, RESERVED_HIGH, false), -EINVAL);
}

TEST(leaving_ia32e)
{
	struct cr_state s = { .cr0 = X86_CR0_PE | X86_CR0_PG, .cr4 = X86_CR4_PAE,
			      .efer = EFER_LME | EFER_LMA };

	CHECK_EQ(cr_write(&s, 0, X86_CR0_PE, RESERVED_HIGH, true), -EINVAL);	/* from 64-bit mode */
	CHECK_EQ(s.efer, EFER_LME | EFER_LMA);
	CHECK_EQ(cr_write(&s, 0, X86_CR0_PE, RESERVED_HIGH, false), 0);	/* compatibility mode */
	CHECK_EQ(s.efer, EFER_LME);
	CHECK_EQ(s.cr0, X86_CR0_PE);
}

TEST(efer_writes)
{
	struct cr_state s = protected32();

	CHECK_EQ(efer_write(&s, EFER_SVME), -EINVAL);
	CHECK_EQ(efer_write(&s, BIT(1)), -EINVAL);
	CHECK_EQ(efer_write(&s, EFER_SCE | EFER_LME | EFER_NXE), 0);
	CHECK_EQ(s.efer, EFER_SCE | EFER_LME | EFER_NXE);
	CHECK_EQ(efer_write(&s, EFER_LMA), 0);	/* LMA is the CPU's: ignored */
	CHECK_EQ(s.efer, 0);
	s = (struct cr_state){ .cr0 = X86_CR0_PE | X86_CR0_PG, .cr4 = X86_CR4_PAE,
			       .efer = EFER_LME | EFER_LMA };
	CHECK_EQ(efer_write(&s, 0), -EINVAL);	/* LME with paging on */
	CHECK_EQ(efer_write(&s, EFER_LME | EFER_NXE), 0);
	CHECK_EQ(s.efer, EFER_LME | EFER_LMA | EFER_NXE);
}

TEST(segment_attributes_pack)
{
	struct segment code64 = { .type = 0xb, .s = 1, .dpl = 0, .present = 1, .l = 1, .g = 1 };
	struct segment data = { .type = 3, .s = 1, .dpl = 3, .present = 1, .avl = 1, .db = 1, .g = 1 };
	struct segment unusable = { .type = 3, .s = 1, .present = 1, .unusable = 1 };

	CHECK_EQ(seg_attr_pack(&code64), 0xa9b);
	CHECK_EQ(seg_attr_pack(&data), 0xdf3);
	CHECK_EQ(seg_attr_pack(&unusable), 0x13);
}

TEST(segment_attributes_round_trip)
{
	for (u32 a = 0; a < 0x1000; a++) {
		struct segment s = { .base = 0x1234, .limit = 0xffff, .selector = 8 };

		seg_attr_unpack((u16)a, &s);
		CHECK_EQ(s.unusable, !((a >> 7) & 1));
		CHECK_EQ(s.base, 0x1234);
		CHECK_EQ(s.selector, 8);
		CHECK_EQ(seg_attr_pack(&s), a);
	}
}

TEST_MAIN("cr", T(cr0_reserved_and_invalid_combinations), T(cr4_reserved_and_hidden_bits),
	  T(paging_with_lme_enters_ia32e), T(leaving_ia32e), T(efer_writes),
	  T(segment_attributes_pack), T(segment_attributes_round_trip))
