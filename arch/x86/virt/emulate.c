// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO instruction emulator (see emulate.h for the instruction list).
 * Instruction semantics follow the SDM Vol.2 chapter 3/4 pages of each
 * instruction; addressing follows SDM Vol.2 2.1.5 and Vol.1 3.7.5.
 */
#include "arch/x86/virt/emulate.h"

enum emu_kind {
	K_NONE,
	K_MOV,		/* dst = src */
	K_MOVZX,	/* dst = zero-extended src */
	K_MOVSX,	/* dst = sign-extended src */
	K_ALU,		/* dst = dst op src, flags */
	K_TEST,		/* flags of dst AND src */
	K_XCHG,		/* swap dst and src */
	K_STOS,		/* [ES:rDI] = rAX */
	K_MOVS,		/* [ES:rDI] = [seg:rSI] */
};

/* Where the operands are (SDM Vol.2 A.2.1 operand codes). */
enum emu_form {
	F_STR,		/* string instruction: implicit operands */
	F_EG,		/* dst r/m, src ModRM.reg */
	F_GE,		/* dst ModRM.reg, src r/m */
	F_EI,		/* dst r/m, src immediate */
	F_AO,		/* dst AL/rAX, src moffs */
	F_OA,		/* dst moffs, src AL/rAX */
};

/* Group 1 operations, in ModRM.reg order (SDM Vol.2 table A-6). */
enum alu_op { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR,
	      ALU_CMP };

#define E_BYTE	BIT(0)	/* byte operands */
#define E_LOCK	BIT(1)	/* LOCK allowed with a memory destination */
#define E_GRP	BIT(2)	/* ALU operation from ModRM.reg */
#define E_64	BIT(3)	/* 64-bit mode only (63 is ARPL elsewhere) */

struct emu_op {
	u8 kind;
	u8 form;
	u8 arg;		/* enum alu_op, or the source size of MOVZX/MOVSX */
	u8 flags;
	u8 regs;	/* ModRM.reg values emulated (bit mask), 0 = any */
};

#define ALU_ROW(base, alu)						\
	[(base) + 0] = { K_ALU, F_EG, alu, E_BYTE | E_LOCK, 0 },	\
	[(base) + 1] = { K_ALU, F_EG, alu, E_LOCK, 0 },		\
	[(base) + 2] = { K_ALU, F_GE, alu, E_BYTE, 0 },		\
	[(base) + 3] = { K_ALU, F_GE, alu, 0, 0 }

static const struct emu_op ops_1byte[256] = {
	ALU_ROW(0x00, ALU_ADD), ALU_ROW(0x08, ALU_OR),
	ALU_ROW(0x10, ALU_ADC), ALU_ROW(0x18, ALU_SBB),
	ALU_ROW(0x20, ALU_AND), ALU_ROW(0x28, ALU_SUB),
	ALU_ROW(0x30, ALU_XOR), ALU_ROW(0x38, ALU_CMP),
	[0x63] = { K_MOVSX, F_GE, 4, E_64, 0 },
	[0x80] = { K_ALU, F_EI, 0, E_BYTE | E_LOCK | E_GRP, 0 },
	[0x81] = { K_ALU, F_EI, 0, E_LOCK | E_GRP, 0 },
	[0x83] = { K_ALU, F_EI, 0, E_LOCK | E_GRP, 0 },
	[0x84] = { K_TEST, F_EG, 0, E_BYTE, 0 },
	[0x85] = { K_TEST, F_EG, 0, 0, 0 },
	[0x86] = { K_XCHG, F_EG, 0, E_BYTE | E_LOCK, 0 },
	[0x87] = { K_XCHG, F_EG, 0, E_LOCK, 0 },
	[0x88] = { K_MOV, F_EG, 0, E_BYTE, 0 },
	[0x89] = { K_MOV, F_EG, 0, 0, 0 },
	[0x8a] = { K_MOV, F_GE, 0, E_BYTE, 0 },
	[0x8b] = { K_MOV, F_GE, 0, 0, 0 },
	[0xa0] = { K_MOV, F_AO, 0, E_BYTE, 0 },
	[0xa1] = { K_MOV, F_AO, 0, 0, 0 },
	[0xa2] = { K_MOV, F_OA, 0, E_BYTE, 0 },
	[0xa3] = { K_MOV, F_OA, 0, 0, 0 },
	[0xa4] = { K_MOVS, F_STR, 0, E_BYTE, 0 },
	[0xa5] = { K_MOVS, F_STR, 0, 0, 0 },
	[0xaa] = { K_STOS, F_STR, 0, E_BYTE, 0 },
	[0xab] = { K_STOS, F_STR, 0, 0, 0 },
	[0xc6] = { K_MOV, F_EI, 0, E_BYTE, BIT(0) },
	[0xc7] = { K_MOV, F_EI, 0, 0, BIT(0) },
	[0xf6] = { K_TEST, F_EI, 0, E_BYTE, BIT(0) | BIT(1) },
	[0xf7] = { K_TEST, F_EI, 0, 0, BIT(0) | BIT(1) },
};

