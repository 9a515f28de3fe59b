// SPDX-License-Identifier: GPL-2.0
#include "kernel/errno.h"
#include "kernel/multiboot2.h"
#include "test.h"

#define MBI_PA 0x10000ULL

/* Builds multiboot2 information structures (spec 3.6.2) in an aligned buffer. */
struct mb {
	u8 *buf;
	u32 off;
};

struct e820 {
	u64 base, len;
	u32 type;
};

struct efi_desc {
	u32 type;
	u64 start, pages, attr;
};

static u8 mbi_buf[32768] __aligned(8);
static u8 payload[32768] __aligned(8);
static struct boot_info bi;

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, sizeof(v));
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, sizeof(v));
}

static void mb_begin(struct mb *b)
{
	memset(mbi_buf, 0, sizeof(mbi_buf));
	b->buf = mbi_buf;
	b->off = 8;
}

static u8 *mb_tag(struct mb *b, u32 type, const void *data, u32 len)
{
	u8 *t = b->buf + b->off;

	put32(t, type);
	put32(t + 4, 8 + len);
	if (len)
		memcpy(t + 8, data, len);
	b->off = ALIGN_UP(b->off + 8 + len, 8);
	return t;
}

static u32 mb_end(struct mb *b)
{
	mb_tag(b, 0, NULL, 0);
	put32(b->buf, b->off);
	return b->off;
}

static u8 *mb_string(struct mb *b, u32 type, const char *s)
{
	return mb_tag(b, type, s, strlen(s) + 1);
}

static u8 *mb_module(struct mb *b, u32 start, u32 end, const char *s)
{
	put32(payload, start);
	put32(payload + 4, end);
	memcpy(payload + 8, s, strlen(s) + 1);
	return mb_tag(b, 3, payload, 8 + strlen(s) + 1);
}

static u8 *mb_mmap(struct mb *b, const struct e820 *e, unsigned int n, u32 esize)
{
	memset(payload, 0xee, 8 + n * esize);
	put32(payload, esize);
	put32(payload + 4, 0);
	for (unsigned int i = 0; i < n; i++) {
		u8 *p = payload + 8 + i * esize;

		put64(p, e[i].base);
		put64(p + 8, e[i].len);
		put32(p + 16, e[i].type);
		put32(p + 20, 0);
	}
	return mb_tag(b, 6, payload, 8 + n * esize);
}

static u8 *mb_efi_mmap(struct mb *b, const struct efi_desc *d, unsigned int n, u32 dsize)
{
	memset(payload, 0, 8 + n * dsize);
	put32(payload, dsize);
	put32(payload + 4, 1);
	for (unsigned int i = 0; i < n; i++) {
		u8 *p = payload + 8 + i * dsize;

		put32(p, d[i].type);
		put64(p + 8, d[i].start);
		put64(p + 16, d[i].start);	/* VirtualStart: ignored */
		put64(p + 24, d[i].pages);
		put64(p + 32, d[i].attr);
	}
	return mb_tag(b, 17, payload, 8 + n * dsize);
}

static int parse(u32 total, const char **why)
{
	*why = NULL;
	return mb2_parse(mbi_buf, MBI_PA, total, &bi, why);
}

static void check_normalized(const struct memmap *m)
{
	CHECK(m->nr <= MEMMAP_MAX);
	for (unsigned int i = 0; i < m->nr; i++) {
		const struct mem_range *r = &m->r[i];

		CHECK(r->size != 0);
		CHECK(r->size <= UINT64_MAX - r->base);
		if (r->type == MEM_USABLE)
			CHECK(IS_ALIGNED(r->base | r->size, PAGE_SIZE));
		if (i + 1 < m->nr) {
			const struct mem_range *n = &m->r[i + 1];

			CHECK(r->base + r->size <= n->base);
			CHECK(r->base + r->size != n->base || r->type != n->type);
		}
	}
}

