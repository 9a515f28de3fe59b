// SPDX-License-Identifier: GPL-2.0
#include "kernel/errno.h"
#include "arch/x86/bootvm/mb1_load.h"
#include "kernel/string.h"

#define MB1_SEARCH 8192
#define MB1_FLAG_ADDRESS BIT(16)
#define MB1_KNOWN_REQUIRED 0x7	/* page align, memory info, video mode (we give none) */
#define PT_LOAD 1

struct mb1_header {
	u32 magic, flags, checksum;
	u32 header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static u16 get16(const u8 *p)
{
	u16 v;

	memcpy(&v, p, 2);
	return v;
}

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -ENOEXEC;
}

static bool in_range(u64 addr, u64 size, u64 min, u64 max)
{
	return addr >= min && addr <= max && size <= max - addr;
}

/* The header's address fields (3.1.3): the file from header_addr's offset on. */
static int plan_address(const u8 *image, size_t size, size_t hoff, const struct mb1_header *h,
			struct mb1_image *out, const char **why)
{
	u64 start, file_size, mem_end;

	if (h->load_addr > h->header_addr || h->header_addr - h->load_addr > hoff)
		return fail(why, "multiboot address fields are inconsistent");
	start = hoff - (h->header_addr - h->load_addr);
	file_size = h->load_end_addr ? (u64)h->load_end_addr - h->load_addr : size - start;
	if (h->load_end_addr && h->load_end_addr < h->load_addr)
		return fail(why, "multiboot load_end_addr is below load_addr");
	if (file_size > size - start)
		return fail(why, "multiboot image is shorter than its load range");
	mem_end = h->bss_end_addr ? h->bss_end_addr : h->load_addr + file_size;
	if (mem_end < h->load_addr + file_size)
		return fail(why, "multiboot bss_end_addr is below the loaded image");
	out->nr = 1;
	out->seg[0] = (struct mb1_segment){ start, file_size, h->load_addr, mem_end - h->load_addr };
	out->entry = h->entry_addr;
	return 0;
}

/* ELF32 program headers (System V ABI, i386 supplement): PT_LOAD at p_paddr. */
static int plan_elf(const u8 *image, size_t size, struct mb1_image *out, const char **why)
{
	u32 phoff, phentsize, phnum;

	if (size < 52 || memcmp(image, "\177ELF", 4) || image[4] != 1 || get16(image + 18) != 3)
		return fail(why, "not an ELF32 i386 image and no multiboot address fields");
	phoff = get32(image + 28);
	phentsize = get16(image + 42);
	phnum = get16(image + 44);
	if (phentsize < 32 || phoff > size || (u64)phnum * phentsize > size - phoff)
		return fail(why, "ELF program headers lie outside the image");
	out->nr = 0;
	for (u32 i = 0; i < phnum; i++) {
		const u8 *ph = image + phoff + (u64)i * phentsize;
		struct mb1_segment s = { get32(ph + 4), get32(ph + 16), get32(ph + 12), get32(ph + 20) };

		if (get32(ph) != PT_LOAD || !s.mem_size)
			continue;
		if (out->nr == MB1_MAX_SEGMENTS)
			return fail(why, "too many ELF load segments");
		if (s.file_size > s.mem_size || s.file_offset > size || s.file_size > size - s.file_offset)
			return fail(why, "an ELF segment lies outside the image");
		out->seg[out->nr++] = s;
	}
	out->entry = get32(image + 24);
	return out->nr ? 0 : fail(why, "the ELF image has no load segments");
}

static int find_header(const u8 *image, size_t size, size_t *off, struct mb1_header *h)
{
	for (size_t o = 0; o + 12 <= MIN(size, (size_t)MB1_SEARCH); o += 4) {
		if (get32(image + o) != MB1_HEADER_MAGIC)
			continue;
		memset(h, 0, sizeof(*h));
		memcpy(h, image + o, MIN(sizeof(*h), size - o));
		*off = o;
		return 0;
	}
	return -ENOENT;
}

static bool entry_inside(const struct mb1_image *img)
{
	for (unsigned int i = 0; i < img->nr; i++)
		if (img->entry >= img->seg[i].addr && img->entry - img->seg[i].addr < img->seg[i].mem_size)
			return true;
	return false;
}

int mb1_plan(const u8 *image, size_t size, u64 min_addr, u64 max_addr, struct mb1_image *out,
	     const char **why)
{
	struct mb1_header h;
	size_t off;
	int r;

	if (find_header(image, size, &off, &h))
		return fail(why, "no multiboot header in the first 8 KiB");
	if (h.magic + h.flags + h.checksum != 0)
		return fail(why, "bad multiboot header checksum");
	if (h.flags & 0xffff & ~MB1_KNOWN_REQUIRED)
		return fail(why, "the multiboot header requires features Keel does not provide");
	if ((h.flags & MB1_FLAG_ADDRESS) && off + sizeof(h) > size)
		return fail(why, "truncated multiboot header");
	r = h.flags & MB1_FLAG_ADDRESS ? plan_address(image, size, off, &h, out, why) :
					 plan_elf(image, size, out, why);
	if (r)
		return r;
	for (unsigned int i = 0; i < out->nr; i++)
		if (!in_range(out->seg[i].addr, out->seg[i].mem_size, min_addr, max_addr))
			return fail(why, "a segment lies outside the VM's loadable RAM");
	return entry_inside(out) ? 0 : fail(why, "the entry point lies outside the loaded image");
}
