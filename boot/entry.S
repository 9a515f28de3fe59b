/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 32-bit entry from a multiboot2 loader (spec 3.2: protected mode, paging
 * off, EAX = magic, EBX = information structure) to 64-bit C.
 * Identity-maps the first 4 GiB with 2 MiB pages, enables long mode
 * (SDM Vol. 3A 10.8.5) and calls kmain(magic, mbi).
 */
#include "boot/boot.h"

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, %edi
	movl %ebx, %esi
	movl $(boot_stack + BOOT_STACK_SIZE), %esp

	/* Long mode needs CPUID 0x80000001 EDX bit 29. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode

	call build_early_tables

	/*
	 * OSFXSR: FXSAVE and FXRSTOR, which switch guests' x87/SSE state on
	 * a CPU without XSAVE, include the XMM registers and MXCSR only with
	 * it (SDM Vol. 2A FXSAVE); without, guests saw each other's XMM
	 * registers. Keel itself uses no SSE (-mgeneral-regs-only). APs take
	 * the BSP's CR4; CR4.OSXSAVE comes later (cpu_xstate_init()).
	 */
	movl %cr4, %eax
	orl $(CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl %eax, %cr4
	movl $early_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	/* Caches on: firmware may hand over CR0.CD/NW set, as RESET leaves them (SDM Vol. 3A 9.1.1). */
	movl %cr0, %eax
	andl $~(CR0_CD | CR0_NW), %eax
	orl $(CR0_PG | CR0_PE | CR0_WP), %eax
	movl %eax, %cr0

	lgdt early_gdt_desc
	ljmp $BOOT_CS64, $long_entry

/* PML4[0] -> PDPT; PDPT[0..3] -> four PDs of 512 2-MiB pages each. */
build_early_tables:
	movl $early_pml4, %edx
	movl $(early_pdpt + PTE_P + PTE_W), (%edx)
	movl $early_pdpt, %edx
	movl $early_pd, %eax
	orl $(PTE_P + PTE_W), %eax
	xorl %ecx, %ecx
1:	movl %eax, (%edx, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jb 1b
	movl $early_pd, %edx
	movl $(PTE_P + PTE_W + PTE_PS), %eax
	xorl %ecx, %ecx
2:	movl %eax, (%edx, %ecx, 8)
	movl $0, 4(%edx, %ecx, 8)
	addl $0x200000, %eax
	incl %ecx
	cmpl $2048, %ecx
	jb 2b
	ret

/* No long mode: say so on COM1 and port 0xE9, then stop. */
no_long_mode:
	movl $no_lm_msg, %esi
1:	lodsb
	testb %al, %al
	jz 3f
	movw $0x3f8 + 5, %dx
	movb %al, %bl
2:	inb %dx, %al
	testb $0x20, %al
	jz 2b
	movb %bl, %al
	movw $0x3f8, %dx
	outb %al, %dx
	outb %al, $0xe9
	jmp 1b
3:	hlt
	jmp 3b

	.code64
long_entry:
	movl $BOOT_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movq $(boot_stack + BOOT_STACK_SIZE), %rsp
	xorl %ebp, %ebp
	call kmain
1:	hlt
	jmp 1b

	.section .boot.data, "aw"
	.balign 8
early_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 64-bit code */
	.quad 0x00cf92000000ffff	/* data */
early_gdt_desc:
	.word early_gdt_desc - early_gdt - 1
	.quad early_gdt
no_lm_msg:
	.asciz "keel: this CPU has no 64-bit long mode; Keel cannot run\r\n"

	.section .boot.bss, "aw", @nobits
	.balign 4096
	.globl boot_stack
boot_stack:
	.skip BOOT_STACK_SIZE
early_pml4:
	.skip 4096
early_pdpt:
	.skip 4096
early_pd:
	.skip 4 * 4096
