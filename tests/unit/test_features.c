// SPDX-License-Identifier: GPL-2.0
/* Feature detection against replayed CPUID/MSR values of real and broken CPUs. */
#include "asm/features.h"
#include "asm/msr.h"
#include "test.h"

struct fake_leaf {
	u32 leaf, r[4];
};

struct fake_msr {
	u32 index;
	u64 val;
};

struct fake_cpu {
	const struct fake_leaf *leaves;
	const struct fake_msr *msrs;
};

static void fake_cpuid(void *ctx, u32 leaf, u32 sub, u32 out[4])
{
	const struct fake_cpu *c = ctx;

	memset(out, 0, 16);
	for (const struct fake_leaf *l = c->leaves; l->leaf || l->r[0]; l++)
		if (l->leaf == leaf)
			memcpy(out, l->r, 16);
}

static int fake_rdmsr(void *ctx, u32 index, u64 *val)
{
	const struct fake_cpu *c = ctx;

	for (const struct fake_msr *m = c->msrs; m && m->index; m++)
		if (m->index == index) {
			*val = m->val;
			return 0;
		}
	return -1;
}

static void detect(const struct fake_leaf *leaves, const struct fake_msr *msrs, struct cpu_features *f)
{
	struct fake_cpu c = { leaves, msrs };
	struct cpu_probe p = { fake_cpuid, fake_rdmsr, &c };

	cpu_features_detect(&p, f);
}

/* "GenuineIntel" / "AuthenticAMD" as EBX, EDX, ECX */
#define INTEL 0x756e6547, 0x6c65746e, 0x49656e69
#define AMD 0x68747541, 0x444d4163, 0x69746e65

/* Skylake-X as Bochs's corei7_skylake_x model reports it. */
static const struct fake_leaf skylake[] = {
	{ 0, { 0x16, INTEL } },
	{ 1, { 0x50654, 0, 0x7ffefbff & ~0u, 0xbfebfbff } },
	{ 7, { 0, 0xd39ffffb, 0 } },
	{ 0xd, { 0x2ff, 0xa88, 0xa88, 0 } },	/* x87 to PKRU: AVX-512 and MPX too */
	{ 0x80000000, { 0x80000008 } },
	{ 0x80000001, { 0, 0, 0x121, 0x2c100800 } },
	{ 0x80000007, { 0, 0, 0, 0x100 } },
	{ 0x80000008, { 0x3027 } },
	{ 0 },
};

static const struct fake_msr skylake_msrs[] = {
	{ MSR_IA32_FEATURE_CONTROL, 0x5 },
	{ MSR_IA32_VMX_PROCBASED_CTLS, 0xfff9fffe0401e172ULL },
	{ MSR_IA32_VMX_PROCBASED_CTLS2, 0x00553cfe00000000ULL },
	{ MSR_IA32_VMX_EPT_VPID_CAP, 0x00000f0106734141ULL },
	{ MSR_IA32_UCODE_REV, 0x200006500000000ULL },
	{ 0 },
};

/* QEMU TCG -cpu max: AuthenticAMD with SVM and NPT, no NRIP save. */
static const struct fake_leaf qemu_max[] = {
	{ 0, { 0xd, AMD } },
	{ 1, { 0x800f12, 0, 0xfff83203, 0x178bfbff } },
	{ 0x80000000, { 0x8000000a } },
	{ 0x80000001, { 0, 0, 0x1f7, 0xe7d3fbff } },
	{ 0x80000008, { 0x3028 } },
	{ 0x8000000a, { 1, 0x10, 0, 0x10001 } },
	{ 0 },
};

TEST(intel_vmx_ept)
{
	struct cpu_features f;

	detect(skylake, skylake_msrs, &f);
	CHECK_EQ(f.vendor, VENDOR_INTEL);
	CHECK_EQ(f.virt, VIRT_VMX);
	CHECK_EQ(f.paging, PAGING_EPT);
	CHECK(f.ept.pages_2m && f.ept.pages_1g && f.ept.wb && f.ept.vpid && f.ept.unrestricted);
	CHECK(f.x2apic && f.tsc_deadline && f.invariant_tsc && f.pages_1g && f.nx);
	CHECK(f.fsgsbase && f.smep && f.smap && !f.umip && f.pcid);
	CHECK_EQ(f.family, 6);
	CHECK_EQ(f.model, 0x55);
	CHECK_EQ(f.phys_addr_bits, 39);
	CHECK_EQ(f.ucode_rev, 0x200006500000000ULL);
	CHECK(f.virt_why == NULL);
	CHECK(!strcmp(virt_name(f.virt), "vmx") && !strcmp(paging_name(f.paging), "ept"));
	CHECK_EQ(f.xcr0, 7);	/* x87, SSE, AVX: what guests get of the CPU's */
	CHECK_EQ(f.xsave_mask, 0x207);	/* and PKRU switched besides (its 0xD.9 in the page) */
}