static const struct emu_op ops_0f[256] = {
	[0xb6] = { K_MOVZX, F_GE, 1, 0, 0 },
	[0xb7] = { K_MOVZX, F_GE, 2, 0, 0 },
	[0xbe] = { K_MOVSX, F_GE, 1, 0, 0 },
	[0xbf] = { K_MOVSX, F_GE, 2, 0, 0 },
};

/* An operand: a GPR (with AH..BH as 4..7 without REX) or memory. */
struct operand {
	bool mem;
	u8 reg;
	u64 addr;	/* linear address */
	u64 val;
};

static u64 size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : BIT(8 * size) - 1;
}

static u64 sign_extend(u64 val, unsigned int size)
{
	unsigned int shift = 64 - 8 * size;

	return (u64)((s64)(val << shift) >> shift);
}

static int inject(struct x86_emu *emu, u8 vector, bool has_error, u32 error)
{
	emu->exc = (struct x86_exception){
		.vector = vector,
		.has_error_code = has_error,
		.error_code = error,
	};
	return X86_EMU_EXCEPTION;
}

static const struct emu_op *lookup(const struct x86_emu *emu,
				   const struct x86_insn *insn)
{
	const struct emu_op *op;

	if (insn->encoding != X86_ENC_LEGACY)
		return NULL;
	if (insn->map == X86_MAP_1BYTE)
		op = &ops_1byte[insn->opcode];
	else if (insn->map == X86_MAP_0F)
		op = &ops_0f[insn->opcode];
	else
		return NULL;
	if (op->kind == K_NONE)
		return NULL;
	if ((op->flags & E_64) && emu->mode != X86_MODE_64)
		return NULL;
	if (op->regs && !(op->regs & BIT(insn->reg)))
		return NULL;
	return op;
}

/* ---------------------------------------------------------- registers */

/* Byte registers 4..7 are AH, CH, DH, BH unless a REX prefix is present. */
static bool is_high8(const struct x86_insn *insn, unsigned int reg,
		     unsigned int size)
{
	return size == 1 && !insn->rex_present && reg >= 4 && reg < 8;
}

static u64 reg_read(const struct x86_emu *emu, const struct x86_insn *insn,
		    unsigned int reg, unsigned int size)
{
	if (is_high8(insn, reg, size))
		return emu->regs->gpr[reg - 4] >> 8 & 0xff;
	return emu->regs->gpr[reg] & size_mask(size);
}

/*
 * 8- and 16-bit writes keep the rest of the register, 32-bit writes
 * zero-extend to 64 bits (SDM Vol.1 3.4.1.1).
 */
static void assign(u64 *reg, u64 val, unsigned int size)
{
	if (size == 4)
		*reg = (u32)val;
	else
		*reg = (*reg & ~size_mask(size)) | (val & size_mask(size));
}

static void reg_write(struct x86_emu *emu, const struct x86_insn *insn,
		      unsigned int reg, unsigned int size, u64 val)
{
	u64 *gpr = emu->regs->gpr;

	if (is_high8(insn, reg, size))
		gpr[reg - 4] = (gpr[reg - 4] & ~0xff00ULL) | (val & 0xff) << 8;
	else
		assign(&gpr[reg], val, size);
}

static void advance_rip(struct x86_emu *emu, const struct x86_insn *insn)
{
	u64 rip = emu->regs->rip + insn->len;

	if (emu->mode == X86_MODE_16)
		rip &= 0xffff;
	else if (emu->mode == X86_MODE_32)
		rip &= 0xffffffff;
	emu->regs->rip = rip;
}

/* ---------------------------------------------------------- addressing */

/* 16-bit ModRM addressing (SDM Vol.2 table 2-1). */
static u64 ea_16(const struct x86_emu *emu, const struct x86_insn *insn,
		 u8 *seg)
{
	static const u8 base[8] = { X86_RBX, X86_RBX, X86_RBP, X86_RBP,
				    X86_RSI, X86_RDI, X86_RBP, X86_RBX };
	static const u8 index[8] = { X86_RSI, X86_RDI, X86_RSI, X86_RDI };
	const u64 *gpr = emu->regs->gpr;
	u64 ea = insn->disp;

	if (insn->mod == 0 && insn->rm == 6) {
		*seg = X86_SEG_DS;
		return ea & 0xffff;
	}
	ea += gpr[base[insn->rm]];
	if (insn->rm < 4)
		ea += gpr[index[insn->rm]];
	*seg = base[insn->rm] == X86_RBP ? X86_SEG_SS : X86_SEG_DS;
	return ea & 0xffff;
}

