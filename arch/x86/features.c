// SPDX-License-Identifier: GPL-2.0
#include "asm/features.h"
#include "asm/msr.h"
#include "arch/x86/virt/xstate.h"
#include "kernel/string.h"

enum { EAX, EBX, ECX, EDX };

static void leaf(const struct cpu_probe *p, u32 l, u32 sub, u32 r[4])
{
	p->cpuid(p->ctx, l, sub, r);
}

static void detect_vendor(const struct cpu_probe *p, struct cpu_features *f)
{
	u32 r[4];

	leaf(p, 0, 0, r);
	f->max_leaf = r[EAX];
	memcpy(f->vendor_id, &r[EBX], 4);
	memcpy(f->vendor_id + 4, &r[EDX], 4);
	memcpy(f->vendor_id + 8, &r[ECX], 4);
	f->vendor_id[12] = '\0';
	if (!strcmp(f->vendor_id, "GenuineIntel"))
		f->vendor = VENDOR_INTEL;
	else if (!strcmp(f->vendor_id, "AuthenticAMD") || !strcmp(f->vendor_id, "HygonGenuine"))
		f->vendor = VENDOR_AMD;
	leaf(p, 0x80000000, 0, r);
	f->max_ext_leaf = r[EAX] >= 0x80000000 ? r[EAX] : 0;
}

#define CPUID1_ECX_AVX BIT(28)

/*
 * The XSAVE components Keel gives guests that this CPU has: XCR0's
 * allowed bits (CPUID 0xD.0 EAX, SDM Vol. 1 13.2), AVX only with its
 * CPUID.1:ECX bit 28; 0 without XSAVE, and guests have FXSAVE's state.
 */
static void detect_xstate(const struct cpu_probe *p, struct cpu_features *f, u32 leaf1_ecx)
{
	u32 r[4];

	if (!f->xsave || f->max_leaf < 0xd)
		return;
	leaf(p, 0xd, 0, r);
	f->xcr0 = r[EAX] & (leaf1_ecx & CPUID1_ECX_AVX ? XFEATURES_GUEST : XFEATURES_LEGACY);
	if ((f->xcr0 & XFEATURES_LEGACY) != XFEATURES_LEGACY)
		f->xcr0 = 0;
	if (!f->xcr0)
		return;
	f->xsave_mask = f->xcr0;
	if (r[EAX] & XFEATURE_PKRU) {	/* where the CPU places it (0xD.9: size, offset) */
		leaf(p, 0xd, 9, r);
		if ((u64)r[EAX] + r[EBX] <= XSAVE_AREA_SIZE)
			f->xsave_mask |= XFEATURE_PKRU;
	}
}

/* CPUID leaf 1, 7, 0x80000001, 0x80000007 and 0x80000008 bits (SDM Vol. 2A CPUID). */
static void detect_basic(const struct cpu_probe *p, struct cpu_features *f)
{
	u32 r[4];

	leaf(p, 1, 0, r);
	f->stepping = r[EAX] & 0xf;
	f->model = ((r[EAX] >> 4) & 0xf) | (((r[EAX] >> 16) & 0xf) << 4);
	f->family = ((r[EAX] >> 8) & 0xf) + (((r[EAX] >> 8) & 0xf) == 0xf ? (r[EAX] >> 20) & 0xff : 0);
	f->pcid = r[ECX] & BIT(17);
	f->x2apic = r[ECX] & BIT(21);
	f->tsc_deadline = r[ECX] & BIT(24);
	f->xsave = r[ECX] & BIT(26);
	f->hypervisor = r[ECX] & BIT(31);
	f->apic = r[EDX] & BIT(9);
	f->phys_addr_bits = 36;
	detect_xstate(p, f, r[ECX]);
	if (f->max_leaf >= 7) {
		leaf(p, 7, 0, r);
		f->fsgsbase = r[EBX] & BIT(0);
		f->smep = r[EBX] & BIT(7);
		f->smap = r[EBX] & BIT(20);
		f->umip = r[ECX] & BIT(2);
	}
	if (f->max_ext_leaf >= 0x80000001) {
		leaf(p, 0x80000001, 0, r);
		f->nx = r[EDX] & BIT(20);
		f->pages_1g = r[EDX] & BIT(26);
		f->rdtscp = r[EDX] & BIT(27);
	}
	if (f->max_ext_leaf >= 0x80000007) {
		leaf(p, 0x80000007, 0, r);
		f->invariant_tsc = r[EDX] & BIT(8);
	}
	if (f->max_ext_leaf >= 0x80000008) {
		leaf(p, 0x80000008, 0, r);
		f->phys_addr_bits = r[EAX] & 0xff;
		/* XSaveErPtr clear: the FIP/FDP/FOP leak Linux's X86_BUG_FXSAVE_LEAK names */
		f->fxsave_leak = f->vendor == VENDOR_AMD && !(r[EBX] & BIT(2));
	}
}

static bool msr(const struct cpu_probe *p, u32 index, u64 *val)
{
	return p->rdmsr(p->ctx, index, val) == 0;
}

