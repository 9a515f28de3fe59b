// SPDX-License-Identifier: GPL-2.0
/*
 * mmio32 / mmio64: instructions on the test device's MMIO, which Keel must
 * emulate: MOV of every size at aligned and unaligned offsets, MOVZX/MOVSX
 * and partial-register loads, REP STOS and REP MOVS both ways with DF=0 and
 * DF=1, ALU instructions with a memory operand (results and flags compared
 * with the same instruction run on RAM), XCHG. A shadow copy models the 64
 * scratch bytes; every write to the device is counted and compared with the
 * device's write counter at 0x50.
 *
 * Built with -DMMIO_ON_RAM -DTD_BASE=0x800000 the same tests run on plain RAM
 * (no ID or counter checks), which checks the tests themselves on any machine.
 */
#include "testdev.h"

#ifdef __x86_64__
#define MAX_SIZE	8
#else
#define MAX_SIZE	4
#endif

static u8 shadow[TD_SCRATCH_SIZE];
static u64 writes;		/* device writes made by this guest */
static u64 count_base;

static u64 shadow_get(unsigned int off, unsigned int size)
{
	u64 v = 0;

	memcpy(&v, &shadow[off], size);
	return v;
}

static u64 size_mask(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static void td_write(unsigned int off, unsigned int size, u64 v)
{
	unsigned long a = td_addr(TD_SCRATCH + off);

	if (size == 1)
		mmio_write8(a, v);
	else if (size == 2)
		mmio_write16(a, v);
	else if (size == 4)
		mmio_write32(a, v);
#ifdef __x86_64__
	else
		mmio_write64(a, v);
#endif
	memcpy(&shadow[off], &v, size);
	writes++;
}

static u64 td_read(unsigned int off, unsigned int size)
{
	unsigned long a = td_addr(TD_SCRATCH + off);

	if (size == 1)
		return mmio_read8(a);
	if (size == 2)
		return mmio_read16(a);
	if (size == 4)
		return mmio_read32(a);
#ifdef __x86_64__
	return mmio_read64(a);
#else
	return 0;
#endif
}

static void check_shadow(const char *what)
{
	for (unsigned int off = 0; off < TD_SCRATCH_SIZE; off++) {
		u64 got = td_read(off, 1);

		if (got != shadow[off])
			fail("%s: scratch byte %#x is %#llx, expected %#x", what, off,
			     (unsigned long long)got, shadow[off]);
	}
	for (unsigned int off = 0; off < TD_SCRATCH_SIZE; off += 4) {
		u64 got = td_read(off, 4);

		if (got != shadow_get(off, 4))
			fail("%s: scratch dword %#x is %#llx, expected %#llx", what, off,
			     (unsigned long long)got, (unsigned long long)shadow_get(off, 4));
	}
	check(true, what);
}

static void check_writes(const char *what)
{
#ifdef MMIO_ON_RAM
	return;
#endif
	u64 got = td_writes() - count_base;

	checkf(got == writes, "%s: device counted %llu writes, guest made %llu", what,
	       (unsigned long long)got, (unsigned long long)writes);
}

static void test_id(void)
{
#ifdef MMIO_ON_RAM
	return;
#endif
	td_require();
	count_base = td_writes();
	check_eq(count_base, 0, "write counter before any write");
#ifndef __x86_64__
	check_eq(mmio_read32(td_addr(TD_ID)), (u32)TD_ID_VALUE, "ID low dword");
#endif
}

/* Every size at aligned, unaligned and end-of-scratch offsets. */
static void test_mov(void)
{
	static const unsigned int offs[] = { 0, 1, 3, 6, 8, 13, 0x20, 0x2F, 0x31 };

	for (unsigned int i = 0; i < TD_SCRATCH_SIZE; i += 4)
		td_write(i, 4, 0);
	check_shadow("scratch cleared");
	for (unsigned int size = 1; size <= MAX_SIZE; size *= 2) {
		for (unsigned int i = 0; i <= ARRAY_SIZE(offs); i++) {
			unsigned int off = i < ARRAY_SIZE(offs) ? offs[i] : TD_SCRATCH_SIZE - size;
			u64 v = (0x8877665544332211ULL ^ (u64)off * 0x0101010101010101ULL) *
				size & size_mask(size);
			u64 got;

			td_write(off, size, v);
			got = td_read(off, size);
			checkf(got == v, "MOV %u bytes at scratch %#x: read %#llx, wrote %#llx",
			       size, off, (unsigned long long)got, (unsigned long long)v);
		}
	}
	check_shadow("scratch after MOVs of every size");
	check_writes("MOVs");
}

static void test_extend(void)
{
	unsigned long a8 = td_addr(0x10), a16 = td_addr(0x12), r;
	u32 e;

	td_write(0x10, 1, 0x80);
	td_write(0x12, 2, 0x8001);
	asm volatile("movzbl (%1), %0" : "=r"(e) : "r"(a8) : "memory");
	check_eq(e, 0x80, "MOVZX r32, m8");
	asm volatile("movsbl (%1), %0" : "=r"(e) : "r"(a8) : "memory");
	check_eq(e, 0xFFFFFF80, "MOVSX r32, m8");
	asm volatile("movzwl (%1), %0" : "=r"(e) : "r"(a16) : "memory");
	check_eq(e, 0x8001, "MOVZX r32, m16");
	asm volatile("movswl (%1), %0" : "=r"(e) : "r"(a16) : "memory");
	check_eq(e, 0xFFFF8001, "MOVSX r32, m16");
	e = 0x12345678;
	asm volatile("movzbw (%1), %w0" : "+r"(e) : "r"(a8) : "memory");
	check_eq(e, 0x12340080, "MOVZX r16, m8 keeps bits 31:16");
	e = 0x11223344;
	asm volatile("movb (%1), %h0" : "+Q"(e) : "r"(a8) : "memory");
	check_eq(e, 0x11228044, "MOV r8 (AH-style high byte), m8");
	e = 0x11223344;
	asm volatile("movw (%1), %w0" : "+r"(e) : "r"(a16) : "memory");
	check_eq(e, 0x11228001, "MOV r16, m16 keeps bits 31:16");
#ifdef __x86_64__
	asm volatile("movsbq (%1), %0" : "=r"(r) : "r"(a8) : "memory");
	check_eq(r, 0xFFFFFFFFFFFFFF80ULL, "MOVSX r64, m8");
	asm volatile("movswq (%1), %0" : "=r"(r) : "r"(a16) : "memory");
	check_eq(r, 0xFFFFFFFFFFFF8001ULL, "MOVSX r64, m16");
	td_write(0x14, 4, 0x80000001);
	asm volatile("movslq (%1), %0" : "=r"(r) : "r"(td_addr(0x14)) : "memory");
	check_eq(r, 0xFFFFFFFF80000001ULL, "MOVSXD r64, m32");
	r = ~0UL;
	asm volatile("movl (%1), %k0" : "+r"(r) : "r"(td_addr(0x14)) : "memory");
	check_eq(r, 0x80000001, "MOV r32, m32 zeroes bits 63:32");
#else
	(void)r;
#endif
	check_writes("MOVZX/MOVSX");
}

/* REP STOS of element size @size: @n elements from scratch offset @off. */
static void rep_stos(unsigned int size, unsigned int off, unsigned long n, bool down,
		     u64 v)
{
	unsigned long di = td_addr(off), cx = n;
	unsigned long want_di = down ? di - n * size : di + n * size;

	if (size == 1)
		asm volatile("std\n\tcmpb $0, %3\n\tjne 1f\n\tcld\n1:\trep stosb\n\tcld"
			     : "+D"(di), "+c"(cx) : "a"((unsigned long)v), "m"(down)
			     : "memory", "cc");
	else if (size == 2)
		asm volatile("std\n\tcmpb $0, %3\n\tjne 1f\n\tcld\n1:\trep stosw\n\tcld"
			     : "+D"(di), "+c"(cx) : "a"((unsigned long)v), "m"(down)
			     : "memory", "cc");
	else if (size == 4)
		asm volatile("std\n\tcmpb $0, %3\n\tjne 1f\n\tcld\n1:\trep stosl\n\tcld"
			     : "+D"(di), "+c"(cx) : "a"((unsigned long)v), "m"(down)
			     : "memory", "cc");
#ifdef __x86_64__
	else
		asm volatile("std\n\tcmpb $0, %3\n\tjne 1f\n\tcld\n1:\trep stosq\n\tcld"
			     : "+D"(di), "+c"(cx) : "a"(v), "m"(down) : "memory", "cc");
#endif
	for (unsigned long i = 0; i < n; i++) {
		unsigned int o = down ? off - i * size : off + i * size;

		memcpy(&shadow[o], &v, size);
	}
	writes += n;
	checkf(di == want_di && cx == 0,
	       "REP STOS size %u DF=%d: final DI %#lx CX %lu, expected %#lx 0", size,
	       down, di, cx, want_di);
}

static void test_stos(void)
{
	rep_stos(1, 0x10, 16, false, 0xAB);
	rep_stos(1, 0x2F, 8, true, 0xCD);
	check_shadow("REP STOSB");
	rep_stos(2, 0x20, 4, false, 0xBEEF);
	rep_stos(2, 0x1E, 3, true, 0x1234);
	rep_stos(4, 0x00, 4, false, 0x11223344);
	rep_stos(4, 0x3C, 4, true, 0x55667788);
	check_shadow("REP STOSW/STOSD");
#ifdef __x86_64__
	rep_stos(8, 0x08, 2, false, 0x0102030405060708ULL);
	rep_stos(8, 0x38, 2, true, 0xF1F2F3F4F5F6F7F8ULL);
	check_shadow("REP STOSQ");
#endif
	check_writes("REP STOS");
}

/* REP MOVS of @n elements of @size between @src and @dst (their first elements). */
static void rep_movs(unsigned int size, unsigned long dst, unsigned long src,
		     unsigned long n, bool down, const char *what)
{
	unsigned long di = dst, si = src, cx = n;
	unsigned long step = down ? -(unsigned long)size : size;

	if (size == 1)
		asm volatile("std\n\tcmpb $0, %3\n\tjne 1f\n\tcld\n1:\trep movsb\n\tcld"
			     : "+D"(di), "+S"(si), "+c"(cx) : "m"(down) : "memory", "cc");
	else
		asm volatile("std\n\tcmpb $0, %3\n\tjne 1f\n\tcld\n1:\trep movsl\n\tcld"
			     : "+D"(di), "+S"(si), "+c"(cx) : "m"(down) : "memory", "cc");
	checkf(di == dst + n * step && si == src + n * step && cx == 0,
	       "%s: final DI %#lx SI %#lx CX %lu", what, di, si, cx);
}

static void to_mmio(unsigned int size, unsigned int off, const u8 *src, unsigned long n,
		    bool down, const char *what)
{
	unsigned long bytes = n * size;
	unsigned int lo = down ? off + size - bytes : off;

	rep_movs(size, td_addr(off), (unsigned long)src, n, down, what);
	memcpy(&shadow[lo], down ? src + size - bytes : src, bytes);
	writes += n;
	check_shadow(what);
}

static void from_mmio(unsigned int size, unsigned int off, unsigned long n, bool down,
		      const char *what)
{
	u8 buf[TD_SCRATCH_SIZE + 16];
	unsigned long bytes = n * size;
	unsigned int lo = down ? off + size - bytes : off;
	u8 *dst = buf + 8 + (down ? bytes - size : 0);

	memset(buf, 0xEE, sizeof(buf));
	rep_movs(size, (unsigned long)dst, td_addr(off), n, down, what);
	checkf(!memcmp(buf + 8, &shadow[lo], bytes), "%s: data differs from the device", what);
	checkf(buf[7] == 0xEE && buf[8 + bytes] == 0xEE, "%s: wrote outside the buffer", what);
}

static void test_movs(void)
{
	u8 src[TD_SCRATCH_SIZE];

	for (unsigned int i = 0; i < sizeof(src); i++)
		src[i] = i * 7 + 1;
	to_mmio(1, 0x08, src, 16, false, "REP MOVSB memory->MMIO DF=0");
	to_mmio(1, 0x37, src + 15, 16, true, "REP MOVSB memory->MMIO DF=1");
	to_mmio(4, 0x00, src + 32, 4, false, "REP MOVSD memory->MMIO DF=0");
	to_mmio(4, 0x3C, src + 44, 4, true, "REP MOVSD memory->MMIO DF=1");
	from_mmio(1, 0x00, 64, false, "REP MOVSB MMIO->memory DF=0");
	from_mmio(1, 0x3F, 64, true, "REP MOVSB MMIO->memory DF=1");
	from_mmio(4, 0x04, 8, false, "REP MOVSD MMIO->memory DF=0");
	from_mmio(4, 0x3C, 16, true, "REP MOVSD MMIO->memory DF=1");
	check_writes("REP MOVS");
}

/*
 * ALU instructions with a memory operand. Each runs once on RAM and once on
 * the device with the same operands and incoming flags; the memory result,
 * the register and the arithmetic flags must agree. AND/OR/XOR/TEST leave AF
 * undefined (SDM Vol. 2A), so it is not compared for them.
 */
struct alu_op {
	const char *name;
	void (*fn)(unsigned long mem, unsigned long *reg, unsigned long *flags);
	unsigned int size;
	bool writes;	/* destination is memory */
	bool logic;	/* AF undefined */
};

#define ALU_FN(fname, insn)							\
static void fname(unsigned long mem, unsigned long *reg, unsigned long *flags)	\
{										\
	unsigned long r = *reg, f = *flags;					\
										\
	asm volatile("push %[f]\n\tpopf\n\t" insn "\n\tpushf\n\tpop %[f]"	\
		     : [r] "+q"(r), [f] "+r"(f) : [m] "r"(mem) : "memory", "cc");	\
	*reg = r;								\
	*flags = f;								\
}

/* sz: suffix; rm: operand modifier; imm: an immediate of that size. */
#define ALU_SIZE(sz, rm, imm)							\
	ALU_FN(and_##sz, "and" #sz " %" #rm "[r], (%[m])")			\
	ALU_FN(or_##sz, "or" #sz " (%[m]), %" #rm "[r]")			\
	ALU_FN(xor_##sz, "xor" #sz " $0x5A, (%[m])")				\
	ALU_FN(add_##sz, "add" #sz " %" #rm "[r], (%[m])")			\
	ALU_FN(addi_##sz, "add" #sz " $" #imm ", (%[m])")			\
	ALU_FN(sub_##sz, "sub" #sz " (%[m]), %" #rm "[r]")			\
	ALU_FN(subi_##sz, "sub" #sz " $-3, (%[m])")				\
	ALU_FN(test_##sz, "test" #sz " %" #rm "[r], (%[m])")			\
	ALU_FN(cmp_##sz, "cmp" #sz " (%[m]), %" #rm "[r]")			\
	ALU_FN(cmpm_##sz, "cmp" #sz " %" #rm "[r], (%[m])")

ALU_SIZE(b, b, 0x7F)
ALU_SIZE(w, w, 0x7FFF)
ALU_SIZE(l, k, 0x7FFFFFFF)
#ifdef __x86_64__
ALU_SIZE(q, q, 0x7FFFFFFF)
#endif

#define ALU_OPS(sz, size)							\
	{ "and m,r", and_##sz, size, true, true },				\
	{ "or r,m", or_##sz, size, false, true },				\
	{ "xor m,imm8", xor_##sz, size, true, true },				\
	{ "add m,r", add_##sz, size, true, false },				\
	{ "add m,imm", addi_##sz, size, true, false },				\
	{ "sub r,m", sub_##sz, size, false, false },				\
	{ "sub m,imm8", subi_##sz, size, true, false },				\
	{ "test m,r", test_##sz, size, false, true },				\
	{ "cmp r,m", cmp_##sz, size, false, false },				\
	{ "cmp m,r", cmpm_##sz, size, false, false }

static const struct alu_op alu_ops[] = {
	ALU_OPS(b, 1), ALU_OPS(w, 2), ALU_OPS(l, 4),
#ifdef __x86_64__
	ALU_OPS(q, 8),
#endif
};

static const u64 alu_vals[][2] = {	/* memory, register */
	{ 0, 0 },
	{ ~0ULL, 1 },
	{ 0x8000000000000000ULL, 0x8000000000000000ULL },
	{ 0x7FFFFFFFFFFFFFFFULL, 1 },
	{ 0x5A5A5A5A5A5A5A5AULL, 0xA5A5A5A5A5A5A5A5ULL },
	{ 1, 2 },
};

static void alu_case(const struct alu_op *op, unsigned int off, u64 m, u64 r, unsigned long f0)
{
	u64 mask = size_mask(op->size), ram = m & mask, got;
	unsigned long flag_mask = X86_EFLAGS_ARITH & ~(op->logic ? X86_EFLAGS_AF : 0);
	unsigned long r_ram = r, r_dev = r, f_ram = f0, f_dev = f0;

	td_write(off, op->size, m & mask);
	op->fn((unsigned long)&ram, &r_ram, &f_ram);
	op->fn(td_addr(off), &r_dev, &f_dev);
	if (op->writes) {
		memcpy(&shadow[off], &ram, op->size);
		writes++;
	}
	got = td_read(off, op->size);
	checkf(got == (ram & mask) && r_dev == r_ram &&
	       (f_dev & flag_mask) == (f_ram & flag_mask),
	       "%s size %u (mem %#llx reg %#llx flags %#lx): device mem %#llx reg %#lx flags %#lx,"
	       " RAM mem %#llx reg %#lx flags %#lx", op->name, op->size,
	       (unsigned long long)(m & mask), (unsigned long long)r, f0,
	       (unsigned long long)got, r_dev, f_dev & flag_mask,
	       (unsigned long long)(ram & mask), r_ram, f_ram & flag_mask);
}

static void test_alu(void)
{
	unsigned long base = read_flags() & ~(X86_EFLAGS_ARITH | X86_EFLAGS_DF);

	for (unsigned int i = 0; i < ARRAY_SIZE(alu_ops); i++) {
		for (unsigned int v = 0; v < ARRAY_SIZE(alu_vals); v++) {
			unsigned int off = v & 1 ? 0x21 : 0x18;

			alu_case(&alu_ops[i], off, alu_vals[v][0], alu_vals[v][1], base);
			alu_case(&alu_ops[i], off, alu_vals[v][0], alu_vals[v][1],
				 base | X86_EFLAGS_ARITH);
		}
	}
	check_shadow("scratch after ALU instructions");
	check_writes("ALU instructions");
}

/* XCHG with memory: the register gets the old value, memory the new (1 write). */
static void test_xchg(void)
{
	for (unsigned int size = 1; size <= MAX_SIZE; size *= 2) {
		unsigned int off = 0x30 + size - 1;
		u64 old = 0xC3C3C3C3C3C3C3C3ULL & size_mask(size);
		u64 new = 0x0123456789ABCDEFULL & size_mask(size);
		unsigned long r = new, a = td_addr(off);

		td_write(off, size, old);
		if (size == 1)
			asm volatile("xchgb %b0, (%1)" : "+q"(r) : "r"(a) : "memory");
		else if (size == 2)
			asm volatile("xchgw %w0, (%1)" : "+r"(r) : "r"(a) : "memory");
		else if (size == 4)
			asm volatile("xchgl %k0, (%1)" : "+r"(r) : "r"(a) : "memory");
#ifdef __x86_64__
		else
			asm volatile("xchgq %q0, (%1)" : "+r"(r) : "r"(a) : "memory");
#endif
		memcpy(&shadow[off], &new, size);
		writes++;
		checkf((r & size_mask(size)) == old, "XCHG size %u: register got %#lx, expected %#llx",
		       size, r, (unsigned long long)old);
		checkf(td_read(off, size) == new, "XCHG size %u: device holds %#llx, expected %#llx",
		       size, (unsigned long long)td_read(off, size), (unsigned long long)new);
	}
	check_shadow("scratch after XCHG");
	check_writes("XCHG");
}

void guest_main(void)
{
	test_id();
	test_mov();
	test_extend();
	test_stos();
	test_movs();
	test_alu();
	test_xchg();
	printf("%llu device writes counted\n", (unsigned long long)writes);
}
