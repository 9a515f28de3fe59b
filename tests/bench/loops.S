/* SPDX-License-Identifier: MIT */
/*
 * The guest side of the exit benchmark: bench_run(res, iters, rounds, mask).
 * See loops.h for the interface and for how instructions per round trip are
 * derived. Position-independent: the only references are RIP-relative ones
 * inside this section, so the bytes bench_blob_start..bench_blob_end can be
 * copied to any address and run there.
 *
 * Registers while it runs: r12 results, r13 iterations, r14 rounds, r15 op
 * mask; rbx, rbp and rsi carry report()'s arguments.
 */
#include "loops.h"

	.section .text.keel_bench, "ax"
	.code64

/* \reg = TSC; the LFENCEs keep the read in program order. Clobbers rax, rdx. */
.macro TSC reg
	lfence
	rdtsc
	lfence
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, \reg
.endm

/*
 * \name: rax = the fewest TSC ticks that any of r14 rounds of \count
 * iterations of \body took. BENCH_FRAME_INSNS counts what a round retires
 * besides the loop: lfence, shl, or, mov; mov \count; lfence; and one of the
 * two RDTSCs (under QEMU's icount the calibration round of
 * 2 * BENCH_LOOP_ITERS + 7 instructions reads exactly that many ticks).
 * Clobbers rax, rbx, rcx, rdx, r8-r11.
 */
.macro MEASURE name, count, body
\name:
	mov	%r14, %r8
	mov	$-1, %r11
1:	TSC	%r10
	mov	\count, %r9
2:	\body
	dec	%r9
	jnz	2b
	TSC	%rax
	sub	%r10, %rax
	cmp	%r11, %rax
	cmovb	%rax, %r11
	dec	%r8
	jnz	1b
	mov	%r11, %rax
	ret
.endm

/* Loop bodies; their instruction counts are BENCH_OVERHEAD_* less dec/jnz. */
.macro BODY_NONE
.endm
.macro BODY_CPUID
	xor	%eax, %eax
	xor	%ecx, %ecx
	cpuid
.endm
.macro BODY_OUT_FAST
	out	%al, $BENCH_PORT_FAST
.endm
.macro BODY_OUT_USER
	out	%al, $BENCH_PORT_USER
.endm
.macro BODY_IN_USER
	in	$BENCH_PORT_USER, %al
.endm
.macro BODY_MMIO_READ
	mov	$BENCH_MMIO_ADDR, %edx
	mov	(%rdx), %eax
.endm
.macro BODY_VMMCALL
	mov	$BENCH_HCALL_UNKNOWN, %eax
	vmmcall
.endm
.macro BODY_VMCALL
	mov	$BENCH_HCALL_UNKNOWN, %eax
	vmcall
.endm

/* Runs op \op when its bit is set in r15: measure it, then report it. */
.macro OP op, measure, overhead, name
	bt	$\op, %r15
	jnc	.Lskip_\op
	call	\measure
	mov	$\op, %ebx
	mov	$\overhead, %ebp
	lea	\name(%rip), %rsi
	call	report
.Lskip_\op:
.endm

	.globl	bench_blob_start, bench_blob_end, bench_run
	.type	bench_run, @function
	.balign	16
bench_blob_start:
bench_run:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	sub	$BR_SIZE, %rsp
	cld
	/* Arguments, with 0 meaning "the default"; no @res: use the stack. */
	test	%rdi, %rdi
	cmovz	%rsp, %rdi
	mov	%rdi, %r12
	mov	$BENCH_DEFAULT_ITERS, %eax
	test	%rsi, %rsi
	cmovz	%rax, %rsi
	mov	%rsi, %r13
	mov	$BENCH_DEFAULT_ROUNDS, %eax
	test	%rdx, %rdx
	cmovz	%rax, %rdx
	mov	%rdx, %r14
	mov	$BENCH_DEFAULT_MASK, %eax
	test	%rcx, %rcx
	cmovz	%rax, %rcx
	mov	%rcx, %r15

	/* Clear the results, then fill in the run's parameters. */
	mov	%r12, %rdi
	mov	$BR_SIZE / 8, %ecx
	xor	%eax, %eax
	rep stosq
	mov	%r13, BR_ITERS(%r12)
	mov	%r14, BR_ROUNDS(%r12)
	mov	%r15, BR_MASK(%r12)

	/* Calibration: ticks per known instruction count. */
	call	measure_loop
	test	%rax, %rax
	jnz	1f
	inc	%eax			/* a TSC that stood still: avoid #DE */
