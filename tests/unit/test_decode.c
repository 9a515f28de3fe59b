// SPDX-License-Identifier: GPL-2.0
/* Unit tests for arch/x86/virt/decode.c: lengths and fields of known encodings. */
#include "tests/unit/test.h"
#include "arch/x86/virt/decode.h"
#include "kernel/errno.h"

#define M16 X86_MODE_16
#define M32 X86_MODE_32
#define M64 X86_MODE_64

/* Decode the hex bytes in @hex (e.g. "48 89 c0"), all of them available. */
static int dec(enum x86_mode mode, const char *hex, struct x86_insn *insn)
{
	u8 buf[32];
	size_t n = 0;
	unsigned int byte;
	int used;

	while (n < sizeof(buf) && sscanf(hex, " %2x%n", &byte, &used) == 1) {
		buf[n++] = byte;
		hex += used;
	}
	return x86_decode(buf, n, mode, insn);
}

struct len_case {
	enum x86_mode mode;
	const char *hex;
	int len;
};

static void check_lengths(const struct len_case *c, size_t n)
{
	struct x86_insn insn;
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = dec(c[i].mode, c[i].hex, &insn);
		if (ret != c[i].len)
			fprintf(stderr, "  mode %d \"%s\"\n", 16 << c[i].mode,
				c[i].hex);
		CHECK_EQ(ret, c[i].len);
		if (ret > 0)
			CHECK_EQ(insn.len, ret);
	}
}

TEST(lengths_64bit)
{
	static const struct len_case c[] = {
		{ M64, "90", 1 },
		{ M64, "48 89 c0", 3 },
		/* MOV r64, imm64 is the only 8-byte immediate. */
		{ M64, "48 b8 11 22 33 44 55 66 77 88", 10 },
		{ M64, "49 bf 11 22 33 44 55 66 77 88", 10 },
		{ M64, "b8 11 22 33 44", 5 },
		{ M64, "66 b8 11 22", 4 },
		/* Other immediates stay 32-bit with REX.W. */
		{ M64, "48 c7 c0 11 22 33 44", 7 },
		{ M64, "48 05 11 22 33 44", 6 },
		{ M64, "66 48 05 11 22 33 44", 7 },
		{ M64, "48 69 c0 11 22 33 44", 7 },
		/* Near branches: rel32, 66 ignored (Intel). */
		{ M64, "e8 11 22 33 44", 5 },
		{ M64, "66 e8 11 22 33 44", 6 },
		{ M64, "0f 84 11 22 33 44", 6 },
		{ M64, "eb 10", 2 },
		{ M64, "e3 10", 2 },
		{ M64, "c2 10 00", 3 },
		{ M64, "66 c2 10 00", 4 },
		{ M64, "c8 10 00 01", 4 },
		{ M64, "6a 01", 2 },
		{ M64, "68 11 22 33 44", 5 },
		{ M64, "66 68 11 22", 4 },
		/* moffs is address-sized: 8 bytes, 4 with 67. */
		{ M64, "a0 11 22 33 44 55 66 77 88", 9 },
		{ M64, "48 a3 11 22 33 44 55 66 77 88", 10 },
		{ M64, "67 a1 11 22 33 44", 6 },
		/* ModRM, SIB, displacement, RIP-relative. */
		{ M64, "8b 00", 2 },
		{ M64, "8b 04 24", 3 },
		{ M64, "8b 44 24 08", 4 },
		{ M64, "8b 84 24 11 22 33 44", 7 },
		{ M64, "8b 04 25 11 22 33 44", 7 },
		{ M64, "8b 45 08", 3 },
		{ M64, "41 8b 45 08", 4 },
		{ M64, "8b 05 11 22 33 44", 6 },
		{ M64, "ff 15 11 22 33 44", 6 },
		{ M64, "67 8b 05 11 22 33 44", 7 },
		{ M64, "c7 05 11 22 33 44 55 66 77 88", 10 },
		{ M64, "66 c7 05 11 22 33 44 55 66", 9 },
		{ M64, "c6 44 24 08 55", 5 },
		/* Group 3: only TEST (/0, /1) has an immediate. */
		{ M64, "f6 00 12", 3 },
		{ M64, "f6 10", 2 },
		{ M64, "f7 00 11 22 33 44", 6 },
		{ M64, "66 f7 00 11 22", 5 },
		{ M64, "48 f7 d8", 3 },
		/* MOV CR/DR ignore ModRM.mod: never a displacement. */
		{ M64, "0f 20 05", 3 },
		{ M64, "0f 22 d8", 3 },
		/* Escapes, 3DNow!, SSE4a. */
		{ M64, "0f 0b", 2 },
		{ M64, "0f 0f c1 b4", 4 },
		{ M64, "0f 0f 40 08 9e", 5 },
		{ M64, "66 0f 38 00 c1", 5 },
		{ M64, "66 0f 3a 0f c1 08", 6 },
		{ M64, "f2 0f 38 f1 c1", 5 },
		{ M64, "66 0f 78 c0 01 02", 6 },
		{ M64, "f2 0f 78 c1 01 02", 6 },
		{ M64, "0f 78 c1", 3 },
		{ M64, "0f 01 d9", 3 },
		{ M64, "f3 0f 1e fa", 4 },
		{ M64, "0f ba e0 05", 4 },
		{ M64, "f0 48 0f c7 0f", 5 },
		{ M64, "d9 e8", 2 },
		{ M64, "dd 04 24", 3 },
		/* VEX, EVEX, XOP. */
		{ M64, "c5 f8 77", 3 },
		{ M64, "c5 fc 77", 3 },
		{ M64, "c5 f9 6f 04 24", 5 },
		{ M64, "c4 e2 79 18 00", 5 },
		{ M64, "c4 e3 79 04 c0 01", 6 },
		{ M64, "c4 e1 f9 70 c0 01", 6 },
		{ M64, "c4 e2 f8 f2 c0", 5 },
		{ M64, "62 f1 7c 48 10 00", 6 },
		{ M64, "62 f1 7c 48 10 40 01", 7 },
		{ M64, "62 f1 7c 48 10 80 11 22 33 44", 10 },
		{ M64, "62 f3 7d 48 19 c1 01", 7 },
		{ M64, "62 f1 7c 58 58 c0", 6 },
		{ M64, "8f e8 78 a2 c1 10", 6 },
		{ M64, "8f e9 78 80 00", 5 },
		{ M64, "8f ea 78 10 c0 11 22 33 44", 9 },
	};

	check_lengths(c, ARRAY_SIZE(c));
}

