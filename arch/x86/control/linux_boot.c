// SPDX-License-Identifier: GPL-2.0
/*
 * Linux x86 boot protocol, loader side. Section names in comments are those
 * of the kernel's Documentation/arch/x86/boot.rst; the zero page's layout is
 * zero-page.rst. Keel enters the kernel at its 64-bit entry point, so only
 * the setup header is read from the real-mode part: the real-mode code never
 * runs and none of its fields (heap_end_ptr, setup_move_size...) matter.
 */
#include "kernel/errno.h"
#include "arch/x86/control/linux_boot.h"
#include "kernel/memmap.h"
#include "kernel/string.h"
#include "kernel/types.h"

#define SECTOR 512
#define BOOT_FLAG 0xaa55
#define HDRS_MAGIC 0x53726448		/* "HdrS" */
#define JMP_SHORT 0xeb
#define PROTO_64BIT 0x020c		/* 2.12: xloadflags and the 64-bit entry */
#define PROTO_RSDP 0x020e		/* 2.14+: the kernel reads acpi_rsdp_addr */
#define SETUP_SECTS_DEFAULT 4		/* what setup_sects == 0 means */
#define HDR_HOLE_END 0x290		/* boot_params room for the header (edd_mbr_sig_buffer) */

/* The last header field read here ends the shortest header accepted. */
#define HDR_END_MIN (offsetof(struct boot_params, hdr.init_size) + sizeof(u32))

#define AT(field, off) _Static_assert(offsetof(struct boot_params, field) == (off), #field)
AT(acpi_rsdp_addr, 0x070);
AT(ext_ramdisk_image, 0x0c0);
AT(ext_ramdisk_size, 0x0c4);
AT(ext_cmd_line_ptr, 0x0c8);
AT(e820_entries, 0x1e8);
AT(sentinel, 0x1ef);
AT(hdr, LINUX_HDR_OFFSET);
AT(hdr.setup_sects, 0x1f1);
AT(hdr.syssize, 0x1f4);
AT(hdr.boot_flag, 0x1fe);
AT(hdr.jump, 0x200);
AT(hdr.header, 0x202);
AT(hdr.version, 0x206);
AT(hdr.kernel_version, 0x20e);
AT(hdr.type_of_loader, 0x210);
AT(hdr.loadflags, 0x211);
AT(hdr.ramdisk_image, 0x218);
AT(hdr.ramdisk_size, 0x21c);
AT(hdr.cmd_line_ptr, 0x228);
AT(hdr.initrd_addr_max, 0x22c);
AT(hdr.kernel_alignment, 0x230);
AT(hdr.relocatable_kernel, 0x234);
AT(hdr.xloadflags, 0x236);
AT(hdr.cmdline_size, 0x238);
AT(hdr.hardware_subarch, 0x23c);
AT(hdr.setup_data, 0x250);
AT(hdr.pref_address, 0x258);
AT(hdr.init_size, 0x260);
AT(hdr.kernel_info_offset, 0x268);
AT(e820_table, 0x2d0);
_Static_assert(sizeof(struct setup_header) == 0x26c - LINUX_HDR_OFFSET, "setup_header size");
_Static_assert(sizeof(struct boot_e820_entry) == 20, "e820 entry size");
_Static_assert(sizeof(struct boot_params) == 4096, "boot_params size");
/* The jump byte is signed: the header ends at 0x202 + 127 at most. */
_Static_assert(0x202 + 127 - LINUX_HDR_OFFSET == LINUX_HDR_MAX, "header extent");
_Static_assert(LINUX_HDR_OFFSET + LINUX_HDR_MAX <= HDR_HOLE_END, "header room");
_Static_assert(LINUX_HDR_OFFSET + LINUX_HDR_MAX <= 2 * SECTOR, "header inside the setup");

static int fail(const char **why, int err, const char *msg)
{
	*why = msg;
	return err;
}

static int reject(const char **why, const char *msg)
{
	return fail(why, -ENOEXEC, msg);
}

/* How high the kernel may be loaded and reach its data (xloadflags bit 1). */
static u64 addr_limit(const struct linux_image *img)
{
	return img->xloadflags & LINUX_XLF_CAN_BE_LOADED_ABOVE_4G ? UINT64_MAX : SZ_4G;
}

/* [pa, pa + len) lies below the kernel's address limit. */
static bool reachable(const struct linux_image *img, u64 pa, u64 len)
{
	u64 limit = addr_limit(img);

	return pa <= limit && len <= limit - pa;
}

/*
 * "The Real-Mode Kernel Header": boot_flag, "HdrS", the version, and the
 * header's extent from the jump at 0x200 (0xEB and a signed offset from 0x202).
 */
