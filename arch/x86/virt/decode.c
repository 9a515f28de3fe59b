// SPDX-License-Identifier: GPL-2.0
/*
 * x86 instruction decoder (SDM Vol.2 chapter 2 and appendix A).
 *
 * The decoder walks prefixes, opcode, ModRM/SIB/displacement and
 * immediates, taking every length rule from per-map attribute tables.
 * An opcode is "undefined" (-EINVAL) when no mandatory prefix makes it an
 * instruction; which of 66/F2/F3 select which SSE instruction is left to
 * the consumer. VEX/EVEX/XOP opcodes are accepted in every defined map:
 * their length follows from the map alone (SDM Vol.2 2.3.5, 2.7) and
 * feature-level #UD is the CPU's business, which executed the instruction
 * before any exit could hand it to us.
 */
#include "arch/x86/virt/decode.h"
#include "kernel/errno.h"
#include "kernel/string.h"

/* Immediate kinds, bits 0-3 of an opcode attribute. */
enum {
	I_NONE,
	I_B,		/* imm8, rel8 */
	I_W,		/* imm16 */
	I_D,		/* imm32 (XOP map 0A) */
	I_Z,		/* imm16/32 by operand size */
	I_V,		/* imm16/32/64 by operand size (B8+r) */
	I_MOFFS,	/* offset of address size (A0-A3) */
	I_PTR,		/* far pointer: offset16/32 + selector16 */
	I_ENTER,	/* imm16 + imm8 */
	I_RELZ,		/* near branch rel16/32; rel32 in 64-bit mode */
	I_GRP3,		/* F6/F7: TEST (/0, /1) has imm8 or immz */
	I_EXTRQ,	/* 0F 78: EXTRQ/INSERTQ have imm8 + imm8 */
};
#define I_MASK 0xf

/* Opcode attributes (the superscripts of SDM Vol.2 tables ). */
#define A_MODRM  BIT(4)		/* has a ModRM byte */
#define A_UD     BIT(5)		/* undefined */
#define A_I64    BIT(6)		/* invalid in 64-bit mode */
#define A_D64    BIT(7)		/* 64-bit operand size by default */
#define A_F64    BIT(8)		/* 64-bit operand size, 66 ignored */
#define A_MEM    BIT(9)		/* ModRM must name memory */
#define A_REG    BIT(10)	/* ModRM must name a register */
#define A_MODREG BIT(11)	/* ModRM.mod is ignored, always a register */
#define A_GROUP  BIT(12)	/* validity by ModRM: see group_rules */
#define A_3DNOW  BIT(13)	/* 0F 0F: the imm8 is the opcode */

#define M A_MODRM

