// SPDX-License-Identifier: GPL-2.0
/*
 * Multiboot2 boot information parsing (Multiboot2 specification, 3.6).
 * Every field is read with memcpy(), so nothing depends on the alignment of
 * the buffer, and every read is checked against total_size first.
 */
#include "kernel/multiboot2.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "kernel/types.h"

/* 3.6.2: fixed part {u32 total_size, u32 reserved}, then 8-aligned tags {u32 type, u32 size}. */
#define MB2_TOTAL_SIZE 0
#define MB2_FIXED_SIZE 8
#define MB2_TAG_TYPE 0
#define MB2_TAG_SIZE 4
#define MB2_TAG_HDR 8
#define MB2_TAG_ALIGN 8

/* Tag types, 3.6.2 - 3.6.19. */
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_EFI32 11
#define MB2_TAG_EFI64 12
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_TAG_EFI_MMAP 17

/* 3.6.6: module tag {type, size, u32 mod_start, u32 mod_end, string}. */
#define MB2_MODULE_START 8
#define MB2_MODULE_END 12
#define MB2_MODULE_STRING 16

/*
 * 3.6.8: {type, size, u32 entry_size, u32 entry_version, entries}, each entry
 * {u64 base_addr, u64 length, u32 type, u32 reserved}; entry_size may grow.
 */
#define MB2_MMAP_ENTRY_SIZE 8
#define MB2_MMAP_ENTRIES 16
#define MB2_MMAP_ENTRY_MIN 24
#define MB2_MMAP_BASE 0
#define MB2_MMAP_LEN 8
#define MB2_MMAP_TYPE 16

/* 3.6.19: {type, size, u32 descriptor_size, u32 descriptor_version, EFI memory map}. */
#define MB2_EFI_MMAP_DESC_SIZE 8
#define MB2_EFI_MMAP_DESCS 16

/*
 * UEFI 2.10, 7.2 (EFI_BOOT_SERVICES.GetMemoryMap): EFI_MEMORY_DESCRIPTOR is
 * {u32 Type, u32 pad, u64 PhysicalStart, u64 VirtualStart, u64 NumberOfPages,
 * u64 Attribute}; firmware may report a larger DescriptorSize.
 */
#define EFI_DESC_TYPE 0
#define EFI_DESC_START 8
#define EFI_DESC_PAGES 24
#define EFI_DESC_ATTR 32
#define EFI_DESC_MIN 40
#define EFI_PAGE_SHIFT 12
#define EFI_MEMORY_RUNTIME BIT(63)

/* EFI_MEMORY_TYPE values (UEFI 2.10, 7.2). */
#define EFI_LOADER_CODE 1
#define EFI_LOADER_DATA 2
#define EFI_BOOT_SERVICES_CODE 3
#define EFI_BOOT_SERVICES_DATA 4
#define EFI_CONVENTIONAL_MEMORY 7
#define EFI_UNUSABLE_MEMORY 8
#define EFI_ACPI_RECLAIM_MEMORY 9
#define EFI_ACPI_MEMORY_NVS 10

/*
 * What the tag walk records for later: the memory map tags, parsed once the
 * walk is done because the EFI one wins wherever it appears, and whether the
 * RSDP taken so far is the ACPI 2.0+ copy.
 */
struct mb2_found {
	const u8 *mmap;
	u32 mmap_size;
	const u8 *efi_mmap;
	u32 efi_mmap_size;
	bool rsdp_new;
};

static u32 get_u32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static u64 get_u64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -EINVAL;
}

/* The NUL-terminated string at @off in a tag of @size bytes. */
static int get_string(const u8 *tag, u32 size, u32 off, const char **out, const char **why)
{
	const char *s = (const char *)tag + off;

	if (size <= off || strnlen(s, size - off) == size - off)
		return fail(why, "unterminated string in tag");
	*out = s;
	return 0;
}

static int add_module(const u8 *tag, u32 size, struct boot_info *bi, const char **why)
{
	struct boot_module *mod;
	int ret;

	if (bi->nr_modules == MB2_MAX_MODULES)
		return fail(why, "too many modules");
	mod = &bi->modules[bi->nr_modules];
	ret = get_string(tag, size, MB2_MODULE_STRING, &mod->cmdline, why);
	if (ret)
		return ret;
	mod->start = get_u32(tag + MB2_MODULE_START);
	mod->end = get_u32(tag + MB2_MODULE_END);
	if (mod->end < mod->start)
		return fail(why, "module ends before it starts");
	bi->nr_modules++;
	return 0;
}

