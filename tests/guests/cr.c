// SPDX-License-Identifier: GPL-2.0
/*
 * cr (32-bit): MOV to CR0 and CR4 as the guest sees them. Under VMX the bits
 * Keel owns (CR0.NE, CD, NW, CR4.VMXE) exit and Keel carries the write out
 * itself, so these checks go through that emulation: values read back as
 * written, invalid ones raise #GP(0), and PAE paging and IA-32e mode are
 * entered and left by writes that also change NE. Under SVM the CPU does
 * it all; the results must be the same.
 */
#include "guest.h"

/* CR0_PE, CR0_ET, CR0_PG, CR4_PAE, MSR_EFER and EFER_LME come from layout.h. */
#define CR0_NE		0x00000020u
#define CR0_NW		0x20000000u
#define CR0_CD		0x40000000u
#define CR4_VMXE	0x00002000u
#define EFER_LMA	0x00000400u
#define PTE_P		0x001u
#define PTE_RW		0x002u
#define PTE_PS		0x080u
#define ALIAS		0x40000000u	/* a second linear window onto physical 0 */

static u64 pd[512] __aligned(4096);		/* 2 MiB pages: the first GiB */
static u64 pae_pdpt[4] __aligned(32);
static u64 pdpt[512] __aligned(4096);
static u64 pml4[512] __aligned(4096);
static volatile u32 marker = 0x4b45454c;

static unsigned long write_cr0(unsigned long v)
{
	asm volatile(ASM_TRY_BEGIN "mov %0, %%cr0" ASM_TRY_END : : "r"(v) : "memory");
	return last_trap.vector;
}

static unsigned long write_cr4(unsigned long v)
{
	asm volatile(ASM_TRY_BEGIN "mov %0, %%cr4" ASM_TRY_END : : "r"(v) : "memory");
	return last_trap.vector;
}

static void write_cr3(unsigned long v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static u64 efer(void)
{
	u64 v = 0;

	check_eq(rdmsr_safe(MSR_EFER, &v), TRAP_NONE, "RDMSR EFER");
	return v;
}

static void expect_cr0(unsigned long v, const char *what)
{
	check_eq(write_cr0(v), TRAP_NONE, what);
	check_eq(read_cr0(), v, what);
}

static void expect_gp(unsigned long vector, const char *what)
{
	checkf(vector == GP_VECTOR && last_trap.error == 0, "%s: %s error %#lx, expected #GP(0)",
	       what, vector_name(vector), last_trap.error);
}

/*
 * The #GP checks below are for Keel's emulation: QEMU 7.2's TCG, the SVM
 * test platform, does not raise them (it takes NW without CD and CR4.VMXE,
 * ignores PG without PE, or with LME but without PAE), so they run on
 * Intel only.
 */
static bool intel(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	return !memcmp(&r.ebx, "Genu", 4);
}

/* NE, CD and NW read back as written; NW without CD and PG without PE are #GP. */
static void check_cr0_bits(unsigned long cr0)
{
	check_eq(cr0, CR0_PE | CR0_ET, "CR0 at entry");
	expect_cr0(cr0 | CR0_NE, "CR0.NE set");
	expect_cr0(cr0, "CR0.NE clear");
	expect_cr0(cr0 | CR0_CD, "CR0.CD set");
	expect_cr0(cr0 | CR0_CD | CR0_NW, "CR0.CD and NW set");
	expect_cr0(cr0, "CR0.CD and NW clear");
	if (!intel())
		return;
	expect_gp(write_cr0(cr0 | CR0_NE | CR0_NW), "CR0.NW without CD");
	expect_gp(write_cr0((cr0 & ~CR0_PE) | CR0_NE | CR0_PG), "CR0.PG without PE");
	check_eq(read_cr0(), cr0, "CR0 after the faulting writes");
}

/* VMX is hidden from guests (CPUID.1:ECX.VMX clear): CR4.VMXE is reserved. */
static void check_cr4_vmxe(void)
{
	unsigned long cr4 = read_cr4();

	check(!(cr4 & CR4_VMXE), "CR4.VMXE reads clear");
	if (!intel())
		return;
	expect_gp(write_cr4(cr4 | CR4_VMXE), "CR4.VMXE set");
	check_eq(read_cr4(), cr4, "CR4 after the faulting write");
}

static void build_tables(void)
{
	for (unsigned int i = 0; i < 512; i++)
		pd[i] = ((u64)i << 21) | PTE_P | PTE_RW | PTE_PS;
	pae_pdpt[0] = (u32)pd | PTE_P;		/* PAE PDPTEs: no R/W, U/S (SDM Vol. 3A 4.4.1) */
	pae_pdpt[1] = (u32)pd | PTE_P;		/* ALIAS: the same first GiB again */
	pdpt[0] = (u32)pd | PTE_P | PTE_RW;
	pml4[0] = (u32)pdpt | PTE_P | PTE_RW;
}

/*
 * PAE paging switched on by the write that also sets NE: under VMX the
 * PDPTEs then come from Keel, not the CPU. The alias proves paging is on.
 */
static void check_pae(unsigned long cr0)
{
	unsigned long cr4 = read_cr4();

	check_eq(write_cr4(cr4 | CR4_PAE), TRAP_NONE, "CR4.PAE set");
	write_cr3((u32)pae_pdpt);
	expect_cr0(cr0 | CR0_NE | CR0_PG, "CR0.PG and NE set: PAE paging");
	check_eq(*(volatile u32 *)(ALIAS + (u32)&marker), marker, "a read through the PAE alias");
	expect_cr0(cr0, "CR0.PG and NE clear");
	check_eq(write_cr4(cr4), TRAP_NONE, "CR4.PAE clear");
}

/*
 * IA-32e mode entered and left by writes that change NE too. CS stays a
 * 32-bit segment (compatibility mode) and nothing may fault meanwhile: the
 * IDT holds 32-bit gates.
 */
static void check_long_mode(unsigned long cr0)
{
	unsigned long cr4 = read_cr4();
	u64 e = efer();

	if (intel()) {
		check_eq(wrmsr_safe(MSR_EFER, e | EFER_LME), TRAP_NONE, "EFER.LME set");
		expect_gp(write_cr0(cr0 | CR0_NE | CR0_PG), "CR0.PG with EFER.LME but no CR4.PAE");
		check_eq(wrmsr_safe(MSR_EFER, e), TRAP_NONE, "EFER.LME clear");
	}
	check_eq(write_cr4(cr4 | CR4_PAE), TRAP_NONE, "CR4.PAE set");
	write_cr3((u32)pml4);
	check_eq(wrmsr_safe(MSR_EFER, e | EFER_LME), TRAP_NONE, "EFER.LME set");
	expect_cr0(cr0 | CR0_NE | CR0_PG, "CR0.PG and NE set: IA-32e mode");
	check_eq(efer() & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA, "EFER.LMA set by CR0.PG");
	expect_cr0(cr0, "CR0.PG and NE clear");
	check_eq(efer() & (EFER_LME | EFER_LMA), EFER_LME, "EFER.LMA clear again");
	check_eq(wrmsr_safe(MSR_EFER, e), TRAP_NONE, "EFER restored");
	check_eq(write_cr4(cr4), TRAP_NONE, "CR4.PAE clear");
}

void guest_main(void)
{
	unsigned long cr0 = read_cr0();

	check_cr0_bits(cr0);
	check_cr4_vmxe();
	build_tables();
	check_pae(cr0);
	check_long_mode(cr0);
}
