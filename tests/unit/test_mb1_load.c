// SPDX-License-Identifier: GPL-2.0
/* Multiboot v1 load plans from built ELF32 and address-field images, and broken ones. */
#include "kernel/errno.h"
#include "arch/x86/bootvm/mb1_load.h"
#include "test.h"

static u8 img[16384];

static void put32(size_t off, u32 v)
{
	memcpy(img + off, &v, 4);
}

static void put16(size_t off, u16 v)
{
	memcpy(img + off, &v, 2);
}

static void header(size_t off, u32 flags)
{
	put32(off, MB1_HEADER_MAGIC);
	put32(off + 4, flags);
	put32(off + 8, -(MB1_HEADER_MAGIC + flags));
}

/* ELF32 with two PT_LOAD segments and one PT_NOTE, entry 0x100010. */
static void build_elf(void)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "\177ELF\1\1\1", 7);
	put16(16, 2);
	put16(18, 3);
	put32(24, 0x100010);
	put32(28, 52);
	put16(42, 32);
	put16(44, 3);
	/* PT_LOAD text: offset 0x1000, 0x200 bytes at 0x100000 */
	put32(52, 1); put32(56, 0x1000); put32(64, 0x100000); put32(68, 0x200); put32(72, 0x200);
	/* PT_NOTE: ignored */
	put32(84, 4); put32(88, 0x100); put32(96, 0); put32(100, 0x10); put32(104, 0x10);
	/* PT_LOAD data + bss: 0x100 bytes of file, 0x1000 in memory at 0x101000 */
	put32(116, 1); put32(120, 0x1200); put32(128, 0x101000); put32(132, 0x100); put32(136, 0x1000);
	header(0x1000, 0x3);
}

TEST(elf32_plan)
{
	struct mb1_image p;
	const char *why = NULL;

	build_elf();
	CHECK_EQ(mb1_plan(img, sizeof(img), 0x10000, 16 << 20, &p, &why), 0);
	CHECK_EQ(p.nr, 2);
	CHECK_EQ(p.entry, 0x100010);
	CHECK_EQ(p.seg[0].addr, 0x100000);
	CHECK_EQ(p.seg[0].file_offset, 0x1000);
	CHECK_EQ(p.seg[1].file_size, 0x100);
	CHECK_EQ(p.seg[1].mem_size, 0x1000);
}

TEST(address_fields_plan)
{
	struct mb1_image p;
	const char *why = NULL;

	memset(img, 0, sizeof(img));
	header(0x40, 0x10003);
	put32(0x4c, 0x100040);	/* header_addr */
	put32(0x50, 0x100000);	/* load_addr: the file from offset 0 */
	put32(0x54, 0x102000);	/* load_end_addr */
	put32(0x58, 0x104000);	/* bss_end_addr */
	put32(0x5c, 0x100080);	/* entry */
	CHECK_EQ(mb1_plan(img, sizeof(img), 0x10000, 16 << 20, &p, &why), 0);
	CHECK_EQ(p.nr, 1);
	CHECK_EQ(p.seg[0].file_offset, 0);
	CHECK_EQ(p.seg[0].file_size, 0x2000);
	CHECK_EQ(p.seg[0].mem_size, 0x4000);
	CHECK_EQ(p.entry, 0x100080);
	/* load_end 0: the rest of the file */
	put32(0x54, 0);
	put32(0x58, 0);
	CHECK_EQ(mb1_plan(img, sizeof(img), 0x10000, 16 << 20, &p, &why), 0);
	CHECK_EQ(p.seg[0].file_size, sizeof(img));
}

static void expect_fail(size_t size, u64 max, const char *msg)
{
	struct mb1_image p;
	const char *why = NULL;

	CHECK_EQ(mb1_plan(img, size, 0x10000, max, &p, &why), -ENOEXEC);
	if (!why || !strstr(why, msg)) {
		fprintf(stderr, "want \"%s\", got \"%s\"\n", msg, why ? why : "(null)");
		test_failed_checks++;
	}
}

TEST(malformed_images)
{
	build_elf();
	expect_fail(sizeof(img), 0x100100, "outside the VM's loadable RAM");
	put32(0x1008, 0);
	expect_fail(sizeof(img), 16 << 20, "checksum");
	build_elf();
	header(0x1000, 0x3 | 0x8);
	expect_fail(sizeof(img), 16 << 20, "requires features");
	build_elf();
	put32(0x1000, 0);
	expect_fail(sizeof(img), 16 << 20, "no multiboot header");
	build_elf();
	put32(24, 0x200000);
	expect_fail(sizeof(img), 16 << 20, "entry point");
	build_elf();
	put32(72, 0x100);	/* memsz < filesz */
	expect_fail(sizeof(img), 16 << 20, "outside the image");
	build_elf();
	put32(56, 0x3f00);	/* runs past the file */
	expect_fail(sizeof(img), 16 << 20, "outside the image");
	build_elf();
	put16(44, 0xffff);
	expect_fail(sizeof(img), 16 << 20, "program headers");
	build_elf();
	img[4] = 2;		/* ELF64 without address fields */
	expect_fail(sizeof(img), 16 << 20, "not an ELF32");
	build_elf();
	put32(64, 0x1000);	/* below the loadable minimum */
	expect_fail(sizeof(img), 16 << 20, "outside the VM's loadable RAM");
}

TEST(bad_address_fields)
{
	memset(img, 0, sizeof(img));
	header(0x40, 0x10000);
	put32(0x4c, 0x100040);
	put32(0x50, 0x200000);	/* load_addr above header_addr */
	expect_fail(sizeof(img), 16 << 20, "inconsistent");
	put32(0x50, 0x100000);
	put32(0x54, 0x200000);	/* longer than the file */
	expect_fail(sizeof(img), 16 << 20, "shorter than its load range");
	put32(0x54, 0x101000);
	put32(0x58, 0x100800);	/* bss ends inside the image */
	expect_fail(sizeof(img), 16 << 20, "bss_end_addr");
	expect_fail(0x50, 16 << 20, "truncated");
}

/* Random corruption never reads out of bounds (ASan) and plans stay inside the limits. */
TEST(fuzz)
{
	unsigned int seed = 1;

	for (int i = 0; i < 20000; i++) {
		struct mb1_image p;
		const char *why;

		build_elf();
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245 + 12345;
			img[(seed >> 8) % 0x1300] = (u8)(seed >> 20);
		}
		if (mb1_plan(img, 0x1300 + (seed % 0x100), 0x10000, 16 << 20, &p, &why) == 0)
			for (unsigned int s = 0; s < p.nr; s++)
				CHECK(p.seg[s].addr >= 0x10000 && p.seg[s].addr + p.seg[s].mem_size <= 16 << 20);
	}
}

TEST_MAIN("mb1_load", T(elf32_plan), T(address_fields_plan), T(malformed_images), T(bad_address_fields), T(fuzz))
