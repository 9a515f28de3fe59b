/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svm_enter(u64 *gprs, u64 vmcb_pa, u64 host_save_pa): one guest entry as a
 * function call. VMRUN switches RAX, RSP, RIP, RFLAGS and the segment and
 * control registers; the other GPRs are switched here, and FS, GS, TR, LDTR
 * and the syscall MSRs by VMLOAD/VMSAVE (APM Vol. 2 15.5.1, 15.5.2).
 * Called with GIF = 0 and IF = 1, so host interrupts exit the guest.
 */
#include "arch/x86/asm-offsets.h"

	.text
	.globl svm_enter
svm_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx
	pushq %rdi
	movq %rsi, %rax
	movq GPR_RCX_OFF(%rdi), %rcx
	movq GPR_RDX_OFF(%rdi), %rdx
	movq GPR_RBX_OFF(%rdi), %rbx
	movq GPR_RBP_OFF(%rdi), %rbp
	movq GPR_RSI_OFF(%rdi), %rsi
	movq GPR_R8_OFF(%rdi), %r8
	movq GPR_R9_OFF(%rdi), %r9
	movq GPR_R10_OFF(%rdi), %r10
	movq GPR_R11_OFF(%rdi), %r11
	movq GPR_R12_OFF(%rdi), %r12
	movq GPR_R13_OFF(%rdi), %r13
	movq GPR_R14_OFF(%rdi), %r14
	movq GPR_R15_OFF(%rdi), %r15
	movq GPR_RDI_OFF(%rdi), %rdi
	vmload %rax
	vmrun %rax
	vmsave %rax
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rcx, GPR_RCX_OFF(%rdi)
	movq %rdx, GPR_RDX_OFF(%rdi)
	movq %rbx, GPR_RBX_OFF(%rdi)
	movq %rbp, GPR_RBP_OFF(%rdi)
	movq %rsi, GPR_RSI_OFF(%rdi)
	movq %r8, GPR_R8_OFF(%rdi)
	movq %r9, GPR_R9_OFF(%rdi)
	movq %r10, GPR_R10_OFF(%rdi)
	movq %r11, GPR_R11_OFF(%rdi)
	movq %r12, GPR_R12_OFF(%rdi)
	movq %r13, GPR_R13_OFF(%rdi)
	movq %r14, GPR_R14_OFF(%rdi)
	movq %r15, GPR_R15_OFF(%rdi)
	popq GPR_RDI_OFF(%rdi)
	/* Leave no guest value in a caller-saved register. */
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	popq %rdi
	popq %rax
	vmload %rax
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
