/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One 16-byte entry stub per vector; idt_init() points gate N at
 * trap_stubs + 16 * N. Each stub pushes a zero where the CPU pushes no error
 * code (only #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC and #SX have one;
 * SDM Vol. 3A 6.13 / Table 6-1), then the vector, so every frame has the
 * layout of struct trap_frame (lib/guest.h).
 */

#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
		      (v) == 21 || (v) == 29 || (v) == 30)

	.text
	.balign	16
	.globl	trap_stubs
trap_stubs:
	vector = 0
	.rept	256
	.balign	16
	.if	HAS_ERROR(vector) == 0
	push	$0
	.endif
	push	$vector
	jmp	trap_common
	vector = vector + 1
	.endr

#ifdef __x86_64__
trap_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	cld
	mov	%rsp, %rdi
	call	trap_handler
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp			/* vector, error code */
	iretq
#else
trap_common:
	pushal
	cld
	pushl	%esp
	call	trap_handler
	addl	$4, %esp
	popal
	addl	$8, %esp			/* vector, error code */
	iretl
#endif

	.section .note.GNU-stack, "", @progbits