static void check_range(const struct memmap *m, unsigned int i, u64 base, u64 end, u32 type)
{
	CHECK(i < m->nr);
	if (i >= m->nr)
		return;
	CHECK_EQ(m->r[i].base, base);
	CHECK_EQ(m->r[i].base + m->r[i].size, end);
	CHECK_EQ(m->r[i].type, type);
}

/* SeaBIOS e820 for an 8 GiB QEMU guest, as GRUB passes it on. */
static const struct e820 qemu_e820[] = {
	{ 0x0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x7fee0000, 1 },
	{ 0x7ffe0000, 0x20000, 2 },
	{ 0xfeffc000, 0x4000, 2 },
	{ 0xfffc0000, 0x40000, 2 },
	{ 0x100000000, 0x180000000, 1 },
};

static void check_qemu_map(const struct memmap *m)
{
	check_normalized(m);
	CHECK_EQ(m->nr, 8);
	check_range(m, 0, 0, 0x9f000, MEM_USABLE);
	check_range(m, 3, 0x100000, 0x7ffe0000, MEM_USABLE);
	check_range(m, 7, SZ_4G, 0x280000000, MEM_USABLE);
}

static const u8 rsdp_v1[20] = "RSD PTR \x42OEMID\x00";
static const u8 rsdp_v2[36] = "RSD PTR \x17OEMID\x02";

