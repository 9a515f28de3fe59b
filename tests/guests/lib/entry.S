/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest entry. vCPU 0 arrives at _start in 32-bit protected mode with paging
 * off (docs/boot-vms.md); a secondary vCPU started through the test device
 * arrives at ap_entry in the same state. Both record what they found, load
 * the guest's own GDT and a stack and, in a 64-bit build, switch to long
 * mode before calling C: guest_start() or ap_start(magic, ebx).
 */
#include "layout.h"

/*
 * Enter IA-32e mode from 32-bit protected mode with paging off, in the order
 * of SDM Vol. 3A 10.8.5: CR4.PAE, CR3, EFER.LME, then CR0.PG, then a far jump
 * to a 64-bit code segment. Clobbers eax, ecx, edx.
 */
.macro ENTER_LONG_MODE
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$CR0_PG, %eax
	movl	%eax, %cr0
	ljmp	$SEL_CODE64, $.Llong\@
	.code64
.Llong\@:
.endm

/* Load the guest's GDT and reload every segment register from it. */
.macro LOAD_GDT
	lgdt	gdt_desc
	ljmp	$SEL_CODE32, $.Lgdt\@
.Lgdt\@:
	movw	$SEL_DATA, %cx
	movw	%cx, %ds
	movw	%cx, %es
	movw	%cx, %fs
	movw	%cx, %gs
	movw	%cx, %ss
.endm

/* Store segment register \sreg zero-extended to 32 bits at \dst. Clobbers ecx. */
.macro SAVE_SEG sreg, dst
	xorl	%ecx, %ecx
	movw	\sreg, %cx
	movl	%ecx, \dst
.endm

	.section .text.entry, "ax"
	.code32
	.globl	_start
_start:
	/* EFLAGS first: the instructions below change the arithmetic flags. */
	movl	%eax, entry_state + 4 * ES_EAX
	movl	%ebx, entry_state + 4 * ES_EBX
	/* Multiboot leaves ESP undefined (0.6.96, 3.2): take our own stack. */
	movl	$boot_stack_top, %esp
	pushfl
	popl	entry_state + 4 * ES_EFLAGS
	SAVE_SEG %cs, entry_state+4*ES_CS
	SAVE_SEG %ds, entry_state+4*ES_DS
	SAVE_SEG %es, entry_state+4*ES_ES
	SAVE_SEG %fs, entry_state+4*ES_FS
	SAVE_SEG %gs, entry_state+4*ES_GS
	SAVE_SEG %ss, entry_state+4*ES_SS
	movl	%cr0, %ecx
	movl	%ecx, entry_state + 4 * ES_CR0
	movl	%cr4, %ecx
	movl	%ecx, entry_state + 4 * ES_CR4
	sgdt	entry_state + 4 * ES_GDTR
	sidt	entry_state + 4 * ES_IDTR

	LOAD_GDT

	/* The loader zeroes .bss; do it again so a guest never depends on that. */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	cld
	rep stosb
	movl	$boot_stack_top, %esp

#ifdef __x86_64__
	call	build_page_tables
	ENTER_LONG_MODE
	movl	$boot_stack_top, %esp	/* zero-extends into RSP */
	movw	$SEL_DATA, %cx
	movw	%cx, %ds
	movw	%cx, %ss
#endif
	call	guest_start
	jmp	halt_forever

	.code32
/*
 * A secondary vCPU: EAX = AP_BOOT_MAGIC, EBX = the value written to the test
 * device's 0x68, by this library's convention the vCPU's index, which picks
 * its stack. An index out of range parks the vCPU.
 */
	.globl	ap_entry
