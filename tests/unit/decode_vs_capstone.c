// SPDX-License-Identifier: GPL-2.0
/*
 * Host check of arch/x86/virt/decode.c against capstone: instruction lengths
 * must agree wherever capstone decodes.
 *
 *   decode_vs_capstone [random-cases [seed [elf-file...]]]
 *
 * Two inputs: (1) the .text of a few host ELF files (64- or 32-bit code by
 * ELF class), walked one capstone instruction at a time; (2) random byte
 * strings (default 200000, seed 1) decoded in 16-, 32- and 64-bit mode,
 * biased towards prefixes, escapes and VEX/EVEX so every map is exercised.
 *
 * Only encodings capstone decodes are compared. A case passes when both
 * lengths agree. The few encodings where capstone 4 is known to be wrong
 * are counted separately by reason (see capstone_wrong()), never as
 * passes. Anything else (a length mismatch, or our decoder rejecting
 * what capstone accepts) fails. Exits nonzero on any failure.
 */
/* capstone's x86.h has an "enum x86_insn": keep it out of our tag's way. */
#define x86_insn cs_x86_insn
#include <capstone/capstone.h>
#undef x86_insn
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/virt/decode.h"
#include "kernel/errno.h"

enum {
	WRONG_NONE,
	WRONG_PREFIX_MIX,
	WRONG_BRANCH66,
	WRONG_UD01,
	WRONG_EVEX_ROUNDING,
	WRONG_VEX_PREFIX,
	WRONG_FEMMS,
	WRONG_EXTRQ16,
	WRONG_XOPA16,
	WRONG_EVEX_67X,
	WRONG_MANDATORY_ORDER,
	WRONG_MOV_CS,
	WRONG_COUNT,
};

static const char *const wrong_reason[WRONG_COUNT] = {
	[WRONG_PREFIX_MIX] =
		"capstone loses or misapplies 66/67/REX.W/mandatory prefixes "
		"when segment, F2/F3, REX or 67 prefixes are mixed in (e.g. "
		"66 F3 E8, 67 48 E8, 66 64 0F 78); each case is confirmed: "
		"with the prefixes removed that cannot change this length "
		"(segment overrides, LOCK; F2/F3 before a one-byte opcode; "
		"REX that is ignored or precedes a near branch/RET; 67 without "
		"a memory operand), capstone and Keel agree on the length less "
		"the removed bytes",
	[WRONG_BRANCH66] =
		"66-prefixed near CALL/JMP/Jcc in 64-bit mode: capstone takes "
		"rel16 (AMD); the SDM marks rel16 N.S. and Intel CPUs ignore "
		"66 (rel32), which Keel follows",
	[WRONG_UD01] =
		"UD0 (0F FF) and UD1 (0F B9): capstone omits the ModRM byte "
		"the SDM defines (UD0 /r, UD1 /r)",
	[WRONG_EVEX_ROUNDING] =
		"EVEX register forms capstone takes as embedded rounding/SAE "
		"(SDM Vol.2 2.7.5; it prints {..-sae}): capstone reads one "
		"byte past the ModRM that is not part of the instruction",
	[WRONG_VEX_PREFIX] =
		"66/F2/F3 before a VEX/EVEX/XOP prefix: capstone decodes, the "
		"SDM (Vol.2 2.3.2) and AMD APM (Vol.3 1.8) make it #UD",
	[WRONG_FEMMS] =
		"0F 0F /r 0E: capstone decodes a 3DNow! suffix 0E as FEMMS "
		"(FEMMS is 0F 0E; suffix 0E is undefined, AMD APM Vol.3 A.3)",
	[WRONG_EXTRQ16] =
		"EXTRQ/INSERTQ (66/F2 0F 78 /r ib ib) in 16-bit mode: capstone "
		"ignores mandatory prefixes in 16-bit mode (it decodes "
		"66 0F 58 as ADDPS) and so takes VMREAD, dropping the two "
		"immediates",
	[WRONG_XOPA16] =
		"XOP map 0A (BEXTR/LWPINS/LWPVAL imm32) in 16-bit mode: "
		"capstone takes imm16; the immediate is always a dword "
		"(AMD APM Vol.3 1.8, Vol.4 XOP opcode map)",
	[WRONG_EVEX_67X] =
		"EVEX with 67 and EVEX.X set and a memory operand in 64-bit "
		"mode: capstone mis-decodes the address (drops the SIB byte, "
		"or takes RIP-relative as [rbp]/[r13] without its disp32)",
	[WRONG_MANDATORY_ORDER] =
		"66 together with F2/F3 on 0F 78: capstone makes the last of "
		"them the mandatory prefix (F3 66 0F 78 = EXTRQ ib ib); F2/F3 "
		"take precedence over 66 (SDM Vol.2 2.1.2; XED, bochs), so it "
		"is VMREAD without immediates",
	[WRONG_MOV_CS] =
		"MOV CS, r/m (8E /1): capstone decodes; loading CS with MOV is "
		"#UD (SDM Vol.2 MOV)",
};

