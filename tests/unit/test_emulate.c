// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for arch/x86/virt/emulate.c against a fake guest memory: RAM at
 * linear 0..RAM_SIZE and an MMIO window that records every access.
 * Arithmetic flags are checked against the host CPU running the same
 * instruction.
 */
#include "tests/unit/test.h"
#include "arch/x86/virt/emulate.h"
#include "kernel/errno.h"

#define M16 X86_MODE_16
#define M32 X86_MODE_32
#define M64 X86_MODE_64

#define RAM_SIZE 0x10000
#define MMIO_BASE 0xfee00000ULL
#define MMIO_SIZE 0x1000
#define MAX_LOG 64

struct access {
	u64 gva;
	unsigned int len;
	bool write;
	u64 val;
};

static struct {
	u8 ram[RAM_SIZE];
	u64 mmio_read_val;	/* what MMIO reads return, little-endian */
	u64 last_gva;		/* of the last callback, RAM, MMIO or neither */
	struct access log[MAX_LOG];
	unsigned int nlog;
	int fail_write;		/* returned by the next write, if nonzero */
	u64 stop_at;		/* an MMIO write here sets stopped (emu.stop) */
	bool stopped;
} mem;

static struct x86_regs regs;
static struct x86_emu emu;

static bool in_mmio(u64 gva, unsigned int len)
{
	return gva >= MMIO_BASE && gva + len <= MMIO_BASE + MMIO_SIZE;
}

static void log_access(u64 gva, unsigned int len, bool write, u64 val)
{
	if (mem.nlog < MAX_LOG)
		mem.log[mem.nlog++] = (struct access){ gva, len, write, val };
}

static int fake_read(void *ctx, u64 gva, void *buf, unsigned int len)
{
	mem.last_gva = gva;
	if (in_mmio(gva, len)) {
		memcpy(buf, &mem.mmio_read_val, len);
		log_access(gva, len, false, 0);
		return 0;
	}
	if (gva + len > RAM_SIZE)
		return -EFAULT;
	memcpy(buf, mem.ram + gva, len);
	return 0;
}

static int fake_write(void *ctx, u64 gva, const void *buf, unsigned int len)
{
	u64 val = 0;
	int ret = mem.fail_write;

	mem.last_gva = gva;
	if (ret) {
		mem.fail_write = 0;
		if (ret == X86_EMU_EXCEPTION)
			emu.exc = (struct x86_exception){
				.vector = X86_EXC_PF, .has_error_code = true,
				.error_code = 2, .cr2 = gva };
		return ret;
	}
	memcpy(&val, buf, len);
	if (in_mmio(gva, len)) {
		log_access(gva, len, true, val);
		mem.stopped |= gva == mem.stop_at;
		return 0;
	}
	if (gva + len > RAM_SIZE)
		return -EFAULT;
	memcpy(mem.ram + gva, buf, len);
	return 0;
}

static void reset(enum x86_mode mode)
{
	memset(&mem, 0, sizeof(mem));
	memset(&regs, 0, sizeof(regs));
	memset(&emu, 0, sizeof(emu));
	regs.rip = 0x1000;
	regs.rflags = 0x2;
	emu.regs = &regs;
	emu.mode = mode;
	emu.read = fake_read;
	emu.write = fake_write;
}

static size_t parse_hex(const char *hex, u8 *buf, size_t max)
{
	size_t n = 0;
	unsigned int byte;
	int used;

	while (n < max && sscanf(hex, " %2x%n", &byte, &used) == 1) {
		buf[n++] = byte;
		hex += used;
	}
	return n;
}

/* Decode @hex in emu.mode and emulate it; returns x86_emulate()'s result. */
static int run(const char *hex)
{
	struct x86_insn insn;
	u8 buf[16];
	size_t n = parse_hex(hex, buf, sizeof(buf));
	int len = x86_decode(buf, n, emu.mode, &insn);

	CHECK_EQ(len, (int)n);
	if (len != (int)n)
		return -1000;
	return x86_emulate(&emu, &insn);
}

/* Emulate @hex expecting success and the rip to move past it. */
static void run_ok(const char *hex)
{
	u8 buf[16];
	u64 rip = regs.rip + parse_hex(hex, buf, sizeof(buf));

	CHECK_EQ(run(hex), X86_EMU_OK);
	CHECK_EQ(regs.rip, rip);
}

static void check_access(unsigned int i, u64 gva, unsigned int len,
			 bool write, u64 val)
{
	CHECK(i < mem.nlog);
	if (i >= mem.nlog)
		return;
	CHECK_EQ(mem.log[i].gva, gva);
	CHECK_EQ(mem.log[i].len, len);
	CHECK_EQ(mem.log[i].write, write);
	if (write)
		CHECK_EQ(mem.log[i].val, val);
}

/* ------------------------------------------------------------------ MOV */