TEST(lengths_32bit)
{
	static const struct len_case c[] = {
		{ M32, "b8 11 22 33 44", 5 },
		{ M32, "66 b8 11 22", 4 },
		{ M32, "05 11 22 33 44", 5 },
		{ M32, "66 05 11 22", 4 },
		{ M32, "a1 11 22 33 44", 5 },
		{ M32, "67 a1 11 22", 4 },
		{ M32, "8b 05 11 22 33 44", 6 },
		/* 67: 16-bit addressing, [bp+disp8], [disp16]. */
		{ M32, "67 8b 46 08", 4 },
		{ M32, "67 8b 06 11 22", 5 },
		{ M32, "67 66 c7 06 11 22 33 44", 8 },
		{ M32, "e8 11 22 33 44", 5 },
		{ M32, "66 e8 11 22", 4 },
		{ M32, "0f 84 11 22 33 44", 6 },
		{ M32, "66 0f 84 11 22", 5 },
		/* Far pointers: offset by operand size + selector. */
		{ M32, "9a 11 22 33 44 55 66", 7 },
		{ M32, "66 ea 11 22 33 44", 6 },
		{ M32, "40", 1 },
		{ M32, "48", 1 },
		{ M32, "d4 0a", 2 },
		{ M32, "d6", 1 },
		{ M32, "82 c0 01", 3 },
		{ M32, "63 c0", 2 },
		/* C4/C5/62 are LES/LDS/BOUND unless ModRM.mod is 11. */
		{ M32, "c4 00", 2 },
		{ M32, "c5 46 08", 3 },
		{ M32, "62 00", 2 },
		{ M32, "c5 f8 77", 3 },
		{ M32, "c4 e3 79 04 c0 01", 6 },
		{ M32, "62 f1 7c 48 10 00", 6 },
		{ M32, "8f e8 78 a2 c1 10", 6 },
		{ M32, "8f 00", 2 },
	};

	check_lengths(c, ARRAY_SIZE(c));
}

