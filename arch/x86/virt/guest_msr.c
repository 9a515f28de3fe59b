// SPDX-License-Identifier: GPL-2.0
/* The guest MSRs the hardware switches, and what a write to them must obey. */
#include "arch/x86/virt/guest_msr.h"
#include "asm/msr.h"
#include "kernel/errno.h"

/*
 * VM entry and exit switch SYSENTER, FS/GS bases and PAT (SDM Vol. 3C 25.4,
 * 25.5), VMRUN and VMLOAD/VMSAVE all of them (APM Vol. 2 15.5.2); VMX
 * backends switch the SYSCALL MSRs and KERNEL_GS_BASE themselves.
 */
const u32 guest_msr_number[NR_GUEST_MSRS] = {
	[GMSR_FS_BASE] = MSR_FS_BASE, [GMSR_GS_BASE] = MSR_GS_BASE,
	[GMSR_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE,
	[GMSR_SYSENTER_CS] = MSR_IA32_SYSENTER_CS, [GMSR_SYSENTER_ESP] = MSR_IA32_SYSENTER_ESP,
	[GMSR_SYSENTER_EIP] = MSR_IA32_SYSENTER_EIP,
	[GMSR_STAR] = MSR_STAR, [GMSR_LSTAR] = MSR_LSTAR, [GMSR_CSTAR] = MSR_CSTAR,
	[GMSR_SFMASK] = MSR_SFMASK, [GMSR_PAT] = MSR_IA32_PAT,
};

int guest_msr_index(u32 msr)
{
	switch (msr) {
	case MSR_FS_BASE: return GMSR_FS_BASE;
	case MSR_GS_BASE: return GMSR_GS_BASE;
	case MSR_KERNEL_GS_BASE: return GMSR_KERNEL_GS_BASE;
	case MSR_IA32_SYSENTER_CS: return GMSR_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP: return GMSR_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP: return GMSR_SYSENTER_EIP;
	case MSR_STAR: return GMSR_STAR;
	case MSR_LSTAR: return GMSR_LSTAR;
	case MSR_CSTAR: return GMSR_CSTAR;
	case MSR_SFMASK: return GMSR_SFMASK;
	case MSR_IA32_PAT: return GMSR_PAT;
	default: return -ENOENT;
	}
}

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

/* Each PAT entry must name a defined memory type: 0, 1, 4, 5, 6 or 7 (SDM Vol. 3A 13.12.2). */
static bool valid_pat(u64 pat)
{
	for (int i = 0; i < 8; i++) {
		u8 t = (pat >> (8 * i)) & 0xff;

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* WRMSR of a non-canonical address or an undefined PAT type is #GP (SDM Vol. 4 2.1). */
bool guest_msr_value_ok(u32 msr, u64 val)
{
	switch (msr) {
	case MSR_FS_BASE: case MSR_GS_BASE: case MSR_KERNEL_GS_BASE:
	case MSR_IA32_SYSENTER_ESP: case MSR_IA32_SYSENTER_EIP: case MSR_LSTAR: case MSR_CSTAR:
		return canonical(val);
	case MSR_IA32_PAT:
		return valid_pat(val);
	default:
		return true;
	}
}