1:	mov	%rax, BR_LOOP_TICKS(%r12)
	movq	$2 * BENCH_LOOP_ITERS + BENCH_FRAME_INSNS, BR_LOOP_INSNS(%r12)
	lea	str_loop(%rip), %rsi
	call	print_head
	mov	BR_LOOP_TICKS(%r12), %rax
	mov	$1000, %ecx
	mul	%rcx
	mov	BR_LOOP_INSNS(%r12), %rcx
	mov	%rcx, %r8
	shr	%r8
	add	%r8, %rax
	adc	$0, %rdx
	div	%rcx
	call	print_dec_nl

	OP	BENCH_OP_CPUID, measure_cpuid, BENCH_OVERHEAD_CPUID, str_cpuid
	OP	BENCH_OP_OUT, measure_out_fast, BENCH_OVERHEAD_OUT, str_out_fast

	/* VMMCALL on AMD and Hygon; VMCALL (#UD on those) everywhere else. */
	bt	$BENCH_OP_HCALL, %r15
	jnc	2f
	xor	%eax, %eax
	xor	%ecx, %ecx
	cpuid
	cmp	$0x68747541, %ebx	/* "Auth"enticAMD */
	je	1f
	cmp	$0x6f677948, %ebx	/* "Hygo"nGenuine */
	je	1f
	call	measure_vmcall
	lea	str_vmcall(%rip), %rsi
	jmp	3f
1:	call	measure_vmmcall
	lea	str_vmmcall(%rip), %rsi
3:	mov	$BENCH_OP_HCALL, %ebx
	mov	$BENCH_OVERHEAD_HCALL, %ebp
	call	report
2:
	OP	BENCH_OP_OUT_USER, measure_out_user, BENCH_OVERHEAD_OUT, str_out_user
	OP	BENCH_OP_IN_USER, measure_in_user, BENCH_OVERHEAD_IN, str_in_user
	OP	BENCH_OP_MMIO_READ, measure_mmio_read, BENCH_OVERHEAD_MMIO, str_mmio_read

	movabs	$BENCH_MAGIC, %rax
	mov	%rax, BR_MAGIC(%r12)
	add	$BR_SIZE, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret
	.size	bench_run, . - bench_run

/*
 * report: op ebx took rax ticks per round, rbp loop instructions per
 * iteration; rsi is its name. Stores and prints
 *   (ticks * loop_insns - FRAME * loop_ticks) / (loop_ticks * iters) - rbp
 */
report:
	push	%rsi
	mov	%rbx, %rcx
	shl	$4, %rcx
	lea	BR_OP(%r12, %rcx), %rdi
	mov	%rax, BR_OP_TICKS(%rdi)
	mulq	BR_LOOP_INSNS(%r12)		/* rdx:rax = ticks * loop_insns */
	mov	BR_LOOP_TICKS(%r12), %rcx
	imul	$BENCH_FRAME_INSNS, %rcx, %r8
	sub	%r8, %rax
	sbb	$0, %rdx
	jns	1f
	xor	%eax, %eax			/* below the frame: call it 0 */
	xor	%edx, %edx
1:	imul	%r13, %rcx			/* loop_ticks * iters */
	mov	%rcx, %r8
	shr	%r8
	add	%r8, %rax			/* round to nearest */
	adc	$0, %rdx
	div	%rcx
	sub	%rbp, %rax
	mov	%rax, BR_OP_INSNS(%rdi)
	pop	%rsi
	push	%rax
	call	print_head
	pop	%rax
	/* fall through */

/* print_dec_nl: prints rax as a signed decimal, then "\n". */
print_dec_nl:
	sub	$32, %rsp
	lea	31(%rsp), %rsi
	movb	$0, (%rsi)
	movb	$10, -1(%rsi)
	dec	%rsi
	mov	%rax, %r8
	test	%rax, %rax
	jns	1f
	neg	%rax
1:	mov	$10, %ecx
2:	xor	%edx, %edx
	div	%rcx
	add	$0x30, %dl
	dec	%rsi
	mov	%dl, (%rsi)
	test	%rax, %rax
	jnz	2b
	test	%r8, %r8
	jns	3f
	dec	%rsi
	movb	$0x2d, (%rsi)