/* 32/64-bit ModRM/SIB addressing (SDM Vol.2 tables 2-2, 2-3, 2-7). */
static u64 ea_32_64(const struct x86_emu *emu, const struct x86_insn *insn,
		    u8 *seg)
{
	const u64 *gpr = emu->regs->gpr;
	u64 ea = insn->disp;
	unsigned int base = 0, index;
	bool has_base = true;

	if (insn->rip_relative) {
		ea += emu->regs->rip + insn->len;
		has_base = false;
	} else if (insn->has_sib) {
		index = insn->index | (insn->rex & X86_REX_X ? 8 : 0);
		if (index != X86_RSP)
			ea += gpr[index] << insn->scale;
		has_base = !(insn->mod == 0 && insn->base == 5);
		base = insn->base;
	} else {
		has_base = !(insn->mod == 0 && insn->rm == 5);
		base = insn->rm;
	}
	base |= insn->rex & X86_REX_B ? 8 : 0;
	if (has_base)
		ea += gpr[base];
	*seg = has_base && (base == X86_RSP || base == X86_RBP) ?
	       X86_SEG_SS : X86_SEG_DS;
	return ea & size_mask(insn->adsize);
}

static bool is_canonical(u64 la, bool la57)
{
	unsigned int shift = la57 ? 7 : 16;

	return (u64)((s64)(la << shift) >> shift) == la;
}

/*
 * Segment base + offset (SDM Vol.3 3.4). In 64-bit mode only FS and GS
 * have a base and the access must be canonical, else #GP(0), or #SS(0)
 * for the stack segment (SDM Vol.3 3.3.7.1).
 */
static int linear(struct x86_emu *emu, u8 seg, u64 ea, unsigned int size,
		  u64 *la)
{
	if (emu->mode != X86_MODE_64) {
		*la = (emu->seg_base[seg] + ea) & 0xffffffff;
		return X86_EMU_OK;
	}
	*la = ea;
	if (seg == X86_SEG_FS || seg == X86_SEG_GS)
		*la += emu->seg_base[seg];
	if (!is_canonical(*la, emu->la57) ||
	    !is_canonical(*la + size - 1, emu->la57))
		return inject(emu, seg == X86_SEG_SS ? X86_EXC_SS : X86_EXC_GP,
			      true, 0);
	return X86_EMU_OK;
}

static u8 override(const struct x86_insn *insn, u8 seg)
{
	return insn->seg != X86_SEG_NONE ? insn->seg : seg;
}

/* The memory operand of ModRM, or of moffs (A0-A3). */
static int mem_operand(struct x86_emu *emu, const struct x86_insn *insn,
		       unsigned int size, struct operand *op)
{
	u64 ea;
	u8 seg = X86_SEG_DS;

	if (!insn->has_modrm)
		ea = (u64)insn->disp & size_mask(insn->adsize);
	else if (insn->adsize == 2)
		ea = ea_16(emu, insn, &seg);
	else
		ea = ea_32_64(emu, insn, &seg);
	op->mem = true;
	return linear(emu, override(insn, seg), ea, size, &op->addr);
}

static int rm_operand(struct x86_emu *emu, const struct x86_insn *insn,
		      unsigned int size, struct operand *op)
{
	if (insn->mod != 3)
		return mem_operand(emu, insn, size, op);
	op->reg = insn->rm | (insn->rex & X86_REX_B ? 8 : 0);
	return X86_EMU_OK;
}

static void reg_operand(const struct x86_insn *insn, struct operand *op)
{
	op->reg = insn->reg | (insn->rex & X86_REX_R ? 8 : 0);
}

/* Source operand size: MOVZX/MOVSX/MOVSXD read less than they write. */
static unsigned int src_size(const struct emu_op *op, unsigned int size)
{
	if (op->kind == K_MOVZX || op->kind == K_MOVSX)
		return MIN(op->arg, size);
	return size;
}

