// SPDX-License-Identifier: GPL-2.0
/*
 * Structure offsets for assembly, generated at build time (the Makefile
 * turns the "->NAME value" markers into arch/x86/asm-offsets.h).
 */
#include <stddef.h>

#include "kernel/vm.h"

#define DEFINE(sym, val) asm volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define GPR(r) DEFINE(GPR_##r##_OFF, offsetof(struct x86_regs, gpr[GPR_##r]) - offsetof(struct x86_regs, gpr))

void asm_offsets(void);

void asm_offsets(void)
{
	GPR(RAX);
	GPR(RCX);
	GPR(RDX);
	GPR(RBX);
	GPR(RSP);
	GPR(RBP);
	GPR(RSI);
	GPR(RDI);
	GPR(R8);
	GPR(R9);
	GPR(R10);
	GPR(R11);
	GPR(R12);
	GPR(R13);
	GPR(R14);
	GPR(R15);
}