static unsigned long passed, failed, skipped, wrong[WRONG_COUNT];

/* Skip legacy prefixes and REX; returns the index of the opcode. */
static size_t opcode_at(const u8 *b, size_t n, enum x86_mode mode)
{
	static const u8 prefixes[] = {
		0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2,
		0xf3,
	};
	size_t i;

	for (i = 0; i < n; i++) {
		if (memchr(prefixes, b[i], sizeof(prefixes)))
			continue;
		if (mode == X86_MODE_64 && (b[i] & 0xf0) == 0x40)
			continue;
		break;
	}
	return i;
}

static bool is_seg_prefix(u8 b)
{
	return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e ||
	       b == 0x64 || b == 0x65;
}

/* Near branches and RET: REX.W cannot change their length. */
static bool is_near_branch(const struct x86_insn *insn)
{
	u8 op = insn->opcode;

	return insn->map == X86_MAP_1BYTE &&
	       ((op >= 0x70 && op <= 0x7f) || op == 0xc2 || op == 0xc3 ||
		(op >= 0xe0 && op <= 0xe3) || op == 0xe8 || op == 0xe9 ||
		op == 0xeb);
}

/* Whether prefix byte @i (of @op prefix bytes) cannot affect the length. */
static bool strippable(const u8 *b, size_t i, size_t op, enum x86_mode mode,
		       const struct x86_insn *insn)
{
	bool one_byte = insn->map == X86_MAP_1BYTE;

	if (is_seg_prefix(b[i]) || b[i] == 0xf0)
		return true;
	if ((b[i] == 0xf2 || b[i] == 0xf3) && one_byte)
		return true;
	if (b[i] == 0x67)
		return !x86_insn_has_mem(insn) && !(one_byte &&
		       insn->opcode >= 0xa0 && insn->opcode <= 0xa3);
	if (mode == X86_MODE_64 && (b[i] & 0xf0) == 0x40)
		return i + 1 != op || is_near_branch(insn);
	return false;
}

/*
 * Capstone contradicts itself: with the prefixes removed that cannot
 * change this instruction's length, both decoders agree on the length
 * less the removed bytes.
 */
static bool capstone_inconsistent(csh cs, const u8 *b, size_t n,
				  enum x86_mode mode,
				  const struct x86_insn *insn, int ours)
{
	static cs_insn *ci;
	u8 s[X86_MAX_INSN_LEN + 1];
	const uint8_t *code = s;
	size_t op = opcode_at(b, n, mode), i, k = 0, size;
	uint64_t addr = 0;
	struct x86_insn again;

	if (ours <= 0 || insn->encoding != X86_ENC_LEGACY || n > sizeof(s))
		return false;
	for (i = 0; i < op; i++)
		if (!strippable(b, i, op, mode, insn))
			s[k++] = b[i];
	if (k == op)
		return false;
	memcpy(s + k, b + op, n - op);
	size = n - op + k;
	if (!ci)
		ci = cs_malloc(cs);
	if (x86_decode(s, size, mode, &again) != ours - (int)(op - k))
		return false;
	return cs_disasm_iter(cs, &code, &size, &addr, ci) &&
	       ci->size == ours - (op - k);
}

