// SPDX-License-Identifier: GPL-2.0
/*
 * Linux boot protocol: a synthetic bzImage header (always), and Debian's
 * real kernel from build/debian/vmlinuz when scripts/debian-kernel.sh has
 * fetched it. The output says which inputs were used.
 */
#include "kernel/errno.h"
#include "arch/x86/control/linux_boot.h"
#include "kernel/memmap.h"
#include "test.h"

#define REAL_KERNEL "build/debian/vmlinuz"
#define REAL_VERSION "build/debian/version"

#define SYN_SIZE 0x10000
#define SYN_SETUP_SECTS 4
#define SYN_KERNEL_OFF ((SYN_SETUP_SECTS + 1) * 512)
#define SYN_INIT_SIZE 0x400000
#define MIB (1ULL << 20)

static u8 img[SYN_SIZE];
static struct memmap ram, e820;
static struct boot_params bp;

static void put16(u8 *b, size_t off, u16 v)
{
	memcpy(b + off, &v, 2);
}

static void put32(u8 *b, size_t off, u32 v)
{
	memcpy(b + off, &v, 4);
}

static void put64(u8 *b, size_t off, u64 v)
{
	memcpy(b + off, &v, 8);
}

static u16 get16(const u8 *b, size_t off)
{
	u16 v;

	memcpy(&v, b + off, 2);
	return v;
}

static u32 get32(const u8 *b, size_t off)
{
	u32 v;

	memcpy(&v, b + off, 4);
	return v;
}

static u64 get64(const u8 *b, size_t off)
{
	u64 v;

	memcpy(&v, b + off, 8);
	return v;
}

/*
 * A protocol 2.15 header shaped like Debian's: 4 setup sectors, then 0xf600
 * bytes of kernel whose last 4 KiB lie past syssize (Debian's kernel carries
 * its signature there).
 */
static void build(void)
{
	memset(img, 0, sizeof(img));
	img[0x1f1] = SYN_SETUP_SECTS;
	put32(img, 0x1f4, (SYN_SIZE - SYN_KERNEL_OFF - 0x1000) / 16);
	put16(img, 0x1fa, 0xffff);
	put16(img, 0x1fe, 0xaa55);
	img[0x200] = 0xeb;
	img[0x201] = 0x6a;		/* header ends at 0x26c */
	memcpy(img + 0x202, "HdrS", 4);
	put16(img, 0x206, 0x020f);
	img[0x211] = 0x01;		/* LOADED_HIGH */
	put32(img, 0x214, 0x100000);
	put32(img, 0x22c, 0x7fffffff);
	put32(img, 0x230, 0x200000);
	img[0x234] = 1;
	img[0x235] = 21;
	put16(img, 0x236, 0x7f);
	put32(img, 0x238, 2047);
	put64(img, 0x258, 16 * MIB);
	put32(img, 0x260, SYN_INIT_SIZE);
	put32(img, 0x268, 0x1234);	/* kernel_info_offset: copied, never read */
	img[0x26c] = 0x5a;		/* past the header: never copied */
}

static void ram_add(struct memmap *m, u64 base, u64 size, u32 type)
{
	CHECK_EQ(memmap_add(m, base, size, type), 0);
}

/* A 512 MiB PC with Keel's reservation high below 4 GiB, as the control guest sees it. */
static void pc_maps(void)
{
	memmap_init(&ram);
	ram_add(&ram, 0, 0x9f000, MEM_USABLE);
	ram_add(&ram, 0x9f000, 0x61000, MEM_RESERVED);
	ram_add(&ram, MIB, 448 * MIB - MIB, MEM_USABLE);
	ram_add(&ram, 448 * MIB, 32 * MIB, MEM_KEEL);
	ram_add(&ram, 480 * MIB, 30 * MIB, MEM_USABLE);
	ram_add(&ram, 510 * MIB, 2 * MIB, MEM_ACPI_RECLAIM);
	ram_add(&ram, 0xfec00000, 0x1000, MEM_RESERVED);
	memmap_normalize(&ram);
	memcpy(&e820, &ram, sizeof(ram));
}

/* The reason the last plan() or params() call gave. */
static const char *why;

static void expect_why(int got, int want, const char *msg)
{
	CHECK_EQ(got, want);
	if (!why || !strstr(why, msg)) {
		fprintf(stderr, "want \"%s\", got \"%s\"\n", msg, why ? why : "(null)");
		test_failed_checks++;
	}
}

