/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The realmode guest's 16-bit part, run by realmode_call() with CS, DS, ES
 * and SS = 0xFFFF: CPUID, port I/O on the UART (scratch register, LSR, a
 * line sent through THR) and an unclaimed port, results left in rm_results
 * for realmode.c to check in protected mode.
 */
#include "keel/hypercall.h"
#include "layout.h"

/* Result n, addressed from BX = the offset of rm_results (found at run time). */
#define RES(n)		(4 * (n))(%bx)

	.section .realmode, "awx"
	.code16
	.globl	rm_main
rm_main:
	call	1f
1:	popw	%bx
	subw	$(1b - rm_results), %bx
	movl	%cr0, %eax
	movl	%eax, RES(0)			/* CR0: PE must be clear */
	movw	%cs, RES(1)
	movl	$1, %eax
	xorl	%ecx, %ecx
	pushl	%ebx
	cpuid
	popl	%ebx
	movl	%ecx, RES(2)			/* leaf 1 ECX */
	movl	$KEEL_CPUID_LEAF_SIGNATURE, %eax
	xorl	%ecx, %ecx
	pushw	%bx
	cpuid
	movl	%ebx, %esi
	popw	%bx
	movl	%eax, RES(3)
	movl	%esi, RES(4)
	movl	%ecx, RES(5)
	movl	%edx, RES(6)
	movw	$0x3FF, %dx			/* UART scratch register */
	movb	$0x5A, %al
	outb	%al, %dx
	xorb	%al, %al
	inb	%dx, %al
	movb	%al, RES(7)
	movb	$0, %al			/* unclaimed port: reads all ones */
	inb	$0x80, %al
	movb	%al, RES(8)
	leaw	(hello - rm_results)(%bx), %si
	call	rm_puts
	ret

/* Send the string at DS:SI to the UART, polling LSR bit 5 (THR empty). */
rm_puts:
	cld
1:	lodsb
	testb	%al, %al
	jz	3f
	movb	%al, %ah
	movw	$0x3FD, %dx
2:	inb	%dx, %al
	testb	$0x20, %al
	jz	2b
	movb	%ah, %al
	movw	$0x3F8, %dx
	outb	%al, %dx
	jmp	1b
3:	ret

hello:	.asciz	"hello from 16-bit real mode\n"

	.balign	4
	.globl	rm_results
rm_results:
	.fill	9, 4, 0

	.section .note.GNU-stack, "", @progbits