static int check_header(const struct setup_header *h, u32 *hdr_len, const char **why)
{
	int end = 0x202 + (int8_t)(h->jump >> 8);

	if (h->boot_flag != BOOT_FLAG)
		return reject(why, "no 0xAA55 boot flag at 0x1fe: not a Linux kernel");
	if (h->header != HDRS_MAGIC)
		return reject(why, "no \"HdrS\" at 0x202: not a Linux bzImage");
	if (h->version < PROTO_64BIT)
		return reject(why, "boot protocol older than 2.12: no 64-bit entry");
	if ((h->jump & 0xff) != JMP_SHORT || end < (int)HDR_END_MIN)
		return reject(why, "the setup header is too short for protocol 2.12");
	*hdr_len = end - LINUX_HDR_OFFSET;
	return 0;
}

/* loadflags (LOADED_HIGH: a bzImage) and xloadflags ("Details of Header Fields"). */
static int check_flags(const struct setup_header *h, const char **why)
{
	if (!(h->loadflags & LINUX_LOADED_HIGH))
		return reject(why, "not a bzImage: loadflags LOADED_HIGH is clear");
	if (!(h->xloadflags & LINUX_XLF_KERNEL_64))
		return reject(why, "no 64-bit entry point: xloadflags XLF_KERNEL_64 is clear");
	return 0;
}

/*
 * "Loading The Rest of The Kernel": the protected-mode kernel follows the
 * boot sector and setup_sects sectors and runs to the end of the file (as
 * GRUB loads it); syssize, in 16-byte units, must fit in it.
 */
static int check_layout(const struct setup_header *h, size_t size, struct linux_image *out,
			const char **why)
{
	u32 sects = h->setup_sects ? h->setup_sects : SETUP_SECTS_DEFAULT;

	out->kernel_offset = (u64)(sects + 1) * SECTOR;
	if (out->kernel_offset >= size)
		return reject(why, "setup_sects points past the end of the file");
	out->kernel_size = size - out->kernel_offset;
	if (!h->syssize || (u64)h->syssize * 16 > out->kernel_size)
		return reject(why, "the file is shorter than syssize says: truncated");
	return 0;
}

/*
 * init_size and pref_address (2.10+, "Details of Header Fields"); a
 * relocatable kernel realigns itself to kernel_alignment, so that must be a
 * power of two.
 */
static int check_sizes(const struct linux_image *img, const char **why)
{
	u32 align = img->kernel_alignment;

	if (img->kernel_size > img->init_size)
		return reject(why, "init_size is smaller than the kernel itself");
	if (img->relocatable && (align < PAGE_SIZE || (align & (align - 1))))
		return reject(why, "kernel_alignment is not a power of two of at least 4 KiB");
	if (img->pref_address > UINT64_MAX - img->init_size)
		return reject(why, "pref_address + init_size overflows");
	return 0;
}

int linux_plan(const u8 *bzimage, size_t size, struct linux_image *out, const char **why)
{
	struct setup_header h;
	int r;

	if (size < 2 * SECTOR)
		return reject(why, "truncated: shorter than the boot sector and one setup sector");
	memcpy(&h, bzimage + LINUX_HDR_OFFSET, sizeof(h));
	r = check_header(&h, &out->hdr_len, why);
	if (!r)
		r = check_flags(&h, why);
	if (!r)
		r = check_layout(&h, size, out, why);
	if (r)
		return r;
	out->version = h.version;
	out->xloadflags = h.xloadflags;
	out->relocatable = h.relocatable_kernel != 0;
	out->pref_address = h.pref_address;
	out->kernel_alignment = h.kernel_alignment;
	out->init_size = h.init_size;
	out->cmdline_size = h.cmdline_size;
	out->initrd_addr_max = h.initrd_addr_max;
	out->entry_offset = LINUX_ENTRY64;
	memset(out->hdr, 0, sizeof(out->hdr));
	memcpy(out->hdr, bzimage + LINUX_HDR_OFFSET, out->hdr_len);
	return check_sizes(out, why);
}

/* The init_size bytes from @addr are usable RAM the kernel may run in. */
static bool fits(const struct linux_image *img, const struct memmap *ram, u64 addr)
{
	return addr >= SZ_1M && reachable(img, addr, img->init_size) &&
	       memmap_covers(ram, addr, img->init_size, MEM_USABLE);
}

/*
 * The 64-bit entry runs the decompressor at align_up(load address,
 * kernel_alignment), but never below LOAD_PHYSICAL_ADDR, which the header
 * publishes as pref_address (arch/x86/boot/compressed/head_64.S, startup_64):
 * loading lower gains nothing and would leave [pref_address, +init_size)
 * unaccounted for. Hence candidates start at pref_address ("init_size").
 */
int linux_choose_load(const struct linux_image *img, const struct memmap *ram, u64 *load_addr,
		      const char **why)
{
	u64 floor = MAX(img->pref_address, SZ_1M), best = UINT64_MAX;

	if (!img->relocatable) {
		if (!fits(img, ram, img->pref_address))
			return fail(why, -ENOMEM, "not relocatable, and no free RAM at its pref_address");
		*load_addr = img->pref_address;
		return 0;
	}
	for (unsigned int i = 0; i < ram->nr; i++) {
		u64 base = MAX(ram->r[i].base, floor), cand;

		if (ram->r[i].type != MEM_USABLE || base > UINT64_MAX - img->kernel_alignment)
			continue;
		cand = ALIGN_UP(base, (u64)img->kernel_alignment);
		if (cand < best && fits(img, ram, cand))
			best = cand;
	}
	if (best == UINT64_MAX)
		return fail(why, -ENOMEM, "no free RAM for init_size at or above pref_address");
	*load_addr = best;
	return 0;
}