TEST(xstate_components)
{
	static const struct fake_leaf no_avx[] = {
		{ 0, { 0xd, INTEL } },
		{ 1, { 0x50654, 0, BIT(26), 0 } },
		{ 0xd, { 7, 0, 0, 0 } },
		{ 0 },
	};
	static const struct fake_leaf far_pkru[] = {	/* PKRU's 0xD.9 past the page Keel saves into */
		{ 0, { 0xd, AMD } },
		{ 1, { 0x800f12, 0, BIT(26) | BIT(28), 0 } },
		{ 0xd, { 0x207, 0xf00, 0, 0 } },
		{ 0 },
	};
	static const struct fake_leaf no_leaf[] = {	/* XSAVE, but leaf 0xD beyond the maximum */
		{ 0, { 0xc, INTEL } },
		{ 1, { 0x50654, 0, BIT(26) | BIT(28), 0 } },
		{ 0xd, { 7, 0, 0, 0 } },
		{ 0 },
	};
	struct cpu_features f;

	detect(no_avx, NULL, &f);
	CHECK(f.xsave);
	CHECK_EQ(f.xcr0, 3);	/* AVX's state without AVX is not offered */
	detect(far_pkru, NULL, &f);
	CHECK_EQ(f.xcr0, 7);
	CHECK_EQ(f.xsave_mask, 7);
	detect(no_leaf, NULL, &f);
	CHECK_EQ(f.xcr0, 0);
	detect(qemu_max, NULL, &f);	/* leaf 0xD all zeros: FXSAVE's state alone */
	CHECK_EQ(f.xcr0, 0);
}

TEST(amd_svm_npt)
{
	struct cpu_features f;

	detect(qemu_max, NULL, &f);
	CHECK_EQ(f.vendor, VENDOR_AMD);
	CHECK_EQ(f.virt, VIRT_SVM);
	CHECK_EQ(f.paging, PAGING_NPT);
	CHECK_EQ(f.npt.nr_asids, 16);
	CHECK(!f.npt.nrips && f.npt.vgif);
	CHECK_EQ(f.family, 0x17);
	CHECK_EQ(f.ucode_rev, 0);	/* no such MSR here */
	CHECK(!strcmp(vendor_name(f.vendor), "amd"));
}

TEST(vmx_locked_off_by_firmware)
{
	static const struct fake_msr locked[] = { { MSR_IA32_FEATURE_CONTROL, 0x1 }, { 0 } };
	struct cpu_features f;

	detect(skylake, locked, &f);
	CHECK_EQ(f.virt, VIRT_NONE);
	CHECK_EQ(f.paging, PAGING_NONE);
	CHECK(f.virt_why && strstr(f.virt_why, "firmware"));
}

TEST(vmx_without_ept)
{
	static const struct fake_msr no_ept[] = {
		{ MSR_IA32_FEATURE_CONTROL, 0x5 },
		{ MSR_IA32_VMX_PROCBASED_CTLS, 0x7ff9fffe0401e172ULL },	/* no secondary controls */
		{ 0 },
	};
	struct cpu_features f;

	detect(skylake, no_ept, &f);
	CHECK_EQ(f.virt, VIRT_VMX);
	CHECK_EQ(f.paging, PAGING_NONE);
}

/* PML (allowed-1 bit 49 of PROCBASED_CTLS2) counts only with EPT's A/D flags (EPT_VPID_CAP bit 21). */
TEST(vmx_pml_needs_ept_ad)
{
	static const struct fake_msr pml[] = {
		{ MSR_IA32_FEATURE_CONTROL, 0x5 },
		{ MSR_IA32_VMX_PROCBASED_CTLS, 0xfff9fffe0401e172ULL },
		{ MSR_IA32_VMX_PROCBASED_CTLS2, 0x00573cfe00000000ULL },
		{ MSR_IA32_VMX_EPT_VPID_CAP, 0x00000f0106734141ULL },
		{ 0 },
	};
	static const struct fake_msr pml_no_ad[] = {
		{ MSR_IA32_FEATURE_CONTROL, 0x5 },
		{ MSR_IA32_VMX_PROCBASED_CTLS, 0xfff9fffe0401e172ULL },
		{ MSR_IA32_VMX_PROCBASED_CTLS2, 0x00573cfe00000000ULL },
		{ MSR_IA32_VMX_EPT_VPID_CAP, 0x00000f0106534141ULL },
		{ 0 },
	};
	struct cpu_features f;

	detect(skylake, skylake_msrs, &f);
	CHECK(f.ept.ad && !f.ept.pml);
	detect(skylake, pml, &f);
	CHECK(f.ept.ad && f.ept.pml);
	detect(skylake, pml_no_ad, &f);
	CHECK(!f.ept.ad && !f.ept.pml);
}

TEST(svm_disabled_and_absent)
{
	static const struct fake_msr svmdis[] = { { MSR_VM_CR, VM_CR_SVMDIS }, { 0 } };
	static const struct fake_leaf no_svm[] = {
		{ 0, { 0xd, AMD } },
		{ 1, { 0x800f12, 0, 0, 0 } },
		{ 0x80000000, { 0x80000008 } },
		{ 0x80000001, { 0, 0, 0, 0 } },
		{ 0 },
	};
	struct cpu_features f;

	detect(qemu_max, svmdis, &f);
	CHECK_EQ(f.virt, VIRT_NONE);
	CHECK(f.virt_why && strstr(f.virt_why, "SVMDIS"));
	detect(no_svm, NULL, &f);
	CHECK_EQ(f.virt, VIRT_NONE);
	CHECK(f.virt_why && strstr(f.virt_why, "neither"));
}

TEST(unknown_vendor_and_tiny_cpuid)
{
	static const struct fake_leaf odd[] = { { 0, { 0, 0x1, 0x2, 0x3 } }, { 0 } };
	struct cpu_features f;

	detect(odd, NULL, &f);
	CHECK_EQ(f.vendor, VENDOR_OTHER);
	CHECK_EQ(f.virt, VIRT_NONE);
	CHECK(!strcmp(vendor_name(f.vendor), "other"));
}

TEST_MAIN("features", T(intel_vmx_ept), T(xstate_components), T(amd_svm_npt), T(vmx_locked_off_by_firmware), T(vmx_without_ept), T(vmx_pml_needs_ept_ad),
	  T(svm_disabled_and_absent), T(unknown_vendor_and_tiny_cpuid))