static int plan(size_t size, struct linux_image *li)
{
	why = NULL;
	return linux_plan(img, size, li, &why);
}

static void expect_reject(size_t size, const char *msg)
{
	struct linux_image li;

	expect_why(plan(size, &li), -ENOEXEC, msg);
}

TEST(synthetic_plan)
{
	struct linux_image li;

	build();
	CHECK_EQ(plan(sizeof(img), &li), 0);
	CHECK_EQ(li.version, 0x020f);
	CHECK_EQ(li.xloadflags, 0x7f);
	CHECK(li.relocatable);
	CHECK_EQ(li.kernel_offset, SYN_KERNEL_OFF);
	CHECK_EQ(li.kernel_size, SYN_SIZE - SYN_KERNEL_OFF);
	CHECK_EQ(li.pref_address, 16 * MIB);
	CHECK_EQ(li.kernel_alignment, 0x200000);
	CHECK_EQ(li.init_size, SYN_INIT_SIZE);
	CHECK_EQ(li.cmdline_size, 2047);
	CHECK_EQ(li.initrd_addr_max, 0x7fffffff);
	CHECK_EQ(li.entry_offset, 0x200);
	CHECK_EQ(li.hdr_len, 0x26c - 0x1f1);
	CHECK(!memcmp(li.hdr, img + 0x1f1, li.hdr_len));
	CHECK_EQ(li.hdr[li.hdr_len], 0);
	/* setup_sects 0 means 4 */
	img[0x1f1] = 0;
	CHECK_EQ(plan(sizeof(img), &li), 0);
	CHECK_EQ(li.kernel_offset, SYN_KERNEL_OFF);
	/* a shorter 2.12 header (ends after handover_offset) is enough */
	img[0x201] = 0x66;
	put16(img, 0x206, 0x020c);
	CHECK_EQ(plan(sizeof(img), &li), 0);
	CHECK_EQ(li.hdr_len, 0x268 - 0x1f1);
	CHECK_EQ(li.hdr[0x268 - 0x1f1], 0);
}

TEST(malformed_headers)
{
	build();
	expect_reject(1023, "truncated");
	put16(img, 0x1fe, 0x55aa);
	expect_reject(sizeof(img), "boot flag");
	build();
	img[0x205] = 's';
	expect_reject(sizeof(img), "HdrS");
	build();
	put16(img, 0x206, 0x020b);
	expect_reject(sizeof(img), "older than 2.12");
	build();
	img[0x211] = 0;
	expect_reject(sizeof(img), "LOADED_HIGH");
	build();
	put16(img, 0x236, 0x7e);
	expect_reject(sizeof(img), "XLF_KERNEL_64");
	build();
	img[0x201] = 0x61;		/* ends at 0x263, inside init_size */
	expect_reject(sizeof(img), "too short");
	img[0x201] = 0x80;		/* a backwards jump */
	expect_reject(sizeof(img), "too short");
	build();
	img[0x200] = 0xe9;
	expect_reject(sizeof(img), "too short");
}

TEST(malformed_layout)
{
	build();
	img[0x1f1] = 0x7f;		/* setup runs to 0x10000: no kernel left */
	expect_reject(sizeof(img), "past the end");
	build();
	expect_reject(SYN_KERNEL_OFF, "past the end");
	CHECK_EQ(plan(SYN_SIZE - 0x1000, &(struct linux_image){ 0 }), 0);
	expect_reject(SYN_SIZE - 0x1001, "truncated");	/* syssize beyond the file */
	put32(img, 0x1f4, 0);
	expect_reject(sizeof(img), "truncated");
	build();
	put32(img, 0x260, SYN_SIZE - SYN_KERNEL_OFF - 1);
	expect_reject(sizeof(img), "init_size");
	build();
	put32(img, 0x230, 0x300000);
	expect_reject(sizeof(img), "kernel_alignment");
	put32(img, 0x230, 0x800);
	expect_reject(sizeof(img), "kernel_alignment");
	img[0x234] = 0;			/* ignored when not relocatable */
	CHECK_EQ(plan(sizeof(img), &(struct linux_image){ 0 }), 0);
	build();
	put64(img, 0x258, ~0ULL - 0x1000);
	expect_reject(sizeof(img), "overflows");
}