TEST(lengths_16bit)
{
	static const struct len_case c[] = {
		{ M16, "b8 11 22", 3 },
		{ M16, "66 b8 11 22 33 44", 6 },
		{ M16, "05 11 22", 3 },
		/* 16-bit ModRM (SDM table 2-1). */
		{ M16, "8b 00", 2 },
		{ M16, "8b 46 08", 3 },
		{ M16, "8b 06 11 22", 4 },
		{ M16, "8b 86 11 22", 4 },
		{ M16, "8b 04", 2 },
		{ M16, "c7 06 11 22 33 44", 6 },
		{ M16, "66 c7 06 11 22 33 44 55 66", 9 },
		/* 67: 32-bit addressing with SIB and disp32, no RIP. */
		{ M16, "67 8b 04 24", 4 },
		{ M16, "67 8b 05 11 22 33 44", 7 },
		{ M16, "67 8b 44 24 08", 5 },
		{ M16, "a1 11 22", 3 },
		{ M16, "67 a1 11 22 33 44", 6 },
		{ M16, "e8 11 22", 3 },
		{ M16, "66 e8 11 22 33 44", 6 },
		{ M16, "9a 11 22 33 44", 5 },
		{ M16, "66 9a 11 22 33 44 55 66", 8 },
		{ M16, "c2 10 00", 3 },
		{ M16, "c8 10 00 01", 4 },
		{ M16, "6a 01", 2 },
		{ M16, "68 11 22", 3 },
	};

	check_lengths(c, ARRAY_SIZE(c));
}

TEST(undefined_opcodes)
{
	static const struct len_case c[] = {
		{ M64, "0f 04", -EINVAL },
		{ M64, "0f 0a", -EINVAL },
		{ M64, "0f 36", -EINVAL },
		{ M64, "0f 7a 00", -EINVAL },
		{ M64, "0f 38 50 c0", -EINVAL },
		{ M64, "0f 3a 00 c0 00", -EINVAL },
		/* Invalid in 64-bit mode only. */
		{ M64, "06", -EINVAL },
		{ M64, "d6", -EINVAL },
		{ M64, "d4 0a", -EINVAL },
		{ M64, "9a 11 22 33 44 55 66", -EINVAL },
		{ M64, "82 c0 01", -EINVAL },
		/* Groups: ModRM.reg or a register form undefined. */
		{ M64, "fe 10", -EINVAL },
		{ M64, "ff ff", -EINVAL },
		{ M64, "ff d8", -EINVAL },
		{ M64, "c6 08 00", -EINVAL },
		{ M64, "c6 f8 00", 3 },
		{ M64, "c7 f8 11 22 33 44", 6 },
		{ M64, "8f 00", 2 },
		{ M64, "8e c8", -EINVAL },
		{ M64, "8c f0", -EINVAL },
		{ M64, "0f ba 00 01", -EINVAL },
		{ M64, "0f c7 00", -EINVAL },
		{ M64, "0f c7 f0", 3 },
		{ M64, "0f 71 00 01", -EINVAL },
		{ M64, "0f 71 d0 01", 4 },
		{ M64, "d9 d1", -EINVAL },
		{ M64, "d9 08", -EINVAL },
		{ M64, "da e9", 2 },
		{ M64, "df e1", -EINVAL },
		/* ModRM must name memory / a register. */
		{ M64, "8d c0", -EINVAL },
		{ M64, "0f b2 c0", -EINVAL },
		{ M64, "0f d7 00", -EINVAL },
		/* 3DNow! suffix not an opcode. */
		{ M64, "0f 0f c1 ff", -EINVAL },
		/* VEX/EVEX: bad map, reserved bits, prefixes before them. */
		{ M64, "c4 e0 79 00 c0", -EINVAL },
		{ M64, "c4 e4 79 00 c0", -EINVAL },
		{ M64, "62 f0 7c 48 10 00", -EINVAL },
		{ M64, "62 f9 7c 48 10 00", -EINVAL },
		{ M64, "62 f1 78 48 10 00", -EINVAL },
		{ M64, "66 c5 f8 77", -EINVAL },
		{ M64, "f3 c4 e2 79 18 00", -EINVAL },
		{ M64, "f0 c5 f8 77", -EINVAL },
		{ M64, "48 c5 f8 77", -EINVAL },
		{ M64, "8f eb 78 00 c0", -EINVAL },
	};

	check_lengths(c, ARRAY_SIZE(c));
}