/* SDM Vol.2 table A-2, one-byte opcode map. */
static const u16 map_1byte[256] = {
	[0x00 ... 0x03] = M, [0x04] = I_B, [0x05] = I_Z,
	[0x06 ... 0x07] = A_I64,
	[0x08 ... 0x0b] = M, [0x0c] = I_B, [0x0d] = I_Z, [0x0e] = A_I64,
	[0x10 ... 0x13] = M, [0x14] = I_B, [0x15] = I_Z,
	[0x16 ... 0x17] = A_I64,
	[0x18 ... 0x1b] = M, [0x1c] = I_B, [0x1d] = I_Z,
	[0x1e ... 0x1f] = A_I64,
	[0x20 ... 0x23] = M, [0x24] = I_B, [0x25] = I_Z, [0x27] = A_I64,
	[0x28 ... 0x2b] = M, [0x2c] = I_B, [0x2d] = I_Z, [0x2f] = A_I64,
	[0x30 ... 0x33] = M, [0x34] = I_B, [0x35] = I_Z, [0x37] = A_I64,
	[0x38 ... 0x3b] = M, [0x3c] = I_B, [0x3d] = I_Z, [0x3f] = A_I64,
	[0x50 ... 0x5f] = A_D64,
	[0x60 ... 0x61] = A_I64, [0x62] = M | A_I64 | A_MEM, [0x63] = M,
	[0x68] = I_Z | A_D64, [0x69] = M | I_Z, [0x6a] = I_B | A_D64,
	[0x6b] = M | I_B,
	[0x70 ... 0x7f] = I_B | A_F64,
	[0x80] = M | I_B, [0x81] = M | I_Z, [0x82] = M | I_B | A_I64,
	[0x83] = M | I_B, [0x84 ... 0x8b] = M, [0x8c] = M | A_GROUP,
	[0x8d] = M | A_MEM, [0x8e] = M | A_GROUP,
	[0x8f] = M | A_D64 | A_GROUP,
	[0x9a] = I_PTR | A_I64, [0x9c ... 0x9d] = A_D64,
	[0xa0 ... 0xa3] = I_MOFFS, [0xa8] = I_B, [0xa9] = I_Z,
	[0xb0 ... 0xb7] = I_B, [0xb8 ... 0xbf] = I_V,
	[0xc0 ... 0xc1] = M | I_B, [0xc2] = I_W | A_F64, [0xc3] = A_F64,
	[0xc4 ... 0xc5] = M | A_I64 | A_MEM,
	[0xc6] = M | I_B | A_GROUP, [0xc7] = M | I_Z | A_GROUP,
	[0xc8] = I_ENTER | A_D64, [0xc9] = A_D64, [0xca] = I_W,
	[0xcd] = I_B, [0xce] = A_I64,
	[0xd0 ... 0xd3] = M, [0xd4 ... 0xd5] = I_B | A_I64, [0xd6] = A_I64,
	[0xd8 ... 0xdf] = M | A_GROUP,
	[0xe0 ... 0xe3] = I_B | A_F64, [0xe4 ... 0xe7] = I_B,
	[0xe8 ... 0xe9] = I_RELZ | A_F64, [0xea] = I_PTR | A_I64,
	[0xeb] = I_B | A_F64,
	[0xf6 ... 0xf7] = M | I_GRP3, [0xfe ... 0xff] = M | A_GROUP,
};

/* SDM Vol.2 table A-3, two-byte opcode map (0F xx). */
static const u16 map_0f[256] = {
	[0x00 ... 0x01] = M | A_GROUP, [0x02 ... 0x03] = M,
	[0x04] = A_UD, [0x0a] = A_UD, [0x0c] = A_UD,
	[0x0d] = M | A_MEM, [0x0f] = M | I_B | A_3DNOW,
	[0x10 ... 0x12] = M, [0x13] = M | A_MEM, [0x14 ... 0x16] = M,
	[0x17] = M | A_MEM, [0x18 ... 0x1f] = M,
	[0x20 ... 0x23] = M | A_MODREG, [0x24 ... 0x27] = A_UD,
	[0x28 ... 0x2a] = M, [0x2b] = M | A_MEM, [0x2c ... 0x2f] = M,
	[0x36] = A_UD, [0x39] = A_UD, [0x3b ... 0x3f] = A_UD,
	[0x40 ... 0x4f] = M, [0x50] = M | A_REG, [0x51 ... 0x6f] = M,
	[0x70] = M | I_B, [0x71 ... 0x73] = M | I_B | A_GROUP,
	[0x74 ... 0x76] = M, [0x78] = M | I_EXTRQ, [0x79] = M,
	[0x7a ... 0x7b] = A_UD, [0x7c ... 0x7f] = M,
	[0x80 ... 0x8f] = I_RELZ | A_F64, [0x90 ... 0x9f] = M,
	[0xa0 ... 0xa1] = A_D64, [0xa3] = M, [0xa4] = M | I_B, [0xa5] = M,
	[0xa6 ... 0xa7] = M | A_GROUP, [0xa8 ... 0xa9] = A_D64, [0xab] = M,
	[0xac] = M | I_B, [0xad ... 0xaf] = M,
	[0xb0 ... 0xb1] = M, [0xb2] = M | A_MEM, [0xb3] = M,
	[0xb4 ... 0xb5] = M | A_MEM, [0xb6 ... 0xb9] = M,
	[0xba] = M | I_B | A_GROUP, [0xbb ... 0xc1] = M,
	[0xc2] = M | I_B, [0xc3] = M | A_MEM, [0xc4] = M | I_B,
	[0xc5] = M | I_B | A_REG, [0xc6] = M | I_B, [0xc7] = M | A_GROUP,
	[0xd0 ... 0xd6] = M, [0xd7] = M | A_REG, [0xd8 ... 0xe6] = M,
	[0xe7] = M | A_MEM, [0xe8 ... 0xef] = M, [0xf0] = M | A_MEM,
	[0xf1 ... 0xf6] = M, [0xf7] = M | A_REG, [0xf8 ... 0xff] = M,
};