/* initrd_addr_max (2.03+) binds unless XLF_CAN_BE_LOADED_ABOVE_4G lifts it. */
u64 linux_initrd_max(const struct linux_image *img)
{
	if (img->xloadflags & LINUX_XLF_CAN_BE_LOADED_ABOVE_4G)
		return UINT64_MAX;
	return img->initrd_addr_max;
}

/* cmd_line_ptr (2.02+) with ext_cmd_line_ptr for its high half; cmdline_size (2.06+). */
static int set_cmdline(struct boot_params *bp, const struct linux_image *img, u64 pa, u32 len,
		       const char **why)
{
	if (len > img->cmdline_size)
		return fail(why, -E2BIG, "the command line is longer than cmdline_size");
	if (!pa || !reachable(img, pa, (u64)len + 1))
		return fail(why, -ERANGE, "the command line lies where the kernel cannot read it");
	bp->hdr.cmd_line_ptr = (u32)pa;
	bp->ext_cmd_line_ptr = (u32)(pa >> 32);
	return 0;
}

/* ramdisk_image and ramdisk_size, with their ext_ high halves (2.12+). */
static int set_initrd(struct boot_params *bp, const struct linux_image *img, u64 pa, u64 size,
		      const char **why)
{
	u64 max = linux_initrd_max(img);

	if (!size)
		return 0;
	if (pa > max || size - 1 > max - pa)
		return fail(why, -ERANGE, "the initrd lies above the kernel's initrd_addr_max");
	bp->hdr.ramdisk_image = (u32)pa;
	bp->ext_ramdisk_image = (u32)(pa >> 32);
	bp->hdr.ramdisk_size = (u32)size;
	bp->ext_ramdisk_size = (u32)(size >> 32);
	return 0;
}

/* Keel's own memory and types Linux has no use for become reserved. */
static u32 e820_type(u32 type)
{
	switch (type) {
	case MEM_USABLE:
		return LINUX_E820_RAM;
	case MEM_ACPI_RECLAIM:
		return LINUX_E820_ACPI;
	case MEM_ACPI_NVS:
		return LINUX_E820_NVS;
	case MEM_BAD:
		return LINUX_E820_UNUSABLE;
	default:
		return LINUX_E820_RESERVED;
	}
}

/* e820_table and e820_entries (zero-page.rst); at most 128 entries without setup_data. */
static int set_e820(struct boot_params *bp, const struct memmap *m, const char **why)
{
	unsigned int n = 0;

	if (!m->nr)
		return fail(why, -EINVAL, "the memory map is empty");
	for (unsigned int i = 0; i < m->nr; i++) {
		const struct mem_range *r = &m->r[i];
		struct boot_e820_entry *last = n ? &bp->e820_table[n - 1] : NULL;
		u32 type = e820_type(r->type);

		if (last && last->type == type && last->addr + last->size == r->base) {
			last->size += r->size;
			continue;
		}
		if (n == LINUX_E820_MAX)
			return fail(why, -E2BIG, "the memory map needs more than 128 e820 entries");
		bp->e820_table[n++] = (struct boot_e820_entry){ r->base, r->size, type };
	}
	bp->e820_entries = (u8)n;
	return 0;
}

/*
 * "64-bit Boot Protocol": a zeroed boot_params, the setup header from the
 * file, then the fields a loader writes ("Details of Header Fields").
 * loadflags: only LOADED_HIGH (no QUIET_FLAG; KEEP_SEGMENTS is obsolete and
 * CAN_USE_HEAP concerns the real-mode code, which does not run).
 */
int linux_build_params(struct boot_params *bp, const struct linux_image *img,
		       const struct memmap *e820, u64 cmdline_pa, u32 cmdline_len, u64 initrd_pa,
		       u64 initrd_size, u64 rsdp_pa, const char **why)
{
	int r;

	memset(bp, 0, sizeof(*bp));
	memcpy((u8 *)bp + LINUX_HDR_OFFSET, img->hdr, img->hdr_len);
	bp->hdr.type_of_loader = LINUX_TYPE_OF_LOADER;
	bp->hdr.loadflags = LINUX_LOADED_HIGH;
	bp->hdr.hardware_subarch = 0;	/* X86_SUBARCH_PC */
	bp->hdr.setup_data = 0;		/* no setup_data list */
	r = set_cmdline(bp, img, cmdline_pa, cmdline_len, why);
	if (!r)
		r = set_initrd(bp, img, initrd_pa, initrd_size, why);
	if (!r)
		r = set_e820(bp, e820, why);
	if (!r && img->version >= PROTO_RSDP)
		bp->acpi_rsdp_addr = rsdp_pa;
	return r;
}
