/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU feature detection. Pure logic over CPUID and MSR callbacks, so the
 * host tests replay the CPUID of real and broken CPUs.
 */
#ifndef KEEL_X86_FEATURES_H
#define KEEL_X86_FEATURES_H

#include "kernel/types.h"

enum cpu_vendor { VENDOR_OTHER, VENDOR_INTEL, VENDOR_AMD };
enum virt_kind { VIRT_NONE, VIRT_VMX, VIRT_SVM };
enum paging_kind { PAGING_NONE, PAGING_EPT, PAGING_NPT };

struct cpu_probe {
	void (*cpuid)(void *ctx, u32 leaf, u32 sub, u32 out[4]);
	/* 0 and *val, or nonzero if the MSR cannot be read. */
	int (*rdmsr)(void *ctx, u32 msr, u64 *val);
	void *ctx;
};

struct ept_caps {
	bool walk4, wb, pages_2m, pages_1g, invept, ad, pml, vpid, unrestricted;
};

struct npt_caps {
	bool nrips, decode_assists, vgif, avic, flush_by_asid;
	u32 nr_asids;
};

struct cpu_features {
	enum cpu_vendor vendor;
	char vendor_id[13];
	u32 family, model, stepping;
	u32 max_leaf, max_ext_leaf;
	enum virt_kind virt;
	enum paging_kind paging;
	const char *virt_why;	/* why virt is VIRT_NONE, for the console */
	struct ept_caps ept;
	struct npt_caps npt;
	bool x2apic, tsc_deadline, invariant_tsc, pages_1g, pcid, xsave, nx, hypervisor, apic, rdtscp;
	bool fsgsbase, smep, smap, umip;	/* leaf 7: the CR4 bits a guest may set (KVM_SET_SREGS) */
	u32 phys_addr_bits;
	u64 xcr0;		/* the XSAVE components guests may enable (virt/xstate.h), 0 without XSAVE */
	u64 xsave_mask;		/* those Keel switches: xcr0, and PKRU where the CPU has it */
	bool fxsave_leak;	/* AMD: FXRSTOR/XRSTOR keep the last x87 error pointers */
	u64 ucode_rev;		/* IA32_UCODE_REV (AMD: the patch level) as read at boot, 0 if none */
};

void cpu_features_detect(const struct cpu_probe *p, struct cpu_features *f);
const char *vendor_name(enum cpu_vendor v);
const char *virt_name(enum virt_kind v);
const char *paging_name(enum paging_kind p);

#endif