TEST(mov_store_sizes)
{
	reset(M64);
	regs.gpr[X86_RAX] = MMIO_BASE + 0x10;
	regs.gpr[X86_RCX] = 0x1122334455667788ULL;
	run_ok("88 08");		/* mov [rax], cl */
	run_ok("66 89 08");		/* mov [rax], cx */
	run_ok("89 08");		/* mov [rax], ecx */
	run_ok("48 89 08");		/* mov [rax], rcx */
	run_ok("88 28");		/* mov [rax], ch */
	run_ok("40 88 30");		/* mov [rax], sil */
	CHECK_EQ(mem.nlog, 6);
	check_access(0, MMIO_BASE + 0x10, 1, true, 0x88);
	check_access(1, MMIO_BASE + 0x10, 2, true, 0x7788);
	check_access(2, MMIO_BASE + 0x10, 4, true, 0x55667788);
	check_access(3, MMIO_BASE + 0x10, 8, true, 0x1122334455667788ULL);
	check_access(4, MMIO_BASE + 0x10, 1, true, 0x77);
	check_access(5, MMIO_BASE + 0x10, 1, true, 0);
}

TEST(mov_load_sizes)
{
	reset(M64);
	regs.gpr[X86_RAX] = MMIO_BASE;
	mem.mmio_read_val = 0x8877665544332211ULL;
	regs.gpr[X86_RDX] = ~0ULL;
	run_ok("8a 10");		/* mov dl, [rax] */
	CHECK_EQ(regs.gpr[X86_RDX], 0xffffffffffffff11ULL);
	run_ok("8a 30");		/* mov dh, [rax] */
	CHECK_EQ(regs.gpr[X86_RDX], 0xffffffffffff1111ULL);
	run_ok("66 8b 10");		/* mov dx, [rax] */
	CHECK_EQ(regs.gpr[X86_RDX], 0xffffffffffff2211ULL);
	/* 32-bit destinations are zero-extended in 64-bit mode. */
	run_ok("8b 10");
	CHECK_EQ(regs.gpr[X86_RDX], 0x44332211);
	run_ok("48 8b 10");
	CHECK_EQ(regs.gpr[X86_RDX], 0x8877665544332211ULL);
	run_ok("4c 8b 38");		/* mov r15, [rax] */
	CHECK_EQ(regs.gpr[15], 0x8877665544332211ULL);
	regs.gpr[X86_RSI] = ~0ULL;
	run_ok("40 8a 30");		/* mov sil, [rax] */
	CHECK_EQ(regs.gpr[X86_RSI], 0xffffffffffffff11ULL);
	CHECK_EQ(mem.nlog, 7);
	check_access(2, MMIO_BASE, 2, false, 0);
	check_access(4, MMIO_BASE, 8, false, 0);
}

TEST(mov_immediate)
{
	reset(M64);
	regs.gpr[X86_RBX] = MMIO_BASE;
	run_ok("c6 43 04 ab");			/* mov byte [rbx+4], 0xab */
	run_ok("66 c7 43 08 cd ab");		/* mov word [rbx+8], 0xabcd */
	run_ok("c7 03 f0 ff ff ff");		/* mov dword [rbx], -16 */
	run_ok("48 c7 03 f0 ff ff ff");		/* mov qword [rbx], -16 */
	check_access(0, MMIO_BASE + 4, 1, true, 0xab);
	check_access(1, MMIO_BASE + 8, 2, true, 0xabcd);
	check_access(2, MMIO_BASE, 4, true, 0xfffffff0);
	check_access(3, MMIO_BASE, 8, true, 0xfffffffffffffff0ULL);
}

TEST(mov_moffs)
{
	reset(M64);
	mem.mmio_read_val = 0x1122334455667788ULL;
	run_ok("a1 00 01 e0 fe 00 00 00 00");	/* mov eax, [0xfee00100] */
	CHECK_EQ(regs.gpr[X86_RAX], 0x55667788);
	run_ok("48 a3 08 01 e0 fe 00 00 00 00");
	check_access(1, MMIO_BASE + 0x108, 8, true, 0x55667788);
	run_ok("a0 00 02 e0 fe 00 00 00 00");
	CHECK_EQ(regs.gpr[X86_RAX], 0x55667788);
	/* 67: a 32-bit moffs. */
	run_ok("67 a2 10 00 e0 fe");
	check_access(3, MMIO_BASE + 0x10, 1, true, 0x88);
	/* FS override adds the FS base in 64-bit mode. */
	emu.seg_base[X86_SEG_FS] = MMIO_BASE;
	emu.seg_base[X86_SEG_DS] = 0x5000;	/* ignored in 64-bit mode */
	run_ok("64 66 a1 20 00 00 00 00 00 00 00");
	check_access(4, MMIO_BASE + 0x20, 2, false, 0);

	reset(M32);
	emu.seg_base[X86_SEG_DS] = MMIO_BASE - 0x100;
	run_ok("a3 40 01 00 00");		/* mov [0x140], eax */
	check_access(0, MMIO_BASE + 0x40, 4, true, 0);

	reset(M16);
	emu.seg_base[X86_SEG_DS] = MMIO_BASE;
	regs.gpr[X86_RAX] = 0xbeef;
	run_ok("a3 34 00");			/* mov [0x34], ax */
	check_access(0, MMIO_BASE + 0x34, 2, true, 0xbeef);
	run_ok("66 a3 38 00");			/* mov [0x38], eax */
	check_access(1, MMIO_BASE + 0x38, 4, true, 0xbeef);
}

