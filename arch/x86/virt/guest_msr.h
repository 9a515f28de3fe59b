/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MSRs whose guest values the VMCS/VMCB or the backend keeps: one table
 * for both backends, in an order that indexes each backend's storage.
 */
#ifndef KEEL_X86_GUEST_MSR_H
#define KEEL_X86_GUEST_MSR_H

#include "kernel/types.h"

/* The first NR_PASSTHROUGH_MSRS the guest reads and writes without exits. */
enum guest_msr {
	GMSR_FS_BASE, GMSR_GS_BASE, GMSR_KERNEL_GS_BASE,
	GMSR_SYSENTER_CS, GMSR_SYSENTER_ESP, GMSR_SYSENTER_EIP,
	GMSR_STAR, GMSR_LSTAR, GMSR_CSTAR, GMSR_SFMASK,
	GMSR_PAT,		/* kept by the hardware, but writes exit to be checked */
	NR_GUEST_MSRS,
	NR_PASSTHROUGH_MSRS = GMSR_PAT,
};

extern const u32 guest_msr_number[NR_GUEST_MSRS];

/* The enum guest_msr of @msr, or -ENOENT. */
int guest_msr_index(u32 msr);
/* Whether WRMSR of @val to @msr keeps it valid: addresses canonical, PAT types defined. */
bool guest_msr_value_ok(u32 msr, u64 val);

#endif