ap_entry:
	/*
	 * EFLAGS first, through a 4-byte slot per low byte of EBX: nothing
	 * before the PUSHF may change the flags (MOV, MOVZX and LEA do not).
	 */
	movl	%eax, %esi
	movl	%ebx, %edi
	movzbl	%bl, %edx
	leal	ap_flags_slots + 4(, %edx, 4), %esp
	pushfl
	popl	%ebp
	cmpl	$MAX_CPUS, %edi
	jae	halt_forever
	movl	%edi, %edx
	shll	$5, %edx			/* AS_SLOTS * 4 bytes */
	addl	$ap_entry_state, %edx
	movl	%ebp, 4 * AS_EFLAGS(%edx)
	movl	%esi, 4 * AS_EAX(%edx)
	movl	%edi, 4 * AS_EBX(%edx)
	SAVE_SEG %cs, 4*AS_CS(%edx)
	SAVE_SEG %ds, 4*AS_DS(%edx)
	SAVE_SEG %ss, 4*AS_SS(%edx)
	movl	%cr0, %ecx
	movl	%ecx, 4 * AS_CR0(%edx)
	leal	1(%edi), %esp
	shll	$12, %esp			/* AP_STACK_SIZE */
	addl	$ap_stacks, %esp

	LOAD_GDT

#ifdef __x86_64__
	ENTER_LONG_MODE
	movl	%esp, %esp			/* zero-extends into RSP */
	movw	$SEL_DATA, %cx
	movw	%cx, %ds
	movw	%cx, %ss
	movl	%esi, %eax
	movl	%edi, %esi			/* ap_start(magic, ebx) */
	movl	%eax, %edi
	call	ap_start
#else
	pushl	%edi
	pushl	%esi
	call	ap_start
#endif
	/* The same bytes in 32-bit and 64-bit mode: both jump here. */
	.globl	halt_forever
halt_forever:
	cli
	hlt
	jmp	halt_forever

#ifdef __x86_64__
/*
 * Identity-map the first 4 GiB with 2 MiB pages (PML4[0] -> PDPT[0..3] ->
 * four page directories): guest RAM and the test device at 0xFEBF0000.
 * The top GiB is MMIO space, mapped uncached (PCD|PWT). Everything from
 * 4 GiB up is not present. Runs in 32-bit mode, before paging.
 */
	.code32
build_page_tables:
	movl	$pdpt + 3, pml4			/* present, writable */
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$pd + 3, %eax
	movl	%eax, pdpt(, %ecx, 8)
	incl	%ecx
	cmpl	$4, %ecx
	jb	1b
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$0x83, %eax			/* present, writable, 2 MiB */
	cmpl	$3 * 512, %ecx
	jb	3f
	orl	$0x18, %eax			/* PWT, PCD */
3:	movl	%eax, pd(, %ecx, 8)
	incl	%ecx
	cmpl	$4 * 512, %ecx
	jb	2b
	ret
#endif

	.data
	.balign	8
	.globl	gdt
gdt:
	.quad	0
	.quad	0x00CF9A000000FFFF		/* 0x08: code, 32-bit, flat */
	.quad	0x00CF92000000FFFF		/* 0x10: data, flat */
	.quad	0x00AF9A000000FFFF		/* 0x18: code, 64-bit */
	.quad	0x00009A0FFFF0FFFF		/* 0x20: code, 16-bit, base RM_BASE */
	.quad	0x0000920FFFF0FFFF		/* 0x28: data, 16-bit, base RM_BASE */
gdt_end:
	.balign	8
	.word	0
	.globl	gdt_desc
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt

	.balign	4
	.globl	entry_state
entry_state:
	.fill	ES_SLOTS, 4, 0

	.bss
	.balign	4096
#ifdef __x86_64__
	.globl	pml4, pdpt, pd
pml4:	.skip	4096
pdpt:	.skip	4096
pd:	.skip	4 * 4096
#endif
	.globl	ap_stacks, ap_entry_state
ap_stacks:
	.skip	MAX_CPUS * AP_STACK_SIZE
boot_stack:
	.skip	BOOT_STACK_SIZE
boot_stack_top:
ap_entry_state:
	.skip	MAX_CPUS * AS_SLOTS * 4
ap_flags_slots:
	.skip	256 * 4

	.section .note.GNU-stack, "", @progbits