/*
 * EPT needs the secondary controls (allowed-1 bit 63 of
 * IA32_VMX_PROCBASED_CTLS) with "enable EPT" allowed (bit 33 of
 * IA32_VMX_PROCBASED_CTLS2), a 4-level walk and write-back tables
 * (SDM Vol. 3D A.3.2, A.3.3, A.10).
 */
static void detect_ept(const struct cpu_probe *p, struct cpu_features *f)
{
	u64 ctls, ctls2, cap;

	if (!msr(p, MSR_IA32_VMX_PROCBASED_CTLS, &ctls) || !(ctls & BIT(63)) ||
	    !msr(p, MSR_IA32_VMX_PROCBASED_CTLS2, &ctls2) || !(ctls2 & BIT(33)) ||
	    !msr(p, MSR_IA32_VMX_EPT_VPID_CAP, &cap))
		return;
	f->ept.walk4 = cap & BIT(6);
	f->ept.wb = cap & BIT(14);
	f->ept.pages_2m = cap & BIT(16);
	f->ept.pages_1g = cap & BIT(17);
	f->ept.invept = cap & BIT(20);
	f->ept.ad = cap & BIT(21);
	f->ept.pml = f->ept.ad && (ctls2 & BIT(32 + 17));	/* PML logs as A/D sets D (29.3.6) */
	f->ept.vpid = (ctls2 & BIT(37)) && (cap & BIT(32));
	f->ept.unrestricted = ctls2 & BIT(39);
	if (f->ept.walk4 && f->ept.wb && f->ept.invept)
		f->paging = PAGING_EPT;
}

/* VMX: CPUID.1:ECX.VMX, not locked off by firmware in IA32_FEATURE_CONTROL (SDM Vol. 3C 24.7). */
static void detect_vmx(const struct cpu_probe *p, struct cpu_features *f)
{
	u32 r[4];
	u64 fc;

	leaf(p, 1, 0, r);
	if (!(r[ECX] & BIT(5)))
		return;
	if (msr(p, MSR_IA32_FEATURE_CONTROL, &fc) && (fc & FEATURE_CONTROL_LOCK) &&
	    !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		f->virt_why = "VMX is disabled by the firmware (IA32_FEATURE_CONTROL locked)";
		return;
	}
	f->virt = VIRT_VMX;
	detect_ept(p, f);
}

/* SVM: CPUID 0x80000001:ECX.SVM, VM_CR.SVMDIS clear; NPT and friends from 0x8000000A (APM Vol. 2 15.4, 15.25). */
static void detect_svm(const struct cpu_probe *p, struct cpu_features *f)
{
	u32 r[4];
	u64 vmcr;

	if (f->max_ext_leaf < 0x8000000a)
		return;
	leaf(p, 0x80000001, 0, r);
	if (!(r[ECX] & BIT(2)))
		return;
	if (msr(p, MSR_VM_CR, &vmcr) && (vmcr & VM_CR_SVMDIS)) {
		f->virt_why = "SVM is disabled by the firmware (VM_CR.SVMDIS)";
		return;
	}
	f->virt = VIRT_SVM;
	leaf(p, 0x8000000a, 0, r);
	f->npt.nr_asids = r[EBX];
	f->npt.nrips = r[EDX] & BIT(3);
	f->npt.flush_by_asid = r[EDX] & BIT(6);
	f->npt.decode_assists = r[EDX] & BIT(7);
	f->npt.avic = r[EDX] & BIT(13);
	f->npt.vgif = r[EDX] & BIT(16);
	if (r[EDX] & BIT(0))
		f->paging = PAGING_NPT;
}

void cpu_features_detect(const struct cpu_probe *p, struct cpu_features *f)
{
	memset(f, 0, sizeof(*f));
	f->virt_why = "the CPU has neither VMX nor SVM";
	detect_vendor(p, f);
	if (f->max_leaf < 1)
		return;
	detect_basic(p, f);
	/*
	 * A raw read after CPUID 1, as KVM's for its feature MSR; on Intel the SDM's
	 * sequence writes 0 to it first (Vol. 3A 10.11.7.1), so this is the value the
	 * firmware's last read left, the revision it loaded.
	 */
	if (!msr(p, MSR_IA32_UCODE_REV, &f->ucode_rev))
		f->ucode_rev = 0;
	if (f->vendor == VENDOR_INTEL)
		detect_vmx(p, f);
	else if (f->vendor == VENDOR_AMD)
		detect_svm(p, f);
	if (f->virt != VIRT_NONE)
		f->virt_why = NULL;
}

const char *vendor_name(enum cpu_vendor v)
{
	return v == VENDOR_INTEL ? "intel" : v == VENDOR_AMD ? "amd" : "other";
}

const char *virt_name(enum virt_kind v)
{
	return v == VIRT_VMX ? "vmx" : v == VIRT_SVM ? "svm" : "none";
}

const char *paging_name(enum paging_kind p)
{
	return p == PAGING_EPT ? "ept" : p == PAGING_NPT ? "npt" : "none";
}