/* Locate both operands of a non-string instruction. */
static int locate(struct x86_emu *emu, const struct x86_insn *insn,
		  const struct emu_op *op, unsigned int size,
		  struct operand *dst, struct operand *src)
{
	switch (op->form) {
	case F_EG:
		reg_operand(insn, src);
		return rm_operand(emu, insn, size, dst);
	case F_GE:
		reg_operand(insn, dst);
		return rm_operand(emu, insn, src_size(op, size), src);
	case F_EI:
		src->val = sign_extend(insn->imm, insn->imm_size) &
			   size_mask(size);
		return rm_operand(emu, insn, size, dst);
	case F_AO:
		dst->reg = X86_RAX;
		return mem_operand(emu, insn, size, src);
	default:
		src->reg = X86_RAX;
		return mem_operand(emu, insn, size, dst);
	}
}

/* ---------------------------------------------------------- memory */

/* Guest memory is little-endian, as is every host Keel runs on. */
static int mem_read(struct x86_emu *emu, u64 la, unsigned int size, u64 *val)
{
	*val = 0;
	return emu->read(emu->ctx, la, val, size);
}

static int mem_write(struct x86_emu *emu, u64 la, unsigned int size, u64 val)
{
	return emu->write(emu->ctx, la, &val, size);
}

static int load(struct x86_emu *emu, const struct x86_insn *insn,
		struct operand *op, unsigned int size)
{
	if (op->mem)
		return mem_read(emu, op->addr, size, &op->val);
	op->val = reg_read(emu, insn, op->reg, size);
	return X86_EMU_OK;
}

/* ---------------------------------------------------------- arithmetic */

static bool parity_even(u64 val)
{
	u8 b = val;

	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return !(b & 1);
}

/* CF and OF of ADD/ADC and SUB/SBB/CMP (SDM Vol.1 3.4.3.1). */
static u64 carry_overflow(enum alu_op alu, u64 a, u64 b, u64 res, u64 cin,
			  u64 sign)
{
	u64 flags = 0;

	if (alu == ALU_ADD || alu == ALU_ADC) {
		if (res < a || (cin && res == a))
			flags |= X86_FLAGS_CF;
		if ((a ^ res) & (b ^ res) & sign)
			flags |= X86_FLAGS_OF;
	} else {
		if (a < b || (cin && a == b))
			flags |= X86_FLAGS_CF;
		if ((a ^ b) & (a ^ res) & sign)
			flags |= X86_FLAGS_OF;
	}
	return flags;
}

/*
 * dst op src on @size bytes; the status flags go to *flags. AND, OR and
 * XOR clear CF and OF and leave AF undefined: cleared here, as hardware
 * does (SDM Vol.2 AND/OR/XOR "Flags Affected").
 */
static u64 alu_exec(enum alu_op alu, u64 a, u64 b, unsigned int size,
		    u64 *flags)
{
	u64 mask = size_mask(size), sign = BIT(8 * size - 1);
	u64 cin = (alu == ALU_ADC || alu == ALU_SBB) && (*flags & X86_FLAGS_CF);
	u64 res, st = 0;
	bool logic = alu == ALU_OR || alu == ALU_AND || alu == ALU_XOR;

	switch (alu) {
	case ALU_ADD:
	case ALU_ADC:
		res = (a + b + cin) & mask;
		break;
	case ALU_OR:
		res = a | b;
		break;
	case ALU_AND:
		res = a & b;
		break;
	case ALU_XOR:
		res = a ^ b;
		break;
	default:
		res = (a - b - cin) & mask;
		break;
	}
	if (!logic)
		st = carry_overflow(alu, a, b, res, cin, sign) |
		     ((a ^ b ^ res) & X86_FLAGS_AF);
	st |= res == 0 ? X86_FLAGS_ZF : 0;
	st |= res & sign ? X86_FLAGS_SF : 0;
	st |= parity_even(res) ? X86_FLAGS_PF : 0;
	*flags = (*flags & ~X86_FLAGS_STATUS) | st;
	return res;
}

/* ---------------------------------------------------------- execution */

/* LOCK is #UD except on the listed RMW forms with a memory destination. */
static bool lock_ok(const struct x86_insn *insn, const struct emu_op *op)
{
	u8 alu_op = op->flags & E_GRP ? insn->reg : op->arg;

	if (!(op->flags & E_LOCK) || !x86_insn_has_mem(insn))
		return false;
	return op->kind != K_ALU || alu_op != ALU_CMP;
}

/* The value to store in dst; *write says whether dst is written. */
static u64 compute(const struct x86_insn *insn, const struct emu_op *op,
		   const struct operand *dst, const struct operand *src,
		   unsigned int size, u64 *flags, bool *write)
{
	*write = true;
	switch (op->kind) {
	case K_MOVSX:
		return sign_extend(src->val, src_size(op, size)) &
		       size_mask(size);
	case K_ALU:
		*write = (op->flags & E_GRP ? insn->reg : op->arg) != ALU_CMP;
		return alu_exec(op->flags & E_GRP ? insn->reg : op->arg,
				dst->val, src->val, size, flags);
	case K_TEST:
		*write = false;
		return alu_exec(ALU_AND, dst->val, src->val, size, flags);
	default:
		return src->val;	/* MOV, MOVZX, XCHG */
	}
}