TEST(fields_modrm_sib)
{
	struct x86_insn i;

	CHECK_EQ(dec(M64, "65 48 8b 84 c8 78 56 34 12", &i), 9);
	CHECK_EQ(i.seg, X86_SEG_GS);
	CHECK_EQ(i.nprefixes, 2);
	CHECK(i.rex_present);
	CHECK_EQ(i.rex, X86_REX_W);
	CHECK_EQ(i.map, X86_MAP_1BYTE);
	CHECK_EQ(i.opcode, 0x8b);
	CHECK_EQ(i.opsize, 8);
	CHECK_EQ(i.adsize, 8);
	CHECK(i.has_modrm && i.has_sib);
	CHECK_EQ(i.mod, 2);
	CHECK_EQ(i.reg, 0);
	CHECK_EQ(i.rm, 4);
	CHECK_EQ(i.scale, 3);
	CHECK_EQ(i.index, 1);
	CHECK_EQ(i.base, 0);
	CHECK_EQ(i.disp_size, 4);
	CHECK_EQ(i.disp, 0x12345678);
	CHECK(!i.rip_relative);
	CHECK(x86_insn_has_mem(&i));

	CHECK_EQ(dec(M64, "4d 8b 40 f0", &i), 4);
	CHECK_EQ(i.rex, X86_REX_W | X86_REX_R | X86_REX_B);
	CHECK_EQ(i.disp_size, 1);
	CHECK_EQ(i.disp, -16);

	CHECK_EQ(dec(M64, "67 8b 05 00 00 00 80", &i), 7);
	CHECK(i.rip_relative);
	CHECK_EQ(i.adsize, 4);
	CHECK_EQ(i.disp, -0x80000000LL);

	CHECK_EQ(dec(M16, "8b 46 fe", &i), 3);
	CHECK_EQ(i.adsize, 2);
	CHECK_EQ(i.opsize, 2);
	CHECK_EQ(i.mod, 1);
	CHECK_EQ(i.rm, 6);
	CHECK_EQ(i.disp, -2);
	CHECK(!i.has_sib);

	CHECK_EQ(dec(M64, "0f 20 05", &i), 3);
	CHECK_EQ(i.mod, 3);
	CHECK(!x86_insn_has_mem(&i));
	CHECK_EQ(i.disp_size, 0);
}