/*
 * SDM Vol.2 tables, three-byte maps 0F 38 and 0F 3A (no VEX).
 * Every defined opcode takes a ModRM byte: an entry without is undefined.
 */
static const u16 map_0f38[256] = {
	[0x00 ... 0x0b] = M, [0x10] = M, [0x14 ... 0x15] = M, [0x17] = M,
	[0x1c ... 0x1e] = M, [0x20 ... 0x25] = M, [0x28 ... 0x2b] = M,
	[0x30 ... 0x35] = M, [0x37 ... 0x41] = M, [0x80 ... 0x82] = M,
	[0xc8 ... 0xcd] = M, [0xcf] = M, [0xd8] = M, [0xdb ... 0xdf] = M,
	[0xf0 ... 0xf1] = M, [0xf5 ... 0xf6] = M, [0xf8 ... 0xfc] = M,
};

static const u16 map_0f3a[256] = {
	[0x08 ... 0x0f] = M | I_B, [0x14 ... 0x17] = M | I_B,
	[0x20 ... 0x22] = M | I_B, [0x40 ... 0x42] = M | I_B,
	[0x44] = M | I_B, [0x60 ... 0x63] = M | I_B, [0xcc] = M | I_B,
	[0xce ... 0xcf] = M | I_B, [0xdf] = M | I_B, [0xf0] = M | I_B,
};

/* 3DNow! opcodes, the imm8 of 0F 0F (AMD APM Vol.3 appendix A.3). */
static const u64 amd_3dnow[4] = {
	BIT(0x0c) | BIT(0x0d) | BIT(0x1c) | BIT(0x1d),
	0,
	BIT(0x8a - 0x80) | BIT(0x8e - 0x80) | BIT(0x90 - 0x80) |
		BIT(0x94 - 0x80) | BIT(0x96 - 0x80) | BIT(0x97 - 0x80) |
		BIT(0x9a - 0x80) | BIT(0x9e - 0x80) | BIT(0xa0 - 0x80) |
		BIT(0xa4 - 0x80) | BIT(0xa6 - 0x80) | BIT(0xa7 - 0x80) |
		BIT(0xaa - 0x80) | BIT(0xae - 0x80) | BIT(0xb0 - 0x80) |
		BIT(0xb4 - 0x80) | BIT(0xb6 - 0x80) | BIT(0xb7 - 0x80) |
		BIT(0xbb - 0x80) | BIT(0xbf - 0x80),
	0,
};

/*
 * Opcodes whose ModRM byte decides whether they are defined: the groups
 * of SDM Vol.2 table A-6 and the x87 escapes of tables A-7..A-22. Bit n
 * of mem_regs: ModRM.reg n is defined with a memory operand; bit n of
 * reg_forms: ModRM byte C0+n is defined.
 */
struct group_rule {
	u8 map;
	u8 opcode;
	u8 mem_regs;
	u64 reg_forms;
};

#define REGS(n)		(0xffULL << (8 * (n)))
#define MODRM(b)	BIT((b) - 0xc0)
#define RANGE(lo, hi)	((~0ULL >> (0xff - (hi))) & (~0ULL << ((lo) - 0xc0)))

