/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svm_enter(u64 *gprs, u64 vmcb_pa, u64 host_save_pa): one guest entry as a
 * function call. VMRUN switches RAX, RSP, RIP, RFLAGS and the segment and
 * control registers; the other GPRs are switched here, and FS, GS, TR, LDTR
 * and the syscall MSRs by VMLOAD/VMSAVE (APM Vol. 2 15.5.1, 15.5.2).
 * Called with GIF = 0 and IF = 1, so host interrupts exit the guest.
 */
#include "arch/x86/virt/guest_gprs.h"

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
	LOAD_GUEST_GPRS %rdi
	movq GPR_RDI_OFF(%rdi), %rdi
	vmload %rax
	vmrun %rax
	vmsave %rax
	pushq %rdi
	movq 8(%rsp), %rdi
	SAVE_GUEST_GPRS %rdi
	popq GPR_RDI_OFF(%rdi)
	SCRUB_GUEST_GPRS
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
