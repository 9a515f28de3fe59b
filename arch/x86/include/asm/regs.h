/* SPDX-License-Identifier: GPL-2.0 */
/* The register frame arch/x86/entry.S builds on every interrupt and exception. */
#ifndef KEEL_X86_REGS_H
#define KEEL_X86_REGS_H

#include "kernel/types.h"

struct regs {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rdi, rsi, rbp, rbx, rdx, rcx, rax;
	u64 vector, error_code;
	/* pushed by the CPU (SDM Vol. 3A 6.14.2) */
	u64 rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct regs) == 22 * 8, "entry.S pushes 22 quadwords");
_Static_assert(__builtin_offsetof(struct regs, vector) == 15 * 8, "entry.S layout");

#endif