static const struct group_rule group_rules[] = {
	/* MOV Sreg: ModRM.reg names ES..GS; loading CS is undefined. */
	{ X86_MAP_1BYTE, 0x8c, 0x3f, RANGE(0xc0, 0xef) },
	{ X86_MAP_1BYTE, 0x8e, 0x3d, RANGE(0xc0, 0xc7) | RANGE(0xd0, 0xef) },
	/* 1A: POP /0 only (/1-/7 of 8F are XOP, handled before). */
	{ X86_MAP_1BYTE, 0x8f, 0x01, REGS(0) },
	/* 11: MOV /0, and C6 F8 XABORT / C7 F8 XBEGIN. */
	{ X86_MAP_1BYTE, 0xc6, 0x01, REGS(0) | MODRM(0xf8) },
	{ X86_MAP_1BYTE, 0xc7, 0x01, REGS(0) | MODRM(0xf8) },
	/* 4, 5: INC/DEC; CALLF/JMPF (/3, /5) need memory. */
	{ X86_MAP_1BYTE, 0xfe, 0x03, REGS(0) | REGS(1) },
	{ X86_MAP_1BYTE, 0xff, 0x7f,
	  REGS(0) | REGS(1) | REGS(2) | REGS(4) | REGS(6) },
	/*
	 * x87. Besides the documented forms, the register aliases every
	 * x86 CPU executes are defined: FSTP1 (D9 D8), FCOM2/FCOMP3
	 * (DC D0/D8), FXCH4 (DD C8), FCOMP5 (DE D0), FFREEP/FXCH7/FSTP8/
	 * FSTP9 (DF C0-DF) and the 8087 no-ops FENI/FDISI/FSETPM (DB E0/E1/E4).
	 */
	{ X86_MAP_1BYTE, 0xd8, 0xff, ~0ULL },
	{ X86_MAP_1BYTE, 0xd9, 0xfd, RANGE(0xc0, 0xd0) | RANGE(0xd8, 0xe1) |
	  RANGE(0xe4, 0xe5) | RANGE(0xe8, 0xee) | RANGE(0xf0, 0xff) },
	{ X86_MAP_1BYTE, 0xda, 0xff, RANGE(0xc0, 0xdf) | MODRM(0xe9) },
	{ X86_MAP_1BYTE, 0xdb, 0xaf, RANGE(0xc0, 0xe4) | RANGE(0xe8, 0xf7) },
	{ X86_MAP_1BYTE, 0xdc, 0xff, ~0ULL },
	{ X86_MAP_1BYTE, 0xdd, 0xdf, RANGE(0xc0, 0xef) },
	{ X86_MAP_1BYTE, 0xde, 0xff, RANGE(0xc0, 0xd7) | MODRM(0xd9) |
	  RANGE(0xe0, 0xff) },
	{ X86_MAP_1BYTE, 0xdf, 0xff, RANGE(0xc0, 0xe0) | RANGE(0xe8, 0xf7) },
	/* 6: SLDT..VERW, LKGS (/6). */
	{ X86_MAP_0F, 0x00, 0x7f, RANGE(0xc0, 0xf7) },
	/* 7: every memory form; the register forms are single instructions. */
	{ X86_MAP_0F, 0x01, 0xff, ~(RANGE(0xcc, 0xce) | RANGE(0xd2, 0xd3) |
				    MODRM(0xeb)) },
	/* 12, 13, 14: MMX/SSE shifts by immediate, register operand only. */
	{ X86_MAP_0F, 0x71, 0x00, REGS(2) | REGS(4) | REGS(6) },
	{ X86_MAP_0F, 0x72, 0x00, REGS(2) | REGS(4) | REGS(6) },
	{ X86_MAP_0F, 0x73, 0x00, REGS(2) | REGS(3) | REGS(6) | REGS(7) },
	/* VIA PadLock (VIA PadLock Programming Guide): ModRM names the op. */
	{ X86_MAP_0F, 0xa6, 0x00, MODRM(0xc0) | MODRM(0xc8) | MODRM(0xd0) },
	{ X86_MAP_0F, 0xa7, 0x00, MODRM(0xc0) | MODRM(0xc8) | MODRM(0xd0) |
				  MODRM(0xd8) | MODRM(0xe0) | MODRM(0xe8) },
	/* 8: BT/BTS/BTR/BTC imm8. */
	{ X86_MAP_0F, 0xba, 0xf0, RANGE(0xe0, 0xff) },
	/* 9: CMPXCHG8B/16B, XRSTORS, XSAVEC/S, VMPTRLD/ST; RDRAND, RDSEED. */
	{ X86_MAP_0F, 0xc7, 0xfa, RANGE(0xf0, 0xff) },
};

/* Read cursor over the instruction bytes. */
struct cursor {
	const u8 *bytes;
	size_t avail;
	unsigned int pos;
};

