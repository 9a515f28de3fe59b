// SPDX-License-Identifier: GPL-2.0
/*
 * msr: the MSRs docs/boot-vms.md allows, read and (where writable) written
 * and read back with values valid on Intel and AMD alike (canonical
 * addresses, SFMASK and TSC_AUX in their low 32 bits, a valid PAT), then
 * forbidden MSRs, which must raise #GP(0) in the guest.
 */
#include "guest.h"

#define MSR_TSC			0x10
#define MSR_APIC_BASE		0x1B
#define MSR_FEATURE_CONTROL	0x3A
#define MSR_MTRRCAP		0xFE
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_MISC_ENABLE		0x1A0
#define MSR_PAT			0x277
#define MSR_MTRR_DEF_TYPE	0x2FF
#define MSR_VMX_BASIC		0x480
#define MSR_STAR		0xC0000081
#define MSR_LSTAR		0xC0000082
#define MSR_CSTAR		0xC0000083
#define MSR_SFMASK		0xC0000084
#define MSR_FS_BASE		0xC0000100
#define MSR_GS_BASE		0xC0000101
#define MSR_KERNEL_GS_BASE	0xC0000102
#define MSR_TSC_AUX		0xC0000103
#define MSR_VM_CR		0xC0010114
#define MSR_VM_HSAVE_PA		0xC0010117

#define EFER_SCE		(1 << 0)
#define EFER_LMA		(1 << 10)
#define EFER_NXE		(1 << 11)
#define EFER_SVME		(1 << 12)

struct rw_msr {
	u32 msr;
	const char *name;
	u64 value;	/* written, then read back */
};

static const struct rw_msr rw_msrs[] = {
	{ MSR_STAR, "STAR", 0x0023001000000000ULL },
	{ MSR_LSTAR, "LSTAR", 0xFFFFFFFF81234560ULL },
	{ MSR_CSTAR, "CSTAR", 0xFFFFFFFF81234570ULL },
	{ MSR_SFMASK, "SFMASK", 0x47700 },
	{ MSR_FS_BASE, "FS_BASE", 0x00007F0012345000ULL },
	{ MSR_GS_BASE, "GS_BASE", 0xFFFF888000001000ULL },
	{ MSR_KERNEL_GS_BASE, "KERNEL_GS_BASE", 0x00007FFFFFFFE000ULL },
	{ MSR_SYSENTER_CS, "SYSENTER_CS", 0x10 },
	{ MSR_SYSENTER_ESP, "SYSENTER_ESP", 0x12345678 },
	{ MSR_SYSENTER_EIP, "SYSENTER_EIP", 0x9ABCDEF0 },
	{ MSR_PAT, "PAT", 0x0007010600070106ULL },	/* WB WC UC- UC, twice */
	{ MSR_TSC_AUX, "TSC_AUX", 0x42 },
};

static const struct {
	u32 msr;
	const char *name;
} ro_msrs[] = {
	{ MSR_TSC, "TSC" },
	{ MSR_APIC_BASE, "APIC_BASE" },
	{ MSR_MISC_ENABLE, "MISC_ENABLE" },
	{ MSR_MTRRCAP, "MTRRCAP" },
	{ MSR_MTRR_DEF_TYPE, "MTRR_DEF_TYPE" },
};

static const struct {
	u32 msr;
	const char *name;
} bad_msrs[] = {
	{ 0x1234, "0x1234" },
	{ MSR_FEATURE_CONTROL, "FEATURE_CONTROL" },
	{ MSR_VMX_BASIC, "VMX_BASIC" },
	{ MSR_VM_CR, "VM_CR" },
	{ MSR_VM_HSAVE_PA, "VM_HSAVE_PA" },
	{ 0xC0001234, "0xc0001234" },
};

static u64 read_ok(u32 msr, const char *name)
{
	u64 v = 0;
	unsigned long vec = rdmsr_safe(msr, &v);

	checkf(vec == TRAP_NONE, "RDMSR %s (%#x): %s", name, msr, vector_name(vec));
	return v;
}

