/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MMIO instruction emulator: carries out a decoded instruction (decode.h)
 * whose memory access exited (EPT/NPT violation on a non-RAM page).
 *
 * Emulated (legacy encoding only):
 *   MOV 88, 89, 8A, 8B, C6 /0, C7 /0, A0-A3 (moffs)
 *   MOVZX/MOVSX 0F B6, B7, BE, BF; MOVSXD 63 (64-bit mode)
 *   ADD/OR/ADC/SBB/AND/SUB/XOR/CMP 00-03, 08-0B, 10-13, 18-1B, 20-23,
 *     28-2B, 30-33, 38-3B and 80, 81, 83 (group 1)
 *   TEST 84, 85, F6 /0 /1, F7 /0 /1; XCHG 86, 87
 *   STOS AA, AB and MOVS A4, A5, with or without REP
 * Anything else is X86_EMU_UNHANDLED.
 *
 * Memory goes through the read/write callbacks with guest linear
 * addresses; they decide whether an address is RAM or MMIO. All reads of
 * an instruction (or of one iteration of a string instruction) happen
 * before its writes, and registers and flags are only written after every
 * access of that step succeeded: a failing callback leaves the guest
 * state as it was before the step. A read that already reached a device
 * is not undone, so a caller that replays an instruction after
 * X86_EMU_RETRY answers the replayed reads from what it recorded.
 */
#ifndef KEEL_X86_EMULATE_H
#define KEEL_X86_EMULATE_H

#include "asm/processor-flags.h"
#include "arch/x86/virt/decode.h"
#include "kernel/types.h"

/*
 * x86_emulate() results. Callbacks return 0, a negative errno (returned
 * by x86_emulate() unchanged), X86_EMU_EXCEPTION after filling in emu->exc
 * (e.g. #PF from the page walk), or X86_EMU_RETRY to stop (e.g. an MMIO
 * read that must first go to userspace: the caller runs x86_emulate()
 * again when the data is there). The failing step commits nothing; the
 * iterations of a REP string instruction before it stay done.
 */
enum x86_emu_result {
	X86_EMU_OK = 0,		/* done; rip advanced (see max_reps) */
	X86_EMU_UNHANDLED,	/* not emulated: KVM_EXIT_INTERNAL_ERROR */
	X86_EMU_EXCEPTION,	/* inject emu->exc; rip not advanced */
	X86_EMU_RETRY,		/* a callback asked to stop the step */
};

/* Exception vectors (SDM Vol.3 table 6-1). */

struct x86_exception {
	u8 vector;
	bool has_error_code;
	u32 error_code;
	u64 cr2;		/* #PF only */
};

/* Guest registers, GPRs in the SDM's numbering (RAX, RCX, ... R15). */
struct x86_regs {
	u64 gpr[16];
	u64 rip;
	u64 rflags;
};

enum {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
};

/* RFLAGS bits (SDM Vol.1 3.4.3). */
#define X86_FLAGS_CF BIT(0)
#define X86_FLAGS_PF BIT(2)
#define X86_FLAGS_AF BIT(4)
#define X86_FLAGS_ZF BIT(6)
#define X86_FLAGS_SF BIT(7)
#define X86_FLAGS_DF BIT(10)
#define X86_FLAGS_OF BIT(11)
#define X86_FLAGS_STATUS (X86_FLAGS_CF | X86_FLAGS_PF | X86_FLAGS_AF | \
			  X86_FLAGS_ZF | X86_FLAGS_SF | X86_FLAGS_OF)

struct x86_emu {
	struct x86_regs *regs;
	enum x86_mode mode;
	/*
	 * Segment bases by enum x86_seg. Outside 64-bit mode all six apply;
	 * in 64-bit mode only FS and GS (SDM Vol.3 3.4.4).
	 */
	u64 seg_base[6];
	bool la57;		/* 57-bit linear addresses (CR4.LA57) */
	/*
	 * Most iterations of a REP string instruction per call, 0 for no
	 * limit. When it stops early, rip stays on the instruction and the
	 * guest re-executes it for the rest (SDM Vol.2 REP: restartable).
	 */
	u64 max_reps;
	/*
	 * If set, a REP string instruction also stops after an iteration that
	 * made *stop true (the caller's: that one access needs the caller's
	 * VMM before the next).
	 */
	const bool *stop;
	void *ctx;
	int (*read)(void *ctx, u64 gva, void *buf, unsigned int len);
	int (*write)(void *ctx, u64 gva, const void *buf, unsigned int len);
	struct x86_exception exc;	/* valid after X86_EMU_EXCEPTION */
};

/*
 * Emulate @insn, decoded by x86_decode() in emu->mode from the bytes at
 * emu->regs->rip, against emu->regs. Returns an enum x86_emu_result or a
 * callback's negative errno.
 */
int x86_emulate(struct x86_emu *emu, const struct x86_insn *insn);

#endif