static int choose(u64 *load)
{
	struct linux_image li;

	CHECK_EQ(plan(sizeof(img), &li), 0);
	return linux_choose_load(&li, &ram, load, &why);
}

TEST(choose_load)
{
	u64 load = 0;

	build();
	pc_maps();
	CHECK_EQ(choose(&load), 0);
	CHECK_EQ(load, 16 * MIB);	/* pref_address */
	/* pref_address taken: the next 2 MiB-aligned spot above it */
	CHECK_EQ(memmap_set(&ram, 15 * MIB, 5 * MIB + 1, MEM_KEEL), 0);
	CHECK_EQ(choose(&load), 0);
	CHECK_EQ(load, 22 * MIB);
	/* only room below pref_address: refused, the kernel would run at pref_address */
	memmap_init(&ram);
	ram_add(&ram, MIB, 15 * MIB, MEM_USABLE);
	ram_add(&ram, 16 * MIB, 3 * MIB, MEM_USABLE);
	CHECK_EQ(choose(&load), -ENOMEM);
	/* two touching usable ranges count as one */
	ram_add(&ram, 19 * MIB, 2 * MIB, MEM_USABLE);
	CHECK_EQ(choose(&load), 0);
	CHECK_EQ(load, 16 * MIB);
	/* pref_address 0: never below 1 MiB, and aligned */
	put64(img, 0x258, 0);
	memmap_init(&ram);
	ram_add(&ram, 0, 64 * MIB, MEM_USABLE);
	CHECK_EQ(choose(&load), 0);
	CHECK_EQ(load, 2 * MIB);
}

TEST(choose_load_limits)
{
	u64 load = 0;

	build();
	memmap_init(&ram);
	ram_add(&ram, 0, 16 * MIB, MEM_USABLE);
	ram_add(&ram, SZ_4G, 64 * MIB, MEM_USABLE);
	CHECK_EQ(choose(&load), 0);
	CHECK_EQ(load, SZ_4G);
	put16(img, 0x236, 0x01);	/* no XLF_CAN_BE_LOADED_ABOVE_4G */
	CHECK_EQ(choose(&load), -ENOMEM);
	/* ending exactly at 4 GiB is fine */
	ram_add(&ram, SZ_4G - 4 * MIB, 4 * MIB, MEM_USABLE);
	CHECK_EQ(choose(&load), 0);
	CHECK_EQ(load, SZ_4G - 4 * MIB);
	/* not relocatable: pref_address or nothing */
	build();
	img[0x234] = 0;
	pc_maps();
	CHECK_EQ(choose(&load), 0);
	CHECK_EQ(load, 16 * MIB);
	CHECK_EQ(memmap_set(&ram, 18 * MIB, PAGE_SIZE, MEM_RESERVED), 0);
	CHECK_EQ(choose(&load), -ENOMEM);
	/* ... and never below 1 MiB */
	put64(img, 0x258, 0x10000);
	memmap_init(&ram);
	ram_add(&ram, 0, 64 * MIB, MEM_USABLE);
	CHECK_EQ(choose(&load), -ENOMEM);
	/* a map with no usable RAM at all */
	build();
	memmap_init(&ram);
	ram_add(&ram, 0, SZ_1G, MEM_RESERVED);
	CHECK_EQ(choose(&load), -ENOMEM);
}

static int params(u64 cmd, u32 len, u64 initrd, u64 isize, u64 rsdp)
{
	struct linux_image li;

	CHECK_EQ(plan(sizeof(img), &li), 0);
	why = NULL;
	return linux_build_params(&bp, &li, &e820, cmd, len, initrd, isize, rsdp, &why);
}

