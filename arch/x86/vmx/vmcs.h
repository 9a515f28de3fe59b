/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMCS: field encodings (SDM Vol. 3D appendix B), control bits (SDM
 * Vol. 3C 25.6-25.8, Vol. 3D appendix A), exit reasons (appendix C), and
 * the VMX instructions, one wrapper each (SDM Vol. 2C chapter 6, 31.2).
 */
#ifndef KEEL_VMX_VMCS_H
#define KEEL_VMX_VMCS_H

#ifndef __ASSEMBLY__
#include "kernel/types.h"
#endif

/* 16-bit fields (B.1) */
#define VIRTUAL_PROCESSOR_ID 0x0000
#define GUEST_PML_INDEX 0x0812
#define GUEST_ES_SELECTOR 0x0800	/* ES, CS, SS, DS, FS, GS, LDTR, TR: stride 2 */
#define HOST_ES_SELECTOR 0x0c00
#define HOST_CS_SELECTOR 0x0c02
#define HOST_SS_SELECTOR 0x0c04
#define HOST_DS_SELECTOR 0x0c06
#define HOST_FS_SELECTOR 0x0c08
#define HOST_GS_SELECTOR 0x0c0a
#define HOST_TR_SELECTOR 0x0c0c

/* 64-bit fields (B.2) */
#define IO_BITMAP_A 0x2000
#define IO_BITMAP_B 0x2002
#define MSR_BITMAP 0x2004
#define VM_EXIT_MSR_STORE_ADDR 0x2006
#define VM_EXIT_MSR_LOAD_ADDR 0x2008
#define VM_ENTRY_MSR_LOAD_ADDR 0x200a
#define TSC_OFFSET 0x2010
#define VIRTUAL_APIC_PAGE_ADDR 0x2012
#define PML_ADDRESS 0x200e
#define EPT_POINTER 0x201a
#define GUEST_PHYSICAL_ADDRESS 0x2400
#define VMCS_LINK_POINTER 0x2800
#define GUEST_IA32_DEBUGCTL 0x2802
#define GUEST_IA32_PAT 0x2804
#define GUEST_IA32_EFER 0x2806
#define GUEST_PDPTE0 0x280a		/* PDPTE0-3: stride 2 */
#define HOST_IA32_PAT 0x2c00
#define HOST_IA32_EFER 0x2c02

/* 32-bit fields (B.3) */
#define PIN_BASED_VM_EXEC_CONTROL 0x4000
#define CPU_BASED_VM_EXEC_CONTROL 0x4002
#define EXCEPTION_BITMAP 0x4004
#define PAGE_FAULT_ERROR_CODE_MASK 0x4006
#define PAGE_FAULT_ERROR_CODE_MATCH 0x4008
#define CR3_TARGET_COUNT 0x400a
#define VM_EXIT_CONTROLS 0x400c
#define VM_EXIT_MSR_STORE_COUNT 0x400e
#define VM_EXIT_MSR_LOAD_COUNT 0x4010
#define VM_ENTRY_CONTROLS 0x4012
#define VM_ENTRY_MSR_LOAD_COUNT 0x4014
#define VM_ENTRY_INTR_INFO 0x4016
#define VM_ENTRY_EXCEPTION_ERROR_CODE 0x4018
#define VM_ENTRY_INSTRUCTION_LEN 0x401a
#define TPR_THRESHOLD 0x401c
#define SECONDARY_VM_EXEC_CONTROL 0x401e
#define VM_INSTRUCTION_ERROR 0x4400
#define VM_EXIT_REASON 0x4402
#define VM_EXIT_INTR_INFO 0x4404
#define VM_EXIT_INTR_ERROR_CODE 0x4406
#define IDT_VECTORING_INFO 0x4408
#define IDT_VECTORING_ERROR_CODE 0x440a
#define VM_EXIT_INSTRUCTION_LEN 0x440c
#define VMX_INSTRUCTION_INFO 0x440e
#define GUEST_ES_LIMIT 0x4800		/* stride 2, as the selectors */
#define GUEST_GDTR_LIMIT 0x4810
#define GUEST_IDTR_LIMIT 0x4812
#define GUEST_ES_AR_BYTES 0x4814	/* stride 2, as the selectors */
#define GUEST_INTERRUPTIBILITY_INFO 0x4824
#define GUEST_ACTIVITY_STATE 0x4826
#define GUEST_SYSENTER_CS 0x482a
#define GUEST_PREEMPTION_TIMER 0x482e
#define HOST_IA32_SYSENTER_CS 0x4c00