static void write_ok(u32 msr, u64 v, const char *name)
{
	unsigned long vec = wrmsr_safe(msr, v);

	checkf(vec == TRAP_NONE, "WRMSR %s (%#x) = %#llx: %s", name, msr,
	       (unsigned long long)v, vector_name(vec));
}

static void check_rw(const struct rw_msr *m)
{
	u64 old = read_ok(m->msr, m->name), got;

	write_ok(m->msr, m->value, m->name);
	got = read_ok(m->msr, m->name);
	checkf(got == m->value, "%s read back %#llx, wrote %#llx", m->name,
	       (unsigned long long)got, (unsigned long long)m->value);
	write_ok(m->msr, old, m->name);
	got = read_ok(m->msr, m->name);
	checkf(got == old, "%s restored: read %#llx, wrote %#llx", m->name,
	       (unsigned long long)got, (unsigned long long)old);
}

/* EFER: SCE toggles; NXE where CPUID 0x80000001 EDX bit 20 has it; LME/LMA stay. */
static void check_efer(void)
{
	u64 efer = read_ok(MSR_EFER, "EFER");
	bool nx = cpuid(0x80000001, 0).edx & (1u << 20);
	u64 bits = EFER_SCE | (nx ? EFER_NXE : 0);

	printf("EFER %#llx\n", (unsigned long long)efer);
	check((efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA), "EFER.LME and LMA set");
	write_ok(MSR_EFER, efer ^ bits, "EFER");
	check_eq(read_ok(MSR_EFER, "EFER"), efer ^ bits, "EFER with SCE/NXE toggled");
	write_ok(MSR_EFER, efer, "EFER");
	check_eq(read_ok(MSR_EFER, "EFER"), efer, "EFER restored");
}

/* RDTSCP returns TSC_AUX in ECX (SDM Vol. 2B, RDTSCP). */
static void check_rdtscp(void)
{
	u32 lo, hi, aux;

	if (!(cpuid(0x80000001, 0).edx & (1u << 27)))
		return;
	write_ok(MSR_TSC_AUX, 0x5A5, "TSC_AUX");
	asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	check_eq(aux, 0x5A5, "RDTSCP returns TSC_AUX in ECX");
	write_ok(MSR_TSC_AUX, 0, "TSC_AUX");
}

/* The TSC MSR and RDTSC read the same counter (SDM Vol. 3B 18.17). */
static void check_read_only(void)
{
	u64 t0, t1, msr;

	for (unsigned int i = 0; i < ARRAY_SIZE(ro_msrs); i++)
		printf("%s = %#llx\n", ro_msrs[i].name,
		       (unsigned long long)read_ok(ro_msrs[i].msr, ro_msrs[i].name));
	t0 = rdtsc();
	msr = read_ok(MSR_TSC, "TSC");
	t1 = rdtsc();
	checkf(t0 <= msr && msr <= t1, "TSC MSR %#llx not between RDTSC %#llx and %#llx",
	       (unsigned long long)msr, (unsigned long long)t0, (unsigned long long)t1);
}

static void check_forbidden(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_msrs); i++) {
		u32 msr = bad_msrs[i].msr;
		u64 v;

		checkf(rdmsr_safe(msr, &v) == GP_VECTOR && last_trap.error == 0,
		       "RDMSR %s: %s error %#lx, expected #GP(0)", bad_msrs[i].name,
		       vector_name(last_trap.vector), last_trap.error);
		checkf(wrmsr_safe(msr, 0) == GP_VECTOR && last_trap.error == 0,
		       "WRMSR %s: %s error %#lx, expected #GP(0)", bad_msrs[i].name,
		       vector_name(last_trap.vector), last_trap.error);
	}
	/* SVM is hidden, so EFER.SVME is reserved (AMD APM Vol. 2, 15.4). */
	checkf(wrmsr_safe(MSR_EFER, read_ok(MSR_EFER, "EFER") | EFER_SVME) == GP_VECTOR,
	       "WRMSR EFER.SVME: %s, expected #GP", vector_name(last_trap.vector));
}

void guest_main(void)
{
	check_efer();
	for (unsigned int i = 0; i < ARRAY_SIZE(rw_msrs); i++)
		check_rw(&rw_msrs[i]);
	check_rdtscp();
	check_read_only();
	check_forbidden();
}