/* What GRUB gives Keel on a BIOS machine, with some tags Keel does not use. */
static u32 build_bios(struct mb *b)
{
	static const u8 meminfo[8] = { 0x7f, 0x02, 0, 0, 0x00, 0xfb, 0x1f, 0 };

	mb_begin(b);
	mb_string(b, 1, "console=ttyS0 keel.log=debug");
	mb_string(b, 2, "GRUB 2.12");
	mb_module(b, 0x200000, 0x5a3000, "/boot/vmlinuz console=hvc0");
	mb_module(b, 0x5a3000, 0x1000000, "/boot/initrd.img");
	mb_tag(b, 4, meminfo, sizeof(meminfo));
	mb_mmap(b, qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	mb_tag(b, 14, rsdp_v1, sizeof(rsdp_v1));
	mb_tag(b, 21, meminfo, 4);
	mb_tag(b, 0x7fffffff, meminfo, 3);
	return mb_end(b);
}

TEST(bios_boot)
{
	struct mb b;
	const char *why;
	u32 total = build_bios(&b);

	CHECK_EQ(parse(total, &why), 0);
	CHECK(why == NULL);
	CHECK(strcmp(bi.cmdline, "console=ttyS0 keel.log=debug") == 0);
	CHECK(strcmp(bi.loader, "GRUB 2.12") == 0);
	CHECK_EQ(bi.nr_modules, 2);
	CHECK_EQ(bi.modules[0].start, 0x200000);
	CHECK_EQ(bi.modules[0].end, 0x5a3000);
	CHECK(strcmp(bi.modules[0].cmdline, "/boot/vmlinuz console=hvc0") == 0);
	CHECK_EQ(bi.modules[1].start, 0x5a3000);
	CHECK_EQ(bi.modules[1].end, 0x1000000);
	CHECK(strcmp(bi.modules[1].cmdline, "/boot/initrd.img") == 0);
	/* Strings point into the structure, not at copies. */
	CHECK((const u8 *)bi.cmdline > mbi_buf && (const u8 *)bi.cmdline < mbi_buf + total);
	check_qemu_map(&bi.mmap);
	CHECK(!bi.efi);
	CHECK(!bi.efi_mmap);
	CHECK_EQ(bi.rsdp_len, sizeof(rsdp_v1));
	CHECK(bi.rsdp && memcmp(bi.rsdp, rsdp_v1, sizeof(rsdp_v1)) == 0);
	CHECK((const u8 *)bi.rsdp > mbi_buf && (const u8 *)bi.rsdp < mbi_buf + total);
	CHECK_EQ(bi.mbi_start, MBI_PA);
	CHECK_EQ(bi.mbi_end, MBI_PA + total);
}

TEST(minimal_structure)
{
	struct mb b;
	const char *why;

	mb_begin(&b);
	mb_mmap(&b, qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	CHECK_EQ(parse(mb_end(&b), &why), 0);
	CHECK(bi.cmdline && bi.cmdline[0] == '\0');
	CHECK(bi.loader && bi.loader[0] == '\0');
	CHECK_EQ(bi.nr_modules, 0);
	CHECK(bi.rsdp == NULL);
	CHECK_EQ(bi.rsdp_len, 0);
	CHECK(!bi.efi);
	check_qemu_map(&bi.mmap);

	/* Bytes past total_size are neither needed nor read. */
	CHECK_EQ(mb2_parse(mbi_buf, MBI_PA, sizeof(mbi_buf), &bi, &why), 0);
}

TEST(acpi_new_rsdp_preferred)
{
	struct mb b;
	const char *why;

	mb_begin(&b);
	mb_tag(&b, 15, rsdp_v2, sizeof(rsdp_v2));
	mb_tag(&b, 14, rsdp_v1, sizeof(rsdp_v1));
	mb_mmap(&b, qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	CHECK_EQ(parse(mb_end(&b), &why), 0);
	CHECK_EQ(bi.rsdp_len, sizeof(rsdp_v2));
	CHECK(bi.rsdp && memcmp(bi.rsdp, rsdp_v2, sizeof(rsdp_v2)) == 0);

	mb_begin(&b);
	mb_tag(&b, 14, rsdp_v1, sizeof(rsdp_v1));
	mb_tag(&b, 15, rsdp_v2, sizeof(rsdp_v2));
	mb_mmap(&b, qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	CHECK_EQ(parse(mb_end(&b), &why), 0);
	CHECK_EQ(bi.rsdp_len, sizeof(rsdp_v2));
	CHECK(bi.rsdp && memcmp(bi.rsdp, rsdp_v2, sizeof(rsdp_v2)) == 0);

	/* An empty new-RSDP tag does not hide the old one. */
	mb_begin(&b);
	mb_tag(&b, 15, NULL, 0);
	mb_tag(&b, 14, rsdp_v1, sizeof(rsdp_v1));
	mb_mmap(&b, qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	CHECK_EQ(parse(mb_end(&b), &why), 0);
	CHECK_EQ(bi.rsdp_len, sizeof(rsdp_v1));
}

#define RT (1ULL << 63)	/* EFI_MEMORY_RUNTIME */

/*
 * Shaped after OVMF's map for a 4.5 GiB guest: ACPI NVS and runtime ranges
 * among many boot-services and loader descriptors, MMIO and persistent
 * memory (OVMF reports DescriptorSize 48).
 */
static unsigned int ovmf_map(struct efi_desc *d)
{
	static const struct efi_desc tail[] = {
		{ 10, 0x800000, 8, 0xf }, { 7, 0x808000, 3, 0xf }, { 10, 0x80b000, 1, 0xf },
		{ 7, 0x80c000, 4, 0xf }, { 10, 0x810000, 0xf0, 0xf }, { 4, 0x900000, 0x100, 0xf },
		{ 7, 0xa00000, 0x7d600, 0xf }, { 1, 0x7e000000, 0x100, 0xf },
		{ 2, 0x7e100000, 0x100, 0xf }, { 4, 0x7e200000, 0x200, 0xf },
		{ 9, 0x7e400000, 0x10, 0xf }, { 10, 0x7e410000, 0x10, 0xf },
		{ 6, 0x7e420000, 0x20, 0xf | RT }, { 5, 0x7e440000, 0x20, 0xf | RT },
		{ 4, 0x7e460000, 0x10, 0xf | RT }, { 3, 0x7e470000, 0x190, 0xf },
		{ 8, 0x7e600000, 1, 0xf }, { 7, 0x7e601000, 0x9ff, 0xf },
		{ 0, 0x7f000000, 0x800, 0xf }, { 10, 0x7f800000, 0x800, 0xf },
		{ 11, 0xffc00000, 0x400, RT }, { 14, 0x100000000, 0x10000, 0xf | (1ULL << 15) },
		{ 7, 0x110000000, 0x10000, 0xf },
	};
	static const u32 small[] = { 3, 4, 7, 2 };
	unsigned int n = 0;

	d[n++] = (struct efi_desc){ 3, 0x0, 1, 0xf };
	d[n++] = (struct efi_desc){ 7, 0x1000, 0x9f, 0xf };
	for (u64 pa = 0x100000; pa < 0x800000; pa += 0x10000, n++)
		d[n] = (struct efi_desc){ small[n % 4], pa, 0x10, 0xf };
	for (unsigned int i = 0; i < ARRAY_SIZE(tail); i++)
		d[n++] = tail[i];
	return n;
}

static void check_ovmf_map(const struct memmap *m)
{
	check_normalized(m);
	CHECK_EQ(m->nr, 18);
	check_range(m, 0, 0, 0xa0000, MEM_USABLE);
	check_range(m, 1, 0x100000, 0x800000, MEM_USABLE);
	check_range(m, 2, 0x800000, 0x808000, MEM_ACPI_NVS);
	check_range(m, 3, 0x808000, 0x80b000, MEM_USABLE);
	check_range(m, 4, 0x80b000, 0x80c000, MEM_ACPI_NVS);
	check_range(m, 5, 0x80c000, 0x810000, MEM_USABLE);
	check_range(m, 6, 0x810000, 0x900000, MEM_ACPI_NVS);
	check_range(m, 7, 0x900000, 0x7e400000, MEM_USABLE);
	check_range(m, 8, 0x7e400000, 0x7e410000, MEM_ACPI_RECLAIM);
	check_range(m, 9, 0x7e410000, 0x7e420000, MEM_ACPI_NVS);
	check_range(m, 10, 0x7e420000, 0x7e470000, MEM_RESERVED);
	check_range(m, 11, 0x7e470000, 0x7e600000, MEM_USABLE);
	check_range(m, 12, 0x7e600000, 0x7e601000, MEM_BAD);
	check_range(m, 13, 0x7e601000, 0x7f000000, MEM_USABLE);
	check_range(m, 14, 0x7f000000, 0x7f800000, MEM_RESERVED);
	check_range(m, 15, 0x7f800000, 0x80000000, MEM_ACPI_NVS);
	/* MMIO below 4 GiB and persistent memory above it: both reserved, so one range. */
	check_range(m, 16, 0xffc00000, 0x110000000, MEM_RESERVED);
	check_range(m, 17, 0x110000000, 0x120000000, MEM_USABLE);
}

TEST(efi_boot_uses_efi_map)
{
	static struct efi_desc d[256];
	static const u8 systab[8] = { 0x18, 0xee, 0x7f, 0x7f };
	unsigned int n = ovmf_map(d);
	struct mb b;
	const char *why;

	mb_begin(&b);
	mb_string(&b, 1, "");
	mb_string(&b, 2, "GRUB 2.12");
	mb_tag(&b, 12, systab, sizeof(systab));
	mb_tag(&b, 15, rsdp_v2, sizeof(rsdp_v2));
	/* GRUB also passes an e820-style map; the EFI one is more precise. */
	mb_mmap(&b, qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	mb_efi_mmap(&b, d, n, 48);
	CHECK_EQ(parse(mb_end(&b), &why), 0);
	CHECK(bi.efi);
	CHECK(bi.efi_mmap);
	check_ovmf_map(&bi.mmap);

	/* Descriptor sizes beyond 48 work the same. */
	mb_begin(&b);
	mb_efi_mmap(&b, d, n, 64);
	CHECK_EQ(parse(mb_end(&b), &why), 0);
	check_ovmf_map(&bi.mmap);
}

TEST(efi_system_table_alone_keeps_e820_map)
{
	static const u8 systab32[4] = { 0x18, 0xee, 0x7f, 0x7f };
	struct mb b;
	const char *why;

	mb_begin(&b);
	mb_tag(&b, 11, systab32, sizeof(systab32));
	mb_mmap(&b, qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	CHECK_EQ(parse(mb_end(&b), &why), 0);
	CHECK(bi.efi);
	CHECK(!bi.efi_mmap);
	check_qemu_map(&bi.mmap);
}

TEST(e820_types_sizes_and_odd_entries)
{
	static const struct e820 e[] = {
		{ 0x100000, 0x100000, 1 },
		{ 0x200000, 0x1000, 3 },
		{ 0x201000, 0x1000, 4 },
		{ 0x202000, 0x1000, 5 },
		{ 0x203000, 0x1000, 7 },	/* persistent memory: reserved */
		{ 0x204000, 0x1000, 0 },	/* undefined: reserved */
		{ 0x205000, 0x1000, 16 },	/* firmware cannot claim MEM_KEEL */
		{ 0x300000, 0, 2 },		/* zero length: skipped */
		{ 0xfffffffffff00000, 0x200000, 2 }, /* wraps: clamped */
		{ 0xffffffffffe00000, UINT64_MAX, 1 },
	};
	struct mb b;
	const char *why;
	u8 *tag;

	mb_begin(&b);
	tag = mb_mmap(&b, e, ARRAY_SIZE(e), 32);
	put32(tag + 12, 7);		/* a future entry_version */
	CHECK_EQ(parse(mb_end(&b), &why), 0);
	check_normalized(&bi.mmap);
	CHECK_EQ(bi.mmap.nr, 7);
	check_range(&bi.mmap, 0, 0x100000, 0x200000, MEM_USABLE);
	check_range(&bi.mmap, 1, 0x200000, 0x201000, MEM_ACPI_RECLAIM);
	check_range(&bi.mmap, 2, 0x201000, 0x202000, MEM_ACPI_NVS);
	check_range(&bi.mmap, 3, 0x202000, 0x203000, MEM_BAD);
	check_range(&bi.mmap, 4, 0x203000, 0x206000, MEM_RESERVED);
	check_range(&bi.mmap, 5, 0xffffffffffe00000, 0xfffffffffff00000, MEM_USABLE);
	check_range(&bi.mmap, 6, 0xfffffffffff00000, UINT64_MAX, MEM_RESERVED);
	CHECK_EQ(memmap_total(&bi.mmap, MEM_KEEL), 0);

	/* A trailing partial entry is ignored. */
	mb_begin(&b);
	tag = mb_mmap(&b, qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	put32(tag + 4, 8 + 8 + 8 * 24 - 4);
	b.off = ALIGN_UP((u32)(tag - mbi_buf) + 8 + 8 + 8 * 24 - 4, 8);
	CHECK_EQ(parse(mb_end(&b), &why), 0);
	CHECK_EQ(bi.mmap.nr, 7);
}

/* Firmware maps longer than MEMMAP_MAX still fit once merged. */
TEST(long_firmware_maps)
{
	static struct efi_desc d[300];
	static struct e820 e[600];
	struct mb b;
	const char *why;

	/* 600 one-page entries in a row: merged as they come. */
	for (unsigned int i = 0; i < 600; i++)
		e[i] = (struct e820){ 0x100000 + i * 0x1000ULL, 0x1000, 1 };
	mb_begin(&b);
	mb_mmap(&b, e, 600, 24);
	CHECK_EQ(parse(mb_end(&b), &why), 0);
	CHECK_EQ(bi.mmap.nr, 1);
	check_range(&bi.mmap, 0, 0x100000, 0x100000 + 600 * 0x1000, MEM_USABLE);

	/* 200 separate ranges, each listed twice, out of order: normalized on the way. */
	for (unsigned int i = 0; i < 400; i++)
		e[i] = (struct e820){ 0x100000 + (i % 200) * 0x2000ULL, 0x1000, 1 + (i & 1) };
	mb_begin(&b);
	mb_mmap(&b, e, 400, 24);
	CHECK_EQ(parse(mb_end(&b), &why), 0);
	check_normalized(&bi.mmap);
	CHECK_EQ(bi.mmap.nr, 200);

	/* 300 ranges that really are separate do not fit. */
	for (unsigned int i = 0; i < 300; i++)
		e[i] = (struct e820){ 0x100000 + i * 0x2000ULL, 0x1000, 1 };
	mb_begin(&b);
	mb_mmap(&b, e, 300, 24);
	CHECK_EQ(parse(mb_end(&b), &why), -EINVAL);
	CHECK(why && strstr(why, "too many"));

	/* The same from the EFI map. */
	for (unsigned int i = 0; i < 300; i++)
		d[i] = (struct efi_desc){ 7, 0x100000 + i * 0x2000ULL, 1, 0xf };
	mb_begin(&b);
	mb_efi_mmap(&b, d, 300, 48);
	CHECK_EQ(parse(mb_end(&b), &why), -EINVAL);
	CHECK(why && strstr(why, "too many"));
}

TEST(module_limits)
{
	struct mb b;
	const char *why;

	mb_begin(&b);
	for (unsigned int i = 0; i < MB2_MAX_MODULES; i++)
		mb_module(&b, 0x1000000 + i * 0x1000, 0x1000000 + i * 0x1000, "");
	mb_mmap(&b, qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	CHECK_EQ(parse(mb_end(&b), &why), 0);
	CHECK_EQ(bi.nr_modules, MB2_MAX_MODULES);
	CHECK(bi.modules[15].cmdline && bi.modules[15].cmdline[0] == '\0');

	mb_begin(&b);
	for (unsigned int i = 0; i <= MB2_MAX_MODULES; i++)
		mb_module(&b, 0x1000000, 0x1001000, "m");
	mb_mmap(&b, qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	CHECK_EQ(parse(mb_end(&b), &why), -EINVAL);
	CHECK(why && strstr(why, "too many modules"));

	mb_begin(&b);
	mb_module(&b, 0x1001000, 0x1000fff, "backwards");
	mb_mmap(&b, qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	CHECK_EQ(parse(mb_end(&b), &why), -EINVAL);
	CHECK(why && strstr(why, "module"));
}

/* Each case damages a valid structure in one way. */
enum damage {
	DMG_TOTAL_TINY, DMG_TOTAL_BIG, DMG_TAG_SHORT, DMG_TAG_OVERRUN, DMG_NO_END,
	DMG_CMDLINE_UNTERMINATED, DMG_LOADER_EMPTY, DMG_MODULE_UNTERMINATED,
	DMG_MODULE_SHORT, DMG_MMAP_ENTRY_SMALL, DMG_MMAP_SHORT, DMG_EFI_DESC_SMALL,
	DMG_EFI_SHORT, DMG_NO_MMAP, DMG_NO_USABLE, DMG_COUNT
};

static u32 build_damaged(enum damage dmg)
{
	static const struct efi_desc efi[] = { { 7, 0x100000, 0x100, 0xf } };
	static const struct e820 reserved_only[] = { { 0, SZ_1G, 2 } };
	struct mb b;
	u8 *t;
	u32 total;

	mb_begin(&b);
	t = mb_string(&b, 1, "console=ttyS0");
	if (dmg == DMG_CMDLINE_UNTERMINATED)
		t[8 + 13] = 'X';
	if (dmg == DMG_TAG_SHORT)
		put32(t + 4, 7);
	if (dmg == DMG_LOADER_EMPTY)
		mb_tag(&b, 2, NULL, 0);
	t = mb_module(&b, 0x200000, 0x300000, "mod");
	if (dmg == DMG_MODULE_UNTERMINATED)
		put32(t + 4, 8 + 8 + 3);
	if (dmg == DMG_MODULE_SHORT)
		put32(t + 4, 12);
	if (dmg == DMG_NO_USABLE) {
		mb_mmap(&b, reserved_only, 1, 24);
	} else if (dmg == DMG_MMAP_SHORT) {
		mb_tag(&b, 6, "\x18\0\0", 4);	/* entry_size only */
	} else if (dmg != DMG_NO_MMAP) {
		t = mb_mmap(&b, qemu_e820, ARRAY_SIZE(qemu_e820), 24);
		if (dmg == DMG_MMAP_ENTRY_SMALL)
			put32(t + 8, 20);
	}
	if (dmg == DMG_EFI_DESC_SMALL)
		put32(mb_efi_mmap(&b, efi, 1, 48) + 8, 32);
	if (dmg == DMG_EFI_SHORT)
		mb_tag(&b, 17, "\x30\0\0", 4);	/* descriptor_size only */
	if (dmg == DMG_TAG_OVERRUN)
		put32(t + 4, 0x10000);
	total = mb_end(&b);
	if (dmg == DMG_NO_END)
		put32(mbi_buf, total -= 8);
	if (dmg == DMG_TOTAL_TINY)
		put32(mbi_buf, 8);
	if (dmg == DMG_TOTAL_BIG)
		put32(mbi_buf, total + 8);
	return total;
}

TEST(rejects_damaged_structures)
{
	static const char *const expect[DMG_COUNT] = {
		"total_size", "total_size", "shorter", "overruns", "end tag",
		"unterminated", "unterminated", "unterminated", "unterminated",
		"entry_size", "too short", "descriptor_size", "too short",
		"no memory map", "no usable",
	};
	const char *why;

	for (int dmg = 0; dmg < DMG_COUNT; dmg++) {
		int ret = parse(build_damaged(dmg), &why);

		if (ret != -EINVAL || !why || !strstr(why, expect[dmg]))
			fprintf(stderr, "damage %d: ret %d, why %s\n", dmg, ret, why ? why : "-");
		CHECK_EQ(ret, -EINVAL);
		CHECK(why && strstr(why, expect[dmg]));
	}
	/* The undamaged structure parses. */
	CHECK_EQ(parse(build_damaged(DMG_COUNT), &why), 0);
	CHECK_EQ(bi.nr_modules, 1);
}

TEST(rejects_bad_placement)
{
	struct mb b;
	const char *why;
	u32 total;

	mb_begin(&b);
	mb_mmap(&b, qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	total = mb_end(&b);
	CHECK_EQ(mb2_parse(mbi_buf, MBI_PA, 4, &bi, &why), -EINVAL);
	CHECK_EQ(mb2_parse(mbi_buf, MBI_PA, total - 1, &bi, &why), -EINVAL);
	CHECK(strstr(why, "total_size"));
	CHECK_EQ(mb2_parse(mbi_buf, MBI_PA + 4, total, &bi, &why), -EINVAL);
	CHECK(strstr(why, "aligned"));
	CHECK_EQ(mb2_parse(mbi_buf, UINT64_MAX - 7, total, &bi, &why), -EINVAL);
	CHECK_EQ(mb2_parse(mbi_buf, MBI_PA, total, &bi, &why), 0);
	/* The buffer's own alignment does not matter: fields are copied out. */
	memmove(mbi_buf + 1, mbi_buf, total);
	CHECK_EQ(mb2_parse(mbi_buf + 1, MBI_PA, total, &bi, &why), 0);
	check_qemu_map(&bi.mmap);
}

static u64 rng_state = 0x2545f4914f6cdd1dULL;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Offsets of the valid structure's tag headers, where damage matters most. */
static u32 hot[64];
static unsigned int nr_hot;

static void find_hot_spots(const u8 *p, u32 total)
{
	u32 off = 8, size;

	nr_hot = 0;
	hot[nr_hot++] = 0;
	while (off + 8 <= total && nr_hot < ARRAY_SIZE(hot)) {
		hot[nr_hot++] = off;
		memcpy(&size, p + off + 4, sizeof(size));
		off = ALIGN_UP(off + size, 8);
	}
}

/* Overwrites a u32 field: at a tag's type, size or first payload word, or anywhere. */
static void clobber_u32(u8 *p, u32 len)
{
	static const u32 nasty[] = { 0, 1, 7, 8, 9, 15, 16, 17, 20, 23, 24, 39, 40,
				     0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff };
	u32 at = rng() % 2 ? hot[rng() % nr_hot] + 4 * (rng() % 4) : ALIGN_DOWN((u32)rng() % len, 4);
	u32 v = rng() % 4 ? nasty[rng() % ARRAY_SIZE(nasty)] : (u32)rng() % (len + 16);

	if (at + 4 <= len)
		put32(p + at, v);
}

static void mutate(u8 *p, u32 len)
{
	unsigned int k = 1 + rng() % 3;

	while (k--) {
		u32 at = rng() % len;

		switch (rng() % 3) {
		case 0:
			p[at] = rng();
			break;
		case 1:
			p[at] ^= 1u << (rng() % 8);
			break;
		default:
			clobber_u32(p, len);
			break;
		}
	}
}

/* A successful parse must describe only bytes inside the structure. */
static void check_inside(const u8 *buf, size_t avail, const char *s)
{
	CHECK((const u8 *)s >= buf && (const u8 *)s < buf + avail);
	CHECK(strnlen(s, buf + avail - (const u8 *)s) < (size_t)(buf + avail - (const u8 *)s));
}

static void check_fuzz_result(const u8 *buf, size_t avail)
{
	check_normalized(&bi.mmap);
	CHECK(memmap_total(&bi.mmap, MEM_USABLE) > 0);
	CHECK(bi.mbi_end - bi.mbi_start <= avail);
	CHECK(bi.nr_modules <= MB2_MAX_MODULES);
	if (bi.cmdline[0])
		check_inside(buf, avail, bi.cmdline);
	if (bi.loader[0])
		check_inside(buf, avail, bi.loader);
	for (unsigned int i = 0; i < bi.nr_modules; i++) {
		CHECK(bi.modules[i].start <= bi.modules[i].end);
		check_inside(buf, avail, bi.modules[i].cmdline);
	}
	if (bi.rsdp)
		CHECK((const u8 *)bi.rsdp >= buf &&
		      (const u8 *)bi.rsdp + bi.rsdp_len <= buf + avail);
}

/*
 * Mutates a full structure thousands of times; each copy sits in a heap
 * block of exactly the readable size, so ASan catches any read past it.
 */
TEST(fuzz_mutated_structures)
{
	static struct efi_desc d[256];
	static u8 valid[32768];
	unsigned int ok = 0, bad = 0;
	int before = test_failed_checks;
	struct mb b;
	u32 total;

	mb_begin(&b);
	mb_string(&b, 1, "console=ttyS0");
	mb_string(&b, 2, "GRUB 2.12");
	mb_module(&b, 0x200000, 0x300000, "kernel");
	mb_module(&b, 0x300000, 0x400000, "initrd");
	mb_tag(&b, 12, "\x18\xee\x7f\x7f\0\0\0", 8);
	mb_tag(&b, 14, rsdp_v1, sizeof(rsdp_v1));
	mb_tag(&b, 15, rsdp_v2, sizeof(rsdp_v2));
	mb_mmap(&b, qemu_e820, ARRAY_SIZE(qemu_e820), 24);
	mb_efi_mmap(&b, d, ovmf_map(d), 48);
	total = mb_end(&b);
	memcpy(valid, mbi_buf, total);
	find_hot_spots(valid, total);

	for (int iter = 0; iter < 50000 && test_failed_checks == before; iter++) {
		size_t avail = rng() % 8 ? total : rng() % (total + 1);
		u8 *buf = malloc(avail ? avail : 1);
		const char *why = NULL;

		memcpy(buf, valid, avail);
		if (avail)
			mutate(buf, avail);
		if (mb2_parse(buf, MBI_PA, avail, &bi, &why) == 0) {
			ok++;
			check_fuzz_result(buf, avail);
		} else {
			bad++;
			CHECK(why != NULL);
		}
		free(buf);
	}
	CHECK(ok > 5000);
	CHECK(bad > 5000);
}

TEST_MAIN("multiboot2",
	  T(bios_boot),
	  T(minimal_structure),
	  T(acpi_new_rsdp_preferred),
	  T(efi_boot_uses_efi_map),
	  T(efi_system_table_alone_keeps_e820_map),
	  T(e820_types_sizes_and_odd_entries),
	  T(long_firmware_maps),
	  T(module_limits),
	  T(rejects_damaged_structures),
	  T(rejects_bad_placement),
	  T(fuzz_mutated_structures))