3:	call	puts
	add	$32, %rsp
	ret

/* print_head: prints "bench: ", the string at rsi, then " ". */
print_head:
	push	%rsi
	lea	str_bench(%rip), %rsi
	call	puts
	pop	%rsi
	call	puts
	mov	$0x20, %al
	mov	$BENCH_UART, %edx
	out	%al, %dx
	ret

/* puts: writes the NUL-terminated string at rsi to the UART. Clobbers rax, rdx, rsi. */
puts:
	mov	$BENCH_UART, %edx
1:	lodsb
	test	%al, %al
	jz	2f
	out	%al, %dx
	jmp	1b
2:	ret

	MEASURE	measure_loop, $BENCH_LOOP_ITERS, BODY_NONE
	MEASURE	measure_cpuid, %r13, BODY_CPUID
	MEASURE	measure_out_fast, %r13, BODY_OUT_FAST
	MEASURE	measure_out_user, %r13, BODY_OUT_USER
	MEASURE	measure_in_user, %r13, BODY_IN_USER
	MEASURE	measure_mmio_read, %r13, BODY_MMIO_READ
	MEASURE	measure_vmmcall, %r13, BODY_VMMCALL
	MEASURE	measure_vmcall, %r13, BODY_VMCALL

/*
 * bench_spin(counter): adds 1 to *counter for ever and never exits to the
 * hypervisor: a VM that only computes, the load kvm-bench -l puts on a CPU.
 */
	.globl	bench_spin
	.type	bench_spin, @function
bench_spin:
1:	incq	(%rdi)
	jmp	1b
	.size	bench_spin, . - bench_spin

/*
 * bench_irq_wait(): the guest of kvm-bench -w. Its LAPIC goes to x2APIC
 * mode (SDM Vol. 3A 11.12.1: IA32_APIC_BASE EN and EXTD) and is
 * software-enabled (11.9: SVR bit 8, spurious vector 0xff), which one OUT
 * to BENCH_PORT_USER tells the VMM (KVM and Keel drop a fixed interrupt
 * sent to a software-disabled LAPIC); then it halts with interrupts on, for ever.
 * The VMM's IDT sends BENCH_IRQ_VECTOR to bench_irq_handler, which answers
 * each interrupt with an OUT to BENCH_PORT_USER (the VMM notes when it sees
 * it) and an EOI (11.12.1.2: a write of 0 to the EOI MSR).
 */
#define MSR_APIC_BASE		0x1b
#define APIC_BASE_EN_EXTD	0xc00
#define MSR_X2APIC_EOI		0x80b
#define MSR_X2APIC_SVR		0x80f
	.globl	bench_irq_wait, bench_irq_handler
	.type	bench_irq_wait, @function
bench_irq_wait:
	mov	$MSR_APIC_BASE, %ecx
	rdmsr
	or	$APIC_BASE_EN_EXTD, %eax
	wrmsr
	mov	$MSR_X2APIC_SVR, %ecx
	mov	$0x1ff, %eax
	xor	%edx, %edx
	wrmsr
	out	%al, $BENCH_PORT_USER
1:	sti
	hlt
	jmp	1b
	.size	bench_irq_wait, . - bench_irq_wait

	.type	bench_irq_handler, @function
bench_irq_handler:
	push	%rax
	push	%rcx
	push	%rdx
	out	%al, $BENCH_PORT_USER
	mov	$MSR_X2APIC_EOI, %ecx
	xor	%eax, %eax
	xor	%edx, %edx
	wrmsr
	pop	%rdx
	pop	%rcx
	pop	%rax
	iretq
	.size	bench_irq_handler, . - bench_irq_handler

str_bench:	.asciz "bench: "
str_loop:	.asciz "loop"
str_cpuid:	.asciz "cpuid"
str_out_fast:	.asciz "out-ioeventfd"
str_out_user:	.asciz "out-user"
str_in_user:	.asciz "in-user"
str_mmio_read:	.asciz "mmio-read"
str_vmmcall:	.asciz "vmmcall"
str_vmcall:	.asciz "vmcall"
	.balign	16
bench_blob_end:

	.section .note.GNU-stack, "", @progbits
