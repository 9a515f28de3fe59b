/* SPDX-License-Identifier: GPL-2.0 */
/*
 * int vmx_enter(u64 *gprs, u64 *cr2, u64 launched): one guest entry as a
 * function call. VM entry loads RSP, RIP, RFLAGS and the segment and control
 * registers from the VMCS, and VM exit loads the host's from it (SDM Vol. 3C
 * 27.3, 28.5); the other GPRs and CR2, which the VMCS does not hold, are
 * switched here. HOST_RSP is written right before entry, so the exit lands
 * at vmx_exit (HOST_RIP) on this very frame.
 *
 * Returns 0 after a VM exit; 1 on VMfailInvalid (CF) or 2 on VMfailValid
 * (ZF; the VM-instruction error field says why, 31.4) if the entry never
 * happened. Called with IF = 0: host interrupts exit the guest
 * ("external-interrupt exiting") and stay pending until the caller sets IF.
 */
#include "arch/x86/virt/guest_gprs.h"
#include "arch/x86/vmx/vmcs.h"

	.text
	.globl vmx_enter
vmx_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rsi
	pushq %rdi
	/* MOV to CR2 is slow: only when the guest's value differs. */
	movq (%rsi), %rax
	movq %cr2, %rcx
	cmpq %rax, %rcx
	je 1f
	movq %rax, %cr2
1:	movl $HOST_RSP, %eax
	vmwrite %rsp, %rax
	/* The flags for the jump below; the MOVs that follow keep them. */
	testq %rdx, %rdx
	movq GPR_RAX_OFF(%rdi), %rax
	LOAD_GUEST_GPRS %rdi
	movq GPR_RDI_OFF(%rdi), %rdi
	jnz 2f
	vmlaunch
	jmp 3f
2:	vmresume
	/* Still here: the entry failed before loading any guest state. */
3:	movl $2, %eax
	jnc 4f
	movl $1, %eax
4:	addq $16, %rsp
	jmp 5f

	.globl vmx_exit
vmx_exit:
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rax, GPR_RAX_OFF(%rdi)
	SAVE_GUEST_GPRS %rdi
	popq GPR_RDI_OFF(%rdi)
	movq 8(%rsp), %rsi
	movq %cr2, %rax
	movq %rax, (%rsi)
	xorl %eax, %eax
	addq $16, %rsp
	/* Leave no guest value in a caller-saved register. */
5:	SCRUB_GUEST_GPRS
	xorl %edi, %edi
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