/* Which known capstone 4 defect explains a disagreement, if any. */
static int capstone_wrong(csh cs, const cs_insn *ci, const u8 *b, size_t n,
			  enum x86_mode mode, const struct x86_insn *insn,
			  int ours)
{
	size_t op = opcode_at(b, n, mode);
	bool defined = ours > 0;

	if (op + 1 >= n)
		return WRONG_NONE;
	if (capstone_inconsistent(cs, b, n, mode, insn, ours))
		return WRONG_PREFIX_MIX;
	if (defined && mode == X86_MODE_64 && insn->opsize_prefix &&
	    (is_near_branch(insn) ||
	     (insn->map == X86_MAP_0F && (insn->opcode & 0xf0) == 0x80)))
		return WRONG_BRANCH66;
	if (defined && insn->map == X86_MAP_0F &&
	    (insn->opcode == 0xff || insn->opcode == 0xb9))
		return WRONG_UD01;
	if (defined && mode == X86_MODE_16 && insn->map == X86_MAP_0F &&
	    insn->opcode == 0x78 && insn->imm2_size)
		return WRONG_EXTRQ16;
	if (defined && mode == X86_MODE_16 && insn->encoding == X86_ENC_XOP &&
	    insn->map == X86_MAP_XOPA && ci->size == ours - 2)
		return WRONG_XOPA16;
	if (defined && insn->encoding == X86_ENC_EVEX && insn->mod == 3 &&
	    strstr(ci->op_str, "sae}") && ci->size == ours + 1)
		return WRONG_EVEX_ROUNDING;
	if (defined && insn->encoding == X86_ENC_EVEX && insn->mod != 3 &&
	    insn->adsize_prefix && (insn->rex & X86_REX_X))
		return WRONG_EVEX_67X;
	if (defined && insn->map == X86_MAP_0F && insn->opcode == 0x78 &&
	    insn->opsize_prefix && insn->rep)
		return WRONG_MANDATORY_ORDER;
	if (ours == -EINVAL && b[op] == 0x8e && (b[op + 1] >> 3 & 7) == 1 &&
	    !strncmp(ci->op_str, "cs,", 3))
		return WRONG_MOV_CS;
	if (ours == -EINVAL && !strcmp(ci->mnemonic, "femms") && ci->size > 2 &&
	    b[op] == 0x0f && b[op + 1] == 0x0f && b[ci->size - 1] == 0x0e)
		return WRONG_FEMMS;
	if (ours == -EINVAL && (memchr(b, 0x66, op) || memchr(b, 0xf2, op) ||
				memchr(b, 0xf3, op)) &&
	    (((b[op] == 0xc4 || b[op] == 0xc5 || b[op] == 0x62) &&
	      (mode == X86_MODE_64 || (b[op + 1] & 0xc0) == 0xc0)) ||
	     (b[op] == 0x8f && (b[op + 1] & 0x1f) >= 8)))
		return WRONG_VEX_PREFIX;
	return WRONG_NONE;
}

static void report(const u8 *b, size_t n, enum x86_mode mode, int ours,
		   const cs_insn *ci)
{
	size_t i;

	if (failed > 50)
		return;
	fprintf(stderr, "mismatch mode %d: ours %d, capstone %u (%s %s):",
		16 << mode, ours, ci->size, ci->mnemonic, ci->op_str);
	for (i = 0; i < n && i < X86_MAX_INSN_LEN; i++)
		fprintf(stderr, " %02x", b[i]);
	fprintf(stderr, "\n");
}

/*
 * Compare one instruction; returns capstone's length, or 0 if capstone
 * does not decode it.
 */
static size_t compare(csh cs, cs_insn *ci, const u8 *b, size_t n,
		      enum x86_mode mode)
{
	const uint8_t *code = b;
	size_t size = n;
	uint64_t addr = 0;
	struct x86_insn insn;
	int ours, why;

	if (!cs_disasm_iter(cs, &code, &size, &addr, ci)) {
		skipped++;
		return 0;
	}
	ours = x86_decode(b, n, mode, &insn);
	if (ours == ci->size) {
		passed++;
		return ci->size;
	}
	why = capstone_wrong(cs, ci, b, n, mode, &insn, ours);
	if (why) {
		wrong[why]++;
		return ci->size;
	}
	failed++;
	report(b, n, mode, ours, ci);
	return ci->size;
}

/* Copy of the section named .text, for either ELF class. */
#define ELF_TEXT(ehdr_t, shdr_t, img, len)				\
	({								\
		ehdr_t *eh = (ehdr_t *)(img);				\
		shdr_t *sh = (shdr_t *)((img) + eh->e_shoff);		\
		const char *names = (char *)(img) +			\
				    sh[eh->e_shstrndx].sh_offset;	\
		u8 *sec = NULL;					\
									\
		for (int i = 0; i < eh->e_shnum && !sec; i++) {	\
			if (strcmp(names + sh[i].sh_name, ".text"))	\
				continue;				\
			*(len) = sh[i].sh_size;				\
			sec = malloc(*(len));				\
			memcpy(sec, (img) + sh[i].sh_offset, *(len));	\
		}							\
		sec;							\
	})

