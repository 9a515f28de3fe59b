/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Architectural bits and numbers, defined once: control-register and RFLAGS
 * bits (SDM Vol. 3A 2.3, 2.5; Vol. 1 3.4.3) and the exception vectors
 * (SDM Vol. 3A 6.3.1, Table 6-1). MSR numbers and their bits are in
 * asm/msr.h, Keel's own interrupt vectors in arch/x86/vectors.h.
 */
#ifndef KEEL_ASM_PROCESSOR_FLAGS_H
#define KEEL_ASM_PROCESSOR_FLAGS_H

#include "kernel/types.h"

#define X86_RFLAGS_FIXED BIT(1)		/* reads as 1 */
#define X86_RFLAGS_IF BIT(9)
#define X86_RFLAGS_DF BIT(10)

#define X86_CR0_PE BIT(0)
#define X86_CR0_ET BIT(4)
#define X86_CR0_NE BIT(5)
#define X86_CR0_WP BIT(16)
#define X86_CR0_NW BIT(29)
#define X86_CR0_CD BIT(30)
#define X86_CR0_PG BIT(31)

#define X86_CR4_PSE BIT(4)
#define X86_CR4_PAE BIT(5)
#define X86_CR4_PGE BIT(7)
#define X86_CR4_UMIP BIT(11)
#define X86_CR4_LA57 BIT(12)
#define X86_CR4_VMXE BIT(13)
#define X86_CR4_SMXE BIT(14)
#define X86_CR4_FSGSBASE BIT(16)
#define X86_CR4_PCIDE BIT(17)
#define X86_CR4_SMEP BIT(20)
#define X86_CR4_SMAP BIT(21)
#define X86_CR4_OSXSAVE BIT(18)
#define X86_CR4_PKE BIT(22)

/* DR6 and DR7 after reset (SDM Vol. 3B 18.2.3, 18.2.4). */
#define DR6_RESET 0xffff0ff0ULL
#define DR7_RESET 0x400ULL

#define X86_EXC_DE 0
#define X86_EXC_NMI 2
#define X86_EXC_BP 3
#define X86_EXC_UD 6
#define X86_EXC_DF 8
#define X86_EXC_TS 10
#define X86_EXC_NP 11
#define X86_EXC_SS 12
#define X86_EXC_GP 13
#define X86_EXC_PF 14
#define X86_EXC_AC 17
#define X86_EXC_MC 18
#define X86_EXC_CP 21

#endif