TEST(movzx_movsx)
{
	reset(M64);
	regs.gpr[X86_RSI] = MMIO_BASE;
	mem.mmio_read_val = 0x80008080;
	regs.gpr[X86_RAX] = ~0ULL;
	run_ok("0f b6 06");			/* movzx eax, byte [rsi] */
	CHECK_EQ(regs.gpr[X86_RAX], 0x80);
	run_ok("0f be 06");			/* movsx eax, byte [rsi] */
	CHECK_EQ(regs.gpr[X86_RAX], 0xffffff80);
	run_ok("48 0f be 06");
	CHECK_EQ(regs.gpr[X86_RAX], 0xffffffffffffff80ULL);
	regs.gpr[X86_RAX] = 0x1234567800000000ULL;
	run_ok("66 0f be 06");			/* movsx ax, byte [rsi] */
	CHECK_EQ(regs.gpr[X86_RAX], 0x123456780000ff80ULL);
	run_ok("0f b7 06");
	CHECK_EQ(regs.gpr[X86_RAX], 0x8080);
	run_ok("48 0f bf 06");
	CHECK_EQ(regs.gpr[X86_RAX], 0xffffffffffff8080ULL);
	run_ok("0f bf 06");
	CHECK_EQ(regs.gpr[X86_RAX], 0xffff8080);
	/* MOVSXD. */
	run_ok("48 63 06");
	CHECK_EQ(regs.gpr[X86_RAX], 0xffffffff80008080ULL);
	run_ok("63 06");
	CHECK_EQ(regs.gpr[X86_RAX], 0x80008080);
	run_ok("4c 63 16");			/* movsxd r10, [rsi] */
	CHECK_EQ(regs.gpr[10], 0xffffffff80008080ULL);
	check_access(0, MMIO_BASE, 1, false, 0);
	check_access(4, MMIO_BASE, 2, false, 0);
	check_access(7, MMIO_BASE, 4, false, 0);
}

TEST(xchg)
{
	reset(M64);
	regs.gpr[X86_RDI] = MMIO_BASE;
	regs.gpr[X86_RAX] = 0xaaaaaaaabbbbbbbbULL;
	mem.mmio_read_val = 0x1111111122222222ULL;
	run_ok("87 07");			/* xchg [rdi], eax */
	check_access(0, MMIO_BASE, 4, false, 0);
	check_access(1, MMIO_BASE, 4, true, 0xbbbbbbbb);
	CHECK_EQ(regs.gpr[X86_RAX], 0x22222222);
	regs.gpr[X86_RAX] = 0x3344;
	run_ok("f0 86 27");			/* lock xchg [rdi], ah */
	check_access(3, MMIO_BASE, 1, true, 0x33);
	CHECK_EQ(regs.gpr[X86_RAX], 0x2244);
	run_ok("48 87 07");
	check_access(5, MMIO_BASE, 8, true, 0x2244);
	CHECK_EQ(regs.gpr[X86_RAX], 0x1111111122222222ULL);
}

/* ---------------------------------------------------------- arithmetic */

static u64 rng_state = 88172645463325252ULL;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Interesting operands: edges around 0 and the sign bit, or random. */
static u64 operand(void)
{
	static const u64 edge[] = {
		0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
		0x80000000, 0xffffffff, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~0ULL, 0x0f, 0x10,
	};
	u64 r = rng();

	return r & 1 ? edge[r >> 1 & 15] : rng();
}

/*
 * The host runs "op %src, %dst" on the same operands with the given input
 * flags; the pushf/popf pair stays below the red zone.
 */
#define HOST_ASM(insn, x, y, f)						\
	asm volatile("lea -128(%%rsp), %%rsp\n\t"			\
		     "push %[fl]\n\tpopf\n\t"				\
		     insn " %[src], %[dst]\n\t"				\
		     "pushf\n\tpop %[fl]\n\t"				\
		     "lea 128(%%rsp), %%rsp"				\
		     : [dst] "+q"(x), [fl] "+r"(f) : [src] "q"(y) : "cc")

#define HOST_CASE(type, insn)						\
	do {								\
		type x = a, y = b;					\
		HOST_ASM(insn, x, y, f);				\
		a = x;							\
	} while (0)