/* The byte at pos + @ahead, with the 15-byte (SDM Vol.2 2.3.11) limit. */
static int peek(const struct cursor *c, unsigned int ahead, u8 *b)
{
	unsigned int at = c->pos + ahead;

	if (at >= X86_MAX_INSN_LEN)
		return -EINVAL;
	if (at >= c->avail)
		return -EAGAIN;
	*b = c->bytes[at];
	return 0;
}

static int fetch(struct cursor *c, u8 *b)
{
	int ret = peek(c, 0, b);

	if (!ret)
		c->pos++;
	return ret;
}

/* Fetch a little-endian value of @n bytes, zero-extended. */
static int fetch_le(struct cursor *c, unsigned int n, u64 *val)
{
	unsigned int i;
	u8 b;
	int ret;

	*val = 0;
	for (i = 0; i < n; i++) {
		ret = fetch(c, &b);
		if (ret)
			return ret;
		*val |= (u64)b << (8 * i);
	}
	return 0;
}

static s64 sign_extend(u64 val, unsigned int bytes)
{
	unsigned int shift = 64 - 8 * bytes;

	return (s64)(val << shift) >> shift;
}

/* Apply one legacy prefix (SDM Vol.2 2.1.1); false if @b is none. */
static bool legacy_prefix(struct x86_insn *insn, u8 b)
{
	static const u8 seg_of[] = {
		[0x26] = X86_SEG_ES + 1, [0x2e] = X86_SEG_CS + 1,
		[0x36] = X86_SEG_SS + 1, [0x3e] = X86_SEG_DS + 1,
		[0x64] = X86_SEG_FS + 1, [0x65] = X86_SEG_GS + 1,
	};

	if (b < ARRAY_SIZE(seg_of) && seg_of[b]) {
		insn->seg = seg_of[b] - 1;
		return true;
	}
	switch (b) {
	case 0xf0:
		insn->lock = true;
		return true;
	case 0xf2:
	case 0xf3:
		insn->rep = b;
		return true;
	case 0x66:
		insn->opsize_prefix = true;
		return true;
	case 0x67:
		insn->adsize_prefix = true;
		return true;
	}
	return false;
}

/*
 * Legacy prefixes and REX. A REX counts only immediately before the
 * opcode: one followed by another prefix is ignored (SDM Vol.2 2.2.1).
 */
static int decode_prefixes(struct cursor *c, struct x86_insn *insn)
{
	u8 b, rex = 0;
	int ret;

	for (;;) {
		ret = peek(c, 0, &b);
		if (ret)
			return ret;
		if (insn->mode == X86_MODE_64 && (b & 0xf0) == 0x40)
			rex = b;
		else if (legacy_prefix(insn, b))
			rex = 0;
		else
			break;
		c->pos++;
	}
	insn->nprefixes = c->pos;
	insn->rex = rex & 0xf;
	insn->rex_present = rex != 0;
	return 0;
}

/*
 * Whether C4/C5/62/8F starts a VEX/EVEX/XOP prefix. Outside 64-bit mode
 * C4, C5 and 62 are LES, LDS and BOUND unless the next byte has ModRM.mod
 * 11 (SDM Vol.2 2.3.5, 2.7.1); 8F is POP unless the XOP map field is >= 8
 * (AMD APM Vol.3 1.8.1).
 */
static int is_vex_prefix(const struct cursor *c, const struct x86_insn *insn,
			 u8 b, bool *vex)
{
	u8 next;
	int ret;

	*vex = false;
	if (b != 0xc4 && b != 0xc5 && b != 0x62 && b != 0x8f)
		return 0;
	if (b != 0x8f && insn->mode == X86_MODE_64) {
		*vex = true;
		return 0;
	}
	ret = peek(c, 0, &next);
	if (ret)
		return ret;
	if (b == 0x8f)
		*vex = (next & 0x1f) >= 8;
	else
		*vex = (next & 0xc0) == 0xc0;
	return 0;
}

