/* SPDX-License-Identifier: GPL-2.0 */
/* Architectural MSR numbers and bits (SDM Vol. 4, AMD APM Vol. 2 appendix A). */
#ifndef KEEL_X86_MSR_H
#define KEEL_X86_MSR_H

#define MSR_IA32_APIC_BASE 0x1b
#define  APIC_BASE_BSP (1ULL << 8)
#define  APIC_BASE_EXTD (1ULL << 10)
#define  APIC_BASE_EN (1ULL << 11)
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define  FEATURE_CONTROL_LOCK (1ULL << 0)
#define  FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ULL << 2)
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_X2APIC_BASE 0x800
#define MSR_EFER 0xc0000080
#define  EFER_SCE (1ULL << 0)
#define  EFER_LME (1ULL << 8)
#define  EFER_LMA (1ULL << 10)
#define  EFER_NXE (1ULL << 11)
#define  EFER_SVME (1ULL << 12)
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define MSR_VM_CR 0xc0010114
#define  VM_CR_SVMDIS (1ULL << 4)
#define MSR_VM_HSAVE_PA 0xc0010117

#endif