/* 3.6.16, 3.6.17: the tag holds a copy of the RSDP; the ACPI 2.0+ one (15) wins. */
static void take_rsdp(const u8 *tag, u32 size, bool is_new, struct boot_info *bi,
		      struct mb2_found *f)
{
	if (size == MB2_TAG_HDR || (f->rsdp_new && !is_new))
		return;
	bi->rsdp = tag + MB2_TAG_HDR;
	bi->rsdp_len = size - MB2_TAG_HDR;
	f->rsdp_new = is_new;
}

/* Tag types Keel does not use are skipped; every tag carries its size (3.6.2). */
static int handle_tag(const u8 *tag, u32 type, u32 size, struct boot_info *bi,
		      struct mb2_found *f, const char **why)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		return get_string(tag, size, MB2_TAG_HDR, &bi->cmdline, why);
	case MB2_TAG_LOADER:
		return get_string(tag, size, MB2_TAG_HDR, &bi->loader, why);
	case MB2_TAG_MODULE:
		return add_module(tag, size, bi, why);
	case MB2_TAG_MMAP:
		f->mmap = tag;
		f->mmap_size = size;
		return 0;
	case MB2_TAG_EFI_MMAP:
		f->efi_mmap = tag;
		f->efi_mmap_size = size;
		bi->efi = true;
		return 0;
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI64:
		bi->efi = true;
		return 0;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		take_rsdp(tag, size, type == MB2_TAG_ACPI_NEW, bi, f);
		return 0;
	default:
		return 0;
	}
}

static int walk_tags(const u8 *mbi, u32 total, struct boot_info *bi, struct mb2_found *f,
		     const char **why)
{
	u64 off = MB2_FIXED_SIZE;

	for (;;) {
		u32 type, size;
		int ret;

		if (off > total || total - off < MB2_TAG_HDR)
			return fail(why, "missing end tag");
		type = get_u32(mbi + off + MB2_TAG_TYPE);
		size = get_u32(mbi + off + MB2_TAG_SIZE);
		if (size < MB2_TAG_HDR)
			return fail(why, "tag shorter than its header");
		if (size > total - off)
			return fail(why, "tag overruns total_size");
		if (type == MB2_TAG_END)
			return 0;
		ret = handle_tag(mbi + off, type, size, bi, f, why);
		if (ret)
			return ret;
		off = ALIGN_UP(off + size, MB2_TAG_ALIGN);
	}
}

/*
 * Adds a firmware range. Zero-length ranges are skipped and one that runs
 * past the top of the address space is clamped to it. Firmware maps come
 * sorted, with long runs of one type (OVMF splits usable RAM into many
 * descriptors), so a range that continues the previous one extends it. A
 * full map is normalized to make room; that may trim usable fragments to
 * pages early, which can only lose part of a page of usable RAM.
 */
static int add_range(struct memmap *m, u64 base, u64 len, u32 type)
{
	struct mem_range *last = m->nr ? &m->r[m->nr - 1] : NULL;

	if (len > UINT64_MAX - base)
		len = UINT64_MAX - base;
	if (!len)
		return 0;
	if (last && last->type == type && last->base + last->size == base) {
		last->size += len;
		return 0;
	}
	if (m->nr == MEMMAP_MAX)
		memmap_normalize(m);
	return memmap_add(m, base, len, type);
}

/* 3.6.8: 1 RAM, 3 ACPI, 4 preserve on hibernation, 5 defective; other values: reserved. */
static u32 e820_type(u32 type)
{
	switch (type) {
	case MEM_USABLE:
	case MEM_ACPI_RECLAIM:
	case MEM_ACPI_NVS:
	case MEM_BAD:
		return type;
	default:
		return MEM_RESERVED;
	}
}

static int parse_mmap(const u8 *tag, u32 size, struct memmap *m, const char **why)
{
	u32 esize;
	u64 off;

	if (size < MB2_MMAP_ENTRIES)
		return fail(why, "memory map tag too short");
	esize = get_u32(tag + MB2_MMAP_ENTRY_SIZE);
	if (esize < MB2_MMAP_ENTRY_MIN)
		return fail(why, "memory map entry_size below 24");
	for (off = MB2_MMAP_ENTRIES; size - off >= esize; off += esize) {
		const u8 *e = tag + off;

		if (add_range(m, get_u64(e + MB2_MMAP_BASE), get_u64(e + MB2_MMAP_LEN),
			      e820_type(get_u32(e + MB2_MMAP_TYPE))))
			return fail(why, "memory map has too many ranges");
	}
	return 0;
}

