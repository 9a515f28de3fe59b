/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Assembly helpers shared by svm_entry.S and vmx_entry.S: moving the guest
 * GPRs that neither VMRUN nor VM entry switch between a struct x86_regs and
 * the registers. RAX, RSP and RDI are each backend's own business (RAX is in
 * the VMCB on SVM, RDI holds the array's address).
 */
#ifndef KEEL_X86_GUEST_GPRS_H
#define KEEL_X86_GUEST_GPRS_H

#include "arch/x86/asm-offsets.h"

.macro LOAD_GUEST_GPRS base
	movq GPR_RCX_OFF(\base), %rcx
	movq GPR_RDX_OFF(\base), %rdx
	movq GPR_RBX_OFF(\base), %rbx
	movq GPR_RBP_OFF(\base), %rbp
	movq GPR_RSI_OFF(\base), %rsi
	movq GPR_R8_OFF(\base), %r8
	movq GPR_R9_OFF(\base), %r9
	movq GPR_R10_OFF(\base), %r10
	movq GPR_R11_OFF(\base), %r11
	movq GPR_R12_OFF(\base), %r12
	movq GPR_R13_OFF(\base), %r13
	movq GPR_R14_OFF(\base), %r14
	movq GPR_R15_OFF(\base), %r15
.endm

.macro SAVE_GUEST_GPRS base
	movq %rcx, GPR_RCX_OFF(\base)
	movq %rdx, GPR_RDX_OFF(\base)
	movq %rbx, GPR_RBX_OFF(\base)
	movq %rbp, GPR_RBP_OFF(\base)
	movq %rsi, GPR_RSI_OFF(\base)
	movq %r8, GPR_R8_OFF(\base)
	movq %r9, GPR_R9_OFF(\base)
	movq %r10, GPR_R10_OFF(\base)
	movq %r11, GPR_R11_OFF(\base)
	movq %r12, GPR_R12_OFF(\base)
	movq %r13, GPR_R13_OFF(\base)
	movq %r14, GPR_R14_OFF(\base)
	movq %r15, GPR_R15_OFF(\base)
.endm

/* Leave no guest value in a caller-saved register (the callee-saved ones are restored). */
.macro SCRUB_GUEST_GPRS
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
.endm

#endif
