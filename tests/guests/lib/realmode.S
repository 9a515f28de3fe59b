/* SPDX-License-Identifier: GPL-2.0 */
/*
 * realmode_call(fn): run the 16-bit routine fn (linked into .realmode) in
 * real mode, then return to 32-bit protected mode. Only for 32-bit guests
 * without paging.
 *
 * Down, after SDM Vol. 3A 10.9.2: jump to a 16-bit code segment with a
 * 64 KiB limit, load the data segment registers from a 16-bit data segment,
 * load an IDT, clear CR0.PE, far jump to load CS with a real-mode segment,
 * then load the data segments. The segments have base RM_BASE, so the same
 * offsets work before and after CR0.PE is cleared. The IDT loaded has limit
 * 0: interrupts stay off and any exception in real mode shuts the VM down
 * (a visible triple fault) instead of running a vector from page 0.
 * Up (10.9.1): set CR0.PE, then a far jump to the 32-bit code segment.
 */
#include "layout.h"

/*
 * Offset of sym in the real-mode segments. i386 relocations keep their addend
 * in the field, so these only appear in 32-bit fields; the 16-bit code gets
 * what it needs in registers (or a far pointer filled in at run time).
 */
#define RM(sym)		((sym) - RM_BASE)

	.text
	.code32
	.globl	realmode_call
realmode_call:
	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	20(%esp), %esi
	subl	$RM_BASE, %esi			/* the routine's offset */
	movl	$RM(rm_real), %eax
	movw	%ax, rm_far
	movw	$RM_SEG, rm_far + 2
	movl	$RM(rm_far), %ebx
	movl	$RM(rm_stack_top), %ebp
	movl	%esp, rm_saved_esp
	sidt	rm_saved_idt
	lidt	rm_null_idt
	ljmp	$SEL_CODE16, $RM(rm_pm16)

	.section .realmode, "awx"
	.code16
rm_pm16:
	movw	$SEL_DATA16, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movw	%bp, %sp
	movl	%cr0, %eax
	andl	$~CR0_PE, %eax
	movl	%eax, %cr0
	ljmpw	*(%bx)				/* to RM_SEG:rm_real */
rm_real:
	movw	$RM_SEG, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	call	*%si
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $rm_back

	.balign	4
rm_far:		.word	0, 0			/* offset, segment */
rm_stack:	.fill	512, 1, 0
rm_stack_top:

	.text
	.code32
rm_back:
	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movl	rm_saved_esp, %esp
	lidt	rm_saved_idt
	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret

	.data
	.balign	4
rm_saved_esp:	.long	0
rm_null_idt:	.word	0
		.long	0
	.balign	4
rm_saved_idt:	.word	0
		.long	0

	.section .note.GNU-stack, "", @progbits