/* boot_params as the 64-bit entry wants it, checked field by field at zero-page.rst offsets. */
TEST(build_params)
{
	const u8 *p = (const u8 *)&bp;

	build();
	img[0x211] = 0xa1;		/* CAN_USE_HEAP and QUIET_FLAG: not ours to pass on */
	pc_maps();
	memset(&bp, 0xcc, sizeof(bp));
	CHECK_EQ(params(0x9e000, 40, 0x10000000, 0x1234567, 0xf5a40), 0);
	/* the header as in the file up to type_of_loader */
	CHECK(!memcmp(p + 0x1f1, img + 0x1f1, 0x210 - 0x1f1));
	CHECK_EQ(p[0x210], 0xff);		/* type_of_loader: undefined */
	CHECK_EQ(p[0x211], 0x01);		/* loadflags: LOADED_HIGH only */
	CHECK_EQ(get32(p, 0x218), 0x10000000);	/* ramdisk_image */
	CHECK_EQ(get32(p, 0x21c), 0x1234567);	/* ramdisk_size */
	CHECK_EQ(get32(p, 0x228), 0x9e000);	/* cmd_line_ptr */
	CHECK(!memcmp(p + 0x22c, img + 0x22c, 0x23c - 0x22c));
	CHECK_EQ(get32(p, 0x23c), 0);		/* hardware_subarch: PC */
	CHECK_EQ(get64(p, 0x250), 0);		/* setup_data */
	CHECK_EQ(get32(p, 0x268), 0x1234);
	for (size_t i = 0x26c; i < 0x2d0; i++)
		CHECK_EQ(p[i], 0);
	CHECK_EQ(get64(p, 0x070), 0xf5a40);	/* acpi_rsdp_addr */
	CHECK_EQ(get32(p, 0x0c0) | get32(p, 0x0c4) | get32(p, 0x0c8), 0);
	CHECK_EQ(p[0x1ef], 0);			/* sentinel */
	CHECK_EQ(p[0x1e8], 7);			/* e820_entries; Keel's range is reserved */
	CHECK_EQ(get64(p, 0x2d0 + 20), 0x9f000);
	CHECK_EQ(get64(p, 0x2d0 + 20 + 8), 0x61000);
	CHECK_EQ(get32(p, 0x2d0 + 20 + 16), 2);
	CHECK_EQ(get64(p, 0x2d0 + 3 * 20), 448 * MIB);
	CHECK_EQ(get32(p, 0x2d0 + 3 * 20 + 16), 2);
	CHECK_EQ(get32(p, 0x2d0 + 5 * 20 + 16), 3);
	CHECK_EQ(get64(p, 0x2d0 + 6 * 20), 0xfec00000);
	CHECK_EQ(get64(p, 0x2d0 + 7 * 20), 0);
	for (size_t i = 0xcd0; i < sizeof(bp); i++)
		CHECK_EQ(p[i], 0);
}

TEST(build_params_high)
{

	build();
	pc_maps();
	CHECK_EQ(params(0x123456000ULL, 0, 0x234567000ULL, 0x100000123ULL, 0), 0);
	CHECK_EQ(bp.hdr.cmd_line_ptr, 0x23456000);
	CHECK_EQ(bp.ext_cmd_line_ptr, 1);
	CHECK_EQ(bp.hdr.ramdisk_image, 0x34567000);
	CHECK_EQ(bp.ext_ramdisk_image, 2);
	CHECK_EQ(bp.hdr.ramdisk_size, 0x123);
	CHECK_EQ(bp.ext_ramdisk_size, 1);
	CHECK_EQ(bp.acpi_rsdp_addr, 0);
	/* no initrd: no ramdisk fields */
	CHECK_EQ(params(0x9e000, 0, 0x234567000ULL, 0, 0), 0);
	CHECK_EQ(bp.hdr.ramdisk_image | bp.ext_ramdisk_image | bp.hdr.ramdisk_size, 0);
	/* protocol 2.12/2.13: no acpi_rsdp_addr */
	put16(img, 0x206, 0x020d);
	CHECK_EQ(params(0x9e000, 0, 0, 0, 0xf5a40), 0);
	CHECK_EQ(bp.acpi_rsdp_addr, 0);
	put16(img, 0x206, 0x020e);
	CHECK_EQ(params(0x9e000, 0, 0, 0, 0xf5a40), 0);
	CHECK_EQ(bp.acpi_rsdp_addr, 0xf5a40);
}