/* Natural-width fields (B.4) */
#define CR0_GUEST_HOST_MASK 0x6000
#define CR4_GUEST_HOST_MASK 0x6002
#define CR0_READ_SHADOW 0x6004
#define CR4_READ_SHADOW 0x6006
#define EXIT_QUALIFICATION 0x6400
#define GUEST_CR0 0x6800
#define GUEST_CR3 0x6802
#define GUEST_CR4 0x6804
#define GUEST_ES_BASE 0x6806		/* stride 2, as the selectors */
#define GUEST_GDTR_BASE 0x6816
#define GUEST_IDTR_BASE 0x6818
#define GUEST_DR7 0x681a
#define GUEST_RSP 0x681c
#define GUEST_RIP 0x681e
#define GUEST_RFLAGS 0x6820
#define GUEST_PENDING_DBG_EXCEPTIONS 0x6822
#define GUEST_SYSENTER_ESP 0x6824
#define GUEST_SYSENTER_EIP 0x6826
#define HOST_CR0 0x6c00
#define HOST_CR3 0x6c02
#define HOST_CR4 0x6c04
#define HOST_FS_BASE 0x6c06
#define HOST_GS_BASE 0x6c08
#define HOST_TR_BASE 0x6c0a
#define HOST_GDTR_BASE 0x6c0c
#define HOST_IDTR_BASE 0x6c0e
#define HOST_IA32_SYSENTER_ESP 0x6c10
#define HOST_IA32_SYSENTER_EIP 0x6c12
#define HOST_RSP 0x6c14
#define HOST_RIP 0x6c16

/* Pin-based controls (25.6.1) */
#define PIN_EXT_INTR_EXITING BIT(0)
#define PIN_NMI_EXITING BIT(3)
#define PIN_VIRTUAL_NMIS BIT(5)
#define PIN_PREEMPTION_TIMER BIT(6)

/* Primary processor-based controls (25.6.2) */
#define CPU_INTR_WINDOW_EXITING BIT(2)
#define CPU_USE_TSC_OFFSETTING BIT(3)
#define CPU_HLT_EXITING BIT(7)
#define CPU_MWAIT_EXITING BIT(10)
#define CPU_CR8_LOAD_EXITING BIT(19)
#define CPU_TPR_SHADOW BIT(21)
#define CPU_NMI_WINDOW_EXITING BIT(22)
#define CPU_USE_IO_BITMAPS BIT(25)
#define CPU_USE_MSR_BITMAPS BIT(28)
#define CPU_MONITOR_EXITING BIT(29)
#define CPU_SECONDARY_CONTROLS BIT(31)

/* Secondary processor-based controls (25.6.2) */
#define CPU2_ENABLE_EPT BIT(1)
#define CPU2_RDTSCP BIT(3)
#define CPU2_ENABLE_VPID BIT(5)
#define CPU2_WBINVD_EXITING BIT(6)
#define CPU2_UNRESTRICTED_GUEST BIT(7)
#define CPU2_INVPCID BIT(12)
#define CPU2_ENABLE_PML BIT(17)

/* VM-exit controls (25.7.1) */
#define EXIT_SAVE_DEBUG_CONTROLS BIT(2)
#define EXIT_HOST_ADDR_SPACE_SIZE BIT(9)
#define EXIT_SAVE_IA32_PAT BIT(18)
#define EXIT_LOAD_IA32_PAT BIT(19)
#define EXIT_SAVE_IA32_EFER BIT(20)
#define EXIT_LOAD_IA32_EFER BIT(21)

/* VM-entry controls (25.8.1) */
#define ENTRY_LOAD_DEBUG_CONTROLS BIT(2)
#define ENTRY_IA32E_MODE BIT(9)
#define ENTRY_LOAD_IA32_PAT BIT(14)
#define ENTRY_LOAD_IA32_EFER BIT(15)

/* IA32_VMX_BASIC (A.1) and IA32_VMX_MISC (A.6) */
#define VMX_BASIC_REVISION_MASK 0x7fffffffULL
#define VMX_BASIC_INOUT_INFO BIT(54)
#define VMX_BASIC_TRUE_CTLS BIT(55)
#define VMX_MISC_TIMER_RATE 0x1f	/* the preemption timer counts every 2^N TSC ticks */
#define VMX_MISC_SAVE_LMA BIT(5)

/* IA32_VMX_EPT_VPID_CAP (A.10) */
#define EPT_CAP_INVEPT_SINGLE BIT(25)
#define EPT_CAP_INVEPT_ALL BIT(26)
#define INVEPT_SINGLE_CONTEXT 1
#define INVEPT_ALL_CONTEXT 2