TEST(fields_prefixes_and_immediates)
{
	struct x86_insn i;

	CHECK_EQ(dec(M64, "f0 66 2e 67 f3 f2 83 00 ff", &i), 9);
	CHECK(i.lock);
	CHECK(i.opsize_prefix);
	CHECK(i.adsize_prefix);
	CHECK_EQ(i.rep, 0xf2);
	CHECK_EQ(i.seg, X86_SEG_CS);
	CHECK_EQ(i.opsize, 2);
	CHECK_EQ(i.adsize, 4);
	CHECK_EQ(i.imm_size, 1);
	CHECK_EQ(i.imm, 0xff);

	CHECK_EQ(dec(M64, "48 c7 c0 ff ff ff ff", &i), 7);
	CHECK_EQ(i.imm_size, 4);
	CHECK_EQ(i.imm, 0xffffffff);

	CHECK_EQ(dec(M64, "48 b8 88 77 66 55 44 33 22 11", &i), 10);
	CHECK_EQ(i.imm_size, 8);
	CHECK_EQ(i.imm, 0x1122334455667788ULL);

	CHECK_EQ(dec(M64, "c8 34 12 03", &i), 4);
	CHECK_EQ(i.imm, 0x1234);
	CHECK_EQ(i.imm2_size, 1);
	CHECK_EQ(i.imm2, 3);
	CHECK_EQ(i.opsize, 8);

	CHECK_EQ(dec(M32, "9a 44 33 22 11 08 00", &i), 7);
	CHECK_EQ(i.imm, 0x11223344);
	CHECK_EQ(i.imm2, 8);

	CHECK_EQ(dec(M64, "a1 88 77 66 55 44 33 22 11", &i), 9);
	CHECK(!i.has_modrm);
	CHECK_EQ(i.disp_size, 8);
	CHECK_EQ((u64)i.disp, 0x1122334455667788ULL);
	CHECK_EQ(i.imm_size, 0);

	CHECK_EQ(dec(M64, "66 0f 78 c0 05 06", &i), 6);
	CHECK_EQ(i.imm, 5);
	CHECK_EQ(i.imm2, 6);

	/* Default and forced 64-bit operand size. */
	CHECK_EQ(dec(M64, "50", &i), 1);
	CHECK_EQ(i.opsize, 8);
	CHECK_EQ(dec(M64, "66 50", &i), 2);
	CHECK_EQ(i.opsize, 2);
	CHECK_EQ(dec(M64, "66 e8 11 22 33 44", &i), 6);
	CHECK_EQ(i.opsize, 8);
	CHECK_EQ(dec(M64, "ff 30", &i), 2);
	CHECK_EQ(i.opsize, 8);
	CHECK_EQ(dec(M64, "ff 00", &i), 2);
	CHECK_EQ(i.opsize, 4);
}

TEST(rex_placement)
{
	struct x86_insn i;

	/* A REX followed by another prefix is ignored. */
	CHECK_EQ(dec(M64, "48 66 89 c0", &i), 4);
	CHECK(!i.rex_present);
	CHECK_EQ(i.opsize, 2);
	CHECK_EQ(dec(M64, "48 66 b8 11 22", &i), 5);
	/* REX.W wins over 66. */
	CHECK_EQ(dec(M64, "66 48 89 c0", &i), 4);
	CHECK_EQ(i.opsize, 8);
	CHECK_EQ(dec(M64, "66 48 b8 11 22 33 44 55 66 77 88", &i), 11);
	/* Of two REX bytes the last counts. */
	CHECK_EQ(dec(M64, "40 48 b8 11 22 33 44 55 66 77 88", &i), 11);
	CHECK_EQ(dec(M64, "48 40 b8 11 22 33 44", &i), 7);
	CHECK(i.rex_present);
	CHECK_EQ(i.rex, 0);
	CHECK_EQ(i.nprefixes, 2);
	/* 40..4F are INC/DEC outside 64-bit mode. */
	CHECK_EQ(dec(M32, "48 b8 11 22 33 44", &i), 1);
	CHECK_EQ(i.opcode, 0x48);
}

TEST(vex_evex_fields)
{
	struct x86_insn i;

	CHECK_EQ(dec(M64, "c5 fc 77", &i), 3);
	CHECK_EQ(i.encoding, X86_ENC_VEX);
	CHECK_EQ(i.map, X86_MAP_0F);
	CHECK_EQ(i.opcode, 0x77);
	CHECK(!i.has_modrm);
	CHECK_EQ(i.vex_l, 1);

	/* C4 RXB=000 (inverted: all set), map 2, W1 vvvv=0101 L0 pp=01. */
	CHECK_EQ(dec(M64, "c4 02 d1 18 00", &i), 5);
	CHECK_EQ(i.map, X86_MAP_0F38);
	CHECK_EQ(i.rex, X86_REX_W | X86_REX_R | X86_REX_X | X86_REX_B);
	CHECK_EQ(i.vex_vvvv, 5);
	CHECK_EQ(i.vex_pp, 1);
	CHECK_EQ(i.opsize, 8);

	CHECK_EQ(dec(M64, "62 f1 7c 48 10 00", &i), 6);
	CHECK_EQ(i.encoding, X86_ENC_EVEX);
	CHECK_EQ(i.map, X86_MAP_0F);
	CHECK_EQ(i.vex_l, 2);
	CHECK_EQ(i.evex_p2, 0x48);

	CHECK_EQ(dec(M64, "62 f5 7c 48 58 c0", &i), 6);
	CHECK_EQ(i.map, X86_MAP_EVEX5);

	CHECK_EQ(dec(M64, "8f ea 78 10 c0 11 22 33 44", &i), 9);
	CHECK_EQ(i.encoding, X86_ENC_XOP);
	CHECK_EQ(i.map, X86_MAP_XOPA);
	CHECK_EQ(i.imm, 0x44332211);

	/* In 32-bit mode VEX.R/X/B are ignored. */
	CHECK_EQ(dec(M32, "c4 e2 79 18 00", &i), 5);
	CHECK_EQ(i.rex, 0);
}