#define HOST_OP(name)							\
static u64 host_##name(unsigned int size, u64 a, u64 b, u64 *fl)	\
{									\
	u64 f = *fl;							\
									\
	if (size == 1)							\
		HOST_CASE(u8, #name "b");				\
	else if (size == 2)						\
		HOST_CASE(u16, #name "w");				\
	else if (size == 4)						\
		HOST_CASE(u32, #name "l");				\
	else								\
		HOST_CASE(u64, #name "q");				\
	*fl = f;							\
	return a;							\
}

HOST_OP(add) HOST_OP(or) HOST_OP(adc) HOST_OP(sbb)
HOST_OP(and) HOST_OP(sub) HOST_OP(xor) HOST_OP(cmp) HOST_OP(test)

typedef u64 (*host_fn)(unsigned int, u64, u64, u64 *);

/* In group 1 order (ModRM.reg of 80/81/83), then TEST. */
static const host_fn host_ops[9] = {
	host_add, host_or, host_adc, host_sbb, host_and, host_sub, host_xor,
	host_cmp, host_test,
};

static u64 mask_of(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static const char *size_prefix(unsigned int size)
{
	return size == 2 ? "66 " : size == 8 ? "48 " : "";
}

/*
 * One ALU operation in three forms: memory destination (00+8*op), register
 * destination (02+8*op) and immediate (80/81/83 /op). Returns the number
 * of disagreements with the host.
 */
static int check_alu(unsigned int op, unsigned int size, u64 a, u64 b,
		     bool cf)
{
	u64 mask = mask_of(size), want_flags = 0x202 | cf, want;
	bool writes = op != 7, w = size > 1;
	char hex[64];
	int bad = 0;

	a &= mask;
	b &= mask;
	want = host_ops[op](size, a, b, &want_flags) & mask;
	want_flags &= X86_FLAGS_STATUS;

	/* op [rax], rcx */
	reset(M64);
	regs.gpr[X86_RAX] = MMIO_BASE;
	regs.gpr[X86_RCX] = b;
	regs.rflags = 0x2 | cf;
	mem.mmio_read_val = a;
	snprintf(hex, sizeof(hex), "%s%02x 08", size_prefix(size), op * 8 + w);
	bad += run(hex) != X86_EMU_OK;
	bad += (regs.rflags & X86_FLAGS_STATUS) != want_flags;
	bad += mem.nlog != 1u + writes;
	bad += writes && (mem.nlog < 2 || mem.log[1].val != want);

	/* op rcx, [rax]: 32-bit results zero-extend. */
	reset(M64);
	regs.gpr[X86_RAX] = MMIO_BASE;
	regs.gpr[X86_RCX] = a | (size < 4 ? 0xdead000000000000ULL : 0);
	regs.rflags = 0x2 | cf;
	mem.mmio_read_val = b;
	snprintf(hex, sizeof(hex), "%s%02x 08", size_prefix(size),
		 op * 8 + 2 + w);
	bad += run(hex) != X86_EMU_OK;
	bad += (regs.rflags & X86_FLAGS_STATUS) != want_flags;
	bad += (regs.gpr[X86_RCX] & mask) != (writes ? want : a);
	bad += size == 4 && writes && regs.gpr[X86_RCX] >> 32;
	return bad;
}

/* The same through 80/81/83 /op with a sign-extended immediate. */
static int check_alu_imm(unsigned int op, unsigned int size, u64 a, int32_t imm,
			 bool imm8, bool cf)
{
	u64 mask = mask_of(size), b = (u64)(s64)imm & mask;
	u64 want_flags = 0x202 | cf, want;
	char hex[64];
	int bad = 0;

	a &= mask;
	want = host_ops[op](size, a, b, &want_flags) & mask;
	reset(M64);
	regs.gpr[X86_RAX] = MMIO_BASE;
	regs.rflags = 0x2 | cf;
	mem.mmio_read_val = a;
	if (size == 1 || imm8)
		snprintf(hex, sizeof(hex), "%s%02x %02x %02x",
			 size_prefix(size), size == 1 ? 0x80 : 0x83, op << 3,
			 (u8)imm);
	else if (size == 2)
		snprintf(hex, sizeof(hex), "66 81 %02x %02x %02x", op << 3,
			 (u8)imm, (u8)(imm >> 8));
	else
		snprintf(hex, sizeof(hex), "%s81 %02x %02x %02x %02x %02x",
			 size_prefix(size), op << 3, (u8)imm, (u8)(imm >> 8),
			 (u8)(imm >> 16), (u8)(imm >> 24));
	bad += run(hex) != X86_EMU_OK;
	want_flags &= X86_FLAGS_STATUS;
	bad += (regs.rflags & X86_FLAGS_STATUS) != want_flags;
	bad += op != 7 && (mem.nlog < 2 || mem.log[1].val != want);
	return bad;
}

TEST(alu_flags_vs_host)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	unsigned int op, s, i;
	int bad = 0;

	for (op = 0; op < 8; op++)
		for (s = 0; s < 4; s++)
			for (i = 0; i < 400; i++)
				bad += check_alu(op, sizes[s], operand(),
						 operand(), rng() & 1);
	CHECK_EQ(bad, 0);
}

TEST(alu_immediate_vs_host)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	unsigned int op, s, i;
	int bad = 0;
	int32_t imm;

	for (op = 0; op < 8; op++) {
		for (s = 0; s < 4; s++) {
			for (i = 0; i < 200; i++) {
				imm = (int32_t)operand();
				bad += check_alu_imm(op, sizes[s], operand(),
						     (int8_t)imm, true,
						     rng() & 1);
				if (sizes[s] == 2)
					imm = (int16_t)imm;
				bad += check_alu_imm(op, sizes[s], operand(),
						     imm, false, rng() & 1);
			}
		}
	}
	CHECK_EQ(bad, 0);
}

/* TEST r/m, reg (84/85) and TEST r/m, imm (F6/F7 /0). */
TEST(test_flags_vs_host)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	unsigned int s, i, size;
	u64 a, b, want_flags;
	char hex[64];
	int bad = 0;

	for (s = 0; s < 4; s++) {
		size = sizes[s];
		for (i = 0; i < 400; i++) {
			a = operand() & mask_of(size);
			b = (i & 1 ? (u64)(s64)(int32_t)operand() : operand()) &
			    mask_of(size);
			want_flags = 0x202;
			host_test(size, a, b, &want_flags);
			reset(M64);
			regs.gpr[X86_RAX] = MMIO_BASE;
			regs.gpr[X86_RDX] = b;
			regs.rflags = 0x2 | X86_FLAGS_STATUS;
			mem.mmio_read_val = a;
			if (i & 1 && size == 8)
				snprintf(hex, sizeof(hex),
					 "48 f7 00 %02x %02x %02x %02x",
					 (u8)b, (u8)(b >> 8), (u8)(b >> 16),
					 (u8)(b >> 24));
			else
				snprintf(hex, sizeof(hex), "%s%02x 10",
					 size_prefix(size),
					 size > 1 ? 0x85 : 0x84);
			bad += run(hex) != X86_EMU_OK;
			bad += (regs.rflags & X86_FLAGS_STATUS) !=
			       (want_flags & X86_FLAGS_STATUS);
			bad += mem.nlog != 1 || mem.log[0].write;
		}
	}
	CHECK_EQ(bad, 0);

	reset(M64);
	regs.gpr[X86_RAX] = MMIO_BASE;
	mem.mmio_read_val = 0x80;
	run_ok("f6 00 80");
	CHECK_EQ(regs.rflags & X86_FLAGS_STATUS, X86_FLAGS_SF);
	run_ok("66 f7 00 00 01");
	CHECK_EQ(regs.rflags & X86_FLAGS_STATUS, X86_FLAGS_ZF | X86_FLAGS_PF);
}

/* --------------------------------------------------------- strings */

TEST(rep_stos)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	static const char *const ops[] = { "f3 aa", "f3 66 ab", "f3 ab",
					   "f3 48 ab" };
	unsigned int s, i;

	for (s = 0; s < 4; s++) {
		reset(M64);
		regs.gpr[X86_RAX] = 0x0102030405060708ULL;
		regs.gpr[X86_RCX] = 3;
		regs.gpr[X86_RDI] = MMIO_BASE + 0x100;
		run_ok(ops[s]);
		CHECK_EQ(regs.gpr[X86_RCX], 0);
		CHECK_EQ(regs.gpr[X86_RDI], MMIO_BASE + 0x100 + 3 * sizes[s]);
		CHECK_EQ(mem.nlog, 3);
		for (i = 0; i < 3; i++)
			check_access(i, MMIO_BASE + 0x100 + i * sizes[s],
				     sizes[s], true,
				     0x0102030405060708ULL & mask_of(sizes[s]));
	}

	/* DF=1 walks down; a single STOS (no REP) ignores rCX. */
	reset(M64);
	regs.rflags |= X86_FLAGS_DF;
	regs.gpr[X86_RCX] = 2;
	regs.gpr[X86_RDI] = MMIO_BASE + 0x100;
	run_ok("f3 ab");
	check_access(0, MMIO_BASE + 0x100, 4, true, 0);
	check_access(1, MMIO_BASE + 0xfc, 4, true, 0);
	CHECK_EQ(regs.gpr[X86_RDI], MMIO_BASE + 0xf8);
	run_ok("ab");
	CHECK_EQ(regs.gpr[X86_RDI], MMIO_BASE + 0xf4);
	CHECK_EQ(mem.nlog, 3);

	/* Count 0: nothing happens but rip moves on. */
	reset(M64);
	regs.gpr[X86_RDI] = MMIO_BASE;
	run_ok("f3 aa");
	CHECK_EQ(mem.nlog, 0);
	CHECK_EQ(regs.gpr[X86_RDI], MMIO_BASE);
}

TEST(rep_bounded)
{
	reset(M64);
	emu.max_reps = 4;
	regs.gpr[X86_RCX] = 10;
	regs.gpr[X86_RDI] = MMIO_BASE;
	CHECK_EQ(run("f3 aa"), X86_EMU_OK);
	CHECK_EQ(regs.rip, 0x1000);		/* not done: re-executes */
	CHECK_EQ(regs.gpr[X86_RCX], 6);
	CHECK_EQ(regs.gpr[X86_RDI], MMIO_BASE + 4);
	CHECK_EQ(run("f3 aa"), X86_EMU_OK);
	CHECK_EQ(regs.gpr[X86_RCX], 2);
	CHECK_EQ(regs.rip, 0x1000);
	run_ok("f3 aa");
	CHECK_EQ(regs.gpr[X86_RCX], 0);
	CHECK_EQ(mem.nlog, 10);
	CHECK_EQ(regs.gpr[X86_RDI], MMIO_BASE + 10);
}

/* An iteration that needs the caller's VMM ends the batch; the one ending rCX still completes. */
TEST(rep_stops_after_an_exit)
{
	reset(M64);
	emu.stop = &mem.stopped;
	mem.stop_at = MMIO_BASE + 2;
	regs.gpr[X86_RCX] = 10;
	regs.gpr[X86_RDI] = MMIO_BASE;
	CHECK_EQ(run("f3 aa"), X86_EMU_OK);
	CHECK_EQ(regs.rip, 0x1000);		/* not done: re-executes */
	CHECK_EQ(regs.gpr[X86_RCX], 7);
	CHECK_EQ(regs.gpr[X86_RDI], MMIO_BASE + 3);
	CHECK_EQ(mem.nlog, 3);
	mem.stopped = false;
	mem.stop_at = MMIO_BASE + 9;
	run_ok("f3 aa");
	CHECK_EQ(regs.gpr[X86_RCX], 0);
	CHECK_EQ(mem.nlog, 10);
	CHECK(mem.stopped);
}

TEST(rep_movs)
{
	unsigned int i;

	/* RAM -> MMIO, DF=0, dwords. */
	reset(M64);
	for (i = 0; i < 16; i++)
		mem.ram[0x200 + i] = i + 1;
	regs.gpr[X86_RSI] = 0x200;
	regs.gpr[X86_RDI] = MMIO_BASE + 0x40;
	regs.gpr[X86_RCX] = 4;
	run_ok("f3 a5");
	CHECK_EQ(mem.nlog, 4);
	check_access(0, MMIO_BASE + 0x40, 4, true, 0x04030201);
	check_access(3, MMIO_BASE + 0x4c, 4, true, 0x100f0e0d);
	CHECK_EQ(regs.gpr[X86_RSI], 0x210);
	CHECK_EQ(regs.gpr[X86_RDI], MMIO_BASE + 0x50);

	/* MMIO -> RAM, DF=1, qwords. */
	reset(M64);
	regs.rflags |= X86_FLAGS_DF;
	mem.mmio_read_val = 0x1122334455667788ULL;
	regs.gpr[X86_RSI] = MMIO_BASE + 0x18;
	regs.gpr[X86_RDI] = 0x318;
	regs.gpr[X86_RCX] = 2;
	run_ok("f3 48 a5");
	check_access(0, MMIO_BASE + 0x18, 8, false, 0);
	check_access(1, MMIO_BASE + 0x10, 8, false, 0);
	CHECK_EQ(mem.ram[0x310], 0x88);
	CHECK_EQ(mem.ram[0x31f], 0x11);
	CHECK_EQ(regs.gpr[X86_RSI], MMIO_BASE + 0x8);
	CHECK_EQ(regs.gpr[X86_RDI], 0x308);

	/* Bytes and words, no REP; a segment override moves the source. */
	reset(M64);
	emu.seg_base[X86_SEG_GS] = MMIO_BASE;
	mem.mmio_read_val = 0xabcd;
	regs.gpr[X86_RSI] = 0x20;
	regs.gpr[X86_RDI] = 0x400;
	run_ok("65 a4");
	run_ok("65 66 a5");
	check_access(0, MMIO_BASE + 0x20, 1, false, 0);
	check_access(1, MMIO_BASE + 0x21, 2, false, 0);
	CHECK_EQ(mem.ram[0x400], 0xcd);
	CHECK_EQ(mem.ram[0x401], 0xcd);
	CHECK_EQ(mem.ram[0x402], 0xab);
	CHECK_EQ(regs.gpr[X86_RDI], 0x403);

	/* 67: ESI/EDI/ECX, zero-extended when written. */
	reset(M64);
	regs.gpr[X86_RSI] = 0xffffffff00000100ULL;
	regs.gpr[X86_RDI] = 0xffffffff00000200ULL;
	regs.gpr[X86_RCX] = 0xffffffff00000002ULL;
	run_ok("67 f3 a4");
	CHECK_EQ(regs.gpr[X86_RSI], 0x102);
	CHECK_EQ(regs.gpr[X86_RDI], 0x202);
	CHECK_EQ(regs.gpr[X86_RCX], 0);
}

TEST(string_16bit)
{
	reset(M16);
	emu.seg_base[X86_SEG_ES] = MMIO_BASE;
	emu.seg_base[X86_SEG_DS] = 0;
	mem.ram[0xffff] = 0x5a;
	mem.ram[0] = 0xa5;
	regs.gpr[X86_RSI] = 0xabcdffff;		/* SI wraps, upper kept */
	regs.gpr[X86_RDI] = 0x10;
	regs.gpr[X86_RCX] = 0x12340002;
	run_ok("f3 a4");
	check_access(0, MMIO_BASE + 0x10, 1, true, 0x5a);
	check_access(1, MMIO_BASE + 0x11, 1, true, 0xa5);
	CHECK_EQ(regs.gpr[X86_RSI], 0xabcd0001);
	CHECK_EQ(regs.gpr[X86_RCX], 0x12340000);
	CHECK_EQ(regs.gpr[X86_RDI], 0x12);
	CHECK_EQ(regs.rip, 0x1002);
}

/* --------------------------------------------------------- addressing */

TEST(addressing_16bit)
{
	reset(M16);
	emu.seg_base[X86_SEG_DS] = MMIO_BASE;
	emu.seg_base[X86_SEG_SS] = MMIO_BASE + 0x800;
	regs.gpr[X86_RBX] = 0x100;
	regs.gpr[X86_RSI] = 0x20;
	regs.gpr[X86_RDI] = 0x30;
	regs.gpr[X86_RBP] = 0x40;
	run_ok("89 40 05");			/* [bx+si+5] */
	check_access(0, MMIO_BASE + 0x125, 2, true, 0);
	run_ok("89 03");			/* [bp+di] -> SS */
	check_access(1, MMIO_BASE + 0x870, 2, true, 0);
	run_ok("89 46 fe");			/* [bp-2] -> SS */
	check_access(2, MMIO_BASE + 0x83e, 2, true, 0);
	run_ok("89 06 34 02");			/* [0x234] -> DS */
	check_access(3, MMIO_BASE + 0x234, 2, true, 0);
	run_ok("3e 89 46 00");			/* ds:[bp+0] */
	check_access(4, MMIO_BASE + 0x40, 2, true, 0);
	/* The 16-bit offset wraps: bx + si + disp = 0x10005 -> 5. */
	regs.gpr[X86_RBX] = 0xffe0;
	run_ok("89 40 05");
	check_access(5, MMIO_BASE + 5, 2, true, 0);
	/* 67: 32-bit addressing in 16-bit code. */
	regs.gpr[X86_RAX] = 0x10;
	regs.gpr[X86_RCX] = 0x4;
	run_ok("67 89 44 88 08");		/* [eax+ecx*4+8] */
	check_access(6, MMIO_BASE + 0x28, 2, true, 0x10);
	CHECK_EQ(regs.rip, 0x1000 + 3 + 2 + 3 + 4 + 4 + 3 + 5);
}

TEST(addressing_32bit)
{
	reset(M32);
	emu.seg_base[X86_SEG_DS] = MMIO_BASE - 0x1000;
	emu.seg_base[X86_SEG_SS] = MMIO_BASE + 0x800;
	regs.gpr[X86_RAX] = 0x1010;
	regs.gpr[X86_RSP] = 0x10;
	run_ok("c6 00 01");			/* [eax] */
	check_access(0, MMIO_BASE + 0x10, 1, true, 1);
	emu.seg_base[X86_SEG_FS] = MMIO_BASE - 0x1000 + 0x100;
	run_ok("64 c6 40 08 02");		/* fs:[eax+8] */
	check_access(1, MMIO_BASE + 0x118, 1, true, 2);
	run_ok("c6 44 24 04 03");		/* [esp+4] -> SS */
	check_access(2, MMIO_BASE + 0x814, 1, true, 3);
	/* The linear address wraps at 4 GiB. */
	emu.seg_base[X86_SEG_DS] = MMIO_BASE + 0x20;
	regs.gpr[X86_RAX] = 0xfffffff0;
	run_ok("c6 00 04");
	check_access(3, MMIO_BASE + 0x10, 1, true, 4);
}

TEST(addressing_64bit)
{
	reset(M64);
	regs.rip = MMIO_BASE - 0x100;
	run_ok("c7 05 f6 00 00 00 01 00 00 00");	/* [rip+0xf6] */
	check_access(0, MMIO_BASE, 4, true, 1);
	regs.gpr[X86_RBX] = MMIO_BASE;
	regs.gpr[12] = 0x10;
	run_ok("42 c6 44 a3 04 02");		/* [rbx+r12*4+4] */
	check_access(1, MMIO_BASE + 0x44, 1, true, 2);
	regs.gpr[13] = MMIO_BASE + 0x80;
	run_ok("41 c6 45 00 03");		/* [r13+0]: DS, not SS */
	check_access(2, MMIO_BASE + 0x80, 1, true, 3);
	/* [disp32] is sign-extended: not the MMIO page but near -4 GiB. */
	CHECK_EQ(run("c6 04 25 00 01 e0 fe 04"), -EFAULT);
	CHECK_EQ(mem.last_gva, 0xfffffffffee00100ULL);
	CHECK_EQ(mem.nlog, 3);
	/* Non-canonical: #GP(0), or #SS(0) through rSP/rBP. */
	regs.gpr[X86_RAX] = 0x0000800000000000ULL;
	CHECK_EQ(run("c6 00 00"), X86_EMU_EXCEPTION);
	CHECK_EQ(emu.exc.vector, X86_EXC_GP);
	CHECK(emu.exc.has_error_code);
	CHECK_EQ(emu.exc.error_code, 0);
	regs.gpr[X86_RBP] = 0x0000800000000000ULL;
	CHECK_EQ(run("c6 45 00 00"), X86_EMU_EXCEPTION);
	CHECK_EQ(emu.exc.vector, X86_EXC_SS);
	/* With LA57 the same address is canonical and reaches the callback. */
	emu.la57 = true;
	CHECK_EQ(run("c6 45 00 00"), -EFAULT);
	CHECK_EQ(mem.last_gva, 0x0000800000000000ULL);
}

/* --------------------------------------------------------- faults */

TEST(lock_prefix)
{
	reset(M64);
	regs.gpr[X86_RAX] = MMIO_BASE;
	CHECK_EQ(run("f0 89 08"), X86_EMU_EXCEPTION);	/* lock mov */
	CHECK_EQ(emu.exc.vector, X86_EXC_UD);
	CHECK_EQ(run("f0 39 08"), X86_EMU_EXCEPTION);	/* lock cmp */
	CHECK_EQ(run("f0 80 38 01"), X86_EMU_EXCEPTION);
	CHECK_EQ(run("f0 03 08"), X86_EMU_EXCEPTION);	/* reg dest */
	CHECK_EQ(run("f0 01 c8"), X86_EMU_EXCEPTION);
	CHECK_EQ(run("f0 85 08"), X86_EMU_EXCEPTION);	/* lock test */
	CHECK_EQ(run("f0 f3 aa"), X86_EMU_EXCEPTION);
	CHECK_EQ(mem.nlog, 0);
	CHECK_EQ(regs.rip, 0x1000);
	run_ok("f0 01 08");
	run_ok("f0 83 08 01");
	run_ok("f0 87 08");
}

TEST(unhandled)
{
	reset(M64);
	regs.gpr[X86_RAX] = MMIO_BASE;
	CHECK_EQ(run("f7 18"), X86_EMU_UNHANDLED);		/* neg */
	CHECK_EQ(run("ff 00"), X86_EMU_UNHANDLED);		/* inc */
	CHECK_EQ(run("c7 f8 00 00 00 00"), X86_EMU_UNHANDLED);	/* xbegin */
	CHECK_EQ(run("0f 0b"), X86_EMU_UNHANDLED);
	CHECK_EQ(run("c5 f9 6f 00"), X86_EMU_UNHANDLED);	/* vmovdqa */
	CHECK_EQ(run("0f 38 f0 00"), X86_EMU_UNHANDLED);	/* movbe */
	CHECK_EQ(run("ac"), X86_EMU_UNHANDLED);			/* lods */
	reset(M32);
	CHECK_EQ(run("63 00"), X86_EMU_UNHANDLED);		/* arpl */
	CHECK_EQ(mem.nlog, 0);
	CHECK_EQ(regs.rip, 0x1000);
}

TEST(callback_failures)
{
	reset(M64);
	regs.gpr[X86_RAX] = MMIO_BASE;
	regs.gpr[X86_RCX] = 5;
	mem.mmio_read_val = 7;
	/* #PF from the write: no register or flag changes. */
	mem.fail_write = X86_EMU_EXCEPTION;
	CHECK_EQ(run("87 08"), X86_EMU_EXCEPTION);
	CHECK_EQ(emu.exc.vector, X86_EXC_PF);
	CHECK_EQ(emu.exc.cr2, MMIO_BASE);
	CHECK_EQ(regs.gpr[X86_RCX], 5);
	mem.fail_write = X86_EMU_RETRY;
	CHECK_EQ(run("01 08"), X86_EMU_RETRY);
	CHECK_EQ(regs.rflags, 0x2);
	mem.fail_write = -EIO;
	CHECK_EQ(run("89 08"), -EIO);
	CHECK_EQ(regs.rip, 0x1000);
	/* A fault mid-REP keeps the finished iterations, rip stays. */
	regs.gpr[X86_RDI] = 0xfff0;
	regs.gpr[X86_RCX] = 32;
	CHECK_EQ(run("f3 aa"), -EFAULT);
	CHECK_EQ(regs.gpr[X86_RCX], 16);
	CHECK_EQ(regs.gpr[X86_RDI], 0x10000);
	CHECK_EQ(regs.rip, 0x1000);
}

TEST_MAIN("emulate", T(mov_store_sizes), T(mov_load_sizes), T(mov_immediate),
	  T(mov_moffs), T(movzx_movsx), T(xchg), T(alu_flags_vs_host),
	  T(alu_immediate_vs_host), T(test_flags_vs_host), T(rep_stos),
	  T(rep_bounded), T(rep_stops_after_an_exit), T(rep_movs), T(string_16bit), T(addressing_16bit),
	  T(addressing_32bit), T(addressing_64bit), T(lock_prefix),
	  T(unhandled), T(callback_failures))