/* ModRM and immediate attributes of a VEX/EVEX/XOP opcode. */
static u16 vex_attr(const struct x86_insn *insn)
{
	u8 op = insn->opcode;

	switch (insn->map) {
	case X86_MAP_0F:
		/* VZEROUPPER/VZEROALL (VEX.0F 77) have no ModRM. */
		if (op == 0x77 && insn->encoding == X86_ENC_VEX)
			return 0;
		if ((op >= 0x70 && op <= 0x73) || op == 0xc2 ||
		    (op >= 0xc4 && op <= 0xc6))
			return M | I_B;
		return M;
	case X86_MAP_0F3A:
	case X86_MAP_XOP8:
		return M | I_B;
	case X86_MAP_XOPA:
		return M | I_D;
	default:
		return M;
	}
}

/*
 * VEX (SDM Vol.2 2.3.5), EVEX (2.7.1) and XOP payload bytes. R, X, B and
 * vvvv are stored inverted; outside 64-bit mode R, X and B are ignored.
 */
static int decode_vex_payload(struct cursor *c, struct x86_insn *insn, u8 b)
{
	/* Defined maps: VEX 1-3, EVEX 1-3 and 5-6, XOP 8-10. */
	static const u32 defined_maps[] = {
		[X86_ENC_VEX] = 0x00e, [X86_ENC_EVEX] = 0x06e,
		[X86_ENC_XOP] = 0x700,
	};
	u8 p[3] = { 0 }, map;
	unsigned int i, n = b == 0xc5 ? 1 : 3;
	int ret;

	if (b == 0xc4 || b == 0x8f)
		n = 2;
	for (i = 0; i < n; i++) {
		ret = fetch(c, &p[i]);
		if (ret)
			return ret;
	}
	if (b == 0xc5) {
		p[1] = p[0] & 0x7f;		/* W0 vvvv L pp */
		p[0] = (p[0] & 0x80) | 0x61;	/* R, X1, B1, map 1 */
	}
	map = b == 0x62 ? p[0] & 0x7 : p[0] & 0x1f;
	insn->encoding = b == 0x62 ? X86_ENC_EVEX :
			 b == 0x8f ? X86_ENC_XOP : X86_ENC_VEX;
	insn->rex = (~p[0] >> 5 & 0x7) | (p[1] >> 4 & X86_REX_W);
	if (insn->mode != X86_MODE_64)
		insn->rex &= X86_REX_W;
	insn->vex_vvvv = ~p[1] >> 3 & 0xf;
	insn->vex_l = b == 0x62 ? p[2] >> 5 & 3 : p[1] >> 2 & 1;
	insn->vex_pp = p[1] & 3;
	insn->evex_p2 = p[2];
	insn->map = map;
	if (!(defined_maps[insn->encoding] & BIT(map)))
		return -EINVAL;
	/* EVEX P0 bit 3 is 0 and P1 bit 2 is 1 (SDM Vol.2 2.7.1). */
	if (b == 0x62 && ((p[0] & 0x08) || !(p[1] & 0x04)))
		return -EINVAL;
	return 0;
}

/*
 * A VEX/EVEX/XOP prefix and its opcode. LOCK, 66, F2, F3 or REX before it
 * make the instruction #UD (SDM Vol.2 2.3.2).
 */
static int decode_vex(struct cursor *c, struct x86_insn *insn, u8 b, u16 *attr)
{
	int ret;

	if (insn->lock || insn->rep || insn->opsize_prefix || insn->rex_present)
		return -EINVAL;
	ret = decode_vex_payload(c, insn, b);
	if (ret)
		return ret;
	ret = fetch(c, &insn->opcode);
	if (ret)
		return ret;
	*attr = vex_attr(insn);
	return 0;
}