static int store(struct x86_emu *emu, const struct x86_insn *insn,
		 const struct operand *op, unsigned int size, u64 val)
{
	if (op->mem)
		return mem_write(emu, op->addr, size, val);
	reg_write(emu, insn, op->reg, size, val);
	return X86_EMU_OK;
}

static int emulate_one(struct x86_emu *emu, const struct x86_insn *insn,
		       const struct emu_op *op, unsigned int size)
{
	struct operand dst = { 0 }, src = { 0 };
	u64 flags = emu->regs->rflags, res;
	bool write;
	int ret;

	ret = locate(emu, insn, op, size, &dst, &src);
	if (!ret && op->form != F_EI)
		ret = load(emu, insn, &src, src_size(op, size));
	if (!ret && op->kind != K_MOV && op->kind != K_MOVZX &&
	    op->kind != K_MOVSX)
		ret = load(emu, insn, &dst, size);
	if (ret)
		return ret;
	res = compute(insn, op, &dst, &src, size, &flags, &write);
	/* Memory first: a failed write must leave the registers alone. */
	if (dst.mem && write)
		ret = store(emu, insn, &dst, size, res);
	if (ret)
		return ret;
	if (!dst.mem && write)
		store(emu, insn, &dst, size, res);
	if (op->kind == K_XCHG)
		store(emu, insn, &src, size, dst.val);
	emu->regs->rflags = flags;
	advance_rip(emu, insn);
	return X86_EMU_OK;
}

/* One STOS/MOVS element; registers are stepped only on success. */
static int string_step(struct x86_emu *emu, const struct x86_insn *insn,
		       const struct emu_op *op, unsigned int size)
{
	u64 *gpr = emu->regs->gpr, amask = size_mask(insn->adsize);
	s64 step = emu->regs->rflags & X86_FLAGS_DF ? -(s64)size : size;
	u64 src, dst, val = gpr[X86_RAX];
	int ret;

	ret = linear(emu, X86_SEG_ES, gpr[X86_RDI] & amask, size, &dst);
	if (!ret && op->kind == K_MOVS) {
		ret = linear(emu, override(insn, X86_SEG_DS),
			     gpr[X86_RSI] & amask, size, &src);
		if (!ret)
			ret = mem_read(emu, src, size, &val);
	}
	if (!ret)
		ret = mem_write(emu, dst, size, val);
	if (ret)
		return ret;
	if (op->kind == K_MOVS)
		assign(&gpr[X86_RSI], gpr[X86_RSI] + step, insn->adsize);
	assign(&gpr[X86_RDI], gpr[X86_RDI] + step, insn->adsize);
	return X86_EMU_OK;
}

/*
 * STOS/MOVS, with REP (F3, or F2 which acts the same on them) counting
 * rCX of the address size down to 0 (SDM Vol.2 REP/REPE/REPNE).
 */
static int emulate_string(struct x86_emu *emu, const struct x86_insn *insn,
			  const struct emu_op *op, unsigned int size)
{
	u64 *rcx = &emu->regs->gpr[X86_RCX], amask = size_mask(insn->adsize);
	u64 n;
	int ret;

	if (!insn->rep) {
		ret = string_step(emu, insn, op, size);
		if (!ret)
			advance_rip(emu, insn);
		return ret;
	}
	for (n = 0; *rcx & amask; n++) {
		if (emu->max_reps && n == emu->max_reps)
			return X86_EMU_OK;
		ret = string_step(emu, insn, op, size);
		if (ret)
			return ret;
		assign(rcx, *rcx - 1, insn->adsize);
		if (emu->stop && *emu->stop && (*rcx & amask))
			return X86_EMU_OK;
	}
	advance_rip(emu, insn);
	return X86_EMU_OK;
}

int x86_emulate(struct x86_emu *emu, const struct x86_insn *insn)
{
	const struct emu_op *op = lookup(emu, insn);
	unsigned int size;

	if (!op)
		return X86_EMU_UNHANDLED;
	if (insn->lock && !lock_ok(insn, op))
		return inject(emu, X86_EXC_UD, false, 0);
	size = op->flags & E_BYTE ? 1 : insn->opsize;
	if (op->form == F_STR)
		return emulate_string(emu, insn, op, size);
	return emulate_one(emu, insn, op, size);
}
