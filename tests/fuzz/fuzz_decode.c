// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for arch/x86/virt/decode.c: decodes the input in 16-, 32-
 * and 64-bit mode and checks the decoder's invariants.
 *
 *   clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *       tests/fuzz/fuzz_decode.c arch/x86/virt/decode.c -o build/fuzz_decode
 */
#include <stdlib.h>

#include "arch/x86/virt/decode.h"
#include "kernel/errno.h"

#define ASSERT(cond) do { if (!(cond)) abort(); } while (0)

static bool valid_size(unsigned int size)
{
	return size == 2 || size == 4 || size == 8;
}

/* Fields must lie within the instruction. */
static void check_fields(const struct x86_insn *insn, int len)
{
	ASSERT(insn->len == len);
	ASSERT(valid_size(insn->opsize) && valid_size(insn->adsize));
	ASSERT(insn->nprefixes + insn->has_modrm + insn->has_sib +
	       insn->disp_size + insn->imm_size + insn->imm2_size < len);
	ASSERT(!insn->has_sib || insn->has_modrm);
	ASSERT(insn->seg <= X86_SEG_NONE);
	ASSERT(insn->mode != X86_MODE_64 || insn->adsize != 2);
}

static void check_mode(const u8 *data, size_t size, enum x86_mode mode)
{
	struct x86_insn insn, again;
	int len = x86_decode(data, size, mode, &insn);

	if (len < 0) {
		ASSERT(len == -EINVAL || len == -EAGAIN);
		/* With 15 bytes at hand the length is always known. */
		ASSERT(len != -EAGAIN || size < X86_MAX_INSN_LEN);
		return;
	}
	ASSERT(len >= 1 && len <= X86_MAX_INSN_LEN && (size_t)len <= size);
	check_fields(&insn, len);
	/* Exactly the instruction's bytes suffice, one fewer does not. */
	ASSERT(x86_decode(data, len, mode, &again) == len);
	ASSERT(again.len == insn.len && again.opcode == insn.opcode &&
	       again.imm == insn.imm && again.disp == insn.disp);
	ASSERT(x86_decode(data, len - 1, mode, &again) == -EAGAIN);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	int mode;

	for (mode = X86_MODE_16; mode <= X86_MODE_64; mode++)
		check_mode(data, size, mode);
	return 0;
}