/* The .text of an ELF file, and whether it is 64- or 32-bit code. */
static u8 *read_text(const char *path, size_t *len, enum x86_mode *mode)
{
	FILE *f = fopen(path, "rb");
	u8 *img = NULL, *text = NULL;
	long size;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (size = ftell(f)) > 0 &&
	    !fseek(f, 0, SEEK_SET) && (img = malloc(size)) &&
	    fread(img, 1, size, f) == (size_t)size &&
	    !memcmp(img, ELFMAG, SELFMAG)) {
		if (img[EI_CLASS] == ELFCLASS64) {
			*mode = X86_MODE_64;
			text = ELF_TEXT(Elf64_Ehdr, Elf64_Shdr, img, len);
		} else {
			*mode = X86_MODE_32;
			text = ELF_TEXT(Elf32_Ehdr, Elf32_Shdr, img, len);
		}
	}
	free(img);
	fclose(f);
	return text;
}

static void walk_file(csh cs[3], cs_insn *ci, const char *path)
{
	enum x86_mode mode;
	size_t len = 0, pos = 0, step;
	unsigned long before = passed + failed;
	u8 *text = read_text(path, &len, &mode);

	if (!text) {
		printf("  %s: no .text, skipped\n", path);
		return;
	}
	while (pos < len) {
		step = compare(cs[mode], ci, text + pos, len - pos, mode);
		pos += step ? step : 1;
	}
	printf("  %s: %zu bytes of %d-bit code, %lu instructions compared\n",
	       path, len, 16 << mode, passed + failed - before);
	free(text);
}

static u64 rng_state;

static u64 rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/*
 * A random byte string, biased so that prefixes, the escape maps and the
 * VEX/EVEX/XOP prefixes each start a good share of the cases.
 */
static void random_insn(u8 *b, size_t n)
{
	static const u8 prefixes[] = {
		0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2,
		0xf3, 0x40, 0x41, 0x48, 0x4c, 0x4f,
	};
	static const u8 starts[][2] = {
		{ 0x0f, 0x00 }, { 0x0f, 0x38 }, { 0x0f, 0x3a }, { 0xc4, 0x00 },
		{ 0xc5, 0x00 }, { 0x62, 0x00 }, { 0x8f, 0x00 }, { 0xd8, 0x00 },
	};
	size_t i = 0, k;
	u64 r = rng();

	for (k = 0; k < n; k++)
		b[k] = rng();
	for (k = r & 3; k && (r >> 2 & 1); k--)
		b[i++] = prefixes[rng() % sizeof(prefixes)];
	switch (r >> 3 & 7) {
	case 0 ... 2:
		return;
	default:
		k = rng() % (sizeof(starts) / sizeof(starts[0]));
		b[i] = starts[k][0];
		if (starts[k][1])
			b[i + 1] = starts[k][1];
		if (b[i] == 0xd8)
			b[i] |= rng() & 7;
		return;
	}
}

static void run_random(csh cs[3], cs_insn *ci, unsigned long cases)
{
	u8 b[X86_MAX_INSN_LEN];
	unsigned long i, before = passed + failed;
	int mode;

	for (i = 0; i < cases; i++) {
		random_insn(b, sizeof(b));
		for (mode = X86_MODE_16; mode <= X86_MODE_64; mode++)
			compare(cs[mode], ci, b, sizeof(b), mode);
	}
	printf("  random: %lu cases x 3 modes, %lu compared\n", cases,
	       passed + failed - before);
}

int main(int argc, char **argv)
{
	static const char *const corpus[] = {
		"/bin/ls", "/usr/bin/gcc-12",
		"/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib32/libc.so.6",
	};
	static const cs_mode cs_modes[] = {
		CS_MODE_16, CS_MODE_32, CS_MODE_64,
	};
	unsigned long cases = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000;
	csh cs[3];
	cs_insn *ci;
	int i;

	rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	rng_state = rng_state ? rng_state : 1;
	for (i = 0; i < 3; i++) {
		if (cs_open(CS_ARCH_X86, cs_modes[i], &cs[i]) != CS_ERR_OK) {
			fprintf(stderr, "cs_open failed\n");
			return 2;
		}
	}
	ci = cs_malloc(cs[0]);
	if (argc > 3) {
		for (i = 3; i < argc; i++)
			walk_file(cs, ci, argv[i]);
	} else {
		for (i = 0; i < (int)(sizeof(corpus) / sizeof(corpus[0])); i++)
			walk_file(cs, ci, corpus[i]);
	}
	run_random(cs, ci, cases);
	for (i = 1; i < WRONG_COUNT; i++)
		printf("  capstone wrong, not counted: %lu: %s\n", wrong[i],
		       wrong_reason[i]);
	printf("  capstone could not decode: %lu\n", skipped);
	printf("decode-vs-capstone: %lu passed, %lu failed\n", passed, failed);
	cs_free(ci, 1);
	for (i = 0; i < 3; i++)
		cs_close(&cs[i]);
	return failed ? 1 : 0;
}
