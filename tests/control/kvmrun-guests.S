/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guests of kvmrun.c: data for the host program, not code it runs.
 * kvmrun.c copies guest_start..guest_end to guest-physical CODE_GPA and
 * starts a vCPU at one of the labels below. Real-mode guests run with CS
 * base CODE_GPA (their IP is the label's offset from guest_start), the
 * 32- and 64-bit ones with flat segments (EIP/RIP is CODE_GPA plus that
 * offset). Only relative jumps: the code does not know where it is.
 * Ports and values are the ones kvmrun.c expects; each guest names its check.
 */
#include "kvmrun.h"

#define GUEST(name) .globl name; name:

	.section .rodata, "a"
GUEST(guest_start)

	.code16
/* check_out: OUT of each size, AL and AX to an imm8 port, EAX to DX. */
GUEST(rm_out)
	mov	$0x12, %al
GUEST(rm_out_insn)
	out	%al, $0x10
	mov	$0x3456, %ax
	out	%ax, $0x11
	mov	$0x789abcde, %eax
	mov	$0x12, %dx
	out	%eax, %dx
	hlt

/*
 * check_in: IN of each size; the VMM answers 0xa5, 0xbeef, 0xdeadbeef.
 * The 1- and 2-byte forms leave the rest of EAX as it was.
 */
GUEST(rm_in)
	mov	$0x11223344, %eax
GUEST(rm_in_insn)
	in	$0x20, %al
GUEST(rm_in_next)
	out	%eax, $0x21
	in	$0x22, %ax
	out	%eax, $0x23
	mov	$0x24, %dx
	in	%dx, %eax
	out	%eax, $0x25
	hlt

/* check_outsb: REP OUTSB of the 4 bytes the VMM put at DATA_GPA. */
GUEST(rm_outsb)
	mov	$DATA_GPA, %si
	mov	$4, %cx
	mov	$0x30, %dx
	cld
GUEST(rm_outsb_insn)
	rep outsb
	hlt

/* check_insb: REP INSB of 4 bytes to the last 2 of DATA_GPA's page and the first 2 of the next. */
GUEST(rm_insb)
	mov	$(DATA_GPA + 0xffe), %di
	mov	$4, %cx
	mov	$0x31, %dx
	cld
GUEST(rm_insb_insn)
	rep insb
	hlt

/* check_hlt: HLT, then the next KVM_RUN goes on after it. */
GUEST(rm_hlt)
	hlt
GUEST(rm_hlt_next)
	mov	$0x66, %al
	out	%al, $0x14
	hlt

/* check_hypercall: an unknown hypercall, then EAX (its result) out. */
GUEST(rm_vmmcall)
	mov	$HC_UNKNOWN, %eax
	vmmcall
	out	%eax, $0x45
	hlt
GUEST(rm_vmcall)
	mov	$HC_UNKNOWN, %eax
	vmcall
	out	%eax, $0x45
	hlt

/*
 * check_mmio: writes of 1, 2 and 4 bytes outside every slot, then a
 * 2-byte read whose value (the VMM's answer) goes out.
 */
GUEST(rm_mmio)
	movb	$0x5a, MMIO_GPA
GUEST(rm_mmio_next)
	movw	$0x1234, MMIO_GPA + 2
	movl	$0x89abcdef, MMIO_GPA + 4
GUEST(rm_mmio_read)
	mov	MMIO_GPA + 8, %ax
	out	%ax, $0x42
	hlt

/*
 * check_coalesced: REP STOSB of STOS_COUNT bytes of 0x77 from MMIO_GPA up,
 * more than the coalesced ring holds.
 */
GUEST(rm_stos)
	push	%ds
	pop	%es
	mov	$0x77, %al
	mov	$MMIO_GPA, %di
	mov	$STOS_COUNT, %cx
	cld
	rep stosb
	hlt

/* check_tsc: the guest's TSC out, EAX to port 0x50, EDX to 0x51. */
GUEST(rm_rdtsc)
	rdtsc
	out	%eax, $0x50
	mov	%edx, %eax
	out	%eax, $0x51
	hlt

/* check_kvmclock: WRMSR of the MSR in EAX with the value in EBX (EDX 0). */
GUEST(rm_wrmsr)
	mov	%eax, %ecx
	mov	%ebx, %eax
	xor	%edx, %edx
	wrmsr
	hlt

/* check_platform_info, check_pv_cpuid: RDMSR of the MSR in EAX, EAX out. */
GUEST(rm_rdmsr)
	mov	%eax, %ecx
	rdmsr
	out	%eax, $RDMSR_PORT
	hlt

/* check_readonly: read a read-only slot, write it, read it again. */
GUEST(rm_readonly)
	mov	RO_GPA, %al
	out	%al, $0x43
	movb	$0x99, RO_GPA + 1
	mov	RO_GPA + 1, %al
	out	%al, $0x43
	hlt

/* The memory checks: the byte at BX out to port 0x40; AL to the byte at BX. */
GUEST(rm_peek)
	mov	(%bx), %al
	out	%al, $0x40
	hlt
GUEST(rm_poke)
	mov	%al, (%bx)
	hlt

/* check_signal: spin until a signal takes KVM_RUN out. */
GUEST(rm_spin)
	jmp	rm_spin

/*
 * check_shutdown: INT3 with an IDT limit of 0: #GP, #DF, triple fault
 * (a stack in RAM, should the CPU push before it checks the limit).
 */
GUEST(rm_int3)
	mov	$RAM_SIZE, %sp
	int3

/*
 * check_cpuid: the guest's CPUID of the leaf the VMM set with
 * KVM_SET_CPUID2; EAX, EBX, ECX, EDX out in turn.
 */
GUEST(rm_cpuid)
	mov	$CPUID_LEAF, %eax
	xor	%ecx, %ecx
	cpuid
	out	%eax, $0x70
	mov	%ebx, %eax
	out	%eax, $0x70
	mov	%ecx, %eax
	out	%eax, $0x70
	mov	%edx, %eax
	out	%eax, $0x70
	hlt

/* check_fpu: XMM0's low 4 bytes out (the VMM sets CR4.OSFXSR for SSE). */
GUEST(rm_xmm)
	movd	%xmm0, %eax
	out	%eax, $0x71
	hlt

/*
 * The event checks: interrupts enabled, then HLT or a loop. The handlers
 * of the NMI and of IRQ_VECTOR (the IVT at GPA 0 points at them, the
 * stack is below STACK_TOP) say which ran by a marker to EVENT_PORT.
 */
GUEST(rm_sti_hlt)
	sti
	hlt
	jmp	rm_sti_hlt
GUEST(rm_sti_spin)
	sti
GUEST(rm_sti_spin_loop)
	jmp	rm_sti_spin_loop
/* check_irqchip: the PIT's channel 0 every millisecond (mode 2, count 1193), then STI; HLT. */
GUEST(rm_pit)
	mov	$0x34, %al
	out	%al, $0x43
	mov	$0xa9, %al
	out	%al, $0x40
	mov	$0x04, %al
	out	%al, $0x40
	jmp	rm_sti_hlt
/* check_pit_from_ap: rm_pit's channel 0 from another vCPU, then PIT_AP_MARKER out. */
GUEST(rm_pit_ap)
	mov	$0x34, %al
	out	%al, $0x43
	mov	$0xa9, %al
	out	%al, $0x40
	mov	$0x04, %al
	out	%al, $0x40
	mov	$PIT_AP_MARKER, %al
	out	%al, $EVENT_PORT
	hlt
/*
 * check_tsc_deadline: IA32_TSC_DEADLINE = the guest's TSC + EBX, written
 * and sent out as rm_rdtsc sends a TSC, then STI; HLT. The timer's handler
 * (rm_tsc_handler) sends the TSC it runs at.
 */
GUEST(rm_tsc_deadline)
	rdtsc
	add	%ebx, %eax
	adc	$0, %edx
	mov	$MSR_TSC_DEADLINE, %ecx
	wrmsr
	out	%eax, $0x50
	mov	%edx, %eax
	out	%eax, $0x51
	jmp	rm_sti_hlt
GUEST(rm_tsc_handler)
	rdtsc
	out	%eax, $0x50
	mov	%edx, %eax
	out	%eax, $0x51
	hlt
GUEST(rm_nmi_handler)
	mov	$NMI_MARKER, %al
	out	%al, $EVENT_PORT
	hlt
GUEST(rm_irq_handler)
	mov	$IRQ_MARKER, %al
	out	%al, $EVENT_PORT
	hlt

	.code32
/* check_protected_mode: flat 32-bit segments, CR0.PE. */
GUEST(pm_guest)
	mov	$0x32, %al
	out	%al, $0x50
	in	$0x51, %eax
	out	%eax, $0x52
	movl	$0xfeedface, MMIO_GPA
	mov	MMIO_GPA + 8, %eax
	out	%eax, $0x53
	movl	$0x32323232, DATA_GPA
	hlt

/*
 * check_dirty_log_many: a byte written to each of ECX pages from EBX, and an
 * OUT after each page whose count left ANDed with EDX is 0; HLT.
 */
GUEST(pm_dirty_many)
1:	movb	$1, (%ebx)
	add	$0x1000, %ebx
	dec	%ecx
	jz	2f
	test	%edx, %ecx
	jnz	1b
	out	%al, $MANY_PORT
	jmp	1b
2:	hlt

	.code64
/* check_long_mode: 64-bit CS, 4-level paging; 8-byte MMIO. */
GUEST(lm_guest)
	mov	$0x64, %al
	out	%al, $0x60
	in	$0x61, %eax
	out	%eax, $0x62
	movabs	$0x0123456789abcdef, %rax
	mov	%rax, MMIO_GPA
	mov	MMIO_GPA + 8, %rax
	out	%eax, $0x63
	shr	$32, %rax
	out	%eax, $0x63
	movl	$0x64646464, DATA_GPA
	hlt

/* check_hypercall in 64-bit mode: the result is not truncated. */
GUEST(lm_vmmcall)
	mov	$HC_UNKNOWN, %eax
	vmmcall
	out	%eax, $0x45
	hlt
GUEST(lm_vmcall)
	mov	$HC_UNKNOWN, %eax
	vmcall
	out	%eax, $0x45
	hlt
/* CPUID leaf 1's ECX, then MONITOR (of this code) and MWAIT; OUT of that ECX (check_mwait()). */
GUEST(lm_mwait)
	mov	$1, %eax
	xor	%ecx, %ecx
	cpuid
	mov	%ecx, %ebx
	lea	lm_mwait(%rip), %rax
	xor	%ecx, %ecx
	xor	%edx, %edx
	monitor
	xor	%eax, %eax
	mwait
	mov	%ebx, %eax
	out	%eax, $0x45
	hlt

/*
 * check_cr8: CR8 written from R9 (REX.R and REX.B), read back and sent; CR8
 * again after the VMM's KVM_SET_LAPIC.
 */
GUEST(lm_cr8)
	mov	$5, %r9d
	mov	%r9, %cr8
	mov	%cr8, %rax
	out	%eax, $0x46
	mov	%cr8, %rax
	out	%eax, $0x46
	hlt

/*
 * check_cr8_irq: CR8 15 holds every interrupt back; STI, then an OUT of it
 * (the VMM raises IRQ_VECTOR meanwhile); lowering CR8 to 0 lets it in, so
 * the handler's OUT comes before the one after the MOV.
 */
GUEST(lm_cr8_irq)
	mov	$15, %eax
	mov	%rax, %cr8
	sti
	out	%al, $CR8_PORT
	xor	%eax, %eax
	mov	%rax, %cr8
	mov	$0x99, %al
	out	%al, $CR8_PORT
	hlt
GUEST(lm_irq_handler)
	mov	$IRQ_MARKER, %al
	out	%al, $EVENT_PORT
	hlt

/* check_cr8_irq: 1000 MOVs to CR8 with nothing pending, then an OUT of 0. */
GUEST(lm_cr8_loop)
	mov	$1000, %ecx
1:	mov	%rcx, %rax
	and	$15, %eax
	mov	%rax, %cr8
	loop	1b
	xor	%eax, %eax
	mov	%rax, %cr8
	out	%al, $CR8_PORT
	hlt

/*
 * check_xsave: CR4.OSXSAVE on, then CPUID leaf 1's ECX; XGETBV of XCR0 (the
 * VMM's KVM_SET_XCRS); CPUID 0xD.0's EBX; the low dword of YMM0's upper half
 * (VEX forms: SSE's CR4.OSFXSR does not matter to them).
 */
GUEST(lm_xsave)
	mov	%cr4, %rax
	or	$CR4_OSXSAVE, %rax
	mov	%rax, %cr4
	mov	$1, %eax
	xor	%ecx, %ecx
	cpuid
	mov	%ecx, %eax
	out	%eax, $XSAVE_PORT
	xor	%ecx, %ecx
	xgetbv
	out	%eax, $XSAVE_PORT
	mov	$0xd, %eax
	xor	%ecx, %ecx
	cpuid
	mov	%ebx, %eax
	out	%eax, $XSAVE_PORT
	vextractf128 $1, %ymm0, %xmm1
	vmovd	%xmm1, %eax
	out	%eax, $XSAVE_PORT
	hlt

/*
 * check_user_msr: RDMSR of an MSR no one has, its EAX and EDX sent; WRMSR
 * of it; RDMSR of FS_BASE, which the VMM's filter denies.
 */
GUEST(lm_user_msr)
	mov	$MSR_UNKNOWN, %ecx
	rdmsr
	out	%eax, $0x47
	mov	%edx, %eax
	out	%eax, $0x47
	mov	$MSR_UNKNOWN, %ecx
	mov	$0xaa, %eax
	mov	$0xbb, %edx
	wrmsr
	mov	$0xc0000100, %ecx
	rdmsr
	hlt

GUEST(guest_end)
	.section .note.GNU-stack, "", @progbits
