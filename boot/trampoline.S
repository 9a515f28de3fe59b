/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AP trampoline, copied to a page below 1 MiB whose number is the SIPI
 * vector. An AP starts here in real mode with CS = page << 8, IP = 0
 * (SDM Vol. 3A 9.4.4.1). It relocates itself from CS, enters protected
 * mode, then long mode with the CR3/CR4/EFER the BSP left in the page's
 * parameter slots, and jumps to the C entry with RDI = CPU index.
 */
#include "boot/boot.h"

#define OFF(x) ((x) - tramp_start)
#define TRAMP_CS32 0x18

	.section .trampoline, "a"
	.code16
	.globl tramp_start
tramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movzwl %ax, %ebx
	shll $4, %ebx			/* EBX = linear base of this page */

	leal OFF(tramp_gdt)(%ebx), %eax
	movl %eax, OFF(tramp_gdt_desc) + 2
	leal OFF(tramp_pm32)(%ebx), %eax
	movl %eax, OFF(tramp_far32)
	leal OFF(tramp_lm64)(%ebx), %eax
	movl %eax, OFF(tramp_far64)

	lgdtl OFF(tramp_gdt_desc)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl *OFF(tramp_far32)

	.code32
tramp_pm32:
	movl $BOOT_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl TRAMP_CR4(%ebx), %eax
	movl %eax, %cr4
	movl TRAMP_CR3(%ebx), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	movl TRAMP_EFER(%ebx), %eax
	xorl %edx, %edx
	wrmsr
	/* An AP leaves INIT with CR0.CD and NW set (SDM Vol. 3A 9.1.1): turn its caches on. */
	movl %cr0, %eax
	andl $~(CR0_CD | CR0_NW), %eax
	orl $(CR0_PG | CR0_WP), %eax
	movl %eax, %cr0
	ljmpl *OFF(tramp_far64)(%ebx)

	.code64
tramp_lm64:
	movq TRAMP_STACK(%rbx), %rsp
	movq TRAMP_CPU(%rbx), %rdi
	xorl %ebp, %ebp
	/*
	 * A zero return address, so the entry function sees RSP as after a
	 * call (RSP + 8 16-byte aligned, as the SysV ABI wants: its 16-byte
	 * aligned locals, FXSAVE's buffers among them, depend on it) and a
	 * backtrace ends here.
	 */
	pushq $0
	jmpq *TRAMP_ENTRY(%rbx)

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00cf9a000000ffff	/* 0x18: 32-bit code */
tramp_gdt_desc:
	.word tramp_gdt_desc - tramp_gdt - 1
	.long 0
tramp_far32:
	.long 0
	.word TRAMP_CS32
tramp_far64:
	.long 0
	.word BOOT_CS64
	.globl tramp_end
tramp_end:
