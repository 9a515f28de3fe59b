// SPDX-License-Identifier: GPL-2.0
/* The shared guest MSR table and write checks (arch/x86/virt/guest_msr.c). */
#include "test.h"
#include "arch/x86/virt/guest_msr.h"
#include "asm/msr.h"
#include "kernel/errno.h"

TEST(index_and_number_agree)
{
	for (int i = 0; i < NR_GUEST_MSRS; i++)
		CHECK_EQ(guest_msr_index(guest_msr_number[i]), i);
	CHECK_EQ(guest_msr_index(MSR_EFER), -ENOENT);
	CHECK_EQ(guest_msr_index(MSR_TSC_AUX), -ENOENT);
	CHECK_EQ(guest_msr_index(0), -ENOENT);
}

TEST(pat_is_not_passed_through)
{
	CHECK_EQ(guest_msr_number[NR_PASSTHROUGH_MSRS], MSR_IA32_PAT);
	for (int i = 0; i < NR_PASSTHROUGH_MSRS; i++)
		CHECK(guest_msr_number[i] != MSR_IA32_PAT);
}

TEST(canonical_addresses)
{
	static const u32 addr[] = { MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
				    MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_LSTAR, MSR_CSTAR };

	for (size_t i = 0; i < ARRAY_SIZE(addr); i++) {
		CHECK(guest_msr_value_ok(addr[i], 0x00007fffffffffffULL));
		CHECK(guest_msr_value_ok(addr[i], 0xffff800000000000ULL));
		CHECK(!guest_msr_value_ok(addr[i], 0x0000800000000000ULL));
	}
	CHECK(guest_msr_value_ok(MSR_STAR, 0x0000800000000000ULL));	/* selectors, not an address */
	CHECK(guest_msr_value_ok(MSR_EFER, ~0ULL));			/* checked elsewhere */
}

TEST(pat_types)
{
	CHECK(guest_msr_value_ok(MSR_IA32_PAT, 0x0007040600070406ULL));
	CHECK(guest_msr_value_ok(MSR_IA32_PAT, 0x0001050700010507ULL));
	CHECK(!guest_msr_value_ok(MSR_IA32_PAT, 0x0007040600070402ULL));
	CHECK(!guest_msr_value_ok(MSR_IA32_PAT, 0x0307040600070406ULL));
	CHECK(!guest_msr_value_ok(MSR_IA32_PAT, 0x0807040600070406ULL));
}

TEST_MAIN("guest_msr", T(index_and_number_agree), T(pat_is_not_passed_through),
	  T(canonical_addresses), T(pat_types))