TEST(build_params_rejects)
{

	build();
	pc_maps();
	CHECK_EQ(params(0x9e000, 2047, 0, 0, 0), 0);
	expect_why(params(0x9e000, 2048, 0, 0, 0), -E2BIG, "cmdline_size");
	expect_why(params(0, 10, 0, 0, 0), -ERANGE, "command line");
	expect_why(params(~0ULL - 4, 10, 0, 0, 0), -ERANGE, "command line");
	/* without XLF_CAN_BE_LOADED_ABOVE_4G: initrd_addr_max binds, cmdline below 4 GiB */
	put16(img, 0x236, 0x01);
	CHECK_EQ(params(0x9e000, 10, 0x7ff00000, 0x100000, 0), 0);
	expect_why(params(0x9e000, 10, 0x7ff00000, 0x100001, 0), -ERANGE, "initrd_addr_max");
	expect_why(params(0x9e000, 10, 0x80000000, 1, 0), -ERANGE, "initrd_addr_max");
	CHECK_EQ(params(SZ_4G - 11, 10, 0, 0, 0), 0);
	expect_why(params(SZ_4G - 10, 10, 0, 0, 0), -ERANGE, "command line");
	/* with it, only wrapping is refused */
	build();
	CHECK_EQ(params(0x9e000, 10, 0x7ff00000, 0x100001, 0), 0);
	expect_why(params(0x9e000, 10, ~0ULL - 0xff, 0x200, 0), -ERANGE, "initrd");
	memmap_init(&e820);
	expect_why(params(0x9e000, 10, 0, 0, 0), -EINVAL, "empty");
}

/* 128 e820 entries fit; a 129th does not; adjacent same-type ranges merge first. */
TEST(e820_overflow)
{

	build();
	memmap_init(&e820);
	for (u64 i = 0; i < 128; i++)
		ram_add(&e820, i * 2 * MIB, MIB, i & 1 ? MEM_ACPI_NVS : MEM_USABLE);
	CHECK_EQ(params(0x9e000, 0, 0, 0, 0), 0);
	CHECK_EQ(bp.e820_entries, 128);
	CHECK_EQ(bp.e820_table[127].type, 4);
	ram_add(&e820, 256 * MIB, MIB, MEM_BAD);
	expect_why(params(0x9e000, 0, 0, 0, 0), -E2BIG, "128 e820");
	/* touching ranges of types that map alike merge: reserved + Keel */
	memmap_init(&e820);
	for (u64 i = 0; i < 200; i++)
		ram_add(&e820, i * MIB, MIB, i & 1 ? MEM_KEEL : MEM_RESERVED);
	ram_add(&e820, 200 * MIB, MIB, MEM_BAD);
	CHECK_EQ(params(0x9e000, 0, 0, 0, 0), 0);
	CHECK_EQ(bp.e820_entries, 2);
	CHECK_EQ(bp.e820_table[0].size, 200 * MIB);
	CHECK_EQ(bp.e820_table[1].type, 5);
}

/* Any accepted plan stays inside the file and its header; loads land in usable RAM. */
static void check_accepted(const struct linux_image *li, size_t size)
{
	u64 load;

	CHECK(li->kernel_offset >= 1024 && li->kernel_offset + li->kernel_size == size);
	CHECK(li->hdr_len >= 0x264 - 0x1f1 && li->hdr_len <= LINUX_HDR_MAX);
	CHECK(li->version >= 0x020c && li->kernel_size <= li->init_size);
	if (linux_choose_load(li, &ram, &load, &why) == 0) {
		CHECK(load >= MAX(li->pref_address, MIB));
		CHECK(memmap_covers(&ram, load, li->init_size, MEM_USABLE));
		CHECK(!li->relocatable || IS_ALIGNED(load, li->kernel_alignment));
	}
	if (!linux_build_params(&bp, li, &e820, 0x9e000, 100, 0x10000000, 0x1000, 0, &why))
		CHECK(bp.hdr.type_of_loader == 0xff && bp.sentinel == 0);
}

TEST(fuzz)
{
	unsigned int seed = 1, accepted = 0;

	pc_maps();
	for (int i = 0; i < 20000; i++) {
		struct linux_image li;
		size_t size;

		build();
		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245 + 12345;
			img[0x1f1 + (seed >> 8) % 0x90] = (u8)(seed >> 20);
		}
		size = SYN_SIZE - (seed >> 4) % 0x2000;
		if (plan(size, &li) == 0) {
			accepted++;
			check_accepted(&li, size);
		} else {
			CHECK(why != NULL);
		}
	}
	printf("linux_boot: fuzz: %u of 20000 mutated headers accepted\n", accepted);
	CHECK(accepted > 1000 && accepted < 20000);
}