/* Opcode bytes: one-byte map, 0F, 0F 38, 0F 3A (SDM Vol.2 2.1.2). */
static int decode_opcode(struct cursor *c, struct x86_insn *insn, u16 *attr)
{
	static const u16 *const maps[] = {
		map_1byte, map_0f, map_0f38, map_0f3a,
	};
	bool vex;
	u8 b;
	int ret;

	ret = fetch(c, &b);
	if (ret)
		return ret;
	ret = is_vex_prefix(c, insn, b, &vex);
	if (ret)
		return ret;
	if (vex)
		return decode_vex(c, insn, b, attr);
	if (b == 0x0f) {
		insn->map = X86_MAP_0F;
		ret = fetch(c, &b);
		if (!ret && (b == 0x38 || b == 0x3a)) {
			insn->map = b == 0x38 ? X86_MAP_0F38 : X86_MAP_0F3A;
			ret = fetch(c, &b);
		}
		if (ret)
			return ret;
	}
	insn->opcode = b;
	*attr = maps[insn->map][b];
	if (insn->map >= X86_MAP_0F38 && !(*attr & A_MODRM))
		return -EINVAL;
	if ((*attr & A_UD) || (insn->mode == X86_MODE_64 && (*attr & A_I64)))
		return -EINVAL;
	return 0;
}

/* Whether a group opcode is defined for its ModRM byte (table A-6). */
static bool group_defined(const struct x86_insn *insn)
{
	const struct group_rule *g;

	for (g = group_rules; g < group_rules + ARRAY_SIZE(group_rules); g++) {
		if (g->map != insn->map || g->opcode != insn->opcode)
			continue;
		if (insn->mod == 3)
			return g->reg_forms & BIT(insn->modrm - 0xc0);
		return g->mem_regs & BIT(insn->reg);
	}
	return true;
}

/*
 * FF /2, /4 (near CALL/JMP) are f64 and FF /6 (PUSH) is d64 in 64-bit
 * mode (SDM Vol.2 table A-6).
 */
static u16 modrm_attr(const struct x86_insn *insn, u16 attr)
{
	if (insn->map != X86_MAP_1BYTE || insn->opcode != 0xff)
		return attr;
	if (insn->reg == 2 || insn->reg == 4)
		return attr | A_F64;
	if (insn->reg == 6)
		return attr | A_D64;
	return attr;
}

static int decode_modrm(struct cursor *c, struct x86_insn *insn, u16 attr)
{
	int ret = fetch(c, &insn->modrm);

	if (ret)
		return ret;
	insn->has_modrm = true;
	insn->mod = insn->modrm >> 6;
	insn->reg = insn->modrm >> 3 & 7;
	insn->rm = insn->modrm & 7;
	/* MOV to/from CR/DR: "the mod field is ignored" (SDM Vol.2 MOV). */
	if (attr & A_MODREG)
		insn->mod = 3;
	if (((attr & A_MEM) && insn->mod == 3) ||
	    ((attr & A_REG) && insn->mod != 3))
		return -EINVAL;
	if ((attr & A_GROUP) && !group_defined(insn))
		return -EINVAL;
	return 0;
}

/* Operand and address size (SDM Vol.2 2.2.1.2, table 2-4; Vol.1 3.6). */
static void set_sizes(struct x86_insn *insn, u16 attr)
{
	bool o16 = insn->opsize_prefix, a16 = insn->adsize_prefix;

	switch (insn->mode) {
	case X86_MODE_64:
		insn->adsize = a16 ? 4 : 8;
		if ((attr & A_F64) || (insn->rex & X86_REX_W))
			insn->opsize = 8;
		else if (insn->encoding != X86_ENC_LEGACY)
			insn->opsize = 4;
		else
			insn->opsize = o16 ? 2 : (attr & A_D64) ? 8 : 4;
		break;
	case X86_MODE_32:
		insn->adsize = a16 ? 2 : 4;
		insn->opsize = o16 ? 2 : 4;
		break;
	default:
		insn->adsize = a16 ? 4 : 2;
		insn->opsize = o16 ? 4 : 2;
		break;
	}
	if (insn->mode != X86_MODE_64 && insn->encoding != X86_ENC_LEGACY)
		insn->opsize = 4;
}

/* Displacement size for a ModRM memory operand (SDM Vol.2 tables 2-1/2-2). */
static unsigned int disp_bytes(const struct x86_insn *insn)
{
	if (insn->adsize == 2) {
		if (insn->mod == 0)
			return insn->rm == 6 ? 2 : 0;
		return insn->mod == 1 ? 1 : 2;
	}
	if (insn->mod == 0) {
		if (insn->has_sib)
			return insn->base == 5 ? 4 : 0;
		return insn->rm == 5 ? 4 : 0;
	}
	return insn->mod == 1 ? 1 : 4;
}