/* EPTP (25.6.11): write-back paging structures, 4-level walk, accessed and dirty flags */
#define EPTP_WB 6
#define EPTP_WALK4 (3 << 3)
#define EPTP_AD BIT(6)

/* Interruption information (25.9.2): the rest of its layout is arch/x86/virt/event.h's. */
#define INTR_INFO_NMI_UNBLOCK BIT(12)

/* Guest interruptibility state (25.4.2) */
#define INTR_BLOCK_STI BIT(0)
#define INTR_BLOCK_MOV_SS BIT(1)
#define INTR_BLOCK_NMI BIT(3)

/* Segment access rights in the VMCS (25.4.1) */
#define AR_UNUSABLE BIT(16)

/* Exit qualification for EPT violations (28.2.1) */
#define EPT_QUAL_WRITE BIT(1)
#define EPT_QUAL_FETCH BIT(2)
#define EPT_QUAL_PRESENT (BIT(3) | BIT(4) | BIT(5))
#define EPT_QUAL_NMI_UNBLOCK BIT(12)

/* Basic exit reasons (appendix C); bit 31 of the exit reason marks a failed entry. */
#define EXIT_REASON_FAILED_ENTRY BIT(31)
#define EXIT_REASON_EXCEPTION_NMI 0
#define EXIT_REASON_EXTERNAL_INTERRUPT 1
#define EXIT_REASON_TRIPLE_FAULT 2
#define EXIT_REASON_INTERRUPT_WINDOW 7
#define EXIT_REASON_NMI_WINDOW 8
#define EXIT_REASON_CPUID 10
#define EXIT_REASON_GETSEC 11
#define EXIT_REASON_HLT 12
#define EXIT_REASON_INVD 13
#define EXIT_REASON_VMCALL 18
#define EXIT_REASON_VMCLEAR 19		/* 19-27: VMCLEAR ... VMXON */
#define EXIT_REASON_VMXON 27
#define EXIT_REASON_CR_ACCESS 28
#define EXIT_REASON_IO_INSTRUCTION 30
#define EXIT_REASON_MSR_READ 31
#define EXIT_REASON_MSR_WRITE 32
#define EXIT_REASON_INVALID_STATE 33
#define EXIT_REASON_MSR_LOADING 34
#define EXIT_REASON_MWAIT 36
#define EXIT_REASON_MONITOR 39
#define EXIT_REASON_MCE_DURING_ENTRY 41
#define EXIT_REASON_TPR_BELOW_THRESHOLD 43
#define EXIT_REASON_EPT_VIOLATION 48
#define EXIT_REASON_EPT_MISCONFIG 49
#define EXIT_REASON_INVEPT 50
#define EXIT_REASON_PREEMPTION_TIMER 52
#define EXIT_REASON_INVVPID 53
#define EXIT_REASON_WBINVD 54
#define EXIT_REASON_XSETBV 55
#define EXIT_REASON_PML_FULL 62

#ifndef __ASSEMBLY__
/*
 * The VMX instructions report failure in the flags (31.2): CF set is
 * VMfailInvalid, ZF set is VMfailValid. Each wrapper returns true on success.
 */
static inline bool vmxon(u64 pa)
{
	bool ok;

	asm volatile("vmxon %1; seta %0" : "=qm"(ok) : "m"(pa) : "cc", "memory");
	return ok;
}

static inline bool vmclear(u64 pa)
{
	bool ok;

	asm volatile("vmclear %1; seta %0" : "=qm"(ok) : "m"(pa) : "cc", "memory");
	return ok;
}

static inline bool vmptrld(u64 pa)
{
	bool ok;

	asm volatile("vmptrld %1; seta %0" : "=qm"(ok) : "m"(pa) : "cc", "memory");
	return ok;
}

static inline bool vmread(u32 field, u64 *val)
{
	bool ok;

	asm volatile("vmread %2, %1; seta %0" : "=qm"(ok), "=rm"(*val) : "r"((u64)field) : "cc");
	return ok;
}

static inline bool vmwrite(u32 field, u64 val)
{
	bool ok;

	asm volatile("vmwrite %2, %1; seta %0" : "=qm"(ok) : "r"((u64)field), "rm"(val) : "cc");
	return ok;
}

static inline bool invept(u64 type, u64 eptp)
{
	struct {
		u64 eptp, reserved;
	} desc = { eptp, 0 };
	bool ok;

	asm volatile("invept %1, %2; seta %0" : "=qm"(ok) : "m"(desc), "r"(type) : "cc", "memory");
	return ok;
}
#endif /* __ASSEMBLY__ */

#endif