/*
 * Boot services and loader memory is free once boot services have exited
 * (GRUB exits them before jumping to us); memory the firmware still needs at
 * runtime says so with EFI_MEMORY_RUNTIME and must stay reserved.
 */
static u32 efi_type(u32 type, u64 attr)
{
	switch (type) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_CONVENTIONAL_MEMORY:
		return attr & EFI_MEMORY_RUNTIME ? MEM_RESERVED : MEM_USABLE;
	case EFI_UNUSABLE_MEMORY:
		return MEM_BAD;
	case EFI_ACPI_RECLAIM_MEMORY:
		return MEM_ACPI_RECLAIM;
	case EFI_ACPI_MEMORY_NVS:
		return MEM_ACPI_NVS;
	default:
		return MEM_RESERVED;
	}
}

static int parse_efi_mmap(const u8 *tag, u32 size, struct memmap *m, const char **why)
{
	u32 dsize;
	u64 off;

	if (size < MB2_EFI_MMAP_DESCS)
		return fail(why, "EFI memory map tag too short");
	dsize = get_u32(tag + MB2_EFI_MMAP_DESC_SIZE);
	if (dsize < EFI_DESC_MIN)
		return fail(why, "EFI memory descriptor_size below 40");
	for (off = MB2_EFI_MMAP_DESCS; size - off >= dsize; off += dsize) {
		const u8 *d = tag + off;
		u64 pages = get_u64(d + EFI_DESC_PAGES);
		u64 len = pages > (UINT64_MAX >> EFI_PAGE_SHIFT) ? UINT64_MAX :
			  pages << EFI_PAGE_SHIFT;
		u32 type = efi_type(get_u32(d + EFI_DESC_TYPE),
				    get_u64(d + EFI_DESC_ATTR));

		if (add_range(m, get_u64(d + EFI_DESC_START), len, type))
			return fail(why, "EFI memory map has too many ranges");
	}
	return 0;
}

static int build_mmap(struct boot_info *bi, const struct mb2_found *f, const char **why)
{
	int ret;

	if (f->efi_mmap) {
		bi->efi_mmap = true;
		ret = parse_efi_mmap(f->efi_mmap, f->efi_mmap_size, &bi->mmap, why);
	} else if (f->mmap) {
		ret = parse_mmap(f->mmap, f->mmap_size, &bi->mmap, why);
	} else {
		return fail(why, "no memory map tag");
	}
	if (ret)
		return ret;
	memmap_normalize(&bi->mmap);
	if (!memmap_total(&bi->mmap, MEM_USABLE))
		return fail(why, "memory map has no usable RAM");
	return 0;
}

/* 3.6.2: the structure starts 8-byte aligned and holds the fixed part and an end tag. */
static int check_header(const u8 *mbi, u64 mbi_pa, size_t avail, u32 *total, const char **why)
{
	if (mbi_pa & (MB2_TAG_ALIGN - 1))
		return fail(why, "misaligned information structure");
	if (avail < MB2_FIXED_SIZE)
		return fail(why, "bad total_size: structure truncated");
	*total = get_u32(mbi + MB2_TOTAL_SIZE);
	if (*total < MB2_FIXED_SIZE + MB2_TAG_HDR)
		return fail(why, "bad total_size: too small");
	if (*total > avail)
		return fail(why, "bad total_size: larger than the readable area");
	if (*total > UINT64_MAX - mbi_pa)
		return fail(why, "bad total_size: wraps the address space");
	return 0;
}

int mb2_parse(const void *mbi, u64 mbi_pa, size_t avail, struct boot_info *bi, const char **why)
{
	struct mb2_found f = { 0 };
	u32 total = 0;
	int ret;

	memset(bi, 0, sizeof(*bi));
	bi->cmdline = "";
	bi->loader = "";
	memmap_init(&bi->mmap);
	ret = check_header(mbi, mbi_pa, avail, &total, why);
	if (!ret)
		ret = walk_tags(mbi, total, bi, &f, why);
	if (!ret)
		ret = build_mmap(bi, &f, why);
	if (ret)
		return ret;
	bi->mbi_start = mbi_pa;
	bi->mbi_end = mbi_pa + total;
	return 0;
}
