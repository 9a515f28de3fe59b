// SPDX-License-Identifier: GPL-2.0
/*
 * realmode: drop from 32-bit protected mode to real mode (CS = 0xFFFF over
 * the high memory area, lib/realmode.S), run CPUID and port I/O from 16-bit
 * code, print a line through the UART from it, and come back.
 */
#include "guest.h"
#include "keel/hypercall.h"

extern char rm_main[];
extern u32 rm_results[9];	/* written by rm_main */
void realmode_call(void *fn);

void guest_main(void)
{
	realmode_call(rm_main);
	printf("back in protected mode: real-mode CR0 %#x CS %#x leaf 1 ECX %#x\n",
	       rm_results[0], rm_results[1] & 0xFFFF, rm_results[2]);
	check(!(rm_results[0] & CR0_PE), "CR0.PE clear in real mode");
	check_eq(rm_results[1] & 0xFFFF, RM_SEG, "CS in real mode");
	check_eq(rm_results[7] & 0xFF, 0x5A, "real-mode UART scratch read-back");
	check_eq(rm_results[8] & 0xFF, 0xFF, "real-mode IN from unclaimed port 0x80");
	check(read_cr0() & CR0_PE, "CR0.PE set again");
	printf("protected mode again, IDT restored\n");
	asm volatile(ASM_TRY_BEGIN "ud2" ASM_TRY_END : : : "memory");
	check_trap(UD_VECTOR, 0, true, "ud2 after the round trip");
	check(rm_results[2] & (1u << 31), "real-mode CPUID leaf 1: hypervisor bit");
	check_eq(rm_results[3], KEEL_CPUID_LEAF_MAX, "real-mode CPUID 0x40000000 EAX");
	check(rm_results[4] == KEEL_CPUID_SIGNATURE && rm_results[5] == KEEL_CPUID_SIGNATURE &&
	      rm_results[6] == KEEL_CPUID_SIGNATURE, "real-mode CPUID 0x40000000 signature KeelKeelKeel");
}