static u8 *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	u8 *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* The kernel_version string (0x20e, "less 0x200") starts with the package's release. */
static void check_release(const u8 *k, size_t size)
{
	size_t vsize = 0, off = get16(k, 0x20e) + 0x200;
	u8 *release = read_file(REAL_VERSION, &vsize);

	CHECK(release != NULL && off < size);
	if (!release || off >= size)
		return;
	while (vsize && (release[vsize - 1] == '\n' || release[vsize - 1] == ' '))
		vsize--;
	CHECK(vsize > 0 && off + vsize < size);
	CHECK(!memcmp(k + off, release, vsize) && k[off + vsize] == ' ');
	printf("linux_boot: %s says \"%.*s\"\n", REAL_KERNEL, (int)vsize, (const char *)k + off);
	free(release);
}

/* Our plan against the raw bytes at boot.rst's offsets, read here independently. */
static void check_real_plan(const u8 *k, size_t size, const struct linux_image *li)
{
	u8 sects = k[0x1f1];

	CHECK_EQ(li->version, get16(k, 0x206));
	CHECK(li->version >= 0x020f);		/* Debian 12's 6.1 kernels: 2.15 */
	CHECK_EQ(li->kernel_offset, (sects ? sects + 1 : 5) * 512);
	CHECK_EQ(li->kernel_size, size - li->kernel_offset);
	CHECK(get32(k, 0x1f4) * 16ULL <= li->kernel_size);
	CHECK_EQ(li->xloadflags, get16(k, 0x236));
	CHECK((li->xloadflags & 3) == 3);	/* 64-bit entry, may live above 4 GiB */
	CHECK(li->relocatable);
	CHECK_EQ(li->pref_address, get64(k, 0x258));
	CHECK_EQ(li->pref_address, 16 * MIB);	/* CONFIG_PHYSICAL_START */
	CHECK_EQ(li->kernel_alignment, 2 * MIB);
	CHECK_EQ(li->init_size, get32(k, 0x260));
	CHECK(li->init_size > 4 * li->kernel_size);
	CHECK_EQ(li->cmdline_size, 2047);
	CHECK_EQ(li->hdr_len, 0x202 + k[0x201] - 0x1f1);
	CHECK(!memcmp(li->hdr, k + 0x1f1, li->hdr_len));
}

TEST(real_debian_kernel)
{
	size_t size = 0, cut_size;
	u8 *k = read_file(REAL_KERNEL, &size);
	struct linux_image li, cut;
	u64 load = 0;

	if (!k) {
		printf("linux_boot: inputs: synthetic header only (%s absent; "
		       "scripts/debian-kernel.sh build/debian fetches it)\n", REAL_KERNEL);
		return;
	}
	CHECK_EQ(linux_plan(k, size, &li, &why), 0);
	check_real_plan(k, size, &li);
	check_release(k, size);
	pc_maps();
	CHECK_EQ(linux_choose_load(&li, &ram, &load, &why), 0);
	CHECK_EQ(load, 16 * MIB);
	CHECK_EQ(linux_build_params(&bp, &li, &e820, 0x9e000, 50, 256 * MIB, 16 * MIB, 0xf5a40,
				    &why), 0);
	CHECK(!memcmp((u8 *)&bp + 0x1f1, k + 0x1f1, 0x210 - 0x1f1));
	CHECK_EQ(bp.acpi_rsdp_addr, 0xf5a40);
	/* cut anywhere inside syssize: truncated */
	cut_size = li.kernel_offset + get32(k, 0x1f4) * 16ULL - 1;
	CHECK_EQ(linux_plan(k, cut_size, &cut, &why), -ENOEXEC);
	printf("linux_boot: inputs: synthetic header + %s (%zu bytes): protocol %u.%02u, "
	       "setup_sects %u, "
	       "xloadflags %#x, pref_address %#llx, kernel_alignment %#x, init_size %#x, "
	       "cmdline_size %u, initrd_addr_max %#x, header %u bytes, kernel %#llx+%#llx\n",
	       REAL_KERNEL, size, k[0x207], k[0x206], k[0x1f1], get16(k, 0x236),
	       (unsigned long long)get64(k, 0x258), get32(k, 0x230), get32(k, 0x260),
	       get32(k, 0x238), get32(k, 0x22c), 0x202 + k[0x201] - 0x1f1,
	       (unsigned long long)li.kernel_offset, (unsigned long long)li.kernel_size);
	free(k);
}

TEST_MAIN("linux_boot", T(synthetic_plan), T(malformed_headers), T(malformed_layout),
	  T(choose_load), T(choose_load_limits), T(build_params), T(build_params_high),
	  T(build_params_rejects), T(e820_overflow), T(fuzz), T(real_debian_kernel))