static int decode_sib_disp(struct cursor *c, struct x86_insn *insn)
{
	u64 val;
	int ret;

	if (!insn->has_modrm || insn->mod == 3)
		return 0;
	if (insn->adsize != 2 && insn->rm == 4) {
		ret = fetch(c, &insn->sib);
		if (ret)
			return ret;
		insn->has_sib = true;
		insn->scale = insn->sib >> 6;
		insn->index = insn->sib >> 3 & 7;
		insn->base = insn->sib & 7;
	}
	insn->rip_relative = insn->mode == X86_MODE_64 && insn->mod == 0 &&
			     insn->rm == 5;
	insn->disp_size = disp_bytes(insn);
	ret = fetch_le(c, insn->disp_size, &val);
	insn->disp = sign_extend(val, insn->disp_size ? insn->disp_size : 8);
	return ret;
}

/*
 * The mandatory prefix of an SSE opcode: F2/F3 take precedence over 66
 * (SDM Vol.2 2.1.2).
 */
static u8 mandatory_prefix(const struct x86_insn *insn)
{
	if (insn->rep)
		return insn->rep;
	return insn->opsize_prefix ? 0x66 : 0;
}

/* Sizes of the first and second immediate for immediate kind @kind. */
static void imm_sizes(const struct x86_insn *insn, unsigned int kind,
		      u8 *size, u8 *size2)
{
	u8 z = insn->opsize == 2 ? 2 : 4;
	u8 mp;

	*size2 = 0;
	switch (kind) {
	case I_B:
		*size = 1;
		break;
	case I_W:
		*size = 2;
		break;
	case I_D:
		*size = 4;
		break;
	case I_Z:
		*size = z;
		break;
	case I_V:
		*size = insn->opsize;
		break;
	case I_PTR:
		*size = z;
		*size2 = 2;
		break;
	case I_ENTER:
		*size = 2;
		*size2 = 1;
		break;
	case I_RELZ:
		*size = insn->mode == X86_MODE_64 ? 4 : z;
		break;
	case I_GRP3:
		*size = insn->reg > 1 ? 0 : (insn->opcode & 1) ? z : 1;
		break;
	case I_EXTRQ:
		mp = mandatory_prefix(insn);
		*size = (mp == 0x66 || mp == 0xf2) && insn->mod == 3;
		*size2 = *size;
		break;
	default:
		*size = 0;
		break;
	}
}

static int decode_imm(struct cursor *c, struct x86_insn *insn, u16 attr)
{
	unsigned int kind = attr & I_MASK;
	u64 val;
	int ret;

	if (kind == I_MOFFS) {
		insn->disp_size = insn->adsize;
		ret = fetch_le(c, insn->adsize, &val);
		insn->disp = sign_extend(val, insn->adsize);
		return ret;
	}
	imm_sizes(insn, kind, &insn->imm_size, &insn->imm2_size);
	ret = fetch_le(c, insn->imm_size, &insn->imm);
	if (ret)
		return ret;
	ret = fetch_le(c, insn->imm2_size, &insn->imm2);
	if (ret)
		return ret;
	if ((attr & A_3DNOW) &&
	    !(amd_3dnow[insn->imm >> 6] & BIT(insn->imm & 63)))
		return -EINVAL;
	return 0;
}

int x86_decode(const u8 *bytes, size_t avail, enum x86_mode mode,
	       struct x86_insn *insn)
{
	struct cursor c = { .bytes = bytes, .avail = avail };
	u16 attr;
	int ret;

	memset(insn, 0, sizeof(*insn));
	insn->mode = mode;
	insn->seg = X86_SEG_NONE;
	ret = decode_prefixes(&c, insn);
	if (!ret)
		ret = decode_opcode(&c, insn, &attr);
	if (!ret && (attr & A_MODRM)) {
		ret = decode_modrm(&c, insn, attr);
		attr = modrm_attr(insn, attr);
	}
	if (ret)
		return ret;
	set_sizes(insn, attr);
	ret = decode_sib_disp(&c, insn);
	if (!ret)
		ret = decode_imm(&c, insn, attr);
	if (ret)
		return ret;
	insn->len = c.pos;
	return c.pos;
}
