/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 instruction decoder: length and fields of one instruction, as the
 * MMIO emulator (arch/x86/virt/emulate.h) and the exit handlers need them.
 * References are to the Intel SDM Vol. 2 (chapter 2 "Instruction Format",
 * appendix A "Opcode Map").
 */
#ifndef KEEL_X86_DECODE_H
#define KEEL_X86_DECODE_H

#include "kernel/types.h"

/* SDM Vol.2 2.3.11: no instruction is longer than this (else #GP). */
#define X86_MAX_INSN_LEN 15

/* Code segment default size (CS.D), or 64-bit mode (CS.L in long mode). */
enum x86_mode {
	X86_MODE_16,
	X86_MODE_32,
	X86_MODE_64,
};

/* Segment registers in their ModRM.reg encoding (SDM Vol.2 3.1.1.3). */
enum x86_seg {
	X86_SEG_ES,
	X86_SEG_CS,
	X86_SEG_SS,
	X86_SEG_DS,
	X86_SEG_FS,
	X86_SEG_GS,
	X86_SEG_NONE,
};

/* How the opcode was encoded. */
enum x86_encoding {
	X86_ENC_LEGACY,		/* optional legacy/REX prefixes + opcode */
	X86_ENC_VEX,		/* C4/C5, SDM Vol.2 2.3 */
	X86_ENC_EVEX,		/* 62, SDM Vol.2 2.7 */
	X86_ENC_XOP,		/* 8F with map >= 8, AMD APM Vol.3 1.8 */
};

/*
 * Opcode maps. Legacy maps are reached by escape bytes (SDM Vol.2 A.2);
 * VEX/EVEX/XOP name their map in the prefix and use the same numbers
 * (1 = 0F, 2 = 0F38, 3 = 0F3A, 5/6 = EVEX maps 5/6, 8..10 = XOP).
 */
enum x86_map {
	X86_MAP_1BYTE = 0,
	X86_MAP_0F = 1,
	X86_MAP_0F38 = 2,
	X86_MAP_0F3A = 3,
	X86_MAP_EVEX5 = 5,
	X86_MAP_EVEX6 = 6,
	X86_MAP_XOP8 = 8,
	X86_MAP_XOP9 = 9,
	X86_MAP_XOPA = 10,
};

/* REX bits (SDM Vol.2 2.2.1). */
#define X86_REX_B 0x1
#define X86_REX_X 0x2
#define X86_REX_R 0x4
#define X86_REX_W 0x8

struct x86_insn {
	u8 len;			/* total length in bytes */
	u8 mode;		/* enum x86_mode it was decoded in */
	u8 encoding;		/* enum x86_encoding */
	u8 map;			/* enum x86_map */
	u8 opcode;		/* opcode byte within the map */

	/* Legacy prefixes (SDM Vol.2 2.1.1). */
	u8 nprefixes;		/* legacy + REX prefix bytes */
	bool lock;		/* F0 */
	u8 rep;			/* 0, or the last of F2/F3 */
	u8 seg;			/* enum x86_seg: last segment override */
	bool opsize_prefix;	/* 66 */
	bool adsize_prefix;	/* 67 */

	/*
	 * REX.WRXB (low four bits of the REX byte that took effect, or the
	 * inverted R/X/B and the W of a VEX/EVEX/XOP prefix); rex_present
	 * says a REX byte was in force (it changes AH..BH to SPL..DIL).
	 */
	u8 rex;
	bool rex_present;

	/* VEX/EVEX/XOP fields (SDM Vol.2 2.3.5, 2.7.1), vvvv un-inverted. */
	u8 vex_l;		/* VEX.L, or EVEX.L'L */
	u8 vex_pp;		/* implied 66/F3/F2 prefix: 0..3 */
	u8 vex_vvvv;
	u8 evex_p2;		/* raw EVEX P2 byte: z L'L b V' aaa */

	u8 opsize;		/* effective operand size: 2, 4 or 8 */
	u8 adsize;		/* effective address size: 2, 4 or 8 */

	bool has_modrm;
	u8 modrm, mod, reg, rm;	/* raw ModRM fields (no REX extension) */
	bool has_sib;
	u8 sib, scale, index, base;	/* raw SIB fields, scale is 0..3 */

	/*
	 * Displacement, sign-extended from disp_size bytes. The moffs of
	 * A0-A3 is kept here too (disp_size = address size): it is the
	 * displacement of an address with neither base nor index.
	 */
	u8 disp_size;
	s64 disp;
	bool rip_relative;	/* 64-bit mode, mod 00 rm 101: RIP + disp32 */

	/*
	 * Immediate (zero-extended raw value) and, for ENTER, far pointers
	 * and EXTRQ/INSERTQ, the second immediate (imm2: ENTER's nesting
	 * level, the far pointer's selector, EXTRQ's index). Relative branch
	 * offsets are immediates too.
	 */
	u8 imm_size;
	u64 imm;
	u8 imm2_size;
	u64 imm2;
};

/*
 * Decode the instruction at @bytes, of which @avail are readable, for a
 * code segment of mode @mode. Returns the length (1..15) and fills
 * @insn, or -EINVAL for an undefined encoding or one longer than 15 bytes
 * (#UD/#GP), or -EAGAIN when @avail ends before the length is known.
 */
int x86_decode(const u8 *bytes, size_t avail, enum x86_mode mode,
	       struct x86_insn *insn);

/* True if the ModRM byte names memory (mod != 11). */
static inline bool x86_insn_has_mem(const struct x86_insn *insn)
{
	return insn->has_modrm && insn->mod != 3;
}

#endif