TEST(fifteen_byte_limit)
{
	struct x86_insn i;

	CHECK_EQ(dec(M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", &i),
		 15);
	CHECK_EQ(dec(M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90",
		     &i), -EINVAL);
	/* Fifteen prefixes are already too long: no need for more bytes. */
	CHECK_EQ(dec(M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66", &i),
		 -EINVAL);
	CHECK_EQ(dec(M64, "26 26 26 26 26 48 b8 11 22 33 44 55 66 77 88", &i),
		 15);
	CHECK_EQ(dec(M64,
		     "26 26 26 26 26 26 48 b8 11 22 33 44 55 66 77 88", &i),
		 -EINVAL);
	CHECK_EQ(dec(M64, "26 26 26 26 26 26 48 b8 11 22 33 44 55 66 77", &i),
		 -EINVAL);
	CHECK_EQ(dec(M64, "f0 f0 f0 f0 f0 f0 f0 f0 f0 62 f1 7c 48 10 00",
		     &i), -EINVAL);
	CHECK_EQ(dec(M64, "2e 2e 2e 2e 2e 2e 2e 2e 2e 62 f1 7c 48 10 00", &i),
		 15);
}

TEST(truncation)
{
	struct x86_insn i;

	CHECK_EQ(x86_decode((const u8 *)"", 0, M64, &i), -EAGAIN);
	CHECK_EQ(dec(M64, "66", &i), -EAGAIN);
	CHECK_EQ(dec(M64, "48", &i), -EAGAIN);
	CHECK_EQ(dec(M64, "0f", &i), -EAGAIN);
	CHECK_EQ(dec(M64, "0f 38", &i), -EAGAIN);
	CHECK_EQ(dec(M64, "8b", &i), -EAGAIN);
	CHECK_EQ(dec(M64, "8b 04", &i), -EAGAIN);
	CHECK_EQ(dec(M64, "8b 84 24 11 22 33", &i), -EAGAIN);
	CHECK_EQ(dec(M64, "48 b8 11 22 33 44 55 66 77", &i), -EAGAIN);
	CHECK_EQ(dec(M64, "c4", &i), -EAGAIN);
	CHECK_EQ(dec(M64, "c4 e2 79", &i), -EAGAIN);
	CHECK_EQ(dec(M64, "62 f1 7c 48 10", &i), -EAGAIN);
	/* Outside 64-bit mode C4 needs the next byte to be told apart. */
	CHECK_EQ(dec(M32, "c4", &i), -EAGAIN);
	CHECK_EQ(dec(M16, "8f", &i), -EAGAIN);
	CHECK_EQ(dec(M64, "0f 0f c1", &i), -EAGAIN);
	CHECK_EQ(dec(M16, "8b 06 11", &i), -EAGAIN);
	/* Undefined as soon as it is known, however little follows. */
	CHECK_EQ(dec(M64, "0f 04", &i), -EINVAL);
	CHECK_EQ(dec(M64, "fe 38", &i), -EINVAL);
}

TEST_MAIN("decode", T(lengths_64bit), T(lengths_32bit), T(lengths_16bit),
	  T(undefined_opcodes), T(fields_modrm_sib),
	  T(fields_prefixes_and_immediates), T(rex_placement),
	  T(vex_evex_fields), T(fifteen_byte_limit), T(truncation))
